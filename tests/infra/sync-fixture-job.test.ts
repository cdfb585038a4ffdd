// A sync job that is not shipped (tests/fixtures/sync-job/: a JSON feed → its own table), written
// in its own folder and nowhere else, flows through every place a sync goes: ScheduledSync in
// another Pulumi program (its table, a least-privilege policy, its schedule), the Fargate task
// entry, `npm run sync`, local mode's schedules and trigger, and `/health` with its title (what the
// website's sync card shows). Each of those takes a registry; the tests give them the shipped one
// plus the fixture.
import test from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { syncJobs } from "../../handlers/sync/registry";
import { syncStateTable } from "../../handlers/sync/tables";
import { runSyncTask } from "../../handlers/sync/task";
import { useLocalAws } from "../../local/emulators/aws-env";
import { LocalSetupError } from "../../local/emulators/dynamodb-local";
import { startS3Local, type S3Local } from "../../local/emulators/s3-local";
import { syncCommand } from "../../local/sync";
import { startLocalSchedules } from "../../local/syncs";
import { FEED_TITLE, feedJob } from "../fixtures/sync-job/job";
import { FAKE_ENTRIES, FAKE_FEED_TOKEN, standIn } from "../fixtures/sync-job/stand-in";
import { freshTable, startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";
import { grants, policiesByRole } from "../harness/iam";
import type { StackRecord } from "../harness/record";
import { TEST_SECRETS, byName, evaluateStack, ofType } from "../harness/stacks";

/** The shipped jobs and the fixture. */
const JOBS = [...syncJobs, feedJob];
const PROGRAM = "tests/fixtures/sync-job/program.ts";

let ddb: DynamoDbLocal;
let s3: S3Local;
let record: StackRecord;
test.before(async () => {
  [ddb, s3, record] = await Promise.all([startDynamoDbLocal(), startS3Local(), evaluateStack("dev", {}, "tsx", Object.keys(TEST_SECRETS), PROGRAM)]);
});
test.after.always(async () => {
  await s3?.stop();
  await ddb?.stop();
});
// Each test points this process's AWS SDK at the emulators first (`npm run sync` points it at its own).
test.beforeEach(() => useLocalAws({ dynamodb: ddb.endpoint, s3: s3.endpoint }));

const tableItems = async (table: string) => ((await ddb.client.send(new ScanCommand({ TableName: table }))).Items ?? []).map((i) => i.pk!.S).sort();

test.serial("another program's ScheduledSync deploys the fixture job: its table, its schedule, a policy of exactly its grants, its secret in SSM", (t) => {
  t.is(ofType(record, "switchyard:sync:ScheduledSync").length, 1);
  const fn = byName(record, "aws:lambda/function:Function", "feed-run");
  const state = byName(record, "aws:dynamodb/table:Table", "feed-state");
  const entries = byName(record, "aws:dynamodb/table:Table", "feed-entries");
  const parameter = byName(record, "aws:ssm/parameter:Parameter", "feed-feed-token");
  t.like(entries.inputs, { hashKey: "pk", deletionProtectionEnabled: false });
  t.is(parameter.inputs.type, "SecureString");
  t.is(parameter.inputs.name, "/switchyard/dev/feed/feed_token");

  const rule = byName(record, "aws:cloudwatch/eventRule:EventRule", "feed-schedule");
  t.like(rule.inputs, { scheduleExpression: "rate(1 hour)", description: "Runs the feed sync" }, "the job's default schedule");
  t.like(byName(record, "aws:cloudwatch/eventTarget:EventTarget", "feed-schedule").inputs, { arn: fn.state.arn, retryPolicy: { maximumRetryAttempts: 2 } });
  t.like(byName(record, "aws:lambda/permission:Permission", "feed-schedule").inputs, { principal: "events.amazonaws.com", sourceArn: rule.state.arn });

  const logs = `${byName(record, "aws:cloudwatch/logGroup:LogGroup", "feed-run").state.arn}:log-stream:*`;
  t.deepEqual(grants(policiesByRole(record).get("feed-run")!), {
    "logs:CreateLogStream": [logs],
    "logs:PutLogEvents": [logs],
    "dynamodb:GetItem": [state.state.arn],
    "dynamodb:PutItem": [entries.state.arn, state.state.arn].sort(),
    "ssm:GetParameter": [parameter.state.arn],
  });
  const env = fn.inputs.environment.variables;
  t.like(env, { FEED_URL: "https://feeds.example.com/items.json", ENTRIES_TABLE: entries.state.name, SYNC_STATE_TABLE: state.state.name, FEED_TOKEN_PARAMETER: parameter.state.name });
  t.false(JSON.stringify(env).includes("fixture-feed-token"), "the secret is not in the environment");
  t.is(record.outputs.functionName, fn.state.name);
  t.is(record.outputs.entriesTable, entries.state.name);

  // The upload carries the job's function and its packages, never its stand-in or zod.
  const files = Object.keys(fn.archive!.files).join("\n");
  t.false(/node_modules\/(zod|got)\//.test(files), "only the packages the definition names");
  t.true(files.includes("node_modules/@aws-lambda-powertools/logger/"));
  t.false(fn.archive!.index.includes(FAKE_FEED_TOKEN), "the stand-in stays out of the upload");
  t.true(fn.archive!.index.includes("the feed answered"), "the handler is in it");
});

test.serial("the Fargate task entry runs the fixture job from a registry that has it", async (t) => {
  const world = await standIn.start({});
  t.teardown(() => world.stop());
  const [state, entries] = await Promise.all([freshTable(ddb, syncStateTable, "feed-state"), freshTable(ddb, feedJob.tables!.entries!, "feed-entries")]);
  const env = { ...process.env, SYNC_JOB: "feed", SYNC_STATE_TABLE: state, ENTRIES_TABLE: entries, FEED_URL: world.settings.feedUrl!, FEED_TOKEN: world.secrets.feedToken! };
  t.is(await runSyncTask(env, JOBS), 0);
  t.deepEqual(await tableItems(entries), FAKE_ENTRIES.map((e) => e.id).sort());
  t.is(await runSyncTask({ ...env, FEED_TOKEN: "wrong-token" }, JOBS), 1, "a run where the feed refuses the token fails the task");
  t.is(await runSyncTask(env), 1, "the shipped registry alone has no feed job");
});

test.serial("npm run sync runs the fixture job against its stand-in, and its usage names it", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-sync-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, SWITCHYARD_LOCAL_DIR: dir };
  const result = await syncCommand(["feed", "--fake"], { jobs: JOBS, env });
  t.like(result.summary, { counts: { seen: 3, created: 3, failed: 0 } });
  t.deepEqual(result.fake, { requests: ["GET /feed.json → 200"] });
  await t.throwsAsync(syncCommand(["nope"], { jobs: JOBS, env }), { instanceOf: LocalSetupError, message: /^usage: npm run sync -- gists\|skills\|feed \[--fake\]/ });
  await t.throwsAsync(syncCommand(["feed"], { jobs: JOBS, env: { ...env, FEED_URL: "", FEED_TOKEN: "" } }), { instanceOf: LocalSetupError, message: "set FEED_URL, FEED_TOKEN (or use --fake for the local stand-ins)" });
});

test.serial("local mode schedules the fixture job (its <JOB>_SCHEDULE too), its trigger runs it, and /health reports it with its title", async (t) => {
  const env = { ...process.env, GIST_USERS: "", AIRTABLE_TOKEN: "", FEED_URL: "", FEED_SCHEDULE: "cron(0 4 * * ? *)" };
  const syncs = await startLocalSchedules({ dynamodb: ddb.client, s3, env, jobs: JOBS, runAtStart: false, log: () => undefined });
  t.teardown(() => syncs.stop());
  t.deepEqual(syncs.jobs.map((j) => j.job), ["gists", "skills", "feed"]);
  t.like(syncs.jobs[2], { schedule: "cron(0 4 * * ? *)", mode: "stand-ins" });
  const route = (key: string) => syncs.routes.find((r) => r.routeKey === key)!.handler;
  const run = parseResult(await route("POST /_local/sync/{job}")(apiEvent("POST", "/_local/sync/feed", { routeKey: "POST /_local/sync/{job}", pathParameters: { job: "feed" } })));
  t.is(run.status, 200);
  t.like(run.body, { counts: { seen: 3, created: 3, failed: 0 } });
  t.deepEqual(await tableItems("switchyard-local-feed-entries"), FAKE_ENTRIES.map((e) => e.id).sort());

  // What the website's sync card shows: each job of /health by its title.
  const health = parseResult(await route("GET /health")(apiEvent("GET", "/health")));
  t.is(health.status, 200);
  t.deepEqual(Object.keys(health.body.syncs), ["gists", "skills", "feed"]);
  t.like(health.body.syncs.feed, { title: FEED_TITLE, schedule: "cron(0 4 * * ? *)", lastError: null });
  t.truthy(health.body.syncs.feed.lastSuccess);
  t.like(health.body.syncs, { gists: { title: "Gists → Pipedrive" }, skills: { title: "Skill-app sync" } });
});
