// Kept hand-written (#17): resending SendMessageBatch's Failed entries with a backoff is 3 lines; the SDK retries whole calls, never the failed entries of a partial success.
// The cloud's notification queue: SQS SendMessageBatch, ten jobs per call. Entries SQS reports
// as Failed are sent again (with a short backoff) unless SQS says the sender is at fault; what
// still fails makes `send` throw, naming the jobs, so the caller (the stream fan-out) fails its
// batch and the stream retries it. Jobs are idempotent per notificationKey, so a resend is safe.
import { setTimeout as delay } from "node:timers/promises";
import { SendMessageBatchCommand, type BatchResultErrorEntry, type SQSClient } from "@aws-sdk/client-sqs";
import type { JobQueue } from "./job-queue";
import { notificationJobSchema, notificationKey, type NotificationJob } from "./notification-job";

/** SendMessageBatch's limit. */
export const SQS_BATCH_SIZE = 10;

export interface SqsJobQueueOptions {
  /** Tries per entry, the first included. Default 3. */
  attempts?: number;
  /** Wait before the second try; doubled before each later one. Default 50 ms. */
  backoffMs?: number;
}

export class JobQueueSendError extends Error {
  readonly failed: { job: NotificationJob; code: string; message?: string; senderFault: boolean }[];
  constructor(failed: JobQueueSendError["failed"]) {
    super(`SQS did not accept ${failed.length} job(s): ${failed.map((f) => `${notificationKey(f.job)} (${f.code}${f.senderFault ? ", sender fault" : ""}${f.message ? `: ${f.message}` : ""})`).join("; ")}`);
    this.name = "JobQueueSendError";
    this.failed = failed;
  }
}

export function sqsJobQueue(client: SQSClient, queueUrl: string, opts: SqsJobQueueOptions = {}): JobQueue {
  const attempts = opts.attempts ?? 3;
  const backoffMs = opts.backoffMs ?? 50;

  async function sendChunk(jobs: NotificationJob[]): Promise<JobQueueSendError["failed"]> {
    // Entry ids are the jobs' positions in the chunk: unique within one request, as SQS requires.
    let pending = new Map(jobs.map((job, i) => [String(i), job]));
    let lastErrors: BatchResultErrorEntry[] = [];
    const final: JobQueueSendError["failed"] = [];
    for (let attempt = 1; attempt <= attempts && pending.size > 0; attempt++) {
      if (attempt > 1) await delay(backoffMs * 2 ** (attempt - 2));
      const result = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [...pending].map(([id, job]) => ({
            Id: id,
            MessageBody: JSON.stringify(job),
            MessageAttributes: { kind: { DataType: "String", StringValue: job.kind } },
          })),
        }),
      );
      lastErrors = result.Failed ?? [];
      const retry = new Map<string, NotificationJob>();
      for (const failure of lastErrors) {
        const job = failure.Id === undefined ? undefined : pending.get(failure.Id);
        if (!job) continue;
        // A sender fault (bad body, bad attribute) fails the same way every time: no retry.
        if (failure.SenderFault) final.push({ job, code: failure.Code ?? "unknown", message: failure.Message, senderFault: true });
        else retry.set(failure.Id!, job);
      }
      pending = retry;
    }
    for (const [id, job] of pending) {
      const failure = lastErrors.find((f) => f.Id === id);
      final.push({ job, code: failure?.Code ?? "unknown", message: failure?.Message, senderFault: false });
    }
    return final;
  }

  return {
    async send(jobs) {
      const valid = jobs.map((job) => notificationJobSchema().parse(job));
      const chunks: NotificationJob[][] = [];
      for (let i = 0; i < valid.length; i += SQS_BATCH_SIZE) chunks.push(valid.slice(i, i + SQS_BATCH_SIZE));
      const results = await Promise.allSettled(chunks.map(sendChunk));
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (rejected) throw rejected.reason;
      const failed = results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
      if (failed.length) throw new JobQueueSendError(failed);
    },
  };
}
