// /events/manage?id=: the organizer's event. Edit (before its start, unless canceled), publish,
// cancel, cover and video upload, invitations and the answers so far.
import { fill, h, isBusy, setBusy } from "./dom";
import type { EventFields, EventView, Invitations, ManagedEvent, MediaKind, Undeliverable } from "./events-api";
import { alertBox, badge, eventForm, fail, ok, problemText, when, type Ctx } from "./events-ui";
import { scopeChoice, seriesSection } from "./events-repeat";
import { FieldCheck, FieldErrors } from "./field-errors";
import { plural, timeEl } from "./format";
import { CATEGORY_LABELS } from "../../handlers/events/categories";
import { MEDIA_CONTENT_TYPES } from "../../handlers/events/media-types";
import { videoPart, type VideoRetry } from "./video-player";
import { paymentBadge, paymentCountsText } from "./events-payment";

/** Runs an action behind a button: busy while it runs, errors into `error` (or beside `fields`). */
async function act(button: HTMLButtonElement, error: HTMLElement, run: () => Promise<void>, fields?: FieldErrors) {
  if (isBusy(button)) return;
  setBusy(button, true);
  try {
    await run();
    ok(error, fields);
  } catch (e) {
    fail(error, e, fields);
  } finally {
    setBusy(button, false);
  }
}

/** The cover and the video: the streamed rendition when there is one (video-player.ts), else the upload itself. `organizer` may retry a failed rendition. */
function media(e: EventView, organizer?: VideoRetry): HTMLElement | null {
  const streamed = e.video ? videoPart(e.title, e.video, organizer) : null;
  if (!e.coverUrl && !e.videoUrl && !streamed) return null;
  return h(
    "div",
    { class: "event-media" },
    e.coverUrl ? h("img", { class: "cover", src: e.coverUrl, alt: `Cover image of ${e.title}` }) : null,
    e.video ? streamed : e.videoUrl ? h("video", { class: "video", src: e.videoUrl, controls: true, preload: "metadata", "aria-label": `Video of ${e.title}` }) : null,
  );
}
export { media as eventMedia };

function uploadForm(ctx: Ctx, e: EventView, kind: MediaKind, refresh: (done: string) => Promise<void>): HTMLFormElement {
  const input = h("input", { type: "file", id: `${kind}-file`, name: kind, accept: MEDIA_CONTENT_TYPES[kind].join(",") });
  const error = alertBox(`${kind}-error`);
  const status = h("p", { class: "status", role: "status" });
  const submit = h("button", { type: "submit", class: "secondary" }, kind === "cover" ? "Upload cover" : "Upload video");
  // The API's contentType and size are both about the chosen file.
  const file = { control: input, noun: `the ${kind}` };
  const fields = new FieldErrors({ file, contentType: file, size: file });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    h("label", { for: input.id }, kind === "cover" ? "Cover image" : "Video"),
    input,
    h("p", { class: "hint" }, kind === "cover" ? "JPEG, PNG or WebP, up to 5 MB." : "MP4 or WebM, up to 100 MB."),
    error,
    h("div", { class: "actions" }, submit, status),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void act(submit, error, async () => {
      const chosen = input.files?.[0];
      if (!chosen) throw new FieldCheck("file", `Choose ${kind === "cover" ? "an image" : "a video"} file first.`);
      status.textContent = "Uploading…";
      try {
        await ctx.events.upload(e.id, kind, chosen);
      } finally {
        status.textContent = "";
      }
      await refresh(kind === "cover" ? "Cover uploaded." : "Video uploaded.");
    }, fields);
  });
  return form;
}

/** An answer's history in brief, when it changed: "yes → no → yes (3 answers)"; the times on hover. */
function answerHistory(i: Invitations["items"][number]): HTMLElement | null {
  if (i.answerChanges < 2) return null;
  const shown = i.history.slice(-5);
  const words = shown.map((a) => a.answer).join(" → ");
  return h(
    "span",
    { class: "meta answer-history", title: shown.map((a) => `${a.answer} at ${new Date(a.at).toLocaleString()}`).join("\n") },
    `${i.answerChanges > shown.length ? "… → " : ""}${words} (${plural(i.answerChanges, "answer", "answers")})`,
  );
}
/** Why mail does not reach an invitee, beside their answer. */

const UNDELIVERABLE: Record<Undeliverable["reason"], string> = { bounce: "undeliverable: bounced", complaint: "complained: will not be mailed again" };
const undeliverableBadge = (u: Undeliverable) =>
  h("span", { class: `badge undeliverable ${u.reason === "complaint" ? "badge-canceled" : "badge-rescheduled"}`, title: `Reported ${new Date(u.at).toLocaleString()}` }, UNDELIVERABLE[u.reason]);

/**
 * The invitations and the answers so far, shown from the page's own read; Refresh answers and an
 * invite read the event again (one request) and update the counts here and `confirmed` beside them.
 */
function invitationsSection(ctx: Ctx, e: ManagedEvent, canInvite: boolean, confirmed: HTMLElement): HTMLElement {
  const counts = h("p", { class: "counts", id: "invitation-counts", "aria-live": "polite" });
  const list = h("ul", { class: "items", "aria-label": "Invitations" });
  const listError = alertBox("invitations-error");
  const refreshButton = h("button", { type: "button", class: "secondary small" }, "Refresh answers");
  const show = (result: Invitations) => {
    const { yes, no, pending, undeliverable } = result.counts;
    counts.textContent = `${yes} yes · ${no} no · ${pending} pending${undeliverable ? ` · ${undeliverable} undeliverable` : ""}${paymentCountsText(result.counts)}`;
    fill(
      list,
      ...result.items.map((i) =>
        h(
          "li",
          { class: "invitee" },
          h("span", { class: "invitee-email" }, i.email),
          badge(i.status),
          i.undeliverable ? undeliverableBadge(i.undeliverable) : null,
          i.payment ? paymentBadge(i.payment) : null,
          i.answeredAt ? h("span", { class: "meta" }, "answered ", timeEl(i.answeredAt)) : null,
          answerHistory(i),
        ),
      ),
    );
    if (!result.items.length) fill(list, h("li", { class: "muted" }, "Nobody invited yet."));
  };
  const load = () =>
    act(refreshButton, listError, async () => {
      const fresh = await ctx.events.manageEvent(e.id);
      confirmed.textContent = String(fresh.confirmedCount);
      show(fresh.invitations);
    });
  refreshButton.addEventListener("click", () => void load());

  const section = h("section", { class: "card", "aria-labelledby": "invitations-title" }, h("div", { class: "card-head" }, h("h2", { id: "invitations-title" }, "Invitations"), refreshButton), counts, listError, list);
  if (canInvite) {
    const emails = h("textarea", { id: "invite-emails", name: "emails", rows: 3, "aria-describedby": "invite-hint" });
    const error = alertBox("invite-error");
    const status = h("p", { class: "status", role: "status" });
    const submit = h("button", { type: "submit" }, "Invite");
    let sent: string[] = [];
    const quoted = (values: string[]) => values.map((v) => `“${v}”`);
    const fields = new FieldErrors({
      emails: {
        control: emails,
        noun: "the addresses",
        empty: "Enter at least one email address.",
        items: "addresses",
        itemValue: (i) => sent[i],
        invalidItems: (values) => (values.length === 1 ? `${quoted(values)[0]} is not an email address.` : `${quoted(values).slice(0, -1).join(", ")} and ${quoted(values)[values.length - 1]} are not email addresses.`),
      },
    });
    const form = h(
      "form",
      { class: "stack invite", novalidate: true },
      h("label", { for: "invite-emails" }, "Invite by email"),
      emails,
      h("p", { class: "hint", id: "invite-hint" }, e.status === "draft" ? "Separate addresses with commas or new lines. Invitations are mailed when you publish." : "Separate addresses with commas or new lines. Invitations are mailed at once."),
      error,
      h("div", { class: "actions" }, submit, status),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      sent = emails.value.split(/[\s,;]+/).filter(Boolean);
      status.textContent = "";
      void act(submit, error, async () => {
        if (!sent.length) throw new FieldCheck("emails", "Enter at least one email address.");
        const result = await ctx.events.invite(e.id, sent);
        emails.value = "";
        status.textContent = `Invited ${plural(result.added.length, "person", "people")}${result.existing.length ? `; already invited: ${result.existing.join(", ")}` : ""}.`;
        await load();
      }, fields);
    });
    section.append(form);
  }
  show(e.invitations);
  return section;
}

export async function managePage(ctx: Ctx, params: URLSearchParams, notice?: string): Promise<void> {
  const id = params.get("id") ?? "";
  const { events } = ctx;
  if (!events.auth) {
    fill(ctx.root, h("h1", { tabindex: "-1" }, "Manage event"), h("p", { class: "alert" }, "Sign-in is not configured for this site, so events cannot be managed here."));
    return;
  }
  if (!events.auth.email) {
    fill(ctx.root, h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Manage event"), ctx.authBar()), h("p", {}, "Sign in as the event's organizer to manage it."));
    return;
  }
  let e: ManagedEvent;
  try {
    e = await events.manageEvent(id);
  } catch (error) {
    fill(ctx.root, h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Manage event"), ctx.authBar()), h("div", { class: "alert", role: "alert" }, h("p", {}, ...problemText(error))), h("p", {}, h("a", { href: "/events/" }, "Back to Events")));
    return;
  }
  /** Re-reads and re-renders the event; the notice says what just happened, and focus goes to the heading. */
  const refresh = async (done?: string) => {
    await managePage(ctx, params, done);
    ctx.root.querySelector<HTMLElement>("h1")?.focus();
  };
  const started = Date.parse(e.startsAt) <= Date.now();
  const editable = e.status !== "canceled" && !started;
  const actionsError = alertBox("event-actions-error");
  const buttons: HTMLElement[] = [];
  if (e.status === "draft" && !started) {
    const publish = h("button", { type: "button" }, "Publish");
    publish.addEventListener("click", () => void act(publish, actionsError, async () => (await events.publish(e.id), await refresh("Published: invitations are on their way."))));
    buttons.push(publish);
    if (e.series) {
      const publishFollowing = h("button", { type: "button", class: "secondary" }, "Publish this and following");
      publishFollowing.addEventListener("click", () => void act(publishFollowing, actionsError, async () => (await events.publish(e.id, "following"), await refresh("Published this and the following events: invitations are on their way."))));
      buttons.push(publishFollowing);
    }
  }
  if (e.status !== "canceled") {
    const cancel = h("button", { type: "button", class: "secondary danger" }, "Cancel event");
    cancel.addEventListener("click", () => {
      if (!confirm(`Cancel "${e.title}"? ${e.status === "published" ? "Everyone invited gets a cancellation mail. " : ""}This cannot be undone.`)) return;
      void act(cancel, actionsError, async () => (await events.cancel(e.id), await refresh(e.status === "published" ? "Canceled: everyone invited is told." : "Canceled.")));
    });
    buttons.push(cancel);
    if (e.series) {
      const cancelFollowing = h("button", { type: "button", class: "secondary danger" }, "Cancel this and following");
      cancelFollowing.addEventListener("click", () => {
        if (!confirm(`Cancel "${e.title}" and every later event of the series? Everyone invited to a published one gets a cancellation mail. This cannot be undone.`)) return;
        void act(cancelFollowing, actionsError, async () => (await events.cancel(e.id, "following"), await refresh("Canceled this and the following events.")));
      });
      buttons.push(cancelFollowing);
    }
  }
  if (e.status === "published" && e.visibility === "public") buttons.push(h("a", { href: `/events/view?id=${e.id}`, class: "button-link secondary" }, "Public page"));

  const confirmed = h("dd", { id: "event-confirmed" }, String(e.confirmedCount));
  const overview = h(
    "section",
    { class: "card", "aria-labelledby": "overview-title" },
    h("h2", { id: "overview-title" }, "Overview"),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Status"),
      h("dd", { id: "event-status" }, badge(e.status)),
      h("dt", {}, "When"),
      h("dd", {}, when(e)),
      h("dt", {}, "Visibility"),
      h("dd", {}, e.visibility === "public" ? "Public" : "Private"),
      h("dt", {}, "Attending"),
      confirmed,
      h("dt", {}, "Join link"),
      h("dd", { id: "event-join-url" }, e.joinUrl ? h("a", { href: e.joinUrl, class: "join-link", rel: "noopener noreferrer", target: "_blank" }, e.joinUrl) : h("span", { class: "muted" }, "Not set: attendees are told it will follow.")),
      h("dt", {}, "Category"),
      h("dd", { id: "event-category" }, CATEGORY_LABELS[e.category] ?? e.category),
      ...(e.series ? [h("dt", {}, "Series"), h("dd", { id: "series-rule" }, `Repeats ${e.series.rule} · event ${e.series.occurrence} of ${e.series.occurrences}`)] : []),
    ),
    media(e, { retry: async () => (await events.retryVideo(e.id), await refresh("The video is being processed again.")) }),
    actionsError,
    buttons.length ? h("div", { class: "actions" }, ...buttons) : null,
  );

  const sections: HTMLElement[] = [overview];
  if (editable) {
    const scope = e.series ? scopeChoice("edit-event") : undefined;
    const edit = eventForm("edit-event", "Save changes", e, scope ? { el: scope.el, fields: {} } : undefined);
    edit.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const values = edit.values();
      const patch: Partial<EventFields> = {};
      for (const key of Object.keys(values) as (keyof EventFields)[]) if (values[key] !== (e[key] ?? null)) (patch as Record<string, unknown>)[key] = values[key];
      void act(edit.submit, edit.error, async () => {
        if (!Object.keys(patch).length) {
          edit.status.textContent = "Nothing changed.";
          return;
        }
        const following = scope?.value() === "following";
        await events.update(e.id, patch, following ? "following" : "this");
        await refresh(following ? "Changes saved to this and the following events." : "Changes saved.");
      }, edit.fields);
    });
    sections.push(
      h("section", { class: "card", "aria-labelledby": "edit-title" }, h("h2", { id: "edit-title" }, "Edit"), edit.form),
      h("section", { class: "card", "aria-labelledby": "media-title" }, h("h2", { id: "media-title" }, "Cover and video"), uploadForm(ctx, e, "cover", refresh), uploadForm(ctx, e, "video", refresh)),
    );
  }
  sections.push(invitationsSection(ctx, e, editable, confirmed));
  if (e.series) sections.push(seriesSection(ctx, e));

  const grid = h("div", { class: "events-grid" }, ...sections);
  const banner = notice ? h("p", { class: "notice", id: "manage-notice" }, notice) : null;
  if (banner) {
    // The banner says what the last action did; once the organizer does something else it is stale.
    const dismiss = (ev: Event) => {
      if (ev.type === "submit" || (ev.target as Element).closest("button")) banner.remove();
    };
    grid.addEventListener("click", dismiss, true);
    grid.addEventListener("submit", dismiss, true);
  }
  fill(
    ctx.root,
    h("p", { class: "crumbs" }, h("a", { href: "/events/" }, "Events"), " › Manage"),
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, e.title), ctx.authBar()),
    banner,
    grid,
  );
}
