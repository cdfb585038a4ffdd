// /events/view?id= (a public event) and /events/rsvp?token= (an invitation link). The RSVP page
// answers only when the button is pressed: mail scanners fetch links, so loading must not answer.
import { fill, h, isBusy, setBusy } from "./dom";
import type { EventView } from "./events-api";
import { eventMedia } from "./events-manage";
import { badge, problemText, when, type Ctx } from "./events-ui";
import { awaitPayment, checkoutNotice, paidNotice, priceLine } from "./events-payment";

function details(e: EventView): (HTMLElement | null)[] {
  return [
    h("p", { class: "event-when" }, when(e), e.status === "canceled" ? " " : null, e.status === "canceled" ? badge("canceled") : null),
    e.price ? priceLine(e.price) : null,
    ...[eventMedia(e)].filter((x): x is HTMLElement => x !== null),
    e.description ? h("p", { class: "event-description" }, e.description) : h("p", { class: "muted" }, "No description."),
  ];
}

const failure = (ctx: Ctx, heading: string, error: unknown) =>
  fill(ctx.root, h("h1", { tabindex: "-1" }, heading), h("div", { class: "alert", role: "alert" }, h("p", {}, ...problemText(error))), h("p", {}, h("a", { href: "/events/" }, "All events")));

export async function viewPage(ctx: Ctx, params: URLSearchParams): Promise<void> {
  let e: EventView;
  try {
    e = await ctx.events.publicEvent(params.get("id") ?? "");
  } catch (error) {
    failure(ctx, "Event not found", error);
    return;
  }
  fill(ctx.root, h("p", { class: "crumbs" }, h("a", { href: "/events/" }, "Events"), " › Event"), h("article", { class: "card event-page" }, h("h1", { tabindex: "-1" }, e.title), ...details(e)));
}

const ANSWER = { yes: "I will attend", no: "I will not attend" } as const;
const other = (a: "yes" | "no") => (a === "yes" ? "no" : "yes");

/** Where to attend, for an invitee whose answer is yes: the link, or word that it will follow. */
function joinBox(joinUrl: string | null): HTMLElement {
  return h(
    "div",
    { class: "join-box", id: "rsvp-join" },
    h("h3", {}, "Where to attend"),
    joinUrl
      ? h("p", {}, h("a", { href: joinUrl, class: "join-link", rel: "noopener noreferrer", target: "_blank" }, joinUrl))
      : h("p", { class: "muted" }, "The organizer has not set the link to join yet: it will come by mail."),
  );
}

export async function rsvpPage(ctx: Ctx, params: URLSearchParams): Promise<void> {
  const token = params.get("token") ?? "";
  if (!token) return failure(ctx, "Invitation", new Error("This link has no invitation token: open the link from the invitation mail again."));
  let view;
  try {
    view = await ctx.events.rsvp(token);
  } catch (error) {
    return failure(ctx, "Invitation", error);
  }
  const { event: e, answer } = view;
  // Back from Stripe Checkout: the payment is confirmed by Stripe's webhook, a moment later.
  const checkout = params.get("checkout");
  let paid = view.payment?.state === "paid";
  const result = h("div", { id: "rsvp-result", tabindex: "-1", "aria-live": "polite" });
  const current = h("p", { id: "rsvp-current" });
  const attend = h("div", {});
  const action = h("div", {});
  /**
   * The answer part for the current answer: pending → confirm the link's own answer; yes → the
   * join link and a way to change to no; no → a way to change to yes. Either link does both.
   */
  const show = (now: "yes" | "no" | "pending", joinUrl: string | null) => {
    fill(current, now === "pending" ? "Your answer so far: " : "Your answer: ", badge(now));
    // After the start the link is still shown (when it is needed most); answers are closed.
    if (now === "yes" && e.status === "published") fill(attend, joinBox(joinUrl));
    else fill(attend);
    if (!view.open) {
      fill(action, h("p", { class: "notice", role: "status" }, e.status === "canceled" ? "The event was canceled: answers are closed." : "The event has started: answers are closed."));
      return;
    }
    const target = now === "pending" ? answer : other(now);
    // A paid event's yes goes to Stripe first (unless paid already).
    const toStripe = target === "yes" && e.price && !paid ? e.price : null;
    const button = h("button", { type: "button", id: "rsvp-confirm", class: now === "pending" ? "" : "secondary" }, `${now === "pending" ? "Confirm" : "Change to"}: ${ANSWER[target]}${toStripe ? " and pay" : ""}`);
    button.addEventListener("click", async () => {
      if (isBusy(button)) return;
      setBusy(button, true);
      try {
        const recorded = await ctx.events.answer(token, target);
        if (recorded.checkoutUrl) {
          fill(result, h("p", { class: "notice", role: "status" }, "Sending you to Stripe to pay…"));
          window.location.assign(recorded.checkoutUrl);
          return;
        }
        show(recorded.status, recorded.joinUrl);
        fill(result, h("p", { class: "success" }, `Thank you: your answer is recorded. ${recorded.status === "yes" ? `You will attend “${e.title}”.` : `You will not attend “${e.title}”.`}`));
      } catch (error) {
        fill(result, h("div", { class: "alert", role: "alert" }, h("p", {}, ...problemText(error))));
        setBusy(button, false);
      }
      result.focus();
    });
    fill(
      action,
      toStripe ? checkoutNotice(toStripe) : null,
      h("div", { class: "actions" }, button),
      now === "pending" ? null : h("p", { class: "hint" }, "You can change your answer until the event starts."),
      paid && now === "no" ? paidNotice() : null,
    );
  };
  show(view.current, view.joinUrl);
  if (checkout === "canceled" && !paid) fill(result, h("p", { class: "notice", role: "status", id: "rsvp-payment" }, "Payment canceled: you were not charged, and your answer is unchanged."));
  if (checkout === "success") {
    fill(result, h("p", { class: "notice", role: "status", id: "rsvp-payment" }, paid ? "Payment received — you're in." : "Waiting for the payment to be confirmed…"));
    if (!paid) {
      void awaitPayment(() => ctx.events.rsvp(token), view).then(
        (latest) => {
          paid = latest.payment?.state === "paid";
          show(latest.current, latest.joinUrl);
          fill(result, h("p", { class: paid ? "success" : "notice", role: "status", id: "rsvp-payment" }, paid ? "Payment received — you're in." : "Waiting for the payment to be confirmed. Stripe tells us within minutes: reload this page later."));
        },
        (error: unknown) => fill(result, h("div", { class: "alert", role: "alert" }, h("p", {}, ...problemText(error)))),
      );
    }
  }
  fill(
    ctx.root,
    h(
      "article",
      { class: "card event-page" },
      h("p", { class: "eyebrow" }, "Invitation for ", h("strong", {}, view.invitee)),
      h("h1", { tabindex: "-1" }, e.title),
      ...details(e),
      h("h2", {}, "Your answer"),
      current,
      attend,
      action,
      result,
    ),
  );
}
