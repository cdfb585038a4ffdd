/**
 * The Fargate runner's own environment, besides the job's: ScheduledSync sets it on the task
 * definition, task.ts reads it. Example: `{ SYNC_JOB: "gists", SYNC_TIMEOUT_SECONDS: "3600" }`.
 */
export const TASK_ENV = {
  /** Which job of the registry the task runs. */
  job: "SYNC_JOB",
  /** A run still going after this many seconds is stopped and counts as failed (ECS has no timeout of its own). */
  timeoutSeconds: "SYNC_TIMEOUT_SECONDS",
} as const;
