// The Stripe stand-in against Stripe's documented contract: Checkout Sessions created from a
// bracket-notation form body with a secret key (401 otherwise), Stripe's error shape on bad
// parameters, Idempotency-Key replays and conflicts, GET and expire; the hosted page pays and
// redirects to success_url; webhook deliveries in Stripe's envelope, signed t=…,v1=… over
// `t.body` with the endpoint secret (checked here with node:crypto), retried on a non-2xx, and
// delivered again, late or with a stale timestamp on request.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import test from "ava";
import { startStripeStandIn, type StripeStandInOptions } from "../../local/standins/stripe";

const SECRET = "whsec_test_standin_secret";
const KEY = "sk_test_standin";

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const sessionFields = (extra: Record<string, string> = {}) => ({
  mode: "payment",
  "line_items[0][price_data][currency]": "EUR",
  "line_items[0][price_data][unit_amount]": "1500",
  "line_items[0][price_data][product_data][name]": "Book club ticket",
  "line_items[0][quantity]": "2",
  success_url: "https://site.example/events/1?paid={CHECKOUT_SESSION_ID}",
  cancel_url: "https://site.example/events/1",
  client_reference_id: "inv_123",
  "metadata[eventId]": "ev1",
  "metadata[invitationId]": "inv_123",
  ...extra,
});

/** A webhook endpoint that records what arrives and answers with the statuses queued (then 200). */
async function receiver(t: { teardown(fn: () => void): void }) {
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const statuses: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.teardown(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, received, statuses };
}

async function stripe(t: { teardown(fn: () => Promise<void> | void): void }, options: StripeStandInOptions = {}) {
  const standIn = await startStripeStandIn(options);
  t.teardown(() => standIn.close());
  const call = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${standIn.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }), ...headers },
      body,
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  const create = (fields: Record<string, string> = sessionFields(), headers: Record<string, string> = {}) => call("POST", "/v1/checkout/sessions", form(fields), headers);
  return { standIn, call, create };
}

/** Stripe's scheme, written here independently: every v1 over `t.body`. */
function verify(header: string, body: string, secret: string) {
  const parts = header.split(",").map((p) => p.split("=") as [string, string]);
  const t = Number(parts.find(([k]) => k === "t")![1]);
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return { t, valid: parts.some(([k, v]) => k === "v1" && v === expected), schemes: parts.map(([k]) => k) };
}

test("POST /v1/checkout/sessions: a secret key is required (401 in Stripe's error shape); a form body in bracket notation makes an open payment session", async (t) => {
  const { standIn, create } = await stripe(t);
  const none = await fetch(`${standIn.url}/v1/checkout/sessions`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form(sessionFields()) });
  t.is(none.status, 401);
  t.is(((await none.json()) as any).error.type, "invalid_request_error");
  const wrong = await create(sessionFields(), { authorization: "Bearer pk_test_publishable" });
  t.is(wrong.status, 401);
  t.regex(wrong.body.error.message, /^Invalid API Key provided/);

  // HTTP Basic with the key as the username works as Stripe's does (curl -u sk_test_…:).
  t.is((await create(sessionFields(), { authorization: `Basic ${Buffer.from(`${KEY}:`).toString("base64")}` })).status, 200);
  t.is((await create(sessionFields(), { authorization: `Basic ${Buffer.from("sk_live_nope:").toString("base64")}` })).status, 401);
  const made = await create();
  t.is(made.status, 200);
  t.regex(made.headers.get("request-id")!, /^req_/);
  const session = made.body;
  t.regex(session.id, /^cs_test_/);
  t.like(session, {
    object: "checkout.session",
    mode: "payment",
    status: "open",
    payment_status: "unpaid",
    currency: "eur",
    amount_subtotal: 3000,
    amount_total: 3000,
    client_reference_id: "inv_123",
    metadata: { eventId: "ev1", invitationId: "inv_123" },
    success_url: "https://site.example/events/1?paid={CHECKOUT_SESSION_ID}",
    livemode: false,
    customer_email: null,
  });
  t.is(session.url, `${standIn.url}/c/pay/${session.id}`);
  // 24 h by default.
  t.is(session.expires_at - session.created, 24 * 3600);

  const read = await fetch(`${standIn.url}/v1/checkout/sessions/${session.id}`, { headers: { authorization: `Bearer ${KEY}` } });
  t.deepEqual(await read.json(), session);
  const missing = await fetch(`${standIn.url}/v1/checkout/sessions/cs_test_nope`, { headers: { authorization: `Bearer ${KEY}` } });
  t.is(missing.status, 404);
  t.like(((await missing.json()) as any).error, { type: "invalid_request_error", code: "resource_missing", param: "session" });
});

test("bad parameters answer 400 invalid_request_error with the code and the param, and make no session", async (t) => {
  const { standIn, create, call } = await stripe(t);
  const now = Math.floor(Date.now() / 1000);
  const cases: [Record<string, string>, string, string][] = [
    [{ success_url: "" }, "parameter_missing", "success_url"],
    [{ success_url: "not a url" }, "url_invalid", "success_url"],
    [{ mode: "bogus" }, "parameter_invalid_string", "mode"],
    [{ "line_items[0][price_data][unit_amount]": "12.5" }, "parameter_invalid_integer", "line_items[0][price_data][unit_amount]"],
    [{ "line_items[0][price_data][unit_amount]": "10" }, "amount_too_small", "line_items"],
    [{ "line_items[0][quantity]": "0" }, "parameter_invalid_integer", "line_items[0][quantity]"],
    [{ "line_items[0][price_data][product_data][name]": "" }, "parameter_missing", "line_items[0][price_data][product_data][name]"],
    [{ colour: "blue" }, "parameter_unknown", "colour"],
    [{ customer_email: "not-an-email" }, "email_invalid", "customer_email"],
    [{ expires_at: String(now + 60) }, "parameter_invalid_integer", "expires_at"],
    [{ expires_at: String(now + 25 * 3600) }, "parameter_invalid_integer", "expires_at"],
  ];
  for (const [change, code, param] of cases) {
    const res = await create(sessionFields(change));
    t.is(res.status, 400, JSON.stringify(change));
    t.like(res.body.error, { type: "invalid_request_error", code, param }, JSON.stringify(change));
    t.is(typeof res.body.error.message, "string");
  }
  const { "line_items[0][quantity]": _q, ...withoutQuantity } = sessionFields();
  t.like((await create(withoutQuantity)).body.error, { code: "parameter_missing", param: "line_items[0][quantity]" });
  // JSON is not what Stripe's API takes.
  t.is((await call("POST", "/v1/checkout/sessions", JSON.stringify({ mode: "payment" }), { "content-type": "application/json" })).status, 400);
  t.is(standIn.sessions().length, 0);
  // Optional ones accepted: a customer email and an expiry inside the window.
  const ok = await create(sessionFields({ customer_email: "ann@example.com", expires_at: String(now + 3600) }));
  t.is(ok.status, 200);
  t.is(ok.body.customer_email, "ann@example.com");
  t.is(ok.body.expires_at, now + 3600);
});

test("Idempotency-Key: the same key and parameters replay the same session; other parameters get 400 idempotency_error", async (t) => {
  const { standIn, create } = await stripe(t);
  const first = await create(sessionFields(), { "idempotency-key": "rsvp-inv_123" });
  const again = await create(sessionFields(), { "idempotency-key": "rsvp-inv_123" });
  t.is(again.status, 200);
  t.is(again.body.id, first.body.id);
  t.is(again.headers.get("idempotent-replayed"), "true");
  const conflict = await create(sessionFields({ "line_items[0][quantity]": "3" }), { "idempotency-key": "rsvp-inv_123" });
  t.is(conflict.status, 400);
  t.is(conflict.body.error.type, "idempotency_error");
  const other = await create(sessionFields(), { "idempotency-key": "rsvp-inv_456" });
  t.not(other.body.id, first.body.id);
  t.is(standIn.sessions().length, 2);
});

test("the hosted page pays: Pay posts, the session is complete and paid, the browser goes to success_url, and a signed checkout.session.completed arrives", async (t) => {
  const hook = await receiver(t);
  const { standIn, create } = await stripe(t, { webhook: { url: hook.url, secret: SECRET } });
  const session = (await create()).body;
  const page = await fetch(session.url);
  t.is(page.status, 200);
  const html = await page.text();
  t.regex(html, /Book club ticket × 2/);
  t.regex(html, /<button[^>]*id="pay"[^>]*>Pay 30\.00 EUR<\/button>/);

  const paid = await fetch(session.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form({ email: "ann@example.com" }), redirect: "manual" });
  t.is(paid.status, 303);
  t.is(paid.headers.get("location"), `https://site.example/events/1?paid=${session.id}`);
  await standIn.settled();
  t.like(standIn.session(session.id), { status: "complete", payment_status: "paid", url: null, customer_details: { email: "ann@example.com" } });
  t.regex(standIn.session(session.id)!.payment_intent!, /^pi_/);
  // The page of a paid session says so, with no Pay button.
  t.notRegex(await (await fetch(session.url)).text(), /id="pay"/);

  t.is(hook.received.length, 1);
  const [delivery] = hook.received;
  t.is(delivery!.headers["content-type"], "application/json; charset=utf-8");
  const signature = verify(delivery!.headers["stripe-signature"] as string, delivery!.body, SECRET);
  t.true(signature.valid);
  t.deepEqual(signature.schemes, ["t", "v1", "v0"]);
  t.true(Math.abs(signature.t - Date.now() / 1000) < 5);
  t.false(verify(delivery!.headers["stripe-signature"] as string, delivery!.body, "whsec_other").valid);
  const event = JSON.parse(delivery!.body);
  t.regex(event.id, /^evt_/);
  t.like(event, { object: "event", type: "checkout.session.completed", livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null } });
  t.is(typeof event.api_version, "string");
  t.is(typeof event.created, "number");
  t.like(event.data.object, { id: session.id, client_reference_id: "inv_123", payment_status: "paid", status: "complete", amount_total: 3000, currency: "eur" });
});

test("pay(), deliver() again (a duplicate: the same evt id), a late delivery and a stale signature timestamp", async (t) => {
  const hook = await receiver(t);
  const { standIn, create } = await stripe(t, { webhook: { url: hook.url, secret: SECRET } });
  const session = (await create()).body;
  const [event] = standIn.pay(session.id);
  await standIn.settled();
  t.throws(() => standIn.pay(session.id), { message: /complete, not open/ });

  const duplicate = await standIn.deliver(event!.id);
  t.is(duplicate.status, 200);
  const started = Date.now();
  const late = await standIn.deliver(event!.id, { delayMs: 300 });
  t.true(Date.now() - started >= 290);
  const staleAt = Math.floor(Date.now() / 1000) - 600;
  const stale = await standIn.deliver(event!.id, { signedAt: staleAt });
  t.is(hook.received.length, 4);
  const ids = hook.received.map((r) => JSON.parse(r.body).id);
  t.deepEqual(ids, [event!.id, event!.id, event!.id, event!.id]);
  // The same bytes every time; each delivery signed when sent (or at the time asked for), all valid.
  t.true(hook.received.every((r) => r.body === hook.received[0]!.body));
  t.true(hook.received.every((r) => verify(r.headers["stripe-signature"] as string, r.body, SECRET).valid));
  t.is(verify(stale.signature, stale.body, SECRET).t, staleAt);
  t.true(verify(late.signature, late.body, SECRET).t >= Math.floor(started / 1000));
});

test("a non-2xx answer is retried on the quick schedule until a 2xx, each attempt signed anew", async (t) => {
  const hook = await receiver(t);
  hook.statuses.push(500, 503);
  const { standIn, create } = await stripe(t, { webhook: { url: hook.url, secret: SECRET }, retryDelaysMs: [20, 20, 20] });
  const [event] = standIn.pay((await create()).body.id);
  await standIn.settled();
  t.deepEqual(
    standIn.deliveries.map((d) => [d.eventId, d.attempt, d.status]),
    [
      [event!.id, 1, 500],
      [event!.id, 2, 503],
      [event!.id, 3, 200],
    ],
  );
  // An endpoint that never answers 2xx gets the first attempt and every retry, then no more.
  hook.statuses.push(500, 500, 500, 500, 500);
  const [other] = standIn.pay((await create()).body.id);
  await standIn.settled();
  t.is(standIn.deliveries.filter((d) => d.eventId === other!.id).length, 4);
});

test("expire: POST /v1/checkout/sessions/{id}/expire and expire() end an open session with checkout.session.expired; async payments add their second event", async (t) => {
  const hook = await receiver(t);
  const { standIn, create, call } = await stripe(t, { webhook: { url: hook.url, secret: SECRET } });
  const session = (await create()).body;
  const expired = await call("POST", `/v1/checkout/sessions/${session.id}/expire`, "");
  t.is(expired.status, 200);
  t.like(expired.body, { id: session.id, status: "expired", url: null, payment_status: "unpaid" });
  const again = await call("POST", `/v1/checkout/sessions/${session.id}/expire`, "");
  t.is(again.status, 400);
  t.is(again.body.error.type, "invalid_request_error");
  t.is((await fetch(session.url, { method: "POST", redirect: "manual" })).status, 200); // nothing to pay
  t.is(standIn.session(session.id)!.status, "expired");

  const second = (await create()).body;
  t.is(standIn.expire(second.id).type, "checkout.session.expired");
  const third = (await create()).body;
  const asyncEvents = standIn.pay(third.id, { async: "failed" });
  t.deepEqual(asyncEvents.map((e) => [e.type, e.data.object.payment_status]), [
    ["checkout.session.completed", "unpaid"],
    ["checkout.session.async_payment_failed", "unpaid"],
  ]);
  await standIn.settled();
  const types = hook.received.map((r) => JSON.parse(r.body).type).sort();
  t.deepEqual(types, ["checkout.session.async_payment_failed", "checkout.session.completed", "checkout.session.expired", "checkout.session.expired"]);
  const apiExpiry = hook.received.map((r) => JSON.parse(r.body)).find((e) => e.data.object.id === session.id);
  t.regex(apiExpiry.request.id, /^req_/);
});
