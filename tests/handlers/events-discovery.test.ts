// Finding events (issue #18, "Discovery"): GET /events in-process against DynamoDB Local. Each
// filter and sort, combined filters, bad queries (400 problem+json, nothing written), cursors bound
// to their search, the popularity snapshot (kept order while counts change, 410 once expired), and
// a property: walking every page with small limits while confirmed counts change between page
// reads returns each matching event exactly once, in order for the sorts over immutable keys.
// Times are relative to now; confirmed counts are written to the event item directly (the answer
// transaction keeps them in the running system).
import test from "ava";
import fc from "fast-check";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { randomUUID } from "node:crypto";
import { EVENT_CATEGORIES, type EventCategory } from "../../handlers/events/categories";
import { organizerHandler } from "../../handlers/events/organizer";
import { publicEventsHandler } from "../../handlers/events/public-events";
import { PUBLIC_SORTS, type PublicSort, type SortOrder } from "../../handlers/events/public-search";
import { rsvpDeps } from "../../handlers/events/rsvp";
import { EVENT_SK, eventsTable, listSnapshotsTable } from "../../handlers/events/tables";
import { encodeCursor } from "../../handlers/shared/cursor";
import type { HttpEvent } from "../../handlers/shared/http";
import { propertyParameters } from "../harness/arbitraries";
import { freshTable, useLocalEmulators } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";

const local = useLocalEmulators(test, { s3: true });

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const alice = { id: randomUUID(), email: "alice@example.com" };
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();

/** A seeded event: times in ms from now (negative = past). */
interface Spec {
  title?: string;
  category?: EventCategory;
  createdAgo: number;
  startsIn: number;
  durationMinutes?: number;
  count?: number;
  visibility?: "public" | "private";
  state?: "draft" | "published" | "canceled";
}

async function platform(options: { clockAhead?: number } = {}) {
  const table = await freshTable(local.ddb, eventsTable, "events");
  const snapshots = await freshTable(local.ddb, listSnapshotsTable, "snapshots");
  const bucket = `media-${randomUUID().slice(0, 8)}`;
  await local.s3.createBucket(bucket);
  const deps = rsvpDeps("test", { eventsTable: table, mediaBucket: bucket, listSnapshotsTable: snapshots, rsvpKey: async () => "discovery-test-key-0123456789" });
  const doc = DynamoDBDocumentClient.from(local.ddb.client);
  /** The public handler, with its clock `ahead` ms in the future (to expire snapshots). */
  const publicAt = (ahead = 0) => publicEventsHandler({ ...deps, now: () => new Date(Date.now() + ahead) });
  const pub = publicAt(options.clockAhead);
  const organizer = organizerHandler(deps);
  const list = async (query: Record<string, string | number | undefined>, handler = pub) => {
    const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string | number] => e[1] !== undefined).map(([k, v]): [string, string] => [k, String(v)]));
    return parseResult(await handler(apiEvent("GET", `/events?${params}`, { routeKey: "GET /events" })));
  };
  const asOrganizer = (method: string, path: string, body: unknown, id?: string): HttpEvent => {
    const event = apiEvent(method, path, { routeKey: id ? `${method} /events/{id}` : `${method} /events`, body: JSON.stringify(body), ...(id ? { pathParameters: { id } } : {}) });
    (event.requestContext as any).authorizer = { jwt: { claims: { sub: alice.id, email: alice.email, token_use: "id" }, scopes: null } };
    return event;
  };
  const setCount = (id: string, count: number) => doc.send(new UpdateCommand({ TableName: table, Key: { pk: id, sk: EVENT_SK }, UpdateExpression: "SET confirmedCount = :n", ExpressionAttributeValues: { ":n": count } }));
  async function seed(spec: Spec): Promise<string> {
    const now = Date.now();
    const startsAt = new Date(now + spec.startsIn);
    const createdAt = new Date(Math.min(now - spec.createdAgo, startsAt.getTime() - 2 * HOUR));
    const { id } = await deps.store.create(
      { title: spec.title ?? "Event", description: "", startsAt: startsAt.toISOString(), durationMinutes: spec.durationMinutes ?? 60, visibility: spec.visibility ?? "public", category: spec.category ?? "other" },
      alice,
      createdAt,
    );
    const state = spec.state ?? "published";
    // Published a minute after creation (before the start), so creation and publication orders agree.
    if (state !== "draft") await deps.store.publish(id, alice, new Date(createdAt.getTime() + MINUTE));
    if (state === "canceled") await deps.store.cancel(id, alice, new Date(createdAt.getTime() + 2 * MINUTE));
    if (spec.count !== undefined) await setCount(id, spec.count);
    return id;
  }
  const scanAll = async (name: string) => JSON.stringify(((await local.ddb.client.send(new ScanCommand({ TableName: name, ConsistentRead: true }))).Items ?? []).map((i) => JSON.stringify(i)).sort());
  const everything = async () => `${await scanAll(table)}\n${await scanAll(snapshots)}`;
  return { deps, doc, table, snapshots, list, publicAt, organizer, asOrganizer, setCount, seed, everything };
}

/** Every page of a search, following nextCursor; `between` runs after each page but the last. */
async function walk(p: Awaited<ReturnType<typeof platform>>, query: Record<string, string | number | undefined>, between: (page: number) => Promise<void> = async () => {}) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 200; page++) {
    const res = await p.list({ ...query, cursor });
    if (res.status !== 200) throw new Error(`page ${page}: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(...res.body.items.map((e: { id: string }) => e.id));
    if (!res.body.nextCursor) return ids;
    cursor = res.body.nextCursor;
    await between(page);
  }
  throw new Error("more than 200 pages");
}

const sorted = (ids: string[]) => [...ids].sort();

test("an event has a category: the organizer picks one from the fixed list on create and PATCH (default other); lists and pages show it", async (t) => {
  const p = await platform();
  const create = async (body: Record<string, unknown>) => parseResult(await p.organizer(p.asOrganizer("POST", "/events", { title: "Talk", startsAt: iso(7 * DAY), durationMinutes: 60, visibility: "public", ...body })));
  const plain = await create({});
  t.is(plain.status, 201);
  t.is(plain.body.category, "other");
  const workshop = await create({ category: "workshop" });
  t.is(workshop.body.category, "workshop");
  for (const bad of ["Workshop", "party", "", 3, null]) {
    const before = await p.everything();
    const res = await create({ category: bad });
    t.is(res.status, 400, `category ${JSON.stringify(bad)}`);
    t.is(res.headers["content-type"], "application/problem+json");
    t.is(before, await p.everything(), "a refused create writes nothing");
  }
  const patched = parseResult(await p.organizer(p.asOrganizer("PATCH", `/events/${workshop.body.id}`, { category: "social" }, workshop.body.id)));
  t.is(patched.status, 200, JSON.stringify(patched.body));
  t.is(patched.body.category, "social");
  t.is((await p.deps.store.get(workshop.body.id))!.category, "social");
  await p.deps.store.publish(workshop.body.id, alice, new Date());
  const listed = await p.list({});
  t.deepEqual(listed.body.items.map((e: any) => [e.id, e.category, e.confirmedCount]), [[workshop.body.id, "social", 0]]);
  t.deepEqual(EVENT_CATEGORIES, ["talk", "workshop", "meetup", "conference", "social", "other"]);
});

test("each filter: title word, category, creation range, start range, confirmed count, ended; and combined", async (t) => {
  const p = await platform();
  const e = {
    talkSoon: await p.seed({ title: "Rust talk", category: "talk", createdAgo: 10 * DAY, startsIn: 2 * DAY, count: 5 }),
    talkLater: await p.seed({ title: "Go talk", category: "talk", createdAgo: 3 * DAY, startsIn: 20 * DAY, count: 1 }),
    workshop: await p.seed({ title: "Rust workshop", category: "workshop", createdAgo: 1 * DAY, startsIn: 9 * DAY, count: 12 }),
    live: await p.seed({ title: "Live meetup", category: "meetup", createdAgo: 5 * DAY, startsIn: -30 * MINUTE, durationMinutes: 120, count: 3 }),
    ended: await p.seed({ title: "Old rust meetup", category: "meetup", createdAgo: 30 * DAY, startsIn: -2 * DAY, count: 40 }),
  };
  // Never listed: a private event, a draft, a canceled one.
  await p.seed({ title: "Private rust talk", category: "talk", createdAgo: 2 * DAY, startsIn: 3 * DAY, visibility: "private" });
  await p.seed({ title: "Draft rust talk", category: "talk", createdAgo: 2 * DAY, startsIn: 3 * DAY, state: "draft" });
  await p.seed({ title: "Canceled rust talk", category: "talk", createdAgo: 2 * DAY, startsIn: 3 * DAY, state: "canceled" });
  const ids = async (query: Record<string, string | number | undefined>) => sorted(await walk(p, { limit: 2, ...query }));

  t.deepEqual(await ids({}), sorted([e.talkSoon, e.talkLater, e.workshop, e.live]), "by default: not ended (upcoming and live)");
  t.deepEqual(await ids({ ended: "include" }), sorted(Object.values(e)), "ended=include adds the ended one");
  t.deepEqual(await ids({ q: "RUST" }), sorted([e.talkSoon, e.workshop]));
  t.deepEqual(await ids({ category: "talk" }), sorted([e.talkSoon, e.talkLater]));
  t.deepEqual(await ids({ category: "meetup", ended: "include" }), sorted([e.live, e.ended]));
  t.deepEqual(await ids({ category: "conference" }), []);
  t.deepEqual(await ids({ createdAfter: iso(-4 * DAY) }), sorted([e.talkLater, e.workshop]));
  t.deepEqual(await ids({ createdBefore: iso(-4 * DAY), ended: "include" }), sorted([e.talkSoon, e.live, e.ended]));
  t.deepEqual(await ids({ createdAfter: iso(-6 * DAY), createdBefore: iso(-2 * DAY) }), sorted([e.talkLater, e.live]));
  t.deepEqual(await ids({ startsAfter: iso(DAY), startsBefore: iso(10 * DAY) }), sorted([e.talkSoon, e.workshop]));
  t.deepEqual(await ids({ startsBefore: iso(0), ended: "include" }), sorted([e.live, e.ended]));
  t.deepEqual(await ids({ minConfirmed: 5 }), sorted([e.talkSoon, e.workshop]));
  t.deepEqual(await ids({ minConfirmed: 5, ended: "include" }), sorted([e.talkSoon, e.workshop, e.ended]));
  t.deepEqual(await ids({ minConfirmed: 0 }), await ids({}));
  // Combined, under every sort: the filters decide what, the sort only the order.
  for (const sort of Object.keys(PUBLIC_SORTS)) {
    t.deepEqual(await ids({ sort, q: "rust", category: "talk", startsAfter: iso(0), minConfirmed: 2 }), [e.talkSoon], sort);
    t.deepEqual(await ids({ sort, q: "talk", createdBefore: iso(-DAY), startsBefore: iso(30 * DAY) }), sorted([e.talkSoon, e.talkLater]), sort);
    t.deepEqual(await ids({ sort, ended: "include", minConfirmed: 3, createdAfter: iso(-40 * DAY) }), sorted([e.talkSoon, e.workshop, e.live, e.ended]), sort);
  }
});

test("each sort, in each direction: published, created, start, popularity (ties: newest published first)", async (t) => {
  const p = await platform();
  // Created (and so published) in the order a, b, c, d; starting in the order c, a, d, b; counts d > a = c > b.
  const a = await p.seed({ createdAgo: 4 * DAY, startsIn: 5 * DAY, count: 7 });
  const b = await p.seed({ createdAgo: 3 * DAY, startsIn: 9 * DAY, count: 0 });
  const c = await p.seed({ createdAgo: 2 * DAY, startsIn: 1 * DAY, count: 7 });
  const d = await p.seed({ createdAgo: 1 * DAY, startsIn: 7 * DAY, count: 20 });
  const order = (sort?: string, dir?: string) => walk(p, { limit: 3, sort, order: dir });
  t.deepEqual(await order(), [d, c, b, a], "default: newest published first");
  t.deepEqual(await order("published", "asc"), [a, b, c, d]);
  t.deepEqual(await order("created"), [d, c, b, a]);
  t.deepEqual(await order("created", "asc"), [a, b, c, d]);
  t.deepEqual(await order("start"), [c, a, d, b], "start: soonest first by default");
  t.deepEqual(await order("start", "desc"), [b, d, a, c]);
  t.deepEqual(await order("popularity"), [d, c, a, b], "most confirmed first; a tie goes to the newer");
  t.deepEqual(await order("popularity", "asc"), [b, c, a, d]);
  const stored = await p.everything();
  const page = await p.list({ sort: "popularity", limit: 10 });
  t.deepEqual(page.body.items.map((e: any) => e.confirmedCount), [20, 7, 7, 0]);
  t.is(page.body.nextCursor, null, "one page: no cursor");
  t.is(await p.everything(), stored, "a ranking that fits one page is not stored");
});

test("popularity pages keep the first page's ranking while counts change; each event once; current counts shown", async (t) => {
  const p = await platform();
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) ids.push(await p.seed({ title: `E${i}`, createdAgo: (10 - i) * DAY, startsIn: (i + 1) * DAY, count: i * 10 }));
  const first = await p.list({ sort: "popularity", limit: 3 });
  t.deepEqual(first.body.items.map((e: any) => e.id), [ids[6], ids[5], ids[4]]);
  // Meanwhile the least popular become the most popular, and the top drops.
  await p.setCount(ids[0]!, 500);
  await p.setCount(ids[1]!, 400);
  await p.setCount(ids[6]!, 0);
  const second = await p.list({ sort: "popularity", limit: 3, cursor: first.body.nextCursor });
  t.deepEqual(second.body.items.map((e: any) => e.id), [ids[3], ids[2], ids[1]], "the ranking of the first page, not today's");
  t.deepEqual(second.body.items.map((e: any) => e.confirmedCount), [30, 20, 400], "counts as they are now");
  // An event canceled meanwhile no longer matches: it is left out, nothing else moves.
  await p.deps.store.cancel(ids[0]!, alice, new Date());
  const third = await p.list({ sort: "popularity", limit: 3, cursor: second.body.nextCursor });
  t.deepEqual(third.body.items, []);
  t.is(third.body.nextCursor, null);
});

test("cursors: bound to their search (another sort, order or filter is a 400), validated, and an expired popularity ranking is a 410", async (t) => {
  const p = await platform();
  for (let i = 0; i < 4; i++) await p.seed({ title: `Rust ${i}`, category: "talk", createdAgo: (5 - i) * DAY, startsIn: (i + 1) * DAY, count: i });
  const firstCursor = async (query: Record<string, string | number>) => (await p.list({ limit: 1, ...query })).body.nextCursor as string;
  const problem = async (query: Record<string, string | number | undefined>, status: number, type: string) => {
    const before = await p.everything();
    const res = await p.list(query);
    t.is(res.status, status, `${JSON.stringify(query)}: ${JSON.stringify(res.body)}`);
    t.is(res.headers["content-type"], "application/problem+json");
    t.is(res.body.type, `urn:switchyard:problem:${type}`);
    t.is(before, await p.everything(), "a refused read writes nothing");
    return res.body;
  };
  const byStart = await firstCursor({ sort: "start" });
  t.is((await p.list({ limit: 1, sort: "start", cursor: byStart })).status, 200);
  t.is((await p.list({ limit: 3, sort: "start", cursor: byStart })).status, 200, "the page size may change between pages");
  await problem({ limit: 1, sort: "created", cursor: byStart }, 400, "invalid-cursor");
  await problem({ limit: 1, sort: "start", order: "desc", cursor: byStart }, 400, "invalid-cursor");
  await problem({ limit: 1, sort: "start", category: "talk", cursor: byStart }, 400, "invalid-cursor");
  await problem({ limit: 1, sort: "start", q: "rust", cursor: byStart }, 400, "invalid-cursor");
  await problem({ limit: 1, sort: "start", ended: "include", cursor: byStart }, 400, "invalid-cursor");
  await problem({ limit: 1, sort: "popularity", cursor: byStart }, 400, "invalid-cursor");
  const byPopularity = await firstCursor({ sort: "popularity" });
  await problem({ limit: 1, cursor: byPopularity }, 400, "invalid-cursor");
  await problem({ limit: 1, sort: "popularity", minConfirmed: 1, cursor: byPopularity }, 400, "invalid-cursor");
  // Hand-made ones: the old shape, a keyset cursor with a key outside its search's range, junk.
  await problem({ cursor: encodeCursor(`${iso(0)}#${randomUUID()}`) }, 400, "invalid-cursor");
  const [, fp, asOf] = Buffer.from(byStart, "base64url").toString().split(".");
  await problem({ limit: 1, sort: "start", cursor: encodeCursor(`k.${fp}.${asOf}.${iso(-30 * DAY)}.${randomUUID()}`) }, 400, "invalid-cursor");
  await problem({ cursor: "not a cursor" }, 400, "invalid-cursor");
  const snapshotId = Buffer.from(byPopularity, "base64url").toString().split(".")[2]!;
  await problem({ limit: 1, sort: "popularity", cursor: encodeCursor(`s.${Buffer.from(byPopularity, "base64url").toString().split(".")[1]}.${randomUUID()}.1`) }, 410, "cursor-expired");
  t.regex(snapshotId, /^[0-9a-f-]{36}$/);
  // The snapshot lives 15 minutes: a reader coming back later is asked to start again, never given a wrong page.
  const later = p.publicAt(16 * MINUTE);
  const expired = await p.list({ limit: 1, sort: "popularity", cursor: byPopularity }, later);
  t.is(expired.status, 410);
  t.regex(expired.body.detail, /start again from the first page/);
  t.is((await p.list({ limit: 1, sort: "popularity", cursor: byPopularity })).status, 200, "within its time the same cursor works");
});

test("bad queries are 400 problem+json and write nothing", async (t) => {
  const p = await platform();
  await p.seed({ createdAgo: DAY, startsIn: DAY, count: 1 });
  const bad: Record<string, string>[] = [
    { category: "Talk" },
    { category: "" },
    { sort: "rating" },
    { sort: "POPULARITY" },
    { order: "up" },
    { ended: "only" },
    { createdAfter: "yesterday" },
    { startsAfter: "2026-13-01T00:00:00Z" },
    { startsBefore: "2026-01-01" },
    { startsAfter: iso(2 * DAY), startsBefore: iso(DAY) },
    { createdAfter: iso(-DAY), createdBefore: iso(-DAY) },
    { startsAfter: "0000-01-01T00:00:00+01:00" },
    { minConfirmed: "-1" },
    { minConfirmed: "1.5" },
    { minConfirmed: "lots" },
    { minConfirmed: "10000000" },
    { limit: "0" },
    { popularity: "high" },
  ];
  for (const query of bad) {
    const before = await p.everything();
    const res = await p.list(query);
    t.is(res.status, 400, `${JSON.stringify(query)}: ${JSON.stringify(res.body)}`);
    t.is(res.headers["content-type"], "application/problem+json");
    t.is(res.body.type, "urn:switchyard:problem:validation-failed", JSON.stringify(query));
    t.is(before, await p.everything(), `${JSON.stringify(query)} wrote nothing`);
  }
});

/** The test's own model of the list: what matches a search, and the order of the immutable sorts. */
interface Modeled {
  id: string;
  title: string;
  category: EventCategory;
  createdAt: string;
  publishedAt: string;
  startsAt: string;
  endsAt: string;
  listed: boolean;
}
interface Search {
  sort: PublicSort;
  order?: SortOrder;
  category?: EventCategory;
  createdAfter?: number;
  startsBefore?: number;
  minConfirmed?: number;
  ended?: "include";
  limit: number;
}
function modelMatches(e: Modeled, count: number, s: Search, asOf: string, createdAfter?: string, startsBefore?: string): boolean {
  return (
    e.listed &&
    (!s.category || e.category === s.category) &&
    (!createdAfter || e.createdAt >= createdAfter) &&
    (!startsBefore || e.startsAt < startsBefore) &&
    (s.minConfirmed === undefined || count >= s.minConfirmed) &&
    (s.ended === "include" || e.endsAt > asOf)
  );
}

const WORDS = ["rust", "go", "deno"];
const anySpec: fc.Arbitrary<Spec> = fc.record({
  title: fc.constantFrom(...WORDS).map((w) => `Intro to ${w}`),
  category: fc.constantFrom(...EVENT_CATEGORIES.slice(0, 2)),
  // Whole minutes, so ties in start time happen.
  createdAgo: fc.integer({ min: 1, max: 30 * 24 * 60 }).map((m) => m * MINUTE),
  startsIn: fc.integer({ min: -3, max: 20 }).map((h) => h * 6 * HOUR),
  durationMinutes: fc.constantFrom(30, 60, 600),
  count: fc.integer({ min: 0, max: 6 }),
  visibility: fc.constantFrom("public", "public", "public", "public", "private"),
  state: fc.constantFrom("published", "published", "published", "published", "published", "draft", "canceled"),
});
/** A filter in about one search of four: with all of them on, too few events match to page. */
const sometimes = <T>(value: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });
const anySearch: fc.Arbitrary<Search> = fc.record({
  sort: fc.constantFrom(...(Object.keys(PUBLIC_SORTS) as PublicSort[])),
  order: sometimes(fc.constantFrom<SortOrder>("asc", "desc")),
  category: sometimes(fc.constantFrom(...EVENT_CATEGORIES.slice(0, 2))),
  createdAfter: sometimes(fc.integer({ min: 1, max: 30 }).map((d) => -d * DAY)),
  startsBefore: sometimes(fc.integer({ min: 0, max: 20 }).map((d) => d * DAY)),
  minConfirmed: sometimes(fc.integer({ min: 0, max: 4 })),
  ended: sometimes(fc.constant("include" as const)),
  limit: fc.integer({ min: 1, max: 4 }),
});
/** Between page reads: set some events' confirmed counts (by index into the seeded events). */
const anyCountChanges = fc.array(fc.array(fc.record({ event: fc.nat(), count: fc.integer({ min: 0, max: 9 }) }), { maxLength: 4 }), { minLength: 1, maxLength: 12 });

test("property: walking every page with small limits while counts change between pages returns each matching event exactly once, in order for published, created and start, in the first page's ranking for popularity", async (t) => {
  // One table for the property (tables are slow to make): each case lists only its own title word.
  const p = await platform();
  const details = await fc.check(
    fc.asyncProperty(fc.array(anySpec, { minLength: 2, maxLength: 14 }), anySearch, anyCountChanges, async (specs, search, changes) => {
      // Each case's events carry a fresh word, so cases sharing the table do not see each other.
      const word = `w${randomUUID().slice(0, 8)}`;
      const modeled: Modeled[] = [];
      const counts = new Map<string, number>();
      for (const spec of specs) {
        const id = await p.seed({ ...spec, title: `${spec.title} ${word}` });
        const stored = (await p.deps.store.get(id))!;
        modeled.push({
          id,
          title: stored.title,
          category: stored.category!,
          createdAt: stored.createdAt,
          publishedAt: stored.publishedAt ?? "",
          startsAt: stored.startsAt,
          endsAt: new Date(Date.parse(stored.startsAt) + stored.durationMinutes * MINUTE).toISOString(),
          listed: stored.status === "published" && stored.visibility === "public",
        });
        counts.set(id, spec.count ?? 0);
      }
      const asOf = new Date().toISOString();
      const createdAfter = search.createdAfter === undefined ? undefined : iso(search.createdAfter);
      const startsBefore = search.startsBefore === undefined ? undefined : iso(search.startsBefore);
      // q is the case's word: every case event has it, no other case's event does.
      const query = { ...search, q: word, createdAfter, startsBefore };
      const countsAtStart = new Map(counts);
      let changed = 0;
      const seen = await walk(p, query, async (page) => {
        for (const change of changes[page % changes.length]!) {
          const target = modeled[change.event % Math.max(modeled.length, 1)];
          if (!target) continue;
          await p.setCount(target.id, change.count);
          counts.set(target.id, change.count);
          changed++;
        }
      });
      const matchesAt = (e: Modeled, c: Map<string, number>) => modelMatches(e, c.get(e.id)!, search, asOf, createdAfter, startsBefore);
      if (new Set(seen).size !== seen.length) throw new Error(`an event was listed twice: ${seen.join(", ")}`);
      for (const id of seen) if (!modeled.some((e) => e.id === id)) throw new Error(`${id} is not one of the case's events`);
      // Matching at the start and still at the end (counts move): listed exactly once.
      const always = modeled.filter((e) => matchesAt(e, countsAtStart) && matchesAt(e, counts));
      for (const e of always) if (!seen.includes(e.id)) throw new Error(`${e.id} matches throughout but was not listed (seen ${seen.length}, changes ${changed})`);
      for (const id of seen) {
        const e = modeled.find((m) => m.id === id)!;
        if (!matchesAt(e, countsAtStart) && !matchesAt(e, counts)) throw new Error(`${id} never matched but was listed`);
      }
      if (search.sort !== "popularity") {
        const key = PUBLIC_SORTS[search.sort].key as "publishedAt" | "createdAt" | "startsAt";
        const direction = (search.order ?? PUBLIC_SORTS[search.sort].defaultOrder) === "asc" ? 1 : -1;
        const keys = seen.map((id) => modeled.find((m) => m.id === id)![key]);
        for (let i = 1; i < keys.length; i++) if (direction * keys[i]!.localeCompare(keys[i - 1]!) < 0) throw new Error(`out of ${search.sort} order: ${keys.join(", ")}`);
      } else if (search.minConfirmed === undefined) {
        // The order is the ranking at the first page: by the counts then.
        const expected = modeled
          .filter((e) => matchesAt(e, countsAtStart))
          .sort((a, b) => ((search.order ?? "desc") === "asc" ? 1 : -1) * (countsAtStart.get(a.id)! - countsAtStart.get(b.id)!) || b.publishedAt.localeCompare(a.publishedAt) || b.id.localeCompare(a.id))
          .map((e) => e.id);
        if (JSON.stringify(seen) !== JSON.stringify(expected)) throw new Error(`popularity order ${seen.join(",")} is not the first page's ranking ${expected.join(",")}`);
      }
    }),
    propertyParameters(40),
  );
  if (details.failed) t.fail(`${fc.defaultReportMessage(details)}\n${details.errorInstance instanceof Error ? details.errorInstance.stack : String(details.errorInstance)}`);
  else t.log(`${details.numRuns} runs (seed ${details.seed})`);
  t.true(details.numRuns > 0);
});
