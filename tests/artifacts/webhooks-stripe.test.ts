// The Stripe WebhookIngest's ingest function as it would be uploaded (index.ts evaluated by
// ts-node with the Stripe keys set), in a fresh Node process with the Lambda runtime's SDK, on
// DynamoDB Local and an SSM stand-in holding the endpoint secret: a signed checkout.session.completed
// is stored once (a repeat answers 200 duplicate), a stale signature, another secret and a bad
// session are refused and store nothing. Its AWS calls are checked against its role (the harness).
import test from "ava";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { fromEventItem } from "../../handlers/webhooks/event-store";
import { signStripeBody } from "../../handlers/webhooks/stripe";
import { webhookEventsTable } from "../../handlers/webhooks/tables";
import { createTable } from "../../local/emulators/tables";
import { removeDir, startFunction, unpackFunction, type RunningFunction } from "../harness/artifact";
import { startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";
import { startSsm } from "../harness/ssm";
import { STRIPE_CONFIG, STRIPE_SECRET_KEYS, TEST_SECRETS, byName, evaluateStack } from "../harness/stacks";
import { checkoutEvent } from "../harness/stripe";

const SECRET = STRIPE_CONFIG["switchyard:stripeWebhookSecret"]!;

let ddb: DynamoDbLocal;
let ssm: Awaited<ReturnType<typeof startSsm>>;
let ingest: RunningFunction;
let table: string;
let dir: string;

test.before(async () => {
  let record;
  [ddb, record] = await Promise.all([startDynamoDbLocal(), evaluateStack("dev", STRIPE_CONFIG, "ts-node", [...Object.keys(TEST_SECRETS), ...STRIPE_SECRET_KEYS])]);
  table = byName(record, "aws:dynamodb/table:Table", "stripe-events").state.name as string;
  await createTable(ddb.client, table, webhookEventsTable);
  ssm = await startSsm({ [byName(record, "aws:ssm/parameter:Parameter", "stripe-signing-key").state.name as string]: SECRET });
  const fn = byName(record, "aws:lambda/function:Function", "stripe-ingest");
  dir = unpackFunction(fn);
  ingest = await startFunction(dir, {
    ...fn.inputs.environment.variables,
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
  });
});

test.after.always(async () => {
  await ingest?.stop();
  if (dir) removeDir(dir);
  await Promise.all([ddb?.stop(), ssm?.close()]);
});

const post = async (body: string, signature: string) =>
  parseResult(await ingest.invoke(apiEvent("POST", "/webhooks/stripe", { body, headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": signature } })));
const stored = async () => ((await ddb.client.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? []).map(fromEventItem);
const now = () => Math.floor(Date.now() / 1000);

test.serial("the uploaded stripe ingest stores a signed checkout.session.completed once, keyed by its evt id", async (t) => {
  const event = checkoutEvent("checkout.session.completed", { created: now() - 3 });
  const body = JSON.stringify(event, null, 2);
  const first = await post(body, signStripeBody(body, SECRET, now()));
  t.is(first.status, 201);
  t.deepEqual(first.body, { id: event.id, duplicate: false });
  const again = await post(body, signStripeBody(body, SECRET, now()));
  t.is(again.status, 200);
  t.true(again.body.duplicate);
  const items = await stored();
  t.is(items.length, 1);
  t.like(items[0], { id: event.id, source: "stripe", type: "checkout.session.completed", known: true });
  t.deepEqual(items[0]!.body, event);
  t.log(`cold init ${ingest.initMs} ms`);
});

test.serial("the uploaded stripe ingest refuses a stale signature (401), another secret (401) and a session that breaks the schema (400), storing nothing", async (t) => {
  const before = (await stored()).length;
  const body = JSON.stringify(checkoutEvent("checkout.session.completed"));
  t.is((await post(body, signStripeBody(body, SECRET, now() - 301))).status, 401);
  t.is((await post(body, signStripeBody(body, "whsec_not_the_endpoint_secret", now()))).status, 401);
  const bad = JSON.stringify(checkoutEvent("checkout.session.completed", { session: { payment_status: "half" } }));
  const res = await post(bad, signStripeBody(bad, SECRET, now()));
  t.is(res.status, 400);
  t.is(res.headers["content-type"], "application/problem+json");
  t.is((await stored()).length, before);
});
