// A minimal Stripe Checkout Sessions stand-in for the payments tests, over real HTTP on loopback,
// following https://docs.stripe.com/api/checkout/sessions/create and
// https://docs.stripe.com/api/idempotent_requests: form-encoded bodies, a Bearer secret key, an
// `Idempotency-Key` whose repeat with the same parameters returns the first answer and with other
// parameters is a 400 idempotency_error, `expires_at` 30 minutes to 24 hours ahead. It records
// every request (raw body and headers) so tests can assert exactly what was sent. (STRIPE-INGEST's
// local/standins/stripe.ts is the full one: payment, webhooks.)
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface StripeSession {
  id: string;
  object: "checkout.session";
  url: string;
  status: "open" | "complete" | "expired";
  payment_status: "unpaid" | "paid";
  client_reference_id: string | null;
  customer_email: string | null;
  metadata: Record<string, string>;
  amount_total: number;
  currency: string;
  expires_at: number;
  success_url: string;
  cancel_url: string;
}

export interface StripeCheckoutStandIn {
  url: string;
  secretKey: string;
  requests: RecordedRequest[];
  sessions: Map<string, StripeSession>;
  /** The next create answers this status and Stripe error instead (once). */
  failNext(status: number, type?: string): void;
  close(): Promise<void>;
}

const read = (req: IncomingMessage) => new Promise<string>((resolve) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
});

export async function startStripeCheckoutStandIn(): Promise<StripeCheckoutStandIn> {
  const secretKey = `sk_test_${randomBytes(12).toString("hex")}`;
  const requests: RecordedRequest[] = [];
  const sessions = new Map<string, StripeSession>();
  const idempotent = new Map<string, { body: string; status: number; answer: unknown }>();
  let failure: { status: number; type: string } | undefined;
  let base = "";
  const send = (res: ServerResponse, status: number, answer: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(answer));
  };
  const error = (res: ServerResponse, status: number, type: string, message: string, param?: string) => send(res, status, { error: { type, message, ...(param ? { param } : {}) } });
  const server = createServer(async (req, res) => {
    const body = await read(req);
    requests.push({ method: req.method!, path: req.url!, headers: req.headers, body });
    if (req.headers.authorization !== `Bearer ${secretKey}`) return error(res, 401, "invalid_request_error", "Invalid API Key provided");
    if (req.method !== "POST" || req.url !== "/v1/checkout/sessions") return error(res, 404, "invalid_request_error", "Unrecognized request URL");
    if (!String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) return error(res, 400, "invalid_request_error", "form-encoded bodies only");
    const key = req.headers["idempotency-key"] as string | undefined;
    if (key && idempotent.has(key)) {
      const first = idempotent.get(key)!;
      if (first.body !== body) return error(res, 400, "idempotency_error", "Keys for idempotent requests can only be used with the same parameters they were first used with.");
      return send(res, first.status, first.answer);
    }
    const answer = (status: number, value: unknown) => {
      if (key) idempotent.set(key, { body, status, answer: value });
      send(res, status, value);
    };
    if (failure) {
      const { status, type } = failure;
      failure = undefined;
      return answer(status, { error: { type, message: "Your card was declined for testing." } });
    }
    const form = new URLSearchParams(body);
    const get = (name: string) => form.get(name);
    for (const required of ["mode", "success_url", "line_items[0][price_data][currency]", "line_items[0][price_data][unit_amount]", "line_items[0][price_data][product_data][name]", "line_items[0][quantity]"]) {
      if (!get(required)) return answer(400, { error: { type: "invalid_request_error", message: `Missing required param: ${required}.`, param: required } });
    }
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = get("expires_at") ? Number(get("expires_at")) : now + 86_400;
    if (expiresAt < now + 1800 || expiresAt > now + 86_400) return answer(400, { error: { type: "invalid_request_error", message: "expires_at must be 30 minutes to 24 hours ahead", param: "expires_at" } });
    const metadata: Record<string, string> = {};
    for (const [name, value] of form) {
      const m = /^metadata\[(.+)\]$/.exec(name);
      if (m) metadata[m[1]!] = value;
    }
    const id = `cs_test_${randomBytes(16).toString("hex")}`;
    const session: StripeSession = {
      id,
      object: "checkout.session",
      url: `${base}/c/pay/${id}`,
      status: "open",
      payment_status: "unpaid",
      client_reference_id: get("client_reference_id"),
      customer_email: get("customer_email"),
      metadata,
      amount_total: Number(get("line_items[0][price_data][unit_amount]")) * Number(get("line_items[0][quantity]")),
      currency: get("line_items[0][price_data][currency]")!,
      expires_at: expiresAt,
      success_url: get("success_url")!,
      cancel_url: get("cancel_url") ?? "",
    };
    sessions.set(id, session);
    answer(200, session);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    secretKey,
    requests,
    sessions,
    failNext: (status, type = "card_error") => void (failure = { status, type }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
