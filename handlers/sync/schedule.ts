/** How many times an EventBridge `rate(...)` expression fires per hour (cron: undefined). */
export function runsPerHour(schedule: string): number | undefined {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(schedule);
  if (!match) return undefined;
  const n = Number(match[1]);
  return match[2]!.startsWith("minute") ? 60 / n : match[2]!.startsWith("hour") ? 1 / n : 1 / (24 * n);
}
