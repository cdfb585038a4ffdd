import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import { httpHandler, jsonResponse, validate, type HttpHandler } from "../shared/http";
import { createObservability, type Observability } from "../shared/observability";
import { HttpProblem } from "../shared/problem";
import { RunStateStore, type RunState } from "../sync/run-state";
import { runsPerHour } from "../sync/schedule";

/** One scheduled sync as `/health` sees it: where its run state is and how often it should run. */
export interface HealthSync {
  job: string;
  /** What people call it (the job definition's title), when known. Example: `"Gists → Pipedrive"`. */
  title?: string;
  table: string;
  schedule: string;
  state: RunStateStore;
}

export interface ApiHealthDeps {
  syncs: HealthSync[];
  obs: Observability;
  schemas: ReturnType<typeof apiHealthSchemas>;
  now?: () => Date;
}

/** `SYNCS` (what the function is told) and the query (nothing; anything is a 400). */
export function apiHealthSchemas() {
  return {
    Syncs: z.record(z.string().min(1), z.object({ table: z.string().min(1), schedule: z.string().min(1) })),
    Query: z.strictObject({}),
  };
}

/**
 * Reads SYNCS: JSON `{"<job>": {"table": "<run-state table>", "schedule": "rate(30 minutes)"}, …}`;
 * absent or `{}` means the stack has no syncs. A malformed value fails the cold start (a deploy bug).
 * `titles`: each job's title by name (the job definitions'), reported with its health.
 */
export function apiHealthDeps(service: string, env: NodeJS.ProcessEnv = process.env, titles: Readonly<Record<string, string>> = {}): ApiHealthDeps {
  const schemas = apiHealthSchemas();
  let raw: unknown;
  try {
    raw = JSON.parse(env.SYNCS || "{}");
  } catch (error) {
    throw new Error(`Environment variable SYNCS is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = schemas.Syncs.safeParse(raw);
  if (!parsed.success) throw new Error(`Environment variable SYNCS is not {"<job>":{"table","schedule"}}: ${parsed.error.message}`);
  const db = new DynamoDBClient({});
  return {
    syncs: Object.entries(parsed.data).map(([job, { table, schedule }]) => ({ job, ...(titles[job] ? { title: titles[job] } : {}), table, schedule, state: new RunStateStore(db, table, job) })),
    obs: createObservability(service),
    schemas,
  };
}

/** A job's last run and freshness: stale once its last success is more than two intervals old. */
function syncHealth(run: RunState, schedule: string, now: Date, title?: string) {
  const perHour = runsPerHour(schedule);
  const minutesSinceSuccess = run.lastSuccess ? Math.round((now.getTime() - Date.parse(run.lastSuccess)) / 6_000) / 10 : null;
  const stale = minutesSinceSuccess === null || perHour === undefined ? null : minutesSinceSuccess > 2 * (60 / perHour);
  return { ...(title ? { title } : {}), schedule, lastStart: run.lastStart ?? null, lastSuccess: run.lastSuccess ?? null, lastError: run.lastError ?? null, minutesSinceSuccess, stale };
}

/**
 * `GET /health`: the API is up, and how every scheduled sync is doing (read from each job's `RUN`
 * item). Always 200 while the run state can be read, stale syncs included — staleness is data
 * (and the dashboard's alarm), not an outage of the API. An unreadable run state is a 503.
 */
export function apiHealthHandler(deps: ApiHealthDeps): HttpHandler {
  const { syncs, obs, schemas } = deps;
  const now = deps.now ?? (() => new Date());
  return httpHandler(obs, async (event) => {
    validate(schemas.Query, event.queryStringParameters ?? {}, "query");
    const at = now();
    const read = await Promise.allSettled(syncs.map((s) => s.state.run()));
    const unreadable = syncs.filter((_, i) => read[i]!.status === "rejected");
    if (unreadable.length) {
      for (const s of unreadable) {
        const { reason } = read[syncs.indexOf(s)] as PromiseRejectedResult;
        obs.logger.error("health: run state unreadable", { job: s.job, table: s.table, error: reason as Error });
      }
      throw new HttpProblem("service-unavailable", `The run state of ${unreadable.map((s) => s.job).join(", ")} cannot be read right now.`);
    }
    const body = Object.fromEntries(syncs.map((s, i) => [s.job, syncHealth((read[i] as PromiseFulfilledResult<RunState>).value, s.schedule, at, s.title)]));
    return jsonResponse(200, { status: "ok", syncs: body });
  });
}

/**
 * The health function's factory for a stack whose syncs have these titles (by job name): what
 * Pulumi serializes, the titles captured in the upload (the environment keeps only SYNCS).
 * Example: `apiHealthFactory({ gists: "Gists → Pipedrive" })`.
 */
export function apiHealthFactory(titles: Readonly<Record<string, string>>) {
  return () => apiHealthHandler(apiHealthDeps("health-api", process.env, titles));
}
