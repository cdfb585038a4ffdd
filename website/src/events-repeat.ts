// The create form's "Repeat monthly" part and the manage page's series parts: the rule's choices
// (weekday-of-month, last weekday, day-of-month; until a date or a number of times; the browser's
// time zone by default), the series' occurrences, and "this event" / "this and following".
import { fill, h } from "./dom";
import type { EventView, Recurrence, Scope } from "./events-api";
import { alertBox, badge, fail, field, when, type Ctx } from "./events-ui";
import { FieldCheck, type FieldSpec } from "./field-errors";

const ordinal = (n: number) => ["1st", "2nd", "3rd", "4th", "5th"][n - 1] ?? `${n}th`;
const MAX_OCCURRENCES = 24;

/** Every IANA zone this browser knows (the browser's own first), or just the browser's. */
function zones(own: string): string[] {
  const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  const all = supported ? supported("timeZone") : [];
  return [own, ...all.filter((z) => z !== own)];
}

/**
 * The "Repeat monthly" fields. Hidden until the box is ticked, so a one-off event's form stays
 * short. `start()` reads the form's start (a datetime-local value) to name the choices ("the 2nd
 * Tuesday"); `value()` is the API's `recurrence`, or undefined when the box is not ticked.
 */
export function repeatFields(id: string, start: () => string): { el: HTMLElement; fields: Record<string, FieldSpec>; value(): Recurrence | undefined; refresh(): void } {
  const repeat = h("input", { type: "checkbox", id: `${id}-repeat`, name: "repeat" });
  const by = h("select", { id: `${id}-repeat-by`, name: "by" });
  const ends = h("select", { id: `${id}-repeat-ends`, name: "ends" }, h("option", { value: "count" }, "After a number of events"), h("option", { value: "until" }, "On a date"));
  const count = h("input", { type: "number", id: `${id}-repeat-count`, name: "count", min: 1, max: MAX_OCCURRENCES, step: 1, value: 6 });
  const until = h("input", { type: "date", id: `${id}-repeat-until`, name: "until" });
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zone = h("select", { id: `${id}-repeat-zone`, name: "timeZone" }, ...zones(own).map((z) => h("option", { value: z }, z === own ? `${z} (yours)` : z)));
  zone.value = own;
  const countField = field("How many events", count, `1 to ${MAX_OCCURRENCES}, this one included.`);
  const untilField = field("Last date", until, "The last event is on or before this date.");
  const details = h(
    "div",
    { class: "stack repeat-details" },
    field("Repeats on", by),
    h("div", { class: "field-row" }, field("Ends", ends), h("div", {}, countField, untilField)),
    field("Time zone", zone, "The events keep this zone's local time across daylight saving changes."),
  );

  /** The choices named from the chosen start: "the 2nd Tuesday", "the last Tuesday" (only when it is), "day 15". */
  const name = () => {
    const d = new Date(start());
    const valid = !Number.isNaN(d.getTime());
    const weekday = valid ? d.toLocaleDateString("en-US", { weekday: "long" }) : "weekday";
    const nth = valid ? Math.ceil(d.getDate() / 7) : 0;
    const isLast = valid && d.getDate() + 7 > new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate();
    const chosen = by.value;
    by.replaceChildren(
      h("option", { value: "weekday" }, valid ? `The ${ordinal(nth)} ${weekday} of each month${nth === 5 ? " (months without one are skipped)" : ""}` : "The same weekday of each month"),
      ...(isLast || !valid ? [h("option", { value: "lastWeekday" }, `The last ${weekday} of each month`)] : []),
      h("option", { value: "dayOfMonth" }, valid ? `Day ${d.getDate()} of each month${d.getDate() > 28 ? " (or the month's last day)" : ""}` : "The same day of each month"),
    );
    by.value = [...by.options].some((o) => o.value === chosen) ? chosen : "weekday";
  };
  const show = () => {
    details.hidden = !repeat.checked;
    countField.hidden = ends.value !== "count";
    untilField.hidden = ends.value !== "until";
    name();
  };
  repeat.addEventListener("change", show);
  ends.addEventListener("change", show);
  show();

  const el = h("fieldset", { class: "stack repeat" }, h("legend", {}, "Repeat"), h("div", { class: "check" }, repeat, h("label", { for: repeat.id }, "Repeat monthly")), details);
  // The API's recurrence problems (`#/recurrence/…`) are about how the series ends, mostly: shown by Ends.
  const fields: Record<string, FieldSpec> = { recurrence: { control: ends, noun: "the repeat" } };
  return {
    el,
    fields,
    refresh: show,
    value() {
      if (!repeat.checked) return undefined;
      name();
      const rule = { frequency: "monthly" as const, by: by.value as Recurrence["by"], timeZone: zone.value };
      if (ends.value === "until") {
        if (!until.value) throw new FieldCheck("recurrence", "Choose the date of the last event.");
        return { ...rule, until: until.value };
      }
      const n = Number(count.value);
      if (!Number.isInteger(n) || n < 1 || n > MAX_OCCURRENCES) throw new FieldCheck("recurrence", `A series has 1 to ${MAX_OCCURRENCES} events.`);
      return { ...rule, count: n };
    },
  };
}

/** "This event" / "This and following events": which occurrences an edit changes. */
export function scopeChoice(id: string): { el: HTMLElement; value(): Scope } {
  const radio = (value: Scope, label: string, checked: boolean) => {
    const input = h("input", { type: "radio", name: `${id}-scope`, id: `${id}-scope-${value}`, value, checked });
    return h("div", { class: "check" }, input, h("label", { for: input.id }, label));
  };
  const el = h("fieldset", { class: "stack scope" }, h("legend", {}, "Apply the changes to"), radio("this", "This event", true), radio("following", "This and following events", false));
  return { el, value: () => (el.querySelector<HTMLInputElement>("input:checked")?.value as Scope | undefined) ?? "this" };
}

/** The manage page's list of the series' events, this one marked, each linking to its own page. */
export function seriesSection(ctx: Ctx, e: EventView): HTMLElement {
  const list = h("ol", { class: "items series-items", "aria-label": "Events of the series" });
  const error = alertBox("series-error");
  const section = h("section", { class: "card", "aria-labelledby": "series-title" }, h("h2", { id: "series-title" }, "Series"), h("p", { class: "hint" }, `Repeats ${e.series!.rule}.`), error, list);
  void ctx.events.series(e.series!.id).then(
    ({ items }) =>
      fill(
        list,
        ...items.map((o) =>
          h(
            "li",
            { "data-event-id": o.id },
            o.id === e.id ? h("strong", { "aria-current": "page" }, when(o)) : h("a", { href: `/events/manage?id=${o.id}` }, when(o)),
            " ",
            badge(o.status),
          ),
        ),
      ),
    (problem) => fail(error, problem),
  );
  return section;
}
