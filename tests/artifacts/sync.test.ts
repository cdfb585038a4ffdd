// The gists sync as it would be uploaded (index.ts evaluated with ts-node), run in a fresh Node
// process on EventBridge events against the GitHub and Pipedrive stand-ins, DynamoDB Local and an
// SSM stand-in holding its Pipedrive token.
import test from "ava";
import { assertionsTable, assessmentsTable, badgeClassesTable, sessionsTable, syncStateTable } from "../../handlers/sync/tables";
import { apiEvent } from "../harness/http";
import { startAirtableStandIn, type AirtableStandIn } from "../../local/standins/airtable";
import { startBadgrStandIn, type BadgrStandIn } from "../../local/standins/badgr";
import { startS3Local, type S3Local } from "../../local/emulators/s3-local";
import { GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { MIN_PART_SIZE } from "../../handlers/sync/s3-stream-upload";
import { startGitHubStandIn, type GitHubStandIn } from "../../local/standins/github";
import { startPipedriveStandIn, type PipedriveStandIn } from "../../local/standins/pipedrive";
import { createTable } from "../../local/emulators/tables";
import { removeDir, startFunction, unpackFunction, type RunningFunction } from "../harness/artifact";
import { startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { startSsm } from "../harness/ssm";
import { GISTS_SYNC, SKILLS_SYNC, SYNC_SECRET_KEYS, TEST_SECRETS, byName, evaluateStack, syncsConfig } from "../harness/stacks";

const PIPEDRIVE_TOKEN = GISTS_SYNC.pipedriveApiToken;
let ddb: DynamoDbLocal;
let github: GitHubStandIn;
let pipedrive: PipedriveStandIn;
let ssm: Awaited<ReturnType<typeof startSsm>>;
let airtable: AirtableStandIn;
let badgr: BadgrStandIn;
let s3: S3Local;
let fn: RunningFunction;
let skills: RunningFunction;
let read: RunningFunction;
let releasesBucket: string;
let gistsStateTable: string;
let releasesS3: ReleasesS3;
const dirs: string[] = [];

test.before(async () => {
  [ddb, github, pipedrive, airtable, s3] = await Promise.all([
    startDynamoDbLocal(),
    startGitHubStandIn(),
    startPipedriveStandIn({ token: PIPEDRIVE_TOKEN }),
    startAirtableStandIn({ token: SKILLS_SYNC.airtableToken }),
    startS3Local(),
  ]);
  badgr = await startBadgrStandIn({ username: SKILLS_SYNC.badgrUsername, password: SKILLS_SYNC.badgrPassword });
  // Full observability (prod's): the run's freshness metric is what the stale alarm reads.
  const record = await evaluateStack(
    "dev",
    { "switchyard:observability": "full", ...syncsConfig({ gists: { ...GISTS_SYNC, pipedriveBaseUrl: pipedrive.url }, skills: { ...SKILLS_SYNC, badgrBaseUrl: badgr.url } }) },
    "ts-node",
    [...Object.keys(TEST_SECRETS), ...SYNC_SECRET_KEYS],
  );
  const tableName = (name: string) => byName(record, "aws:dynamodb/table:Table", name).state.name as string;
  gistsStateTable = tableName("gists-state");
  await createTable(ddb.client, gistsStateTable, syncStateTable);
  await createTable(ddb.client, tableName("gists-sessions"), sessionsTable);
  await createTable(ddb.client, tableName("skills-state"), syncStateTable);
  await createTable(ddb.client, tableName("skills-assessments"), assessmentsTable);
  await createTable(ddb.client, tableName("skills-badge-classes"), badgeClassesTable);
  await createTable(ddb.client, tableName("skills-assertions"), assertionsTable);
  releasesBucket = byName(record, "aws:s3/bucket:Bucket", "skills-releases").state.bucket;
  await s3.createBucket(releasesBucket);
  const parameter = (name: string) => byName(record, "aws:ssm/parameter:Parameter", name).state.name as string;
  ssm = await startSsm({
    [parameter("gists-pipedrive-api-token")]: PIPEDRIVE_TOKEN,
    [parameter("skills-airtable-token")]: SKILLS_SYNC.airtableToken,
    [parameter("skills-badgr-password")]: SKILLS_SYNC.badgrPassword,
  });
  const endpoints = {
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
    GITHUB_API_URL: github.url,
    AIRTABLE_BASE_URL: airtable.url,
  };
  releasesS3 = await startReleasesS3(s3, releasesBucket);
  const start = async (name: string, own: Record<string, string> = {}) => {
    const lambda = byName(record, "aws:lambda/function:Function", name);
    const dir = unpackFunction(lambda);
    dirs.push(dir);
    return startFunction(dir, { ...lambda.inputs.environment.variables, ...endpoints, ...own });
  };
  [fn, skills, read] = await Promise.all([start("gists-run"), start("skills-run", { AWS_ENDPOINT_URL_S3: releasesS3.endpoint }), start("gists-read")]);
});

test.after.always(async () => {
  await Promise.all([fn?.stop(), skills?.stop(), read?.stop()]);
  dirs.forEach(removeDir);
  await Promise.all([ddb?.stop(), github?.close(), pipedrive?.close(), airtable?.close(), badgr?.close(), releasesS3?.close(), s3?.stop(), ssm?.close()]);
});

// ---------------------------------------------------------------------------------------------
// The releases bucket as skills-run reaches it: s3rver behind a proxy that completes what s3rver
// lacks and injects the fault. s3rver answers AbortMultipartUpload with 405 (not implemented), so the
// proxy does what S3 does: removes the upload and its parts from s3rver's store. While `failPart` is
// set, every attempt to upload that part of a multipart upload is cut off on the wire (a network
// fault the SDK retries, then gives up on).

interface ReleasesS3 {
  endpoint: string;
  failPart?: number;
  /** The parts s3rver held for the upload when the injected fault cut a part off. */
  partsWhenCut: string[];
  /** Upload ids aborted. */
  aborted: string[];
  /** Multipart uploads s3rver still holds in the bucket. */
  uploadsLeft(): string[];
  close(): Promise<void>;
}

async function startReleasesS3(local: S3Local, bucket: string): Promise<ReleasesS3> {
  // Where s3rver's filesystem store keeps a bucket's multipart uploads, one folder of parts per upload.
  const uploads = join(local.directory, bucket, "._S3rver_uploads");
  const state: Omit<ReleasesS3, "endpoint" | "close"> = { partsWhenCut: [], aborted: [], uploadsLeft: () => (existsSync(uploads) ? readdirSync(uploads) : []) };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://local");
      const uploadId = url.searchParams.get("uploadId");
      if (uploadId && req.method === "DELETE") {
        rmSync(join(uploads, uploadId), { recursive: true, force: true });
        state.aborted.push(uploadId);
        res.writeHead(204).end();
        return;
      }
      if (uploadId && req.method === "PUT" && state.failPart !== undefined && url.searchParams.get("partNumber") === String(state.failPart)) {
        state.partsWhenCut = readdirSync(join(uploads, uploadId)).filter((f) => /^\d+$/.test(f));
        req.socket.destroy();
        return;
      }
      const upstream = request(`${local.endpoint}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", (error) => res.destroy(error));
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  });
}

// ---------------------------------------------------------------------------------------------

const scheduled = (id: string) => ({ id, "detail-type": "Scheduled Event", source: "aws.events", time: new Date().toISOString(), detail: {} });

test.serial("a scheduled run creates one deal per new gist; the next run is one 304 per user and no writes", async (t) => {
  const gists = [github.addGist("alice", { description: "one" }), github.addGist("alice", { description: "two" }), github.addGist("bob", { description: "three" })];
  const first = await fn.invoke(scheduled("event-1"));
  t.like(first, { runId: "event-1", counts: { seen: 3, created: 3, skipped: 0, failed: 0 }, users: { alice: "synced", bob: "synced" } });
  t.deepEqual(pipedrive.deals().map((d) => d.custom_fields.abc_gist_url).sort(), gists.map((g) => g.html_url).sort());
  const pipedriveRequests = pipedrive.requests.length;
  const githubRequests = github.requests.length;
  const second = await fn.invoke(scheduled("event-2"));
  t.like(second, { users: { alice: "unchanged", bob: "unchanged" }, counts: { created: 0 } });
  t.deepEqual(github.requests.slice(githubRequests).map((r) => r.status), [304, 304]);
  t.is(pipedrive.requests.length, pipedriveRequests, "no Pipedrive call at all");
  const lines = fn.logs.map((l) => JSON.parse(l));
  t.true(lines.some((l) => l.message === "sync run finished" && l.correlation_id === "event-2"));
  t.true(lines.some((l) => l._aws?.CloudWatchMetrics?.[0]?.Metrics?.some((m: { Name: string }) => m.Name === "freshnessMinutes")));
  t.true(ssm.requests.some((r) => r.includes("/gists/pipedrive_api_token")));
});

test.serial("a scheduled skills run fills the three sources; the next run writes nothing", async (t) => {
  airtable.setRecords("appABCDEFGHIJKLMN", "Assessments", [{ fields: { Name: "Ada", Score: 91 } }, { fields: { Name: "Grace", Score: 88 } }]);
  github.setLatestRelease("acme", "skill-app", { tag_name: "v1.2.0", body: "release bytes" });
  const badge = badgr.addBadgeClass("issuer-1", { name: "TypeScript" });
  badgr.addAssertion(badge.entityId, { revoked: true, revocationReason: "issued by mistake" });
  badgr.addAssertion(badge.entityId);
  const first = await skills.invoke(scheduled("skills-1"));
  t.deepEqual(first.sources, { airtable: "synced", github: "synced", badgr: "synced" });
  const archive = await s3.client.send(new GetObjectCommand({ Bucket: releasesBucket, Key: "releases/acme/skill-app/v1.2.0.tar.gz" }));
  t.is(await archive.Body!.transformToString(), "release bytes");
  const tarballRequests = () => github.requests.filter((r) => r.path.includes("tarball") || r.path.includes("codeload")).length;
  const downloads = tarballRequests();
  const second = await skills.invoke(scheduled("skills-2"));
  t.deepEqual(second.sources, { airtable: "synced", github: "synced", badgr: "synced" });
  t.is(second.counts.created + (second.counts.updated ?? 0), 0, "nothing new, nothing written");
  t.is(tarballRequests(), downloads, "the stored tag is not downloaded again");
});

test.serial("the read API, as uploaded: /gists (with its session cookie) and /users/scanned over what the scheduled runs stored", async (t) => {
  github.addGist("bob", { description: "read me" });
  await fn.invoke(scheduled("event-read"));
  const get = (path: string, cookie?: string) => read.invoke(apiEvent("GET", path, { headers: cookie ? { cookie } : {} }));
  const first = await get("/getGists");
  const body = JSON.parse(first.body);
  t.true(body.items.some((g: { title: string }) => g.title === "read me"));
  const cookie = (first.cookies as string[])[0]!.split(";")[0]!;
  t.deepEqual(JSON.parse((await get("/gists", cookie)).body).items, [], "nothing new since this session's last call");
  const users = JSON.parse((await get("/users/scanned")).body);
  t.deepEqual(users.items.map((u: { user: string }) => u.user), ["alice", "bob"]);
  const bad = await get("/gists?limit=0");
  t.is(bad.statusCode, 400);
  t.is(bad.headers["content-type"], "application/problem+json");
});

test.serial("a release upload that fails midway is aborted, leaving no parts; the next run stores the release whole", async (t) => {
  // Over one part: a multipart upload (part 1 of 5 MiB, part 2 the rest).
  const bytes = Buffer.alloc(MIN_PART_SIZE + 4096, "release ");
  github.setLatestRelease("acme", "skill-app", { tag_name: "v1.3.0", body: bytes });
  const key = "releases/acme/skill-app/v1.3.0.tar.gz";
  releasesS3.failPart = 2;
  const failed = await skills.invoke(scheduled("skills-abort")).finally(() => (releasesS3.failPart = undefined));
  t.like(failed.sources, { airtable: "synced", badgr: "synced" });
  t.not(failed.sources.github, "synced", "the release sync failed");
  t.deepEqual(releasesS3.partsWhenCut, ["1"], "part 1 was stored when part 2 was cut off");
  t.is(releasesS3.aborted.length, 1, "the upload was aborted");
  t.deepEqual(releasesS3.uploadsLeft(), [], "no upload and no part is left behind");
  await t.throwsAsync(s3.client.send(new HeadObjectCommand({ Bucket: releasesBucket, Key: key })), { name: "NotFound" }, "nothing stored under the key");

  const next = await skills.invoke(scheduled("skills-after-abort"));
  t.is(next.sources.github, "synced");
  const archive = await s3.client.send(new GetObjectCommand({ Bucket: releasesBucket, Key: key }));
  t.true(Buffer.from(await archive.Body!.transformToByteArray()).equals(bytes), "the whole release, byte for byte");
  t.deepEqual(releasesS3.uploadsLeft(), [], "the completed upload left no parts either");
});

test.serial("as uploaded: a create whose answer never came while Pipedrive's search lags, then a lost run-state table: never a second deal", async (t) => {
  pipedrive.setSearchLag(60_000);
  t.teardown(() => pipedrive.setSearchLag(0));
  github.addGist("alice", { description: "answer lost" });
  const before = pipedrive.deals().length;
  pipedrive.dropAfterCommit(1, (r) => r.method === "POST" && r.path === "/api/v2/deals");
  const dropped = await fn.invoke(scheduled("event-drop"));
  t.like(dropped, { ok: false, counts: { failed: 1 } });
  t.is(pipedrive.deals().length, before + 1, "Pipedrive made the deal; the run never heard back");

  const retried = await fn.invoke(scheduled("event-after-drop"));
  t.like(retried, { ok: true, counts: { created: 0 } });
  t.is(pipedrive.deals().length, before + 1, "found by listing the organization's deals, not by the lagging search");

  await ddb.client.send(new DeleteTableCommand({ TableName: gistsStateTable }));
  await createTable(ddb.client, gistsStateTable, syncStateTable);
  const lost = await fn.invoke(scheduled("event-lost-state"));
  t.like(lost, { ok: true, counts: { created: 0 } });
  const urls = pipedrive.deals().map((d) => d.custom_fields.abc_gist_url);
  t.is(urls.length, before + 1, "an empty state table makes no deal again");
  t.is(new Set(urls).size, urls.length);
});

test.serial("as uploaded: GitHub's reset learned in one run is kept; the next run before it sends GitHub nothing and says when", async (t) => {
  const saved = { ...github.rateLimit };
  t.teardown(() => void (github.rateLimit = saved));
  const reset = Math.floor(Date.now() / 1000) + 900;
  github.rateLimit = { limit: 5000, remaining: 0, resetEpochSeconds: reset };
  const refused = await fn.invoke(scheduled("event-limited"));
  t.like(refused, { ok: false, rateLimited: { api: "github", retryAt: new Date(reset * 1000).toISOString() } });
  const sent = github.requests.length;
  const next = await fn.invoke(scheduled("event-before-reset"));
  t.is(github.requests.length, sent, "no request before the reset");
  t.like(next, { ok: false, users: { alice: `not reached (github rate limited until ${new Date(reset * 1000).toISOString()})` } });
});
