import { z } from "zod";

/**
 * What the notification queue carries: one mail to one recipient about one event. The stream
 * fan-out puts invitations and cancellations on the queue; the reminder schedule (EventBridge
 * Scheduler, one per published event) puts the organizer's reminder there an hour before the start.
 * A "confirmation" is the "you're in" mail: an invitee's answer became yes (answerSeq numbers it).
 */
export const NOTIFICATION_KINDS = ["invitation", "cancellation", "reminder", "confirmation"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * The job's shape. A function, not a module-level constant: handler modules build library objects
 * when called, so Pulumi's closure serialization never has to capture one (it cannot serialize
 * zod's internals).
 */
export const notificationJobSchema = () =>
  z.strictObject({
  kind: z.enum(NOTIFICATION_KINDS),
  /** The event (a UUIDv7). */
  eventId: z.string().min(1).max(64),
  /** Who gets the mail: an invitee, or for a reminder the organizer. Lower-case. */
  recipient: z.email().max(254),
  /** confirmation only: the invitation's answerSeq when the answer became yes. */
  answerSeq: z.int().min(1).max(1_000_000).optional(),
  });
export type NotificationJob = z.infer<ReturnType<typeof notificationJobSchema>>;

/**
 * Sending is idempotent per (event, recipient, kind): a redelivered or duplicated job with this
 * key never sends a second mail. A confirmation is per yes-answer: its key adds the answer's
 * sequence number, so yes → no → yes may mail twice (once per yes) but a replayed stream record
 * of the same yes never does.
 */
export const notificationKey = (job: NotificationJob) => `${job.eventId}#${job.recipient}#${job.kind}${job.kind === "confirmation" ? `#${job.answerSeq ?? 0}` : ""}`;
