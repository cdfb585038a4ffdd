// `npm run sync -- gists [--fake]`: one run of a scheduled job on this machine, like the original
// `python handler.py`. Run state is kept in DynamoDB Local under .local/sync-dynamodb, so a second
// run shows what the job remembers. With --fake the job talks to local stand-ins of GitHub and
// Pipedrive (seeded with a few gists) instead of the real APIs.
// Real APIs: GIST_USERS (comma-separated), PIPEDRIVE_BASE_URL, PIPEDRIVE_API_TOKEN,
// PIPEDRIVE_GIST_URL_FIELD, optional GITHUB_TOKEN.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { gistsSyncHandler } from "../handlers/sync/gists";
import { syncStateTable } from "../handlers/sync/tables";
import { useLocalAws } from "./aws-env";
import { LocalSetupError, startDynamoDbLocal } from "./dynamodb-local";
import { startGitHubStandIn } from "./standins/github";
import { startPipedriveStandIn } from "./standins/pipedrive";
import { createTable } from "./tables";

const ROOT = join(__dirname, "..");
export const LOCAL_SYNC_STATE_TABLE = "switchyard-local-sync-state";
const REAL_SETTINGS = { gists: ["GIST_USERS", "PIPEDRIVE_BASE_URL", "PIPEDRIVE_API_TOKEN", "PIPEDRIVE_GIST_URL_FIELD"] } as const;

type Stop = () => Promise<void>;

/** Stand-ins seeded with two gists per user; the settings that point the job at them. */
async function fakeGistsWorld(users: string[]): Promise<{ env: NodeJS.ProcessEnv; stop: Stop; report: () => unknown }> {
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

async function main() {
  const [job, ...flags] = process.argv.slice(2);
  const fake = flags.includes("--fake");
  if (job !== "gists") throw new LocalSetupError(`usage: npm run sync -- gists [--fake]   (got "${job ?? ""}")`);
  const users = (process.env.GIST_USERS ?? (fake ? "octocat,hubot" : "")).split(",").filter(Boolean);
  const missing = fake ? [] : REAL_SETTINGS.gists.filter((name) => !process.env[name]);
  if (missing.length) throw new LocalSetupError(`set ${missing.join(", ")} (or use --fake for the local stand-ins)`);

  const dataDir = join(process.env.SWITCHYARD_LOCAL_DIR ?? join(ROOT, ".local"), "sync-dynamodb");
  mkdirSync(dataDir, { recursive: true });
  const dynamodb = await startDynamoDbLocal({ dbPath: dataDir });
  const stops: Stop[] = [() => dynamodb.stop()];
  try {
    useLocalAws({ dynamodb: dynamodb.endpoint });
    await createTable(dynamodb.client, LOCAL_SYNC_STATE_TABLE, syncStateTable);
    const world = fake ? await fakeGistsWorld(users) : undefined;
    if (world) stops.push(world.stop);
    const env = { ...process.env, POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "WARN", POWERTOOLS_METRICS_DISABLED: "true", SYNC_STATE_TABLE: LOCAL_SYNC_STATE_TABLE, GIST_USERS: users.join(","), ...world?.env };
    Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: env.POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_DISABLED: "true" });
    const summary = await gistsSyncHandler("sync-gists", env)({ id: `local-${new Date().toISOString()}` });
    console.log(JSON.stringify({ summary, ...(world ? { fake: world.report() } : {}) }, null, 2));
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

main().catch((error) => {
  console.error(error instanceof LocalSetupError ? `npm run sync: ${error.message}` : error);
  process.exit(1);
});
