// Paid events on the RSVP page (#19): the price, the way to Stripe Checkout and back. A yes to a
// paid event sends the invitee to Stripe; the answer becomes yes only when Stripe's webhook has
// arrived, so coming back, the page asks the API again for a short while.
import { h } from "./dom";
import type { Invitations, PaymentView, Price, RsvpView } from "./events-api";

/** "€15.00" in the reader's locale. */
export const formatPrice = (p: Price) => new Intl.NumberFormat(undefined, { style: "currency", currency: p.currency.toUpperCase() }).format(p.amount / 100);

/** The ticket line of an event's details: price and that it is not refunded. */
export const priceLine = (p: Price) => h("p", { class: "event-price", id: "event-price" }, "Ticket: ", h("strong", {}, formatPrice(p)), " · non-refundable");

/** Before the yes button of a paid event: where the invitee is going and what it means. */
export const checkoutNotice = (p: Price) =>
  h("p", { class: "notice", id: "rsvp-pay-notice" }, `Attending costs ${formatPrice(p)}. You will be sent to Stripe to pay; tickets are non-refundable.`);

/** After a paid yes was changed to no: what stays true. */
export const paidNotice = () => h("p", { class: "hint", id: "rsvp-paid" }, "Your ticket is paid (non-refundable). Changing back to yes needs no second payment.");

/** How long the page waits for Stripe's webhook after coming back, asking every POLL_MS. */
const POLL_MS = 1000;
const POLL_TRIES = 20;

/**
 * Back from Stripe (`checkout=success`): asks for the invitation until it is paid, or gives up
 * after POLL_TRIES and says it is waiting. Resolves to the last view read.
 */
export async function awaitPayment(read: () => Promise<RsvpView>, first: RsvpView): Promise<RsvpView> {
  let view = first;
  for (let i = 0; i < POLL_TRIES && view.payment?.state !== "paid"; i++) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    view = await read();
  }
  return view;
}

/** The organizer's list: " · 2 paid (€30.00) · 1 paying", or nothing for a free event. */
export function paymentCountsText(counts: Invitations["counts"]): string {
  const { paid = 0, paymentPending = 0, collected = [] } = counts;
  if (!paid && !paymentPending) return "";
  const total = collected.map(formatPrice).join(" + ");
  return `${paid ? ` · ${paid} paid${total ? ` (${total})` : ""}` : ""}${paymentPending ? ` · ${paymentPending} paying` : ""}`;
}

/** An invitee's payment on the organizer's list. */
export const paymentBadge = (p: PaymentView) =>
  h("span", { class: `badge payment ${p.state === "paid" ? "badge-active" : "badge-neutral"}`, title: p.paidAt ? `Paid ${new Date(p.paidAt).toLocaleString()}` : "At Stripe Checkout" }, p.state === "paid" ? `paid ${formatPrice(p)}` : "paying");
