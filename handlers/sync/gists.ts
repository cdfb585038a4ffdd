import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createObservability, requireEnv } from "../shared/observability";
import { secretFromEnv } from "../shared/secret";
import { GitHubClient } from "./github";
import { runGistsJob, type GistsJobDeps } from "./gists-job";
import { PipedriveClient } from "./pipedrive";
import { RunStateStore } from "./run-state";
import { scheduledHandler } from "./scheduled";

/**
 * The gists job's Lambda handler, built once per cold start from the environment:
 * SYNC_STATE_TABLE, GIST_USERS (comma-separated), GITHUB_API_URL (default https://api.github.com),
 * GITHUB_TOKEN(_PARAMETER) (optional), PIPEDRIVE_BASE_URL, PIPEDRIVE_API_TOKEN(_PARAMETER),
 * PIPEDRIVE_GIST_URL_FIELD.
 */
export function gistsSyncHandler(service: string, env: NodeJS.ProcessEnv = process.env) {
  const obs = createObservability(service);
  const state = new RunStateStore(new DynamoDBClient({}), requireEnv("SYNC_STATE_TABLE", env), "gists");
  const githubToken = env.GITHUB_TOKEN || env.GITHUB_TOKEN_PARAMETER ? secretFromEnv("GITHUB_TOKEN", env) : undefined;
  const pipedriveToken = secretFromEnv("PIPEDRIVE_API_TOKEN", env);
  const users = requireEnv("GIST_USERS", env).split(",").map((u) => u.trim()).filter(Boolean);
  return scheduledHandler(obs, state, async (runId) => {
    const deps: GistsJobDeps = {
      github: new GitHubClient({ baseUrl: env.GITHUB_API_URL ?? "https://api.github.com", token: githubToken && (await githubToken()) }),
      pipedrive: new PipedriveClient({ baseUrl: requireEnv("PIPEDRIVE_BASE_URL", env), apiToken: await pipedriveToken() }),
      state,
      obs,
      users,
      gistUrlField: requireEnv("PIPEDRIVE_GIST_URL_FIELD", env),
    };
    return runGistsJob(deps, runId);
  });
}
