// The reminder schedules (issue #8): one EventBridge Scheduler schedule per published event,
// against a local HTTP server speaking Scheduler's REST-JSON API the way the service does; and
// local mode's in-process timers with fake time.
import test from "ava";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { REMINDER_LEAD_MS } from "../../handlers/events/reminder-schedules";
import { reminderScheduleName, SCHEDULE_NAME_PATTERN, schedulerReminders } from "../../handlers/events/scheduler-reminders";
import { SchedulerStandIn, startScheduler } from "../harness/scheduler";
import type { NotificationJob } from "../../handlers/events/notification-job";
import { uuidv7, UUID_V7_PATTERN } from "../../handlers/shared/uuidv7";
import { localReminders, MAX_TIMER_MS, type SetTimer } from "../../local/emulators/reminders";

// The Scheduler API stand-in lives in tests/harness/scheduler.ts.

const GROUP = "switchyard-dev-reminders";
const QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:switchyard-dev-notifications";
const ROLE_ARN = "arn:aws:iam::123456789012:role/switchyard-dev-reminders-scheduler";
const NOW = new Date("2026-11-25T10:00:00.000Z");

let scheduler: SchedulerStandIn;
let client: SchedulerClient;
test.before(async () => {
  scheduler = await startScheduler();
  client = new SchedulerClient({ endpoint: scheduler.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 });
});
test.after.always(async () => {
  client?.destroy();
  await scheduler?.stop();
});

const reminders = (now = NOW) => schedulerReminders(client, { groupName: GROUP, queueArn: QUEUE_ARN, roleArn: ROLE_ARN, now: () => now });
const stored = (eventId: string) => scheduler.schedules.get(`${GROUP}/reminder-${eventId}`);
const countFor = (eventId: string) => [...scheduler.schedules.keys()].filter((k) => k.endsWith(eventId)).length;

test.serial("publish creates one schedule an hour before the start that puts the organizer's reminder on the queue", async (t) => {
  const eventId = uuidv7(NOW.getTime());
  const calls = scheduler.calls.length;
  await reminders().upsert({ eventId, organizerEmail: "Organizer@Example.com", startsAt: "2026-12-01T18:30:00.000Z" });

  t.deepEqual(scheduler.calls.slice(calls).map((c) => `${c.method} ${c.name}`), [`PUT reminder-${eventId}`, `POST reminder-${eventId}`], "update, 404, create");
  const schedule = stored(eventId);
  t.like(schedule, {
    Name: `reminder-${eventId}`,
    GroupName: GROUP,
    ScheduleExpression: "at(2026-12-01T17:30:00)",
    ScheduleExpressionTimezone: "UTC",
    FlexibleTimeWindow: { Mode: "OFF" },
    ActionAfterCompletion: "DELETE",
    State: "ENABLED",
    Target: { Arn: QUEUE_ARN, RoleArn: ROLE_ARN, RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 } },
  });
  t.is(schedule.Target.DeadLetterConfig, undefined, "no dead-letter queue unless one is given");
  t.deepEqual(JSON.parse(schedule.Target.Input), { kind: "reminder", eventId, recipient: "organizer@example.com" } satisfies NotificationJob);
  t.regex(schedule.ClientToken, /^[0-9a-f-]{36}$/, "a ClientToken on create");
  t.regex(scheduler.calls.at(-2)!.body.ClientToken, /^[0-9a-f-]{36}$/, "and on update");

  // The SDK reads it back as the service returns it.
  const got = await client.send(new GetScheduleCommand({ Name: reminderScheduleName(eventId), GroupName: GROUP }));
  t.is(got.ScheduleExpression, "at(2026-12-01T17:30:00)");
  t.is(got.Target?.Arn, QUEUE_ARN);
});

test.serial("moving the start updates the same schedule; publishing twice changes nothing", async (t) => {
  const eventId = uuidv7(NOW.getTime());
  const r = reminders();
  await r.upsert({ eventId, organizerEmail: "org@example.com", startsAt: "2026-12-01T18:30:00Z" });
  await r.upsert({ eventId, organizerEmail: "org@example.com", startsAt: "2026-12-01T18:30:00Z" });
  t.is(countFor(eventId), 1);
  const calls = scheduler.calls.length;
  await r.upsert({ eventId, organizerEmail: "org@example.com", startsAt: "2026-12-03T09:15:42.500Z" });
  t.deepEqual(scheduler.calls.slice(calls).map((c) => c.method), ["PUT"], "an update, no create");
  t.is(countFor(eventId), 1, "still exactly one");
  t.is(stored(eventId).ScheduleExpression, "at(2026-12-03T08:15:42)", "to the second, UTC");
});

test.serial("cancel deletes the schedule; removing a missing one is fine", async (t) => {
  const eventId = uuidv7(NOW.getTime());
  const r = reminders();
  await r.upsert({ eventId, organizerEmail: "org@example.com", startsAt: "2026-12-01T18:30:00Z" });
  const calls = scheduler.calls.length;
  await r.remove(eventId);
  t.is(countFor(eventId), 0);
  await t.notThrowsAsync(r.remove(eventId));
  const deletes = scheduler.calls.slice(calls);
  t.deepEqual(deletes.map((c) => c.method), ["DELETE", "DELETE"]);
  t.is(deletes[0]!.query.get("groupName"), GROUP);
  t.truthy(deletes[0]!.query.get("clientToken"), "a ClientToken on delete");
  t.not(deletes[0]!.query.get("clientToken"), deletes[1]!.query.get("clientToken"));
});

test.serial("a create racing ours (409) ends in an update of the one schedule", async (t) => {
  const eventId = uuidv7(NOW.getTime());
  scheduler.before = (call) => {
    if (call.method === "POST" && call.name === `reminder-${eventId}`) {
      scheduler.before = undefined;
      scheduler.schedules.set(`${GROUP}/${call.name}`, { Name: call.name, ScheduleExpression: "at(2026-12-01T00:00:00)" });
    }
  };
  const calls = scheduler.calls.length;
  await reminders().upsert({ eventId, organizerEmail: "org@example.com", startsAt: "2026-12-01T18:30:00Z" });
  t.deepEqual(scheduler.calls.slice(calls).map((c) => c.method), ["PUT", "POST", "PUT"]);
  t.is(stored(eventId).ScheduleExpression, "at(2026-12-01T17:30:00)");
  t.is(countFor(eventId), 1);
});

test.serial("a start less than an hour away is reminded a minute from now; a past start removes the reminder", async (t) => {
  const soon = uuidv7(NOW.getTime());
  await reminders().upsert({ eventId: soon, organizerEmail: "org@example.com", startsAt: "2026-11-25T10:20:00Z" });
  t.is(stored(soon).ScheduleExpression, "at(2026-11-25T10:01:00)");

  const past = uuidv7(NOW.getTime());
  await reminders().upsert({ eventId: past, organizerEmail: "org@example.com", startsAt: "2026-12-01T18:30:00Z" });
  t.is(countFor(past), 1);
  // The start moves into the past (or less than a minute away): no reminder any more.
  await reminders().upsert({ eventId: past, organizerEmail: "org@example.com", startsAt: "2026-11-25T09:00:00Z" });
  t.is(countFor(past), 0);
  await reminders().upsert({ eventId: past, organizerEmail: "org@example.com", startsAt: "2026-11-25T10:00:30Z" });
  t.is(countFor(past), 0, "and a past start with no schedule is fine too");
});

test.serial("schedule names stay within Scheduler's limits", async (t) => {
  const id = uuidv7();
  t.regex(id, UUID_V7_PATTERN);
  t.is(reminderScheduleName(id), `reminder-${id}`);
  t.is(reminderScheduleName(id).length, 45);
  const long = "x".repeat(64);
  const odd = "event/with spaces#1";
  for (const eventId of [id, long, odd]) t.regex(reminderScheduleName(eventId), SCHEDULE_NAME_PATTERN, eventId);
  t.not(reminderScheduleName(long), reminderScheduleName("x".repeat(63)));
  t.is(reminderScheduleName(odd), reminderScheduleName(odd), "stable");
  // The stand-in rejects invalid names like the service: a hashed one still round-trips.
  const r = reminders();
  await r.upsert({ eventId: long, organizerEmail: "org@example.com", startsAt: "2026-12-01T18:30:00Z" });
  t.true(scheduler.schedules.has(`${GROUP}/${reminderScheduleName(long)}`));
  await r.remove(long);
  t.false(scheduler.schedules.has(`${GROUP}/${reminderScheduleName(long)}`));
});

test.serial("a dead-letter queue, when given, goes on the target", async (t) => {
  const eventId = uuidv7(NOW.getTime());
  const deadLetterArn = "arn:aws:sqs:us-east-1:123456789012:switchyard-dev-reminders-dlq";
  await schedulerReminders(client, { groupName: GROUP, queueArn: QUEUE_ARN, roleArn: ROLE_ARN, deadLetterArn, now: () => NOW }).upsert({ eventId, organizerEmail: "org@example.com", startsAt: "2026-12-01T18:30:00Z" });
  t.deepEqual(stored(eventId).Target.DeadLetterConfig, { Arn: deadLetterArn });
});

test.serial("other errors reach the caller", async (t) => {
  scheduler.before = (call) => {
    scheduler.before = undefined;
    call.name = "not a valid name"; // answered 400 ValidationException
  };
  await t.throwsAsync(reminders().upsert({ eventId: uuidv7(), organizerEmail: "org@example.com", startsAt: "2026-12-01T18:30:00Z" }), { name: "ValidationException" });
});

// ---------------------------------------------------------------------------------------------
// Local mode: fake time and timers.

class FakeClock {
  time: number;
  timers: { at: number; ms: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  constructor(start: Date) {
    this.time = start.getTime();
  }
  now = () => this.time;
  setTimer: SetTimer = (fn, ms) => {
    if (ms > MAX_TIMER_MS) throw new Error(`setTimeout overflow: ${ms}`);
    const timer = { at: this.time + ms, ms, fn, id: this.nextId++ };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((t) => t !== timer));
  };
  /** Moves time forward, running the timers that come due in order (and what they arm). */
  async advance(ms: number) {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.fn();
      await flush();
    }
    this.time = end;
    await flush();
  }
}
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
const HOUR = REMINDER_LEAD_MS;

test("local: fires once, an hour before the start, with the reminder job, then is gone", async (t) => {
  const clock = new FakeClock(NOW);
  const delivered: { job: NotificationJob; at: number }[] = [];
  const r = localReminders({ deliver: async (job) => void delivered.push({ job, at: clock.now() }), now: clock.now, setTimer: clock.setTimer });
  const eventId = uuidv7(NOW.getTime());
  await r.upsert({ eventId, organizerEmail: "Org@Example.com", startsAt: "2026-11-25T15:00:00Z" });
  t.deepEqual(r.pending(), [{ eventId, at: "2026-11-25T14:00:00.000Z" }]);
  await clock.advance(4 * HOUR - 1);
  t.is(delivered.length, 0);
  await clock.advance(1);
  t.deepEqual(delivered, [{ job: { kind: "reminder", eventId, recipient: "org@example.com" }, at: Date.parse("2026-11-25T14:00:00Z") }]);
  t.deepEqual(r.pending(), []);
  await clock.advance(10 * HOUR);
  t.is(delivered.length, 1, "once");
  r.close();
});

test("local: a moved start fires at the new time only; a removed one never fires", async (t) => {
  const clock = new FakeClock(NOW);
  const delivered: string[] = [];
  const r = localReminders({ deliver: async (job) => void delivered.push(`${job.eventId}@${new Date(clock.now()).toISOString()}`), now: clock.now, setTimer: clock.setTimer });
  await r.upsert({ eventId: "moved", organizerEmail: "org@example.com", startsAt: "2026-11-25T15:00:00Z" });
  await r.upsert({ eventId: "canceled", organizerEmail: "org@example.com", startsAt: "2026-11-25T13:00:00Z" });
  await r.upsert({ eventId: "moved", organizerEmail: "org@example.com", startsAt: "2026-11-25T18:00:00Z" });
  await r.remove("canceled");
  await r.remove("canceled");
  t.deepEqual(r.pending(), [{ eventId: "moved", at: "2026-11-25T17:00:00.000Z" }]);
  t.is(clock.timers.length, 1, "the replaced and removed timers are canceled");
  await clock.advance(24 * HOUR);
  t.deepEqual(delivered, ["moved@2026-11-25T17:00:00.000Z"]);

  // Less than an hour away: a minute from now, like the cloud; a past start: nothing.
  await r.upsert({ eventId: "soon", organizerEmail: "org@example.com", startsAt: new Date(clock.now() + 30 * 60_000).toISOString() });
  t.deepEqual(r.pending(), [{ eventId: "soon", at: new Date(clock.now() + 60_000).toISOString() }]);
  await r.upsert({ eventId: "soon", organizerEmail: "org@example.com", startsAt: new Date(clock.now() - 1).toISOString() });
  t.deepEqual(r.pending(), []);
  r.close();
});

test("local: pending reminders survive a restart; one that came due while down fires once", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-reminders-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "nested", "reminders.json");
  const clock = new FakeClock(NOW);
  const delivered: string[] = [];
  const deliver = async (job: NotificationJob) => void delivered.push(job.eventId);
  const first = localReminders({ deliver, file, now: clock.now, setTimer: clock.setTimer });
  await first.upsert({ eventId: "overdue", organizerEmail: "org@example.com", startsAt: "2026-11-25T12:00:00Z" });
  await first.upsert({ eventId: "later", organizerEmail: "org@example.com", startsAt: "2026-11-27T12:00:00Z" });
  await first.upsert({ eventId: "started", organizerEmail: "org@example.com", startsAt: "2026-11-25T11:30:00Z" });
  first.close();
  clock.timers = []; // the process is gone
  t.is(JSON.parse(readFileSync(file, "utf8")).reminders.length, 3);

  clock.time = Date.parse("2026-11-25T11:45:00Z"); // down for 1 h 45 min
  const lines: string[] = [];
  const second = localReminders({ deliver, file, now: clock.now, setTimer: clock.setTimer, log: (l) => lines.push(l) });
  t.deepEqual(second.pending().map((p) => p.eventId), ["overdue", "later"], "the one whose event started meanwhile is dropped");
  t.regex(lines.join("\n"), /started: the event started while local mode was down/);
  await clock.advance(0);
  t.deepEqual(delivered, ["overdue"], "the overdue one fires at once");
  t.deepEqual(second.pending(), [{ eventId: "later", at: "2026-11-27T11:00:00.000Z" }]);
  second.close();
  clock.timers = [];

  // Another restart: the overdue one is not sent again; the later one fires on time.
  const third = localReminders({ deliver, file, now: clock.now, setTimer: clock.setTimer });
  await clock.advance(3 * 24 * HOUR);
  t.deepEqual(delivered, ["overdue", "later"]);
  t.deepEqual(JSON.parse(readFileSync(file, "utf8")).reminders, []);
  third.close();
});

test("local: a delay longer than setTimeout's limit is armed in steps and fires on time", async (t) => {
  const clock = new FakeClock(NOW);
  const delivered: number[] = [];
  const r = localReminders({ deliver: async () => void delivered.push(clock.now()), now: clock.now, setTimer: clock.setTimer });
  const startsAt = new Date(NOW.getTime() + 60 * 24 * HOUR); // 60 days: ~2.4 × 2^31 ms
  await r.upsert({ eventId: "far", organizerEmail: "org@example.com", startsAt: startsAt.toISOString() });
  t.is(clock.timers[0]!.ms, MAX_TIMER_MS, "the first step is the longest a timer holds");
  await clock.advance(59 * 24 * HOUR);
  t.deepEqual(delivered, []);
  await clock.advance(24 * HOUR);
  t.deepEqual(delivered, [startsAt.getTime() - HOUR]);
  r.close();
});

test("local: a failed delivery is tried again a minute later", async (t) => {
  const clock = new FakeClock(NOW);
  let failures = 1;
  const delivered: number[] = [];
  const lines: string[] = [];
  const r = localReminders({
    deliver: async () => {
      if (failures-- > 0) throw new Error("queue down");
      delivered.push(clock.now());
    },
    now: clock.now,
    setTimer: clock.setTimer,
    log: (l) => lines.push(l),
  });
  await r.upsert({ eventId: "e", organizerEmail: "org@example.com", startsAt: "2026-11-25T12:00:00Z" });
  await clock.advance(HOUR);
  t.deepEqual(delivered, []);
  t.regex(lines[0]!, /queue down.*trying again/);
  await clock.advance(60_000);
  t.deepEqual(delivered, [Date.parse("2026-11-25T11:01:00Z")]);
  t.deepEqual(r.pending(), []);
  r.close();
});

test("local: with the real setTimeout (the default), a stored overdue reminder fires on start", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-reminders-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "reminders.json");
  const startsAt = new Date(Date.now() + 30 * 60_000).toISOString();
  writeFileSync(file, JSON.stringify({ reminders: [{ eventId: "real", organizerEmail: "org@example.com", startsAt, at: new Date(Date.now() - 1000).toISOString() }] }));
  const delivered = new Promise<NotificationJob>((resolve) => {
    const r = localReminders({ deliver: async (job) => resolve(job), file });
    t.teardown(() => r.close());
  });
  t.deepEqual(await delivered, { kind: "reminder", eventId: "real", recipient: "org@example.com" });
});
