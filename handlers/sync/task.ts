// The container entrypoint of a scheduled sync on Fargate (ScheduledSync's `runner: "fargate"`):
// one run of the same handler the Lambda runner uses, then the process exits — 0 when the run
// finished with nothing failed, 1 otherwise — so the ECS task's exit code tells the run's outcome.
// Bundled by `npm run build:task` (esbuild) into dist/sync-task.js; see handlers/sync/Dockerfile.
//
// Environment: SYNC_JOB (`gists` | `skills`), the job's own settings (see gists.ts, skills-job.ts),
// SYNC_TIMEOUT_SECONDS (optional: a run still going after this long is stopped and counts as
// failed; ECS has no timeout of its own), ECS_CONTAINER_METADATA_URI_V4 (set by ECS: the run id
// is the task id).
import { gistsSyncHandler } from "./gists";
import type { JobSummary } from "./scheduled";
import { skillsSyncHandler } from "./skills";

/** The jobs a task can run: the very handlers the Lambda runner serializes (see components/scheduled-sync.ts). */
const JOBS: Record<string, () => (event: { id: string }) => Promise<JobSummary>> = {
  gists: () => gistsSyncHandler("sync-gists"),
  skills: () => skillsSyncHandler("sync-skills"),
};

/** One JSON line on stdout: CloudWatch Logs (awslogs driver) keeps it as the task's result record. */
function report(level: "INFO" | "ERROR", message: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...fields })}\n`);
}

/**
 * The run id: the ECS task id (the last part of the task ARN, from the task metadata endpoint v4),
 * so log lines and the run state point at the task; `task-<timestamp>` outside ECS.
 */
async function runId(env: NodeJS.ProcessEnv): Promise<string> {
  const metadata = env.ECS_CONTAINER_METADATA_URI_V4;
  if (metadata) {
    try {
      const response = await fetch(`${metadata}/task`, { signal: AbortSignal.timeout(2_000) });
      const { TaskARN } = (await response.json()) as { TaskARN?: string };
      const id = TaskARN?.split("/").pop();
      if (response.ok && id) return id;
    } catch {
      // The run matters more than its id.
    }
  }
  return `task-${Date.now()}`;
}

/** The exit code: 0 when the run finished and nothing in it failed, 1 otherwise. */
async function main(env: NodeJS.ProcessEnv): Promise<number> {
  const job = env.SYNC_JOB ?? "";
  const build = JOBS[job];
  if (!build) {
    report("ERROR", "sync task failed", { job, error: `SYNC_JOB must be one of ${Object.keys(JOBS).join(", ")}, not "${job}"` });
    return 1;
  }
  const id = await runId(env);
  const timeoutSeconds = Number(env.SYNC_TIMEOUT_SECONDS ?? 0);
  if (timeoutSeconds > 0) {
    setTimeout(() => {
      report("ERROR", "sync task failed", { job, runId: id, error: `the run took longer than ${timeoutSeconds} s (SYNC_TIMEOUT_SECONDS)` });
      process.exit(1);
    }, timeoutSeconds * 1000).unref();
  }
  try {
    const summary = await build()({ id });
    const failed = summary.counts.failed ?? 0;
    report(failed ? "ERROR" : "INFO", "sync task finished", { job, runId: id, ok: failed === 0, summary });
    return failed ? 1 : 0;
  } catch (error) {
    report("ERROR", "sync task failed", { job, runId: id, error: (error as Error).message ?? String(error) });
    return 1;
  }
}

main(process.env).then(
  (code) => process.exit(code),
  (error) => {
    report("ERROR", "sync task failed", { error: String(error) });
    process.exit(1);
  },
);
