import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createObservability } from "../shared/observability";
import { GitHubClient } from "./github";
import { runGistsJob, type GistsJobDeps } from "./gists-job";
import type { GistsRunEnv } from "./jobs/gists/functions";
import { PipedriveClient } from "./pipedrive";
import { RunStateStore } from "./run-state";
import { scheduledHandler } from "./scheduled";

/**
 * The gists job's handler, built once per cold start from its typed environment (the definition's:
 * handlers/sync/jobs/gists/functions.ts). The tokens are fetched when a run starts.
 */
export function gistsSyncHandler(service: string, env: GistsRunEnv) {
  const obs = createObservability(service);
  const state = new RunStateStore(new DynamoDBClient({}), env.SYNC_STATE_TABLE, "gists");
  return scheduledHandler(obs, state, async (runId) => {
    const deps: GistsJobDeps = {
      github: new GitHubClient({ baseUrl: env.GITHUB_API_URL, token: env.GITHUB_TOKEN && (await env.GITHUB_TOKEN()) }),
      pipedrive: new PipedriveClient({ baseUrl: env.PIPEDRIVE_BASE_URL, apiToken: await env.PIPEDRIVE_API_TOKEN() }),
      state,
      obs,
      users: env.GIST_USERS,
      gistUrlField: env.PIPEDRIVE_GIST_URL_FIELD,
    };
    return runGistsJob(deps, runId);
  });
}
