// The scheduled syncs on this machine, as `npm run sync` (one run) and `npm start` (on their
// schedules, plus a trigger) run them: every job of the registry (handlers/sync/registry.ts), its
// run function's definition built with the environment its Lambda would get, with DynamoDB Local
// and s3rver, against the real APIs when its settings are in the environment (under the same keys
// as in the function's environment) and otherwise against the job's stand-ins, seeded with a
// little data.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { apiHealthDeps, apiHealthHandler } from "../handlers/health/api-health";
import { API_HEALTH_ROUTE_KEY } from "../handlers/health/routes";
import type { EnvSpec } from "../handlers/shared/function-definition";
import { httpHandler, jsonResponse } from "../handlers/shared/http";
import { createObservability } from "../handlers/shared/observability";
import { HttpProblem } from "../handlers/shared/problem";
import { SYNC_STATE, findSyncJob, type StandInWorld, type SyncJobDefinition, type SyncJobRegistry, type SyncRunHandler, type SyncStandIn } from "../handlers/sync/job-definition";
import { syncJobs } from "../handlers/sync/registry";
import type { JobSummary } from "../handlers/sync/scheduled";
import { syncStateTable } from "../handlers/sync/tables";
import type { LocalRoute } from "./emulators/api-server";
import { localHandler, type LocalLinks } from "./defined-function";
import { nextRun } from "./emulators/schedule";
import type { S3Local } from "./emulators/s3-local";
import { createTable } from "./emulators/tables";
import { localTableName } from "./topology";

/** Every job's run state, one table keyed by job name (kept across versions: it holds what each job already did). */
export const LOCAL_SYNC_STATE_TABLE = "switchyard-local-sync-state";

/** `<JOB>_SCHEDULE` overrides a job's default schedule locally. Example: `GISTS_SCHEDULE`. */
export const scheduleVariable = (job: string) => `${job.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_SCHEDULE`;
/** The variables local mode read before they were derived from the job's name. */
const OLD_SCHEDULE_VARIABLES: Record<string, string> = { gists: "GIST_SCHEDULE" };

/** A job's schedule here: `<JOB>_SCHEDULE` when set, else the job's default (the stacks' too). */
export function localSchedule(job: SyncJobDefinition, env: NodeJS.ProcessEnv): string {
  const old = OLD_SCHEDULE_VARIABLES[job.name];
  return env[scheduleVariable(job.name)] || (old && env[old]) || job.schedule;
}

/**
 * The environment keys a job needs to talk to the real APIs: its run function's settings and
 * secrets that are neither optional nor defaulted. Without all of them, local mode uses the stand-ins.
 */
export function realSettings(job: SyncJobDefinition): string[] {
  return Object.entries(job.run.env as EnvSpec)
    .filter(([, spec]) => (spec.kind === "setting" && !spec.optional && spec.fallback === undefined) || (spec.kind === "secret" && !spec.optional))
    .map(([key]) => key);
}

export const hasRealSettings = (job: SyncJobDefinition, env: NodeJS.ProcessEnv) => realSettings(job).every((key) => env[key]);

export type Stop = () => Promise<void>;

/** A job's settings and secrets as the environment gives them, by logical name (each under its function's key). */
function givenLinks(definitions: { env: EnvSpec }[], env: NodeJS.ProcessEnv): Required<Pick<LocalLinks, "settings" | "secrets">> {
  const settings: Record<string, string | undefined> = {};
  const secrets: Record<string, string | undefined> = {};
  for (const definition of definitions) {
    for (const [key, spec] of Object.entries(definition.env as EnvSpec)) {
      if (!env[key]) continue;
      if (spec.kind === "setting") settings[spec.setting] ??= env[key];
      else if (spec.kind === "secret") secrets[spec.secret] ??= env[key];
    }
  }
  return { settings, secrets };
}

/** The job's stand-ins, from the module its definition names. */
async function loadStandIn(job: SyncJobDefinition): Promise<SyncStandIn> {
  if (!job.standIn) throw new Error(`the ${job.name} job has no stand-ins: set ${realSettings(job).join(", ")}`);
  const module = (await import(job.standIn)) as { standIn?: SyncStandIn };
  if (!module.standIn) throw new Error(`${job.standIn} exports no standIn`);
  return module.standIn;
}

/** A job ready to run: its handler, wired to local tables and to the real APIs or the stand-ins. */
export interface PreparedJob {
  job: SyncJobDefinition;
  handler: SyncRunHandler;
  /** What the job's definitions are given here (tables, settings, secrets), for its read API. */
  links: LocalLinks;
  world?: StandInWorld;
  stop: Stop;
}

/**
 * Creates the job's tables (and buckets) in the local emulators and builds its handler. `fake`
 * uses the stand-ins; otherwise the real APIs from `env` (realSettings). The AWS SDK must already
 * point at the emulators (useLocalAws).
 */
export async function prepareSyncJob(job: SyncJobDefinition, options: { dynamodb: DynamoDBClient; s3?: S3Local; fake: boolean; env?: NodeJS.ProcessEnv }): Promise<PreparedJob> {
  const base = options.env ?? process.env;
  await createTable(options.dynamodb, LOCAL_SYNC_STATE_TABLE, syncStateTable);
  const resources: Record<string, string> = { [SYNC_STATE]: LOCAL_SYNC_STATE_TABLE };
  for (const [logical, definition] of Object.entries(job.tables ?? {})) {
    resources[logical] = localTableName(job.name, logical);
    await createTable(options.dynamodb, resources[logical], definition);
  }
  for (const logical of Object.keys(job.buckets ?? {})) {
    if (!options.s3) throw new Error(`the ${job.name} job needs s3rver`);
    resources[logical] = localTableName(job.name, logical);
    await options.s3.createBucket(resources[logical]);
  }
  const given = givenLinks([job.run, ...(job.read ? [job.read.definition] : [])], base);
  const world = options.fake ? await (await loadStandIn(job)).start({ ...given.settings, ...given.secrets }) : undefined;
  const links: LocalLinks = { resources, settings: { ...given.settings, ...world?.settings }, secrets: { ...given.secrets, ...world?.secrets } };
  const handler = localHandler(job.run, links, base);
  return { job, handler, links, world, stop: world ? () => world.stop() : async () => undefined };
}

export interface LocalSchedules {
  /** `GET /health` (every job), the jobs' read APIs and `POST /_local/sync/{job}`, the trigger. */
  routes: LocalRoute[];
  jobs: { job: string; schedule: string; mode: "stand-ins" | "real APIs"; nextRunAt?: Date }[];
  /** Runs a job now (refused while a run of it is in progress). */
  runNow(job: string): Promise<JobSummary>;
  /** Resolves when no run is in progress. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export class SyncRunningError extends Error {}

/**
 * The syncs as the stacks run them, on this machine: each job of `jobs` (default: the shipped
 * registry) runs once at start, then on its schedule (like its EventBridge rule); one run of a job
 * at a time. Every job always runs here — against the real APIs when its settings are in the
 * environment, else against its stand-ins.
 */
export async function startLocalSchedules(options: {
  dynamodb: DynamoDBClient;
  s3: S3Local;
  env?: NodeJS.ProcessEnv;
  jobs?: SyncJobRegistry;
  runAtStart?: boolean;
  log?: (line: string) => void;
}): Promise<LocalSchedules> {
  const env = options.env ?? process.env;
  const registry = options.jobs ?? syncJobs;
  const log = options.log ?? ((line: string) => console.log(line));
  const schedules = Object.fromEntries(registry.map((job) => [job.name, localSchedule(job, env)]));
  // A bad expression fails the start, not a timer later.
  for (const schedule of Object.values(schedules)) nextRun(schedule, new Date());
  const prepared = await Promise.all(registry.map((job) => prepareSyncJob(job, { dynamodb: options.dynamodb, s3: options.s3, fake: !hasRealSettings(job, env), env })));
  const running = new Map<string, Promise<JobSummary>>();
  const timers = new Map<string, NodeJS.Timeout>();
  const jobs: LocalSchedules["jobs"] = prepared.map((p) => ({ job: p.job.name, schedule: schedules[p.job.name]!, mode: p.world ? "stand-ins" : "real APIs" }));
  let stopped = false;

  const runNow = (job: string): Promise<JobSummary> => {
    if (running.has(job)) return Promise.reject(new SyncRunningError(`a ${job} run is in progress`));
    const run = prepared
      .find((p) => p.job.name === job)!
      .handler({ id: `local-${job}-${new Date().toISOString()}` })
      .then((summary) => {
        log(`[sync ${job}] ${summary.runId}: ${Object.entries(summary.counts).map(([k, v]) => `${k} ${v}`).join(", ")}`);
        return summary;
      })
      .finally(() => running.delete(job));
    running.set(job, run);
    return run;
  };

  const scheduleNext = (entry: LocalSchedules["jobs"][number]) => {
    if (stopped) return;
    entry.nextRunAt = nextRun(entry.schedule, new Date());
    // Node timers hold at most ~24.8 days; a later run re-arms on the way.
    const delay = Math.min(entry.nextRunAt.getTime() - Date.now(), 2 ** 31 - 1);
    const timer = setTimeout(() => {
      if (Date.now() >= entry.nextRunAt!.getTime()) runNow(entry.job).catch((error: Error) => log(`[sync ${entry.job}] run failed or skipped: ${error.message}`));
      scheduleNext(entry);
    }, delay);
    timer.unref();
    timers.set(entry.job, timer);
  };
  for (const entry of jobs) {
    if (options.runAtStart ?? true) runNow(entry.job).catch((error: Error) => log(`[sync ${entry.job}] first run failed: ${error.message}`));
    scheduleNext(entry);
  }

  const names = registry.map((job) => job.name);
  const obs = createObservability("local-sync-trigger");
  const trigger = httpHandler(obs, async (event) => {
    const job = event.pathParameters?.job ?? "";
    if (!findSyncJob(registry, job)) throw new HttpProblem("not-found", `No sync job "${job}"; the jobs are ${names.slice(0, -1).join(", ")}${names.length > 1 ? " and " : ""}${names.at(-1)}.`);
    try {
      return jsonResponse(200, await runNow(job));
    } catch (error) {
      if (error instanceof SyncRunningError) throw new HttpProblem("conflict", `${error.message}; try again when it ends.`);
      throw error;
    }
  });

  // Each job's read API, as ScheduledSync puts it on the stack's HTTP API: the same definition, the same state.
  const readRoutes: LocalRoute[] = [];
  for (const { job, links } of prepared) {
    if (!job.read) continue;
    const tables: Record<string, string> = {};
    for (const [logical, definition] of Object.entries(job.read.tables ?? {})) {
      tables[logical] = localTableName(job.name, logical);
      await createTable(options.dynamodb, tables[logical], definition);
    }
    const handler = localHandler(job.read.definition, { ...links, resources: { ...links.resources, ...tables }, settings: { ...links.settings, schedule: schedules[job.name] } }, env);
    readRoutes.push(...job.read.routeKeys.map((routeKey) => ({ routeKey, handler })));
  }
  // The API's health, as a stack's ObservabilityDashboard wires it: SYNCS names every job's run state.
  const syncsEnv = Object.fromEntries(jobs.map((j) => [j.job, { table: LOCAL_SYNC_STATE_TABLE, schedule: j.schedule }]));
  const titles = Object.fromEntries(registry.map((job) => [job.name, job.title]));
  const health = apiHealthHandler(apiHealthDeps("api-health", { ...env, SYNCS: JSON.stringify(syncsEnv) }, titles));

  return {
    routes: [{ routeKey: API_HEALTH_ROUTE_KEY, handler: health }, ...readRoutes, { routeKey: "POST /_local/sync/{job}", handler: trigger }],
    jobs,
    runNow,
    idle: async () => {
      await Promise.allSettled([...running.values()]);
    },
    stop: async () => {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      await Promise.allSettled([...running.values()]);
      await Promise.all(prepared.map((p) => p.stop()));
    },
  };
}
