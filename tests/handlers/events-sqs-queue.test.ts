// The cloud job queue (SendMessageBatch) against a local stand-in speaking SQS's AWS JSON 1.0
// protocol, with the real SDK client: chunks of ten, JSON bodies, the kind attribute, Failed
// entries retried, what still fails named in the error.
import test from "ava";
import { sqsJobQueue, JobQueueSendError } from "../../handlers/events/sqs-job-queue";
import type { NotificationJob } from "../../handlers/events/notification-job";
import { startSqs, type SqsEntry, type SqsFailure } from "../harness/sqs";

/** The SendMessageBatch stand-in (tests/harness/sqs.ts); `fail(entry, seen)` decides per entry. */
const startSqsStandIn = (fail?: (entry: SqsEntry, seen: number) => SqsFailure | undefined) => startSqs(fail ? { fail } : {});

const jobs = (n: number): NotificationJob[] =>
  Array.from({ length: n }, (_, i) => ({ kind: i % 2 ? "cancellation" : "invitation", eventId: `event-${i}`, recipient: `person${i}@example.com` }));

test("25 jobs go out as SendMessageBatch calls of 10, 10 and 5: JSON bodies, the kind attribute, the queue URL", async (t) => {
  const sqs = await startSqsStandIn();
  const all = jobs(25);
  await sqsJobQueue(sqs.client, sqs.queueUrl).send(all);
  t.deepEqual(sqs.calls.map((c) => c.body.Entries.length).sort((a, b) => b - a), [10, 10, 5]);
  t.true(sqs.calls.every((c) => c.body.QueueUrl === sqs.queueUrl));
  t.true(sqs.calls.every((c) => c.headers["content-type"] === "application/x-amz-json-1.0"));
  t.deepEqual(sqs.accepted.map((b) => JSON.parse(b)).sort((a, b) => a.eventId.localeCompare(b.eventId)), [...all].sort((a, b) => a.eventId.localeCompare(b.eventId)));
  const entry = sqs.calls.flatMap((c) => c.body.Entries).find((e) => JSON.parse(e.MessageBody).eventId === "event-1")!;
  t.deepEqual(entry.MessageAttributes, { kind: { DataType: "String", StringValue: "cancellation" } });
  for (const call of sqs.calls) t.is(new Set(call.body.Entries.map((e) => e.Id)).size, call.body.Entries.length, "entry ids unique per request");
  await sqs.close();
});

test("entries SQS reports as Failed (server side) are sent again, and only those", async (t) => {
  // Every third job fails on its first try.
  const sqs = await startSqsStandIn((entry, seen) => (JSON.parse(entry.MessageBody).eventId.match(/[0369]$/) && seen === 1 ? { Code: "InternalError", SenderFault: false } : undefined));
  const all = jobs(12);
  await sqsJobQueue(sqs.client, sqs.queueUrl, { backoffMs: 5 }).send(all);
  t.is(sqs.accepted.length, 12, "every job accepted exactly once");
  t.is(new Set(sqs.accepted).size, 12);
  const retried = sqs.calls.slice(2).flatMap((c) => c.body.Entries.map((e) => JSON.parse(e.MessageBody).eventId)).sort();
  t.deepEqual(retried, ["event-0", "event-10", "event-3", "event-6", "event-9"], "the second round carries only the failed entries");
  await sqs.close();
});

test("an entry that keeps failing is tried 3 times, then send throws naming it; the others are accepted", async (t) => {
  const sqs = await startSqsStandIn((entry) => (JSON.parse(entry.MessageBody).eventId === "event-4" ? { Code: "ServiceUnavailable", SenderFault: false } : undefined));
  const error = await t.throwsAsync(sqsJobQueue(sqs.client, sqs.queueUrl, { backoffMs: 5 }).send(jobs(6)), { instanceOf: JobQueueSendError });
  t.regex(error!.message, /1 job\(s\): event-4#person4@example\.com#invitation \(ServiceUnavailable/);
  t.is(sqs.calls.length, 3);
  t.deepEqual(sqs.calls.slice(1).map((c) => c.body.Entries.length), [1, 1]);
  t.is(sqs.accepted.length, 5);
  await sqs.close();
});

test("a sender fault is not retried: it fails the same way every time", async (t) => {
  const sqs = await startSqsStandIn((entry) => (JSON.parse(entry.MessageBody).eventId === "event-0" ? { Code: "InvalidParameterValue", SenderFault: true } : undefined));
  const error = await t.throwsAsync(sqsJobQueue(sqs.client, sqs.queueUrl, { backoffMs: 5 }).send(jobs(3)), { instanceOf: JobQueueSendError });
  t.is(sqs.calls.length, 1);
  t.like(error!.failed[0], { code: "InvalidParameterValue", senderFault: true });
  await sqs.close();
});

test("a refused request (4xx) rejects send with SQS's error; a job that is not a NotificationJob is refused before anything is sent", async (t) => {
  const sqs = await startSqsStandIn();
  sqs.state.refuse = true;
  const error = await t.throwsAsync(sqsJobQueue(sqs.client, sqs.queueUrl).send(jobs(3)));
  t.is(error!.name, "QueueDoesNotExist");
  t.is(sqs.calls.length, 1);
  sqs.state.refuse = false;
  await t.throwsAsync(sqsJobQueue(sqs.client, sqs.queueUrl).send([...jobs(11), { kind: "party", eventId: "e", recipient: "a@example.com" } as never]));
  t.is(sqs.calls.length, 1, "nothing sent when one job is malformed");
  await sqs.close();
});

test("sending no jobs makes no call", async (t) => {
  const sqs = await startSqsStandIn();
  await sqsJobQueue(sqs.client, sqs.queueUrl).send([]);
  t.is(sqs.calls.length, 0);
  await sqs.close();
});
