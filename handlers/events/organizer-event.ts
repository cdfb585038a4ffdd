import type { EventsApiDeps } from "./deps";
import type { EventRecord } from "./event-store";
import { seriesSummary } from "./series-view";
import { organizerEventView } from "./views";

/** GET /me/events/{id}'s body (and GraphQL's `myEvent`): the organizer's view with presigned media and, for an occurrence, its series. */
export async function organizerEvent({ series, media }: Pick<EventsApiDeps, "series" | "media">, e: EventRecord) {
  const s = e.seriesId ? await series.get(e.seriesId) : undefined;
  return organizerEventView(e, await media.viewUrls(e), s ? seriesSummary(s, e) : null);
}
