import type { Invitation } from "../event-store";
import { isShownPayment } from "./payment";

/**
 * The organizer's payment figures for an event: how many invitees paid, how many are at Stripe
 * Checkout now, and what was collected, per currency (a price may change currency after the first
 * payments; each ticket keeps the amount it was paid at). Example:
 * `{ paid: 2, paymentPending: 1, collected: [{ currency: "eur", amount: 3000 }] }`.
 */
export function paymentCounts(invitations: readonly Invitation[]) {
  let [paid, paymentPending] = [0, 0];
  const collected: Record<string, number> = {};
  for (const { payment } of invitations) {
    if (!isShownPayment(payment)) continue;
    if (payment.state === "pending") paymentPending++;
    if (payment.state !== "paid") continue;
    paid++;
    collected[payment.currency] = (collected[payment.currency] ?? 0) + payment.amount;
  }
  return { paid, paymentPending, collected: Object.entries(collected).map(([currency, amount]) => ({ currency, amount })) };
}
