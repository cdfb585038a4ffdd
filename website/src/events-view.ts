// /events/view?id= (a public event) and /events/rsvp?token= (an invitation link). The RSVP page
// answers only when the button is pressed: mail scanners fetch links, so loading must not answer.
import { fill, h, isBusy, setBusy } from "./dom";
import type { EventView } from "./events-api";
import { eventMedia } from "./events-manage";
import { badge, problemText, when, type Ctx } from "./events-ui";

function details(e: EventView): HTMLElement[] {
  return [
    h("p", { class: "event-when" }, when(e), e.status === "canceled" ? " " : null, e.status === "canceled" ? badge("canceled") : null),
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
  const result = h("div", { id: "rsvp-result", tabindex: "-1", "aria-live": "polite" });
  const current = h("p", { id: "rsvp-current" }, "Your answer so far: ", badge(view.current));
  let action: HTMLElement;
  if (view.used) {
    action = h("p", { class: "notice", role: "status" }, `This link has already been used to answer “${answer}”.`, view.open ? " To change your answer, use the other link in the invitation mail." : null);
  } else if (!view.open) {
    action = h("p", { class: "notice", role: "status" }, e.status === "canceled" ? "The event was canceled: answers are closed." : "The event has started: answers are closed.");
  } else {
    const button = h("button", { type: "button", id: "rsvp-confirm" }, `Confirm: ${ANSWER[answer]}`);
    button.addEventListener("click", async () => {
      if (isBusy(button)) return;
      setBusy(button, true);
      try {
        await ctx.events.answer(token);
        button.remove();
        fill(result, h("p", { class: "success" }, answer === "yes" ? `Thank you: your answer is recorded. You will attend “${e.title}”.` : `Thank you: your answer is recorded. You will not attend “${e.title}”.`));
        fill(current, "Your answer: ", badge(answer));
      } catch (error) {
        fill(result, h("div", { class: "alert", role: "alert" }, h("p", {}, ...problemText(error))));
        setBusy(button, false);
      }
      result.focus();
    });
    action = h("div", { class: "actions" }, button);
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
      action,
      result,
    ),
  );
}
