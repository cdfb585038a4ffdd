import { h } from "./dom";
import { DATE_TIME } from "./time-range";

const dateTime = new Intl.DateTimeFormat(undefined, DATE_TIME);
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "3 minutes ago", "in 2 days", "now". */
export function fromNow(iso: string, now = Date.now()): string {
  const seconds = (Date.parse(iso) - now) / 1000;
  for (const [unit, size] of UNITS) if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  return Math.abs(seconds) < 10 ? "just now" : relative.format(Math.round(seconds), "second");
}

/** A `<time>` showing the date and time, with the full ISO timestamp in `datetime`. */
export function timeEl(iso: string | undefined | null, style: "absolute" | "relative" = "absolute"): HTMLElement {
  if (!iso || Number.isNaN(Date.parse(iso))) return h("span", { class: "muted" }, "unknown time");
  const absolute = dateTime.format(new Date(iso));
  return h("time", { datetime: iso, title: absolute }, style === "relative" ? fromNow(iso) : absolute);
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
