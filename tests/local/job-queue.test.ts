// Local mode's in-process queue: SQS standard-queue semantics behind a Lambda event source mapping
// with ReportBatchItemFailures — batches, deletes, redelivery after the visibility timeout with
// the receive count, redrive to the dead-letter list, at-least-once, drained() and close().
import test from "ava";
import { createHash } from "node:crypto";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { createLocalQueue } from "../../local/emulators/job-queue";
import type { NotificationJob } from "../../handlers/events/notification-job";

interface Body {
  n: number;
  kind?: string;
}

/** Records every delivery; `decide` says which records fail (true) or makes the batch throw ("throw"). */
function recorder(decide: (record: SQSRecord, batch: SQSRecord[]) => boolean | "throw" = () => false) {
  const batches: SQSRecord[][] = [];
  const consumer = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    batches.push(event.Records);
    await new Promise((r) => setTimeout(r, 1));
    const verdicts = event.Records.map((r) => decide(r, event.Records));
    if (verdicts.includes("throw")) throw new Error("consumer crashed");
    return { batchItemFailures: event.Records.filter((_, i) => verdicts[i] === true).map((r) => ({ itemIdentifier: r.messageId })) };
  };
  const deliveries = () => batches.flat().map((r) => ({ n: (JSON.parse(r.body) as Body).n, count: Number(r.attributes.ApproximateReceiveCount), id: r.messageId }));
  return { batches, consumer, deliveries };
}

const bodies = (n: number, from = 0): Body[] => Array.from({ length: n }, (_, i) => ({ n: from + i }));

test("a successful batch: Lambda-shaped records, each delivered once and deleted", async (t) => {
  const rec = recorder();
  const queue = createLocalQueue<Body>({ name: "notifications", consumer: rec.consumer, visibilityTimeoutMs: 50 });
  await queue.send([{ n: 1, kind: "invitation" }, { n: 2 }, { n: 3 }]);
  await queue.drained();
  t.is(rec.batches.length, 1, "sent together, delivered as one batch");
  const [record] = rec.batches[0]!;
  t.like(record, { eventSource: "aws:sqs", eventSourceARN: "arn:aws:sqs:local:000000000000:notifications", awsRegion: "local", body: JSON.stringify({ n: 1, kind: "invitation" }) });
  t.regex(record!.messageId, /^[0-9a-f-]{36}$/);
  t.true(record!.receiptHandle.length > 20);
  t.is(record!.md5OfBody, createHash("md5").update(record!.body).digest("hex"));
  t.is(record!.attributes.ApproximateReceiveCount, "1");
  t.true(Math.abs(Number(record!.attributes.SentTimestamp) - Date.now()) < 10_000);
  t.truthy(record!.attributes.ApproximateFirstReceiveTimestamp);
  t.deepEqual(record!.messageAttributes, { kind: { stringValue: "invitation", stringListValues: [], binaryListValues: [], dataType: "String" } });
  t.deepEqual(rec.batches[0]![1]!.messageAttributes, {});
  t.is(queue.size(), 0);
  await new Promise((r) => setTimeout(r, 120));
  t.is(rec.batches.length, 1, "deleted: not delivered again after the visibility timeout");
  await queue.close();
});

test("batches hold at most batchSize messages", async (t) => {
  const rec = recorder();
  const queue = createLocalQueue<Body>({ name: "q", consumer: rec.consumer, batchSize: 4 });
  await queue.send(bodies(10));
  await queue.drained();
  t.true(rec.batches.every((b) => b.length <= 4));
  t.deepEqual(rec.deliveries().map((d) => d.n).sort((a, b) => a - b), [...Array(10).keys()]);
  await queue.close();
});

test("a partial batch failure redelivers only the failed messages, after the visibility timeout, with receive count 2", async (t) => {
  const failOnce = new Set([1, 3]);
  const rec = recorder((r) => {
    const { n } = JSON.parse(r.body) as Body;
    return r.attributes.ApproximateReceiveCount === "1" && failOnce.has(n);
  });
  const queue = createLocalQueue<Body>({ name: "q", consumer: rec.consumer, visibilityTimeoutMs: 150 });
  const started = Date.now();
  await queue.send(bodies(5));
  await queue.drained();
  const elapsed = Date.now() - started;
  t.is(rec.batches.length, 2);
  const second = rec.batches[1]!.map((r) => ({ n: (JSON.parse(r.body) as Body).n, count: r.attributes.ApproximateReceiveCount }));
  t.deepEqual(second.sort((a, b) => a.n - b.n), [{ n: 1, count: "2" }, { n: 3, count: "2" }]);
  t.deepEqual(rec.batches[1]!.map((r) => r.messageId).sort(), rec.batches[0]!.filter((r) => failOnce.has(JSON.parse(r.body).n)).map((r) => r.messageId).sort(), "the same messages, same ids");
  t.not(rec.batches[1]![0]!.receiptHandle, rec.batches[0]!.find((r) => r.messageId === rec.batches[1]![0]!.messageId)!.receiptHandle, "a new receipt handle per receive");
  t.true(elapsed >= 140, `waited out the visibility timeout (${elapsed} ms)`);
  t.deepEqual(queue.deadLetters(), []);
  await queue.close();
});

test("a consumer that throws gets the whole batch again, every message with receive count 2", async (t) => {
  let calls = 0;
  const rec = recorder(() => (calls++ < 3 ? "throw" : false));
  const queue = createLocalQueue<Body>({ name: "q", consumer: rec.consumer, visibilityTimeoutMs: 30 });
  await queue.send(bodies(3));
  await queue.drained();
  t.is(rec.batches.length, 2);
  t.deepEqual(rec.batches[1]!.map((r) => r.attributes.ApproximateReceiveCount), ["2", "2", "2"]);
  t.deepEqual(rec.batches[1]!.map((r) => r.messageId).sort(), rec.batches[0]!.map((r) => r.messageId).sort());
  await queue.close();
});

test("an itemIdentifier that is not in the batch fails the whole batch, as Lambda does", async (t) => {
  const batches: SQSRecord[][] = [];
  const queue = createLocalQueue<Body>({
    name: "q",
    visibilityTimeoutMs: 20,
    consumer: async (event) => {
      batches.push(event.Records);
      return batches.length === 1 ? { batchItemFailures: [{ itemIdentifier: "not-a-message" }] } : undefined;
    },
  });
  await queue.send(bodies(2));
  await queue.drained();
  t.is(batches.length, 2);
  t.deepEqual(batches[1]!.map((r) => r.attributes.ApproximateReceiveCount), ["2", "2"]);
  await queue.close();
});

test("a poison message moves to the dead-letter list after maxReceiveCount receives; the others still succeed", async (t) => {
  const rec = recorder((r) => (JSON.parse(r.body) as Body).n === 2);
  const dead: unknown[] = [];
  const queue = createLocalQueue<Body>({ name: "q", consumer: rec.consumer, visibilityTimeoutMs: 20, maxReceiveCount: 3, onDeadLetter: (m) => dead.push(m) });
  await queue.send(bodies(4));
  await queue.drained();
  const poison = rec.deliveries().filter((d) => d.n === 2);
  t.deepEqual(poison.map((d) => d.count), [1, 2, 3], "received exactly maxReceiveCount times");
  t.deepEqual(rec.deliveries().filter((d) => d.n !== 2).map((d) => [d.n, d.count]).sort(), [[0, 1], [1, 1], [3, 1]]);
  const letters = queue.deadLetters();
  t.is(letters.length, 1);
  t.like(letters[0], { body: { n: 2 }, receiveCount: 3, lastError: "reported in batchItemFailures", messageId: poison[0]!.id });
  t.deepEqual(dead, letters);
  t.is(queue.size(), 0);
  await queue.close();
});

test("a throwing consumer's error is what the dead letter records", async (t) => {
  const queue = createLocalQueue<Body>({
    name: "q",
    visibilityTimeoutMs: 10,
    maxReceiveCount: 2,
    consumer: async () => {
      throw new TypeError("bad template");
    },
  });
  await queue.send([{ n: 7 }]);
  await queue.drained();
  t.deepEqual(queue.deadLetters().map((d) => [d.body, d.receiveCount, d.lastError]), [[{ n: 7 }, 2, "TypeError: bad template"]]);
  await queue.close();
});

test("100 messages sent concurrently: each handled exactly once, none lost, none duplicated", async (t) => {
  const rec = recorder();
  const queue = createLocalQueue<Body>({ name: "q", consumer: rec.consumer });
  await Promise.all(Array.from({ length: 20 }, (_, i) => queue.send(bodies(5, i * 5))));
  await queue.drained();
  const ns = rec.deliveries().map((d) => d.n).sort((a, b) => a - b);
  t.deepEqual(ns, [...Array(100).keys()]);
  t.true(rec.deliveries().every((d) => d.count === 1));
  t.true(rec.batches.every((b) => b.length <= 10));
  await queue.close();
});

test("at least once: a consumer slower than the visibility timeout sees the message again, and it is not lost", async (t) => {
  const seen: string[] = [];
  const queue = createLocalQueue<Body>({
    name: "q",
    visibilityTimeoutMs: 30,
    consumer: async (event) => {
      seen.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
      // The first receive outlives its visibility timeout.
      if (seen.length === 1) await new Promise((r) => setTimeout(r, 100));
    },
  });
  await queue.send([{ n: 1 }]);
  await queue.drained();
  t.deepEqual(seen.slice(0, 2), ["1", "2"], "delivered again while the first delivery was still running");
  t.is(queue.size(), 0);
  await queue.close();
});

test("drained() resolves at once on an empty queue and waits for redeliveries otherwise", async (t) => {
  let handled = 0;
  let firstFailed: () => void;
  const failed = new Promise<void>((resolve) => (firstFailed = resolve));
  const queue = createLocalQueue<Body>({
    name: "q",
    visibilityTimeoutMs: 500,
    consumer: async (event) => {
      if (event.Records[0]!.attributes.ApproximateReceiveCount === "1") {
        setImmediate(firstFailed);
        return { batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }] };
      }
      handled++;
    },
  });
  await queue.drained();
  await queue.send([{ n: 1 }]);
  let done = false;
  const drained = queue.drained().then(() => (done = true));
  // Checked right after the first delivery failed, well inside the 500 ms before the redelivery.
  await failed;
  t.false(done, "still waiting for the redelivery");
  t.is(queue.size(), 1);
  await drained;
  t.is(handled, 1);
  await queue.close();
});

test("close() waits for the batch in flight and stops delivery; send after close throws; drained() then rejects if messages were left", async (t) => {
  const delivered: number[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const queue = createLocalQueue<Body>({
    name: "q",
    batchSize: 1,
    concurrency: 1,
    visibilityTimeoutMs: 20,
    consumer: async (event) => {
      delivered.push((JSON.parse(event.Records[0]!.body) as Body).n);
      await gate;
    },
  });
  await queue.send(bodies(3));
  await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(delivered, [0]);
  let closed = false;
  const closing = queue.close().then(() => (closed = true));
  await new Promise((r) => setTimeout(r, 10));
  t.false(closed, "close waits for the batch in flight");
  release();
  await closing;
  await new Promise((r) => setTimeout(r, 60));
  t.deepEqual(delivered, [0], "nothing delivered after close");
  await t.throwsAsync(queue.send([{ n: 9 }]), { message: /closed/ });
  await t.throwsAsync(queue.drained(), { message: /closed with 2 message/ });
});

test("jobQueue: NotificationJobs go in as JSON with their kind attribute; a malformed job is refused", async (t) => {
  const records: SQSRecord[] = [];
  const queue = createLocalQueue<NotificationJob>({
    name: "notifications",
    consumer: async (event) => {
      records.push(...event.Records);
    },
  });
  const job: NotificationJob = { kind: "reminder", eventId: "0192e1", recipient: "org@example.com" };
  await queue.jobQueue.send([job]);
  await queue.drained();
  t.deepEqual(JSON.parse(records[0]!.body), job);
  t.is(records[0]!.messageAttributes.kind?.stringValue, "reminder");
  await t.throwsAsync(queue.jobQueue.send([{ ...job, recipient: "not an address" }]));
  t.is(queue.size(), 0);
  await queue.close();
});

test("a late success with an old receipt handle does not delete a message received again since (as in SQS)", async (t) => {
  const seen: string[] = [];
  const queue = createLocalQueue<Body>({
    name: "q",
    visibilityTimeoutMs: 100,
    consumer: async (event) => {
      const record = event.Records[0]!;
      seen.push(record.attributes.ApproximateReceiveCount);
      // Receive 1 outlives its visibility timeout and then succeeds; receive 2 (meanwhile) fails.
      if (record.attributes.ApproximateReceiveCount === "1") await new Promise((r) => setTimeout(r, 150));
      if (record.attributes.ApproximateReceiveCount === "2") return { batchItemFailures: [{ itemIdentifier: record.messageId }] };
    },
  });
  await queue.send([{ n: 1 }]);
  await queue.drained();
  t.deepEqual(seen, ["1", "2", "3"], "the failed receive 2 decides: delivered a third time");
  await queue.close();
});
