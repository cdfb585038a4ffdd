// A local stand-in for Stripe Checkout and Stripe's webhooks (see /work/shared/contracts.md,
// "Stripe", and Stripe's API reference): `POST /v1/checkout/sessions` (a form body in Stripe's
// bracket notation, `Authorization: Bearer sk_test_…`, `Idempotency-Key`), `GET
// /v1/checkout/sessions/{id}`, `POST /v1/checkout/sessions/{id}/expire`, errors in Stripe's
// `{ error: { type, code, message, param } }` shape; a hosted checkout page at the session's `url`
// with a Pay button (a browser can pay) and `pay(id)` for code; and signed webhook deliveries in
// Stripe's event envelope (`Stripe-Signature: t=…,v1=…` over `t + "." + body` with the endpoint
// secret), retried on a non-2xx on a quick schedule, plus what tests need on purpose: the same
// event delivered again (`deliver(eventId)`), late (`delayMs`), or signed with a stale or future
// timestamp (`signedAt`). It signs on its own (node:crypto), not with the handler's code, so it
// checks the handler rather than agreeing with it.
import { createHmac, randomBytes } from "node:crypto";
import { bearer, json, startStandIn, type HandledRequest, type Reply, type StandIn } from "./http";

/** The API version the stand-in's events say they were rendered with (the endpoint's version). */
export const STRIPE_STANDIN_API_VERSION = "2025-03-31.basil";

export interface CheckoutLineItem {
  price_data: { currency: string; unit_amount: number; product_data: { name: string } };
  quantity: number;
}

/** A Checkout Session as Stripe's API returns it (the fields a payment-mode session has that matter here). */
export interface CheckoutSession {
  id: string;
  object: "checkout.session";
  amount_subtotal: number;
  amount_total: number;
  cancel_url: string | null;
  client_reference_id: string | null;
  created: number;
  currency: string;
  customer: null;
  customer_details: { email: string | null; name: string | null } | null;
  customer_email: string | null;
  expires_at: number;
  livemode: false;
  metadata: Record<string, string>;
  mode: "payment";
  payment_intent: string | null;
  payment_status: "paid" | "unpaid" | "no_payment_required";
  status: "open" | "complete" | "expired";
  success_url: string;
  /** The hosted page while the session is open; null once complete or expired. */
  url: string | null;
}

/** Stripe's event envelope. */
export interface StripeEvent {
  id: string;
  object: "event";
  api_version: string;
  created: number;
  data: { object: CheckoutSession };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

/** One attempt to deliver an event to the endpoint. */
export interface DeliveryAttempt {
  eventId: string;
  type: string;
  /** 1 for the first attempt of a delivery, 2 for its first retry, … */
  attempt: number;
  /** The endpoint's answer; 0 when it could not be reached. */
  status: number;
  /** The `Stripe-Signature` header sent. */
  signature: string;
  /** The exact body sent. */
  body: string;
}

export interface DeliverOptions {
  /** Wait this long before the first attempt (a late delivery). Example: `1500`. */
  delayMs?: number;
  /** The signature's `t` (unix seconds) instead of the time of sending: a stale or future timestamp. Example: `now - 600`. */
  signedAt?: number;
  /** Retry on a non-2xx on the stand-in's schedule. Default true. */
  retry?: boolean;
}

export interface StripeStandInOptions {
  port?: number;
  /** The one secret key the API accepts; default: any `sk_test_…` key. Example: `"sk_test_local"`. */
  secretKey?: string;
  /** The webhook endpoint: where events go and the secret that signs them; none = events are only recorded. */
  webhook?: { url: string; secret: string };
  /** Waits between retries of a delivery answered with a non-2xx (Stripe's own: hours, for 3 days). Default `[200, 1000, 3000]`. */
  retryDelaysMs?: number[];
  /** The base of the hosted checkout page's URL; default the origin the API was called on. */
  publicUrl?: string;
}

export interface StripeStandIn extends StandIn {
  sessions(): CheckoutSession[];
  session(id: string): CheckoutSession | undefined;
  /** Every event created so far, oldest first. */
  events(): StripeEvent[];
  /** Every delivery attempt so far, in the order they finished. */
  deliveries: DeliveryAttempt[];
  /**
   * The customer pays: the session becomes complete and `checkout.session.completed` is sent.
   * `async: "succeeded" | "failed"` pays with a delayed method: completed with `payment_status:
   * "unpaid"`, then `checkout.session.async_payment_succeeded` (paid) or `…_failed`.
   * Throws unless the session is open. Returns the events made; deliveries run in the background (see `settled`).
   */
  pay(sessionId: string, options?: { async?: "succeeded" | "failed"; email?: string }): StripeEvent[];
  /** The session expires (as `POST …/expire` does): status expired, `checkout.session.expired` sent. Throws unless open. */
  expire(sessionId: string): StripeEvent;
  /** Sends an event (again): the same `evt_` id is a duplicate delivery. Resolves with its first attempt (retries go on in the background). */
  deliver(eventId: string, options?: DeliverOptions): Promise<DeliveryAttempt>;
  /** Resolves when no delivery or retry is pending. */
  settled(): Promise<void>;
  /** Points deliveries elsewhere (or nowhere). */
  setWebhook(webhook: { url: string; secret: string } | undefined): void;
}

/** Stripe's minimum charge per currency (smallest unit) for the few it documents most often; other currencies: 1. */
const MINIMUM_AMOUNT: Record<string, number> = { usd: 50, eur: 50, gbp: 30, chf: 50, cad: 50, aud: 50 };
const TOP_LEVEL_PARAMS = ["mode", "line_items", "success_url", "cancel_url", "client_reference_id", "metadata", "customer_email", "expires_at"];
const DEFAULT_EXPIRY_SECONDS = 24 * 3600;
const MIN_EXPIRY_SECONDS = 30 * 60;

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const stripeId = (prefix: string, length = 24) => prefix + Array.from(randomBytes(length), (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join("");
const nowSeconds = () => Math.floor(Date.now() / 1000);

type StripeError = { type: "invalid_request_error" | "idempotency_error" | "api_error"; code?: string; message: string; param?: string };
const stripeError = (status: number, error: StripeError, requestId: string): Reply =>
  json(status, { error: { ...error, ...(error.code ? { doc_url: `https://stripe.com/docs/error-codes/${error.code.replace(/_/g, "-")}` } : {}), request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}` } }, { "request-id": requestId });

class ParamError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

/**
 * Stripe's form encoding back into objects: `line_items[0][price_data][currency]=eur` →
 * `{ line_items: [{ price_data: { currency: "eur" } }] }` (numeric segments make arrays).
 */
export function parseStripeForm(flat: Record<string, string | string[]>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(flat)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1]! : raw;
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    if (!match) throw new ParamError("parameter_unknown", `Received unknown parameter: ${key}`, key);
    const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
    let node: Record<string, unknown> = root;
    path.forEach((segment, i) => {
      if (i === path.length - 1) {
        node[segment] = value;
        return;
      }
      const nextIsIndex = /^\d+$/.test(path[i + 1]!);
      node[segment] ??= nextIsIndex ? [] : {};
      node = node[segment] as Record<string, unknown>;
    });
  }
  return root;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function requireString(value: unknown, param: string): string {
  if (value === undefined || value === "") throw new ParamError("parameter_missing", `Missing required param: ${param}.`, param);
  if (typeof value !== "string") throw new ParamError("parameter_invalid_string", `Invalid string: ${param}`, param);
  return value;
}

function integer(value: unknown, param: string, min: number): number {
  const text = requireString(value, param);
  if (!/^-?\d+$/.test(text)) throw new ParamError("parameter_invalid_integer", `Invalid integer: ${text}`, param);
  const n = Number(text);
  if (n < min) throw new ParamError("parameter_invalid_integer", `This value must be greater than or equal to ${min}.`, param);
  return n;
}

function url(value: unknown, param: string): string {
  const text = requireString(value, param);
  if (!/^https?:\/\//.test(text) || !URL.canParse(text.replace(/\{CHECKOUT_SESSION_ID\}/g, "x"))) throw new ParamError("url_invalid", "Not a valid URL", param);
  return text;
}

function unknownKeys(object: Record<string, unknown>, allowed: string[], prefix: string) {
  const extra = Object.keys(object).find((k) => !allowed.includes(k));
  if (extra) throw new ParamError("parameter_unknown", `Received unknown parameter: ${prefix ? `${prefix}[${extra}]` : extra}`, prefix ? `${prefix}[${extra}]` : extra);
}

/** The create parameters, validated as Stripe does for a payment-mode session with inline prices. */
function sessionParams(params: Record<string, unknown>, now: number) {
  unknownKeys(params, TOP_LEVEL_PARAMS, "");
  const mode = requireString(params.mode, "mode");
  if (mode !== "payment") {
    const known = ["setup", "subscription"].includes(mode);
    throw new ParamError("parameter_invalid_string", known ? `This stand-in supports mode=payment only (got ${mode}).` : `Invalid mode: must be one of payment, setup, or subscription`, "mode");
  }
  if (!Array.isArray(params.line_items) || params.line_items.length === 0) {
    throw new ParamError("parameter_missing", "Missing required param: line_items.", "line_items");
  }
  const lineItems: CheckoutLineItem[] = params.line_items.map((item: unknown, i) => {
    const p = `line_items[${i}]`;
    if (!isRecord(item)) throw new ParamError("parameter_invalid_empty", `Invalid object: ${p}`, p);
    unknownKeys(item, ["price_data", "quantity", "price"], p);
    if (item.price !== undefined) throw new ParamError("resource_missing", `No such price: '${String(item.price)}'`, `${p}[price]`);
    const priceData = item.price_data;
    if (!isRecord(priceData)) throw new ParamError("parameter_missing", `Missing required param: ${p}[price_data].`, `${p}[price_data]`);
    unknownKeys(priceData, ["currency", "unit_amount", "product_data"], `${p}[price_data]`);
    const currency = requireString(priceData.currency, `${p}[price_data][currency]`).toLowerCase();
    if (!/^[a-z]{3}$/.test(currency)) throw new ParamError("parameter_invalid_string", `Invalid currency: ${currency}.`, `${p}[price_data][currency]`);
    const productData = priceData.product_data;
    if (!isRecord(productData)) throw new ParamError("parameter_missing", `Missing required param: ${p}[price_data][product_data].`, `${p}[price_data][product_data]`);
    unknownKeys(productData, ["name"], `${p}[price_data][product_data]`);
    return {
      price_data: { currency, unit_amount: integer(priceData.unit_amount, `${p}[price_data][unit_amount]`, 0), product_data: { name: requireString(productData.name, `${p}[price_data][product_data][name]`) } },
      quantity: integer(item.quantity, `${p}[quantity]`, 1),
    };
  });
  const currency = lineItems[0]!.price_data.currency;
  if (lineItems.some((l) => l.price_data.currency !== currency)) throw new ParamError("parameter_invalid_string", "All line items must have the same currency.", "line_items");
  const amount = lineItems.reduce((sum, l) => sum + l.price_data.unit_amount * l.quantity, 0);
  const minimum = MINIMUM_AMOUNT[currency] ?? 1;
  if (amount < minimum) throw new ParamError("amount_too_small", `The Checkout Session's total amount due must add up to at least ${minimum} (smallest ${currency} unit).`, "line_items");

  const clientReferenceId = params.client_reference_id === undefined ? null : requireString(params.client_reference_id, "client_reference_id");
  if (clientReferenceId && clientReferenceId.length > 200) throw new ParamError("parameter_invalid_string", "client_reference_id must be at most 200 characters.", "client_reference_id");
  const metadata: Record<string, string> = {};
  if (params.metadata !== undefined) {
    if (!isRecord(params.metadata)) throw new ParamError("parameter_invalid_empty", "Invalid hash", "metadata");
    const entries = Object.entries(params.metadata);
    if (entries.length > 50) throw new ParamError("parameter_invalid_empty", "Metadata can have up to 50 keys.", "metadata");
    for (const [key, value] of entries) {
      if (key.length > 40) throw new ParamError("parameter_invalid_string", "Metadata keys must be at most 40 characters.", `metadata[${key}]`);
      if (typeof value !== "string") throw new ParamError("parameter_invalid_string", "Invalid string", `metadata[${key}]`);
      if (value.length > 500) throw new ParamError("parameter_invalid_string", "Metadata values must be at most 500 characters.", `metadata[${key}]`);
      if (value !== "") metadata[key] = value;
    }
  }
  const customerEmail = params.customer_email === undefined ? null : requireString(params.customer_email, "customer_email");
  if (customerEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(customerEmail)) throw new ParamError("email_invalid", "Invalid email address: " + customerEmail, "customer_email");
  let expiresAt = now + DEFAULT_EXPIRY_SECONDS;
  if (params.expires_at !== undefined) {
    expiresAt = integer(params.expires_at, "expires_at", 0);
    if (expiresAt < now + MIN_EXPIRY_SECONDS || expiresAt > now + DEFAULT_EXPIRY_SECONDS) {
      throw new ParamError("parameter_invalid_integer", "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.", "expires_at");
    }
  }
  return {
    lineItems,
    currency,
    amount,
    successUrl: url(params.success_url, "success_url"),
    cancelUrl: params.cancel_url === undefined ? null : url(params.cancel_url, "cancel_url"),
    clientReferenceId,
    metadata,
    customerEmail,
    expiresAt,
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const formatAmount = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;

/** The hosted checkout page: what is bought, a Pay button (a form post), and the way back. */
function checkoutPage(session: CheckoutSession, items: CheckoutLineItem[]): string {
  const lines = items.map((l) => `<li>${escapeHtml(l.price_data.product_data.name)} × ${l.quantity}: ${formatAmount(l.price_data.unit_amount * l.quantity, l.price_data.currency)}</li>`).join("");
  const body =
    session.status === "open"
      ? `<ul>${lines}</ul><p>Total <strong id="total">${formatAmount(session.amount_total, session.currency)}</strong></p>
<form method="post"><label>Email <input name="email" type="email" value="${escapeHtml(session.customer_email ?? "")}"></label> <button type="submit" id="pay">Pay ${formatAmount(session.amount_total, session.currency)}</button></form>
${session.cancel_url ? `<p><a id="cancel" href="${escapeHtml(session.cancel_url)}">Back</a></p>` : ""}`
      : `<p id="state">This checkout session is ${session.status}.</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout (Stripe stand-in)</title></head><body><h1>Checkout (Stripe stand-in, test mode)</h1>${body}</body></html>`;
}

export async function startStripeStandIn(options: StripeStandInOptions = {}): Promise<StripeStandIn> {
  const sessions = new Map<string, { session: CheckoutSession; lineItems: CheckoutLineItem[] }>();
  const events: StripeEvent[] = [];
  const deliveries: DeliveryAttempt[] = [];
  const idempotency = new Map<string, { fingerprint: string; reply: Reply }>();
  const pending = new Set<Promise<unknown>>();
  const retryDelays = options.retryDelaysMs ?? [200, 1000, 3000];
  let webhook = options.webhook;
  let closed = false;

  const track = <T>(promise: Promise<T>): Promise<T> => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise)).catch(() => {});
    return promise;
  };
  // Unref'd: a retry waiting does not keep a closed stand-in's process alive.
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

  function sign(body: string, secret: string, t: number): string {
    const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
    // Test-mode deliveries carry an extra v0 signature (Stripe: "a fake v0 scheme, for test mode events"): receivers must ignore it.
    const v0 = createHmac("sha256", "v0-test-mode").update(`${t}.${body}`).digest("hex");
    return `t=${t},v1=${v1},v0=${v0}`;
  }

  async function attempt(event: StripeEvent, n: number, signedAt: number | undefined): Promise<DeliveryAttempt> {
    const target = webhook!;
    // Stripe renders each event once and sends the same bytes on every attempt (pretty-printed JSON).
    const body = JSON.stringify(event, null, 2);
    const signature = sign(body, target.secret, signedAt ?? nowSeconds());
    let status = 0;
    try {
      const res = await fetch(target.url, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": signature, "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)" },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      // Unreachable or timed out: recorded as status 0, retried like a non-2xx.
    }
    const result = { eventId: event.id, type: event.type, attempt: n, status, signature, body };
    deliveries.push(result);
    return result;
  }

  function deliverEvent(event: StripeEvent, opts: DeliverOptions = {}): Promise<DeliveryAttempt> {
    if (!webhook) return Promise.reject(new Error("No webhook endpoint configured"));
    const first = (async () => {
      if (opts.delayMs) await sleep(opts.delayMs);
      return attempt(event, 1, opts.signedAt);
    })();
    track(
      (async () => {
        let last = await first;
        for (let i = 0; opts.retry !== false && i < retryDelays.length && !(last.status >= 200 && last.status < 300); i++) {
          await sleep(retryDelays[i]!);
          if (closed || !webhook) return;
          // A retry is signed when it is sent (so a stale `signedAt` is not repeated).
          last = await attempt(event, i + 2, undefined);
        }
      })(),
    );
    return first;
  }

  function emit(type: string, session: CheckoutSession, request: StripeEvent["request"] = { id: null, idempotency_key: null }): StripeEvent {
    const event: StripeEvent = {
      id: stripeId("evt_"),
      object: "event",
      api_version: STRIPE_STANDIN_API_VERSION,
      created: nowSeconds(),
      data: { object: structuredClone(session) },
      livemode: false,
      pending_webhooks: webhook ? 1 : 0,
      request,
      type,
    };
    events.push(event);
    if (webhook) deliverEvent(event).catch(() => {});
    return event;
  }

  function open(id: string): { session: CheckoutSession; lineItems: CheckoutLineItem[] } {
    const entry = sessions.get(id);
    if (!entry) throw new ParamError("resource_missing", `No such checkout.session: '${id}'`, "session");
    // Past expires_at, an open session is expired (Stripe expires them within a short time of it).
    if (entry.session.status === "open" && entry.session.expires_at <= nowSeconds()) doExpire(entry.session);
    return entry;
  }

  function doExpire(session: CheckoutSession, request?: StripeEvent["request"]): StripeEvent {
    session.status = "expired";
    session.url = null;
    return emit("checkout.session.expired", session, request);
  }

  function doPay(id: string, opts: { async?: "succeeded" | "failed"; email?: string } = {}): StripeEvent[] {
    const { session } = open(id);
    if (session.status !== "open") throw new Error(`Checkout session ${id} is ${session.status}, not open`);
    session.status = "complete";
    session.url = null;
    session.customer_details = { email: opts.email || session.customer_email || "customer@example.com", name: null };
    session.payment_intent = stripeId("pi_");
    session.payment_status = opts.async ? "unpaid" : "paid";
    const made = [emit("checkout.session.completed", session)];
    if (opts.async === "succeeded") {
      session.payment_status = "paid";
      made.push(emit("checkout.session.async_payment_succeeded", session));
    } else if (opts.async === "failed") {
      made.push(emit("checkout.session.async_payment_failed", session));
    }
    return made;
  }

  const handle = (req: HandledRequest): Reply => {
    const requestId = stripeId("req_", 14);
    const fail = (status: number, error: StripeError) => stripeError(status, error, requestId);

    // The hosted checkout page (no API key: the customer's browser).
    const page = /^\/c\/pay\/([^/]+)$/.exec(req.path);
    if (page) {
      const entry = sessions.get(decodeURIComponent(page[1]!));
      if (!entry) return { status: 404, headers: { "content-type": "text/html; charset=utf-8" }, body: "<!doctype html><p>No such checkout session.</p>" };
      open(entry.session.id);
      if (req.method === "POST" && entry.session.status === "open") {
        const email = isRecord(req.body) && typeof req.body.email === "string" ? req.body.email : undefined;
        doPay(entry.session.id, { email });
        const to = entry.session.success_url.replace(/\{CHECKOUT_SESSION_ID\}/g, entry.session.id);
        return { status: 303, headers: { location: to } };
      }
      return { status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: checkoutPage(entry.session, entry.lineItems) };
    }

    // Stripe takes the key as a Bearer token or as HTTP Basic's username (`curl -u sk_test_…:`).
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const key = bearer(req.headers) ?? (basic ? Buffer.from(basic, "base64").toString("utf8").split(":")[0] || undefined : undefined);
    if (!key) return fail(401, { type: "invalid_request_error", message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')." });
    if (options.secretKey ? key !== options.secretKey : !/^sk_test_\w+$/.test(key)) {
      return fail(401, { type: "invalid_request_error", message: `Invalid API Key provided: ${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` });
    }

    try {
      if (req.method === "POST" && req.path === "/v1/checkout/sessions") {
        if (req.body !== undefined && !/application\/x-www-form-urlencoded/i.test(req.headers["content-type"] ?? "")) return fail(400, { type: "invalid_request_error", message: "Send the parameters form-encoded (application/x-www-form-urlencoded)." });
        const flat = (req.body ?? {}) as Record<string, string | string[]>;
        const idemKey = typeof req.headers["idempotency-key"] === "string" ? req.headers["idempotency-key"] : undefined;
        // Stripe compares the parameters of a retried key: the same ones replay the first answer.
        const fingerprint = `${req.method} ${req.path} ${JSON.stringify(Object.entries(flat).sort(([a], [b]) => a.localeCompare(b)))}`;
        const scoped = idemKey === undefined ? undefined : `${key}\n${idemKey}`;
        if (scoped !== undefined) {
          const seen = idempotency.get(scoped);
          if (seen && seen.fingerprint !== fingerprint) {
            return fail(400, {
              type: "idempotency_error",
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
            });
          }
          if (seen) return { ...seen.reply, headers: { ...seen.reply.headers, "idempotent-replayed": "true", "request-id": requestId } };
        }
        const now = nowSeconds();
        const p = sessionParams(parseStripeForm(flat), now);
        const id = stripeId("cs_test_", 58);
        const base = options.publicUrl ?? req.origin;
        const session: CheckoutSession = {
          id,
          object: "checkout.session",
          amount_subtotal: p.amount,
          amount_total: p.amount,
          cancel_url: p.cancelUrl,
          client_reference_id: p.clientReferenceId,
          created: now,
          currency: p.currency,
          customer: null,
          customer_details: null,
          customer_email: p.customerEmail,
          expires_at: p.expiresAt,
          livemode: false,
          metadata: p.metadata,
          mode: "payment",
          payment_intent: null,
          payment_status: "unpaid",
          status: "open",
          success_url: p.successUrl,
          url: `${base}/c/pay/${id}`,
        };
        sessions.set(id, { session, lineItems: p.lineItems });
        const reply = json(200, structuredClone(session), { "request-id": requestId, ...(idemKey ? { "idempotency-key": idemKey } : {}) });
        if (scoped !== undefined) idempotency.set(scoped, { fingerprint, reply });
        return reply;
      }
      const one = /^\/v1\/checkout\/sessions\/([^/]+)(\/expire)?$/.exec(req.path);
      if (one && req.method === "GET" && !one[2]) return json(200, open(decodeURIComponent(one[1]!)).session, { "request-id": requestId });
      if (one && req.method === "POST" && one[2]) {
        const { session } = open(decodeURIComponent(one[1]!));
        if (session.status !== "open") return fail(400, { type: "invalid_request_error", message: `Only Checkout Sessions with a status in ["open"] can be expired.`, param: "session" });
        const idemKey = typeof req.headers["idempotency-key"] === "string" ? req.headers["idempotency-key"] : null;
        doExpire(session, { id: requestId, idempotency_key: idemKey });
        return json(200, session, { "request-id": requestId });
      }
      return fail(404, { type: "invalid_request_error", message: `Unrecognized request URL (${req.method}: ${req.path}).` });
    } catch (error) {
      if (error instanceof ParamError) return fail(error.code === "resource_missing" && error.param === "session" ? 404 : 400, { type: "invalid_request_error", code: error.code, message: error.message, param: error.param });
      throw error;
    }
  };

  const standIn = await startStandIn("stripe", options.port, handle);
  return {
    ...standIn,
    sessions: () => [...sessions.values()].map((e) => e.session),
    session: (id) => sessions.get(id)?.session,
    events: () => [...events],
    deliveries,
    pay: (id, opts) => doPay(id, opts),
    expire(id) {
      const { session } = open(id);
      if (session.status !== "open") throw new Error(`Checkout session ${id} is ${session.status}, not open`);
      return doExpire(session);
    },
    deliver(eventId, opts) {
      const event = events.find((e) => e.id === eventId);
      if (!event) return Promise.reject(new Error(`No event ${eventId}`));
      return deliverEvent(event, opts);
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    setWebhook(next) {
      webhook = next;
    },
    async close() {
      closed = true;
      await standIn.close();
    },
  };
}
