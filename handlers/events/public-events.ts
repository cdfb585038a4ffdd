import { jsonResponse, validate, type HttpHandler } from "../shared/http";
import { PAGE_DEFAULT_LIMIT } from "../shared/paging";
import { HttpProblem } from "../shared/problem";
import type { EventsApiDeps } from "./deps";
import { dispatch } from "./dispatch";
import { eventSummary, eventView } from "./views";

/** Public routes (no sign-in): the list of public events and one public event with its media. */
export function publicEventsHandler(deps: EventsApiDeps): HttpHandler {
  const { store, media, obs, schemas } = deps;
  return dispatch("public", obs, {
    async listPublicEvents(event) {
      const { limit = PAGE_DEFAULT_LIMIT, ...search } = validate(schemas.PublicListQuery, event.queryStringParameters ?? {}, "query");
      const page = await store.listPublic({ limit, ...search }, deps.now());
      return jsonResponse(200, { items: page.items.map(eventSummary), nextCursor: page.nextCursor });
    },

    /** Only public, published (or canceled, so a shared link explains itself) events; others look missing. */
    async getPublicEvent(event) {
      const id = validate(schemas.EventId, event.pathParameters?.id, "path");
      validate(schemas.NoQuery, event.queryStringParameters ?? {}, "query");
      const found = await store.get(id);
      if (!found || found.visibility !== "public" || found.status === "draft") throw new HttpProblem("not-found", `No public event ${id}.`);
      return jsonResponse(200, eventView(found, await media.viewUrls(found)));
    },
  });
}
