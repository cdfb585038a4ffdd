// What SES publishes to the feedback topic for a mail that bounced or drew a complaint (event
// publishing through the configuration set: https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html),
// read into what the feedback function acts on. Only the fields it uses are validated; SES may add others.
import { z } from "zod";
import { UUID_V7_PATTERN } from "../../shared/uuidv7";
import { NOTIFICATION_KINDS, type NotificationJob } from "../notification-job";
import { NOTIFICATION_HEADER } from "./message";

/** The SES event types the configuration set publishes to the feedback topic (its event destination's `matchingEventTypes`). */
export const FEEDBACK_EVENT_TYPES = ["BOUNCE", "COMPLAINT"] as const;

/**
 * The tags the SES sender puts on each notification (SendEmail `EmailTags`), which SES publishes
 * back in `mail.tags`: they name the invitation a bounce or complaint is about. Values fit SES's
 * tag rule (letters, digits, `_`, `-`): an address does not, so the recipient comes from the event.
 */
export const notificationTags = (job: Pick<NotificationJob, "eventId" | "kind">): Record<string, string> => ({ eventId: job.eventId, kind: job.kind });

/** An SES event record (the SNS message's body), as far as the feedback function reads it. A function: handler modules build zod schemas when called. */
export function sesFeedbackSchema() {
  const recipients = z.array(z.object({ emailAddress: z.string().min(3).max(320) })).min(1).max(100);
  const timestamp = z.iso.datetime({ offset: true });
  const mail = z.object({
    messageId: z.string().max(256).optional(),
    headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
    tags: z.record(z.string(), z.array(z.string())).optional(),
  });
  return z.discriminatedUnion("eventType", [
    z.object({
      eventType: z.literal("Bounce"),
      mail,
      bounce: z.object({ bounceType: z.enum(["Permanent", "Transient", "Undetermined"]), bounceSubType: z.string().optional(), bouncedRecipients: recipients, timestamp }),
    }),
    z.object({
      eventType: z.literal("Complaint"),
      mail,
      complaint: z.object({ complainedRecipients: recipients, complaintFeedbackType: z.string().optional(), timestamp }),
    }),
  ]);
}
export type SesFeedbackEvent = z.infer<ReturnType<typeof sesFeedbackSchema>>;

/** What a bounce or complaint means for Switchyard. */
export interface MailFeedback {
  /** `bounce`: permanent (the address does not take mail); `transient`: a temporary or undetermined bounce (nothing is marked); `complaint`: the recipient reported the mail. */
  outcome: "bounce" | "transient" | "complaint";
  /** The addresses concerned, lower-cased. */
  recipients: string[];
  /** When SES saw it (ISO, UTC). */
  at: string;
  /** The event the mail was about, when the mail was a notification (its tags or its header say so). */
  eventId?: string;
  /** Its notification kind, when known. Example: `"invitation"`. */
  kind?: string;
  /** SES's message id of the mail. */
  messageId?: string;
}

/**
 * The notification a mail was: its `eventId`/`kind` tags, else (a sender without tags) the
 * `X-Switchyard-Notification` header, `<event>#<recipient>#<kind>`. An event id that is not a
 * UUIDv7 is not ours.
 */
function notificationOf(mail: SesFeedbackEvent["mail"]): { eventId?: string; kind?: string } {
  const header = mail.headers?.find((h) => h.name.toLowerCase() === NOTIFICATION_HEADER.toLowerCase())?.value.split("#");
  const eventId = mail.tags?.eventId?.[0] ?? header?.[0];
  const kind = mail.tags?.kind?.[0] ?? header?.findLast((part) => (NOTIFICATION_KINDS as readonly string[]).includes(part));
  if (!eventId || !UUID_V7_PATTERN.test(eventId)) return {};
  return { eventId, ...(kind && (NOTIFICATION_KINDS as readonly string[]).includes(kind) ? { kind } : {}) };
}

/** Reads an SNS message body; throws (a ZodError or SyntaxError) when it is not an SES bounce or complaint. */
export function readMailFeedback(message: string): MailFeedback {
  const event = sesFeedbackSchema().parse(JSON.parse(message));
  const common = { ...notificationOf(event.mail), ...(event.mail.messageId ? { messageId: event.mail.messageId } : {}) };
  const addresses = (list: { emailAddress: string }[]) => [...new Set(list.map((r) => r.emailAddress.trim().toLowerCase()))];
  if (event.eventType === "Complaint") {
    return { outcome: "complaint", recipients: addresses(event.complaint.complainedRecipients), at: new Date(event.complaint.timestamp).toISOString(), ...common };
  }
  const outcome = event.bounce.bounceType === "Permanent" ? "bounce" : "transient";
  return { outcome, recipients: addresses(event.bounce.bouncedRecipients), at: new Date(event.bounce.timestamp).toISOString(), ...common };
}
