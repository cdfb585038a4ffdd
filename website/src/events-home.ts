// /events/: public events (search by title word, paging); signed in, also "My events" and "New event".
import { append, fill, h, isBusy, setBusy } from "./dom";
import type { EventSummary } from "./events-api";
import { clearDraft, createSubmittedDraft, draftForm, fillForm, readDraft } from "./events-draft";
import { alertBox, badge, eventForm, fail, ok, when, type Ctx } from "./events-ui";
import { FieldErrors } from "./field-errors";

function eventItem(e: EventSummary, href: string): HTMLLIElement {
  return h(
    "li",
    { "data-event-id": e.id },
    h("h3", { class: "event-title" }, h("a", { href }, e.title), e.status !== "published" || href.includes("manage") ? badge(e.status) : null),
    h("p", { class: "meta" }, when(e), href.includes("manage") ? ` · ${e.visibility === "public" ? "Public" : "Private"}` : null),
  );
}

/** A list with a "More" button that follows nextCursor; `fields` shows problems with its query beside the search field. */
function pagedList(label: string, emptyText: string, more: string, load: (cursor: string | null) => Promise<{ items: EventSummary[]; nextCursor: string | null }>, href: (e: EventSummary) => string, fields?: FieldErrors) {
  const list = h("ul", { class: "items events", "aria-label": label });
  const state = h("p", { class: "state", "aria-live": "polite" }, "Loading…");
  const error = alertBox(`${label.toLowerCase().replace(/\W+/g, "-")}-error`);
  const button = h("button", { type: "button", class: "secondary" }, more);
  button.hidden = true;
  let cursor: string | null = null;
  const page = async (reset: boolean) => {
    if (isBusy(button)) return;
    setBusy(button, true);
    try {
      const result = await load(reset ? null : cursor);
      if (reset) list.replaceChildren();
      append(list, ...result.items.map((e) => eventItem(e, href(e))));
      cursor = result.nextCursor;
      button.hidden = !cursor;
      state.textContent = list.childElementCount ? "" : emptyText;
      ok(error, fields);
    } catch (e) {
      state.textContent = "";
      fail(error, e, fields);
    } finally {
      setBusy(button, false);
    }
  };
  button.addEventListener("click", () => void page(false));
  return { el: h("div", {}, state, error, list, button), reload: () => page(true) };
}

export async function homePage(ctx: Ctx): Promise<void> {
  const { events } = ctx;
  const signedIn = Boolean(events.auth?.email);

  let q = "";
  const search = h("input", { type: "search", name: "q", id: "event-search", maxlength: 100, autocomplete: "off" });
  const searchFields = new FieldErrors({ q: { control: search, noun: "the search word" } });
  const publicList = pagedList("Public events", "No public events yet.", "More events", (cursor) => events.publicEvents(q, cursor), (e) => `/events/view?id=${e.id}`, searchFields);
  const searchForm = h(
    "form",
    { class: "stack", role: "search", novalidate: true },
    h("label", { for: "event-search" }, "Search public events by a title word"),
    h("div", { class: "inline" }, search, h("button", { type: "submit", class: "secondary" }, "Search")),
  );
  searchForm.addEventListener("submit", (e) => {
    e.preventDefault();
    q = search.value.trim();
    void publicList.reload();
  });

  const sections: HTMLElement[] = [];
  // Back from signing in with a draft saved before: it becomes this organizer's event (events-draft.ts).
  const fromDraft = signedIn ? await createSubmittedDraft(events) : undefined;
  if (fromDraft?.created) return ctx.go(`/events/manage?id=${fromDraft.created.id}`, true);
  if (signedIn) {
    const mine = pagedList("My events", "You have no events yet: create one below.", "More of my events", (cursor) => events.myEvents(cursor), (e) => `/events/manage?id=${e.id}`);
    const create = eventForm("new-event", "Create event");
    // A draft from before signing in fills the form; one the API refused shows why.
    const draft = readDraft();
    if (draft) fillForm(create.form, draft);
    if (fromDraft?.error) fail(create.error, fromDraft.error, create.fields);
    create.form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (isBusy(create.submit)) return;
      setBusy(create.submit, true);
      create.status.textContent = "Creating…";
      try {
        const created = await events.create(create.values());
        clearDraft();
        ok(create.error, create.fields);
        ctx.go(`/events/manage?id=${created.id}`);
      } catch (error) {
        create.status.textContent = "";
        fail(create.error, error, create.fields);
      } finally {
        setBusy(create.submit, false);
      }
    });
    sections.push(
      h("section", { class: "card", "aria-labelledby": "my-events-title" }, h("h2", { id: "my-events-title" }, "My events"), mine.el),
      h("section", { class: "card", "aria-labelledby": "new-event-heading" }, h("h2", { id: "new-event-heading" }, "New event"), h("p", { class: "hint" }, "Events start as drafts: invite people and add a cover, then publish to send the invitations."), create.form),
    );
    void mine.reload();
  } else if (events.auth) {
    // Start before signing up: draft here, kept in this browser; saving asks to sign in.
    const auth = events.auth;
    const create = eventForm("new-event", "Save event");
    draftForm(create, () => auth.signIn("/events/"));
    sections.push(
      h(
        "section",
        { class: "card", "aria-labelledby": "new-event-heading" },
        h("h2", { id: "new-event-heading" }, "New event"),
        h("p", { class: "hint" }, "No account needed to start: your draft stays in this browser, and nothing is sent, until you save it, which asks you to sign in (by email, or with a provider such as Google)."),
        create.form,
      ),
    );
  }

  fill(
    ctx.root,
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Events"), ctx.authBar()),
    h(
      "div",
      { class: "events-grid" },
      h("section", { class: "card", "aria-labelledby": "public-events-title" }, h("h2", { id: "public-events-title" }, "Public events"), searchForm, publicList.el),
      ...sections,
    ),
  );
  await publicList.reload();
}
