// Paid events in the stacks (issue #19), under mocks: with Stripe's keys set, the EventsApi gets a
// payments function on the Stripe WebhookIngest's events table stream (new checkout.session items
// only, from the oldest record kept), the RSVP function Stripe's secret key (an SSM SecureString)
// and API URL; each grant the narrowest. Without the keys none of it exists.
import test from "ava";
import type { StackRecord } from "../harness/record";
import { TEST_SECRETS, byName, evaluateStack, ofType } from "../harness/stacks";
import { grants, policiesByRole } from "../harness/iam";

const STRIPE = { "switchyard:stripeSecretKey": "sk_test_infraPaymentsKey123", "switchyard:stripeWebhookSecret": "whsec_infraPaymentsSecret123" };
const SECRET_KEYS = [...Object.keys(TEST_SECRETS), ...Object.keys(STRIPE)];
let withPayments: StackRecord;
let without: StackRecord;
test.before(async () => {
  [withPayments, without] = await Promise.all([evaluateStack("prod", STRIPE, "tsx", SECRET_KEYS), evaluateStack("prod")]);
});

const T = { fn: "aws:lambda/function:Function", mapping: "aws:lambda/eventSourceMapping:EventSourceMapping", table: "aws:dynamodb/table:Table", param: "aws:ssm/parameter:Parameter", queue: "aws:sqs/queue:Queue", logGroup: "aws:cloudwatch/logGroup:LogGroup" };
const arn = (record: StackRecord, type: string, name: string) => byName(record, type, name).state.arn as string;
const env = (record: StackRecord, fn: string) => byName(record, T.fn, `events-${fn}`).inputs.environment.variables as Record<string, string>;
const paymentsTypes = ["checkout.session.completed", "checkout.session.async_payment_succeeded", "checkout.session.expired", "checkout.session.async_payment_failed"];

test("without Stripe's keys: no payments function, no mapping, no Stripe key; the RSVP function knows no Stripe", (t) => {
  t.false(ofType(without, T.fn).some((f) => f.name === "events-payments"));
  t.false(ofType(without, T.mapping).some((m) => m.name === "events-payments"));
  t.false(ofType(without, T.param).some((p) => p.name === "events-stripe-secret-key"));
  const rsvp = env(without, "rsvp");
  t.false("STRIPE_SECRET_KEY_PARAMETER" in rsvp || "STRIPE_API_URL" in rsvp || "CHECKOUT_RETURN_URL" in rsvp);
  t.deepEqual(grants(policiesByRole(without).get("events-rsvp")!)["ssm:GetParameter"], [arn(without, T.param, "events-rsvp-signing-key"), arn(without, T.param, "events-video-stream-key")].sort());
});

test("with Stripe's keys: the payments function reads only the Stripe events table's stream, and updates only the events table", (t) => {
  for (const record of [withPayments]) {
    const table = arn(record, T.table, "events-events");
    const stream = byName(record, T.table, "stripe-events").state.streamArn as string;
    const logs = [`${arn(record, T.logGroup, "events-payments")}:log-stream:*`];
    t.deepEqual(grants(policiesByRole(record).get("events-payments")!), {
      "logs:CreateLogStream": logs,
      "logs:PutLogEvents": logs,
      "dynamodb:GetItem": [table],
      "dynamodb:Query": [table],
      "dynamodb:UpdateItem": [table],
      "dynamodb:ConditionCheckItem": [table],
      "dynamodb:DescribeStream": [stream],
      "dynamodb:GetRecords": [stream],
      "dynamodb:GetShardIterator": [stream],
      // IAM gives ListStreams no resource type: "*" is the only grant that works.
      "dynamodb:ListStreams": ["*"],
      "sqs:SendMessage": [arn(record, T.queue, "events-stream-dlq")],
    }, record.stack);
    t.deepEqual(env(record, "payments"), { EVENTS_TABLE: byName(record, T.table, "events-events").state.name, ...pick(env(record, "payments"), (k) => k.startsWith("POWERTOOLS_") || k === "NODE_OPTIONS" || k === "AWS_NODEJS_CONNECTION_REUSE_ENABLED") }, "only the events table");
  }
});

const pick = (o: Record<string, string>, keep: (k: string) => boolean) => Object.fromEntries(Object.entries(o).filter(([k]) => keep(k)));

test("the payments mapping: the Stripe table's stream, new checkout.session items of source stripe only, from the oldest record, retried then dead-lettered", (t) => {
  const mapping = byName(withPayments, T.mapping, "events-payments").inputs;
  t.like(mapping, {
    eventSourceArn: byName(withPayments, T.table, "stripe-events").state.streamArn,
    functionName: arn(withPayments, T.fn, "events-payments"),
    startingPosition: "TRIM_HORIZON",
    bisectBatchOnFunctionError: true,
    maximumRetryAttempts: 5,
    destinationConfig: { onFailure: { destinationArn: arn(withPayments, T.queue, "events-stream-dlq") } },
  });
  t.deepEqual(mapping.functionResponseTypes, ["ReportBatchItemFailures"]);
  const patterns = mapping.filterCriteria.filters.map((f: { pattern: string }) => JSON.parse(f.pattern));
  t.deepEqual(patterns, [{ eventName: ["INSERT"], dynamodb: { NewImage: { source: { S: ["stripe"] }, type: { S: paymentsTypes } } } }]);
});

test("the RSVP function: Stripe's secret key as a SecureString it may read, Stripe's API URL, the site to come back to", (t) => {
  const param = byName(withPayments, T.param, "events-stripe-secret-key");
  t.like(param.inputs, { type: "SecureString", name: "/switchyard/prod/events/stripe-secret-key" });
  const rsvp = env(withPayments, "rsvp");
  t.is(rsvp.STRIPE_SECRET_KEY_PARAMETER, param.state.name);
  t.is(rsvp.STRIPE_API_URL, "https://api.stripe.com");
  t.is(rsvp.CHECKOUT_RETURN_URL, env(withPayments, "notify").SITE_URL, "the website, as in the mails' links");
  t.regex(rsvp.CHECKOUT_RETURN_URL ?? "", /^https:\/\//);
  t.false(Object.values(rsvp).some((v) => String(v).includes("sk_test_")), "the key itself is never in the environment");
  t.deepEqual(grants(policiesByRole(withPayments).get("events-rsvp")!)["ssm:GetParameter"], [arn(withPayments, T.param, "events-rsvp-signing-key"), arn(withPayments, T.param, "events-video-stream-key"), param.state.arn].sort());
  // Nothing else may read Stripe's key.
  for (const [role, statements] of policiesByRole(withPayments)) {
    if (role === "events-rsvp") continue;
    t.false((grants(statements)["ssm:GetParameter"] ?? []).includes(param.state.arn), role);
  }
});
