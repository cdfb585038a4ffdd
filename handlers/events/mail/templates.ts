import type { EventRecord, Invitation } from "../event-store";
import { NOTIFICATION_HEADER, type MailMessage } from "./message";

/** "Tue, 01 Dec 2026 18:00 UTC" — mails state times in UTC; the site shows local time. */
function when(e: EventRecord) {
  const start = new Date(e.startsAt);
  return `${start.toUTCString().replace(/:\d{2} GMT$/, " UTC")} (${e.durationMinutes} minutes)`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function mail(from: string, to: string, subject: string, lines: string[], key: string): MailMessage {
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
      "Each link works once; you can change your answer with the other link until the event starts.",
    ],
    args.key,
  );
}

export function cancellationMail(args: { from: string; event: EventRecord; invitee: string; key: string }): MailMessage {
  const { event: e } = args;
  return mail(args.from, args.invitee, `Canceled: ${e.title}`, [`"${e.title}" on ${when(e)} has been canceled by its organizer.`, "", "Nothing else to do: your invitation is void."], args.key);
}

export function reminderMail(args: { from: string; event: EventRecord; attendees: Invitation[]; pending: number; declined: number; manageUrl: string; key: string }): MailMessage {
  const { event: e, attendees } = args;
  return mail(
    args.from,
    args.event.organizerEmail,
    `Starting in an hour: ${e.title} (${attendees.length} attending)`,
    [
      `"${e.title}" starts ${when(e)}.`,
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
