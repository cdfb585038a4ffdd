// /events/: public events (search by title word, category and start dates, sorted as chosen,
// paging); signed in, also "My events" and "New event".
import { CATEGORY_LABELS } from "../../handlers/events/categories";
import { DEFAULT_SORT, PUBLIC_SORTS, PUBLIC_SORT_NAMES, type PublicSort } from "../../handlers/events/public-search";
import { ApiError } from "./api";
import { append, fill, h, isBusy, setBusy } from "./dom";
import type { EventSummary, PublicFilter } from "./events-api";
import { alertBox, badge, categorySelect, eventForm, fail, field, ok, when, type Ctx } from "./events-ui";
import { repeatFields } from "./events-repeat";
import { clearDraft, createSubmittedDraft, draftForm, fillForm, readDraft } from "./events-draft";
import { FieldErrors } from "./field-errors";

function eventItem(e: EventSummary, href: string): HTMLLIElement {
  return h(
    "li",
    { "data-event-id": e.id },
    h("h3", { class: "event-title" }, h("a", { href }, e.title), e.status !== "published" || href.includes("manage") ? badge(e.status) : null),
    h(
      "p",
      { class: "meta" },
      when(e),
      href.includes("manage") ? ` · ${e.visibility === "public" ? "Public" : "Private"}` : ` · ${CATEGORY_LABELS[e.category] ?? e.category} · ${e.confirmedCount} going`,
    ),
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
  /** A reload asked for while a page loads (filters changed quickly): it runs when that one is done. */
  let reloadAfter = false;
  const page = async (reset: boolean): Promise<void> => {
    if (isBusy(button)) {
      reloadAfter ||= reset;
      return;
    }
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
      // A ranking by popularity lasts minutes: when it is gone, start over from the first page.
      if (!reset && e instanceof ApiError && e.status === 410) {
        setBusy(button, false);
        await page(true);
        state.textContent = "The ranking changed meanwhile: the list starts again from the top.";
        return;
      }
      state.textContent = "";
      fail(error, e, fields);
    } finally {
      setBusy(button, false);
    }
    if (reloadAfter) {
      reloadAfter = false;
      await page(true);
    }
  };
  button.addEventListener("click", () => void page(false));
  return { el: h("div", {}, state, error, list, button), reload: () => page(true) };
}

export async function homePage(ctx: Ctx): Promise<void> {
  const { events } = ctx;
  const signedIn = Boolean(events.auth?.email);

  let filter: PublicFilter = { q: "", category: "", sort: DEFAULT_SORT, startsAfter: "", startsBefore: "" };
  const search = h("input", { type: "search", name: "q", id: "event-search", maxlength: 100, autocomplete: "off" });
  const category = categorySelect("event-category-filter", "category", "Any category");
  const sort = h("select", { name: "sort", id: "event-sort" }, ...PUBLIC_SORT_NAMES.map((name) => h("option", { value: name }, PUBLIC_SORTS[name].label)));
  const from = h("input", { type: "date", name: "startsAfter", id: "event-from" });
  const to = h("input", { type: "date", name: "startsBefore", id: "event-to" });
  const searchFields = new FieldErrors({
    q: { control: search, noun: "the search word" },
    category: { control: category, noun: "the category" },
    sort: { control: sort, noun: "the order" },
    startsAfter: { control: from, noun: "the first day" },
    startsBefore: { control: to, noun: "the last day" },
  });
  const publicList = pagedList("Public events", "No public events yet.", "More events", (cursor) => events.publicEvents(filter, cursor), (e) => `/events/view?id=${e.id}`, searchFields);
  const searchForm = h(
    "form",
    { class: "stack", role: "search", novalidate: true },
    h("label", { for: "event-search" }, "Search public events by a title word"),
    h("div", { class: "inline" }, search, h("button", { type: "submit", class: "secondary" }, "Search")),
    h("div", { class: "filter-row" }, field("Category", category), field("Sort by", sort), field("Starting from", from), field("Until (including)", to)),
  );
  /** A date field (the browser's day) as the instant it starts; "" stays "". */
  const dayStart = (value: string, plusDays = 0) => {
    if (!value) return "";
    const [y, m, d] = value.split("-").map(Number);
    return new Date(y!, m! - 1, d! + plusDays).toISOString();
  };
  const apply = () => {
    // "Until" names the last day: events starting before the next day begins.
    filter = { q: search.value.trim(), category: category.value as PublicFilter["category"], sort: sort.value as PublicSort, startsAfter: dayStart(from.value), startsBefore: dayStart(to.value, 1) };
    void publicList.reload();
  };
  searchForm.addEventListener("submit", (e) => {
    e.preventDefault();
    apply();
  });
  // The selects and dates apply at once; the word waits for Search (or Enter).
  for (const control of [category, sort, from, to]) control.addEventListener("change", apply);

  const sections: HTMLElement[] = [];
  // Back from signing in with a draft saved before: it becomes this organizer's event (events-draft.ts).
  const fromDraft = signedIn ? await createSubmittedDraft(events) : undefined;
  if (fromDraft?.created) return ctx.go(`/events/manage?id=${fromDraft.created.id}`, true);
  if (signedIn) {
    const mine = pagedList("My events", "You have no events yet: create one below.", "More of my events", (cursor) => events.myEvents(cursor), (e) => `/events/manage?id=${e.id}`);
    let startValue = () => "";
    const repeat = repeatFields("new-event", () => startValue());
    const create = eventForm("new-event", "Create event", undefined, repeat);
    const startInput = create.form.querySelector<HTMLInputElement>('input[name="startsAt"]')!;
    startValue = () => startInput.value;
    startInput.addEventListener("change", () => repeat.refresh());
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
        const recurrence = repeat.value();
        const created = await events.create({ ...create.values(), ...(recurrence ? { recurrence } : {}) });
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
