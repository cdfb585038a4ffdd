// Pieces the Events pages share: the page context, badges, times, fields and error regions.
import { ApiError } from "./api";
import { h, type Child } from "./dom";
import type { EventFields, EventStatus, EventView } from "./events-api";
import type { EventsApi } from "./events-api";
import { timeRange } from "./time-range";
import { FieldErrors, type FieldSpec } from "./field-errors";
import { clearError, showError } from "./problems";
import { CATEGORY_LABELS, DEFAULT_CATEGORY, EVENT_CATEGORIES } from "../../handlers/events/categories";

export interface Ctx {
  events: EventsApi;
  /** Where pages render. */
  root: HTMLElement;
  /** Client-side navigation to a path under /events. */
  go(path: string, replace?: boolean): void;
  /** The Sign in / Sign out control (or a note that sign-in is not configured). */
  authBar(): HTMLElement;
}

const BADGE: Record<string, string> = { published: "badge-active", yes: "badge-active", canceled: "badge-canceled", no: "badge-canceled", draft: "badge-neutral", pending: "badge-neutral" };
const LABEL: Record<string, string> = { published: "Published", canceled: "Canceled", draft: "Draft", yes: "Attending", no: "Not attending", pending: "No answer yet" };

export const badge = (status: EventStatus | "yes" | "no" | "pending") => h("span", { class: `badge ${BADGE[status] ?? "badge-neutral"}` }, LABEL[status] ?? status);

/** "Tue, Dec 1, 2026, 06:00 – 07:00 PM (60 minutes)", in the browser's time zone (the date once when it is one day). */
export const when = (e: { startsAt: string; durationMinutes: number }) =>
  h("span", {}, timeRange(e.startsAt, new Date(Date.parse(e.startsAt) + e.durationMinutes * 60_000).toISOString()), ` (${e.durationMinutes} minutes)`);

/** An alert region that takes focus when it shows an error, so screen readers and keyboards land there. */
export function alertBox(id: string): HTMLDivElement {
  return h("div", { id, class: "alert", role: "alert", tabindex: "-1" });
}

/**
 * Shows the error: field problems beside their fields (focus goes to the first), anything else in
 * the region, which then takes focus so screen readers and keyboards land there.
 */
export function fail(region: HTMLElement, error: unknown, fields?: FieldErrors): void {
  if (!showError(region, error, { fields })) region.focus();
}

export function ok(region: HTMLElement, fields?: FieldErrors): void {
  clearError(region, fields);
}

/** A problem's title (when the API sent one) over its detail. */
export function problemText(error: unknown): Child[] {
  const title = error instanceof ApiError ? error.problem?.title : undefined;
  return [title ? h("strong", {}, `${title}. `) : null, error instanceof Error ? error.message : String(error)];
}

/** A labelled field in a `.stack`; `hint` is tied to it with aria-describedby. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  if (hint) control.setAttribute("aria-describedby", `${id}-hint`);
  return h("div", { class: "stack field" }, h("label", { for: id }, label), control, hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null);
}

const pad = (n: number) => String(n).padStart(2, "0");
/** An ISO instant as a `datetime-local` value in the browser's zone. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (the browser's zone) as an ISO instant; "" stays "" (the API names it). */
export const fromLocalInput = (value: string) => (value && !Number.isNaN(new Date(value).getTime()) ? new Date(value).toISOString() : value);

/** A select of the categories (handlers/events/categories.ts), optionally led by an "any" choice with the value "". */
export function categorySelect(id: string, name: string, any?: string): HTMLSelectElement {
  return h("select", { name, id }, any ? h("option", { value: "" }, any) : null, ...EVENT_CATEGORIES.map((c) => h("option", { value: c }, CATEGORY_LABELS[c])));
}

/**
 * The event form: new (empty) or edit (filled); `fields` puts the API's field problems beside its
 * fields. `extra` adds a part before the error region, with its fields (the series' choices).
 */
export function eventForm(id: string, submitLabel: string, current?: EventView, extra?: { el: HTMLElement; fields: Record<string, FieldSpec> }): { form: HTMLFormElement; values(): EventFields; error: HTMLDivElement; fields: FieldErrors; submit: HTMLButtonElement; status: HTMLElement } {
  const title = h("input", { name: "title", type: "text", id: `${id}-title`, required: true, maxlength: 200, value: current?.title ?? "" });
  const description = h("textarea", { name: "description", id: `${id}-description`, rows: 4, maxlength: 5000 });
  description.value = current?.description ?? "";
  const start = h("input", { name: "startsAt", type: "datetime-local", id: `${id}-start`, required: true, value: current ? toLocalInput(current.startsAt) : "" });
  const duration = h("input", { name: "durationMinutes", type: "number", id: `${id}-duration`, min: 5, max: 1440, step: 5, required: true, value: current?.durationMinutes ?? 60 });
  const visibility = h(
    "select",
    { name: "visibility", id: `${id}-visibility` },
    h("option", { value: "public" }, "Public: listed for everyone"),
    h("option", { value: "private" }, "Private: you and your invitees"),
  );
  visibility.value = current?.visibility ?? "public";
  const joinUrl = h("input", { name: "joinUrl", type: "url", id: `${id}-join-url`, maxlength: 2048, inputmode: "url", autocomplete: "off", placeholder: "https://", value: current?.joinUrl ?? "" });
  const category = categorySelect(`${id}-category`, "category");
  category.value = current?.category ?? DEFAULT_CATEGORY;
  const error = alertBox(`${id}-error`);
  const submit = h("button", { type: "submit" }, submitLabel);
  const status = h("p", { class: "status", role: "status" });
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const form = h(
    "form",
    { id, class: "stack", novalidate: true },
    field("Title", title),
    field("Description", description),
    h("div", { class: "field-row" }, field("Starts", start, `Your time zone: ${zone}`), field("Duration (minutes)", duration)),
    h("div", { class: "field-row" }, field("Visibility", visibility), field("Category", category)),
    field("Join link", joinUrl, "Where to attend: an https:// link. Only you and the invitees who said yes see it; they get it by mail. Leave empty to set it later."),
    extra?.el,
    error,
    h("div", { class: "actions" }, submit, status),
  );
  const fields = new FieldErrors({
    title: { control: title, noun: "the title", empty: "Give the event a title." },
    description: { control: description, noun: "the description" },
    startsAt: { control: start, noun: "the start", empty: "Choose when the event starts.", invalid: "Choose a start date and time." },
    durationMinutes: { control: duration, noun: "the duration", unit: "minutes", empty: "Give the duration in minutes." },
    visibility: { control: visibility, noun: "who can see the event" },
    joinUrl: { control: joinUrl, noun: "the join link", invalid: "Give the join link as an https:// address, such as https://meet.example.com/abc." },
    category: { control: category, noun: "the category" },
    ...extra?.fields,
  });
  return {
    form,
    error,
    fields,
    submit,
    status,
    values: () => ({ title: title.value, description: description.value, startsAt: fromLocalInput(start.value), durationMinutes: Number(duration.value), visibility: visibility.value as EventFields["visibility"], joinUrl: joinUrl.value.trim() || null, category: category.value as EventFields["category"] }),
  };
}
