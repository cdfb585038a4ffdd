// Stripe webhook bodies as Stripe documents them (an event envelope carrying a Checkout Session),
// for the handler, property and artifact tests; the stand-in (local/standins/stripe.ts) makes its own.
import { randomBytes } from "node:crypto";

const id = (prefix: string) => prefix + randomBytes(12).toString("hex");

export type CheckoutEventType = "checkout.session.completed" | "checkout.session.async_payment_succeeded" | "checkout.session.async_payment_failed" | "checkout.session.expired";

export interface StripeEventOptions {
  /** Unix seconds. Default now. */
  created?: number;
  eventId?: string;
  clientReferenceId?: string | null;
  session?: Record<string, unknown>;
}

/** A `checkout.session.*` event for a payment-mode session of 15.00 EUR. */
export function checkoutEvent(type: CheckoutEventType | string, options: StripeEventOptions = {}) {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const paid = type === "checkout.session.completed" || type === "checkout.session.async_payment_succeeded";
  return {
    id: options.eventId ?? id("evt_"),
    object: "event",
    api_version: "2025-03-31.basil",
    created,
    data: {
      object: {
        id: id("cs_test_"),
        object: "checkout.session",
        amount_subtotal: 1500,
        amount_total: 1500,
        cancel_url: "https://site.example/events/1",
        client_reference_id: options.clientReferenceId === undefined ? "inv_1" : options.clientReferenceId,
        created: created - 60,
        currency: "eur",
        customer: null,
        customer_details: paid ? { email: "ann@example.com", name: null } : null,
        customer_email: null,
        expires_at: created + 86_340,
        livemode: false,
        metadata: { eventId: "ev1" },
        mode: "payment",
        payment_intent: paid ? id("pi_") : null,
        payment_status: paid ? "paid" : "unpaid",
        status: type === "checkout.session.expired" ? "expired" : "complete",
        success_url: "https://site.example/events/1?paid={CHECKOUT_SESSION_ID}",
        url: null,
        ...options.session,
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}
