// WebhookIngest's second source (#19): Stripe's webhooks, for paid events' Checkout Sessions.
// Hand-written like Calendly's: one HMAC-SHA256 check with node:crypto, no Stripe SDK in the upload.
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { HttpProblem } from "../shared/problem";
import type { NormalizedEvent, RawDelivery, WebhookSource } from "./source";

/** Event types with a schema (a Checkout Session in `data.object`); anything else is stored raw with `known: false`. */
export const STRIPE_EVENT_TYPES = ["checkout.session.completed", "checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed", "checkout.session.expired"] as const;
export const STRIPE_SIGNATURE_HEADER = "stripe-signature";
/** Stripe's libraries' default tolerance (stripe-node's `DEFAULT_TOLERANCE`, stripe-python's `DEFAULT_TOLERANCE`). */
export const STRIPE_TOLERANCE_SECONDS = 300;

/**
 * Stripe's event envelope and the Checkout Session it carries for the checkout.session.* types.
 * Loose objects: Stripe adds fields in new API versions, and an unknown field must not turn a
 * delivery away. Built by a function (zod objects cannot be serialized into a Lambda).
 */
export function stripeSchemas() {
  const Envelope = z.looseObject({
    id: z.string().regex(/^evt_[A-Za-z0-9_]{1,255}$/, "an event id, evt_…"),
    object: z.literal("event"),
    type: z.string().min(1).max(100),
    // Unix seconds; the upper bound keeps `new Date(created * 1000)` a valid date.
    created: z.int().positive().max(253402300799),
    livemode: z.boolean(),
    api_version: z.string().nullish(),
    data: z.looseObject({ object: z.looseObject({}) }),
  });
  const CheckoutSession = z.looseObject({
    id: z.string().regex(/^cs_[A-Za-z0-9_]{1,255}$/, "a Checkout Session id, cs_…"),
    object: z.literal("checkout.session"),
    mode: z.enum(["payment", "setup", "subscription"]),
    status: z.enum(["open", "complete", "expired"]).nullable(),
    payment_status: z.enum(["paid", "unpaid", "no_payment_required"]),
    client_reference_id: z.string().max(200).nullable(),
    amount_total: z.int().nonnegative().nullable(),
    currency: z.string().regex(/^[a-z]{3}$/, "a lower-case ISO currency code").nullable(),
    metadata: z.record(z.string(), z.string()).nullish(),
    created: z.int().positive(),
  });
  return { Envelope, CheckoutSession };
}

const unauthorized = (detail: string) => new HttpProblem("unauthorized", detail);

/**
 * `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(endpoint secret, t + "." + body)>[,v1=…][,v0=…]`.
 * Every v1 is tried (Stripe sends two while a rolled secret's old one still works) in constant
 * time; other schemes (test mode's v0) are ignored. The timestamp must be within the tolerance
 * both ways. Stripe's libraries check only the past (stripe-node: `timestampAge > tolerance`), so
 * they accept any future `t`; here a `t` further ahead than the tolerance is refused too: Stripe
 * signs when it sends, so a legitimate one is ahead only by clock skew, and a far-future `t`
 * would keep a captured delivery replayable for longer.
 */
function verifyStripeSignature(delivery: RawDelivery, secret: string, nowSeconds: number, toleranceSeconds: number): void {
  const header = delivery.headers[STRIPE_SIGNATURE_HEADER];
  if (!header) throw unauthorized("The Stripe-Signature header is missing.");
  const parts = header.split(",").map((p) => {
    const at = p.indexOf("=");
    return at < 0 ? ["", ""] : [p.slice(0, at).trim(), p.slice(at + 1).trim()];
  });
  const timestamps = parts.filter(([k]) => k === "t").map(([, v]) => v!);
  const signatures = parts.filter(([k, v]) => k === "v1" && v).map(([, v]) => v!);
  if (timestamps.length !== 1 || !/^\d{1,12}$/.test(timestamps[0]!)) throw unauthorized("The Stripe-Signature header is malformed: it needs one t=<unix seconds>.");
  if (signatures.length === 0) throw unauthorized("The Stripe-Signature header has no v1 signature.");
  const t = Number(timestamps[0]);
  if (Math.abs(nowSeconds - t) > toleranceSeconds) throw unauthorized(`The signature timestamp is more than ${toleranceSeconds} s away from now.`);
  const expected = createHmac("sha256", secret).update(`${t}.${delivery.body}`).digest();
  const matches = signatures.some((hex) => {
    const given = /^[0-9a-f]{64}$/i.test(hex) ? Buffer.from(hex, "hex") : Buffer.alloc(0);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw unauthorized("No v1 signature matches the body.");
}

/** Signs a body the way Stripe does: for tests and curl examples (the stand-in signs on its own). */
export function signStripeBody(body: string, secret: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex")}`;
}

function validationProblem(issues: z.core.$ZodIssue[], prefix: string): HttpProblem {
  const errors = issues.map((i) => ({ pointer: `#${prefix}${i.path.map((p) => `/${String(p)}`).join("")}`, detail: i.message }));
  return new HttpProblem("validation-failed", `The Stripe event has ${errors.length} problem(s): ${errors.map((e) => `${e.pointer} ${e.detail}`).join("; ")}`, errors);
}

/**
 * Stripe's events: the id is Stripe's own `evt_…` (a retried or repeated delivery carries the same
 * one, so it is the same stored item), `occurredAt` is `created`. No meetings: what an event does
 * is for its consumer (paid events reads the events table's stream).
 */
export function createStripeSource(): WebhookSource {
  const { Envelope, CheckoutSession } = stripeSchemas();
  return {
    name: "stripe",
    meetings: false,
    verify: verifyStripeSignature,
    normalize(body: unknown): NormalizedEvent {
      const envelope = Envelope.safeParse(body);
      if (!envelope.success) throw validationProblem(envelope.error.issues, "");
      const { id, type, created, data } = envelope.data;
      const known = (STRIPE_EVENT_TYPES as readonly string[]).includes(type);
      if (known) {
        const session = CheckoutSession.safeParse(data.object);
        if (!session.success) throw validationProblem(session.error.issues, "/data/object");
      }
      return { id, source: "stripe", type, known, occurredAt: new Date(created * 1000).toISOString(), changes: [], body };
    },
  };
}
