// Local mode's stand-in for an SQS standard queue with a dead-letter queue, read by a Lambda event
// source mapping with ReportBatchItemFailures — in process, with the same semantics:
//
// - A received message is invisible for the visibility timeout (counted from the receive). The
//   consumer gets Lambda-shaped SQSEvent batches of up to `batchSize` messages, at most
//   `concurrency` batches at a time.
// - Messages the consumer reports in `batchItemFailures` — or the whole batch, if it throws or
//   answers with an itemIdentifier that is empty or not in the batch — stay in the queue and
//   are delivered again once their visibility timeout ends, with ApproximateReceiveCount + 1.
//   The others are deleted.
// - Redrive: a message that becomes visible after `maxReceiveCount` receives moves to the
//   dead-letter list instead of being delivered again (SQS moves a message when its receive
//   count would exceed maxReceiveCount).
// - At least once: a consumer slower than the visibility timeout sees its messages delivered again
//   meanwhile (a delete with the older receipt handle then leaves the message queued, as in SQS).
//   Nothing is lost: a message leaves the queue only by being deleted or dead-lettered.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from "aws-lambda";
import type { JobQueue } from "../../handlers/events/job-queue";
import { notificationJobSchema } from "../../handlers/events/notification-job";

export interface DeadLetter<T> {
  messageId: string;
  body: T;
  receiveCount: number;
  /** The error of the last failed delivery (the consumer's error message, or "reported in batchItemFailures"). */
  lastError: string;
}

export interface LocalQueueOptions<T> {
  /** The queue's name; its ARN is `arn:aws:sqs:local:000000000000:<name>`. */
  name: string;
  /** The Lambda handler. */
  consumer: (event: SQSEvent) => Promise<SQSBatchResponse | void>;
  /** Most messages per batch, 1–10000. Default 10. */
  batchSize?: number;
  /** Default 2000 ms (Lambda's guidance is six times the function timeout; locally, short). */
  visibilityTimeoutMs?: number;
  /** Receives before a message moves to the dead-letter list. Default 5. */
  maxReceiveCount?: number;
  /** Batches delivered at the same time (an event source mapping runs at least 2). Default 2. */
  concurrency?: number;
  /** Called when a message moves to the dead-letter list. */
  onDeadLetter?: (message: DeadLetter<T>) => void;
  /** String message attributes for a body. Default: `kind` when the body has a string `kind`. */
  attributes?: (body: T) => Record<string, string>;
}

export interface LocalQueue<T> {
  /** Enqueues the bodies (as JSON); resolves once they are in the queue, not once they are handled. */
  send(bodies: T[]): Promise<void>;
  /** The JobQueue view (for a queue of NotificationJob): checks each job, then `send`s it. */
  jobQueue: JobQueue;
  deadLetters(): DeadLetter<T>[];
  /** Messages in the queue (waiting, in flight or waiting out a visibility timeout). */
  size(): number;
  /** Resolves when the queue is empty and no batch is in flight; rejects if the queue is closed first with messages left. */
  drained(): Promise<void>;
  /** Stops delivering, waits for the batches in flight; messages left are dropped (the queue was in memory). */
  close(): Promise<void>;
}

interface Message<T> {
  id: string;
  body: string;
  value: T;
  attributes: SQSMessageAttributes;
  md5OfBody: string;
  sentTimestamp: number;
  firstReceiveTimestamp?: number;
  receiveCount: number;
  /** The receipt handle of the latest receive: only it deletes the message. */
  receiptHandle?: string;
  visibleAt: number;
  lastError: string;
}

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

function defaultAttributes(body: unknown): Record<string, string> {
  const kind = body && typeof body === "object" ? (body as { kind?: unknown }).kind : undefined;
  return typeof kind === "string" ? { kind } : {};
}

const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export function createLocalQueue<T>(opts: LocalQueueOptions<T>): LocalQueue<T> {
  const batchSize = opts.batchSize ?? 10;
  const visibilityTimeoutMs = opts.visibilityTimeoutMs ?? 2000;
  const maxReceiveCount = opts.maxReceiveCount ?? 5;
  const concurrency = opts.concurrency ?? 2;
  const attributesOf = opts.attributes ?? defaultAttributes;
  const arn = `arn:aws:sqs:local:000000000000:${opts.name}`;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new RangeError("batchSize must be an integer from 1 to 10000");
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1) throw new RangeError("maxReceiveCount must be a positive integer");
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError("concurrency must be a positive integer");
  if (!(visibilityTimeoutMs >= 0)) throw new RangeError("visibilityTimeoutMs must be 0 or more");

  /** Every message not yet deleted or dead-lettered, in the order sent. */
  const messages = new Map<string, Message<T>>();
  const dead: DeadLetter<T>[] = [];
  const inFlight = new Set<Promise<void>>();
  let drainWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let pumpScheduled = false;

  const settleDrainWaiters = () => {
    if (messages.size > 0 || inFlight.size > 0) {
      if (closed && inFlight.size === 0) {
        const waiters = drainWaiters;
        drainWaiters = [];
        for (const w of waiters) w.reject(new Error(`Queue ${opts.name} closed with ${messages.size} message(s) undelivered`));
      }
      return;
    }
    const waiters = drainWaiters;
    drainWaiters = [];
    for (const w of waiters) w.resolve();
  };

  /** Runs pump() soon, once: sends in the same tick end up in the same batch. */
  const schedulePump = () => {
    if (pumpScheduled || closed) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      pump();
    });
  };

  function deadLetter(message: Message<T>) {
    messages.delete(message.id);
    const letter: DeadLetter<T> = { messageId: message.id, body: message.value, receiveCount: message.receiveCount, lastError: message.lastError };
    dead.push(letter);
    try {
      opts.onDeadLetter?.(letter);
    } catch (error) {
      console.error(`[queue ${opts.name}] onDeadLetter threw`, error);
    }
  }

  function pump() {
    if (closed) return;
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    const now = Date.now();
    while (inFlight.size < concurrency) {
      const batch: Message<T>[] = [];
      for (const message of messages.values()) {
        if (message.visibleAt > now) continue;
        if (message.receiveCount >= maxReceiveCount) {
          deadLetter(message);
          continue;
        }
        batch.push(message);
        if (batch.length === batchSize) break;
      }
      if (batch.length === 0) break;
      deliver(batch, now);
    }
    // Wake up when the next invisible message becomes visible.
    let next = Infinity;
    for (const message of messages.values()) if (message.visibleAt > now) next = Math.min(next, message.visibleAt);
    if (next !== Infinity) timer = setTimeout(pump, Math.max(1, next - now));
    settleDrainWaiters();
  }

  function deliver(batch: Message<T>[], now: number) {
    const records: SQSRecord[] = batch.map((message) => {
      message.receiveCount++;
      message.firstReceiveTimestamp ??= now;
      message.receiptHandle = `${randomBytes(24).toString("base64url")}.${message.id}`;
      message.visibleAt = now + visibilityTimeoutMs;
      return {
        messageId: message.id,
        receiptHandle: message.receiptHandle,
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentTimestamp),
          SenderId: "AIDALOCALSWITCHYARD0000",
          ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
        },
        messageAttributes: message.attributes,
        md5OfBody: message.md5OfBody,
        eventSource: "aws:sqs",
        eventSourceARN: arn,
        awsRegion: "local",
      };
    });
    const run = (async () => {
      let failed: Set<string>;
      let error = "reported in batchItemFailures";
      try {
        const response = await opts.consumer({ Records: records.map((r) => structuredClone(r)) });
        const failures = response?.batchItemFailures ?? [];
        if (!Array.isArray(failures)) throw new Error("The consumer's batchItemFailures is not a list");
        failed = new Set();
        for (const failure of failures) {
          const id = failure?.itemIdentifier;
          // Lambda fails the whole batch on an identifier that is empty or not in it.
          if (typeof id !== "string" || !records.some((r) => r.messageId === id)) throw new Error(`The consumer reported an unknown itemIdentifier ${JSON.stringify(id)}`);
          failed.add(id);
        }
      } catch (caught) {
        failed = new Set(records.map((r) => r.messageId));
        error = errorText(caught);
      }
      for (const record of records) {
        const message = messages.get(record.messageId);
        if (!message) continue;
        if (failed.has(record.messageId)) message.lastError = error;
        // Deleting with an older receipt handle leaves a message that was received again meanwhile.
        else if (message.receiptHandle === record.receiptHandle) messages.delete(record.messageId);
      }
    })();
    inFlight.add(run);
    void run.finally(() => {
      inFlight.delete(run);
      if (closed) settleDrainWaiters();
      else schedulePump();
    });
  }

  async function send(bodies: T[]): Promise<void> {
    if (closed) throw new Error(`Queue ${opts.name} is closed`);
    const now = Date.now();
    const prepared = bodies.map((value) => {
      const body = JSON.stringify(value);
      if (body === undefined) throw new TypeError("A message body must be JSON-serializable");
      const attributes: SQSMessageAttributes = {};
      for (const [name, stringValue] of Object.entries(attributesOf(value))) {
        attributes[name] = { stringValue, stringListValues: [], binaryListValues: [], dataType: "String" };
      }
      // The body as it would come back from SQS: parsed from the JSON that was sent.
      return { id: randomUUID(), body, value: JSON.parse(body) as T, attributes, md5OfBody: md5(body), sentTimestamp: now, receiveCount: 0, visibleAt: now, lastError: "" };
    });
    for (const message of prepared) messages.set(message.id, message);
    schedulePump();
  }

  return {
    send,
    jobQueue: {
      send: async (jobs) => send(jobs.map((job) => notificationJobSchema().parse(job)) as unknown as T[]),
    },
    deadLetters: () => dead.map((d) => ({ ...d })),
    size: () => messages.size,
    drained: () =>
      new Promise<void>((resolve, reject) => {
        drainWaiters.push({ resolve, reject });
        settleDrainWaiters();
      }),
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      settleDrainWaiters();
    },
  };
}
