import type { EventRecord, Invitation } from "../event-store";
import { NOTIFICATION_HEADER, type MailMessage } from "./message";
import type { Payment } from "../payments/payment";
import { formatAmount } from "../payments/price";

/** "Tue, 01 Dec 2026 18:00 UTC" — mails state times in UTC; the site shows local time. */
export const utcTime = (iso: string) => new Date(iso).toUTCString().replace(/:\d{2} GMT$/, " UTC");

/** "Tue, 01 Dec 2026 18:00 UTC (45 minutes)". */
export function when(e: Pick<EventRecord, "startsAt" | "durationMinutes">) {
  return `${utcTime(e.startsAt)} (${e.durationMinutes} minutes)`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function mail(from: string, to: string, subject: string, lines: string[], key: string): MailMessage {
  const text = lines.join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5">${lines
    .map((l) => (/^https?:\/\//.test(l) ? `<p><a href="${escapeHtml(l)}">${escapeHtml(l)}</a></p>` : l ? `<p>${escapeHtml(l)}</p>` : ""))
    .join("")}</body></html>`;
  return { from, to, subject, text, html, headers: { [NOTIFICATION_HEADER]: key } };
}

export function invitationMail(args: { from: string; event: EventRecord; invitee: string; yesUrl: string; noUrl: string; key: string }): MailMessage {
  const { event: e } = args;
  return mail(
    args.from,
    args.invitee,
    `Invitation: ${e.title}`,
    [
      `You are invited to "${e.title}", a virtual event on ${when(e)}.`,
      ...(e.description ? ["", e.description] : []),
      "",
      "Will you attend? Yes:",
      args.yesUrl,
      "No:",
      args.noUrl,
      "",
      "You can change your answer with either link, as often as you like, until the event starts. Once you say yes, you get the link to join.",
    ],
    args.key,
  );
}

export function cancellationMail(args: { from: string; event: EventRecord; invitee: string; key: string; paid?: Payment }): MailMessage {
  const { event: e, paid } = args;
  // Tickets are non-refundable (issue #19): a paid invitee is told so, not promised a refund.
  const payment = paid ? ["", `Your ticket (${formatAmount(paid.amount, paid.currency)}) is not refunded: tickets are non-refundable. For anything else, contact the organizer.`] : [];
  return mail(args.from, args.invitee, `Canceled: ${e.title}`, [`"${e.title}" on ${when(e)} has been canceled by its organizer.`, "", "Nothing else to do: your invitation is void.", ...payment], args.key);
}

/** The "you're in" mail: the answer is yes; the join link, or word that it will follow. */
export function confirmationMail(args: { from: string; event: EventRecord; invitee: string; joinUrl: string | null; changeUrl: string; key: string }): MailMessage {
  const { event: e } = args;
  return mail(
    args.from,
    args.invitee,
    `You're in: ${e.title}`,
    [
      `You will attend "${e.title}", a virtual event on ${when(e)}.`,
      "",
      ...(args.joinUrl ? ["Join here at the start:", args.joinUrl] : ["The organizer has not set the link to join yet: it will follow by mail."]),
      "",
      "Changed your mind? Until the event starts, you can change your answer here:",
      args.changeUrl,
    ],
    args.key,
  );
}

export function reminderMail(args: { from: string; event: EventRecord; attendees: Invitation[]; pending: number; declined: number; manageUrl: string; key: string; joinUrl?: string | null }): MailMessage {
  const { event: e, attendees } = args;
  return mail(
    args.from,
    args.event.organizerEmail,
    `Starting in an hour: ${e.title} (${attendees.length} attending)`,
    [
      `"${e.title}" starts ${when(e)}.`,
      ...(args.joinUrl ? ["Join link (attendees have it too):", args.joinUrl] : args.joinUrl === null ? ["No join link is set: attendees do not know where to go. Set one on the event's page."] : []),
      "",
      attendees.length ? `Attending (${attendees.length}):` : "Nobody has said yes yet.",
      ...attendees.map((a) => `- ${a.email}`),
      "",
      `No answer: ${args.pending}. Declined: ${args.declined}.`,
      args.manageUrl,
    ],
    args.key,
  );
}
