// `npm run sync -- <job> [--fake]`: one run of a scheduled job of the registry
// (handlers/sync/registry.ts: gists, skills) on this machine, like the original `python handler.py`.
// Run state, tables and buckets are the project folder's one local state (.local/, or
// SWITCHYARD_LOCAL_DIR), shared with `npm start`: with npm start running it uses its DynamoDB Local
// and s3rver, else it starts them on the same files (local/emulators/local-data.ts). It prints where. With --fake the job talks to its
// local stand-ins (GitHub, Pipedrive, Airtable, Badgr), seeded with a little data, instead of the
// real APIs. The real APIs' settings are read from the environment under the keys of the job's
// function (the usage error lists a job's): gists needs GIST_USERS, PIPEDRIVE_BASE_URL,
// PIPEDRIVE_API_TOKEN, PIPEDRIVE_GIST_URL_FIELD (optional GITHUB_TOKEN); skills AIRTABLE_TOKEN,
// AIRTABLE_BASE_ID, AIRTABLE_TABLE, RELEASE_REPO, BADGR_USERNAME, BADGR_PASSWORD, BADGR_ISSUER
// (optional BADGR_BASE_URL, GITHUB_TOKEN); GITHUB_API_URL, AIRTABLE_BASE_URL, BADGR_BASE_URL point a
// run at other endpoints (docs/syncs.md lists every key). It exits 1 when the run did not fully
// succeed (a user or source failed, a rate limit left work undone), after printing the summary.
import { join } from "node:path";
import { findSyncJob, type SyncJobRegistry } from "../handlers/sync/job-definition";
import { syncJobs } from "../handlers/sync/registry";
import type { JobSummary } from "../handlers/sync/scheduled";
import { parseCommandLine } from "../scripts/command-line";
import { useLocalAws } from "./emulators/aws-env";
import { LocalSetupError } from "./emulators/dynamodb-local";
import { openLocalData } from "./emulators/local-data";
import { nodeVersionNote } from "./node-version";
import { prepareSyncJob, realSettings, type Stop } from "./syncs";

const ROOT = join(__dirname, "..");

/** What one command run printed: the job's summary, and with --fake what the stand-ins saw. */
export interface SyncCommandResult {
  summary: JobSummary;
  fake?: unknown;
}

/** The usage line: the jobs are the registry's. */
const syncUsage = (jobs: SyncJobRegistry) => `npm run sync -- ${jobs.map((j) => j.name).join("|")} [--fake]`;

/** What `--help` prints; docs/syncs.md shows it (tests/tools/command-help.test.ts). */
export const syncHelp = (jobs: SyncJobRegistry = syncJobs) => `usage: ${syncUsage(jobs)}

Runs one sync job once on this machine against the real APIs its environment names (docs/syncs.md
lists every key), or with --fake against local stand-ins (GitHub, Pipedrive, Airtable, Badgr)
seeded with a little data. Its state is npm start's (.local/, or SWITCHYARD_LOCAL_DIR), shared
with a running npm start. Prints the run's summary as JSON.
Exit 0 the run fully succeeded, 1 it did not (a user or source failed, a rate limit left work
for later) or the command or its settings were wrong.`;

/** `args` as after `--` (`["gists", "--fake"]`): the job and whether to fake its APIs, or "help". */
export function parseSyncArgs(args: string[], jobs: SyncJobRegistry = syncJobs): { job: NonNullable<ReturnType<typeof findSyncJob>>; fake: boolean } | "help" {
  const usage = (problem: string) => new LocalSetupError(`usage: ${syncUsage(jobs)}   (${problem})`);
  let parsed;
  try {
    parsed = parseCommandLine({ args, options: { fake: { type: "boolean" }, help: { type: "boolean", short: "h" } }, allowPositionals: true });
  } catch (error) {
    throw usage((error as Error).message);
  }
  if (parsed.values.help) return "help";
  const [name, ...extra] = parsed.positionals;
  const job = findSyncJob(jobs, name ?? "");
  if (!job) throw usage(`got "${name ?? ""}"`);
  if (extra.length) throw usage(`unknown argument "${extra[0]}"`);
  return { job, fake: parsed.values.fake ?? false };
}

/**
 * `npm run sync`'s work: `args` as after `--` (`["gists", "--fake"]`), the jobs of `jobs` (default:
 * the shipped registry), settings and data folder from `env`. Prints the result as JSON and returns it.
 */
export async function syncCommand(args: string[], options: { jobs?: SyncJobRegistry; env?: NodeJS.ProcessEnv } = {}): Promise<SyncCommandResult> {
  const jobs = options.jobs ?? syncJobs;
  const env = options.env ?? process.env;
  const parsed = parseSyncArgs(args, jobs);
  if (parsed === "help") throw new LocalSetupError(syncHelp(jobs));
  const { job, fake } = parsed;
  const missing = fake ? [] : realSettings(job).filter((key) => !env[key]);
  if (missing.length) throw new LocalSetupError(`set ${missing.join(", ")} (or use --fake for the local stand-ins)`);

  const local = await openLocalData({ dir: env.SWITCHYARD_LOCAL_DIR ?? join(ROOT, ".local"), who: "npm run sync" });
  console.error(local.describe());
  const { dynamodb, s3 } = local;
  const stops: Stop[] = [() => local.stop()];
  try {
    useLocalAws({ dynamodb: dynamodb.endpoint, s3: s3.endpoint });
    Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "WARN", POWERTOOLS_METRICS_DISABLED: "true" });
    const prepared = await prepareSyncJob(job, { dynamodb: dynamodb.client, s3, fake, env });
    stops.push(prepared.stop);
    const summary = await prepared.handler({ id: `local-${new Date().toISOString()}` });
    const result: SyncCommandResult = { summary, ...(prepared.world ? { fake: prepared.world.report() } : {}) };
    console.log(JSON.stringify(result, null, 2));
    return result;
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

if (require.main === module) {
  const nodeNote = nodeVersionNote();
  if (nodeNote) console.error(nodeNote);
  const args = process.argv.slice(2);
  const run = async () => {
    if (parseSyncArgs(args) !== "help") return syncCommand(args);
    console.log(syncHelp());
    return { summary: { ok: true } };
  };
  run().then(
    ({ summary }) => {
      if (summary.ok === false) console.error("npm run sync: the run did not fully succeed (see the summary above); exit 1");
      process.exit(summary.ok === false ? 1 : 0);
    },
    (error) => {
      console.error(error instanceof LocalSetupError ? `npm run sync: ${error.message}` : error);
      process.exit(1);
    },
  );
}
