import { z } from "zod";

/**
 * What the notification queue carries: one mail to one recipient about one event. The stream
 * fan-out puts invitations and cancellations on the queue; the reminder schedule (EventBridge
 * Scheduler, one per published event) puts the organizer's reminder there an hour before the start.
 */
export const NOTIFICATION_KINDS = ["invitation", "cancellation", "reminder"] as const;
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
  });
export type NotificationJob = z.infer<ReturnType<typeof notificationJobSchema>>;

/**
 * Sending is idempotent per (event, recipient, kind): a redelivered or duplicated job with this
 * key never sends a second mail.
 */
export const notificationKey = (job: NotificationJob) => `${job.eventId}#${job.recipient}#${job.kind}`;
