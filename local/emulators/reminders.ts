// Local mode's reminder schedules: in-process timers standing in for EventBridge Scheduler, with
// the same semantics as handlers/events/scheduler-reminders.ts (one reminder per event; upsert
// replaces, remove cancels; it fires once and then deletes itself, like ActionAfterCompletion
// DELETE), optionally kept in a JSON file so a restart of local mode re-arms them.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { NotificationJob } from "../../handlers/events/notification-job";
import type { ReminderSchedules } from "../../handlers/events/reminder-schedules";
import { reminderFireTime, reminderJob } from "../../handlers/events/scheduler-reminders";

/** Node's setTimeout holds at most 2^31−1 ms (about 24.8 days); longer delays are armed in steps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** A failed delivery is tried again this much later, until the event starts (Scheduler's retry policy drops it then too). */
export const RETRY_DELAY_MS = 60_000;

/** Arms `fn` after `ms`; returns what cancels it. */
export type SetTimer = (fn: () => void, ms: number) => () => void;

const realSetTimer: SetTimer = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref(); // local mode's servers keep the process alive; a pending reminder should not
  return () => clearTimeout(timer);
};

interface Reminder {
  eventId: string;
  organizerEmail: string;
  startsAt: string;
  /** When it fires (ISO, UTC). */
  at: string;
}

export interface LocalReminders extends ReminderSchedules {
  /** The reminders still to fire, soonest first. */
  pending(): { eventId: string; at: string }[];
  /** Cancels every timer (the file keeps the reminders for the next start; later upserts are only recorded). */
  close(): void;
}

export interface LocalRemindersOptions {
  /** Puts the job on the local notification queue (what the schedule's SQS target does). */
  deliver: (job: NotificationJob) => Promise<void>;
  /** A JSON file to keep pending reminders in across restarts. */
  file?: string;
  now?: () => number;
  setTimer?: SetTimer;
  log?: (line: string) => void;
}

export function localReminders(opts: LocalRemindersOptions): LocalReminders {
  const now = opts.now ?? Date.now;
  const setTimer = opts.setTimer ?? realSetTimer;
  const log = opts.log ?? (() => {});
  const reminders = new Map<string, Reminder>();
  const cancels = new Map<string, () => void>();
  let closed = false;

  const save = () => {
    if (!opts.file) return;
    mkdirSync(dirname(opts.file), { recursive: true });
    const temporary = `${opts.file}.tmp`;
    writeFileSync(temporary, JSON.stringify({ reminders: [...reminders.values()] }, null, 2) + "\n");
    renameSync(temporary, opts.file); // a crash mid-write leaves the previous file whole
  };

  const disarm = (eventId: string) => {
    cancels.get(eventId)?.();
    cancels.delete(eventId);
  };

  /** Arms the reminder's timer for `due` (its `at`, or a retry's time), in steps of at most MAX_TIMER_MS. */
  const arm = (reminder: Reminder, due: number = Date.parse(reminder.at)) => {
    disarm(reminder.eventId);
    if (closed) return;
    const step = () => {
      if (reminders.get(reminder.eventId) !== reminder) return; // replaced or removed meanwhile
      const remaining = due - now();
      if (remaining > 0) {
        cancels.set(reminder.eventId, setTimer(step, Math.min(remaining, MAX_TIMER_MS)));
      } else {
        cancels.delete(reminder.eventId);
        void fire(reminder);
      }
    };
    cancels.set(reminder.eventId, setTimer(step, Math.max(0, Math.min(due - now(), MAX_TIMER_MS))));
  };

  const fire = async (reminder: Reminder) => {
    try {
      await opts.deliver(reminderJob(reminder.eventId, reminder.organizerEmail));
    } catch (error) {
      if (reminders.get(reminder.eventId) !== reminder) return; // replaced or removed meanwhile: the new one stands
      const retryAt = now() + RETRY_DELAY_MS;
      if (retryAt < Date.parse(reminder.startsAt)) {
        log(`[reminders] ${reminder.eventId}: delivery failed (${(error as Error).message}); trying again in ${RETRY_DELAY_MS / 1000} s`);
        arm(reminder, retryAt);
        return;
      }
      log(`[reminders] ${reminder.eventId}: delivery failed (${(error as Error).message}); dropped, the event starts`);
    }
    // Delivered (or given up): the schedule deletes itself, unless an upsert replaced it meanwhile.
    if (reminders.get(reminder.eventId) === reminder) {
      reminders.delete(reminder.eventId);
      save();
    }
  };

  const remove = async (eventId: string) => {
    disarm(eventId);
    if (reminders.delete(eventId)) save();
  };

  // A restart re-arms what the file holds: reminders that came due while local mode was down fire
  // now, once (delivering deletes them from the file), unless their event has started meanwhile.
  if (opts.file) {
    let stored: Reminder[] = [];
    try {
      stored = (JSON.parse(readFileSync(opts.file, "utf8")) as { reminders?: Reminder[] }).reminders ?? [];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    let dropped = false;
    for (const reminder of stored) {
      if (Date.parse(reminder.startsAt) <= now()) {
        log(`[reminders] ${reminder.eventId}: the event started while local mode was down; reminder dropped`);
        dropped = true;
        continue;
      }
      reminders.set(reminder.eventId, reminder);
      arm(reminder);
    }
    if (dropped) save();
  }

  return {
    async upsert({ eventId, organizerEmail, startsAt }) {
      const at = reminderFireTime(startsAt, new Date(now()));
      if (at === undefined) return remove(eventId);
      reminderJob(eventId, organizerEmail); // validate now, not when it fires
      const reminder: Reminder = { eventId, organizerEmail, startsAt: new Date(startsAt).toISOString(), at: at.toISOString() };
      reminders.set(eventId, reminder);
      save();
      arm(reminder);
    },
    remove,
    pending: () => [...reminders.values()].map(({ eventId, at }) => ({ eventId, at })).sort((a, b) => a.at.localeCompare(b.at)),
    close() {
      closed = true;
      for (const eventId of [...cancels.keys()]) disarm(eventId);
    },
  };
}
