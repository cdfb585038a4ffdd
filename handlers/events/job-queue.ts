import type { NotificationJob } from "./notification-job";

/** Where the fan-out puts notification jobs: SQS in the cloud, the in-process queue locally. */
export interface JobQueue {
  /** Resolves when every job is accepted by the queue; throws otherwise (the caller retries the batch). */
  send(jobs: NotificationJob[]): Promise<void>;
}
