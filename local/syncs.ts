// The scheduled syncs on this machine, as `npm run sync` (one run) and `npm start` (on their
// schedules, plus a trigger) run them: the same handler code the Lambda runs, with DynamoDB Local
// and s3rver, against the real APIs when their settings are in the environment and otherwise
// against local stand-ins (GitHub, Pipedrive, Airtable, Badgr) seeded with a little data.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { apiHealthDeps, apiHealthHandler } from "../handlers/health/api-health";
import { API_HEALTH_ROUTE_KEY } from "../handlers/health/routes";
import { gistsReadDeps, gistsReadHandler } from "../handlers/sync/gists-read";
import { gistsReadRouteKeys } from "../handlers/sync/gists-routes";
import { gistsSyncHandler } from "../handlers/sync/gists";
import type { JobSummary } from "../handlers/sync/scheduled";
import { skillsSyncHandler } from "../handlers/sync/skills";
import { assertionsTable, assessmentsTable, badgeClassesTable, sessionsTable, syncStateTable } from "../handlers/sync/tables";
import { httpHandler, jsonResponse } from "../handlers/shared/http";
import { createObservability } from "../handlers/shared/observability";
import { HttpProblem } from "../handlers/shared/problem";
import type { LocalRoute } from "./api-server";
import { nextRun } from "./schedule";
import type { S3Local } from "./s3-local";
import { startAirtableStandIn } from "./standins/airtable";
import { startBadgrStandIn } from "./standins/badgr";
import { startGitHubStandIn } from "./standins/github";
import { startPipedriveStandIn } from "./standins/pipedrive";
import { createTable } from "./tables";

export type LocalSyncJob = "gists" | "skills";
export const LOCAL_SYNC_STATE_TABLE = "switchyard-local-sync-state";
export const LOCAL_SESSIONS_TABLE = "switchyard-local-gist-sessions";
export const LOCAL_SKILLS_TABLES = { ASSESSMENTS_TABLE: "switchyard-local-assessments", BADGE_CLASSES_TABLE: "switchyard-local-badge-classes", ASSERTIONS_TABLE: "switchyard-local-assertions" };
export const LOCAL_RELEASES_BUCKET = "switchyard-local-releases";
/** The stacks' default schedules (components/stack-config.ts); GIST_SCHEDULE / SKILLS_SCHEDULE override them locally. */
export const DEFAULT_SCHEDULES: Record<LocalSyncJob, string> = { gists: "rate(30 minutes)", skills: "rate(6 hours)" };
/** What a job needs to talk to the real APIs; without all of them, local mode uses the stand-ins. */
export const REAL_SETTINGS = {
  gists: ["GIST_USERS", "PIPEDRIVE_BASE_URL", "PIPEDRIVE_API_TOKEN", "PIPEDRIVE_GIST_URL_FIELD"],
  skills: ["AIRTABLE_TOKEN", "AIRTABLE_BASE_ID", "AIRTABLE_TABLE", "RELEASE_REPO", "BADGR_USERNAME", "BADGR_PASSWORD", "BADGR_ISSUER"],
} as const;
export const FAKE_GIST_USERS = ["octocat", "hubot"];

export const hasRealSettings = (job: LocalSyncJob, env: NodeJS.ProcessEnv) => REAL_SETTINGS[job].every((name) => env[name]);

export type Stop = () => Promise<void>;

/** Stand-ins seeded with data: the settings that point a job at them, and what they saw. */
export interface FakeWorld {
  env: NodeJS.ProcessEnv;
  stop: Stop;
  report: () => unknown;
}

/** Stand-ins seeded with two gists per user; the settings that point the job at them. */
export async function fakeGistsWorld(users: string[]): Promise<FakeWorld> {
  const [github, pipedrive] = await Promise.all([startGitHubStandIn(), startPipedriveStandIn({ token: "fake-pipedrive-token" })]);
  for (const user of users) {
    // Fixed ids: a second run recognises the gists it already turned into deals.
    github.addGist(user, { id: `${user}0001`, description: `${user}'s first gist`, created_at: "2026-11-01T10:00:00Z", updated_at: "2026-11-01T10:00:00Z" });
    github.addGist(user, { id: `${user}0002`, description: null, files: { "notes.md": { filename: "notes.md" } }, created_at: "2026-11-02T10:00:00Z", updated_at: "2026-11-02T10:00:00Z" });
  }
  return {
    env: { GITHUB_API_URL: github.url, PIPEDRIVE_BASE_URL: pipedrive.url, PIPEDRIVE_API_TOKEN: "fake-pipedrive-token", PIPEDRIVE_GIST_URL_FIELD: "gist_url" },
    stop: () => Promise.all([github.close(), pipedrive.close()]).then(() => undefined),
    report: () => ({
      githubRequests: github.requests.map((r) => `${r.method} ${r.path} → ${r.status}`),
      pipedriveDeals: pipedrive.deals().map((d) => ({ id: d.id, title: d.title, org_id: d.org_id, gist: d.custom_fields.gist_url })),
    }),
  };
}

/** Airtable, GitHub-release and Badgr stand-ins with a little data; the settings that point the job at them. */
export async function fakeSkillsWorld(): Promise<FakeWorld> {
  const [airtable, github, badgr] = await Promise.all([startAirtableStandIn({ token: "fake-pat" }), startGitHubStandIn(), startBadgrStandIn({ username: "fake@example.com", password: "fake" })]);
  airtable.setRecords("appFAKEFAKEFAKEFA", "Assessments", [
    { id: "recAda0000000001", fields: { Name: "Ada", Score: 91 }, createdTime: "2026-11-01T10:00:00.000Z" },
    { id: "recGrace00000002", fields: { Name: "Grace", Score: 88 }, createdTime: "2026-11-02T10:00:00.000Z" },
  ]);
  github.setLatestRelease("acme", "skill-app", { tag_name: "v1.0.0", body: "a release archive" });
  const issuer = badgr.addIssuer("issuer-fake");
  // Fixed ids, times and URLs (not the stand-in's random port), so a second run sees the same data.
  const fixed = (kind: string, id: string) => ({ entityId: id, openBadgeId: `https://badgr.example/public/${kind}/${id}`, image: `https://badgr.example/public/${kind}/${id}/image`, createdAt: "2026-11-01T10:00:00.000Z" });
  const badge = badgr.addBadgeClass(issuer, { ...fixed("badges", "badge-ts"), issuerOpenBadgeId: "https://badgr.example/public/issuers/issuer-fake", name: "TypeScript" });
  badgr.addAssertion(badge.entityId, { ...fixed("assertions", "assertion-1"), issuedOn: "2026-11-02T10:00:00.000Z" });
  badgr.addAssertion(badge.entityId, { ...fixed("assertions", "assertion-2"), issuedOn: "2026-11-03T10:00:00.000Z", revoked: true, revocationReason: "issued by mistake" });
  return {
    env: {
      AIRTABLE_BASE_URL: airtable.url,
      AIRTABLE_TOKEN: "fake-pat",
      AIRTABLE_BASE_ID: "appFAKEFAKEFAKEFA",
      AIRTABLE_TABLE: "Assessments",
      GITHUB_API_URL: github.url,
      RELEASE_REPO: "acme/skill-app",
      BADGR_BASE_URL: badgr.url,
      BADGR_USERNAME: "fake@example.com",
      BADGR_PASSWORD: "fake",
      BADGR_ISSUER: issuer,
    },
    stop: () => Promise.all([airtable.close(), github.close(), badgr.close()]).then(() => undefined),
    report: () => ({ requests: [...airtable.requests, ...github.requests, ...badgr.requests].map((r) => `${r.method} ${r.path} → ${r.status}`) }),
  };
}


/** A job ready to run: its handler, wired to local tables and to the real APIs or the stand-ins. */
export interface PreparedJob {
  job: LocalSyncJob;
  handler: (event?: { id?: string }) => Promise<JobSummary>;
  /** The settings the job runs with (tables, API URLs, users). */
  env: NodeJS.ProcessEnv;
  world?: FakeWorld;
  stop: Stop;
}

/**
 * Creates the job's tables (and bucket) in the local emulators and builds its handler. `fake`
 * uses the stand-ins; otherwise the real APIs from `env` (REAL_SETTINGS). The AWS SDK must already
 * point at the emulators (useLocalAws).
 */
export async function prepareSyncJob(job: LocalSyncJob, options: { dynamodb: DynamoDBClient; s3?: S3Local; fake: boolean; env?: NodeJS.ProcessEnv }): Promise<PreparedJob> {
  const base = options.env ?? process.env;
  await createTable(options.dynamodb, LOCAL_SYNC_STATE_TABLE, syncStateTable);
  let jobEnv: NodeJS.ProcessEnv;
  if (job === "gists") {
    jobEnv = { GIST_USERS: options.fake ? base.GIST_USERS || FAKE_GIST_USERS.join(",") : base.GIST_USERS };
  } else {
    if (!options.s3) throw new Error("the skills job needs s3rver");
    await options.s3.createBucket(LOCAL_RELEASES_BUCKET);
    await createTable(options.dynamodb, LOCAL_SKILLS_TABLES.ASSESSMENTS_TABLE, assessmentsTable);
    await createTable(options.dynamodb, LOCAL_SKILLS_TABLES.BADGE_CLASSES_TABLE, badgeClassesTable);
    await createTable(options.dynamodb, LOCAL_SKILLS_TABLES.ASSERTIONS_TABLE, assertionsTable);
    jobEnv = { ...LOCAL_SKILLS_TABLES, RELEASES_BUCKET: LOCAL_RELEASES_BUCKET };
  }
  const world = options.fake ? await (job === "gists" ? fakeGistsWorld(jobEnv.GIST_USERS!.split(",").filter(Boolean)) : fakeSkillsWorld()) : undefined;
  const env: NodeJS.ProcessEnv = { ...base, SYNC_STATE_TABLE: LOCAL_SYNC_STATE_TABLE, ...jobEnv, ...world?.env };
  const handler = job === "gists" ? gistsSyncHandler("sync-gists", env) : skillsSyncHandler("sync-skills", env);
  return { job, handler, env, world, stop: world?.stop ?? (async () => undefined) };
}

export interface LocalSchedules {
  /** `GET /health` (both jobs), the gists read API and `POST /_local/sync/{job}`, the trigger. */
  routes: LocalRoute[];
  jobs: { job: LocalSyncJob; schedule: string; mode: "stand-ins" | "real APIs"; nextRunAt?: Date }[];
  /** Runs a job now (refused while a run of it is in progress). */
  runNow(job: LocalSyncJob): Promise<JobSummary>;
  /** Resolves when no run is in progress. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export class SyncRunningError extends Error {}

/**
 * The syncs as the stacks run them, on this machine: each job runs once at start, then on its
 * schedule (like its EventBridge rule); one run of a job at a time. Both jobs always run here —
 * against the real APIs when their settings are in the environment, else against the stand-ins.
 */
export async function startLocalSchedules(options: {
  dynamodb: DynamoDBClient;
  s3: S3Local;
  env?: NodeJS.ProcessEnv;
  runAtStart?: boolean;
  log?: (line: string) => void;
}): Promise<LocalSchedules> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const schedules: Record<LocalSyncJob, string> = { gists: env.GIST_SCHEDULE || DEFAULT_SCHEDULES.gists, skills: env.SKILLS_SCHEDULE || DEFAULT_SCHEDULES.skills };
  // A bad expression fails the start, not a timer later.
  for (const schedule of Object.values(schedules)) nextRun(schedule, new Date());
  const prepared = await Promise.all((["gists", "skills"] as const).map((job) => prepareSyncJob(job, { dynamodb: options.dynamodb, s3: options.s3, fake: !hasRealSettings(job, env), env })));
  const running = new Map<LocalSyncJob, Promise<JobSummary>>();
  const timers = new Map<LocalSyncJob, NodeJS.Timeout>();
  const jobs: LocalSchedules["jobs"] = prepared.map((p) => ({ job: p.job, schedule: schedules[p.job], mode: p.world ? "stand-ins" : "real APIs" }));
  let stopped = false;

  const runNow = (job: LocalSyncJob): Promise<JobSummary> => {
    if (running.has(job)) return Promise.reject(new SyncRunningError(`a ${job} run is in progress`));
    const run = prepared
      .find((p) => p.job === job)!
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

  const obs = createObservability("local-sync-trigger");
  const trigger = httpHandler(obs, async (event) => {
    const job = event.pathParameters?.job;
    if (job !== "gists" && job !== "skills") throw new HttpProblem("not-found", `No sync job "${job}"; the jobs are gists and skills.`);
    try {
      return jsonResponse(200, await runNow(job));
    } catch (error) {
      if (error instanceof SyncRunningError) throw new HttpProblem("conflict", `${error.message}; try again when it ends.`);
      throw error;
    }
  });
  const gists = prepared.find((p) => p.job === "gists")!;
  const read = gistsReadHandler(gistsReadDeps("sync-gists-read", { ...gists.env, SESSIONS_TABLE: LOCAL_SESSIONS_TABLE, SYNC_SCHEDULE: schedules.gists }));
  await createTable(options.dynamodb, LOCAL_SESSIONS_TABLE, sessionsTable);
  // The API's health, as a stack's ObservabilityDashboard wires it: SYNCS names every job's run state.
  const syncsEnv = Object.fromEntries(jobs.map((j) => [j.job, { table: LOCAL_SYNC_STATE_TABLE, schedule: j.schedule }]));
  const health = apiHealthHandler(apiHealthDeps("api-health", { ...env, SYNCS: JSON.stringify(syncsEnv) }));

  return {
    routes: [
      { routeKey: API_HEALTH_ROUTE_KEY, handler: health },
      ...gistsReadRouteKeys().map(({ routeKey }) => ({ routeKey, handler: read })),
      { routeKey: "POST /_local/sync/{job}", handler: trigger },
    ],
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
