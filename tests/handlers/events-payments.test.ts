// Paid events (issue #19) through the handlers on DynamoDB Local and s3rver, with STRIPE-INGEST's
// Stripe stand-in over real HTTP (local/standins/stripe.ts: Checkout Sessions, pay, expire): prices within Stripe's limits, the
// Checkout Session exactly as Stripe documents it (form body, Idempotency-Key), and the payments
// consumer on the Stripe WebhookIngest's events table stream confirming exactly once (the same
// record twice, a second delivery, an expiry out of order, a late completion, a canceled event),
// the organizer's counts, no refunds, and the "you're in" mail after the payment.
import test from "ava";
import { DynamoDBClient, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { EventStore } from "../../handlers/events/event-store";
import { eventsFanoutHandler } from "../../handlers/events/fanout";
import { parseMime } from "../../handlers/events/mail/parse-mime";
import { outboxSender } from "../../handlers/events/mail/outbox";
import { MediaStore } from "../../handlers/events/media";
import type { NotificationJob } from "../../handlers/events/notification-job";
import { notifyDeps, notifyHandler } from "../../handlers/events/notify";
import { organizerHandler } from "../../handlers/events/organizer";
import { paymentsDeps, paymentsHandler } from "../../handlers/events/payments/consumer";
import { invitationRef } from "../../handlers/events/payments/payment";
import { rsvpDeps, rsvpHandler } from "../../handlers/events/rsvp";
import { signRsvpToken } from "../../handlers/events/rsvp-token";
import { eventsTable, notificationsSentTable } from "../../handlers/events/tables";
import type { HttpEvent } from "../../handlers/shared/http";
import { createObservability } from "../../handlers/shared/observability";
import { toEventItem, type StoredEvent } from "../../handlers/webhooks/event-store";
import { webhookEventsTable } from "../../handlers/webhooks/tables";
import { startStreamPoller } from "../../local/emulators/dynamodb-stream-poller";
import { createLocalQueue } from "../../local/emulators/job-queue";
import { freshTable, useLocalEmulators } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";
import { startStripeStandIn, type CheckoutSession, type StripeEvent, type StripeStandIn } from "../../local/standins/stripe";

const local = useLocalEmulators(test, { s3: true });

const KEY = "payments-test-rsvp-signing-key-0123";
const SITE = "https://site.example";
const olga = { sub: randomUUID(), email: "olga@example.com" };
const DAY = 86_400_000;
const startIn = (days: number) => new Date(Date.now() + days * DAY).toISOString();
const PRICE = { amount: 1500, currency: "eur" };

function request(method: string, path: string, opts: { routeKey: string; body?: unknown; user?: boolean; id?: string }): HttpEvent {
  const event = apiEvent(method, path, { routeKey: opts.routeKey, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}), ...(opts.id ? { pathParameters: { id: opts.id } } : {}) });
  if (opts.user) (event.requestContext as any).authorizer = { jwt: { claims: { sub: olga.sub, email: olga.email, token_use: "id" }, scopes: null } };
  return event;
}

const SECRET_KEY = "sk_test_paymentsHandlerTests";
let stripe: StripeStandIn;
test.before(async () => {
  stripe = await startStripeStandIn({ secretKey: SECRET_KEY });
});
test.after.always(async () => stripe?.close());

let seq = 0;
/** A Stripe event as the Stripe WebhookIngest stores it in its events table (handlers/webhooks/event-store.ts). */
const stored = (e: StripeEvent): StoredEvent => ({ id: e.id, source: "stripe", type: e.type, known: true, occurredAt: new Date(e.created * 1000).toISOString(), receivedAt: new Date().toISOString(), changes: [], body: e });
/** Another event about a session than Stripe made (a second delivery under a new id, or one out of order): the same envelope, its own id. */
const another = (e: StripeEvent, type = e.type, session: Partial<CheckoutSession> = {}): StoredEvent =>
  stored({ ...e, id: `evt_${randomUUID().replace(/-/g, "")}`, type, data: { object: { ...e.data.object, ...session } } });
/** The customer pays at the stand-in: its checkout.session.completed (or, with async, completed unpaid then the outcome). */
const pay = (sessionId: string, async?: "succeeded" | "failed") => stripe.pay(sessionId, async ? { async } : {}).map(stored);
/** The stand-in's requests to create a session with this Idempotency-Key prefix (the invitation's). */
const createsFor = (ref: string) => stripe.requests.filter((r) => r.path === "/v1/checkout/sessions" && String(r.headers["idempotency-key"]).startsWith(`checkout-${ref}-`));
const streamEvent = (...events: StoredEvent[]): DynamoDBStreamEvent => ({
  Records: events.map((e) => ({ eventName: "INSERT", eventSource: "aws:dynamodb", dynamodb: { NewImage: toEventItem(e) as never, SequenceNumber: String(++seq) } })),
});

async function platform(t: { teardown(fn: () => Promise<void>): void }, options: { async?: boolean; payments?: boolean } = {}) {
  const table = await freshTable(local.ddb, eventsTable, "pay");
  const bucket = `media-${randomUUID().slice(0, 8)}`;
  await local.s3.createBucket(bucket);
  const checkout = options.payments === false ? undefined : { apiUrl: stripe.url, secretKey: async () => SECRET_KEY, siteUrl: SITE };
  const deps = rsvpDeps("test", { eventsTable: table, mediaBucket: bucket, rsvpKey: async () => KEY, ...(checkout ? { checkout } : {}) });
  const organizer = organizerHandler(deps);
  const rsvp = rsvpHandler(deps);
  const consumer = paymentsHandler(paymentsDeps("events-payments", { eventsTable: table }));
  const call = async (h: typeof organizer, e: HttpEvent) => parseResult(await h(e));
  const dir = mkdtempSync(join(tmpdir(), "pay-outbox-"));
  let idle = async () => {};
  if (options.async) {
    const sentTable = await freshTable(local.ddb, notificationsSentTable, "pay-sent");
    const notify = notifyHandler(notifyDeps("events-notify", { eventsTable: table, sentTable, siteUrl: SITE, rsvpKey: async () => KEY, from: "Events <events@example.com>" }, outboxSender(dir)));
    const queue = createLocalQueue<NotificationJob>({ name: "notifications", consumer: notify, visibilityTimeoutMs: 4000, maxReceiveCount: 5 });
    const fanout = eventsFanoutHandler({ store: new EventStore(new DynamoDBClient({}), table), media: new MediaStore(new S3Client({ forcePathStyle: true }), bucket), queue: queue.jobQueue, reminders: { upsert: async () => {}, remove: async () => {} }, obs: createObservability("events-fanout") });
    const poller = await startStreamPoller({ client: local.ddb.client, endpoint: local.ddb.endpoint, tableName: table, handler: fanout, pollIntervalMs: 50 });
    idle = async () => (await poller.idle(), await queue.drained());
    t.teardown(async () => (await poller.stop(), await queue.close()));
  }
  const p = {
    deps,
    table,
    idle,
    consumer,
    create: (body: unknown) => call(organizer, request("POST", "/events", { routeKey: "POST /events", body, user: true })),
    update: (id: string, body: unknown) => call(organizer, request("PATCH", `/events/${id}`, { routeKey: "PATCH /events/{id}", id, body, user: true })),
    publish: (id: string) => call(organizer, request("POST", `/events/${id}/publish`, { routeKey: "POST /events/{id}/publish", id, user: true })),
    cancel: (id: string) => call(organizer, request("POST", `/events/${id}/cancel`, { routeKey: "POST /events/{id}/cancel", id, user: true })),
    invite: (id: string, emails: string[]) => call(organizer, request("POST", `/events/${id}/invitations`, { routeKey: "POST /events/{id}/invitations", id, body: { emails }, user: true })),
    invitations: (id: string) => call(organizer, request("GET", `/events/${id}/invitations`, { routeKey: "GET /events/{id}/invitations", id, user: true })),
    viewRsvp: (token: string) => call(rsvp, request("GET", `/rsvp?token=${encodeURIComponent(token)}`, { routeKey: "GET /rsvp" })),
    answer: (token: string, answer?: "yes" | "no") => call(rsvp, request("POST", "/rsvp", { routeKey: "POST /rsvp", body: { token, ...(answer ? { answer } : {}) } })),
    token: async (eventId: string, email: string, answer: "yes" | "no" = "yes") => signRsvpToken({ eventId, email, answer, nonce: (await deps.store.invitation(eventId, email))!.nonce }, KEY),
    invitation: (eventId: string, email: string) => deps.store.invitation(eventId, email),
    snapshot: async () => JSON.stringify(((await local.ddb.client.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? []).sort((a, b) => `${a.pk!.S}${a.sk!.S}`.localeCompare(`${b.pk!.S}${b.sk!.S}`))),
    mails: () => Promise.all(readdirSync(dir).filter((f) => f.endsWith(".eml")).map(async (f) => { const m = await parseMime(readFileSync(join(dir, f))); return { to: m.headers.to!, subject: m.headers.subject!, text: m.text ?? "" }; })),
    /** A published paid event with these invitees. */
    async paidEvent(emails: string[], price: unknown = PRICE) {
      const created = await p.create({ title: "Paid workshop", startsAt: startIn(7), durationMinutes: 60, visibility: "public", joinUrl: "https://meet.example.com/w", price });
      const id = created.body.id as string;
      await p.invite(id, emails);
      await p.publish(id);
      return id;
    },
    sessionOf: async (eventId: string, email: string) => (await p.invitation(eventId, email))!.payment!.sessionId!,
  };
  return p;
}

test.serial("price: create and PATCH take { amount, currency } within Stripe's limits; views show it; null makes it free; bad prices are a 400 that writes nothing", async (t) => {
  const p = await platform(t);
  const created = await p.create({ title: "Paid", startsAt: startIn(3), durationMinutes: 30, price: PRICE });
  t.is(created.status, 201);
  t.deepEqual(created.body.price, PRICE);
  const id = created.body.id as string;
  t.deepEqual((await p.update(id, { price: { amount: 30, currency: "gbp" } })).body.price, { amount: 30, currency: "gbp" }, "£0.30 is Stripe's GBP minimum");
  const before = await p.snapshot();
  const bad: [unknown, string][] = [
    [{ amount: 49, currency: "usd" }, "#/price/amount"],
    [{ amount: 29, currency: "gbp" }, "#/price/amount"],
    [{ amount: 100_000_000, currency: "eur" }, "#/price/amount"],
    [{ amount: 15.5, currency: "eur" }, "#/price/amount"],
    [{ amount: 1500, currency: "jpy" }, "#/price/currency"],
    [{ amount: 1500, currency: "EUR" }, "#/price/currency"],
    [{ amount: 1500 }, "#/price/currency"],
    [{ amount: 1500, currency: "eur", refundable: true }, "#/price"],
    ["15 EUR", "#/price"],
  ];
  for (const [price, pointer] of bad) {
    const patched = await p.update(id, { price });
    t.is(patched.status, 400, JSON.stringify(price));
    t.true(patched.body.errors.some((e: { pointer: string }) => e.pointer.startsWith(pointer)), `${JSON.stringify(price)}: ${JSON.stringify(patched.body.errors)}`);
    t.is((await p.create({ title: "Bad", startsAt: startIn(3), durationMinutes: 30, price })).status, 400);
  }
  t.is(await p.snapshot(), before, "no bad price wrote anything");
  const free = await p.update(id, { price: null });
  t.is(free.body.price, null);
  t.false("price" in (await local.ddb.client.send(new ScanCommand({ TableName: p.table }))).Items![0]!, "null removes the attribute");
});

test.serial("yes on a paid event: one Checkout Session exactly as Stripe documents it; the answer stays; yes again returns the same session", async (t) => {
  const p = await platform(t);
  const id = await p.paidEvent(["ann@example.com"]);
  const token = await p.token(id, "ann@example.com");
  const first = await p.answer(token);
  t.is(first.status, 200);
  t.is(first.body.status, "pending", "the answer stays as it was until Stripe says paid");
  t.false(first.body.changed);
  t.is(first.body.joinUrl, null);
  t.like(first.body.payment, { state: "pending", amount: 1500, currency: "eur" });
  const invitation = (await p.invitation(id, "ann@example.com"))!;
  const ref = invitationRef(invitation.nonce);
  const made = createsFor(ref);
  t.is(made.length, 1);
  const sent = made[0]!;
  t.is(sent.status, 200);
  t.is(sent.method, "POST");
  t.is(sent.headers.authorization, `Bearer ${SECRET_KEY}`);
  t.is(sent.headers["content-type"], "application/x-www-form-urlencoded");
  t.is(sent.headers["idempotency-key"], `checkout-${ref}-1`);
  const form = sent.body as Record<string, string>;
  const expiresAt = Number(form.expires_at);
  t.true(expiresAt * 1000 - Date.now() >= 30 * 60_000 && expiresAt * 1000 - Date.now() <= 24 * 3600_000, "expires_at 30 min to 24 h ahead");
  const back = `${SITE}/events/rsvp?token=${encodeURIComponent(token)}`;
  t.deepEqual(form, {
    mode: "payment",
    "line_items[0][price_data][currency]": "eur",
    "line_items[0][price_data][unit_amount]": "1500",
    "line_items[0][price_data][product_data][name]": "Ticket: Paid workshop",
    "line_items[0][quantity]": "1",
    success_url: `${back}&checkout=success`,
    cancel_url: `${back}&checkout=canceled`,
    client_reference_id: ref,
    customer_email: "ann@example.com",
    "metadata[eventId]": id,
    "metadata[invitation]": ref,
    expires_at: String(expiresAt),
  });
  t.false(ref.includes("ann") || ref.includes("@"), "the reference names no email");
  const session = stripe.session(invitation.payment!.sessionId!)!;
  t.is(session.client_reference_id, ref);
  t.is(first.body.checkoutUrl, session.url);
  t.like(invitation.payment, { state: "pending", amount: 1500, currency: "eur", attempt: 1 });
  t.is(invitation.status, "pending");

  const again = await p.answer(token);
  t.is(again.body.checkoutUrl, session.url, "the open session again");
  t.is(createsFor(ref).length, 1, "no second session");
  t.is((await p.viewRsvp(token)).body.payment.state, "pending");
  t.is((await p.viewRsvp(token)).body.event.price.amount, 1500);
  t.is((await p.invitations(id)).body.counts.paymentPending, 1);
});

test.serial("Stripe refuses or is down: a 424 problem and the invitation as it was (no pending payment); the next yes starts a fresh attempt", async (t) => {
  const p = await platform(t);
  const id = await p.paidEvent(["ben@example.com"]);
  const token = await p.token(id, "ben@example.com");
  const ref = invitationRef((await p.invitation(id, "ben@example.com"))!.nonce);
  stripe.failNext(1, { status: 402, body: { error: { type: "card_error", message: "declined" } } }, (r) => r.path === "/v1/checkout/sessions");
  const refused = await p.answer(token);
  t.is(refused.status, 424);
  t.is(refused.body.type, "urn:switchyard:problem:payment-not-started");
  t.is(refused.headers["content-type"], "application/problem+json");
  stripe.failNext(1, { status: 500, body: { error: { type: "api_error", message: "down" } } }, (r) => r.path === "/v1/checkout/sessions");
  t.is((await p.answer(token)).status, 424);
  const after = (await p.invitation(id, "ben@example.com"))!;
  t.is(after.payment, undefined);
  t.is(after.status, "pending");
  const retried = await p.answer(token);
  t.is(retried.status, 200);
  t.truthy(retried.body.checkoutUrl);
  t.deepEqual(createsFor(ref).map((r) => r.headers["idempotency-key"]), [1, 2, 3].map((n) => `checkout-${ref}-${n}`), "a new key per attempt: Stripe keeps a refused key's answer");
  // Stripe made the session but its answer was lost: the 424 shows nothing pending, and the next yes
  // sends the same key and parameters, getting that session: never a second.
  const cy = await p.paidEvent(["cy@example.com"]);
  const cyToken = await p.token(cy, "cy@example.com");
  const cyRef = invitationRef((await p.invitation(cy, "cy@example.com"))!.nonce);
  stripe.dropAfterCommit(1, (r) => r.path === "/v1/checkout/sessions");
  const lost = await p.answer(cyToken);
  t.is(lost.status, 424);
  t.is((await p.viewRsvp(cyToken)).body.payment, null, "nothing pending is shown");
  t.is((await p.invitations(cy)).body.counts.paymentPending, 0);
  const made = stripe.sessions().filter((x) => x.client_reference_id === cyRef);
  t.is(made.length, 1, "Stripe did make one");
  const resumed = await p.answer(cyToken);
  t.is(resumed.body.checkoutUrl, made[0]!.url, "the session Stripe made, by the same key");
  t.is(stripe.sessions().filter((x) => x.client_reference_id === cyRef).length, 1, "no second session");
  const keys = createsFor(cyRef).map((r) => r.headers["idempotency-key"]);
  t.deepEqual(keys, [`checkout-${cyRef}-1`, `checkout-${cyRef}-1`]);
  t.deepEqual(createsFor(cyRef)[0]!.body, createsFor(cyRef)[1]!.body, "the same parameters (expires_at included)");
  // No payments set up on this stack: a paid yes is refused, nothing written.
  const unpaid = await platform(t, { payments: false });
  const id2 = await unpaid.paidEvent(["cy@example.com"]);
  const before = await unpaid.snapshot();
  const none = await unpaid.answer(await unpaid.token(id2, "cy@example.com"));
  t.is(none.status, 424);
  t.is(await unpaid.snapshot(), before);
});

test.serial("the consumer confirms exactly once: the same stream record twice and a second delivery of the payment change nothing more", async (t) => {
  const p = await platform(t);
  const id = await p.paidEvent(["ann@example.com", "ben@example.com"]);
  const token = await p.token(id, "ann@example.com");
  await p.answer(token);
  const sessionId = await p.sessionOf(id, "ann@example.com");
  const [completed] = pay(sessionId);
  t.is(completed!.type, "checkout.session.completed");
  t.deepEqual(await p.consumer(streamEvent(completed!)), { batchItemFailures: [] });
  const paid = (await p.invitation(id, "ann@example.com"))!;
  t.is(paid.status, "yes");
  t.like(paid.payment, { state: "paid", sessionId, amount: 1500, currency: "eur", stripeEventId: completed!.id });
  t.truthy(paid.payment!.paidAt);
  t.is(paid.answerSeq, 1);
  t.is((await p.deps.store.get(id))!.confirmedCount, 1);
  const once = await p.snapshot();
  await p.consumer(streamEvent(completed!, completed!));
  t.is(await p.snapshot(), once, "the same record again");
  const body = completed!.body as StripeEvent;
  await p.consumer(streamEvent(another(body), another(body, "checkout.session.async_payment_succeeded")));
  t.is(await p.snapshot(), once, "a second delivery (another evt id) and a later success");
  await p.consumer(streamEvent(another(body, "checkout.session.expired", { status: "expired" })));
  t.is(await p.snapshot(), once, "an expiry arriving after the payment never clears it");
  const view = await p.viewRsvp(token);
  t.is(view.body.current, "yes");
  t.is(view.body.joinUrl, "https://meet.example.com/w");
  t.like(view.body.payment, { state: "paid", amount: 1500 });
  // A session not made for a ticket (another integration of the Stripe account): nothing.
  await p.consumer(streamEvent(another(body, "checkout.session.completed", { id: "cs_other", metadata: {}, client_reference_id: null })));
  t.is(await p.snapshot(), once);
});

test.serial("expired sessions clear the pending payment for a new attempt; an old session's expiry arriving late leaves the new one; a delayed payment fails or succeeds", async (t) => {
  const p = await platform(t);
  const id = await p.paidEvent(["ann@example.com"]);
  const token = await p.token(id, "ann@example.com");
  await p.answer(token);
  const first = await p.sessionOf(id, "ann@example.com");
  const expired = stored(stripe.expire(first));
  await p.consumer(streamEvent(expired));
  t.is((await p.invitation(id, "ann@example.com"))!.payment, undefined, "cleared");
  const second = await p.answer(token);
  const inv = (await p.invitation(id, "ann@example.com"))!;
  t.not(inv.payment!.sessionId, first);
  t.is(inv.payment!.attempt, 2);
  t.is(second.body.checkoutUrl, stripe.session(inv.payment!.sessionId!)!.url);
  await p.consumer(streamEvent(another(expired.body as StripeEvent)));
  t.is((await p.invitation(id, "ann@example.com"))!.payment!.sessionId, inv.payment!.sessionId, "the old session's expiry (again, late) leaves the new one");
  // A bank debit: completed but unpaid (the answer does not move), then failed → cleared.
  const [completedUnpaid, failed] = pay(inv.payment!.sessionId!, "failed");
  t.is((completedUnpaid!.body as StripeEvent).data.object.payment_status, "unpaid");
  await p.consumer(streamEvent(completedUnpaid!));
  t.is((await p.invitation(id, "ann@example.com"))!.payment!.state, "pending");
  t.is(failed!.type, "checkout.session.async_payment_failed");
  await p.consumer(streamEvent(failed!));
  t.is((await p.invitation(id, "ann@example.com"))!.payment, undefined);
  t.is((await p.invitation(id, "ann@example.com"))!.status, "pending");
  // A third attempt whose delayed payment succeeds confirms.
  await p.answer(token);
  const third = await p.sessionOf(id, "ann@example.com");
  await p.consumer(streamEvent(...pay(third, "succeeded")));
  t.like(await p.invitation(id, "ann@example.com"), { status: "yes", payment: { state: "paid", sessionId: third } as never });
  t.is((await p.deps.store.get(id))!.confirmedCount, 1);
});

test.serial("late completions: after a change to no the payment confirms (paid, non-refundable); after a cancel it is recorded paid, not confirmed; a paid yes → no → yes needs no second payment", async (t) => {
  const p = await platform(t);
  const id = await p.paidEvent(["ann@example.com", "ben@example.com"]);
  const ann = await p.token(id, "ann@example.com");
  await p.answer(ann);
  t.is((await p.answer(ann, "no")).body.status, "no", "no while paying is taken");
  await p.consumer(streamEvent(...pay(await p.sessionOf(id, "ann@example.com"))));
  t.like(await p.invitation(id, "ann@example.com"), { status: "yes", payment: { state: "paid" } as never }, "paid: confirmed although they had said no meanwhile");
  t.is((await p.deps.store.get(id))!.confirmedCount, 1);

  // Paid yes → no (allowed, non-refundable) → yes: no second session.
  const ref = invitationRef((await p.invitation(id, "ann@example.com"))!.nonce);
  const no = await p.answer(ann, "no");
  t.is(no.body.status, "no");
  t.is(no.body.payment.state, "paid", "still paid: no refund");
  t.is((await p.deps.store.get(id))!.confirmedCount, 0);
  const yes = await p.answer(ann, "yes");
  t.is(yes.body.status, "yes");
  t.is(yes.body.checkoutUrl, null);
  t.is(createsFor(ref).length, 1, "no second payment");
  t.is((await p.deps.store.get(id))!.confirmedCount, 1);

  // Ben starts paying, the organizer cancels, Ben's payment completes.
  const ben = await p.token(id, "ben@example.com");
  await p.answer(ben);
  const benSession = await p.sessionOf(id, "ben@example.com");
  t.is((await p.cancel(id)).status, 200);
  await p.consumer(streamEvent(...pay(benSession)));
  t.like(await p.invitation(id, "ben@example.com"), { status: "pending", payment: { state: "paid" } as never });
  t.is((await p.deps.store.get(id))!.confirmedCount, 1, "not confirmed on a canceled event");
  // The organizer sees both paid, and what was collected.
  const list = await p.invitations(id);
  t.like(list.body.counts, { yes: 1, pending: 1, paid: 2, paymentPending: 0 });
  t.deepEqual(list.body.counts.collected, [{ currency: "eur", amount: 3000 }]);
  t.like(list.body.items.find((i: { email: string }) => i.email === "ben@example.com").payment, { state: "paid", amount: 1500, currency: "eur" });
  t.false(stripe.requests.some((r) => r.path.includes("refund")), "no refund is ever asked of Stripe");
});

test.serial("a new price applies to new checkouts only; a pending one keeps its amount; the organizer's total counts each ticket at what it was paid", async (t) => {
  const p = await platform(t);
  const id = await p.paidEvent(["ann@example.com", "ben@example.com"]);
  await p.answer(await p.token(id, "ann@example.com"));
  t.is((await p.update(id, { price: { amount: 2500, currency: "eur" } })).status, 200);
  await p.answer(await p.token(id, "ben@example.com"));
  const [ann, ben] = [(await p.invitation(id, "ann@example.com"))!, (await p.invitation(id, "ben@example.com"))!];
  t.is(ann.payment!.amount, 1500);
  t.is(ben.payment!.amount, 2500);
  for (const i of [ann, ben]) await p.consumer(streamEvent(...pay(i.payment!.sessionId!)));
  t.deepEqual((await p.invitations(id)).body.counts.collected, [{ currency: "eur", amount: 4000 }]);
});

test.serial("through the streams: the Stripe events table's INSERT reaches the consumer, the answer becomes yes, the you're-in mail follows once; the cancel mail says no refund", async (t) => {
  const p = await platform(t, { async: true });
  const stripeTable = await freshTable(local.ddb, webhookEventsTable, "stripe-events");
  const poller = await startStreamPoller({ client: local.ddb.client, endpoint: local.ddb.endpoint, tableName: stripeTable, handler: p.consumer, pollIntervalMs: 50 });
  t.teardown(() => poller.stop());
  const id = await p.paidEvent(["ann@example.com"]);
  const token = await p.token(id, "ann@example.com");
  await p.answer(token);
  const [completed] = pay(await p.sessionOf(id, "ann@example.com"));
  // As the ingest stores it (once per evt id: attribute_not_exists), twice: the second is refused.
  const put = () => local.ddb.client.send(new PutItemCommand({ TableName: stripeTable, Item: toEventItem(completed!), ConditionExpression: "attribute_not_exists(pk)" }));
  await put();
  await t.throwsAsync(put);
  await poller.idle();
  await p.idle();
  t.is((await p.invitation(id, "ann@example.com"))!.status, "yes");
  const mails = await p.mails();
  const confirmations = mails.filter((m) => m.to.includes("ann@example.com") && m.subject.startsWith("You're in"));
  t.is(confirmations.length, 1);
  await p.cancel(id);
  await p.idle();
  const canceled = (await p.mails()).find((m) => m.subject.startsWith("Canceled"))!;
  t.regex(canceled.text, /EUR 15\.00\) is not refunded: tickets are non-refundable/);
});
