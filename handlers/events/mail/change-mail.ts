import type { EventRecord } from "../event-store";
import type { MailMessage } from "./message";
import { mail, utcTime, when } from "./templates";

export interface ChangeMailArgs {
  /** The From. Example: `"Switchyard Events <events@example.com>"`. */
  from: string;
  /** The event as it is now: the mail states its current time and link. */
  event: EventRecord;
  /** Lower-case. Example: `"ann@example.com"`. */
  invitee: string;
  /** The invitee's answer now: the join link is shown only after a yes. */
  answer: "yes" | "pending";
  /** Set when the start moved: where it was before this change (ISO). Example: `"2026-12-03T18:00:00.000Z"`. */
  movedFrom?: string;
  /** The join link changed (the current one, or its removal, is what the mail states). */
  linkChanged: boolean;
  /** The invitee's RSVP links (signed tokens): yes only for a pending answer. */
  yesUrl?: string;
  noUrl: string;
  /** The notification key (X-Switchyard-Notification). */
  key: string;
}

/**
 * The mail about a moved start, a changed join link, or both at once: what changed (old → new
 * time, in UTC as every mail), and the event's current state. The join link is in it only for an
 * invitee who said yes; one who has not answered is told the link changed and gets the RSVP links.
 */
export function changeMail(args: ChangeMailArgs): MailMessage {
  const { event: e, answer } = args;
  const what = [args.movedFrom ? "new time" : "", args.linkChanged ? "new join link" : ""].filter(Boolean).join(" and ");
  const lines = [`The organizer of "${e.title}" made a change.`, ""];
  if (args.movedFrom) lines.push(`New time: ${when(e)}.`, `It was: ${utcTime(args.movedFrom)}.`, "");
  if (args.linkChanged && answer === "yes") lines.push(...(e.joinUrl ? ["The join link is now:", e.joinUrl] : ["The join link was removed; the organizer will share a new one."]), "");
  else if (args.linkChanged) lines.push("The join link has changed. It is shown to those who say yes.", "");
  else if (answer === "yes" && e.joinUrl) lines.push("Join here:", e.joinUrl, "");
  if (answer === "pending") lines.push("Will you attend? Yes:", args.yesUrl!, "No:", args.noUrl);
  else lines.push("You said you will attend. If you no longer can:", args.noUrl);
  return mail(args.from, args.invitee, `Changed: ${e.title} (${what})`, lines, args.key);
}
