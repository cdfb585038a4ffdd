import { z } from "zod";

/**
 * What the notification queue carries: one mail to one recipient about one event. The stream
 * fan-out puts invitations, changes and cancellations on the queue; the reminder schedule
 * (EventBridge Scheduler, one per published event) puts the organizer's reminder there an hour
 * before the start. A "confirmation" is the "you're in" mail: an invitee's answer became yes
 * (answerSeq numbers it).
 */
export const NOTIFICATION_KINDS = ["invitation", "cancellation", "reminder", "confirmation", "change"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * What a `change` job says changed (handlers/events/event-changes.ts computes it from the stream's
 * old and new images). A function for the same reason as {@link notificationJobSchema}.
 */
export const eventChangeSchema = () =>
  z.strictObject({
    /**
     * The change's identity, part of the idempotency key: `r<revision>` (the event's revision
     * counter, bumped by the store with each start or join-link change) or, for a change written
     * without a bump, `t<updatedAt>`. Examples: `"r3"`, `"t2026-12-03T10:00:00.000Z"`.
     */
    id: z.string().regex(/^(r\d{1,9}|t[0-9TZ:.-]{10,30})$/),
    /** The start moved: from → to (ISO, UTC). */
    startsAt: z.strictObject({ from: z.iso.datetime(), to: z.iso.datetime() }).optional(),
    /**
     * The join link changed. `to` is a fingerprint of the new link ("" when it was removed), not
     * the link: the queue and its dead letters never hold it, and notify still tells whether a
     * later change replaced it.
     */
    joinUrl: z.strictObject({ to: z.string().regex(/^([0-9a-f]{16})?$/) }).optional(),
  });
export type EventChange = z.infer<ReturnType<typeof eventChangeSchema>>;

/**
 * The job's shape. A function, not a module-level constant: handler modules build library objects
 * when called, so Pulumi's closure serialization never has to capture one (it cannot serialize
 * zod's internals).
 */
export const notificationJobSchema = () =>
  z
    .strictObject({
      kind: z.enum(NOTIFICATION_KINDS),
      /** The event (a UUIDv7). */
      eventId: z.string().min(1).max(64),
      /** Who gets the mail: an invitee, or for a reminder the organizer. Lower-case. */
      recipient: z.email().max(254),
      /** confirmation only: the invitation's answerSeq when the answer became yes. */
      answerSeq: z.int().min(1).max(1_000_000).optional(),
      /** Only on a `change` job, and always there: what changed. */
      change: eventChangeSchema().optional(),
    })
    .refine((job) => (job.kind === "change") === (job.change !== undefined), "a change job, and only a change job, says what changed")
    .refine((job) => !job.change || job.change.startsAt || job.change.joinUrl, "a change changes the start, the join link or both");
export type NotificationJob = z.infer<ReturnType<typeof notificationJobSchema>>;

/**
 * Sending is idempotent per (event, recipient, kind); for a change per (event, recipient, change);
 * for a confirmation per yes-answer (its sequence number): a redelivered or duplicated job with this
 * key never sends a second mail, while a later change, or yes → no → yes, is a new key.
 * Examples: `"0192…#ann@example.com#invitation"`, `"0192…#ann@example.com#r2#change"`, `"0192…#ann@example.com#confirmation#3"`.
 */
export const notificationKey = (job: NotificationJob) =>
  job.change ? `${job.eventId}#${job.recipient}#${job.change.id}#change` : job.kind === "confirmation" ? `${job.eventId}#${job.recipient}#confirmation#${job.answerSeq ?? 0}` : `${job.eventId}#${job.recipient}#${job.kind}`;
