// A scheduled sync job, written once in its own folder (handlers/sync/jobs/<job>/): its name and
// title, the function one run is, the settings a stack gives it, the tables and buckets it owns,
// its read routes, its default schedule and its local stand-ins. One registry
// (handlers/sync/registry.ts) lists the shipped jobs, and everything that runs or shows a sync
// reads it: ScheduledSync (components/scheduled-sync.ts), the Fargate task entry (task.ts),
// `npm run sync` and `npm start` (local/syncs.ts), `switchyard:syncs` (components/stack-config.ts),
// `GET /health` and the website's sync card (through the titles /health reports).
//
// Plain data and plain functions only, like a function definition: the run function's closure is
// what Pulumi serializes (never this object), so nothing here ends up in an upload but `run` and
// `read.definition`. The stand-ins are named by module path, never imported: they are local mode's,
// and neither the Lambda upload nor the Fargate bundle may carry them.
import type { z } from "zod";
import type { EnvSpec, FunctionDefinition } from "../shared/function-definition";
import type { HttpHandler } from "../shared/http";
import type { TableDefinition } from "../shared/table-definition";
import type { JobSummary } from "./scheduled";

/**
 * A function definition whatever its environment (each job's keys are its own): `create`'s
 * parameter type differs per definition, which no narrower type admits.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunctionDefinition<H> = FunctionDefinition<any, H>;

/** What a run function's `create` returns: one run per EventBridge event (or manual invoke). See scheduledHandler. */
export type SyncRunHandler = (event?: { id?: string }) => Promise<JobSummary>;

/** A bucket a job writes to. */
export interface SyncBucket {
  /** Where in it the job writes (its grants should name `/<prefix>*`). Example: `"releases/"`. */
  prefix: string;
}

/** HTTP routes a job serves from its run state, on the API the stack gives ScheduledSync. */
export interface SyncReadApi {
  /**
   * The function serving every route. Its environment names `"state"` (the run state) and its own
   * `tables`; its settings by the job's setting names, plus `"schedule"` and `"sessionTtlDays"`.
   * Example: `gistsReadFunction`.
   */
  definition: AnyFunctionDefinition<HttpHandler>;
  /** Example: `["GET /gists", "GET /getGists"]`. */
  routeKeys: readonly string[];
  /**
   * Tables the routes keep (sessions, expiring by TTL), by logical name; protected in prod like
   * the run state. Example: `{ sessions: sessionsTable }`.
   */
  tables?: Record<string, TableDefinition>;
}

/** Local mode's stand-ins for the APIs a job calls, seeded with a little data. */
export interface SyncStandIn {
  /**
   * Starts them. `given` holds the job's settings and secrets local mode already has from its
   * environment, by logical name (a stand-in may keep some, e.g. the users to seed).
   * Example: `start({ users: "octocat" })`.
   */
  start(given: Record<string, string | undefined>): Promise<StandInWorld>;
}

/** Running stand-ins: the settings and secrets that point the job at them, and what they saw. */
export interface StandInWorld {
  /** By logical setting name. Example: `{ githubApiUrl: "http://127.0.0.1:40123" }`. */
  settings: Record<string, string>;
  /** By logical secret name. Example: `{ pipedriveApiToken: "fake-pipedrive-token" }`. */
  secrets: Record<string, string>;
  stop(): Promise<void>;
  /** Shown by `npm run sync -- <job> --fake` after the run. */
  report(): unknown;
}

export interface SyncJobDefinition<S extends z.ZodObject = z.ZodObject> {
  /**
   * The job's name: ScheduledSync's resource names in index.ts, the run-state partition, SYNC_JOB,
   * `switchyard:syncs.<name>`, `npm run sync -- <name>`, `/health`'s key. Example: `"gists"`.
   */
  name: string;
  /** What people see (the website's sync card, `/health`). Example: `"Gists → Pipedrive"`. */
  title: string;
  /**
   * The function one run is (a Lambda function, or the same in a Fargate task). Its environment
   * names `"state"` (the run-state table), the job's `tables` and `buckets` by their logical
   * names, and its settings and secrets by the names `settings` gives them. Example: `gistsRunFunction`.
   */
  run: AnyFunctionDefinition<SyncRunHandler>;
  /**
   * The settings a stack gives the job (`switchyard:syncs.<name>`, besides `schedule` and
   * `runner`), checked at `pulumi up`. Which are secret follows from `run`: its `secret(...)` keys.
   * Example: `z.strictObject({ users: z.array(z.string()).min(1) })`.
   */
  settings: S;
  /** EventBridge rate or cron expression when the stack sets none. Example: `"rate(30 minutes)"`. */
  schedule: string;
  /** Seconds a Lambda run may take (at most 900). Example: `600`. Default `300`. */
  timeoutSeconds?: number;
  /** Tables the job fills, by logical name (stack resources `<job>-<kebab name>`). Example: `{ assessments: assessmentsTable }`. */
  tables?: Record<string, TableDefinition>;
  /** Private buckets the job writes, by logical name. Example: `{ releases: { prefix: "releases/" } }`. */
  buckets?: Record<string, SyncBucket>;
  /** Read routes, when the stack gives ScheduledSync an API. Example: `{ definition: gistsReadFunction, routeKeys: [...] }`. */
  read?: SyncReadApi;
  /**
   * Absolute path of the module whose `standIn` export is the job's {@link SyncStandIn} (loaded by
   * local mode only). Example: `join(__dirname, "stand-in")`.
   */
  standIn?: string;
  /**
   * Warnings for settings that work but probably not as meant, printed at `pulumi up`. Secret
   * settings may be outputs (only their presence is known). Example: a request budget exceeded.
   */
  warnings?: (settings: Readonly<Record<string, unknown>>, schedule: string) => string[];
}

/** Identity with inference: `defineSyncJob({ ... })` keeps the settings schema's type. */
export const defineSyncJob = <S extends z.ZodObject>(job: SyncJobDefinition<S>): SyncJobDefinition<S> => job;

/** The shipped jobs, or any other list of them (a test's, with a fixture job). */
export type SyncJobRegistry = readonly SyncJobDefinition[];

/** The job called `name`, if the registry has it. */
export const findSyncJob = (registry: SyncJobRegistry, name: string): SyncJobDefinition | undefined => registry.find((job) => job.name === name);

/** The names of a job's secret settings: its functions' `secret(...)` keys. Example: `["githubToken", "pipedriveApiToken"]`. */
export function secretSettings(job: SyncJobDefinition): string[] {
  const specs = [job.run, ...(job.read ? [job.read.definition] : [])].flatMap((definition) => Object.values(definition.env as EnvSpec));
  return [...new Set(specs.flatMap((spec) => (spec.kind === "secret" ? [spec.secret] : [])))];
}

/** The run-state table's logical name in every job's environment. */
export const SYNC_STATE = "state";
