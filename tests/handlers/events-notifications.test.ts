// The events platform's asynchronous tier in-process, wired as local mode wires it (the serialized
// functions are run in tests/artifacts/events.test.ts): DynamoDB Local's stream → the fan-out →
// a queue with SQS semantics → the idempotent sender → the outbox. With a consumer failure injected:
// no mail lost, none sent twice; reminders scheduled, moved and removed; clean-up cascades.
import test from "ava";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { PutObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { cleanupHandler } from "../../handlers/events/cleanup";
import { EventStore } from "../../handlers/events/event-store";
import { eventsFanoutHandler } from "../../handlers/events/fanout";
import { parseMime } from "../../handlers/events/mail/parse-mime";
import { outboxSender } from "../../handlers/events/mail/outbox";
import type { MailSender } from "../../handlers/events/mail/message";
import { MediaStore } from "../../handlers/events/media";
import type { NotificationJob } from "../../handlers/events/notification-job";
import { notifyDeps, notifyHandler } from "../../handlers/events/notify";
import type { ReminderSchedules } from "../../handlers/events/reminder-schedules";
import { verifyRsvpToken } from "../../handlers/events/rsvp-token";
import { utcTime } from "../../handlers/events/mail/templates";
import { linkFingerprint } from "../../handlers/events/event-changes";
import { reminderScheduleName, schedulerReminders } from "../../handlers/events/scheduler-reminders";
import { DeleteScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { startScheduler } from "../harness/scheduler";
import { eventsTable, notificationsSentTable } from "../../handlers/events/tables";
import { createObservability } from "../../handlers/shared/observability";
import { startStreamPoller } from "../../local/emulators/dynamodb-stream-poller";
import { createLocalQueue } from "../../local/emulators/job-queue";
import { freshTable, useLocalEmulators } from "../harness/dynamodb";

const local = useLocalEmulators(test, { s3: true });

const KEY = "notifications-test-rsvp-key-0123";
const organizer = { id: randomUUID(), email: "olga@example.com" };
const DAY = 86_400_000;

/** What a mail said, read back from the outbox. */
function outbox(dir: string) {
  return Promise.all(
    readdirSync(dir)
      .filter((f) => f.endsWith(".eml"))
      .map(async (f) => {
        const mime = await parseMime(readFileSync(join(dir, f)));
        return { to: mime.headers.to!, subject: mime.headers.subject!, key: mime.headers["x-switchyard-notification"]!, text: mime.text ?? "" };
      }),
  );
}

async function tier(options: { failFirst?: (to: string) => boolean; failAlways?: (to: string) => boolean; reminders?: ReminderSchedules } = {}) {
  const table = await freshTable(local.ddb, eventsTable, "events");
  const sentTable = await freshTable(local.ddb, notificationsSentTable, "sent");
  const bucket = `media-${randomUUID().slice(0, 8)}`;
  await local.s3.createBucket(bucket);
  const dir = mkdtempSync(join(tmpdir(), "outbox-"));
  const attempts = new Map<string, number>();
  const real = outboxSender(dir);
  // The injected consumer failure: SES refusing (or timing out) before accepting the mail.
  const sender: MailSender = {
    async send(message) {
      const n = (attempts.get(message.to) ?? 0) + 1;
      attempts.set(`${message.to}`, n);
      if (options.failAlways?.(message.to) || (n === 1 && options.failFirst?.(message.to))) throw new Error(`SES: throttled sending to ${message.to}`);
      return real.send(message);
    },
  };
  const values = { eventsTable: table, sentTable, siteUrl: "https://site.example", rsvpKey: async () => KEY, from: "Events <events@example.com>" };
  const notify = notifyHandler(notifyDeps("events-notify", values, sender));
  // Far longer than a send takes, even with DynamoDB Local stalling on a loaded 2-core machine (a stack:
  // visibility = 6 × the function timeout), so a slow receive never overlaps its own redelivery.
  const queue = createLocalQueue<NotificationJob>({ name: "notifications", consumer: notify, visibilityTimeoutMs: 4000, maxReceiveCount: 5 });
  const reminderCalls: string[] = [];
  const reminders: ReminderSchedules = options.reminders ?? {
    upsert: async (r) => void reminderCalls.push(`upsert ${r.eventId} ${r.startsAt} ${r.organizerEmail}`),
    remove: async (id) => void reminderCalls.push(`remove ${id}`),
  };
  const store = new EventStore(new DynamoDBClient({}), table);
  const media = new MediaStore(new S3Client({ forcePathStyle: true }), bucket);
  // Every job the fan-out queues, in order.
  const queued: NotificationJob[] = [];
  const jobQueue = { send: async (jobs: NotificationJob[]) => (queued.push(...jobs), queue.jobQueue.send(jobs)) };
  const fanout = eventsFanoutHandler({ store, media, queue: jobQueue, reminders, obs: createObservability("events-fanout") });
  // Every batch the stream hands the fan-out, so a test can hand one over again (a retried batch).
  const batches: DynamoDBStreamEvent[] = [];
  const poller = await startStreamPoller({ client: local.ddb.client, endpoint: local.ddb.endpoint, tableName: table, handler: (batch) => (batches.push(batch), fanout(batch)), pollIntervalMs: 50 });
  const idle = async () => {
    // The queue may be fed by the stream and the stream by nothing else: stream first, then queue.
    await poller.idle();
    await queue.drained();
  };
  return { store, media, bucket, dir, attempts, queue, reminderCalls, fanout, batches, queued, idle, stop: async () => (await poller.stop(), await queue.close()) };
}

const startIn = (days: number) => new Date(Date.now() + days * DAY).toISOString();

test("publish → one invitation per invitee, exactly once, even when the first send fails; a duplicate job sends nothing", async (t) => {
  const p = await tier({ failFirst: (to) => to === "ben@example.com" });
  t.teardown(p.stop);
  const event = await p.store.create({ title: "Kickoff", description: "", startsAt: startIn(3), durationMinutes: 30, visibility: "private" }, organizer, new Date());
  await p.store.invite(event.id, ["ann@example.com", "ben@example.com"], organizer, new Date(), 500);
  await p.idle();
  t.deepEqual(await outbox(p.dir), [], "nothing is mailed for a draft");

  await p.store.publish(event.id, organizer, new Date());
  await p.idle();
  const mails = await outbox(p.dir);
  t.deepEqual(mails.map((m) => m.to).sort(), ["ann@example.com", "ben@example.com"]);
  t.is(p.attempts.get("ben@example.com"), 2, "ben's first send failed and the redelivery sent it");
  t.deepEqual(p.queue.deadLetters(), []);
  t.deepEqual(p.reminderCalls, [`upsert ${event.id} ${event.startsAt} olga@example.com`]);

  // The links carry verifiable single-answer tokens for the right invitation.
  const ann = mails.find((m) => m.to === "ann@example.com")!;
  t.is(ann.subject, "Invitation: Kickoff");
  const tokens = [...ann.text.matchAll(/https:\/\/site\.example\/events\/rsvp\?token=(\S+)/g)].map((m) => verifyRsvpToken(m[1]!, KEY));
  t.deepEqual(tokens.map((c) => [c.eventId, c.email, c.answer]), [[event.id, "ann@example.com", "yes"], [event.id, "ann@example.com", "no"]]);

  // Redelivered or duplicated jobs (a retried stream batch, a second publish record) send nothing more.
  await p.queue.send([{ kind: "invitation", eventId: event.id, recipient: "ann@example.com" }, { kind: "invitation", eventId: event.id, recipient: "ben@example.com" }]);
  await p.idle();
  t.is((await outbox(p.dir)).length, 2);

  // Invited after publishing: mailed once.
  await p.store.invite(event.id, ["cid@example.com", "ann@example.com"], organizer, new Date(), 500);
  await p.idle();
  t.deepEqual((await outbox(p.dir)).map((m) => m.to).sort(), ["ann@example.com", "ben@example.com", "cid@example.com"]);
});

test("a poison job goes to the dead-letter list after 5 receives; the others are sent", async (t) => {
  const p = await tier({ failAlways: (to) => to === "dead@example.com" });
  t.teardown(p.stop);
  const event = await p.store.create({ title: "Poison", description: "", startsAt: startIn(2), durationMinutes: 30, visibility: "private" }, organizer, new Date());
  await p.store.invite(event.id, ["dead@example.com", "live@example.com"], organizer, new Date(), 500);
  // Let the draft's invitation records pass the fan-out first: one that lags until after the publish
  // reads the event as published and queues the invitation as well (at-least-once, harmless for
  // mail thanks to idempotency, but it would put this poison job in the dead-letter list twice).
  await p.idle();
  await p.store.publish(event.id, organizer, new Date());
  await p.idle();
  t.deepEqual((await outbox(p.dir)).map((m) => m.to), ["live@example.com"]);
  const dead = p.queue.deadLetters();
  t.is(dead.length, 1, JSON.stringify(dead));
  t.deepEqual(dead[0]!.body, { kind: "invitation", eventId: event.id, recipient: "dead@example.com" });
  t.is(dead[0]!.receiveCount, 5);
  t.is(p.attempts.get("dead@example.com"), 5);
});

test("moving the start moves the reminder; the reminder lists who said yes; cancel tells those who said yes or have not answered and removes the reminder", async (t) => {
  const p = await tier();
  t.teardown(p.stop);
  const event = await p.store.create({ title: "Retro", description: "", startsAt: startIn(2), durationMinutes: 60, visibility: "public" }, organizer, new Date());
  await p.store.invite(event.id, ["ann@example.com", "ben@example.com", "cid@example.com"], organizer, new Date(), 500);
  const published = await p.store.publish(event.id, organizer, new Date());
  const moved = await p.store.update(event.id, { startsAt: startIn(4) }, organizer, new Date());
  await p.store.update(event.id, { title: "Retro (new room)" }, organizer, new Date());
  await p.idle();
  t.deepEqual(p.reminderCalls, [`upsert ${event.id} ${published.startsAt} olga@example.com`, `upsert ${event.id} ${moved.startsAt} olga@example.com`], "a title edit does not touch the reminder");

  const ann = await p.store.invitation(event.id, "ann@example.com");
  await p.store.answer(event.id, "ann@example.com", "yes", ann!.nonce, new Date());
  const ben = await p.store.invitation(event.id, "ben@example.com");
  await p.store.answer(event.id, "ben@example.com", "no", ben!.nonce, new Date());
  // What the schedule puts on the queue an hour before the start.
  await p.queue.send([{ kind: "reminder", eventId: event.id, recipient: organizer.email }]);
  await p.idle();
  const reminder = (await outbox(p.dir)).find((m) => m.key.endsWith("#reminder"))!;
  t.is(reminder.to, "olga@example.com");
  t.is(reminder.subject, "Starting in an hour: Retro (new room) (1 attending)");
  t.regex(reminder.text, /Attending \(1\):\n- ann@example\.com\n/);
  t.regex(reminder.text, /No answer: 1\. Declined: 1\./);

  await p.store.cancel(event.id, organizer, new Date());
  await p.idle();
  const cancellations = (await outbox(p.dir)).filter((m) => m.key.endsWith("#cancellation"));
  t.deepEqual(cancellations.map((m) => m.to).sort(), ["ann@example.com", "cid@example.com"], "not ben, who declined (issue #18)");
  t.is(p.reminderCalls.at(-1), `remove ${event.id}`);
  // A late invitation job for the canceled event sends nothing.
  await p.queue.send([{ kind: "invitation", eventId: event.id, recipient: "late@example.com" }]);
  await p.idle();
  t.is((await outbox(p.dir)).filter((m) => m.to === "late@example.com").length, 0);
});

test("canceling a draft mails nobody; the clean-up removes drafts untouched for 30 days with their invitations and media", async (t) => {
  const p = await tier();
  t.teardown(p.stop);
  const longAgo = new Date(Date.now() - 31 * DAY);
  const stale = await p.store.create({ title: "Forgotten", description: "", startsAt: startIn(60), durationMinutes: 30, visibility: "private" }, organizer, longAgo);
  await p.store.invite(stale.id, ["ann@example.com"], organizer, longAgo, 500);
  const fresh = await p.store.create({ title: "Fresh", description: "", startsAt: startIn(60), durationMinutes: 30, visibility: "private" }, organizer, new Date());
  const s3client = new S3Client({ forcePathStyle: true });
  await s3client.send(new PutObjectCommand({ Bucket: p.bucket, Key: `events/${stale.id}/cover/a`, Body: "png" }));
  await s3client.send(new PutObjectCommand({ Bucket: p.bucket, Key: `events/${fresh.id}/cover/b`, Body: "png" }));
  const canceled = await p.store.create({ title: "Never mind", description: "", startsAt: startIn(5), durationMinutes: 30, visibility: "private" }, organizer, new Date());
  await p.store.invite(canceled.id, ["ben@example.com"], organizer, new Date(), 500);
  await p.store.cancel(canceled.id, organizer, new Date());
  await p.idle();

  const result = await cleanupHandler({ store: p.store, obs: createObservability("events-cleanup") })();
  t.deepEqual(result, { deleted: 1, kept: 0 });
  await p.idle();
  t.is(await p.store.get(stale.id), undefined);
  t.deepEqual(await p.store.invitations(stale.id), [], "the stream's REMOVE deleted its invitations");
  const keys = ((await s3client.send(new ListObjectsV2Command({ Bucket: p.bucket }))).Contents ?? []).map((o) => o.Key);
  t.deepEqual(keys, [`events/${fresh.id}/cover/b`], "and its media");
  t.truthy(await p.store.get(fresh.id));
  t.true(p.reminderCalls.includes(`remove ${stale.id}`));
  t.deepEqual(await outbox(p.dir), [], "no mail for drafts, canceled drafts or clean-up");
});

// ---------------------------------------------------------------------------------------------
// When an event changes (issue #18): a moved start, a changed join link or a cancellation reaches
// everyone invited whose answer is yes or pending, once per change.

const ANN = "ann@example.com"; // says yes
const BEN = "ben@example.com"; // says no
const CID = "cid@example.com"; // does not answer

/** A published event with three invitees: Ann said yes, Ben no, Cid nothing; the invitations mailed. */
async function answeredEvent(p: Awaited<ReturnType<typeof tier>>, title: string) {
  const event = await p.store.create({ title, description: "", startsAt: startIn(3), durationMinutes: 45, visibility: "private" }, organizer, new Date());
  await p.store.invite(event.id, [ANN, BEN, CID], organizer, new Date(), 500);
  await p.store.publish(event.id, organizer, new Date());
  for (const [who, answer] of [[ANN, "yes"], [BEN, "no"]] as const) await p.store.answer(event.id, who, answer, (await p.store.invitation(event.id, who))!.nonce, new Date());
  await p.idle();
  return event;
}
const changeMails = async (p: Awaited<ReturnType<typeof tier>>) => (await outbox(p.dir)).filter((m) => m.key.endsWith("#change"));
/** The answers a mail's RSVP links carry, checked to be for this invitee and event. */
const rsvpAnswers = (text: string, eventId: string, who: string) =>
  [...text.matchAll(/https:\/\/site\.example\/events\/rsvp\?token=(\S+)/g)].map((m) => {
    const claims = verifyRsvpToken(m[1]!, KEY);
    if (claims.eventId !== eventId || claims.email !== who) throw new Error(`a link for ${claims.email} in ${who}'s mail`);
    return claims.answer;
  });
/**
 * The organizer sets the join link. The PATCH field is added by the join-link part of #18 (its
 * schema lets `joinUrl` through to the store); the store's update writes any patched field and
 * bumps the revision when it is a notifying one, which is what this exercises.
 */
const setJoinUrl = (p: Awaited<ReturnType<typeof tier>>, id: string, patch: { joinUrl: string; startsAt?: string }) => p.store.update(id, patch as never, organizer, new Date());

test("a moved start: one mail to each invitee who said yes or has not answered, with the old and new time in UTC; none to who declined; moved again: mailed again", async (t) => {
  const p = await tier();
  t.teardown(p.stop);
  const event = await answeredEvent(p, "Town hall");
  t.deepEqual(await changeMails(p), []);

  const first = await p.store.update(event.id, { startsAt: startIn(4) }, organizer, new Date());
  await p.store.update(event.id, { title: "Town hall (all hands)" }, organizer, new Date());
  await p.idle();
  let mails = await changeMails(p);
  t.deepEqual(mails.map((m) => m.to).sort(), [ANN, CID], "yes and pending, not no; the title edit mails nobody");
  for (const m of mails) {
    t.is(m.subject, "Changed: Town hall (all hands) (new time)", "composed from the current state");
    t.true(m.text.includes(`New time: ${utcTime(first.startsAt)} (45 minutes).`), m.text);
    t.true(m.text.includes(`It was: ${utcTime(event.startsAt)}.`), m.text);
    t.regex(m.text, /It was: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2} UTC\./);
    t.is(m.key, `${event.id}#${m.to}#r1#change`);
  }
  t.deepEqual(rsvpAnswers(mails.find((m) => m.to === CID)!.text, event.id, CID), ["yes", "no"], "the pending invitee can answer from it");
  t.deepEqual(rsvpAnswers(mails.find((m) => m.to === ANN)!.text, event.id, ANN), ["no"], "the attendee can withdraw");

  const second = await p.store.update(event.id, { startsAt: startIn(5) }, organizer, new Date());
  await p.idle();
  mails = await changeMails(p);
  t.deepEqual(mails.map((m) => m.to).sort(), [ANN, ANN, CID, CID], "a second change is a second mail each");
  const latest = mails.filter((m) => m.key.includes("#r2#"));
  t.is(latest.length, 2);
  for (const m of latest) t.true(m.text.includes(`New time: ${utcTime(second.startsAt)} (45 minutes).\nIt was: ${utcTime(first.startsAt)}.`), m.text);
  t.deepEqual(p.queue.deadLetters(), []);
});

test("a redelivered stream batch (a retried fan-out) queues the change again but mails nobody twice", async (t) => {
  const p = await tier();
  t.teardown(p.stop);
  const event = await answeredEvent(p, "Offsite");
  const seen = p.batches.length;
  await p.store.update(event.id, { startsAt: startIn(6) }, organizer, new Date());
  await p.idle();
  const moves = p.batches.slice(seen);
  t.true(moves.some((b) => b.Records.some((r) => r.eventName === "MODIFY")), "the move came through the stream");
  t.is((await changeMails(p)).length, 2);

  // Lambda hands the same batch over again (a timeout after the jobs were sent, a retry): the
  // fan-out queues the same jobs, with the same keys, and notify sends nothing new.
  const queuedBefore = p.queued.length;
  for (const batch of moves) t.deepEqual(await p.fanout(batch), { batchItemFailures: [] });
  await p.idle();
  const again = p.queued.slice(queuedBefore);
  t.deepEqual(again.map((j) => `${j.kind} ${j.recipient} ${j.change?.id}`).sort(), [`change ${ANN} r1`, `change ${CID} r1`], "the same change jobs were queued again");
  t.is((await changeMails(p)).length, 2, "still one mail per invitee");
  t.deepEqual(p.queue.deadLetters(), []);
});

test("a changed join link: the yes-answers get the new link, the pending ones are told it changed (without it) with their RSVP links; start and link in one edit are one mail saying both", async (t) => {
  const p = await tier();
  t.teardown(p.stop);
  const event = await answeredEvent(p, "Launch");
  const link = "https://meet.example/launch-7f3a";
  await setJoinUrl(p, event.id, { joinUrl: link });
  await p.idle();
  let mails = await changeMails(p);
  t.deepEqual(mails.map((m) => m.to).sort(), [ANN, CID]);
  const ann = mails.find((m) => m.to === ANN)!;
  const cid = mails.find((m) => m.to === CID)!;
  t.is(ann.subject, "Changed: Launch (new join link)");
  t.true(ann.text.includes(`The join link is now:\n${link}\n`), ann.text);
  t.false(cid.text.includes("meet.example"), "no link for who has not said yes");
  t.true(cid.text.includes("The join link has changed. It is shown to those who say yes."), cid.text);
  t.deepEqual(rsvpAnswers(cid.text, event.id, CID), ["yes", "no"]);
  t.false(/New time|It was/.test(ann.text + cid.text), "the start did not move");
  t.true(mails.every((m) => m.key.endsWith("#r1#change")));

  // Both in one edit: one mail each, listing both.
  const newLink = "https://meet.example/launch-b2c9";
  const both = await setJoinUrl(p, event.id, { joinUrl: newLink, startsAt: startIn(4) });
  await p.idle();
  mails = (await changeMails(p)).filter((m) => m.key.endsWith("#r2#change"));
  t.deepEqual(mails.map((m) => m.to).sort(), [ANN, CID], "one mail each for the combined change");
  for (const m of mails) {
    t.is(m.subject, "Changed: Launch (new time and new join link)");
    t.true(m.text.includes(`New time: ${utcTime(both.startsAt)} (45 minutes).\nIt was: ${utcTime(event.startsAt)}.`), m.text);
  }
  t.true(mails.find((m) => m.to === ANN)!.text.includes(newLink));
  t.false(mails.find((m) => m.to === CID)!.text.includes("meet.example"));
  t.is((await outbox(p.dir)).filter((m) => m.to === BEN && !m.key.endsWith("#invitation")).length, 0, "nothing to who declined");

  // Cancellation: to yes and pending, not to who declined.
  await p.store.cancel(event.id, organizer, new Date());
  await p.idle();
  t.deepEqual((await outbox(p.dir)).filter((m) => m.key.endsWith("#cancellation")).map((m) => m.to).sort(), [ANN, CID]);
  t.deepEqual(p.queue.deadLetters(), []);
});

test("a change job that runs late: what a later change replaced is left out (that change has its own mail); canceled meanwhile or declined meanwhile: nothing", async (t) => {
  const p = await tier();
  t.teardown(p.stop);
  const event = await answeredEvent(p, "Demo");
  const link = "https://meet.example/demo-1";
  const current = await setJoinUrl(p, event.id, { joinUrl: link, startsAt: startIn(4) });
  await p.idle();
  t.is((await changeMails(p)).length, 2);
  const before = (await outbox(p.dir)).length;

  // Jobs of earlier changes, delayed until now (as after SQS redeliveries): their start and link were replaced since.
  const late = (id: string, change: Omit<NonNullable<NotificationJob["change"]>, "id">): NotificationJob => ({ kind: "change", eventId: event.id, recipient: CID, change: { id, ...change } });
  await p.queue.send([
    late("r7", { startsAt: { from: event.startsAt, to: startIn(9) } }),
    late("r8", { joinUrl: { to: linkFingerprint("https://meet.example/old") } }),
    // Its start is still current, its link was replaced: the mail tells the start only.
    late("r9", { startsAt: { from: event.startsAt, to: current.startsAt }, joinUrl: { to: linkFingerprint("https://meet.example/old") } }),
  ]);
  await p.idle();
  const added = (await outbox(p.dir)).filter((m) => /#r[789]#change$/.test(m.key));
  t.deepEqual(added.map((m) => m.key), [`${event.id}#${CID}#r9#change`], "only the job with news left");
  t.is(added[0]!.subject, "Changed: Demo (new time)");
  t.false(added[0]!.text.includes("join link"), added[0]!.text);
  t.is((await outbox(p.dir)).length, before + 1);

  // Cid declines; a late change job for Cid sends nothing. Then the event is canceled: a late job for Ann neither.
  await p.store.answer(event.id, CID, "no", (await p.store.invitation(event.id, CID))!.nonce, new Date());
  await p.queue.send([late("r10", { startsAt: { from: event.startsAt, to: current.startsAt } })]);
  await p.idle();
  await p.store.cancel(event.id, organizer, new Date());
  await p.idle();
  await p.queue.send([{ ...late("r11", { startsAt: { from: event.startsAt, to: current.startsAt } }), recipient: ANN }]);
  await p.idle();
  const changes = (await outbox(p.dir)).filter((m) => /#r1[01]#change$/.test(m.key));
  t.deepEqual(changes, []);
  t.deepEqual((await outbox(p.dir)).filter((m) => m.key.endsWith("#cancellation")).map((m) => m.to), [ANN], "only Ann is still coming or undecided");
  t.deepEqual(p.queue.deadLetters(), []);
});

test("reminders move with the start (EventBridge Scheduler API): a fired reminder comes back when the start moves later; a move into the last hour fires a minute from now; cancel deletes it", async (t) => {
  const scheduler = await startScheduler();
  const client = new SchedulerClient({ endpoint: scheduler.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 });
  t.teardown(async () => (client.destroy(), await scheduler.stop()));
  const group = "switchyard-test-reminders";
  const p = await tier({ reminders: schedulerReminders(client, { groupName: group, queueArn: "arn:aws:sqs:us-east-1:123456789012:notifications", roleArn: "arn:aws:iam::123456789012:role/reminders" }) });
  t.teardown(p.stop);
  const schedule = (id: string) => scheduler.schedules.get(`${group}/${reminderScheduleName(id)}`) as { ScheduleExpression: string } | undefined;
  const fireTime = (id: string) => Date.parse(`${/^at\((.*)\)$/.exec(schedule(id)!.ScheduleExpression)![1]}Z`);

  // Published 30 minutes before its start: the reminder's hour is past, so it fires in a minute.
  const soon = new Date(Math.floor((Date.now() + 30 * 60_000) / 1000) * 1000).toISOString();
  const event = await p.store.create({ title: "Standup", description: "", startsAt: soon, durationMinutes: 15, visibility: "private" }, organizer, new Date());
  await p.store.publish(event.id, organizer, new Date());
  await p.idle();
  const firesIn = fireTime(event.id) - Date.now();
  t.true(firesIn > 0 && firesIn <= 62_000, `fires a minute from now (in ${firesIn} ms)`);

  // It fired: Scheduler deleted it (ActionAfterCompletion DELETE). The start moves two days later: a new one, an hour before.
  await client.send(new DeleteScheduleCommand({ Name: reminderScheduleName(event.id), GroupName: group }));
  const later = await p.store.update(event.id, { startsAt: startIn(2) }, organizer, new Date());
  await p.idle();
  t.is(fireTime(event.id), Math.floor((Date.parse(later.startsAt) - 3_600_000) / 1000) * 1000);

  // Moved into its last hour: a minute from now again, still one schedule.
  const close = new Date(Date.now() + 20 * 60_000).toISOString();
  await p.store.update(event.id, { startsAt: close }, organizer, new Date());
  await p.idle();
  const again = fireTime(event.id) - Date.now();
  t.true(again > 0 && again <= 62_000, `fires a minute from now (in ${again} ms)`);
  t.is([...scheduler.schedules.keys()].filter((k) => k.endsWith(event.id)).length, 1);

  await p.store.cancel(event.id, organizer, new Date());
  await p.idle();
  t.is(schedule(event.id), undefined, "canceling deletes it");
});
