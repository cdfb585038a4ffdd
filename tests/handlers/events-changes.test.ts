// The pieces of issue #18's change mails that need no emulator: what counts as a change between two
// stream images and how it is named (the once-per-change key), what of a late change is still
// news, the job's shape, and who sees what in a change mail (the join-link rule as a table). The
// flows through DynamoDB Local, the queue and the serialized functions are in
// events-notifications.test.ts and tests/artifacts/events.test.ts.
import test from "ava";
import { changeBetween, changesNotifyingField, linkFingerprint, stillNews } from "../../handlers/events/event-changes";
import type { EventRecord } from "../../handlers/events/event-store";
import { changeMail } from "../../handlers/events/mail/change-mail";
import { notificationJobSchema, notificationKey } from "../../handlers/events/notification-job";

const HOUR = 3_600_000;
const at = (hours: number) => new Date(Date.UTC(2031, 0, 1) + hours * HOUR).toISOString();
const base: EventRecord = {
  id: "0192e1aa-0000-7000-8000-000000000001",
  organizerId: "o",
  organizerEmail: "olga@example.com",
  title: "Town hall",
  description: "",
  startsAt: at(48),
  durationMinutes: 45,
  visibility: "private",
  status: "published",
  createdAt: at(0),
  updatedAt: at(1),
  media: {},
};
const LINK = "https://meet.example/a";

test("changeBetween: a moved start, a new link, or both are one change named by the new revision; other edits are none", (t) => {
  t.is(changeBetween(base, { ...base, title: "Renamed", updatedAt: at(2) }), undefined);
  t.deepEqual(changeBetween({ ...base, revision: 1 }, { ...base, startsAt: at(50), revision: 2 }), { id: "r2", startsAt: { from: at(48), to: at(50) } });
  t.deepEqual(changeBetween(base, { ...base, joinUrl: LINK, revision: 1 }), { id: "r1", joinUrl: { to: linkFingerprint(LINK) } });
  t.deepEqual(changeBetween({ ...base, joinUrl: LINK, revision: 3 }, { ...base, revision: 4 }), { id: "r4", joinUrl: { to: "" } }, "a removed link is a change too");
  t.deepEqual(changeBetween(base, { ...base, startsAt: at(50), joinUrl: LINK, revision: 1 }), { id: "r1", startsAt: { from: at(48), to: at(50) }, joinUrl: { to: linkFingerprint(LINK) } });
});

test("changeBetween: a write that did not bump the revision is named by its updatedAt, so two such writes are two changes", (t) => {
  const first = changeBetween({ ...base, revision: 2 }, { ...base, startsAt: at(50), revision: 2, updatedAt: at(3) });
  const second = changeBetween({ ...base, startsAt: at(50), revision: 2, updatedAt: at(3) }, { ...base, startsAt: at(52), revision: 2, updatedAt: at(4) });
  t.is(first?.id, `t${at(3)}`);
  t.is(second?.id, `t${at(4)}`);
  const job = (change: NonNullable<typeof first>) => notificationJobSchema().parse({ kind: "change", eventId: base.id, recipient: "ann@example.com", change });
  t.not(notificationKey(job(first!)), notificationKey(job(second!)));
});

test("changesNotifyingField: only a start or link that differs from the current one (the store bumps the revision then)", (t) => {
  t.true(changesNotifyingField(base, { startsAt: at(50) }));
  t.false(changesNotifyingField(base, { startsAt: base.startsAt }), "the same start sent again");
  t.false(changesNotifyingField(base, { title: "x" } as never));
  t.true(changesNotifyingField(base, { joinUrl: LINK }));
  t.false(changesNotifyingField({ ...base, joinUrl: LINK }, { joinUrl: LINK }));
  t.false(changesNotifyingField(base, { joinUrl: null }), "clearing a link that is not there");
  t.true(changesNotifyingField({ ...base, joinUrl: LINK }, { joinUrl: null }));
});

test("the job: a change job must say what changed, other kinds must not; the key keeps the kind last", (t) => {
  const job = { kind: "change", eventId: base.id, recipient: "ann@example.com" };
  t.false(notificationJobSchema().safeParse(job).success, "a change job without its change");
  t.false(notificationJobSchema().safeParse({ ...job, change: { id: "r1" } }).success, "a change of nothing");
  t.false(notificationJobSchema().safeParse({ ...job, kind: "invitation", change: { id: "r1", joinUrl: { to: "" } } }).success);
  t.false(notificationJobSchema().safeParse({ ...job, change: { id: "r1", joinUrl: { to: LINK } } }).success, "a link, not a fingerprint");
  t.false(notificationJobSchema().safeParse({ ...job, change: { id: "x#y", joinUrl: { to: "" } } }).success, "an id that would break the key");
  const parsed = notificationJobSchema().parse({ ...job, change: { id: "r12", startsAt: { from: at(48), to: at(50) } } });
  t.is(notificationKey(parsed), `${base.id}#ann@example.com#r12#change`);
  t.is(notificationKey(notificationJobSchema().parse({ kind: "cancellation", eventId: base.id, recipient: "ann@example.com" })), `${base.id}#ann@example.com#cancellation`);
});

test("stillNews: a part a later change replaced is left out; nothing left (or the start moved back) is no mail", (t) => {
  const change = { id: "r1", startsAt: { from: at(48), to: at(50) }, joinUrl: { to: linkFingerprint(LINK) } };
  t.deepEqual(stillNews(change, { ...base, startsAt: at(50), joinUrl: LINK }), { movedFrom: at(48), linkChanged: true });
  t.deepEqual(stillNews(change, { ...base, startsAt: at(52), joinUrl: LINK }), { linkChanged: true }, "moved again since");
  t.deepEqual(stillNews(change, { ...base, startsAt: at(50), joinUrl: "https://meet.example/b" }), { movedFrom: at(48), linkChanged: false }, "the link replaced since");
  t.is(stillNews(change, { ...base, startsAt: at(52) }), undefined, "both replaced");
  t.is(stillNews({ id: "r1", startsAt: change.startsAt }, { ...base, startsAt: at(48) }), undefined, "moved back");
});

test("who sees what in a change mail (the join link only after a yes)", (t) => {
  const event = { ...base, startsAt: at(50), joinUrl: LINK };
  const rows = [
    // answer, moved, link changed → link shown, told the link changed, yes link, no link, subject
    ["yes", true, false, true, false, false, true, "Changed: Town hall (new time)"],
    ["pending", true, false, false, false, true, true, "Changed: Town hall (new time)"],
    ["yes", false, true, true, false, false, true, "Changed: Town hall (new join link)"],
    ["pending", false, true, false, true, true, true, "Changed: Town hall (new join link)"],
    ["yes", true, true, true, false, false, true, "Changed: Town hall (new time and new join link)"],
    ["pending", true, true, false, true, true, true, "Changed: Town hall (new time and new join link)"],
  ] as const;
  for (const [answer, moved, linkChanged, showsLink, toldChanged, hasYes, hasNo, subject] of rows) {
    const m = changeMail({ from: "e@example.com", event, invitee: "ann@example.com", answer, ...(moved ? { movedFrom: at(48) } : {}), linkChanged, yesUrl: "https://site.example/events/rsvp?token=YES", noUrl: "https://site.example/events/rsvp?token=NO", key: "k" });
    const row = `${answer}, moved ${moved}, link changed ${linkChanged}`;
    t.is(m.subject, subject, row);
    t.is(m.text.includes(LINK) || m.html!.includes(LINK), showsLink, `${row}: the link`);
    t.is(m.text.includes("The join link has changed. It is shown to those who say yes."), toldChanged, row);
    t.is(m.text.includes("token=YES"), hasYes, row);
    t.is(m.text.includes("token=NO"), hasNo, row);
    t.is(m.text.includes("New time: Fri, 03 Jan 2031 02:00 UTC (45 minutes).\nIt was: Fri, 03 Jan 2031 00:00 UTC."), moved, row);
  }
  const removed = changeMail({ from: "e@example.com", event: base, invitee: "ann@example.com", answer: "yes", linkChanged: true, noUrl: "https://site.example/n", key: "k" });
  t.true(removed.text.includes("The join link was removed"));
});
