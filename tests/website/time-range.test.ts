// The website's time range: the date once when start and end fall on one day in the viewer's zone,
// both dates otherwise; the zone decides, so the same instants read differently across zones.
import test from "ava";
import { timeRange, type Viewer } from "../../website/src/time-range";

// ICU versions differ in which space they put before AM/PM; the words are what matter here.
const range = (start: string, end: string, viewer: Viewer) => timeRange(start, end, viewer).replace(/\s/g, " ");

test("one day in the viewer's zone: the date once, and a shared AM/PM once", (t) => {
  t.is(range("2027-01-15T22:30:00Z", "2027-01-16T00:00:00Z", { locale: "en-US", timeZone: "America/New_York" }), "Fri, Jan 15, 2027, 05:30 – 07:00 PM");
  t.is(range("2027-01-15T22:30:00Z", "2027-01-16T00:00:00Z", { locale: "en-US", timeZone: "Asia/Tokyo" }), "Sat, Jan 16, 2027, 07:30 – 09:00 AM");
  t.is(range("2027-01-15T22:30:00Z", "2027-01-16T00:00:00Z", { locale: "en-US", timeZone: "Asia/Kolkata" }), "Sat, Jan 16, 2027, 04:00 – 05:30 AM");
  t.is(range("2027-01-15T16:30:00Z", "2027-01-15T18:00:00Z", { locale: "en-GB", timeZone: "Europe/London" }), "Fri, 15 Jan 2027, 16:30 – 18:00");
});

test("one day across noon keeps both AM and PM", (t) => {
  t.is(range("2027-01-15T16:30:00Z", "2027-01-15T18:00:00Z", { locale: "en-US", timeZone: "America/New_York" }), "Fri, Jan 15, 2027, 11:30 AM – 01:00 PM");
});

test("different days in the viewer's zone: both dates in full, even when another zone sees one day", (t) => {
  t.is(range("2027-01-15T22:30:00Z", "2027-01-16T00:00:00Z", { locale: "en-GB", timeZone: "Europe/London" }), "Fri, 15 Jan 2027, 22:30 – Sat, 16 Jan 2027, 00:00");
  t.is(range("2027-01-15T22:30:00Z", "2027-01-16T00:00:00Z", { locale: "en-US", timeZone: "UTC" }), "Fri, Jan 15, 2027, 10:30 PM – Sat, Jan 16, 2027, 12:00 AM");
  t.is(range("2027-01-15T22:30:00Z", "2027-01-16T00:00:00Z", { locale: "de-DE", timeZone: "Europe/Berlin" }), "Fr., 15. Jan. 2027, 23:30 – Sa., 16. Jan. 2027, 01:00");
});

test("a day with a daylight-saving change is still one day", (t) => {
  // New York springs forward at 2:00 on 14 March 2027: 01:30 EST to 03:30 EDT is one hour.
  t.is(range("2027-03-14T06:30:00Z", "2027-03-14T07:30:00Z", { locale: "en-US", timeZone: "America/New_York" }), "Sun, Mar 14, 2027, 01:30 – 03:30 AM");
});
