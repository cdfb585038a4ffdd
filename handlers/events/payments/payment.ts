// A paid event's payment, as kept on the invitation item (`payment`), and how it is named to Stripe.
import { createHash } from "node:crypto";
import type { PriceCurrency } from "./price";

/**
 * One invitee's ticket payment. `pending`: a Checkout Session was started (the answer is still the
 * previous one); `paid`: Stripe's webhook said so, once. A pending payment is cleared (the
 * attribute removed) when its session expires or its delayed payment fails, so a new attempt can
 * start; a paid one is never cleared (tickets are non-refundable).
 */
export interface Payment {
  state: "pending" | "paid";
  /** Stripe's Checkout Session id (`cs_…`); absent only between reserving an attempt and Stripe's answer. */
  sessionId?: string;
  /** Stripe's hosted page for the session, while pending. */
  checkoutUrl?: string;
  /** What this attempt charges (the price when it started), minor units. */
  amount: number;
  currency: PriceCurrency;
  /** When this attempt started (ISO). */
  at: string;
  /** Which attempt (1, 2, …): part of its Idempotency-Key. */
  attempt: number;
  /** When the session stops taking payment (ISO; sent as `expires_at`). */
  expiresAt: string;
  /** When Stripe's webhook confirmed the payment (ISO), and which Stripe event (`evt_…`) did. */
  paidAt?: string;
  stripeEventId?: string;
}

/** A Checkout Session lasts this long (Stripe allows 30 minutes to 24 hours). */
export const CHECKOUT_MINUTES = 60;
/** An unanswered attempt is tried again with its own key only while this much of it is left (Stripe needs ≥ 30 min at creation). */
export const CHECKOUT_REUSE_MIN_MINUTES = 31;

/**
 * The invitation as Stripe sees it (`client_reference_id`, `metadata[invitation]`): one-way from
 * the invitation's nonce, so no email and nothing that signs a link leaves for Stripe. Stable for
 * the invitation's life; the payments consumer finds the invitation by it.
 */
export function invitationRef(nonce: string): string {
  return `inv_${createHash("sha256").update(`switchyard-payment\0${nonce}`).digest("base64url").slice(0, 24)}`;
}

/** The Idempotency-Key of one checkout attempt. */
export const checkoutIdempotencyKey = (ref: string, attempt: number) => `checkout-${ref}-${attempt}`;

/** A payment anyone is told about: paid, or pending at a session Stripe made (not a bare reservation). */
export const isShownPayment = (p: Payment | undefined): p is Payment => Boolean(p && (p.state === "paid" || p.sessionId));

/** What the invitee and the organizer see of a payment (no session id, no URL). */
export function paymentView(p: Payment | undefined) {
  return isShownPayment(p) ? { state: p.state, amount: p.amount, currency: p.currency, at: p.at, paidAt: p.paidAt ?? null } : null;
}
