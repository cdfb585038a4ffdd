// Switchyard's components outside Switchyard's program: tests/fixtures/reuse-webhooks/index.ts
// imports HttpApi and WebhookIngest through the package's `exports` and reads no Switchyard stack
// config. Evaluated under the same mocks as the stacks, with every `switchyard:` key removed.
import test from "ava";
import type { StackRecord } from "../harness/record";
import { StackEvaluationError, TEST_SECRETS, byName, evaluateStack, ofType, stackConfig } from "../harness/stacks";
import { grants, policiesByRole } from "../harness/iam";

const PROGRAM = "tests/fixtures/reuse-webhooks/index.ts";
/** Every Switchyard key of the dev stack, removed: only `aws:region` is left. */
const NO_SWITCHYARD_CONFIG = Object.fromEntries(Object.keys({ ...stackConfig("dev"), ...TEST_SECRETS }).filter((k) => k.startsWith("switchyard:")).map((k) => [k, null]));

let record: StackRecord;
test.before(async () => {
  record = await evaluateStack("dev", NO_SWITCHYARD_CONFIG, "tsx", [], PROGRAM);
});

test("Switchyard's own program needs its stack config (so the reuse program below proves it reads none)", async (t) => {
  const error = await t.throwsAsync(evaluateStack("dev", NO_SWITCHYARD_CONFIG, "tsx", []), { instanceOf: StackEvaluationError });
  t.regex(error!.message, /switchyard:/);
});

test("a program using only HttpApi and WebhookIngest gets the API, its routes, and the webhook pipeline; nothing else of Switchyard", (t) => {
  const apis = ofType(record, "aws:apigatewayv2/api:Api");
  t.deepEqual(apis.map((a) => [a.name, a.inputs.protocolType]).sort(), [["hooks-api", "HTTP"], ["hooks-live", "WEBSOCKET"]]);
  const routes = ofType(record, "aws:apigatewayv2/route:Route").map((r) => r.inputs.routeKey).sort();
  t.deepEqual(routes, ["$connect", "$default", "$disconnect", "GET /meetings", "GET /meetings/{id}/events", "POST /webhooks/calendly", "POST /webhooks/calendly/replay"]);
  t.deepEqual(ofType(record, "aws:dynamodb/table:Table").map((r) => r.name).sort(), ["hooks-connections", "hooks-events", "hooks-meetings"]);
  // No other component came along (no site, messages, events platform, syncs or dashboard).
  const types = new Set(record.resources.map((r) => r.type));
  for (const other of ["switchyard:site:StaticSite", "switchyard:api:MessageApi", "switchyard:events:EventsApi", "switchyard:sync:ScheduledSync", "switchyard:observability:ObservabilityDashboard"]) t.false(types.has(other), other);
  t.regex(record.outputs.webhookUrl, /^https:\/\/[a-z0-9]+\.execute-api\.us-west-2\.amazonaws\.com\/webhooks\/calendly$/);
  t.is(record.outputs.apiUrl, byName(record, "aws:apigatewayv2/api:Api", "hooks-api").state.apiEndpoint);
});

test("the reused components keep least privilege: ingest only writes its events table and reads its own signing key", (t) => {
  const table = byName(record, "aws:dynamodb/table:Table", "hooks-events").state.arn as string;
  const key = byName(record, "aws:ssm/parameter:Parameter", "hooks-signing-key").state.arn as string;
  const logs = [`${byName(record, "aws:cloudwatch/logGroup:LogGroup", "hooks-ingest").state.arn}:log-stream:*`];
  t.deepEqual(grants(policiesByRole(record).get("hooks-ingest") ?? []), { "logs:CreateLogStream": logs, "logs:PutLogEvents": logs, "dynamodb:PutItem": [table], "ssm:GetParameter": [key] });
  const env = byName(record, "aws:lambda/function:Function", "hooks-ingest").inputs.environment.variables;
  t.is(env.SIGNATURE_TOLERANCE_SECONDS, "300");
  t.false(JSON.stringify(env).includes("reuse-signing-key"), "the secret is in SSM, not the environment");
});
