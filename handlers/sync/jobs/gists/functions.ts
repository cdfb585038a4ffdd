// The gists job's functions, written once: a run (GitHub gists → Pipedrive deals) and its read API.
// ScheduledSync deploys them (a Lambda function, or the run in a Fargate task), local mode and
// `npm run sync` run them in process. See handlers/shared/function-definition.ts.
import { defineFunction, resource, secret, setting, type EnvValues } from "../../../shared/function-definition";
import { DEFAULT_RUNTIME_PACKAGES, POWERTOOLS_PACKAGES } from "../../../shared/packages";
import { gistsSyncHandler } from "../../gists";
import { gistsReadDeps, gistsReadHandler } from "../../gists-read";

const runEnv = {
  // UpdateItem: RunStateStore.confirm (intent → confirmed), which only the gists job uses.
  SYNC_STATE_TABLE: resource("state", [{ actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"] }]),
  /** GitHub users whose public gists become deals (comma-separated). */
  GIST_USERS: setting("users", "list"),
  GITHUB_API_URL: setting("githubApiUrl", "text", { fallback: "https://api.github.com", about: "GitHub's API base URL: another endpoint for a run (GitHub Enterprise `https://HOST/api/v3`, a stand-in); local mode's stand-ins set it" }),
  /** 5000 requests/h instead of 60. */
  GITHUB_TOKEN: secret("githubToken", { optional: true }),
  PIPEDRIVE_BASE_URL: setting("pipedriveBaseUrl"),
  PIPEDRIVE_API_TOKEN: secret("pipedriveApiToken"),
  /** Key of the deal custom field that holds the gist URL. */
  PIPEDRIVE_GIST_URL_FIELD: setting("pipedriveGistUrlField"),
};
/** What a gists run is built from (handlers/sync/gists.ts). */
export type GistsRunEnv = EnvValues<typeof runEnv>;

/** One run of the gists job. */
export const gistsRunFunction = defineFunction({
  service: "sync-gists",
  packages: [...POWERTOOLS_PACKAGES, "got"],
  env: runEnv,
  create: (env, service) => gistsSyncHandler(service, env),
});

const readEnv = {
  /** Read only: the read API never writes the run state. */
  SYNC_STATE_TABLE: resource("state", [{ actions: ["dynamodb:GetItem", "dynamodb:Query"] }]),
  SESSIONS_TABLE: resource("sessions", [{ actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"] }]),
  /** The users the sync scans now (`/users/current`). */
  GIST_USERS: setting("users", "list"),
  /** The sync's schedule expression (`/users/current`). */
  SYNC_SCHEDULE: setting("schedule"),
  /** Days a session lives after its last call. */
  SESSION_TTL_DAYS: setting("sessionTtlDays", "number", { fallback: "30" }),
  // Not read: the read function has always had the job's other plain settings in its environment.
  // Kept so that deploying this definition changes nothing; drop both in a change of their own.
  PIPEDRIVE_BASE_URL: setting("pipedriveBaseUrl", "text", { optional: true }),
  PIPEDRIVE_GIST_URL_FIELD: setting("pipedriveGistUrlField", "text", { optional: true }),
};
/** What the read API is built from (handlers/sync/gists-read.ts). */
export type GistsReadEnv = EnvValues<typeof readEnv>;

/** `/users/scanned`, `/users/current`, `/gists` and their original paths, one function for all. */
export const gistsReadFunction = defineFunction({
  service: "sync-gists-read",
  packages: DEFAULT_RUNTIME_PACKAGES,
  env: readEnv,
  create: (env, service) => gistsReadHandler(gistsReadDeps(service, env)),
});
