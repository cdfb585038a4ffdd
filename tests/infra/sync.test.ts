// ScheduledSync under mocks: the schedule, its retry policy and dead-letter queue, the run-state
// table, least privilege, and secrets kept out of the environment.
import test from "ava";
import { runsPerHour } from "../../components/scheduled-sync";
import { gistsJob } from "../../handlers/sync/jobs/gists/job";
import type { StackRecord } from "../harness/record";
import { GISTS_SYNC, SYNCS_CONFIG, SYNC_SECRET_KEYS, TEST_SECRETS, byName, evaluateStack, ofType } from "../harness/stacks";
import { grants, policiesByRole } from "../harness/iam";

let prod: StackRecord;
let dev: StackRecord;
test.before(async () => {
  [prod, dev] = await Promise.all([
    evaluateStack("prod", SYNCS_CONFIG, "tsx", [...Object.keys(TEST_SECRETS), ...SYNC_SECRET_KEYS]),
    evaluateStack("dev"),
  ]);
});

test("the gists sync runs on its schedule; the target retries twice, then dead-letters", (t) => {
  const rule = byName(prod, "aws:cloudwatch/eventRule:EventRule", "gists-schedule");
  t.is(rule.inputs.scheduleExpression, "rate(30 minutes)");
  const target = byName(prod, "aws:cloudwatch/eventTarget:EventTarget", "gists-schedule").inputs;
  const fn = byName(prod, "aws:lambda/function:Function", "gists-run");
  const dlq = byName(prod, "aws:sqs/queue:Queue", "gists-dlq");
  t.like(target, { arn: fn.state.arn, retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 }, deadLetterConfig: { arn: dlq.state.arn } });
  t.like(byName(prod, "aws:lambda/permission:Permission", "gists-schedule").inputs, { principal: "events.amazonaws.com", sourceArn: rule.state.arn });
  const queuePolicy = JSON.parse(byName(prod, "aws:sqs/queuePolicy:QueuePolicy", "gists-dlq").inputs.policy);
  t.like(queuePolicy.Statement[0], { Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: dlq.state.arn, Condition: { ArnEquals: { "aws:SourceArn": rule.state.arn } } });
  t.is(fn.inputs.timeout, 300);
});

test("the job may read and write its run state and read its own secret, nothing else", (t) => {
  const table = byName(prod, "aws:dynamodb/table:Table", "gists-state");
  const param = byName(prod, "aws:ssm/parameter:Parameter", "gists-pipedrive-api-token");
  const logs = `${byName(prod, "aws:cloudwatch/logGroup:LogGroup", "gists-run").state.arn}:log-stream:*`;
  t.deepEqual(grants(policiesByRole(prod).get("gists-run")!), {
    "logs:CreateLogStream": [logs],
    "logs:PutLogEvents": [logs],
    "dynamodb:GetItem": [table.state.arn],
    "dynamodb:PutItem": [table.state.arn],
    "dynamodb:UpdateItem": [table.state.arn],
    "ssm:GetParameter": [param.state.arn],
  });
  t.like(table.inputs, { deletionProtectionEnabled: true, pointInTimeRecovery: { enabled: true } });
  t.is(param.inputs.type, "SecureString");
});

test("the job's settings are in its environment, its secrets are not", (t) => {
  const env = byName(prod, "aws:lambda/function:Function", "gists-run").inputs.environment.variables;
  t.like(env, { GIST_USERS: "alice,bob", PIPEDRIVE_BASE_URL: "https://acme.pipedrive.com", PIPEDRIVE_GIST_URL_FIELD: "abc_gist_url" });
  t.is(env.PIPEDRIVE_API_TOKEN_PARAMETER, byName(prod, "aws:ssm/parameter:Parameter", "gists-pipedrive-api-token").state.name);
  t.false(JSON.stringify(env).includes(GISTS_SYNC.pipedriveApiToken));
  t.is(prod.outputs.gistsSyncFunction, byName(prod, "aws:lambda/function:Function", "gists-run").state.name);
});

test("without gist users or an Airtable base there is no sync", (t) => {
  t.deepEqual(ofType(dev, "switchyard:sync:ScheduledSync"), []);
  t.is(dev.outputs.gistsSyncFunction, undefined);
  t.is(dev.outputs.skillsSyncFunction, undefined);
});

test("the skill-app sync upserts into its own tables and writes release archives under releases/ only", (t) => {
  const table = (n: string) => byName(prod, "aws:dynamodb/table:Table", `skills-${n}`).state.arn as string;
  const bucket = byName(prod, "aws:s3/bucket:Bucket", "skills-releases");
  const param = (n: string) => byName(prod, "aws:ssm/parameter:Parameter", `skills-${n}`).state.arn as string;
  const logs = `${byName(prod, "aws:cloudwatch/logGroup:LogGroup", "skills-run").state.arn}:log-stream:*`;
  t.deepEqual(grants(policiesByRole(prod).get("skills-run")!), {
    "logs:CreateLogStream": [logs],
    "logs:PutLogEvents": [logs],
    "dynamodb:GetItem": [table("state")],
    "dynamodb:PutItem": [table("assertions"), table("assessments"), table("badge-classes"), table("state")].sort(),
    "dynamodb:BatchGetItem": [table("assertions"), table("assessments"), table("badge-classes")].sort(),
    "ssm:GetParameter": [param("airtable-token"), param("badgr-password")].sort(),
    "s3:ListBucket": [bucket.state.arn],
    "s3:GetObject": [`${bucket.state.arn}/releases/*`],
    "s3:PutObject": [`${bucket.state.arn}/releases/*`],
    "s3:AbortMultipartUpload": [`${bucket.state.arn}/releases/*`],
  });
  const env = byName(prod, "aws:lambda/function:Function", "skills-run").inputs.environment.variables;
  t.like(env, { AIRTABLE_BASE_ID: "appABCDEFGHIJKLMN", RELEASE_REPO: "acme/skill-app", BADGR_BASE_URL: "https://api.badgr.io", RELEASES_BUCKET: bucket.state.bucket });
  t.false(JSON.stringify(env).includes("test-badgr-password"));
  t.like(byName(prod, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "skills-releases").inputs, { blockPublicAcls: true, restrictPublicBuckets: true });
  t.is(byName(prod, "aws:cloudwatch/eventRule:EventRule", "skills-schedule").inputs.scheduleExpression, "rate(6 hours)");
  t.is(byName(prod, "aws:lambda/function:Function", "skills-run").inputs.timeout, 600);
});

test("runs per hour of a rate expression (for the GitHub budget warning)", (t) => {
  t.is(runsPerHour("rate(30 minutes)"), 2);
  t.is(runsPerHour("rate(1 minute)"), 60);
  t.is(runsPerHour("rate(2 hours)"), 0.5);
  t.is(runsPerHour("cron(0 12 * * ? *)"), undefined);
});

test("the gists job warns (at pulumi up) when users × runs per hour exceed GitHub's unauthenticated budget, unless it has a token", (t) => {
  const warn = (users: number, schedule: string, githubToken?: string) => gistsJob.warnings!({ users: Array.from({ length: users }, (_, i) => `user${i}`), ...(githubToken ? { githubToken } : {}) }, schedule);
  t.deepEqual(warn(2, "rate(30 minutes)"), []);
  t.deepEqual(warn(31, "rate(30 minutes)"), ["31 users × 2 runs/h = 62 GitHub requests/h exceeds the 60/h unauthenticated budget: set switchyard:syncs.gists.githubToken or slow switchyard:syncs.gists.schedule."]);
  t.deepEqual(warn(31, "rate(30 minutes)", "ghp_0123456789"), []);
  t.deepEqual(warn(50, "cron(0 3 * * ? *)"), [], "a cron schedule's rate is unknown");
});

test("the gists read routes (and their original paths) are on the HTTP API, each invoking only the read function", (t) => {
  const fn = byName(prod, "aws:lambda/function:Function", "gists-read");
  const httpApi = ofType(prod, "aws:apigatewayv2/api:Api").find((a) => a.inputs.protocolType === "HTTP")!;
  const routes = ofType(prod, "aws:apigatewayv2/route:Route").filter((r) => r.name.startsWith("gists-read-"));
  t.deepEqual(routes.map((r) => r.inputs.routeKey).sort(), ["GET /getAllScannedUsers", "GET /getCurrentlyScannedUsers", "GET /getGists", "GET /gists", "GET /users/current", "GET /users/scanned"]);
  for (const route of routes) {
    t.is(route.inputs.apiId, httpApi.id);
    const integration = byName(prod, "aws:apigatewayv2/integration:Integration", route.name);
    t.is(integration.inputs.integrationUri, fn.state.arn);
    const permission = byName(prod, "aws:lambda/permission:Permission", route.name);
    t.is(permission.inputs.sourceArn, `${httpApi.state.executionArn}/*/${route.inputs.routeKey.replace(" ", "")}`);
  }
  t.is(prod.outputs.gistsUrl, `${httpApi.state.apiEndpoint}/gists`);
  t.is(dev.outputs.gistsUrl, undefined);
});

test("the read function reads the run state (never writes it) and keeps sessions in a TTL table", (t) => {
  const state = byName(prod, "aws:dynamodb/table:Table", "gists-state");
  const sessions = byName(prod, "aws:dynamodb/table:Table", "gists-sessions");
  const logs = `${byName(prod, "aws:cloudwatch/logGroup:LogGroup", "gists-read").state.arn}:log-stream:*`;
  t.deepEqual(grants(policiesByRole(prod).get("gists-read")!), {
    "logs:CreateLogStream": [logs],
    "logs:PutLogEvents": [logs],
    "dynamodb:GetItem": [state.state.arn, sessions.state.arn].sort(),
    "dynamodb:Query": [state.state.arn],
    "dynamodb:PutItem": [sessions.state.arn],
    "dynamodb:UpdateItem": [sessions.state.arn],
  });
  t.like(sessions.inputs, { ttl: { attributeName: "expiresAt", enabled: true } });
  t.like(byName(prod, "aws:lambda/function:Function", "gists-read").inputs.environment.variables, { SYNC_SCHEDULE: "rate(30 minutes)", SESSION_TTL_DAYS: "30", GIST_USERS: "alice,bob", SESSIONS_TABLE: sessions.state.name });
});
