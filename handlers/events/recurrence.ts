// Monthly series: which instants a rule gives, computed in the rule's IANA time zone with Intl only
// (no date library), so the local time of day stays the same across DST shifts. Pure: no I/O, no
// clock; the caller passes the first start and the bounds.

/** How a monthly series repeats (the API's `recurrence.by`). */
export const MONTHLY_BY = ["weekday", "lastWeekday", "dayOfMonth"] as const;
export type MonthlyBy = (typeof MONTHLY_BY)[number];

/** At most this many occurrences in a series (each is an event item of its own). */
export const MAX_OCCURRENCES = 24;

export interface MonthlyRule {
  /**
   * `weekday`: the same weekday-of-month as the first start ("the 2nd Tuesday"); a month without a
   * 5th such weekday is skipped. `lastWeekday`: the last such weekday of each month ("the last
   * Friday"; the first start must be one). `dayOfMonth`: the same day ("the 31st"), clamped to the
   * month's last day where the month is shorter (the 30th of April, the 28th or 29th of February).
   */
  by: MonthlyBy;
  /** IANA zone the local time of day is kept in. Example: `"Europe/Berlin"`. */
  timeZone: string;
  /** Last local date an occurrence may fall on (inclusive), `YYYY-MM-DD`. Example: `"2027-06-30"`. */
  until?: string;
  /** How many occurrences, the first included. Example: `6`. */
  count?: number;
}

/** A wall-clock time in a zone. Months are 1-12. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Local wall-clock fields of instant `t` (ms) in `zone`. */
export function localFields(t: number, zone: string): LocalDateTime {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour"), minute: get("minute"), second: get("second"), millisecond: ((t % 1000) + 1000) % 1000 };
}

const asUtc = (l: LocalDateTime) => Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.millisecond);
/** The zone's offset from UTC at instant `t`, in ms (Berlin in winter: +3 600 000). */
const offsetAt = (t: number, zone: string) => asUtc(localFields(t, zone)) - t;

/**
 * The instant a wall-clock time in `zone` names. A time that does not exist (skipped by a
 * spring-forward, e.g. 02:30 in New York on the second Sunday of March) moves forward by the gap
 * (03:30 EDT); a time that exists twice (the hour repeated by a fall-back) is the earlier one.
 * These are RFC 5545's and Temporal's "compatible" choices, and what calendar apps do.
 */
export function instantOf(local: LocalDateTime, zone: string): number {
  const wall = asUtc(local);
  // The offsets just before and after the wall time cover both sides of any transition near it.
  const before = offsetAt(wall - 86_400_000, zone);
  const after = offsetAt(wall + 86_400_000, zone);
  const candidates = [wall - before, wall - after].filter((t) => asUtc(localFields(t, zone)) === wall).sort((a, b) => a - b);
  if (candidates.length) return candidates[0]!;
  // In a gap: read the wall time with the offset from before the jump, which lands after it.
  return wall - before;
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const weekdayOf = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay();

/** The day of `month` a rule picks, or undefined when the month has none (a 5th weekday). */
function dayInMonth(by: MonthlyBy, first: LocalDateTime, year: number, month: number): number | undefined {
  const last = daysIn(year, month);
  if (by === "dayOfMonth") return Math.min(first.day, last);
  const weekday = weekdayOf(first.year, first.month, first.day);
  if (by === "lastWeekday") return last - ((weekdayOf(year, month, last) - weekday + 7) % 7);
  const nth = Math.ceil(first.day / 7);
  const day = 1 + ((weekday - weekdayOf(year, month, 1) + 7) % 7) + (nth - 1) * 7;
  return day <= last ? day : undefined;
}

/** Whether `local`'s day is the last of its weekday in its month. */
export const isLastWeekdayOfMonth = (local: Pick<LocalDateTime, "year" | "month" | "day">) => local.day + 7 > daysIn(local.year, local.month);

const isoDate = (l: Pick<LocalDateTime, "year" | "month" | "day">) => `${String(l.year).padStart(4, "0")}-${String(l.month).padStart(2, "0")}-${String(l.day).padStart(2, "0")}`;

/** Why a series cannot be made, phrased for a problem's detail (with the field it is about). */
export class RecurrenceError extends Error {
  constructor(
    readonly field: "until" | "count" | "by" | "timeZone",
    message: string,
  ) {
    super(message);
  }
}

export interface SeriesBounds {
  /** No occurrence may start after this instant (ms): the planning horizon. */
  latest: number;
  /** At most this many occurrences. Default MAX_OCCURRENCES. */
  max?: number;
}

/**
 * The starts (ISO instants) of a monthly series whose first occurrence starts at `firstStart`:
 * the first start itself, then one a month by the rule at the same local time of day in its zone,
 * until `rule.until` (a local date, inclusive) or `rule.count` occurrences. Throws a
 * RecurrenceError when the rule is not one series (neither or both of until and count, a
 * `lastWeekday` start that is not a last weekday) or goes past the bounds.
 */
export function monthlyStarts(firstStart: string, rule: MonthlyRule, bounds: SeriesBounds): string[] {
  const max = bounds.max ?? MAX_OCCURRENCES;
  if (!isTimeZone(rule.timeZone)) throw new RecurrenceError("timeZone", `"${rule.timeZone}" is not an IANA time zone`);
  if ((rule.until === undefined) === (rule.count === undefined)) throw new RecurrenceError("until", "give either until (a date) or count, not both");
  const t0 = Date.parse(firstStart);
  const first = localFields(t0, rule.timeZone);
  if (rule.by === "lastWeekday" && !isLastWeekdayOfMonth(first)) throw new RecurrenceError("by", `the first start (${isoDate(first)} in ${rule.timeZone}) is not the last of its weekday in its month`);
  if (rule.until !== undefined && rule.until < isoDate(first)) throw new RecurrenceError("until", `must be on or after the first start's date (${isoDate(first)} in ${rule.timeZone})`);
  const tooMany = `a series has at most ${max} occurrences; this one would have more: choose an earlier until or a count`;
  if (rule.count !== undefined && rule.count > max) throw new RecurrenceError("count", tooMany);
  const wanted = rule.count ?? max + 1;
  const starts = [new Date(t0).toISOString()];
  // A 5th-weekday rule skips months; 12 months always hold at least 4 fifth weekdays, so 3 × max months suffice.
  for (let k = 1; starts.length < wanted && k <= 3 * (max + 1); k++) {
    const month0 = first.month - 1 + k;
    const [year, month] = [first.year + Math.floor(month0 / 12), (month0 % 12) + 1];
    const day = dayInMonth(rule.by, first, year, month);
    if (day === undefined) continue;
    if (rule.until !== undefined && isoDate({ year, month, day }) > rule.until) break;
    if (starts.length >= max) throw new RecurrenceError("until", tooMany);
    const t = instantOf({ ...first, year, month, day }, rule.timeZone);
    if (t > bounds.latest) {
      throw new RecurrenceError(rule.count !== undefined ? "count" : "until", `occurrence ${starts.length + 1} (${isoDate({ year, month, day })}) would be past the planning horizon (${new Date(bounds.latest).toISOString().slice(0, 10)})`);
    }
    starts.push(new Date(t).toISOString());
  }
  return starts;
}

/**
 * `start` moved to the local time of day of `timeOf` in `zone`, keeping `start`'s local date: how
 * an edit of "this and following" moves each following occurrence.
 */
export function withLocalTimeOf(start: string, timeOf: string, zone: string): string {
  const date = localFields(Date.parse(start), zone);
  const time = localFields(Date.parse(timeOf), zone);
  return new Date(instantOf({ ...date, hour: time.hour, minute: time.minute, second: time.second, millisecond: time.millisecond }, zone)).toISOString();
}

/** "the 2nd Tuesday", "the last Friday", "the 31st (or the month's last day)": for summaries and docs. */
export function describeRule(firstStart: string, rule: Pick<MonthlyRule, "by" | "timeZone">): string {
  const first = localFields(Date.parse(firstStart), rule.timeZone);
  const weekday = new Intl.DateTimeFormat("en-US", { weekday: "long", timeZone: "UTC" }).format(new Date(Date.UTC(first.year, first.month - 1, first.day)));
  const ordinal = (n: number) => `${n}${n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th"}`;
  const time = `${String(first.hour).padStart(2, "0")}:${String(first.minute).padStart(2, "0")} ${rule.timeZone}`;
  if (rule.by === "dayOfMonth") return `monthly on the ${ordinal(first.day)}${first.day > 28 ? " (or the month's last day)" : ""} at ${time}`;
  if (rule.by === "lastWeekday") return `monthly on the last ${weekday} at ${time}`;
  return `monthly on the ${ordinal(Math.ceil(first.day / 7))} ${weekday} at ${time}`;
}
