import { createHash, randomUUID } from "node:crypto";
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from "@aws-sdk/client-scheduler";
import { notificationJobSchema, type NotificationJob } from "./notification-job";
import { REMINDER_LEAD_MS, type ReminderSchedules } from "./reminder-schedules";

/** Scheduler's schedule names: 1–64 characters of `[0-9a-zA-Z-_.]`. */
export const SCHEDULE_NAME_PATTERN = /^[0-9a-zA-Z\-_.]{1,64}$/;

/**
 * The schedule of an event's reminder: `reminder-<eventId>` (45 characters for a UUIDv7). An id
 * that would not make a valid name (too long, other characters) gets `reminder-h-` and the first
 * 53 hex digits of its SHA-256 instead: still one name per event, the same for upsert and remove.
 */
export function reminderScheduleName(eventId: string): string {
  const plain = `reminder-${eventId}`;
  if (SCHEDULE_NAME_PATTERN.test(plain)) return plain;
  return `reminder-h-${createHash("sha256").update(eventId).digest("hex").slice(0, 53)}`;
}

/**
 * The earliest a reminder is scheduled after `now`. Scheduler's `at()` has one-second precision
 * and is evaluated on the service's clock, so a time "just now" could already be past there (our
 * clock's skew, the request's latency); a minute is a safe margin.
 */
export const REMINDER_MIN_DELAY_MS = 60_000;

/**
 * When an event's reminder fires, or undefined when there should be none.
 *
 * - Normally `startsAt − 1 h`, truncated to the second (the `at()` precision).
 * - When that is already past (the event was published, or moved, less than an hour before its
 *   start), the reminder is still useful, so it fires as soon as is safe: `now + 1 min` (rounded up
 *   to the second).
 * - When even that would not be before the start (the start is past, or less than a minute away),
 *   there is no reminder: a list of attendees after the start is noise, so `upsert` removes it.
 *
 * Shared with local mode (local/emulators/reminders.ts), so both decide alike.
 */
export function reminderFireTime(startsAt: string | Date, now: Date): Date | undefined {
  const start = new Date(startsAt).getTime();
  if (!Number.isFinite(start)) throw new RangeError(`reminder: startsAt is not a time: ${String(startsAt)}`);
  const lead = Math.floor((start - REMINDER_LEAD_MS) / 1000) * 1000;
  const earliest = Math.ceil((now.getTime() + REMINDER_MIN_DELAY_MS) / 1000) * 1000;
  const at = Math.max(lead, earliest);
  return at < start ? new Date(at) : undefined;
}

/** Scheduler's one-time expression for a UTC time: `at(yyyy-mm-ddThh:mm:ss)`. */
export const atExpression = (time: Date) => `at(${time.toISOString().slice(0, 19)})`;

/** The job a reminder puts on the notification queue. Validated, with the recipient lower-cased. */
export const reminderJob = (eventId: string, organizerEmail: string): NotificationJob =>
  notificationJobSchema().parse({ kind: "reminder", eventId, recipient: organizerEmail.toLowerCase() });

export interface SchedulerRemindersOptions {
  /** The schedule group the reminders live in (the stack's; not "default"). */
  groupName: string;
  /** The notification queue: the schedules' universal target (SQS SendMessage). */
  queueArn: string;
  /** The role Scheduler assumes to deliver, allowed sqs:SendMessage on the queue. */
  roleArn: string;
  /** Where Scheduler puts a reminder it could not deliver after its retries (an SQS queue ARN). */
  deadLetterArn?: string;
  now?: () => Date;
}

/**
 * The reminders as EventBridge Scheduler schedules, one per event, each targeting the notification
 * queue with the reminder job as the message body, deleted by Scheduler after it fires.
 *
 * `upsert` updates the schedule and creates it when there is none (UpdateSchedule, then on
 * ResourceNotFoundException CreateSchedule, then on a ConflictException from a racing create
 * UpdateSchedule once more), so calling it twice, or with a new start, leaves exactly one schedule
 * at the latest time. `remove` deletes it; a missing schedule is success.
 *
 * Each call sends its own ClientToken (a fresh UUID; the SDK's retries of that call reuse it). A
 * token derived from the content would make a re-publish with the same start, after a cancel,
 * look like a retry of the first create and be answered from Scheduler's idempotency cache.
 */
export function schedulerReminders(client: SchedulerClient, opts: SchedulerRemindersOptions): ReminderSchedules {
  const now = opts.now ?? (() => new Date());

  const definition = (eventId: string, organizerEmail: string, at: Date): Omit<CreateScheduleCommandInput, "ClientToken"> => ({
    Name: reminderScheduleName(eventId),
    GroupName: opts.groupName,
    Description: `Reminder for event ${eventId}, 1 h before its start`,
    ScheduleExpression: atExpression(at),
    ScheduleExpressionTimezone: "UTC",
    FlexibleTimeWindow: { Mode: "OFF" },
    State: "ENABLED",
    ActionAfterCompletion: "DELETE",
    Target: {
      Arn: opts.queueArn,
      RoleArn: opts.roleArn,
      Input: JSON.stringify(reminderJob(eventId, organizerEmail)),
      // After an hour the event has started: no use retrying a reminder any longer.
      RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
      ...(opts.deadLetterArn ? { DeadLetterConfig: { Arn: opts.deadLetterArn } } : {}),
    },
  });

  const update = (input: Omit<CreateScheduleCommandInput, "ClientToken">) => client.send(new UpdateScheduleCommand({ ...input, ClientToken: randomUUID() }));
  const create = (input: Omit<CreateScheduleCommandInput, "ClientToken">) => client.send(new CreateScheduleCommand({ ...input, ClientToken: randomUUID() }));

  const remove = async (eventId: string): Promise<void> => {
    try {
      await client.send(new DeleteScheduleCommand({ Name: reminderScheduleName(eventId), GroupName: opts.groupName, ClientToken: randomUUID() }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  };

  return {
    async upsert({ eventId, organizerEmail, startsAt }) {
      const at = reminderFireTime(startsAt, now());
      if (at === undefined) return remove(eventId);
      const input = definition(eventId, organizerEmail, at);
      try {
        await update(input);
        return;
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
      try {
        await create(input);
      } catch (error) {
        if (!(error instanceof ConflictException)) throw error;
        await update(input); // another upsert created it meanwhile: ours is the later word
      }
    },
    remove,
  };
}
