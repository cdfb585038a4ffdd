// An event's time span as people read it. No DOM here: the unit tests run it in Node.

/** Every absolute time on the site: "Fri, Jan 15, 2027, 05:30 PM" in the viewer's locale. */
export const DATE_TIME: Intl.DateTimeFormatOptions = { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" };

/** Where and how to show times: the viewer's locale and zone unless given (tests give both). */
export interface Viewer {
  locale?: string;
  timeZone?: string;
}

/**
 * "Fri, Jan 15, 2027, 05:30 – 07:00 PM": the date once when both ends fall on the same day in the
 * viewer's zone, else both in full. Built from formatToParts rather than formatRange, whose
 * interval patterns drop the 2-digit hour and so disagree with every other time on the page.
 */
export function timeRange(startIso: string, endIso: string, viewer: Viewer = {}): string {
  const full = new Intl.DateTimeFormat(viewer.locale, { ...DATE_TIME, timeZone: viewer.timeZone });
  const [start, end] = [new Date(startIso), new Date(endIso)];
  const timeZone = full.resolvedOptions().timeZone;
  const day = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  if (day.format(start) !== day.format(end)) return `${full.format(start)} – ${full.format(end)}`;
  const time = new Intl.DateTimeFormat(viewer.locale, { timeZone, hour: "2-digit", minute: "2-digit" });
  const startParts = full.formatToParts(start);
  const endParts = time.formatToParts(end);
  // The same AM/PM at the end of both: say it once, after the end ("05:30 – 07:00 PM").
  const last = (parts: Intl.DateTimeFormatPart[]) => parts[parts.length - 1];
  const period = (parts: Intl.DateTimeFormatPart[]) => (last(parts)?.type === "dayPeriod" ? last(parts)!.value : undefined);
  let head = startParts;
  if (period(startParts) !== undefined && period(startParts) === period(endParts)) {
    head = startParts.slice(0, -1);
    if (last(head)?.type === "literal") head = head.slice(0, -1);
  }
  return `${head.map((p) => p.value).join("")} – ${endParts.map((p) => p.value).join("")}`;
}
