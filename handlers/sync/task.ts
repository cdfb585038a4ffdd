// The container entrypoint of a scheduled sync on Fargate (ScheduledSync's `runner: "fargate"`):
// one run of the same function definition the Lambda runner uses, then the process exits — 0 when
// the run finished with nothing failed, 1 otherwise — so the ECS task's exit code tells the run's
// outcome. Bundled by `npm run build:task` (esbuild) into dist/sync-task.js; see handlers/sync/Dockerfile.
//
// Environment: SYNC_JOB (a job of the registry, handlers/sync/registry.ts), the job's own
// environment (its run function's definition), SYNC_TIMEOUT_SECONDS (optional: a run still going
// after this long is stopped and counts as failed; ECS has no timeout of its own),
// ECS_CONTAINER_METADATA_URI_V4 (set by ECS: the run id is the task id).
import { buildHandler } from "../shared/function-environment";
import { findSyncJob, type SyncJobRegistry } from "./job-definition";
import { syncJobs } from "./registry";
import { TASK_ENV } from "./task-env";

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

/** The exit code: 0 when the run finished and nothing in it failed, 1 otherwise. `jobs`: the registry to pick SYNC_JOB from. */
export async function runSyncTask(env: NodeJS.ProcessEnv, jobs: SyncJobRegistry = syncJobs): Promise<number> {
  const name = env[TASK_ENV.job] ?? "";
  const job = findSyncJob(jobs, name);
  if (!job) {
    report("ERROR", "sync task failed", { job: name, error: `${TASK_ENV.job} must be one of ${jobs.map((j) => j.name).join(", ")}, not "${name}"` });
    return 1;
  }
  const id = await runId(env);
  const timeoutSeconds = Number(env[TASK_ENV.timeoutSeconds] ?? 0);
  let watchdog: NodeJS.Timeout | undefined;
  if (timeoutSeconds > 0) {
    watchdog = setTimeout(() => {
      report("ERROR", "sync task failed", { job: name, runId: id, error: `the run took longer than ${timeoutSeconds} s (${TASK_ENV.timeoutSeconds})` });
      process.exit(1);
    }, timeoutSeconds * 1000);
    watchdog.unref();
  }
  try {
    const summary = await buildHandler(job.run, env)({ id });
    const ok = summary.ok !== false && (summary.counts.failed ?? 0) === 0;
    report(ok ? "INFO" : "ERROR", "sync task finished", { job: name, runId: id, ok, summary });
    return ok ? 0 : 1;
  } catch (error) {
    report("ERROR", "sync task failed", { job: name, runId: id, error: (error as Error).message ?? String(error) });
    return 1;
  } finally {
    clearTimeout(watchdog);
  }
}

// The container's CMD runs this file; a test imports it and calls runSyncTask with its own registry.
if (require.main === module) {
  runSyncTask(process.env).then(
    (code) => process.exit(code),
    (error) => {
      report("ERROR", "sync task failed", { error: String(error) });
      process.exit(1);
    },
  );
}
