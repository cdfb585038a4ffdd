// Stripe in local mode (local/stripe.ts) as `npm start` wires it, in-process: the stand-in's
// hosted checkout page pays a session → a signed checkout.session.completed → the local HTTP API's
// POST /webhooks/stripe (the ingest handler, the definition's environment) → the table
// switchyard-local-stripe-events, once; the same event delivered again is still once; a delivery
// signed 10 minutes ago is refused; a delivery the API answered with a 5xx is retried by the stand-in.
import test from "ava";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { createServer } from "node:net";
import { fromEventItem } from "../../handlers/webhooks/event-store";
import { startApiServer } from "../../local/emulators/api-server";
import { LOCAL_STRIPE_SECRET_KEY, LOCAL_STRIPE_WEBHOOK_SECRET, startLocalStripe } from "../../local/stripe";
import { useLocalEmulators } from "../harness/dynamodb";

const local = useLocalEmulators(test, { s3: true });

/** A port nothing listens on now (the API's: the stand-in must know where it will deliver before the API starts, as in npm start). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

test("a session paid on the stand-in's checkout page is stored once in switchyard-local-stripe-events; a duplicate delivery stays once; a stale one is refused", async (t) => {
  const apiPort = await freePort();
  const stripe = await startLocalStripe({ dynamodb: local.ddb, s3: local.s3, apiUrl: `http://127.0.0.1:${apiPort}`, port: 0, retryDelaysMs: [50, 50] });
  t.teardown(() => stripe.stop());
  t.is(stripe.tables.events, "switchyard-local-stripe-events");
  t.is(stripe.webhookSecret, LOCAL_STRIPE_WEBHOOK_SECRET);
  t.deepEqual(
    stripe.routes.map((r) => r.routeKey),
    ["POST /webhooks/stripe"],
    "no meeting reads, no replay: a source without meetings, not forwarding",
  );
  // The first delivery attempt finds the API answering 503 (a deploy in progress, say): Stripe retries.
  let down = true;
  const api = await startApiServer({
    routes: stripe.routes.map((r) => ({ ...r, handler: async (event: any, context: any) => (down ? ((down = false), { statusCode: 503, body: "" }) : r.handler(event, context)) })),
    corsOrigins: [],
    port: apiPort,
  });
  t.teardown(() => api.close());

  const form = new URLSearchParams({
    mode: "payment",
    "line_items[0][price_data][currency]": "eur",
    "line_items[0][price_data][unit_amount]": "1200",
    "line_items[0][price_data][product_data][name]": "Workshop",
    "line_items[0][quantity]": "1",
    success_url: "http://127.0.0.1:3002/events/?paid={CHECKOUT_SESSION_ID}",
    client_reference_id: "inv_local",
  });
  const created = await fetch(`${stripe.standIn.url}/v1/checkout/sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${LOCAL_STRIPE_SECRET_KEY}`, "content-type": "application/x-www-form-urlencoded" },
    body: form,
  });
  t.is(created.status, 200);
  const session = (await created.json()) as { id: string; url: string };
  const paid = await fetch(session.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "email=ann%40example.com", redirect: "manual" });
  t.is(paid.status, 303);
  await stripe.idle();

  const stored = async () => ((await local.ddb.client.send(new ScanCommand({ TableName: stripe.tables.events, ConsistentRead: true }))).Items ?? []).map(fromEventItem);
  const [event] = stripe.standIn.events();
  t.deepEqual(
    stripe.standIn.deliveries.map((d) => [d.eventId, d.attempt, d.status]),
    [
      [event!.id, 1, 503],
      [event!.id, 2, 201],
    ],
  );
  const items = await stored();
  t.is(items.length, 1);
  t.like(items[0], { id: event!.id, source: "stripe", type: "checkout.session.completed", known: true, occurredAt: new Date(event!.created * 1000).toISOString() });
  t.like((items[0]!.body as any).data.object, { id: session.id, client_reference_id: "inv_local", payment_status: "paid", amount_total: 1200 });

  const duplicate = await stripe.standIn.deliver(event!.id);
  t.is(duplicate.status, 200);
  const stale = await stripe.standIn.deliver(event!.id, { signedAt: Math.floor(Date.now() / 1000) - 600, retry: false });
  t.is(stale.status, 401);
  await stripe.idle();
  t.is((await stored()).length, 1);
});
