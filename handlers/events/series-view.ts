import type { EventRecord } from "./event-store";
import { describeRule } from "./recurrence";
import type { SeriesRecord } from "./series-store";

/** What the organizer sees of a series: the rule in data and in words, and where an occurrence is in it. */
export function seriesSummary(s: SeriesRecord, occurrence?: Pick<EventRecord, "occurrence">) {
  return {
    id: s.id,
    frequency: s.frequency,
    by: s.by,
    timeZone: s.timeZone,
    until: s.until ?? null,
    count: s.count ?? null,
    rule: describeRule(s.firstStartsAt, s),
    firstStartsAt: s.firstStartsAt,
    occurrences: s.occurrenceIds.length,
    occurrence: occurrence?.occurrence ?? null,
    continues: s.continues ?? null,
    continuedBy: s.continuedBy ?? null,
  };
}
export type SeriesSummary = ReturnType<typeof seriesSummary>;
