// Property-based tests of the events API's routes in-process against DynamoDB Local and s3rver: the
// organizer's routes (valid claims of the organizer, of a stranger, none) with bodies of each
// route's shape with fields replaced by tricky values and with any JSON, the public routes, and
// the RSVP routes with valid, tampered, foreign and arbitrary tokens. Every answer is a 2xx or a
// 4xx problem+json; a 4xx (and every read) changes no table and no bucket; a write reads back.
import test from "ava";
import fc from "fast-check";
import { randomUUID } from "node:crypto";
import { organizerHandler } from "../../handlers/events/organizer";
import { publicEventsHandler } from "../../handlers/events/public-events";
import { eventRoutes, routeKeyOf, type EventRoute } from "../../handlers/events/routes";
import { videoRetryDeps, videoRetryHandler } from "../../handlers/events/video/retry";
import { rsvpDeps, rsvpHandler } from "../../handlers/events/rsvp";
import { videoStreamDeps, videoStreamHandler } from "../../handlers/events/video-stream";
import { signRsvpToken } from "../../handlers/events/rsvp-token";
import { signStreamToken } from "../../handlers/events/video-stream-token";
import { makeHlsRendition, seedReadyRendition } from "../harness/hls-rendition";
import { INVITES_PER_REQUEST, MAX_LEAD_DAYS, MEDIA_LIMITS } from "../../handlers/events/schemas";
import { eventsTable, listSnapshotsTable } from "../../handlers/events/tables";
import type { HttpHandler } from "../../handlers/shared/http";
import { anyContentType, anyHeaders, anyJson, anyPathSegment, anyQuery, anyRawBody, anyText, edgyNumber, textOfLength } from "../harness/arbitraries";
import { freshTable, useLocalEmulators } from "../harness/dynamodb";
import { StatusTally, bucketSnapshot, checkProperty, encodeSegment, expectAnswer, expectSame, expectUnchanged, generatedEvent, isSuccess, tablesSnapshot, type Answer } from "../harness/properties";

const local = useLocalEmulators(test, { s3: true });

const KEY = "rsvp-property-signing-key-0123456789";
const alice = { sub: randomUUID(), email: "alice@example.com" };
const bob = { sub: randomUUID(), email: "bob@example.com" };
/** The organizers as the store knows them (the claims' sub is the id). */
const asOrganizer = (user: { sub: string; email: string }) => ({ id: user.sub, email: user.email });
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The claims API Gateway's JWT authorizer passes: the organizer's, a stranger's, an access token's (no email), or none. */
const anyClaims = fc.oneof(
  { weight: 10, arbitrary: fc.constant(alice) },
  { weight: 1, arbitrary: fc.constant(bob) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, { sub: alice.sub }, { sub: "", email: alice.email }, { sub: alice.sub, email: "no-at-sign" }) },
);

async function platform() {
  const table = await freshTable(local.ddb, eventsTable, "events");
  const bucket = `media-${randomUUID().slice(0, 8)}`;
  await local.s3.createBucket(bucket);
  const snapshots = await freshTable(local.ddb, listSnapshotsTable, "snapshots");
  const deps = rsvpDeps("test", { eventsTable: table, mediaBucket: bucket, listSnapshotsTable: snapshots, rsvpKey: async () => KEY });
  const handlers: Record<EventRoute["fn"], HttpHandler> = { organizer: organizerHandler(deps), public: publicEventsHandler(deps), rsvp: rsvpHandler(deps), video: videoRetryHandler(videoRetryDeps("test", { eventsTable: table, mediaBucket: bucket, roleArn: "arn:aws:iam::123456789012:role/transcode", queue: "arn:aws:mediaconvert:us-east-1:123456789012:queues/Default" }, { createJob: () => Promise.reject(new Error("no job in this test")) })), stream: videoStreamHandler(videoStreamDeps("test", { eventsTable: table, mediaBucket: bucket, key: async () => KEY })) };
  const snapshot = async () => `${await tablesSnapshot(local.ddb.client, [table])}\n${await bucketSnapshot(local.s3.client, bucket)}`;
  const draftInput = (visibility: "public" | "private" = "public") => ({ title: "Launch", description: "", startsAt: new Date(Date.now() + 7 * DAY).toISOString(), durationMinutes: 60, visibility });
  const organizer = asOrganizer(alice);
  /** A fresh event of each kind, made for the one case that names it: a draft, a published event with an invitation, a canceled one (alice's), and bob's draft. */
  const fixtures = {
    draft: async () => (await deps.store.create(draftInput(), organizer, new Date())).id,
    published: async () => {
      const { id } = await deps.store.create(draftInput(), organizer, new Date());
      await deps.store.invite(id, ["carol@example.com"], organizer, new Date(), 500);
      await deps.store.publish(id, organizer, new Date());
      return id;
    },
    canceled: async () => {
      const { id } = await deps.store.create(draftInput("private"), organizer, new Date());
      await deps.store.invite(id, ["carol@example.com"], organizer, new Date(), 500);
      await deps.store.cancel(id, organizer, new Date());
      return id;
    },
    strangers: async () => (await deps.store.create(draftInput(), asOrganizer(bob), new Date())).id,
  };
  return { deps, handlers, snapshot, fixtures, bucket };
}

type Platform = Awaited<ReturnType<typeof platform>>;
type Fixture = keyof Platform["fixtures"];

/** An event id: one of the case's fixtures (by name), or any path segment. */
const anyEventId = fc.oneof({ weight: 3, arbitrary: fc.constantFrom<Fixture>("draft", "published", "canceled", "strangers").map((name) => ({ fixture: name })) }, { weight: 1, arbitrary: anyPathSegment().map((raw) => ({ raw })) });
const idOf = (id: { fixture: Fixture } | { raw: string }, p: Platform) => ("fixture" in id ? p.fixtures[id.fixture]() : Promise.resolve(id.raw));

/** A start time relative to now: in the planning horizon, at and past its edges, or tricky text. */
const anyStart = fc.oneof(
  fc.integer({ min: 1, max: (MAX_LEAD_DAYS - 1) * 24 }).map((h) => () => new Date(Date.now() + h * HOUR).toISOString()),
  fc.constantFrom(-HOUR, -1, MAX_LEAD_DAYS * DAY + HOUR, 100 * 365 * DAY).map((d) => () => new Date(Date.now() + d).toISOString()),
  fc.integer({ min: 1, max: 700 }).map((d) => () => new Date(Date.now() + d * DAY).toISOString().replace("Z", "+14:00")),
  anyText().map((s) => () => s),
);

/** Each body field: the valid values it may take, and the tricky ones that may replace it. */
const fields = {
  title: { valid: fc.constantFrom("Launch party", "Cafe\u0301 🚀", "  padded  ", "שלום 你好"), tricky: fc.oneof(anyText(), textOfLength(198, 202)) },
  description: { valid: fc.constantFrom("", "two\r\nlines", "Cake\tonline"), tricky: fc.oneof(anyText(), textOfLength(4998, 5002)) },
  startsAt: { valid: fc.integer({ min: 1, max: (MAX_LEAD_DAYS - 1) * 24 }).map((h) => () => new Date(Date.now() + h * HOUR).toISOString()), tricky: anyStart },
  durationMinutes: { valid: fc.integer({ min: 5, max: 1440 }), tricky: fc.oneof(edgyNumber(), fc.constantFrom(4, 5, 1440, 1441)) },
  visibility: { valid: fc.constantFrom("public", "private"), tricky: fc.oneof(fc.constantFrom("PUBLIC", ""), anyText()) },
};
type Field = keyof typeof fields;

/** A body built in the case (start times are relative to when it runs). */
type BodyRecipe = () => string | Buffer;
const json = (value: () => unknown): BodyRecipe => () => JSON.stringify(value());

/** A create or update body: valid values, then maybe one field replaced by a tricky value (or an unknown field added). */
const eventBody = (partial: boolean) =>
  fc
    .record(
      {
        title: fields.title.valid,
        description: fields.description.valid,
        startsAt: fields.startsAt.valid,
        durationMinutes: fields.durationMinutes.valid,
        visibility: fields.visibility.valid,
      },
      { requiredKeys: partial ? [] : ["title", "startsAt", "durationMinutes"] },
    )
    .chain((valid) =>
      fc.oneof(
        { weight: 2, arbitrary: fc.constant<Record<string, unknown>>(valid) },
        fc.constantFrom(...(Object.keys(fields) as Field[])).chain((field) => (fields[field].tricky as fc.Arbitrary<unknown>).map((value) => ({ ...valid, [field]: value }))),
        anyJson().map((extra) => ({ ...valid, extra })),
      ),
    )
    .map((body) => json(() => Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === "function" ? (v as () => string)() : v]))));

const bodies: Partial<Record<EventRoute["operationId"], fc.Arbitrary<BodyRecipe>>> = {
  createEvent: eventBody(false),
  updateEvent: eventBody(true),
  inviteToEvent: fc
    .oneof(
      fc.array(fc.oneof(fc.emailAddress(), anyText(), fc.constantFrom("Carol@Example.com", "carol@example.com", `${"a".repeat(250)}@b.co`)), { maxLength: INVITES_PER_REQUEST + 1 }),
      fc.constantFrom([], Array.from({ length: INVITES_PER_REQUEST + 1 }, (_, i) => `p${i}@example.com`)),
      anyJson(),
    )
    .map((emails) => json(() => ({ emails }))),
  requestMediaUpload: fc
    .record({
      kind: fc.oneof(fc.constantFrom("cover", "video"), anyText()),
      contentType: fc.oneof(fc.constantFrom(...MEDIA_LIMITS.cover.contentTypes, ...MEDIA_LIMITS.video.contentTypes, "IMAGE/PNG", "image/gif"), anyText()),
      size: fc.oneof(edgyNumber(), fc.constantFrom(MEDIA_LIMITS.cover.maxBytes, MEDIA_LIMITS.cover.maxBytes + 1, MEDIA_LIMITS.video.maxBytes, MEDIA_LIMITS.video.maxBytes + 1)),
    })
    .map((b) => json(() => b)),
};

/** A body for `operation`: its shape with tricky fields, any JSON, or any bytes; none for routes without one. */
const bodyFor = (operation: EventRoute["operationId"]): fc.Arbitrary<BodyRecipe | undefined> =>
  fc.oneof(
    { weight: 6, arbitrary: bodies[operation] ?? fc.constant(undefined) },
    { weight: 1, arbitrary: anyJson().map((v) => json(() => v)) },
    { weight: 1, arbitrary: anyRawBody().map((b) => () => b) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

/** Mostly no query (the routes take none but the lists'), sometimes any. */
const mostlyNoQuery = fc.oneof({ weight: 5, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: anyQuery() });
const mostlyJson = fc.oneof({ weight: 5, arbitrary: fc.constant("application/json") }, { weight: 1, arbitrary: anyContentType() });

const pathOf = (route: EventRoute, id: string) => route.path.replace("{id}", encodeSegment(id));
const withoutMediaUrls = ({ coverUrl, videoUrl, ...rest }: Record<string, unknown>) => rest;

const organizerRoutes = eventRoutes.filter((r) => r.fn === "organizer");

test("organizer routes: any claims, id, query and body get a 2xx or a 4xx problem; a 4xx changes nothing; a write reads back", async (t) => {
  const p = await platform();
  const statuses = new StatusTally();
  const cases = fc.constantFrom(...organizerRoutes).chain((route) =>
    fc.record({ route: fc.constant(route), claims: anyClaims, id: anyEventId, query: route.operationId === "listMyEvents" ? anyQuery() : mostlyNoQuery, body: bodyFor(route.operationId), contentType: mostlyJson, headers: anyHeaders() }),
  );
  await checkProperty(
    t,
    fc.asyncProperty(cases, async ({ route, claims, id: idRecipe, query, body, contentType, headers }) => {
      const id = await idOf(idRecipe, p);
      const sent = body?.();
      const before = await p.snapshot();
      const request = { method: route.method, path: pathOf(route, id), routeKey: routeKeyOf(route), pathParameters: route.path.includes("{id}") ? { id } : undefined, query, headers: { ...headers, "content-type": contentType }, body: sent, claims };
      const answer = expectAnswer(await p.handlers.organizer(generatedEvent(request)), statuses);
      if (!isSuccess(answer) || route.method === "GET") return expectUnchanged(before, await p.snapshot(), `${routeKeyOf(route)} answered ${answer.status}`);
      await expectOrganizerWriteReadsBack(p, route, answer, id, sent, claims!);
    }),
    80,
    { statuses },
  );
});

/** Property (c) for the organizer's writes: the event (or its invitations) as read back is what the write answered. */
async function expectOrganizerWriteReadsBack(p: Platform, route: EventRoute, answer: Answer, id: string, sent: string | Buffer | undefined, claims: Record<string, unknown>) {
  const read = (r: EventRoute, eventId: string) =>
    p.handlers.organizer(generatedEvent({ method: r.method, path: pathOf(r, eventId), routeKey: routeKeyOf(r), pathParameters: { id: eventId }, claims })).then((x) => expectAnswer(x));
  const getMine = eventRoutes.find((r) => r.operationId === "getMyEvent")!;
  // A 2xx of a route with a body means the body parsed; routes without one ignore what was sent.
  const input = (bodies[route.operationId] ? JSON.parse(String(sent)) : {}) as Record<string, unknown>;
  switch (route.operationId) {
    case "createEvent":
    case "updateEvent": {
      const eventId = answer.body.id as string;
      expectSame(withoutMediaUrls((await read(getMine, eventId)).body), withoutMediaUrls(answer.body), `GET /me/events/{id} after ${route.operationId}`);
      const expected: Record<string, unknown> = {};
      if (typeof input.title === "string") expected.title = input.title.normalize("NFC").trim();
      if (typeof input.description === "string") expected.description = input.description.replace(/\r\n/g, "\n").normalize("NFC").trim();
      if (typeof input.startsAt === "string") expected.startsAt = new Date(input.startsAt).toISOString();
      if (input.durationMinutes !== undefined) expected.durationMinutes = input.durationMinutes;
      if (input.visibility !== undefined) expected.visibility = input.visibility;
      expectSame(Object.fromEntries(Object.keys(expected).map((k) => [k, answer.body[k]])), expected, "the stored fields");
      return;
    }
    case "publishEvent":
    case "cancelEvent": {
      expectSame(answer.body.status, route.operationId === "publishEvent" ? "published" : "canceled", "the new status");
      expectSame(withoutMediaUrls((await read(getMine, id)).body), withoutMediaUrls(answer.body), `GET /me/events/{id} after ${route.operationId}`);
      return;
    }
    case "inviteToEvent": {
      const listed = (await read(eventRoutes.find((r) => r.operationId === "listInvitations")!, id)).body.items.map((i: { email: string }) => i.email);
      for (const email of [...answer.body.added, ...answer.body.existing]) if (!listed.includes(email)) throw new Error(`${email} was invited but is not listed`);
      const expected = [...new Set((input.emails as string[]).map((e) => e.toLowerCase()))].sort();
      expectSame([...answer.body.added, ...answer.body.existing].sort(), expected, "the invited addresses");
      return;
    }
    case "requestMediaUpload": {
      const kind = input.kind as "cover" | "video";
      expectSame(answer.body.headers, { "content-type": String(input.contentType).toLowerCase(), "content-length": String(input.size) }, "the signed upload headers");
      const event = (await read(getMine, id)).body;
      if (typeof event[`${kind}Url`] !== "string") throw new Error(`the ${kind} announced by the ticket has no URL on the event`);
      if (!(await p.deps.store.get(id))!.media[kind]!.key.startsWith(`events/${id}/${kind}/`)) throw new Error("the media key is not under the event");
      return;
    }
    default:
      throw new Error(`${route.operationId} answered ${answer.status} to a write this test does not know`);
  }
}

test("public routes: any query and id get a 2xx or a 4xx problem and change nothing; a 200 shows only public, published events as stored", async (t) => {
  const p = await platform();
  const f = { draft: await p.fixtures.draft(), published: await p.fixtures.published(), canceled: await p.fixtures.canceled(), strangers: await p.fixtures.strangers() };
  const statuses = new StatusTally();
  const routes = eventRoutes.filter((r) => r.fn === "public");
  await checkProperty(
    t,
    fc.asyncProperty(fc.constantFrom(...routes), anyEventId, fc.oneof(anyQuery(), fc.record({ q: fc.oneof(anyText(), fc.constantFrom("launch", "LAUNCH", "aun")) })), anyHeaders(), async (route, idRecipe, query, headers) => {
      const id = "fixture" in idRecipe ? f[idRecipe.fixture] : idRecipe.raw;
      const before = await p.snapshot();
      const answer = expectAnswer(await p.handlers.public(generatedEvent({ method: route.method, path: pathOf(route, id), routeKey: routeKeyOf(route), pathParameters: route.path.includes("{id}") ? { id } : undefined, query, headers })), statuses);
      expectUnchanged(before, await p.snapshot(), `${routeKeyOf(route)} answered ${answer.status}`);
      if (!isSuccess(answer)) return;
      const shown = route.operationId === "listPublicEvents" ? answer.body.items : [answer.body];
      for (const e of shown) {
        const stored = await p.deps.store.get(e.id);
        if (!stored || stored.visibility !== "public" || stored.status === "draft") throw new Error(`${e.id} is shown publicly but is ${stored ? `${stored.visibility} ${stored.status}` : "not stored"}`);
        expectSame([e.title, e.startsAt, e.status], [stored.title, stored.startsAt, stored.status], "a public event");
      }
    }),
    50,
    { statuses },
  );
});

test("the video stream route: any id, token and file get a 200 playlist only with the event's real token, else a 4xx problem; nothing changes", async (t) => {
  const p = await platform();
  const id = await p.fixtures.published();
  const rendition = await seedReadyRendition(local.s3.client, p.bucket, p.deps.store, id, makeHlsRendition(2));
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const real = signStreamToken({ eventId: id, source: rendition.source, expiresAt: exp }, KEY);
  const statuses = new StatusTally();
  const route = eventRoutes.find((r) => r.fn === "stream")!;
  await checkProperty(
    t,
    fc.asyncProperty(
      fc.oneof({ weight: 3, arbitrary: fc.constant(id) }, { weight: 1, arbitrary: fc.constant("draft" as const) }, { weight: 1, arbitrary: anyPathSegment() }),
      fc.oneof({ weight: 3, arbitrary: fc.constant(real) }, { weight: 1, arbitrary: fc.constantFrom(`${exp + 1}.${real.split(".")[1]}`, signStreamToken({ eventId: id, source: "events/x/video/y", expiresAt: exp }, KEY)) }, { weight: 1, arbitrary: anyPathSegment() }),
      fc.oneof({ weight: 3, arbitrary: fc.constantFrom("index.m3u8", "v0.m3u8") }, { weight: 1, arbitrary: fc.constantFrom("v1_000.ts", "poster.jpg", "../index.m3u8", "missing.m3u8") }, { weight: 1, arbitrary: anyPathSegment() }),
      anyHeaders(),
      async (eventId, token, file, headers) => {
        const forEvent = eventId === "draft" ? await p.fixtures.draft() : eventId;
        const before = await p.snapshot();
        const path = route.path.replace("{id}", encodeSegment(forEvent)).replace("{token}", encodeSegment(token)).replace("{file}", encodeSegment(file));
        const result = await p.handlers.stream(generatedEvent({ method: route.method, path, routeKey: routeKeyOf(route), pathParameters: { id: forEvent, token, file }, headers }));
        expectUnchanged(before, await p.snapshot(), `${path} answered ${result.statusCode}`);
        if (result.statusCode === 200) {
          if (forEvent !== id || token !== real || !["index.m3u8", "v0.m3u8"].includes(file)) throw new Error(`a playlist for ${forEvent} ${token} ${file}`);
          statuses.count(200);
          return;
        }
        expectAnswer(result, statuses);
        if (/X-Amz-/.test(result.body ?? "")) throw new Error("a refusal carries a presigned URL");
      },
    ),
    40,
    { statuses },
  );
});

/** How a case's RSVP token is made: for one of its invitations (valid, tampered, signed elsewhere), over arbitrary claims, or any text. */
const anyTokenRecipe = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("valid" as const), event: fc.constantFrom<Fixture>("published", "canceled"), answer: fc.constantFrom("yes" as const, "no" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("tampered" as const, "foreign" as const), event: fc.constant<Fixture>("published"), answer: fc.constantFrom("yes" as const, "no" as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("claims" as const), eventId: fc.oneof(anyText(), fc.uuid({ version: 7 })), email: fc.oneof(anyText(), fc.constant("carol@example.com")), nonce: anyText(), answer: fc.constantFrom("yes" as const, "no" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("text" as const), text: fc.oneof(anyText(), textOfLength(1020, 1030)) }) },
);

type TokenRecipe = typeof anyTokenRecipe extends fc.Arbitrary<infer R> ? R : never;

test("RSVP routes: any token, valid or not, gets a 2xx or a 4xx problem; a 4xx changes nothing; an answer reads back", async (t) => {
  const p = await platform();
  const statuses = new StatusTally();
  const routes = eventRoutes.filter((r) => r.fn === "rsvp");
  async function make(recipe: TokenRecipe): Promise<string> {
    switch (recipe.kind) {
      case "text":
        return recipe.text;
      case "claims":
        return signRsvpToken({ eventId: recipe.eventId, email: recipe.email, answer: recipe.answer, nonce: recipe.nonce }, KEY);
      default: {
        const eventId = await p.fixtures[recipe.event]();
        const invitation = (await p.deps.store.invitation(eventId, "carol@example.com"))!;
        const token = signRsvpToken({ eventId, email: invitation.email, answer: recipe.answer, nonce: invitation.nonce }, recipe.kind === "foreign" ? "another-key-0123456789" : KEY);
        return recipe.kind === "tampered" ? `${token.slice(0, 5)}${token[5] === "A" ? "B" : "A"}${token.slice(6)}` : token;
      }
    }
  }
  await checkProperty(
    t,
    fc.asyncProperty(fc.constantFrom(...routes), anyTokenRecipe, fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: anyQuery() }), mostlyJson, anyHeaders(), async (route, recipe, extraQuery, contentType, headers) => {
      const token = await make(recipe);
      const post = route.method === "POST";
      const request = { method: route.method, path: route.path, routeKey: routeKeyOf(route), headers: { ...headers, "content-type": contentType }, query: post ? extraQuery : (extraQuery ?? { token }), body: post ? JSON.stringify({ token }) : undefined };
      const before = await p.snapshot();
      const answer = expectAnswer(await p.handlers.rsvp(generatedEvent(request)), statuses);
      if (!isSuccess(answer) || !post) return expectUnchanged(before, await p.snapshot(), `${routeKeyOf(route)} answered ${answer.status}`);
      const invitation = await p.deps.store.invitation(answer.body.eventId, answer.body.invitee);
      expectSame([invitation?.status, invitation?.answeredAt, invitation?.history.at(-1)?.answer], [answer.body.status, answer.body.answeredAt, answer.body.status], "the recorded answer");
    }),
    60,
    {
      statuses,
      // Found by this property: a token signed with the stack's key over claims it never issues (an
      // empty event id) reached DynamoDB as an empty key and was answered 500.
      examples: routes.map((route): [typeof route, TokenRecipe, undefined, string, Record<string, string>] => [route, { kind: "claims", eventId: "", email: "carol@example.com", nonce: "", answer: "yes" }, undefined, "application/json", {}]),
    },
  );
});
