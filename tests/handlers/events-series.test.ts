// Monthly series through the organizer's handlers on DynamoDB Local (and s3rver for media URLs):
// create a series (one transaction: the rule and every occurrence as drafts), list its occurrences,
// edit one, edit "this and following" (a new time of day keeps the dates; the old rule ends, a new
// one continues it; canceled occurrences stay as they were), publish and cancel following, invite to
// the series, strangers refused, and bad recurrences answered 400 problem+json with nothing written.
// Then the asynchronous tier: a reminder per published occurrence, removed per canceled one, and the
// clean-up and its cascade per abandoned occurrence. Dates are computed from now, in the zone.
import test from "ava";
import { DynamoDBClient, GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { randomUUID } from "node:crypto";
import { cleanupHandler } from "../../handlers/events/cleanup";
import { EventStore } from "../../handlers/events/event-store";
import { eventsFanoutHandler } from "../../handlers/events/fanout";
import { MediaStore } from "../../handlers/events/media";
import type { NotificationJob } from "../../handlers/events/notification-job";
import { organizerHandler } from "../../handlers/events/organizer";
import { instantOf } from "../../handlers/events/recurrence";
import { rsvpDeps } from "../../handlers/events/rsvp";
import { SeriesStore } from "../../handlers/events/series-store";
import { eventsTable } from "../../handlers/events/tables";
import type { HttpEvent } from "../../handlers/shared/http";
import { createObservability } from "../../handlers/shared/observability";
import { startStreamPoller } from "../../local/emulators/dynamodb-stream-poller";
import { freshTable, useLocalEmulators } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";

const local = useLocalEmulators(test, { s3: true });

type User = { sub: string; email: string };
const alice: User = { sub: randomUUID(), email: "alice@example.com" };
const bob: User = { sub: randomUUID(), email: "bob@example.com" };
const DAY = 86_400_000;
const BERLIN = "Europe/Berlin";

function request(method: string, path: string, routeKey: string, opts: { body?: unknown; user?: User; id?: string } = {}): HttpEvent {
  const event = apiEvent(method, path, { routeKey, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}), ...(opts.id ? { pathParameters: { id: opts.id } } : {}) });
  if (opts.user) (event.requestContext as any).authorizer = { jwt: { claims: { sub: opts.user.sub, email: opts.user.email, token_use: "id" }, scopes: null } };
  return event;
}

async function platform(now?: () => Date) {
  const table = await freshTable(local.ddb, eventsTable, "series");
  const bucket = `media-${randomUUID().slice(0, 8)}`;
  await local.s3.createBucket(bucket);
  const base = rsvpDeps("test", { eventsTable: table, mediaBucket: bucket, rsvpKey: async () => "series-test-signing-key-0123456789" });
  const deps = now ? { ...base, now } : base;
  const organizer = organizerHandler(deps);
  const call = async (e: HttpEvent) => parseResult(await organizer(e));
  const q = (scope?: string) => (scope ? `?scope=${scope}` : "");
  return {
    deps,
    table,
    bucket,
    create: (body: unknown, user: User = alice) => call(request("POST", "/events", "POST /events", { body, user })),
    update: (id: string, body: unknown, scope?: string, user: User = alice) => call(request("PATCH", `/events/${id}${q(scope)}`, "PATCH /events/{id}", { id, body, user })),
    publish: (id: string, scope?: string, user: User = alice) => call(request("POST", `/events/${id}/publish${q(scope)}`, "POST /events/{id}/publish", { id, user })),
    cancel: (id: string, scope?: string, user: User = alice) => call(request("POST", `/events/${id}/cancel${q(scope)}`, "POST /events/{id}/cancel", { id, user })),
    invite: (id: string, emails: string[], user: User = alice) => call(request("POST", `/events/${id}/invitations`, "POST /events/{id}/invitations", { id, body: { emails }, user })),
    invitations: (id: string) => call(request("GET", `/events/${id}/invitations`, "GET /events/{id}/invitations", { id, user: alice })),
    myEvent: (id: string, user: User = alice) => call(request("GET", `/me/events/${id}`, "GET /me/events/{id}", { id, user })),
    mine: (user: User = alice) => call(request("GET", "/me/events?limit=100", "GET /me/events", { user })),
    mySeries: (id: string, user: User = alice) => call(request("GET", `/me/series/${id}`, "GET /me/series/{id}", { id, user })),
    snapshot: async () => JSON.stringify(((await local.ddb.client.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? []).sort((a, b) => `${a.pk!.S}${a.sk!.S}`.localeCompare(`${b.pk!.S}${b.sk!.S}`))),
    raw: async (pk: string, sk: string) => (await local.ddb.client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }))).Item,
  };
}

/** Wall-clock fields of an instant in a zone, read with Intl independently of the code under test. */
function wall(iso: string, zone: string) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", weekday: "short" }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}`, weekday: parts.weekday!, day: Number(parts.day) };
}

/** The 2nd Tuesday of the month `monthsAhead` from now, at `hour`:`minute` in `zone`, as an ISO instant. */
function secondTuesday(monthsAhead: number, zone: string, hour = 18, minute = 0): string {
  const today = new Date();
  const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + monthsAhead, 1));
  const day = 1 + ((2 - first.getUTCDay() + 7) % 7) + 7;
  return new Date(instantOf({ year: first.getUTCFullYear(), month: first.getUTCMonth() + 1, day, hour, minute, second: 0, millisecond: 0 }, zone)).toISOString();
}

const draft = (over: Record<string, unknown> = {}) => ({ title: "Monthly meetup", description: "Talks and chat", startsAt: secondTuesday(1, BERLIN), durationMinutes: 90, visibility: "public", ...over });
const monthly = (over: Record<string, unknown> = {}) => ({ frequency: "monthly", by: "weekday", timeZone: BERLIN, count: 12, ...over });

function assertProblem(t: any, res: { status: number; headers: Record<string, string>; body: any }, status: number, type: string, what = "") {
  t.is(res.status, status, `${what} ${JSON.stringify(res.body)}`);
  t.is(res.headers["content-type"], "application/problem+json", what);
  t.is(res.body.type, `urn:switchyard:problem:${type}`, what);
}

test("create a series: 201 with the first occurrence and the series; twelve drafts on the 2nd Tuesday at 18:00 Berlin, across DST", async (t) => {
  const a = await platform();
  const created = await a.create(draft({ recurrence: monthly() }));
  t.is(created.status, 201, JSON.stringify(created.body));
  t.is(created.headers.location, `/me/events/${created.body.id}`);
  t.is(created.body.status, "draft");
  t.like(created.body.series, { frequency: "monthly", by: "weekday", timeZone: BERLIN, count: 12, until: null, occurrences: 12, occurrence: 1, rule: "monthly on the 2nd Tuesday at 18:00 Europe/Berlin", continues: null, continuedBy: null });
  const seriesId = created.body.series.id as string;
  t.deepEqual((await a.myEvent(created.body.id)).body, created.body, "GET /me/events/{id} shows the same, series included");

  const listed = await a.mySeries(seriesId);
  t.is(listed.status, 200);
  t.deepEqual(listed.body.series, { ...created.body.series, occurrence: null });
  const items = listed.body.items as any[];
  t.is(items.length, 12);
  t.is(items[0].id, created.body.id);
  t.deepEqual(items.map((i) => i.occurrence), Array.from({ length: 12 }, (_, i) => i + 1));
  t.true(items.every((i) => i.seriesId === seriesId && i.status === "draft" && i.title === "Monthly meetup" && i.durationMinutes === 90));
  t.is(new Set(items.map((i) => i.id)).size, 12, "each occurrence is its own event");
  for (const i of items) {
    const w = wall(i.startsAt, BERLIN);
    t.is(w.time, "18:00", i.startsAt);
    t.is(w.weekday, "Tue", i.startsAt);
    t.true(w.day >= 8 && w.day <= 14, `${i.startsAt} is a 2nd Tuesday`);
  }
  // Twelve months always cross a European DST switch: 18:00 is 17:00Z in winter and 16:00Z in summer.
  t.deepEqual([...new Set(items.map((i) => i.startsAt.slice(11, 16)))].sort(), ["16:00", "17:00"]);

  // The rule in one item owned by the organizer, with a TTL no earlier than its last occurrence's.
  const rule = await a.raw(seriesId, "series");
  t.is(rule!.organizerId!.S, alice.sub);
  t.is(rule!.occurrenceIds!.L!.length, 12);
  const last = await a.raw(items[11].id, "event");
  t.is(rule!.expiresAt!.N, last!.expiresAt!.N);
  t.is(last!.draftList!.S, "draft", "each occurrence is a draft the clean-up sees");
  t.is(last!.occurrence!.N, "12");
  const mine = await a.mine();
  t.deepEqual(mine.body.items.map((i: any) => i.id).sort(), items.map((i) => i.id).sort(), "My events lists the twelve events, not the rule");
});

test("day-of-month in a US zone: the 31st clamps to shorter months; until is a local date, inclusive", async (t) => {
  const a = await platform();
  const now = new Date();
  // The 31st of the next January at 09:00 New York, and until the 30th of June after it.
  const year = now.getUTCFullYear() + 1;
  const startsAt = new Date(instantOf({ year, month: 1, day: 31, hour: 9, minute: 0, second: 0, millisecond: 0 }, "America/New_York")).toISOString();
  const created = await a.create(draft({ startsAt, recurrence: monthly({ by: "dayOfMonth", timeZone: "America/New_York", count: undefined, until: `${year}-06-30` }) }));
  t.is(created.status, 201, JSON.stringify(created.body));
  t.like(created.body.series, { until: `${year}-06-30`, count: null, occurrences: 6 });
  const items = (await a.mySeries(created.body.series.id)).body.items as any[];
  const feb = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  t.deepEqual(items.map((i) => wall(i.startsAt, "America/New_York").date), [`${year}-01-31`, `${year}-02-${feb}`, `${year}-03-31`, `${year}-04-30`, `${year}-05-31`, `${year}-06-30`]);
  t.true(items.every((i) => wall(i.startsAt, "America/New_York").time === "09:00"), "09:00 in New York, EST and EDT alike");
  t.deepEqual([...new Set(items.map((i) => i.startsAt.slice(11, 16)))].sort(), ["13:00", "14:00"]);
});

test("bad recurrences get 400 problem+json and write nothing", async (t) => {
  const a = await platform();
  const single = (await a.create(draft())).body.id as string;
  const before = await a.snapshot();
  const farStart = new Date(Date.now() + 700 * DAY).toISOString();
  const notLast = secondTuesday(1, BERLIN);
  const cases: [string, unknown, string][] = [
    ["25 occurrences", monthly({ count: 25 }), "#/recurrence/count"],
    ["0 occurrences", monthly({ count: 0 }), "#/recurrence/count"],
    ["until and count", monthly({ until: "2099-01-01" }), "#/recurrence/count"],
    ["neither until nor count", monthly({ count: undefined }), "#/recurrence/count"],
    ["weekly", monthly({ frequency: "weekly" }), "#/recurrence/frequency"],
    ["an unknown way", monthly({ by: "fullMoon" }), "#/recurrence/by"],
    ["an unknown zone", monthly({ timeZone: "Europe/Atlantis" }), "#/recurrence/timeZone"],
    ["an offset for a zone", monthly({ timeZone: "+01:00" }), "#/recurrence/timeZone"],
    ["an until that is no date", monthly({ count: undefined, until: "next year" }), "#/recurrence/until"],
    ["an until before the start", monthly({ count: undefined, until: new Date(Date.now() - DAY).toISOString().slice(0, 10) }), "#/recurrence/until"],
    ["an until giving more than 24", monthly({ count: undefined, until: new Date(Date.now() + 3 * 365 * DAY).toISOString().slice(0, 10) }), "#/recurrence/until"],
    ["the last weekday from a 2nd Tuesday", monthly({ by: "lastWeekday" }), "#/recurrence/by"],
    ["an unknown field", monthly({ interval: 2 }), "#/recurrence/interval"],
  ];
  for (const [name, recurrence, pointer] of cases) {
    const res = await a.create(draft({ recurrence, startsAt: notLast }));
    assertProblem(t, res, 400, "validation-failed", name);
    t.true((res.body.errors as { pointer: string }[]).some((e) => e.pointer === pointer), `${name}: ${JSON.stringify(res.body.errors)}`);
  }
  assertProblem(t, await a.create(draft({ startsAt: farStart, recurrence: monthly({ count: 3 }) })), 400, "validation-failed", "past the planning horizon");
  assertProblem(t, await a.update(single, { title: "x" }, "following"), 400, "validation-failed", "following on an event of no series");
  assertProblem(t, await a.update(single, { title: "x" }, "all"), 400, "validation-failed", "an unknown scope");
  assertProblem(t, await a.publish(single, "following"), 400, "validation-failed", "publish following, no series");
  assertProblem(t, await a.cancel(single, "following"), 400, "validation-failed", "cancel following, no series");
  assertProblem(t, await a.mySeries("not-a-series"), 400, "validation-failed", "a bad series id");
  assertProblem(t, await a.mySeries("01890a5d-ac96-774b-bcce-b302099a8057"), 404, "not-found", "no such series");
  t.is(await a.snapshot(), before, "no series, no occurrence, no change");
});

test("edit one occurrence (scope this): only it changes; the series and the others stay", async (t) => {
  const a = await platform();
  const created = await a.create(draft({ recurrence: monthly({ count: 4 }) }));
  const seriesId = created.body.series.id as string;
  const [, second, third] = (await a.mySeries(seriesId)).body.items as any[];
  const moved = new Date(Date.parse(second.startsAt) + 2 * 3_600_000).toISOString();
  const edited = await a.update(second.id, { title: "Special edition", startsAt: moved });
  t.is(edited.status, 200, JSON.stringify(edited.body));
  t.like(edited.body, { title: "Special edition", startsAt: moved });
  t.like(edited.body.series, { id: seriesId, occurrence: 2, occurrences: 4, continuedBy: null });
  const after = (await a.mySeries(seriesId)).body.items as any[];
  t.deepEqual(after.map((i) => i.title), ["Monthly meetup", "Special edition", "Monthly meetup", "Monthly meetup"]);
  t.deepEqual(after[2], third, "the next occurrence is untouched");
  t.is(wall(after[2].startsAt, BERLIN).time, "18:00");
});

test("edit this and following: a new time of day keeps each later occurrence's date; the old rule ends, a new series continues it; canceled ones stay", async (t) => {
  const a = await platform();
  const created = await a.create(draft({ recurrence: monthly({ count: 6 }) }));
  const oldId = created.body.series.id as string;
  const items = (await a.mySeries(oldId)).body.items as any[];
  t.is((await a.cancel(items[4].id)).status, 200, "occurrence 5 canceled on its own");
  const canceledBefore = await a.raw(items[4].id, "event");
  const firstBefore = await a.raw(items[0].id, "event");

  // From occurrence 3: 19:30 Berlin on its own date, a new title and duration.
  const w3 = wall(items[2].startsAt, BERLIN);
  const [y, m, d] = w3.date.split("-").map(Number) as [number, number, number];
  const at1930 = new Date(instantOf({ year: y, month: m, day: d, hour: 19, minute: 30, second: 0, millisecond: 0 }, BERLIN)).toISOString();
  const edited = await a.update(items[2].id, { startsAt: at1930, title: "Meetup, later", durationMinutes: 120 }, "following");
  t.is(edited.status, 200, JSON.stringify(edited.body));
  const newId = edited.body.series.id as string;
  t.not(newId, oldId);
  t.like(edited.body, { startsAt: at1930, title: "Meetup, later", durationMinutes: 120 });
  t.like(edited.body.series, { occurrence: 1, occurrences: 3, count: 3, continues: oldId, continuedBy: null, rule: "monthly on the 2nd Tuesday at 19:30 Europe/Berlin" });

  const moved = (await a.mySeries(newId)).body.items as any[];
  t.deepEqual(moved.map((i) => i.id), [items[2].id, items[3].id, items[5].id], "3, 4 and 6: not the canceled 5");
  t.deepEqual(moved.map((i) => i.occurrence), [1, 2, 3], "renumbered in the new series");
  for (const [i, o] of moved.entries()) {
    t.is(wall(o.startsAt, BERLIN).time, "19:30", `moved ${i}`);
    t.is(wall(o.startsAt, BERLIN).date, wall([items[2], items[3], items[5]][i].startsAt, BERLIN).date, `moved ${i} keeps its date`);
    t.like(o, { title: "Meetup, later", durationMinutes: 120, seriesId: newId });
  }

  const old = await a.mySeries(oldId);
  t.like(old.body.series, { continuedBy: newId, count: null, occurrences: 3, until: new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10) });
  t.deepEqual(old.body.items.map((i: any) => i.id), [items[0].id, items[1].id, items[4].id]);
  t.deepEqual(await a.raw(items[4].id, "event"), canceledBefore, "the canceled occurrence is not changed at all");
  t.deepEqual(await a.raw(items[0].id, "event"), firstBefore, "earlier occurrences are not changed");

  // From the first occurrence of a series, following changes the series itself (no split).
  const fromFirst = await a.update(items[0].id, { title: "Renamed" }, "following");
  t.is(fromFirst.status, 200, JSON.stringify(fromFirst.body));
  t.is(fromFirst.body.series.id, oldId);
  t.deepEqual((await a.mySeries(oldId)).body.items.map((i: any) => i.title), ["Renamed", "Renamed", "Monthly meetup"], "the canceled one keeps its title");
});

test("edit following that would move a later occurrence past the horizon is refused whole: nothing half-written", async (t) => {
  // Two occurrences at 00:30 Berlin on the 10th, three and four months ahead; "now" is set so that the
  // 730-day horizon ends an hour after the second: 02:30 would put it past the horizon.
  const base = new Date();
  const local = (monthsAhead: number) => {
    const m = new Date(Date.UTC(base.getUTCFullYear(), base.getUTCMonth() + monthsAhead, 10));
    return { year: m.getUTCFullYear(), month: m.getUTCMonth() + 1, day: 10, hour: 0, minute: 30, second: 0, millisecond: 0 };
  };
  const second = instantOf(local(4), BERLIN);
  const a = await platform(() => new Date(second + 3_600_000 - 730 * DAY));
  const created = await a.create(draft({ startsAt: new Date(instantOf(local(3), BERLIN)).toISOString(), recurrence: monthly({ by: "dayOfMonth", count: 2 }) }));
  t.is(created.status, 201, JSON.stringify(created.body));
  const items = (await a.mySeries(created.body.series.id)).body.items as any[];
  t.is(Date.parse(items[1].startsAt), second);
  const before = await a.snapshot();
  const at0230 = new Date(instantOf({ ...local(3), hour: 2 }, BERLIN)).toISOString();
  const refused = await a.update(items[0].id, { startsAt: at0230, title: "Later" }, "following");
  assertProblem(t, refused, 400, "validation-failed");
  t.regex(refused.body.detail, /past the planning horizon/);
  t.is(await a.snapshot(), before, "neither occurrence nor the series changed");
  t.is((await a.update(items[0].id, { startsAt: at0230, title: "Later" })).status, 200, "the first one alone may move");
});

test("an occurrence changed while an edit of following runs: 409, and the transaction wrote nothing", async (t) => {
  const a = await platform();
  const created = await a.create(draft({ recurrence: monthly({ count: 4 }) }));
  const seriesId = created.body.series.id as string;
  const items = (await a.mySeries(seriesId)).body.items as any[];
  const organizer = { id: alice.sub, email: alice.email };
  // A store whose read of occurrence 4 lets another request edit it right after: the race.
  const store = a.deps.store;
  let raced = false;
  const racing = Object.assign(Object.create(store), {
    get: async (id: string) => {
      const read = await store.get(id);
      if (id === items[3].id && !raced) {
        raced = true;
        await store.update(id, { title: "Edited meanwhile" }, organizer, new Date());
      }
      return read;
    },
  });
  const series = new SeriesStore(new DynamoDBClient({}), a.table, racing);
  const event = (await store.get(items[1].id))!;
  const error = await t.throwsAsync(series.updateFollowing(event, { title: "Everyone" }, organizer, new Date(), Date.now() + 730 * DAY));
  t.is((error as any).slug, "conflict");
  t.true(raced);
  const after = await a.mySeries(seriesId);
  t.deepEqual(after.body.items.map((i: any) => i.title), ["Monthly meetup", "Monthly meetup", "Monthly meetup", "Edited meanwhile"], "only the racing edit happened");
  t.like(after.body.series, { continuedBy: null, occurrences: 4 });
  const seriesItems = ((await local.ddb.client.send(new ScanCommand({ TableName: a.table, ConsistentRead: true }))).Items ?? []).filter((i) => i.sk!.S === "series");
  t.is(seriesItems.length, 1, "no new series was written");
});

test("publish and cancel this and following; invitations go to every open occurrence of the series", async (t) => {
  const a = await platform();
  const created = await a.create(draft({ recurrence: monthly({ count: 5 }) }));
  const seriesId = created.body.series.id as string;
  const items = (await a.mySeries(seriesId)).body.items as any[];
  t.is((await a.cancel(items[3].id)).status, 200);

  const invited = await a.invite(items[1].id, ["Ann@Example.com", "ben@example.com"]);
  t.is(invited.status, 201, JSON.stringify(invited.body));
  t.deepEqual(invited.body, { added: ["ann@example.com", "ben@example.com"], existing: [], occurrences: 4 });
  for (const [i, o] of items.entries()) {
    const listed = (await a.invitations(o.id)).body.items.map((x: any) => x.email);
    t.deepEqual(listed, i === 3 ? [] : ["ann@example.com", "ben@example.com"], `occurrence ${i + 1}, the earlier one too; not the canceled one`);
  }
  const again = await a.invite(items[0].id, ["ben@example.com", "cid@example.com"]);
  t.deepEqual(again.body, { added: ["cid@example.com"], existing: ["ben@example.com"], occurrences: 4 });

  const published = await a.publish(items[1].id, "following");
  t.is(published.status, 200, JSON.stringify(published.body));
  const states = async () => ((await a.mySeries(seriesId)).body.items as any[]).map((i) => i.status);
  t.deepEqual(await states(), ["draft", "published", "published", "canceled", "published"]);
  assertProblem(t, await a.publish(items[1].id, "following"), 409, "conflict", "already published");

  const canceled = await a.cancel(items[2].id, "following");
  t.is(canceled.status, 200, JSON.stringify(canceled.body));
  t.deepEqual(await states(), ["draft", "published", "canceled", "canceled", "canceled"]);
  assertProblem(t, await a.invite(items[2].id, ["dee@example.com"]), 409, "conflict", "a canceled occurrence takes no invitations");
});

test("only the organizer sees or changes a series; strangers change nothing", async (t) => {
  const a = await platform();
  const created = await a.create(draft({ recurrence: monthly({ count: 3 }) }));
  const seriesId = created.body.series.id as string;
  const before = await a.snapshot();
  assertProblem(t, await a.mySeries(seriesId, bob), 403, "forbidden");
  assertProblem(t, await a.myEvent(created.body.id, bob), 403, "forbidden");
  assertProblem(t, await a.update(created.body.id, { title: "Mine" }, "following", bob), 403, "forbidden");
  assertProblem(t, await a.publish(created.body.id, "following", bob), 403, "forbidden");
  assertProblem(t, await a.cancel(created.body.id, "following", bob), 403, "forbidden");
  assertProblem(t, await a.invite(created.body.id, ["eve@example.com"], bob), 403, "forbidden");
  t.is(await a.snapshot(), before);
});

/** The stream → fan-out, with reminders and jobs recorded (the real queue and Scheduler are tested elsewhere). */
async function tier(a: Awaited<ReturnType<typeof platform>>) {
  const store = new EventStore(new DynamoDBClient({}), a.table);
  const reminders: string[] = [];
  const jobs: NotificationJob[] = [];
  const fanout = eventsFanoutHandler({
    store,
    media: new MediaStore(new S3Client({ forcePathStyle: true }), a.bucket),
    queue: { send: async (sent) => void jobs.push(...sent) },
    reminders: { upsert: async (r) => void reminders.push(`upsert ${r.eventId}`), remove: async (id) => void reminders.push(`remove ${id}`) },
    obs: createObservability("events-fanout"),
  });
  const poller = await startStreamPoller({ client: local.ddb.client, endpoint: local.ddb.endpoint, tableName: a.table, handler: fanout, pollIntervalMs: 50 });
  return { store, reminders, jobs, idle: () => poller.idle(), stop: () => poller.stop() };
}

test("reminders cover each occurrence: one per published occurrence, moved with it, removed per canceled one", async (t) => {
  const a = await platform();
  const p = await tier(a);
  t.teardown(p.stop);
  const created = await a.create(draft({ recurrence: monthly({ count: 3 }) }));
  const ids = ((await a.mySeries(created.body.series.id)).body.items as any[]).map((i) => i.id as string);
  await a.invite(ids[0]!, ["ann@example.com"]);
  await a.publish(ids[0]!, "following");
  await p.idle();
  t.deepEqual(p.reminders.sort(), ids.map((id) => `upsert ${id}`).sort(), "a reminder per occurrence");
  // Deduplicated: an invitation's INSERT read after the publish produces its job a second time, which notify's idempotency absorbs (fanout.ts).
  t.deepEqual([...new Set(p.jobs.map((j) => `${j.kind} ${j.eventId} ${j.recipient}`))].sort(), ids.map((id) => `invitation ${id} ann@example.com`).sort(), "an invitation per occurrence");
  p.reminders.length = 0;
  await a.update(ids[1]!, { startsAt: new Date(Date.parse(created.body.startsAt) + 40 * DAY).toISOString() });
  await a.cancel(ids[1]!, "following");
  await p.idle();
  t.deepEqual(p.reminders, [`upsert ${ids[1]}`, `remove ${ids[1]}`, `remove ${ids[2]}`]);
});

test("the clean-up covers each occurrence: abandoned drafts go one by one with their invitations; published ones stay", async (t) => {
  const longAgo = new Date(Date.now() - 31 * DAY);
  const a = await platform(() => longAgo);
  const p = await tier(a);
  t.teardown(p.stop);
  const created = await a.create(draft({ startsAt: secondTuesday(2, BERLIN), recurrence: monthly({ count: 3 }) }));
  t.is(created.status, 201, JSON.stringify(created.body));
  const seriesId = created.body.series.id as string;
  const ids = ((await a.mySeries(seriesId)).body.items as any[]).map((i) => i.id as string);
  await a.invite(ids[0]!, ["ann@example.com"]);
  // The last occurrence is published (by the store, today): the clean-up leaves it.
  await p.store.publish(ids[2]!, { id: alice.sub, email: alice.email }, new Date());
  await p.idle();
  const result = await cleanupHandler({ store: p.store, obs: createObservability("events-cleanup") })();
  t.deepEqual(result, { deleted: 2, kept: 0 });
  await p.idle();
  t.is(await p.store.get(ids[0]!), undefined);
  t.is(await p.store.get(ids[1]!), undefined);
  t.deepEqual(await p.store.invitations(ids[0]!), [], "the stream's REMOVE deleted the occurrence's invitations");
  t.deepEqual((await p.store.invitations(ids[2]!)).map((i) => i.email), ["ann@example.com"]);
  const listed = await a.mySeries(seriesId);
  t.deepEqual(listed.body.items.map((i: any) => i.id), [ids[2]], "the series lists what is left");
  t.true(p.reminders.includes(`remove ${ids[0]}`) && p.reminders.includes(`remove ${ids[1]}`));
  t.truthy(await a.raw(seriesId, "series"), "the rule stays until its TTL (after its last occurrence's)");
});
