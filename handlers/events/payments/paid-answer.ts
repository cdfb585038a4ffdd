// "Yes" to a paid event: instead of confirming, a Stripe Checkout Session for the ticket. The
// answer stays as it was until Stripe's webhook says the session is paid (consumer.ts).
import type { Logger } from "@aws-lambda-powertools/logger";
import { HttpProblem } from "../../shared/problem";
import type { SecretProvider } from "../../shared/secret";
import type { EventRecord, Invitation } from "../event-store";
import { CHECKOUT_MINUTES, CHECKOUT_REUSE_MIN_MINUTES, checkoutIdempotencyKey, invitationRef, type Payment } from "./payment";
import type { PaymentStore } from "./payment-store";
import type { Price } from "./price";
import { createCheckoutSession, StripeError } from "./stripe-checkout";

/** How the RSVP function reaches Stripe (unset: this stack takes no payments). */
export interface CheckoutConfig {
  /** `https://api.stripe.com`, or the stand-in's URL. */
  apiUrl: string;
  secretKey: SecretProvider;
  /** The website, where Stripe sends the invitee back. Example: `"https://d111.cloudfront.net"`. */
  siteUrl: string;
}

export interface PaidAnswerDeps {
  payments: PaymentStore;
  checkout?: CheckoutConfig;
  logger: Logger;
}

/** What "yes" to a paid event leads to. */
export type PaidYes =
  /** Paid already (then changed to no): yes again needs no second payment; record the answer as usual. */
  | { kind: "paid" }
  /** Go to Stripe: this session's page. */
  | { kind: "checkout"; checkoutUrl: string; payment: Payment };

const MINUTE = 60_000;

/**
 * Starts (or resumes) the invitee's checkout. An open session is returned again (saying yes twice
 * never makes two); an attempt reserved but not answered by Stripe (a crash, or a request still
 * running) is sent again with the same Idempotency-Key and the same parameters, so Stripe returns
 * the session it made; otherwise a new attempt. When Stripe refuses or does not answer, the
 * invitee gets a 424 and the invitation shows as it was (a reservation without a session is shown
 * to no one).
 */
export async function startPaidYes(deps: PaidAnswerDeps, event: EventRecord & { price: Price }, read: () => Promise<Invitation>, token: string, at: Date): Promise<PaidYes> {
  const { payments, checkout, logger } = deps;
  if (!checkout) throw new HttpProblem("payment-not-started", "This event takes payment, and payments are not set up here; nothing changed. Tell the organizer.");
  for (let round = 0; round < 6; round++) {
    const invitation = await read();
    const current = invitation.payment;
    if (current?.state === "paid") return { kind: "paid" };
    const left = current ? Date.parse(current.expiresAt) - at.getTime() : 0;
    if (current?.sessionId && current.checkoutUrl && left > MINUTE) return { kind: "checkout", checkoutUrl: current.checkoutUrl, payment: current };
    let payment: Payment;
    if (current && !current.sessionId && left >= CHECKOUT_REUSE_MIN_MINUTES * MINUTE) {
      payment = current;
    } else {
      payment = {
        state: "pending",
        amount: event.price.amount,
        currency: event.price.currency,
        at: at.toISOString(),
        attempt: (invitation.paymentAttempts ?? 0) + 1,
        expiresAt: new Date(at.getTime() + CHECKOUT_MINUTES * MINUTE).toISOString(),
      };
      if (!(await payments.reserve(invitation, payment))) continue; // changed meanwhile: read again
    }
    const ref = invitationRef(invitation.nonce);
    const back = (result: string) => `${checkout.siteUrl.replace(/\/$/, "")}/events/rsvp?token=${encodeURIComponent(token)}&checkout=${result}`;
    try {
      const session = await createCheckoutSession(
        { apiUrl: checkout.apiUrl, secretKey: await checkout.secretKey() },
        {
          amount: payment.amount,
          currency: payment.currency,
          productName: `Ticket: ${event.title}`.slice(0, 250),
          successUrl: back("success"),
          cancelUrl: back("canceled"),
          clientReferenceId: ref,
          metadata: { eventId: event.id, invitation: ref },
          customerEmail: invitation.email,
          expiresAt: new Date(payment.expiresAt),
          idempotencyKey: checkoutIdempotencyKey(ref, payment.attempt),
        },
      );
      if (!(await payments.recordSession(invitation, payment.attempt, session.id, session.url))) continue;
      logger.info("checkout started", { eventId: event.id, attempt: payment.attempt, session: session.id });
      return { kind: "checkout", checkoutUrl: session.url, payment: { ...payment, sessionId: session.id, checkoutUrl: session.url } };
    } catch (error) {
      if (!(error instanceof StripeError)) throw error;
      // An answer (4xx or 5xx) is kept by Stripe under its key, errors included
      // (https://docs.stripe.com/api/idempotent_requests): the attempt goes, and the next uses a new
      // key. No answer, or a 409 (the same key still running), may have made the session: the
      // attempt stays reserved (shown to no one), so the next yes sends the same key and the same
      // parameters and gets that session, never a second.
      const maybeMade = error.status === 0 || error.status === 409;
      if (!maybeMade) await payments.release(invitation, payment.attempt);
      logger.warn("checkout not started", { eventId: event.id, attempt: payment.attempt, stripeStatus: error.status, stripeType: error.type });
      throw new HttpProblem("payment-not-started", "The payment could not be started at Stripe; nothing changed. Try again in a moment.");
    }
  }
  throw new HttpProblem("conflict", "The invitation kept changing meanwhile; try again.");
}
