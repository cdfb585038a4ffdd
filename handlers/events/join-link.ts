import { z } from "zod";
import type { EventRecord, Invitation } from "./event-store";

/** The longest join link an organizer may set (browsers and mail clients handle far longer; meeting links are short). */
export const JOIN_URL_MAX = 2048;

/**
 * The join link's shape: an absolute https URL on a domain name, at most JOIN_URL_MAX characters,
 * with no user name or password in it (it is mailed to people), no spaces or control characters;
 * stored as the URL parser writes it. A function: handler modules build zod objects when called.
 */
export function joinUrlSchema() {
  return z
    .url({ protocol: /^https$/, hostname: z.regexes.domain, error: "Invalid URL: an https:// link on a domain name, such as https://meet.example.com/abc" })
    .max(JOIN_URL_MAX)
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    .refine((u) => !/[\s\u0000-\u001f\u007f-\u009f]/u.test(u), "must not contain spaces or control characters")
    .refine((u) => URL.canParse(u) && !new URL(u).username && !new URL(u).password, "must not contain a user name or password")
    .transform((u) => new URL(u).href)
    .describe("Where to attend: an absolute https URL (no credentials), shown only to the organizer and to invitees who said yes");
}

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
