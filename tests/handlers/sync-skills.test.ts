// The skill-app sync against the Airtable, Badgr and GitHub stand-ins, s3rver and DynamoDB Local:
// exact first run, a second run that writes and downloads nothing, Airtable paging with an expired
// offset and its 429 penalty, revoked assertions, one failing source not stopping the others,
// releases kept per tag, and the streamed multipart upload.
import test, { type ExecutionContext } from "ava";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { DynamoDBClient, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createObservability } from "../../handlers/shared/observability";
import { AirtableClient, type AirtableClientOptions } from "../../handlers/sync/airtable";
import { BadgrClient } from "../../handlers/sync/badgr";
import { GitHubClient } from "../../handlers/sync/github";
import { RunStateStore } from "../../handlers/sync/run-state";
import { MIN_PART_SIZE, uploadStream } from "../../handlers/sync/s3-stream-upload";
import { readEnv } from "../../handlers/shared/function-environment";
import { skillsRunFunction } from "../../handlers/sync/jobs/skills/functions";
import { runSkillsJob, skillsDeps, type SkillsJobDeps } from "../../handlers/sync/skills-job";
import { assertionsTable, assessmentsTable, badgeClassesTable, syncStateTable } from "../../handlers/sync/tables";
import { useLocalAws } from "../../local/emulators/aws-env";
import { LOCAL_CREDENTIALS } from "../../local/emulators/dynamodb-local";
import { startS3Local } from "../../local/emulators/s3-local";
import { startAirtableStandIn, type AirtableRecordInput, type AirtableStandInOptions } from "../../local/standins/airtable";
import { startBadgrStandIn } from "../../local/standins/badgr";
import { startGitHubStandIn } from "../../local/standins/github";
import { freshTable, startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";

const BASE = "appSkills0000001";
const TABLE = "Assessments";
const OWNER = "acme";
const REPO = "skills-app";
const BUCKET = "releases";
const keyOf = (tag: string) => `releases/${OWNER}/${REPO}/${tag}.tar.gz`;

let ddb: DynamoDbLocal;
test.before(async () => {
  ddb = await startDynamoDbLocal();
});
test.after.always(async () => ddb?.stop());

/** Records the name (and table or key) of every command a client sends. */
function recordCommands(client: DynamoDBClient | S3Client): { command: string; target?: string }[] {
  const log: { command: string; target?: string }[] = [];
  (client.middlewareStack as { add(m: unknown, o: unknown): void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input?: { TableName?: string; Key?: unknown } }) => {
      log.push({ command: context.commandName ?? "?", ...(args.input?.TableName ? { target: args.input.TableName } : {}) });
      return next(args);
    },
    { step: "initialize", name: "recordCommands" },
  );
  return log;
}

interface WorldOptions {
  airtable?: AirtableStandInOptions;
  airtableClient?: Partial<AirtableClientOptions>;
  /** Assertions per Badgr page (the client's `num`). */
  badgrPageSize?: number;
}

async function world(t: ExecutionContext, options: WorldOptions = {}) {
  const [airtable, badgr, github, s3] = await Promise.all([
    startAirtableStandIn({ token: "test-pat", ...options.airtable }),
    startBadgrStandIn({ username: "skills@example.com", password: "right" }),
    startGitHubStandIn(),
    startS3Local(),
  ]);
  t.teardown(async () => {
    await Promise.all([airtable.close(), badgr.close(), github.close(), s3.stop()]);
  });
  await s3.createBucket(BUCKET);
  const [stateTable, assessments, badgeClasses, assertions] = await Promise.all([
    freshTable(ddb, syncStateTable, "state"),
    freshTable(ddb, assessmentsTable, "assessments"),
    freshTable(ddb, badgeClassesTable, "badgeclasses"),
    freshTable(ddb, assertionsTable, "assertions"),
  ]);
  // The job's own DynamoDB client, so its commands can be told from the test's reads.
  const db = new DynamoDBClient({ endpoint: ddb.endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
  t.teardown(() => db.destroy());
  const dbCommands = recordCommands(db);
  const s3Commands = recordCommands(s3.client);
  const issuer = badgr.addIssuer();
  const secrets = { badgrPassword: "right" };
  // Built once, as a warm Lambda keeps its deps between runs (the Airtable pacer included).
  const deps: SkillsJobDeps = {
    state: new RunStateStore(db, stateTable, "skills"),
    db,
    s3: s3.client,
    tables: { assessments, badgeClasses, assertions },
    bucket: BUCKET,
    airtable: { client: new AirtableClient({ baseUrl: airtable.url, token: async () => "test-pat", ...options.airtableClient }), baseId: BASE, table: TABLE },
    github: { client: new GitHubClient({ baseUrl: github.url, token: "gh-token", maxRetryDelayMs: 10 }), owner: OWNER, repo: REPO },
    badgr: {
      client: new BadgrClient({ baseUrl: badgr.url, username: "skills@example.com", password: async () => secrets.badgrPassword, pageSize: options.badgrPageSize ?? 500 }),
      issuer,
    },
    obs: createObservability("test"),
  };
  let runs = 0;
  return {
    airtable,
    badgr,
    github,
    s3,
    issuer,
    secrets,
    dbCommands,
    s3Commands,
    tables: { assessments, badgeClasses, assertions },
    state: new RunStateStore(ddb.client, stateTable, "skills"),
    /** One run; `now` shifts the job's clock; `state` swaps the run-state table (an empty one: a lost table). */
    run: (options: { now?: () => Date; state?: RunStateStore } = {}) => runSkillsJob({ ...deps, ...(options.now ? { now: options.now } : {}), ...(options.state ? { state: options.state } : {}) }, `run-${++runs}`),
    freshState: async () => new RunStateStore(db, await freshTable(ddb, syncStateTable, "state"), "skills"),
    rows: (table: string) => scan(table),
    object: (key: string) => objectBytes(s3.client, key),
  };
}

async function scan(table: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ddb.client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => a.pk!.S!.localeCompare(b.pk!.S!));
}

async function objectBytes(client: S3Client, key: string): Promise<Buffer | undefined> {
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  } catch (error) {
    if ((error as Error).name === "NoSuchKey") return undefined;
    throw error;
  }
}

const assessment = (i: number, extra: Record<string, unknown> = {}): AirtableRecordInput => ({
  id: `rec${String(i).padStart(14, "0")}`,
  createdTime: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  fields: { Learner: `learner${i}@example.com`, Skill: ["TypeScript", "AWS", "SQL"][i % 3], Score: i % 100, Passed: i % 2 === 0, ...extra },
});

/** The assessments table as `{id: {fields, createdTime}}`. */
async function assessmentRows(w: Awaited<ReturnType<typeof world>>) {
  return Object.fromEntries((await w.rows(w.tables.assessments)).map((r) => [r.pk!.S!, { fields: JSON.parse(r.fields!.S!) as unknown, createdTime: r.createdTime!.S! }]));
}
const expectedRows = (records: AirtableRecordInput[]) => Object.fromEntries(records.map((r) => [r.id!, { fields: r.fields, createdTime: r.createdTime! }]));
/** Writes to the mirror tables (the run state is written every run, as it should be). */
const mirrorWrites = (log: { command: string; target?: string }[]) => log.filter((c) => /Put|Update|Delete|BatchWrite/.test(c.command) && !c.target?.startsWith("state-"));
/** A digest to compare bytes by: ava's deep comparison of multi-MiB buffers takes seconds. */
const digest = (bytes: Buffer | undefined) => bytes && `${bytes.length} bytes, sha256 ${createHash("sha256").update(bytes).digest("hex")}`;

test("a first run stores every record and the release; a second run with nothing new writes nothing and downloads nothing", async (t) => {
  const w = await world(t, { badgrPageSize: 2 });
  const records = [assessment(1), assessment(2, { Notes: "retake in May", Tags: ["b", "a"] }), assessment(3)];
  w.airtable.setRecords(BASE, TABLE, records);
  const ts = w.badgr.addBadgeClass(w.issuer, { name: "TypeScript", tags: ["lang"] });
  const aws = w.badgr.addBadgeClass(w.issuer, { name: "AWS" });
  const awarded = [
    w.badgr.addAssertion(ts.entityId, { recipient: { identity: "ada@example.com" } }),
    w.badgr.addAssertion(aws.entityId, { revoked: true, revocationReason: "Issued in error" }),
    w.badgr.addAssertion(aws.entityId, { expires: "2020-01-01T00:00:00Z" }),
  ];
  const tarball = randomBytes(300_000);
  w.github.setLatestRelease(OWNER, REPO, { tag_name: "v1.0.0", body: tarball });

  const first = await w.run();
  t.deepEqual(first.sources, { airtable: "synced", github: "synced", badgr: "synced" });
  t.deepEqual(first.counts, { seen: 9, created: 9, updated: 0, skipped: 0, failed: 0 });
  t.deepEqual(await assessmentRows(w), expectedRows(records));
  t.deepEqual((await w.rows(w.tables.badgeClasses)).map((r) => JSON.parse(r.data!.S!)), [ts, aws].sort((a, b) => a.entityId.localeCompare(b.entityId)));
  const assertionRows = await w.rows(w.tables.assertions);
  t.deepEqual(assertionRows.map((r) => JSON.parse(r.data!.S!)), [...awarded].sort((a, b) => a.entityId.localeCompare(b.entityId)));
  const revoked = assertionRows.find((r) => r.pk!.S === awarded[1]!.entityId)!;
  t.like(revoked, { revoked: { BOOL: true }, revocationReason: { S: "Issued in error" }, badgeclass: { S: aws.entityId } }, "revoked assertions are kept, flagged");
  t.like(assertionRows.find((r) => r.pk!.S === awarded[0]!.entityId)!, { revoked: { BOOL: false }, revocationReason: { NULL: true } });
  t.true(w.badgr.requests.some((r) => r.query.cursor !== undefined), "assertions followed Link rel=next across pages");
  t.true(w.badgr.requests.filter((r) => r.path.endsWith("/assertions")).every((r) => r.query.include_revoked === "true" && r.query.include_expired === "true"));
  t.is(digest(await w.object(keyOf("v1.0.0"))), digest(tarball));
  t.like(await w.state.source("github"), { memo: { tag: "v1.0.0", key: keyOf("v1.0.0"), bytes: tarball.length } });
  t.like(await w.state.run(), { runId: "run-1", lastError: undefined });

  const marks = { db: w.dbCommands.length, s3: w.s3Commands.length, github: w.github.requests.length, airtable: w.airtable.requests.length };
  const syncedAt = (await w.rows(w.tables.assessments)).map((r) => r.syncedAt!.S);
  const second = await w.run();
  t.deepEqual(second.sources, { airtable: "synced", github: "synced", badgr: "synced" });
  t.deepEqual(second.counts, { seen: 9, created: 0, updated: 0, skipped: 9, failed: 0 });
  t.deepEqual(mirrorWrites(w.dbCommands.slice(marks.db)), [], "no table writes");
  t.deepEqual(w.s3Commands.slice(marks.s3).map((c) => c.command), ["HeadObjectCommand"]);
  t.deepEqual(w.github.requests.slice(marks.github).map((r) => `${r.method} ${r.path} ${r.status}`), [`GET /repos/${OWNER}/${REPO}/releases/latest 200`], "no download");
  t.is(w.airtable.requests.length - marks.airtable, 1);
  t.deepEqual((await w.rows(w.tables.assessments)).map((r) => r.syncedAt!.S), syncedAt);
  t.like(await w.state.source("airtable"), { counts: { seen: 3, skipped: 3 }, lastError: undefined });
});

test("Airtable: pages of 100, an offset that expires mid-listing restarts it; rows end exact, nothing deleted, never over 5 requests/s", async (t) => {
  // A 1 s penalty: if the pacing were wrong the 429s would show, without stalling the test 30 s.
  const w = await world(t, { airtable: { penaltyMs: 1000 }, airtableClient: { penaltyMs: 1000 } });
  const initial = Array.from({ length: 250 }, (_, i) => assessment(i));
  w.airtable.setRecords(BASE, TABLE, initial);
  const first = await w.run();
  t.is(first.sources.airtable, "synced");
  t.deepEqual(w.airtable.requests.map((r) => r.query.offset === undefined), [true, false, false], "three pages");
  t.true(w.airtable.requests.every((r) => r.query.pageSize === "100"));

  // Then: record 0 gone from Airtable, record 1 edited, one added; and while the next listing runs,
  // its offsets expire and one more record arrives before the restart.
  const current = [assessment(1, { Score: 99, Passed: true }), ...initial.slice(2), assessment(300)];
  w.airtable.setRecords(BASE, TABLE, current);
  let expired = false;
  const late = assessment(301);
  w.airtable.failNext(1, { status: 500 }, (r) => {
    if (r.query.offset !== undefined && !expired) {
      expired = true;
      w.airtable.expireOffsets();
      w.airtable.setRecords(BASE, TABLE, [...current, late]);
    }
    return false; // only watches
  });
  const before = w.airtable.requests.length;
  const second = await w.run();
  t.is(second.sources.airtable, "synced");
  t.deepEqual(
    w.airtable.requests.slice(before).map((r) => [r.query.offset === undefined ? "first" : "next", r.status]),
    [["first", 200], ["next", 422], ["first", 200], ["next", 200], ["next", 200]],
  );
  t.like(await w.state.source("airtable"), { memo: { restarts: 1, pages: 3, records: 251 }, counts: { seen: 251, created: 2, updated: 1, skipped: 248, failed: 0 } });
  t.deepEqual(await assessmentRows(w), expectedRows([initial[0]!, ...current, late]), "the deleted record stays; the edit and both new ones are in");
  t.false(w.airtable.requests.some((r) => r.status === 429), "paced: 8 requests within ~1 s and never a 429");
});

test("Airtable 429: the penalty is waited out and the listing finishes; a lasting one fails only that source", async (t) => {
  const w = await world(t, { airtable: { perBasePerSecond: 2, penaltyMs: 400 }, airtableClient: { penaltyMs: 450, rateLimitRetries: 2 } });
  const records = Array.from({ length: 250 }, (_, i) => assessment(i));
  w.airtable.setRecords(BASE, TABLE, records);
  const started = Date.now();
  const run = await w.run();
  t.is(run.sources.airtable, "synced");
  t.deepEqual(w.airtable.requests.map((r) => r.status), [200, 200, 429, 200]);
  t.true(Date.now() - started >= 450);
  t.deepEqual(await assessmentRows(w), expectedRows(records));

  const before = w.airtable.requests.length;
  w.airtable.failNext(5, { status: 429, body: { error: { type: "RATE_LIMIT_REACHED", message: "slow down" } } });
  const throttled = await w.run();
  t.regex(throttled.sources.airtable, /^airtable rate limit: HTTP 429 listing appSkills0000001\/Assessments; retry after /);
  t.is(w.airtable.requests.length - before, 3, "the first try and two retries");
  t.is(throttled.sources.github, "synced");
  t.is(throttled.sources.badgr, "synced");
  t.like(await w.state.source("airtable"), { lastError: throttled.sources.airtable, memo: { pages: 3 } });
});

test("a rate limit one run learns is kept: the next run before it leaves that source alone and says until when; after it, the source syncs", async (t) => {
  const w = await world(t, { airtableClient: { rateLimitRetries: 0 } });
  w.airtable.setRecords(BASE, TABLE, [assessment(1)]);
  w.github.setLatestRelease(OWNER, REPO, { tag_name: "v1.0.0", body: "tarball" });
  w.airtable.failNext(1, { status: 429, headers: { "retry-after": "60" }, body: { error: { type: "RATE_LIMIT_REACHED", message: "slow down" } } });
  const throttled = await w.run();
  t.regex(throttled.sources.airtable, /^airtable rate limit: HTTP 429/);
  const retryAt = (await w.state.run()).rateLimits?.airtable;
  t.true(retryAt !== undefined && Math.abs(Date.parse(retryAt) - (Date.now() + 60_000)) < 10_000, `kept: ${retryAt}`);

  const before = w.airtable.requests.length;
  const early = await w.run();
  t.is(w.airtable.requests.length, before, "Airtable is not called before the retry time");
  t.is(early.sources.airtable, `not reached (airtable rate limited until ${retryAt})`);
  t.is(early.sources.github, "synced");
  t.is(early.sources.badgr, "synced");
  t.regex((await w.state.run()).lastError ?? "", /airtable: not reached \(airtable rate limited until/);

  const after = await w.run({ now: () => new Date(Date.now() + 61_000) });
  t.is(after.sources.airtable, "synced");
  t.deepEqual(await assessmentRows(w), expectedRows([assessment(1)]));
  t.deepEqual((await w.state.run()).rateLimits, {});
});

test("an empty run-state table with the release already in the bucket: nothing is downloaded or uploaded again", async (t) => {
  const w = await world(t);
  w.airtable.setRecords(BASE, TABLE, [assessment(1)]);
  w.github.setLatestRelease(OWNER, REPO, { tag_name: "v1.0.0", body: randomBytes(50_000) });
  await w.run();
  const stored = digest(await w.object(keyOf("v1.0.0")));
  const marks = { s3: w.s3Commands.length, github: w.github.requests.length };
  const again = await w.run({ state: await w.freshState() });
  t.is(again.sources.github, "synced");
  t.is(again.counts.created, 0, "nothing new: the tables hold the records, the bucket the release");
  t.deepEqual(w.s3Commands.slice(marks.s3).map((c) => c.command), ["HeadObjectCommand"], "only the existence check");
  t.deepEqual(w.github.requests.slice(marks.github).map((r) => r.path), [`/repos/${OWNER}/${REPO}/releases/latest`], "no download");
  t.is(digest(await w.object(keyOf("v1.0.0"))), stored);
});

test("a failing source (Badgr refusing the password) is recorded with its error while the other two sync", async (t) => {
  const w = await world(t);
  w.airtable.setRecords(BASE, TABLE, [assessment(1)]);
  const badge = w.badgr.addBadgeClass(w.issuer, { name: "SQL" });
  w.badgr.addAssertion(badge.entityId);
  w.github.setLatestRelease(OWNER, REPO, { tag_name: "v2.0.0", body: "tarball" });
  w.secrets.badgrPassword = "wrong";
  const run = await w.run();
  t.is(run.sources.badgr, "badgr: token request refused: HTTP 401 (invalid_grant: Invalid credentials given.)");
  t.is(run.sources.airtable, "synced");
  t.is(run.sources.github, "synced");
  t.is((await w.rows(w.tables.assessments)).length, 1);
  t.is(digest(await w.object(keyOf("v2.0.0"))), digest(Buffer.from("tarball")));
  t.deepEqual(await w.rows(w.tables.assertions), []);
  const badgrState = await w.state.source("badgr");
  t.is(badgrState.lastError, run.sources.badgr);
  t.is(badgrState.lastSuccess, undefined);
  t.like(await w.state.run(), { lastError: `badgr: ${run.sources.badgr}`, lastSuccess: undefined });
  const token = w.badgr.requests.find((r) => r.path === "/o/token")!;
  t.deepEqual(token.query, {}, "credentials only in the form body");
  t.like(token.body, { grant_type: "password", client_id: "public", scope: "rw:issuer", username: "skills@example.com" });

  w.secrets.badgrPassword = "right";
  const next = await w.run();
  t.deepEqual(next.sources, { airtable: "synced", github: "synced", badgr: "synced" });
  t.is((await w.rows(w.tables.assertions)).length, 1);
  t.like(await w.state.source("badgr"), { lastError: undefined, counts: { seen: 2, created: 2 } });
});

test("GitHub failing (503s on the API, then on the download) fails only that source and stores nothing half-done", async (t) => {
  const w = await world(t);
  w.airtable.setRecords(BASE, TABLE, [assessment(1)]);
  w.badgr.addBadgeClass(w.issuer, { name: "AWS" });
  const tarball = randomBytes(MIN_PART_SIZE + 1000);
  w.github.setLatestRelease(OWNER, REPO, { tag_name: "v3.0.0", body: tarball });
  w.github.failNext(3, { status: 503 }, (r) => r.path.endsWith("/releases/latest"));
  const down = await w.run();
  t.is(down.sources.github, `github: HTTP 503 reading the latest release of ${OWNER}/${REPO}`);
  t.is(down.sources.airtable, "synced");
  t.is(down.sources.badgr, "synced");
  t.like(await w.state.source("github"), { lastError: down.sources.github, counts: { failed: 1 } });

  w.github.failNext(1, { status: 503 }, (r) => r.path.startsWith("/codeload/"));
  const broken = await w.run();
  t.is(broken.sources.github, "github: HTTP 503 downloading the tarball of v3.0.0");
  t.is(await w.object(keyOf("v3.0.0")), undefined);

  const fixed = await w.run();
  t.is(fixed.sources.github, "synced");
  t.is(digest(await w.object(keyOf("v3.0.0"))), digest(tarball));
  t.true(w.s3Commands.some((c) => c.command === "CompleteMultipartUploadCommand"), "over 5 MiB: a multipart upload");
});

test("a new release tag is uploaded under its own key and the old tag's object stays", async (t) => {
  const w = await world(t);
  w.airtable.setRecords(BASE, TABLE, []);
  const v1 = randomBytes(50_000);
  w.github.setLatestRelease(OWNER, REPO, { tag_name: "v1.0.0", body: v1 });
  await w.run();
  const v2 = randomBytes(MIN_PART_SIZE * 2 + 12_345);
  w.github.setLatestRelease(OWNER, REPO, { tag_name: "v1.1.0", body: v2 });
  const run = await w.run();
  t.is(run.sources.github, "synced");
  t.is(digest(await w.object(keyOf("v1.0.0"))), digest(v1));
  t.is(digest(await w.object(keyOf("v1.1.0"))), digest(v2));
  t.like(await w.state.source("github"), { memo: { tag: "v1.1.0", bytes: v2.length }, counts: { seen: 1, created: 1 } });
  t.is(w.s3Commands.filter((c) => c.command === "UploadPartCommand").length, 3);
});

test("uploadStream: parts of 5 MiB from a stream give the exact bytes; a small stream is one PutObject; a failure aborts the upload", async (t) => {
  const s3 = await startS3Local();
  t.teardown(() => s3.stop());
  await s3.createBucket(BUCKET);
  const log = recordCommands(s3.client);
  const data = randomBytes(MIN_PART_SIZE * 2 + 2 * 1024 * 1024 + 123);
  const chunks = function* (bytes: Buffer, size = 64 * 1024 + 7) {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  };
  const big = await uploadStream(s3.client, { Bucket: BUCKET, Key: "big.bin" }, Readable.from(chunks(data)));
  t.deepEqual(big, { bytes: data.length, parts: 3, etag: big.etag });
  t.deepEqual(
    log.map((c) => c.command),
    ["CreateMultipartUploadCommand", "UploadPartCommand", "UploadPartCommand", "UploadPartCommand", "CompleteMultipartUploadCommand"],
  );
  t.is(digest(await objectBytes(s3.client, "big.bin")), digest(data));

  log.length = 0;
  const small = randomBytes(100_000);
  t.like(await uploadStream(s3.client, { Bucket: BUCKET, Key: "small.bin" }, Readable.from(chunks(small))), { bytes: small.length, parts: 0 });
  t.like(await uploadStream(s3.client, { Bucket: BUCKET, Key: "empty.bin" }, Readable.from([])), { bytes: 0, parts: 0 });
  t.deepEqual(log.map((c) => c.command), ["PutObjectCommand", "PutObjectCommand"]);
  t.is(digest(await objectBytes(s3.client, "small.bin")), digest(small));
  t.is(digest(await objectBytes(s3.client, "empty.bin")), digest(Buffer.alloc(0)));

  log.length = 0;
  const failing = Readable.from(
    (function* () {
      yield* chunks(randomBytes(MIN_PART_SIZE + 1));
      throw new Error("source broke");
    })(),
  );
  await t.throwsAsync(uploadStream(s3.client, { Bucket: BUCKET, Key: "broken.bin" }, failing), { message: "source broke" });
  t.deepEqual(log.map((c) => c.command), ["CreateMultipartUploadCommand", "UploadPartCommand", "AbortMultipartUploadCommand"]);
  await t.throwsAsync(s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "broken.bin" })), { name: "NotFound" });
  await t.throwsAsync(uploadStream(s3.client, { Bucket: BUCKET, Key: "x" }, Readable.from([]), { partSize: 1024 }), { message: /at least/ });
});

test("uploadStream holds about one part: the source is never read more than one part ahead of the part going up", async (t) => {
  const s3 = await startS3Local();
  t.teardown(() => s3.stop());
  await s3.createBucket(BUCKET);
  const chunk = 256 * 1024;
  const total = MIN_PART_SIZE * 4 + 1;
  let read = 0;
  const source = (function* () {
    for (let at = 0; at < total; at += chunk) {
      const size = Math.min(chunk, total - at);
      read += size;
      yield randomBytes(size);
    }
  })();
  const readWhenSent: { part: number; read: number }[] = [];
  (s3.client.middlewareStack as { add(m: unknown, o: unknown): void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input?: { PartNumber?: number } }) => {
      if (context.commandName === "UploadPartCommand") readWhenSent.push({ part: args.input!.PartNumber!, read });
      return next(args);
    },
    { step: "initialize", name: "readWhenSent" },
  );
  t.like(await uploadStream(s3.client, { Bucket: BUCKET, Key: "bounded.bin" }, Readable.from(source)), { bytes: total, parts: 5 });
  t.deepEqual(readWhenSent.map((r) => r.part), [1, 2, 3, 4, 5], "one part at a time, in order");
  // Part n is sent once n parts are read; a few chunks more sit in the stream buffers, never a second part.
  for (const { part, read } of readWhenSent) t.true(read <= Math.min(total, part * MIN_PART_SIZE + 4 * chunk), `part ${part} sent with ${read} bytes read`);
});

// Serial (run before the others): it points this process's AWS SDK at the local emulators through
// the environment, as local mode does; the other tests hand their clients in explicitly.
test.serial("skillsDeps builds the whole job from the environment", async (t) => {
  const w = await world(t);
  w.airtable.setRecords(BASE, TABLE, [assessment(7)]);
  w.badgr.addBadgeClass(w.issuer, { name: "Go" });
  w.github.setLatestRelease(OWNER, REPO, { tag_name: "v0.1.0", body: "tiny" });
  useLocalAws({ dynamodb: ddb.endpoint, s3: w.s3.endpoint });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SYNC_STATE_TABLE: await freshTable(ddb, syncStateTable, "state"),
    ASSESSMENTS_TABLE: w.tables.assessments,
    BADGE_CLASSES_TABLE: w.tables.badgeClasses,
    ASSERTIONS_TABLE: w.tables.assertions,
    RELEASES_BUCKET: BUCKET,
    AIRTABLE_BASE_URL: w.airtable.url,
    AIRTABLE_TOKEN: "test-pat",
    AIRTABLE_BASE_ID: BASE,
    AIRTABLE_TABLE: TABLE,
    GITHUB_API_URL: w.github.url,
    RELEASE_REPO: `${OWNER}/${REPO}`,
    BADGR_BASE_URL: w.badgr.url,
    BADGR_USERNAME: "skills@example.com",
    BADGR_PASSWORD: "right",
    BADGR_ISSUER: w.issuer,
  };
  const fromEnv = (e: NodeJS.ProcessEnv) => readEnv(skillsRunFunction.env, e);
  const deps = skillsDeps("sync-skills", fromEnv(env));
  t.teardown(() => {
    deps.db.destroy();
    deps.s3.destroy();
  });
  const run = await runSkillsJob(deps, "env-run");
  t.deepEqual(run.sources, { airtable: "synced", github: "synced", badgr: "synced" });
  t.deepEqual(run.counts, { seen: 3, created: 3, updated: 0, skipped: 0, failed: 0 });
  t.is(digest(await w.object(keyOf("v0.1.0"))), digest(Buffer.from("tiny")));
  t.is(w.github.requests[0]!.headers.authorization, undefined, "no GITHUB_TOKEN: anonymous");
  t.throws(() => skillsDeps("x", fromEnv({ ...env, RELEASE_REPO: "just-a-name" })), { message: 'RELEASE_REPO must be "owner/repo", not "just-a-name"' });
  t.throws(() => skillsDeps("x", fromEnv({ ...env, BADGR_PASSWORD: undefined })), { message: "Set BADGR_PASSWORD_PARAMETER (AWS) or BADGR_PASSWORD (local mode)" });
  t.throws(() => skillsDeps("x", fromEnv({ ...env, ASSERTIONS_TABLE: undefined })), { message: "Environment variable ASSERTIONS_TABLE is not set" });
});
