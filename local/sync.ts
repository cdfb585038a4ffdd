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
import { gistsSyncHandler } from "../handlers/sync/gists";
import { skillsSyncHandler } from "../handlers/sync/skills";
import { assertionsTable, assessmentsTable, badgeClassesTable, syncStateTable } from "../handlers/sync/tables";
import { startS3Local } from "./s3-local";
import { startAirtableStandIn } from "./standins/airtable";
import { startBadgrStandIn } from "./standins/badgr";
import { useLocalAws } from "./aws-env";
import { LocalSetupError, startDynamoDbLocal } from "./dynamodb-local";
import { startGitHubStandIn } from "./standins/github";
import { startPipedriveStandIn } from "./standins/pipedrive";
import { createTable } from "./tables";

const ROOT = join(__dirname, "..");
export const LOCAL_SYNC_STATE_TABLE = "switchyard-local-sync-state";
const REAL_SETTINGS = {
  gists: ["GIST_USERS", "PIPEDRIVE_BASE_URL", "PIPEDRIVE_API_TOKEN", "PIPEDRIVE_GIST_URL_FIELD"],
  skills: ["AIRTABLE_TOKEN", "AIRTABLE_BASE_ID", "AIRTABLE_TABLE", "RELEASE_REPO", "BADGR_USERNAME", "BADGR_PASSWORD", "BADGR_ISSUER"],
} as const;
const LOCAL_SKILLS_TABLES = { ASSESSMENTS_TABLE: "switchyard-local-assessments", BADGE_CLASSES_TABLE: "switchyard-local-badge-classes", ASSERTIONS_TABLE: "switchyard-local-assertions" };
const LOCAL_RELEASES_BUCKET = "switchyard-local-releases";

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

/** Airtable, GitHub-release and Badgr stand-ins with a little data; the settings that point the job at them. */
async function fakeSkillsWorld(): Promise<{ env: NodeJS.ProcessEnv; stop: Stop; report: () => unknown }> {
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

async function main() {
  const [job, ...flags] = process.argv.slice(2);
  const fake = flags.includes("--fake");
  if (job !== "gists" && job !== "skills") throw new LocalSetupError(`usage: npm run sync -- gists|skills [--fake]   (got "${job ?? ""}")`);
  const users = (process.env.GIST_USERS ?? (fake ? "octocat,hubot" : "")).split(",").filter(Boolean);
  const missing = fake ? [] : REAL_SETTINGS[job].filter((name) => !process.env[name]);
  if (missing.length) throw new LocalSetupError(`set ${missing.join(", ")} (or use --fake for the local stand-ins)`);

  const dataDir = join(process.env.SWITCHYARD_LOCAL_DIR ?? join(ROOT, ".local"), "sync-dynamodb");
  mkdirSync(dataDir, { recursive: true });
  const dynamodb = await startDynamoDbLocal({ dbPath: dataDir });
  const stops: Stop[] = [() => dynamodb.stop()];
  try {
    useLocalAws({ dynamodb: dynamodb.endpoint });
    await createTable(dynamodb.client, LOCAL_SYNC_STATE_TABLE, syncStateTable);
    let jobEnv: NodeJS.ProcessEnv = { GIST_USERS: users.join(",") };
    if (job === "skills") {
      const s3 = await startS3Local({ directory: join(dataDir, "..", "sync-s3") });
      stops.push(() => s3.stop());
      useLocalAws({ dynamodb: dynamodb.endpoint, s3: s3.endpoint });
      await s3.createBucket(LOCAL_RELEASES_BUCKET);
      await createTable(dynamodb.client, LOCAL_SKILLS_TABLES.ASSESSMENTS_TABLE, assessmentsTable);
      await createTable(dynamodb.client, LOCAL_SKILLS_TABLES.BADGE_CLASSES_TABLE, badgeClassesTable);
      await createTable(dynamodb.client, LOCAL_SKILLS_TABLES.ASSERTIONS_TABLE, assertionsTable);
      jobEnv = { ...LOCAL_SKILLS_TABLES, RELEASES_BUCKET: LOCAL_RELEASES_BUCKET };
    }
    const world = fake ? await (job === "gists" ? fakeGistsWorld(users) : fakeSkillsWorld()) : undefined;
    if (world) stops.push(world.stop);
    const env = { ...process.env, POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "WARN", POWERTOOLS_METRICS_DISABLED: "true", SYNC_STATE_TABLE: LOCAL_SYNC_STATE_TABLE, ...jobEnv, ...world?.env };
    Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: env.POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_DISABLED: "true" });
    const handler = job === "gists" ? gistsSyncHandler("sync-gists", env) : skillsSyncHandler("sync-skills", env);
    const summary = await handler({ id: `local-${new Date().toISOString()}` });
    console.log(JSON.stringify({ summary, ...(world ? { fake: world.report() } : {}) }, null, 2));
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

main().catch((error) => {
  console.error(error instanceof LocalSetupError ? `npm run sync: ${error.message}` : error);
  process.exit(1);
});
