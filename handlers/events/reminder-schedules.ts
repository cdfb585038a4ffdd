/**
 * The reminder: one schedule per published event that fires an hour before its start and puts a
 * `reminder` job for the organizer on the notification queue. Created when the event is published,
 * moved when its start moves, removed when it is canceled. Both operations are idempotent:
 * `upsert` creates or updates; `remove` of a missing schedule succeeds.
 */
export interface ReminderSchedules {
  upsert(reminder: { eventId: string; organizerEmail: string; startsAt: string }): Promise<void>;
  remove(eventId: string): Promise<void>;
}

/** The reminder goes out this long before the start. */
export const REMINDER_LEAD_MS = 60 * 60 * 1000;
