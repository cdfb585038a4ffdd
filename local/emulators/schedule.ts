// EventBridge schedule expressions for local mode: when a `rate(...)` or `cron(...)` rule would
// fire next (UTC, as EventBridge evaluates them).
import { runsPerHour } from "../../handlers/sync/schedule";

const FIELDS = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day-of-week", min: 1, max: 7 },
  { name: "year", min: 1970, max: 2199 },
] as const;
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

export class ScheduleError extends Error {}

/** The values one cron field allows (undefined: any, for `*` and `?`). */
function parseField(text: string, field: (typeof FIELDS)[number]): Set<number> | undefined {
  if (text === "*" || text === "?") return undefined;
  const names = field.name === "month" ? MONTHS : field.name === "day-of-week" ? DAYS : [];
  const value = (v: string) => {
    const named = names.indexOf(v.toUpperCase());
    const n = named >= 0 ? named + 1 : Number(v);
    if (!Number.isInteger(n) || n < field.min || n > field.max) throw new ScheduleError(`cron ${field.name}: "${v}" is not supported locally`);
    return n;
  };
  const allowed = new Set<number>();
  for (const part of text.split(",")) {
    const [range, step] = part.split("/") as [string, string | undefined];
    const [from, to] = range === "*" ? [field.min, field.max] : range.includes("-") ? (range.split("-").map(value) as [number, number]) : [value(range), step ? field.max : value(range)];
    const by = step === undefined ? 1 : Number(step);
    if (!Number.isInteger(by) || by < 1) throw new ScheduleError(`cron ${field.name}: bad step in "${part}"`);
    for (let n = from; n <= to; n += by) allowed.add(n);
  }
  return allowed;
}

/**
 * When the schedule fires next after `after`. Local mode supports `rate(...)` and the cron fields
 * with numbers, names, `*`, `?`, lists, ranges and steps; `L`, `W` and `#` throw a ScheduleError.
 */
export function nextRun(schedule: string, after: Date): Date {
  const perHour = runsPerHour(schedule);
  if (perHour !== undefined) return new Date(after.getTime() + 3_600_000 / perHour);
  const cron = /^cron\((.+)\)$/.exec(schedule);
  if (!cron) throw new ScheduleError(`"${schedule}" is neither rate(...) nor cron(...)`);
  const parts = cron[1]!.trim().split(/\s+/);
  if (parts.length !== 6) throw new ScheduleError(`cron needs 6 fields (minutes hours day-of-month month day-of-week year): "${schedule}"`);
  const [minutes, hours, dom, month, dow, year] = parts.map((p, i) => parseField(p, FIELDS[i]!));
  const t = new Date(after);
  t.setUTCSeconds(0, 0);
  // Minute by minute for up to a year: simple, and well under a second.
  for (let i = 0; i < 366 * 24 * 60; i++) {
    t.setUTCMinutes(t.getUTCMinutes() + 1);
    if (
      (!minutes || minutes.has(t.getUTCMinutes())) &&
      (!hours || hours.has(t.getUTCHours())) &&
      (!dom || dom.has(t.getUTCDate())) &&
      (!month || month.has(t.getUTCMonth() + 1)) &&
      (!dow || dow.has(t.getUTCDay() + 1)) &&
      (!year || year.has(t.getUTCFullYear()))
    ) {
      return new Date(t);
    }
  }
  throw new ScheduleError(`"${schedule}" does not fire within a year`);
}
