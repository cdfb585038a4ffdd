// The monthly series rule (handlers/events/recurrence.ts), pure: weekday-of-month and last weekday,
// day-of-month with the 31st and February (leap years too) clamped, a missing 5th weekday skipped,
// the local time of day kept across DST in Europe and the US, a spring-forward time that does not
// exist moved forward by the gap, a repeated fall-back time taken the first time, and the bounds.
// The dates are fixed calendar facts (DST rules, leap years), not "now": nothing here reads a clock.
import test from "ava";
import { MAX_OCCURRENCES, RecurrenceError, describeRule, instantOf, isTimeZone, localFields, monthlyStarts, withLocalTimeOf } from "../../handlers/events/recurrence";

/** Far enough for any rule below; the horizon test sets its own. */
const OPEN = { latest: Date.parse("2100-01-01T00:00:00Z") };
const local = (iso: string, zone: string) => {
  const l = localFields(Date.parse(iso), zone);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${l.year}-${p(l.month)}-${p(l.day)} ${p(l.hour)}:${p(l.minute)}`;
};
const weekday = (iso: string, zone: string) => new Intl.DateTimeFormat("en-US", { weekday: "short", timeZone: zone }).format(new Date(iso));

test("Europe/Berlin 18:00 on the 2nd Tuesday: 17:00Z in winter, 16:00Z in summer, always 18:00 local", (t) => {
  // 2027-01-12 is the 2nd Tuesday of January 2027.
  const starts = monthlyStarts("2027-01-12T17:00:00.000Z", { by: "weekday", timeZone: "Europe/Berlin", count: 12 }, OPEN);
  t.is(starts.length, 12);
  for (const s of starts) {
    t.is(local(s, "Europe/Berlin").slice(11), "18:00", s);
    t.is(weekday(s, "Europe/Berlin"), "Tue", s);
    const day = Number(local(s, "Europe/Berlin").slice(8, 10));
    t.true(day >= 8 && day <= 14, `${s} is a 2nd Tuesday`);
  }
  t.is(starts[0], "2027-01-12T17:00:00.000Z");
  t.is(starts[2], "2027-03-09T17:00:00.000Z", "March 9: before the EU switch (March 28), still CET");
  t.is(starts[3], "2027-04-13T16:00:00.000Z", "April: CEST, one hour earlier in UTC");
  t.is(starts[9], "2027-10-12T16:00:00.000Z", "October 12: before the switch back (October 31)");
  t.is(starts[10], "2027-11-09T17:00:00.000Z", "November: CET again");
});

test("America/New_York: the local time holds across the US switches, which are not Europe's", (t) => {
  // 2027-03-09 Tuesday 18:00 EST is 23:00Z; the US switches on March 14, 2027.
  const starts = monthlyStarts("2027-02-09T23:00:00.000Z", { by: "dayOfMonth", timeZone: "America/New_York", count: 10 }, OPEN);
  t.deepEqual(starts.slice(0, 3), ["2027-02-09T23:00:00.000Z", "2027-03-09T23:00:00.000Z", "2027-04-09T22:00:00.000Z"]);
  t.is(starts[8], "2027-10-09T22:00:00.000Z");
  t.is(starts[9], "2027-11-09T23:00:00.000Z", "after November 7: EST");
  for (const s of starts) t.is(local(s, "America/New_York").slice(8), "09 18:00");
});

test("the 31st: clamped to each shorter month's last day, back to the 31st where there is one", (t) => {
  const starts = monthlyStarts("2027-01-31T10:00:00.000Z", { by: "dayOfMonth", timeZone: "UTC", count: 8 }, OPEN);
  t.deepEqual(
    starts.map((s) => s.slice(0, 10)),
    ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31", "2027-06-30", "2027-07-31", "2027-08-31"],
  );
  t.true(starts.every((s) => s.slice(11) === "10:00:00.000Z"));
});

test("February in leap years: the 29th and the 31st land on February 29 in 2028 and on the 28th otherwise", (t) => {
  const fromJan31 = monthlyStarts("2027-12-31T09:00:00.000Z", { by: "dayOfMonth", timeZone: "Asia/Tokyo", count: 3 }, OPEN);
  t.deepEqual(fromJan31.map((s) => local(s, "Asia/Tokyo").slice(0, 10)), ["2027-12-31", "2028-01-31", "2028-02-29"]);
  // A series started on Feb 29 keeps the 29th where months have it; Feb 2029 has 28 days.
  const leapDay = monthlyStarts("2028-02-29T12:00:00.000Z", { by: "dayOfMonth", timeZone: "UTC", until: "2029-03-31" }, OPEN);
  t.is(leapDay.length, 14);
  t.deepEqual(leapDay.slice(0, 3).map((s) => s.slice(0, 10)), ["2028-02-29", "2028-03-29", "2028-04-29"]);
  t.is(leapDay[12]!.slice(0, 10), "2029-02-28", "no February 29 in 2029: its last day");
  t.is(leapDay[13]!.slice(0, 10), "2029-03-29", "then the 29th again");
  // The 2100 rule is not needed; 2000 was a leap year and 2100 is not: the month length comes from the calendar.
  t.deepEqual(monthlyStarts("2099-12-30T00:00:00.000Z", { by: "dayOfMonth", timeZone: "UTC", count: 3 }, { latest: Date.parse("2101-01-01T00:00:00Z") }).map((s) => s.slice(0, 10)), ["2099-12-30", "2100-01-30", "2100-02-28"]);
});

test("the 5th weekday: months without one are skipped, and a count counts real occurrences", (t) => {
  // 2027-03-29 is the 5th Monday of March 2027. April 2027 has none (its Mondays: 5, 12, 19, 26); May has the 31st.
  const starts = monthlyStarts("2027-03-29T15:00:00.000Z", { by: "weekday", timeZone: "UTC", count: 4 }, OPEN);
  t.deepEqual(starts.map((s) => s.slice(0, 10)), ["2027-03-29", "2027-05-31", "2027-08-30", "2027-11-29"]);
  for (const s of starts) t.is(weekday(s, "UTC"), "Mon");
});

test("the last weekday: the last Friday of every month, whether it is the 4th or the 5th", (t) => {
  // 2027-01-29 is the last Friday of January 2027 (also its 5th); February's last Friday is the 26th (4th).
  const starts = monthlyStarts("2027-01-29T18:00:00.000Z", { by: "lastWeekday", timeZone: "America/Chicago", count: 6 }, OPEN);
  t.deepEqual(starts.map((s) => local(s, "America/Chicago").slice(0, 10)), ["2027-01-29", "2027-02-26", "2027-03-26", "2027-04-30", "2027-05-28", "2027-06-25"]);
  for (const s of starts) t.is(local(s, "America/Chicago").slice(11), "12:00", "noon in Chicago, CST or CDT");
  t.is(starts[2], "2027-03-26T17:00:00.000Z", "CDT from March 14");
  const error = t.throws(() => monthlyStarts("2027-01-22T18:00:00.000Z", { by: "lastWeekday", timeZone: "UTC", count: 3 }, OPEN), { instanceOf: RecurrenceError });
  t.is(error.field, "by", "January 22 is not the last Friday: refused, not silently moved");
});

test("spring forward: a local time that does not exist that day moves forward by the gap (02:30 → 03:30)", (t) => {
  // The 2nd Sunday at 02:30 New York: March 14, 2027 skips 02:00–03:00.
  const starts = monthlyStarts("2027-02-14T07:30:00.000Z", { by: "weekday", timeZone: "America/New_York", count: 3 }, OPEN);
  t.is(local(starts[0]!, "America/New_York"), "2027-02-14 02:30");
  t.is(starts[1], "2027-03-14T07:30:00.000Z", "03:30 EDT: the skipped 02:30, one hour (the gap) later");
  t.is(local(starts[1]!, "America/New_York"), "2027-03-14 03:30");
  t.is(local(starts[2]!, "America/New_York"), "2027-04-11 02:30", "back to 02:30 when it exists");
  // Berlin skips 02:00–03:00 on the last Sunday of March.
  t.is(new Date(instantOf({ year: 2027, month: 3, day: 28, hour: 2, minute: 15, second: 0, millisecond: 0 }, "Europe/Berlin")).toISOString(), "2027-03-28T01:15:00.000Z");
  t.is(local("2027-03-28T01:15:00.000Z", "Europe/Berlin"), "2027-03-28 03:15");
});

test("fall back: a local time that happens twice is the first one (daylight time)", (t) => {
  // 1st Sunday at 01:30 New York: November 7, 2027 has 01:30 EDT (05:30Z) and 01:30 EST (06:30Z).
  const starts = monthlyStarts("2027-10-03T05:30:00.000Z", { by: "weekday", timeZone: "America/New_York", count: 3 }, OPEN);
  t.is(starts[1], "2027-11-07T05:30:00.000Z");
  t.is(local(starts[1]!, "America/New_York"), "2027-11-07 01:30");
  t.is(starts[2], "2027-12-05T06:30:00.000Z", "EST in December");
  t.is(new Date(instantOf({ year: 2027, month: 10, day: 31, hour: 2, minute: 30, second: 0, millisecond: 0 }, "Europe/Berlin")).toISOString(), "2027-10-31T00:30:00.000Z", "Berlin's repeated 02:30: CEST's");
});

test("until is a local date, inclusive; an until before the first start or without a count is refused", (t) => {
  const rule = { by: "dayOfMonth" as const, timeZone: "Pacific/Auckland" };
  // 2027-01-15 09:00 in Auckland (NZDT, +13) is 2027-01-14T20:00Z: the local date decides.
  const starts = monthlyStarts("2027-01-14T20:00:00.000Z", { ...rule, until: "2027-04-15" }, OPEN);
  t.deepEqual(starts.map((s) => local(s, "Pacific/Auckland")), ["2027-01-15 09:00", "2027-02-15 09:00", "2027-03-15 09:00", "2027-04-15 09:00"]);
  t.is(starts[3], "2027-04-14T21:00:00.000Z", "NZST (+12) from April 4");
  t.is(monthlyStarts("2027-01-14T20:00:00.000Z", { ...rule, until: "2027-04-14" }, OPEN).length, 3, "the 15th is past an until of the 14th");
  t.deepEqual(monthlyStarts("2027-01-14T20:00:00.000Z", { ...rule, until: "2027-01-15" }, OPEN).length, 1, "a series of one");
  for (const [name, bad, field] of [
    ["until before the first start's local date", { ...rule, until: "2027-01-14" }, "until"],
    ["neither until nor count", { ...rule }, "until"],
    ["both", { ...rule, until: "2027-05-01", count: 3 }, "until"],
    ["an unknown zone", { by: "weekday" as const, timeZone: "Mars/Olympus_Mons", count: 3 }, "timeZone"],
  ] as const) {
    const error = t.throws(() => monthlyStarts("2027-01-14T20:00:00.000Z", bad, OPEN), { instanceOf: RecurrenceError }, name);
    t.is(error?.field, field, name);
  }
});

test("bounds: at most 24 occurrences, none past the planning horizon", (t) => {
  t.is(MAX_OCCURRENCES, 24);
  t.is(monthlyStarts("2027-01-05T10:00:00.000Z", { by: "dayOfMonth", timeZone: "UTC", count: 24 }, OPEN).length, 24);
  t.is(t.throws(() => monthlyStarts("2027-01-05T10:00:00.000Z", { by: "dayOfMonth", timeZone: "UTC", count: 25 }, OPEN), { instanceOf: RecurrenceError })?.field, "count");
  const untilTooFar = t.throws(() => monthlyStarts("2027-01-05T10:00:00.000Z", { by: "dayOfMonth", timeZone: "UTC", until: "2030-01-01" }, OPEN), { instanceOf: RecurrenceError });
  t.is(untilTooFar?.field, "until");
  t.regex(untilTooFar!.message, /at most 24 occurrences/);
  const horizon = { latest: Date.parse("2027-06-01T00:00:00Z") };
  t.is(monthlyStarts("2027-01-05T10:00:00.000Z", { by: "dayOfMonth", timeZone: "UTC", count: 5 }, horizon).length, 5);
  const past = t.throws(() => monthlyStarts("2027-01-05T10:00:00.000Z", { by: "dayOfMonth", timeZone: "UTC", count: 6 }, horizon), { instanceOf: RecurrenceError });
  t.regex(past!.message, /occurrence 6 \(2027-06-05\) would be past the planning horizon/);
  // A 5th-weekday rule with a big count reaches far: still bounded, still refused rather than cut short.
  t.is(t.throws(() => monthlyStarts("2027-03-29T15:00:00.000Z", { by: "weekday", timeZone: "UTC", count: 24 }, horizon), { instanceOf: RecurrenceError })?.field, "count");
});

test("withLocalTimeOf keeps the local date and takes the new local time, on either side of DST", (t) => {
  // A following occurrence on 2027-04-13 (CEST) moved to the time of 19:30 given on a January (CET) day.
  t.is(withLocalTimeOf("2027-04-13T16:00:00.000Z", "2027-01-12T18:30:00.000Z", "Europe/Berlin"), "2027-04-13T17:30:00.000Z");
  t.is(local(withLocalTimeOf("2027-11-09T17:00:00.000Z", "2027-04-13T17:30:00.000Z", "Europe/Berlin"), "Europe/Berlin"), "2027-11-09 19:30");
});

test("isTimeZone accepts IANA names and refuses the rest; describeRule says the rule in words", (t) => {
  for (const zone of ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"]) t.true(isTimeZone(zone), zone);
  for (const zone of ["", "Berlin", "Europe/Nowhere", "+02:00", "x".repeat(100)]) t.false(isTimeZone(zone), zone);
  t.is(describeRule("2027-01-12T17:00:00.000Z", { by: "weekday", timeZone: "Europe/Berlin" }), "monthly on the 2nd Tuesday at 18:00 Europe/Berlin");
  t.is(describeRule("2027-01-29T18:00:00.000Z", { by: "lastWeekday", timeZone: "America/Chicago" }), "monthly on the last Friday at 12:00 America/Chicago");
  t.is(describeRule("2027-01-31T10:00:00.000Z", { by: "dayOfMonth", timeZone: "UTC" }), "monthly on the 31st (or the month's last day) at 10:00 UTC");
  t.is(describeRule("2027-01-22T10:00:00.000Z", { by: "dayOfMonth", timeZone: "UTC" }), "monthly on the 22nd at 10:00 UTC");
});
