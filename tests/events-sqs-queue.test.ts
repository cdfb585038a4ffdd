// The cloud job queue (SendMessageBatch) against a local stand-in speaking SQS's AWS JSON 1.0
// protocol, with the real SDK client: chunks of ten, JSON bodies, the kind attribute, Failed
// entries retried, what still fails named in the error.
import test from "ava";
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { SQSClient } from "@aws-sdk/client-sqs";
import { sqsJobQueue, JobQueueSendError } from "../handlers/events/sqs-job-queue";
import type { NotificationJob } from "../handlers/events/notification-job";
import { LOCAL_CREDENTIALS } from "../local/dynamodb-local";

interface Entry {
  Id: string;
  MessageBody: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
}
interface Call {
  headers: IncomingHttpHeaders;
  body: { QueueUrl: string; Entries: Entry[] };
}

/**
 * A SendMessageBatch endpoint. `fail(entry, attempt)` decides per entry (attempt = how many times
 * this body was seen): undefined accepts it, otherwise the Failed entry to report.
 */
async function startSqsStandIn(fail: (entry: Entry, seen: number) => { Code: string; SenderFault: boolean } | undefined = () => undefined) {
  const calls: Call[] = [];
  const seen = new Map<string, number>();
  const accepted: string[] = [];
  const state = { refuse: false };
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "req-1" }).end(JSON.stringify(body));
      };
      if (req.headers["x-amz-target"] !== "AmazonSQS.SendMessageBatch") return answer(400, { __type: "com.amazonaws.sqs#InvalidAction", message: "only SendMessageBatch" });
      const body = JSON.parse(text) as Call["body"];
      calls.push({ headers: req.headers, body });
      if (state.refuse) return answer(400, { __type: "com.amazonaws.sqs#QueueDoesNotExist", message: "The specified queue does not exist." });
      if (body.Entries.length > 10) return answer(400, { __type: "com.amazonaws.sqs#TooManyEntriesInBatchRequest", message: "max 10" });
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const entry of body.Entries) {
        const count = (seen.get(entry.MessageBody) ?? 0) + 1;
        seen.set(entry.MessageBody, count);
        const failure = fail(entry, count);
        if (failure) Failed.push({ Id: entry.Id, ...failure, Message: `${failure.Code} for ${entry.Id}` });
        else {
          accepted.push(entry.MessageBody);
          // The SDK checks MD5OfMessageBody, as against real SQS.
          Successful.push({ Id: entry.Id, MessageId: `m-${accepted.length}`, MD5OfMessageBody: createHash("md5").update(entry.MessageBody).digest("hex") });
        }
      }
      answer(200, { Successful, Failed });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const client = new SQSClient({ endpoint: url, region: "us-east-1", credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  return {
    state,
    client,
    queueUrl: `${url}/000000000000/notifications`,
    calls,
    accepted,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

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
