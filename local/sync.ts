// `npm run sync -- gists|skills [--fake]`: one run of a scheduled job on this machine, like the
// original `python handler.py`. Run state and tables are kept in DynamoDB Local under
// .local/sync-dynamodb (archives in .local/sync-s3), so a second run shows what the job remembers.
// With --fake the job talks to local stand-ins (GitHub, Pipedrive, Airtable, Badgr), seeded with a
// little data, instead of the real APIs.
// Real APIs, gists: GIST_USERS (comma-separated), PIPEDRIVE_BASE_URL, PIPEDRIVE_API_TOKEN,
// PIPEDRIVE_GIST_URL_FIELD, optional GITHUB_TOKEN. Skills: AIRTABLE_TOKEN, AIRTABLE_BASE_ID,
// AIRTABLE_TABLE, RELEASE_REPO, BADGR_USERNAME, BADGR_PASSWORD, BADGR_ISSUER, optional
// BADGR_BASE_URL and GITHUB_TOKEN.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startS3Local } from "./s3-local";
import { useLocalAws } from "./aws-env";
import { LocalSetupError, startDynamoDbLocal } from "./dynamodb-local";
import { REAL_SETTINGS, prepareSyncJob, type Stop } from "./syncs";

const ROOT = join(__dirname, "..");

async function main() {
  const [job, ...flags] = process.argv.slice(2);
  const fake = flags.includes("--fake");
  if (job !== "gists" && job !== "skills") throw new LocalSetupError(`usage: npm run sync -- gists|skills [--fake]   (got "${job ?? ""}")`);
  const missing = fake ? [] : REAL_SETTINGS[job].filter((name) => !process.env[name]);
  if (missing.length) throw new LocalSetupError(`set ${missing.join(", ")} (or use --fake for the local stand-ins)`);

  const dataDir = join(process.env.SWITCHYARD_LOCAL_DIR ?? join(ROOT, ".local"), "sync-dynamodb");
  mkdirSync(dataDir, { recursive: true });
  const dynamodb = await startDynamoDbLocal({ dbPath: dataDir });
  const stops: Stop[] = [() => dynamodb.stop()];
  try {
    const s3 = job === "skills" ? await startS3Local({ directory: join(dataDir, "..", "sync-s3") }) : undefined;
    if (s3) stops.push(() => s3.stop());
    useLocalAws({ dynamodb: dynamodb.endpoint, s3: s3?.endpoint });
    Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "WARN", POWERTOOLS_METRICS_DISABLED: "true" });
    const prepared = await prepareSyncJob(job, { dynamodb: dynamodb.client, s3, fake });
    stops.push(prepared.stop);
    const summary = await prepared.handler({ id: `local-${new Date().toISOString()}` });
    console.log(JSON.stringify({ summary, ...(prepared.world ? { fake: prepared.world.report() } : {}) }, null, 2));
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

main().catch((error) => {
  console.error(error instanceof LocalSetupError ? `npm run sync: ${error.message}` : error);
  process.exit(1);
});
