// The events platform's asynchronous tier in-process, wired as local mode wires it (the serialized
// functions are run in tests/artifacts/events.test.ts): DynamoDB Local's stream → the fan-out →
// a queue with SQS semantics → the idempotent sender → the outbox. With a consumer failure injected:
// no mail lost, none sent twice; reminders scheduled, moved and removed; clean-up cascades.
import test from "ava";
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

async function tier(options: { failFirst?: (to: string) => boolean; failAlways?: (to: string) => boolean } = {}) {
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
  const reminders: ReminderSchedules = {
    upsert: async (r) => void reminderCalls.push(`upsert ${r.eventId} ${r.startsAt} ${r.organizerEmail}`),
    remove: async (id) => void reminderCalls.push(`remove ${id}`),
  };
  const store = new EventStore(new DynamoDBClient({}), table);
  const media = new MediaStore(new S3Client({ forcePathStyle: true }), bucket);
  const fanout = eventsFanoutHandler({ store, media, queue: queue.jobQueue, reminders, obs: createObservability("events-fanout") });
  const poller = await startStreamPoller({ client: local.ddb.client, endpoint: local.ddb.endpoint, tableName: table, handler: fanout, pollIntervalMs: 50 });
  const idle = async () => {
    // The queue may be fed by the stream and the stream by nothing else: stream first, then queue.
    await poller.idle();
    await queue.drained();
  };
  return { store, media, bucket, dir, attempts, queue, reminderCalls, idle, stop: async () => (await poller.stop(), await queue.close()) };
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

test("moving the start moves the reminder; the reminder lists who said yes; cancel tells every invitee and removes the reminder", async (t) => {
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
  t.deepEqual(cancellations.map((m) => m.to).sort(), ["ann@example.com", "ben@example.com", "cid@example.com"]);
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
