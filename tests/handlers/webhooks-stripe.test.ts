// WebhookIngest's ingest with the stripe source, in-process against DynamoDB Local: Stripe's
// signature scheme case by case (the clock pinned, so the tolerance's edges are exact), the
// envelope and Checkout Session schemas, a duplicate delivery stored once, and late deliveries
// (an old event signed now is stored; a signature older than the tolerance is refused).
import test, { type ExecutionContext } from "ava";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { createObservability } from "../../handlers/shared/observability";
import { EventStore, fromEventItem } from "../../handlers/webhooks/event-store";
import { ingestHandler } from "../../handlers/webhooks/ingest";
import { STRIPE_TOLERANCE_SECONDS, createStripeSource, signStripeBody } from "../../handlers/webhooks/stripe";
import { webhookEventsTable } from "../../handlers/webhooks/tables";
import { useLocalAws } from "../../local/emulators/aws-env";
import { freshTable, startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";
import { checkoutEvent } from "../harness/stripe";

const SECRET = "whsec_test_handler_secret";
/** The ingest's clock, pinned: signatures at the tolerance's edges stay there. */
const NOW = Math.floor(Date.now() / 1000);

let ddb: DynamoDbLocal;
test.before(async () => {
  ddb = await startDynamoDbLocal();
  useLocalAws({ dynamodb: ddb.endpoint });
});
test.after.always(async () => ddb?.stop());

async function stripeIngest(_t: ExecutionContext) {
  const table = await freshTable(ddb, webhookEventsTable, "stripe-events");
  const ingest = ingestHandler({
    source: createStripeSource(),
    events: new EventStore(ddb.client, table),
    obs: createObservability("test"),
    signingKey: async () => SECRET,
    toleranceSeconds: STRIPE_TOLERANCE_SECONDS,
    now: () => NOW,
  });
  const post = async (body: string, signature: string | undefined, contentType = "application/json; charset=utf-8") =>
    parseResult(await ingest(apiEvent("POST", "/webhooks/stripe", { body, headers: { "content-type": contentType, ...(signature === undefined ? {} : { "stripe-signature": signature }) } })));
  const stored = async () => ((await ddb.client.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? []).map(fromEventItem);
  return { post, stored };
}

const bodyOf = (event: unknown) => JSON.stringify(event, null, 2); // Stripe sends pretty-printed JSON
const hmac = (body: string, secret: string, t: number) => signStripeBody(body, secret, t).split("v1=")[1]!;

test("Stripe-Signature, case by case: only a v1 made with the endpoint secret over t.body within 300 s either way is accepted; nothing else is stored", async (t) => {
  const { post, stored } = await stripeIngest(t);
  const cases: [string, (body: string) => string | undefined, number][] = [
    ["valid", (b) => signStripeBody(b, SECRET, NOW), 201],
    ["valid with test mode's extra v0", (b) => `${signStripeBody(b, SECRET, NOW)},v0=${"ab".repeat(32)}`, 201],
    ["two v1, the second valid (a rolled secret)", (b) => `t=${NOW},v1=${hmac(b, "whsec_old_secret", NOW)},v1=${hmac(b, SECRET, NOW)}`, 201],
    ["t 300 s old (the edge)", (b) => signStripeBody(b, SECRET, NOW - 300), 201],
    ["t 300 s ahead (the edge)", (b) => signStripeBody(b, SECRET, NOW + 300), 201],
    ["wrong secret", (b) => signStripeBody(b, "whsec_someone_else", NOW), 401],
    ["tampered body", (b) => signStripeBody(b.replace('"amount_total": 1500', '"amount_total": 1'), SECRET, NOW), 401],
    ["missing header", () => undefined, 401],
    ["empty header", () => "", 401],
    ["malformed header", () => "garbage", 401],
    ["t not a number", (b) => `t=now,v1=${hmac(b, SECRET, NOW)}`, 401],
    ["two t", (b) => `t=${NOW},t=${NOW},v1=${hmac(b, SECRET, NOW)}`, 401],
    ["no v1 (v0 only)", (b) => `t=${NOW},v0=${hmac(b, SECRET, NOW)}`, 401],
    ["v1 not hex", () => `t=${NOW},v1=${"z".repeat(64)}`, 401],
    ["v1 signed with another t", (b) => `t=${NOW},v1=${hmac(b, SECRET, NOW - 1)}`, 401],
    ["stale t (301 s old)", (b) => signStripeBody(b, SECRET, NOW - 301), 401],
    ["future t (301 s ahead)", (b) => signStripeBody(b, SECRET, NOW + 301), 401],
  ];
  let accepted = 0;
  for (const [name, sign, status] of cases) {
    const body = bodyOf(checkoutEvent("checkout.session.completed", { created: NOW - 5 }));
    const res = await post(body, sign(body));
    t.is(res.status, status, name);
    if (status === 201) {
      accepted++;
      t.deepEqual(res.body, { id: JSON.parse(body).id, duplicate: false }, name);
    } else {
      t.is(res.headers["content-type"], "application/problem+json", name);
      t.is(res.body.status, 401, name);
    }
    t.is((await stored()).length, accepted, name);
  }
});

test("the event is stored as Stripe sent it: id = the evt id, occurredAt = created, source stripe, no meeting and no changes", async (t) => {
  const { post, stored } = await stripeIngest(t);
  const event = checkoutEvent("checkout.session.completed", { created: NOW - 42, clientReferenceId: "inv_abc" });
  const body = bodyOf(event);
  const res = await post(body, signStripeBody(body, SECRET, NOW));
  t.is(res.status, 201);
  const [item] = await stored();
  t.like(item, { id: event.id, source: "stripe", type: "checkout.session.completed", known: true, occurredAt: new Date((NOW - 42) * 1000).toISOString(), changes: [] });
  t.is(item!.meetingId, undefined);
  t.deepEqual(item!.body, event);
  t.true(Math.abs(Date.parse(item!.receivedAt) - Date.now()) < 60_000);
});

test("every checkout.session.* type is known; another type is stored raw with known: false", async (t) => {
  const { post, stored } = await stripeIngest(t);
  for (const type of ["checkout.session.completed", "checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed", "checkout.session.expired"]) {
    const body = bodyOf(checkoutEvent(type, { created: NOW }));
    t.is((await post(body, signStripeBody(body, SECRET, NOW))).status, 201, type);
  }
  // Not a Checkout Session in data.object: fine for a type without a schema.
  const other = { ...checkoutEvent("customer.created", { created: NOW }), data: { object: { id: "cus_123", object: "customer" } } };
  const body = bodyOf(other);
  t.is((await post(body, signStripeBody(body, SECRET, NOW))).status, 201);
  const items = await stored();
  t.deepEqual(items.map((e) => [e.type, e.known]).sort(), [
    ["checkout.session.async_payment_failed", true],
    ["checkout.session.async_payment_succeeded", true],
    ["checkout.session.completed", true],
    ["checkout.session.expired", true],
    ["customer.created", false],
  ]);
});

test("bodies that break the envelope or the Checkout Session schema get a 400 problem+json naming the field, and nothing is stored", async (t) => {
  const { post, stored } = await stripeIngest(t);
  const base = () => checkoutEvent("checkout.session.completed", { created: NOW });
  const session = (change: Record<string, unknown>) => {
    const event = base();
    return { ...event, data: { object: { ...event.data.object, ...change } } };
  };
  const { client_reference_id: _dropped, ...withoutReference } = base().data.object;
  const cases: [string, unknown, string][] = [
    ["id not evt_", { ...base(), id: "ev_1" }, "#/id"],
    ["no id", { ...base(), id: undefined }, "#/id"],
    ["object not event", { ...base(), object: "checkout.session" }, "#/object"],
    ["created as text", { ...base(), created: "yesterday" }, "#/created"],
    ["created negative", { ...base(), created: -1 }, "#/created"],
    ["livemode missing", { ...base(), livemode: undefined }, "#/livemode"],
    ["data not an object", { ...base(), data: [] }, "#/data"],
    ["data.object missing", { ...base(), data: {} }, "#/data/object"],
    ["session id not cs_", session({ id: "pi_123" }), "#/data/object/id"],
    ["session object wrong", session({ object: "payment_intent" }), "#/data/object/object"],
    ["payment_status unknown", session({ payment_status: "maybe" }), "#/data/object/payment_status"],
    ["amount_total negative", session({ amount_total: -5 }), "#/data/object/amount_total"],
    ["currency upper-case", session({ currency: "EUR" }), "#/data/object/currency"],
    ["metadata value a number", session({ metadata: { eventId: 7 } }), "#/data/object/metadata/eventId"],
    ["client_reference_id left out", { ...base(), data: { object: withoutReference } }, "#/data/object/client_reference_id"],
    ["not an object at all", [1, 2], "#"],
  ];
  for (const [name, event, pointer] of cases) {
    const body = JSON.stringify(event);
    const res = await post(body, signStripeBody(body, SECRET, NOW));
    t.is(res.status, 400, name);
    t.is(res.headers["content-type"], "application/problem+json", name);
    t.true(
      res.body.errors.some((e: { pointer: string }) => e.pointer === pointer),
      `${name}: ${JSON.stringify(res.body.errors)}`,
    );
  }
  const malformed = "{ not json";
  const bad = await post(malformed, signStripeBody(malformed, SECRET, NOW));
  t.is(bad.status, 400);
  t.is(bad.headers["content-type"], "application/problem+json");
  const body = bodyOf(base());
  t.is((await post(body, signStripeBody(body, SECRET, NOW), "application/x-www-form-urlencoded")).status, 415);
  t.deepEqual(await stored(), []);
});

test("a duplicate delivery (the same evt id, re-signed later as Stripe's retries are) answers 200 duplicate and is stored once", async (t) => {
  const { post, stored } = await stripeIngest(t);
  const body = bodyOf(checkoutEvent("checkout.session.completed", { created: NOW - 10 }));
  const first = await post(body, signStripeBody(body, SECRET, NOW - 10));
  t.is(first.status, 201);
  const again = await post(body, signStripeBody(body, SECRET, NOW));
  t.is(again.status, 200);
  t.deepEqual(again.body, { id: first.body.id, duplicate: true });
  // The same event rendered differently (compact JSON) is still the same evt id, the same item.
  const compact = JSON.stringify(JSON.parse(body));
  t.is((await post(compact, signStripeBody(compact, SECRET, NOW))).status, 200);
  t.is((await stored()).length, 1);
});

test("late deliveries: an event created two days ago (Stripe retries for 3 days) signed now is stored with its own time; a signature older than 300 s is refused and stores nothing", async (t) => {
  const { post, stored } = await stripeIngest(t);
  const created = NOW - 2 * 86_400;
  const old = bodyOf(checkoutEvent("checkout.session.completed", { created }));
  const inside = await post(old, signStripeBody(old, SECRET, NOW - 299));
  t.is(inside.status, 201);
  t.is((await stored())[0]!.occurredAt, new Date(created * 1000).toISOString());

  const late = bodyOf(checkoutEvent("checkout.session.completed", { created: NOW - 400 }));
  const outside = await post(late, signStripeBody(late, SECRET, NOW - 301));
  t.is(outside.status, 401);
  t.regex(outside.body.detail, /300 s/);
  t.is((await stored()).length, 1);
});
