// The second WebhookIngest (source stripe, #19) under mocks: present only with both Stripe keys
// set; a source without meetings gets the ingest route, the events table (with the stream paid
// events consumes), the signing-secret parameter and nothing else (no meetings or connections
// table, no projector, no live WebSocket API, no dead-letter queue, no forwarding); the ingest's
// grants are the narrowest; and Calendly's resources are exactly the same with Stripe on or off.
import test from "ava";
import { SECRET_KEYS, parseStackConfig } from "../../components/stack-config";
import type { StackRecord } from "../harness/record";
import { STRIPE_CONFIG, STRIPE_SECRET_KEYS, TEST_SECRETS, byName, evaluateStack, ofType } from "../harness/stacks";
import { grants, policiesByRole } from "../harness/iam";

let withStripe: StackRecord;
let without: StackRecord;
test.before(async () => {
  [withStripe, without] = await Promise.all([evaluateStack("prod", STRIPE_CONFIG, "tsx", [...Object.keys(TEST_SECRETS), ...STRIPE_SECRET_KEYS]), evaluateStack("prod")]);
});

const stripeResources = (r: StackRecord) => r.resources.filter((x) => x.name.startsWith("stripe-") || x.name === "stripe");
const arn = (record: StackRecord, type: string, name: string) => byName(record, type, name).state.arn as string;

test("without the Stripe keys there is no Stripe ingest and no stripeWebhookUrl", (t) => {
  t.deepEqual(stripeResources(without).map((r) => r.name), []);
  t.is(without.outputs.stripeWebhookUrl, undefined);
});

test("with them: only the ingest, its route, the events table and the signing secret — no meetings, live API, dead letters or forwarding", (t) => {
  const made = stripeResources(withStripe)
    .map((r) => `${r.type} ${r.name}`)
    .sort();
  t.deepEqual(made, [
    "aws:apigatewayv2/integration:Integration stripe-ingest",
    "aws:apigatewayv2/route:Route stripe-ingest",
    "aws:cloudwatch/logGroup:LogGroup stripe-ingest",
    // The dashboard's inventory covers every function: the ingest gets its error-rate alarm like any other.
    "aws:cloudwatch/metricAlarm:MetricAlarm stripe-ingest-error-rate",
    "aws:dynamodb/table:Table stripe-events",
    "aws:iam/role:Role stripe-ingest",
    "aws:iam/rolePolicy:RolePolicy stripe-ingest",
    "aws:lambda/function:Function stripe-ingest",
    "aws:lambda/permission:Permission stripe-ingest",
    "aws:ssm/parameter:Parameter stripe-signing-key",
    "switchyard:lambda:HandlerFunction stripe-ingest",
    "switchyard:webhooks:WebhookIngest stripe",
  ]);
  const routes = ofType(withStripe, "aws:apigatewayv2/route:Route").map((r) => r.inputs.routeKey);
  t.true(routes.includes("POST /webhooks/stripe"));
  // The meeting read routes stay Calendly's, once each; Stripe adds no replay route.
  t.is(routes.filter((k) => k === "GET /meetings").length, 1);
  t.false(routes.includes("POST /webhooks/stripe/replay"));
  t.is(ofType(withStripe, "aws:apigatewayv2/api:Api").filter((a) => a.inputs.protocolType === "WEBSOCKET").length, 1, "one live API, Calendly's");
  t.regex(withStripe.outputs.stripeWebhookUrl, /^https:\/\/.+\/webhooks\/stripe$/);
});

test("the Stripe events table has the NEW_IMAGE stream paid events consumes, and is protected in prod", (t) => {
  const events = byName(withStripe, "aws:dynamodb/table:Table", "stripe-events");
  t.like(events.inputs, { streamEnabled: true, streamViewType: "NEW_IMAGE", deletionProtectionEnabled: true, pointInTimeRecovery: { enabled: true }, hashKey: "pk", rangeKey: "sk" });
  t.truthy(events.state.streamArn);
});

test("the Stripe ingest may only put events into its own table and read its own secret; the secret is a SecureString, never in the environment", (t) => {
  const logs = [`${arn(withStripe, "aws:cloudwatch/logGroup:LogGroup", "stripe-ingest")}:log-stream:*`];
  t.deepEqual(grants(policiesByRole(withStripe).get("stripe-ingest") ?? []), {
    "dynamodb:PutItem": [arn(withStripe, "aws:dynamodb/table:Table", "stripe-events")],
    "ssm:GetParameter": [arn(withStripe, "aws:ssm/parameter:Parameter", "stripe-signing-key")],
    "logs:CreateLogStream": logs,
    "logs:PutLogEvents": logs,
  });
  const parameter = byName(withStripe, "aws:ssm/parameter:Parameter", "stripe-signing-key");
  t.is(parameter.inputs.type, "SecureString");
  const env = byName(withStripe, "aws:lambda/function:Function", "stripe-ingest").inputs.environment.variables;
  t.like(env, { SOURCE: "stripe", SIGNATURE_TOLERANCE_SECONDS: "300", SIGNING_KEY_PARAMETER: parameter.state.name });
  const all = JSON.stringify(ofType(withStripe, "aws:lambda/function:Function").map((f) => f.inputs.environment));
  for (const secret of Object.values(STRIPE_CONFIG)) t.false(all.includes(secret));
});

test("Calendly's resources are the same with Stripe on as with it off", (t) => {
  const calendly = (r: StackRecord) =>
    r.resources
      .filter((x) => x.name === "calendly" || x.name.startsWith("calendly-"))
      .map((x) => ({ type: x.type, name: x.name, urn: x.urn, inputs: x.inputs }))
      .sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
  const on = calendly(withStripe);
  t.true(on.length > 30);
  t.deepEqual(on, calendly(without));
});

test("config: the two Stripe keys turn Stripe on together, both secrets, checked; the tolerance defaults to 300 s", (t) => {
  const base = { "aws:region": "us-west-2", "switchyard:protectData": "true", ...TEST_SECRETS };
  t.is(parseStackConfig(base, "qa").stripe, undefined);
  const on = parseStackConfig({ ...base, ...STRIPE_CONFIG }, "qa");
  t.is(on.stripe?.toleranceSeconds, 300);
  t.is(parseStackConfig({ ...base, ...STRIPE_CONFIG, "switchyard:stripeSignatureToleranceSeconds": "120" }, "qa").stripe?.toleranceSeconds, 120);
  t.true(STRIPE_SECRET_KEYS.every((k) => SECRET_KEYS.includes(k)));
  // One without the other is a mistake, not "off".
  t.regex(t.throws(() => parseStackConfig({ ...base, "switchyard:stripeSecretKey": STRIPE_CONFIG["switchyard:stripeSecretKey"] }, "qa"))!.message, /switchyard:stripeWebhookSecret is missing/);
  t.regex(t.throws(() => parseStackConfig({ ...base, "switchyard:stripeWebhookSecret": STRIPE_CONFIG["switchyard:stripeWebhookSecret"] }, "qa"))!.message, /switchyard:stripeSecretKey is missing/);
  const wrong = t.throws(() => parseStackConfig({ ...base, ...STRIPE_CONFIG, "switchyard:stripeWebhookSecret": "not-a-whsec-secret" }, "qa"))!.message;
  t.regex(wrong, /switchyard:stripeWebhookSecret is invalid/);
  t.false(wrong.includes("not-a-whsec-secret"), "a secret's value is never echoed");
  t.regex(t.throws(() => parseStackConfig({ ...base, ...STRIPE_CONFIG }, "qa", Object.keys(TEST_SECRETS)))!.message, /switchyard:stripeSecretKey is stored in plain text/);
});
