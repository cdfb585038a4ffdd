// Paid events (issue #19) through the serialized functions (index.ts evaluated by ts-node with the
// Stripe keys set), each in a fresh Node process with the Lambda runtime's SDK: the RSVP function
// reads Stripe's secret key from an SSM stand-in and starts a Checkout Session at the Stripe
// stand-in (over HTTP); the session is paid; the Stripe event lands in the Stripe ingest's events
// table as the ingest stores it, whose stream (DynamoDB Local) feeds the payments function like its
// event source mapping: the invitation is confirmed and paid once, and a replayed record or a
// second delivery changes nothing. Every AWS call is checked against the function's own role.
import test from "ava";
import { DynamoDBClient, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { EventStore } from "../../handlers/events/event-store";
import { signRsvpToken } from "../../handlers/events/rsvp-token";
import { eventsTable } from "../../handlers/events/tables";
import { toEventItem, type StoredEvent } from "../../handlers/webhooks/event-store";
import { webhookEventsTable } from "../../handlers/webhooks/tables";
import { startStreamPoller, type StreamPoller } from "../../local/emulators/dynamodb-stream-poller";
import { createTable } from "../../local/emulators/tables";
import { startStripeStandIn, type StripeEvent, type StripeStandIn } from "../../local/standins/stripe";
import { removeDir, startFunction, unpackFunction, type RunningFunction } from "../harness/artifact";
import { startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";
import { startSsm } from "../harness/ssm";
import { STRIPE_CONFIG, STRIPE_SECRET_KEYS, TEST_SECRETS, byName, evaluateStack } from "../harness/stacks";

const RSVP_KEY = TEST_SECRETS["switchyard:rsvpSigningKey"]!;
const STRIPE_KEY = STRIPE_CONFIG["switchyard:stripeSecretKey"]!;
const ORGANIZER = { id: "6f1c2d3e-0000-4000-8000-000000000001", email: "olga@example.com" };

let ddb: DynamoDbLocal;
let ssm: Awaited<ReturnType<typeof startSsm>>;
let stripe: StripeStandIn;
let rsvp: RunningFunction;
let payments: RunningFunction;
let poller: StreamPoller;
let events: string;
let stripeEvents: string;
const dirs: string[] = [];
const batches: DynamoDBStreamEvent[] = [];

test.before(async () => {
  let record;
  [ddb, record, stripe] = await Promise.all([startDynamoDbLocal(), evaluateStack("dev", STRIPE_CONFIG, "ts-node", [...Object.keys(TEST_SECRETS), ...STRIPE_SECRET_KEYS]), startStripeStandIn({ secretKey: STRIPE_KEY })]);
  const physical = (type: string, name: string) => byName(record, type, name).state.name as string;
  events = physical("aws:dynamodb/table:Table", "events-events");
  stripeEvents = physical("aws:dynamodb/table:Table", "stripe-events");
  await createTable(ddb.client, events, eventsTable);
  await createTable(ddb.client, stripeEvents, webhookEventsTable);
  ssm = await startSsm({ [physical("aws:ssm/parameter:Parameter", "events-rsvp-signing-key")]: RSVP_KEY, [physical("aws:ssm/parameter:Parameter", "events-stripe-secret-key")]: STRIPE_KEY });
  const start = async (kind: string, extra: Record<string, string> = {}) => {
    const fn = byName(record, "aws:lambda/function:Function", `events-${kind}`);
    const dir = unpackFunction(fn);
    dirs.push(dir);
    return startFunction(dir, { ...fn.inputs.environment.variables, AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint, AWS_ENDPOINT_URL_SSM: ssm.endpoint, AWS_LAMBDA_FUNCTION_NAME: fn.name, ...extra });
  };
  const rsvpEnv = byName(record, "aws:lambda/function:Function", "events-rsvp").inputs.environment.variables as Record<string, string>;
  if (rsvpEnv.STRIPE_API_URL !== "https://api.stripe.com") throw new Error(`the stack's Stripe URL is ${rsvpEnv.STRIPE_API_URL}`);
  // Stripe's API is the stand-in here (the only change to the function's own environment).
  [rsvp, payments] = await Promise.all([start("rsvp", { STRIPE_API_URL: stripe.url }), start("payments")]);
  // The Stripe events table's stream → the payments function, as its event source mapping.
  poller = await startStreamPoller({ client: ddb.client, endpoint: ddb.endpoint, tableName: stripeEvents, handler: async (batch) => (batches.push(batch), payments.invoke(batch)), pollIntervalMs: 50 });
});

test.after.always(async () => {
  await poller?.stop().catch(() => undefined);
  await Promise.all([rsvp?.stop(), payments?.stop()]);
  dirs.forEach(removeDir);
  await Promise.all([ddb?.stop(), ssm?.close(), stripe?.close()]);
});

const stored = (e: StripeEvent): StoredEvent => ({ id: e.id, source: "stripe", type: e.type, known: true, occurredAt: new Date(e.created * 1000).toISOString(), receivedAt: new Date().toISOString(), changes: [], body: e });
const ingest = (e: StoredEvent) => ddb.client.send(new PutItemCommand({ TableName: stripeEvents, Item: toEventItem(e), ConditionExpression: "attribute_not_exists(pk)" }));
const snapshot = async () => JSON.stringify(((await ddb.client.send(new ScanCommand({ TableName: events, ConsistentRead: true }))).Items ?? []).sort((a, b) => `${a.pk!.S}${a.sk!.S}`.localeCompare(`${b.pk!.S}${b.sk!.S}`)));

test.serial("the uploaded rsvp starts a Checkout Session for a paid yes; the uploaded payments function confirms it once from the Stripe events stream", async (t) => {
  // The organizer's part, in-process (the organizer function is tested elsewhere): a published paid event, one invitee.
  const store = new EventStore(new DynamoDBClient({ endpoint: ddb.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } }), events);
  const at = new Date();
  const event = await store.create({ title: "Paid talk", description: "", startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(), durationMinutes: 45, visibility: "private", price: { amount: 1500, currency: "eur" } }, ORGANIZER, at);
  await store.invite(event.id, ["ann@example.com"], ORGANIZER, at, 500);
  await store.publish(event.id, ORGANIZER, at);
  const token = signRsvpToken({ eventId: event.id, email: "ann@example.com", answer: "yes", nonce: (await store.invitation(event.id, "ann@example.com"))!.nonce }, RSVP_KEY);

  const answered = parseResult(await rsvp.invoke(apiEvent("POST", "/rsvp", { routeKey: "POST /rsvp", body: JSON.stringify({ token }) })));
  t.is(answered.status, 200);
  t.is(answered.body.status, "pending");
  const session = stripe.sessions().find((s) => s.metadata.eventId === event.id)!;
  t.is(answered.body.checkoutUrl, session.url);
  t.is(session.customer_email, "ann@example.com");
  t.is(session.amount_total, 1500);
  t.log(`rsvp cold init ${rsvp.initMs} ms, payments cold init ${payments.initMs} ms`);

  const [completed] = stripe.pay(session.id).map(stored);
  await ingest(completed!);
  await poller.idle();
  t.like(await store.invitation(event.id, "ann@example.com"), { status: "yes", payment: { state: "paid", sessionId: session.id, stripeEventId: completed!.id } as never });
  t.is((await store.get(event.id))!.confirmedCount, 1);
  const once = await snapshot();
  // The same stream record again (a retried batch), and a second delivery under another evt id.
  t.deepEqual(await payments.invoke(batches.at(-1)), { batchItemFailures: [] });
  await ingest({ ...completed!, id: `evt_again_${Date.now()}`, body: { ...(completed!.body as StripeEvent), id: `evt_again_${Date.now()}` } });
  await poller.idle();
  t.is(await snapshot(), once);
  t.true(payments.logs.some((l) => l.includes('"outcome":"duplicate"')), "the replay is logged as a duplicate");
  t.false(payments.logs.some((l) => l.includes("ann@example.com")), "no address in the logs");

  // Paid after the organizer canceled: recorded paid (non-refundable), not confirmed.
  await store.invite(event.id, ["ben@example.com"], ORGANIZER, new Date(), 500);
  const benToken = signRsvpToken({ eventId: event.id, email: "ben@example.com", answer: "yes", nonce: (await store.invitation(event.id, "ben@example.com"))!.nonce }, RSVP_KEY);
  const benCheckout = parseResult(await rsvp.invoke(apiEvent("POST", "/rsvp", { routeKey: "POST /rsvp", body: JSON.stringify({ token: benToken }) }))).body.checkoutUrl as string;
  await store.cancel(event.id, ORGANIZER, new Date());
  const benSession = stripe.sessions().find((s) => s.url === benCheckout)!;
  await ingest(stripe.pay(benSession.id).map(stored)[0]!);
  await poller.idle();
  t.like(await store.invitation(event.id, "ben@example.com"), { status: "pending", payment: { state: "paid" } as never });
  t.is((await store.get(event.id))!.confirmedCount, 1);
});
