import { endOf, type EventRecord, type Invitation } from "./event-store";
import { visibleJoinUrl } from "./join-link";
import { DEFAULT_CATEGORY } from "./categories";
import type { MediaKind } from "./schemas";
import type { SeriesSummary } from "./series-view";
import type { VideoView } from "./video-playback";
import { paymentView } from "./payments/payment";
import { paymentCounts } from "./payments/payment-counts";

/** MediaStore.viewUrls: presigned GETs, and the video's rendition to play. */
type MediaUrls = Record<MediaKind, string | null> & { playback: VideoView | null };

/** What anyone allowed to see the event gets (no organizer identity, no keys). */
export function eventView(e: EventRecord, media: MediaUrls) {
  return {
    id: e.id,
    title: e.title,
    description: e.description,
    startsAt: e.startsAt,
    durationMinutes: e.durationMinutes,
    endsAt: endOf(e).toISOString(),
    visibility: e.visibility,
    status: e.status,
    publishedAt: e.publishedAt ?? null,
    category: e.category ?? DEFAULT_CATEGORY,
    coverUrl: media.cover,
    videoUrl: media.video,
    /** The streaming rendition (issue #19): null without one; see video-playback.ts. */
    video: media.playback,
    confirmedCount: e.confirmedCount ?? 0,
    price: e.price ?? null,
  };
}

/** The organizer's view adds the bookkeeping (and, for an occurrence of a series, the series: series-view.ts). */
export function organizerEventView(e: EventRecord, media: MediaUrls, series: SeriesSummary | null = null) {
  return { ...eventView(e, media), createdAt: e.createdAt, updatedAt: e.updatedAt, canceledAt: e.canceledAt ?? null, joinUrl: visibleJoinUrl(e, { role: "organizer" }), series };
}

/** A list entry (no presigned URLs: lists are cheap to build and cache-free). */
export function eventSummary(e: EventRecord) {
  return { id: e.id, title: e.title, startsAt: e.startsAt, durationMinutes: e.durationMinutes, visibility: e.visibility, status: e.status, publishedAt: e.publishedAt ?? null, hasCover: Boolean(e.media.cover), category: e.category ?? DEFAULT_CATEGORY, confirmedCount: e.confirmedCount ?? 0, seriesId: e.seriesId ?? null, occurrence: e.occurrence ?? null };
}

export function invitationView(i: Invitation) {
  return { email: i.email, status: i.status, invitedAt: i.invitedAt, answeredAt: i.answeredAt ?? null, answerChanges: i.answerSeq, history: i.history, undeliverable: i.undeliverable ?? null, payment: paymentView(i.payment) };
}

/** GET /events/{id}/invitations (and GraphQL's `invitations`): every invitation, and the counts by answer (plus the undeliverable, besides their answer). */
export function invitationsView(invitations: Invitation[], event: Pick<EventRecord, "price">) {
  const counts = { yes: 0, no: 0, pending: 0 };
  for (const i of invitations) counts[i.status]++;
  const undeliverable = invitations.filter((i) => i.undeliverable).length;
  // A paid event (or one that was): paid, paying and collected (payments/payment-counts.ts).
  const payments = event.price || invitations.some((i) => i.payment) ? paymentCounts(invitations) : {};
  return { items: invitations.map(invitationView), counts: { ...counts, undeliverable, ...payments } };
}
