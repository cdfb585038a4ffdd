import type { EventRecord, Invitation } from "./event-store";

// Who may see an event's join link. Zod-free: the views (and so GraphQL's upload, which carries
// no zod) load it; the request schema of the link is join-url-schema.ts.

/** The longest join link an organizer may set (browsers and mail clients handle far longer; meeting links are short). */
export const JOIN_URL_MAX = 2048;

/**
 * Who is looking, on a page or in a mail. Every view and mail asks `visibleJoinUrl` with one of
 * these, so the rule "the join link is for the organizer and for confirmed attendees only" is
 * written once:
 * - `public`: GET /events, GET /events/{id}, anything a stranger can read;
 * - `organizer`: GET /me/events/{id} and the organizer's one-hour digest;
 * - `invitee`: GET /rsvp and POST /rsvp, and every mail to an invitee (invitation, confirmation,
 *   cancellation, change), with the invitation's answer *as it is now*.
 */
export type JoinLinkViewer = { role: "public" } | { role: "organizer" } | { role: "invitee"; answer: Invitation["status"] };

/**
 * The join link this viewer may see, or null. Invitees see it only while their current answer is
 * yes and the event is published (a canceled event has nowhere to go); it stays visible after the
 * start, when it is needed most. The organizer always sees their own link.
 */
export function visibleJoinUrl(event: Pick<EventRecord, "joinUrl" | "status">, viewer: JoinLinkViewer): string | null {
  if (!event.joinUrl) return null;
  if (viewer.role === "organizer") return event.joinUrl;
  if (viewer.role === "invitee" && viewer.answer === "yes" && event.status === "published") return event.joinUrl;
  return null;
}
