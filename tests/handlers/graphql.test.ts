// The GraphQL function in-process against DynamoDB Local, s3rver and the local sign-in stand-in
// (real RS256 tokens, its JWKS over loopback HTTP): every Query field next to the REST route it
// mirrors, the persisted ManageEvent, auth on and off, the limits and the error codes.
import test from "ava";
import { randomUUID } from "node:crypto";
import { organizerHandler } from "../../handlers/events/organizer";
import { rsvpDeps } from "../../handlers/events/rsvp";
import { eventsTable } from "../../handlers/events/tables";
import { jwtAuthenticator } from "../../handlers/graphql/auth";
import { graphqlHandler } from "../../handlers/graphql/handler";
import { PERSISTED_QUERIES } from "../../handlers/graphql/persisted";
import { graphqlDeps, rootResolvers } from "../../handlers/graphql/resolvers";
import { graphqlViews } from "../../handlers/graphql/views";
import { GRAPHQL_LIMITS, checkCost, queryCost } from "../../handlers/graphql/limits";
import { SCHEMA_SDL } from "../../handlers/graphql/schema.generated";
import { buildSchema, parse } from "graphql";
import { MessageStore } from "../../handlers/messages/store";
import { messageTable } from "../../handlers/messages/table";
import type { HttpEvent } from "../../handlers/shared/http";
import { createObservability } from "../../handlers/shared/observability";
import { RunStateStore } from "../../handlers/sync/run-state";
import { syncStateTable } from "../../handlers/sync/tables";
import { MeetingStore } from "../../handlers/webhooks/meeting-store";
import { meetingsTable } from "../../handlers/webhooks/tables";
import { startLocalSignIn, type LocalSignIn } from "../../local/standins/sign-in";
import { freshTable, useLocalEmulators } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";

const local = useLocalEmulators(test, { s3: true });
const CLIENT_ID = "graphql-test-client";
const RSVP_KEY = "rsvp-test-signing-key-0123456789";
const MANAGE_EVENT = PERSISTED_QUERIES.find((q) => q.name === "ManageEvent")!;
const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

let signIn: LocalSignIn;
test.before(async () => {
  signIn = await startLocalSignIn({ port: 0, clientId: CLIENT_ID });
});
test.after.always(async () => signIn?.close());

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { sub: string; email: string };

async function world() {
  const [events, messages, meetings, state] = await Promise.all([freshTable(local.ddb, eventsTable, "events"), freshTable(local.ddb, messageTable, "messages"), freshTable(local.ddb, meetingsTable, "meetings"), freshTable(local.ddb, syncStateTable, "state")]);
  const bucket = `media-${randomUUID().slice(0, 8)}`;
  await local.s3.createBucket(bucket);
  const deps = graphqlDeps({ eventsTable: events, mediaBucket: bucket, stream: { apiUrl: "http://127.0.0.1:3000", key: async () => "stream-key" }, messagesTable: messages, meetingsTable: meetings, syncStateTables: { gists: state } });
  const root = rootResolvers(deps);
  const handler = graphqlHandler({ obs: createObservability("graphql-test"), root, authenticate: jwtAuthenticator({ issuer: signIn.issuer, audience: [CLIENT_ID] }) });
  const organizer = organizerHandler(rsvpDeps("test", { eventsTable: events, mediaBucket: bucket, rsvpKey: async () => RSVP_KEY }));
  const rest = async (method: string, path: string, routeKey: string, token: string, body?: unknown, id?: string) => {
    const event = apiEvent(method, path, { routeKey, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(id ? { pathParameters: { id } } : {}) });
    const { sub, email } = claimsOf(token);
    (event.requestContext as any).authorizer = { jwt: { claims: { sub, email }, scopes: null } };
    return parseResult(await organizer(event));
  };
  const call = async (event: HttpEvent) => parseResult(await handler(event));
  const post = (body: unknown, headers: Record<string, string> = {}) => call(apiEvent("POST", "/graphql", { routeKey: "POST /graphql", body: typeof body === "string" ? body : JSON.stringify(body), headers }));
  const get = (query: Record<string, string>, headers: Record<string, string> = {}) => call(apiEvent("GET", `/graphql?${new URLSearchParams(query)}`, { routeKey: "GET /graphql", headers }));
  const bearer = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
  return {
    deps,
    root,
    rest,
    post,
    get,
    query: (query: string, variables: Record<string, unknown> = {}, token?: string) => post({ query, variables }, bearer(token)),
    manage: (id: string, token?: string) => get({ id: MANAGE_EVENT.sha256, variables: JSON.stringify({ id }) }, bearer(token)),
    messages: new MessageStore(local.ddb.client, messages),
    meetings: new MeetingStore(local.ddb.client, meetings),
    runState: new RunStateStore(local.ddb.client, state, "gists"),
    bearer,
  };
}

const token = async (email: string) => (await signIn.issue(email)).idToken;

test("ManageEvent (persisted, GET) answers what GET /me/events/{id} and GET /events/{id}/invitations answer, in one request", async (t) => {
  const w = await world();
  const olga = await token("olga@example.com");
  const created = await w.rest("POST", "/events", "POST /events", olga, { title: "Demo day", startsAt: inAWeek(), durationMinutes: 45, visibility: "public", joinUrl: "https://meet.example.com/demo" });
  t.is(created.status, 201);
  const id = created.body.id as string;
  t.is((await w.rest("POST", `/events/${id}/invitations`, "POST /events/{id}/invitations", olga, { emails: ["ann@example.com", "ben@example.com"] }, id)).status, 201);

  const res = await w.manage(id, olga);
  t.is(res.status, 200, JSON.stringify(res.body));
  t.is(res.headers["content-type"], "application/graphql-response+json; charset=utf-8");
  t.is(res.headers["cache-control"], "no-store", "signed in: never cached");
  t.is(res.body.errors, undefined);
  const { invitations, ...event } = res.body.data.myEvent;
  const restEvent = await w.rest("GET", `/me/events/${id}`, "GET /me/events/{id}", olga, undefined, id);
  const restInvitations = await w.rest("GET", `/events/${id}/invitations`, "GET /events/{id}/invitations", olga, undefined, id);
  t.deepEqual(event, restEvent.body);
  // A free event: the payment counts REST leaves out are GraphQL's nulls (a selected field is always there).
  const freeEventCounts = { paid: null, paymentPending: null, collected: null };
  t.deepEqual({ items: invitations.items, counts: invitations.counts }, { ...restInvitations.body, counts: { ...restInvitations.body.counts, ...freeEventCounts } });
  t.is(invitations.nextCursor, null);
  t.deepEqual(invitations.counts, { yes: 0, no: 0, pending: 2, undeliverable: 0, ...freeEventCounts });
  // The same document by POST gives the same answer.
  const posted = await w.post({ query: MANAGE_EVENT.document, variables: { id } }, w.bearer(olga));
  t.deepEqual(posted.body, res.body);
});

test("every field the site reads: public events and one event, my events, messages, meetings, sync status; results validate against the zod views", async (t) => {
  const w = await world();
  const olga = await token("olga@example.com");
  const pub = await w.rest("POST", "/events", "POST /events", olga, { title: "Open call", startsAt: inAWeek(), durationMinutes: 30, visibility: "public" });
  const priv = await w.rest("POST", "/events", "POST /events", olga, { title: "Board", startsAt: inAWeek(), durationMinutes: 30, visibility: "private" });
  await w.rest("POST", `/events/${pub.body.id}/publish`, "POST /events/{id}/publish", olga, undefined, pub.body.id);
  await w.messages.create("hello");
  await w.messages.create("world");
  const at = new Date().toISOString();
  await w.meetings.applyChanges([{ meetingId: "m1", details: { name: "Intro", startTime: at, endTime: at }, inviteeId: "i1", invitee: { status: "active", name: "Ann", email: "ann@example.com" }, at, eventId: "e1" }]);
  await w.runState.startRun("run-1", new Date());
  await w.runState.finishRun("run-1", new Date(), { seen: 3, created: 1, skipped: 2, failed: 0 });

  const res = await w.query(
    `query Everything($pub: ID!, $priv: ID!) {
      events { items { id title status visibility category confirmedCount hasCover seriesId occurrence startsAt durationMinutes publishedAt } nextCursor }
      event(id: $pub) { id title coverUrl videoUrl confirmedCount endsAt }
      hidden: event(id: $priv) { id }
      myEvents(limit: 10) { items { id title status } nextCursor }
      messages(limit: 1) { items { id message createdAt } nextCursor }
      messageCount
      meetings { items { id name status invitees { id name email status } } nextCursor }
      syncStatus { job lastStart lastSuccess lastError counts { seen created skipped failed } rateLimitedUntil }
    }`,
    { pub: pub.body.id, priv: priv.body.id },
    olga,
  );
  t.is(res.status, 200, JSON.stringify(res.body));
  t.is(res.body.errors, undefined);
  const d = res.body.data;
  t.deepEqual(d.events.items.map((e: any) => e.id), [pub.body.id], "published public events only");
  t.is(d.event.title, "Open call");
  t.is(d.hidden, null, "a private event is not public");
  t.deepEqual(d.myEvents.items.map((e: any) => e.id).sort(), [pub.body.id, priv.body.id].sort());
  t.is(d.messages.items[0].message, "world");
  t.truthy(d.messages.nextCursor);
  t.is(d.messageCount, 2);
  t.is(d.meetings.items[0].invitees[0].email, "a***@example.com", "masked as GET /meetings masks it");
  t.deepEqual(d.syncStatus.map((s: any) => [s.job, s.counts.created, s.lastError]), [["gists", 1, null]]);
  const next = await w.query(`query($c: String) { messages(limit: 1, cursor: $c) { items { message } nextCursor } }`, { c: d.messages.nextCursor });
  t.deepEqual(next.body.data.messages, { items: [{ message: "hello" }], nextCursor: null });

  // The resolvers' own results (every field of each view) against the zod views the SDL is generated from.
  const v = graphqlViews();
  const ctx = { organizer: async () => ({ id: claimsOf(olga).sub, email: "olga@example.com" }) };
  const checks: [string, { safeParse(x: unknown): { success: boolean; error?: unknown } }, unknown][] = [
    ["events", v.EventPage.strict(), await w.root.events({})],
    ["event", v.Event.strict(), await w.root.event({ id: pub.body.id })],
    ["myEvents", v.EventPage.strict(), await w.root.myEvents({}, ctx)],
    ["messages", v.MessagePage.strict(), await w.root.messages({})],
    ["meetings", v.MeetingPage.strict(), await w.root.meetings({})],
    ["syncStatus", v.SyncStatus.strict().array(), await w.root.syncStatus({}, ctx)],
  ];
  const mine = await w.root.myEvent({ id: pub.body.id }, ctx);
  const { invitations, ...organizerEvent } = mine;
  checks.push(["myEvent", v.OrganizerEvent.strict(), organizerEvent], ["invitations", v.InvitationPage.strict(), await invitations({})]);
  for (const [name, schema, value] of checks) {
    const parsed = schema.safeParse(value);
    t.true(parsed.success, `${name}: ${JSON.stringify(parsed.error)}`);
  }
});

test("signed-in fields need a valid token; public fields work without one, or with a bad one", async (t) => {
  const w = await world();
  const olga = await token("olga@example.com");
  const ben = await token("ben@example.com");
  const created = await w.rest("POST", "/events", "POST /events", olga, { title: "Private", startsAt: inAWeek(), durationMinutes: 30 });
  const id = created.body.id as string;
  const codes = (res: { body: any }) => (res.body.errors ?? []).map((e: any) => e.extensions.code);

  for (const [why, authorization] of [
    ["no token", undefined],
    ["a forged token", `${olga.slice(0, -4)}AAAA`],
    ["not a JWT", "Bearer nope"],
  ] as const) {
    const res = await w.post({ query: `query($id: ID!) { messageCount myEvent(id: $id) { id } }`, variables: { id } }, authorization ? { authorization } : {});
    t.is(res.status, 200, why);
    t.deepEqual(codes(res), ["UNAUTHENTICATED"], why);
    t.deepEqual(res.body.data, { messageCount: 0, myEvent: null }, `${why}: the public field still answers`);
    t.deepEqual(res.body.errors[0].path, ["myEvent"]);
  }
  // A token from another issuer (another sign-in stand-in: its own keys) signs nobody in.
  const other = await startLocalSignIn({ port: 0, clientId: CLIENT_ID });
  try {
    const foreign = (await other.issue("olga@example.com")).idToken;
    t.deepEqual(codes(await w.manage(id, foreign)), ["UNAUTHENTICATED"]);
  } finally {
    await other.close();
  }
  t.deepEqual(codes(await w.manage(id, ben)), ["FORBIDDEN"], "another organizer's event");
  t.deepEqual(codes(await w.manage("01890a5d-ac96-774b-bcce-b302099a8057", olga)), ["NOT_FOUND"]);
  t.deepEqual(codes(await w.manage("not-an-id", olga)), ["BAD_USER_INPUT"]);
  const list = await w.query("{ myEvents { items { id } } }");
  t.deepEqual(codes(list), ["UNAUTHENTICATED"]);
  t.is(list.body.data, null, "a non-null root field's error nulls data, still a 200");
  t.is(list.status, 200);
});

test("bad requests are 4xx GraphQL errors with stable codes, never a 5xx", async (t) => {
  const w = await world();
  const code = (res: { body: any }) => res.body.errors?.[0]?.extensions?.code;
  const cases: [string, Promise<{ status: number; body: any; headers: Record<string, string> }>, number, string][] = [
    ["syntax", w.query("{ messageCount "), 400, "GRAPHQL_PARSE_FAILED"],
    ["unknown field", w.query("{ nope }"), 400, "GRAPHQL_VALIDATION_FAILED"],
    ["introspection", w.query("{ __schema { types { name } } }"), 400, "GRAPHQL_VALIDATION_FAILED"],
    ["a variable of the wrong type", w.query("query($id: ID!) { event(id: $id) { id } }", { id: { a: 1 } }), 400, "BAD_USER_INPUT"],
    ["a missing variable", w.query("query($id: ID!) { event(id: $id) { id } }", {}), 400, "BAD_USER_INPUT"],
    ["too costly (aliases)", w.query(`{ ${Array.from({ length: 11 }, (_, i) => `m${i}: messageCount`).join(" ")} }`), 400, "QUERY_TOO_COSTLY"],
    ["too costly (page sizes)", w.query(`query($id: ID!) { a: myEvent(id: $id) { invitations { items { history { at } } } } b: myEvent(id: $id) { invitations { items { history { at } } } } }`, { id: "x" }), 400, "QUERY_TOO_COSTLY"],
    ["a limit out of range", w.query("{ messages(limit: 1000) { items { id } } }"), 200, "BAD_USER_INPUT"],
    ["a page that could not fit", w.query("{ messages(limit: 40000) { items { id } } }"), 400, "QUERY_TOO_COSTLY"],
    ["a limit of zero", w.query("{ messages(limit: 0) { items { id } } }"), 200, "BAD_USER_INPUT"],
    ["a foreign cursor", w.query('{ messages(cursor: "bm9wZQ") { items { id } } }'), 200, "BAD_USER_INPUT"],
    ["unknown persisted id", w.get({ id: "0".repeat(64) }), 400, "PERSISTED_QUERY_NOT_FOUND"],
    ["variables not JSON", w.get({ id: MANAGE_EVENT.sha256, variables: "{" }), 400, "BAD_REQUEST"],
    ["no query", w.post({}), 400, "BAD_REQUEST"],
    ["not JSON", w.post("{nope"), 400, "BAD_REQUEST"],
    ["a JSON array", w.post("[1]"), 400, "BAD_REQUEST"],
    ["query not a string", w.post({ query: 5 }), 400, "BAD_REQUEST"],
    ["another content type", w.post("query=x", { "content-type": "application/x-www-form-urlencoded" }), 415, "BAD_REQUEST"],
    ["a huge body", w.post({ query: `{ messageCount } #${"x".repeat(GRAPHQL_LIMITS.maxBodyBytes)}` }), 413, "BAD_REQUEST"],
    ["a long query", w.post({ query: `{ messageCount } #${"x".repeat(GRAPHQL_LIMITS.maxQueryBytes)}` }), 400, "BAD_REQUEST"],
    ["many tokens", w.post({ query: `{ ${"a ".repeat(GRAPHQL_LIMITS.maxTokens)} }` }), 400, "GRAPHQL_PARSE_FAILED"],
    ["a mutation", w.query("mutation { x }"), 400, "GRAPHQL_VALIDATION_FAILED"],
    ["two operations, none named", w.query("query A { messageCount } query B { messageCount }"), 400, "BAD_REQUEST"],
  ];
  for (const [why, pending, status, expected] of cases) {
    const res = await pending;
    t.is(res.status, status, `${why}: ${JSON.stringify(res.body)}`);
    t.is(code(res), expected, why);
    t.true(res.headers["content-type"]!.startsWith("application/graphql-response+json"), why);
    if (status >= 400) t.false("data" in res.body, `${why}: a request error has no data`);
  }
});

test("the depth limit counts fields through fragments; the legacy application/json answer is a 200 for a refused query", async (t) => {
  const w = await world();
  const schema = buildSchema(SCHEMA_SDL);
  const doc = parse("query { meetings { items { ...M } } } fragment M on Meeting { invitees { rescheduledTo { meetingId } } }");
  const cost = queryCost(schema, doc.definitions[0] as any, { M: doc.definitions[1] as any }, {});
  t.is(cost.depth, 5, "meetings > items > invitees > rescheduledTo > meetingId");
  t.is(cost.reads, 1);
  t.is(cost.objects, 1 + 20 * (1 + 20 * 2), "a page of 20 meetings, each up to 20 invitees with a link");
  const manage = parse(MANAGE_EVENT.document);
  const manageCost = queryCost(schema, manage.definitions[0] as any, {}, { id: "x" });
  t.true(manageCost.objects <= GRAPHQL_LIMITS.maxObjects && manageCost.depth <= GRAPHQL_LIMITS.maxDepth && manageCost.reads === 2, JSON.stringify(manageCost));
  // This schema has no cycles (its deepest path is 5 fields); the depth limit is for joins to come. On a recursive one:
  const recursive = buildSchema("type Query { node: Node } type Node { next: Node, value: Int }");
  const nested = (n: number) => parse(`{ ${"node { ".repeat(1)}${"next { ".repeat(n - 2)}value${" }".repeat(n - 1)} }`);
  const depth = (n: number) => queryCost(recursive, nested(n).definitions[0] as any, {}, {});
  t.is(depth(GRAPHQL_LIMITS.maxDepth).depth, GRAPHQL_LIMITS.maxDepth);
  t.notThrows(() => checkCost(depth(GRAPHQL_LIMITS.maxDepth)));
  const error = t.throws(() => checkCost(depth(GRAPHQL_LIMITS.maxDepth + 1)));
  t.is((error as any).extensions.code, "QUERY_TOO_DEEP");

  const legacy = await w.post({ query: "{ nope }" }, { accept: "application/json" });
  t.is(legacy.status, 200, "application/json: a well-formed request gets a 200, errors in the body");
  t.is(legacy.headers["content-type"], "application/json; charset=utf-8");
  t.is(legacy.body.errors[0].extensions.code, "GRAPHQL_VALIDATION_FAILED");
  const notJson = await w.post("{", { accept: "application/json" });
  t.is(notJson.status, 400, "not JSON is not a GraphQL request, whatever the accept");
});

test("GET with a persisted id is cacheable when public and error-free; internal errors say nothing", async (t) => {
  const w = await world();
  const res = await w.get({ id: MANAGE_EVENT.sha256, variables: JSON.stringify({ id: "01890a5d-ac96-774b-bcce-b302099a8057" }) });
  t.is(res.headers["cache-control"], "no-store", "an error (UNAUTHENTICATED) is never cached");
  t.is(res.headers.vary, "accept, authorization");
  const publicList = PERSISTED_QUERIES.find((q) => q.name === "PublicEvents")!;
  const cached = await w.get({ id: publicList.sha256, variables: JSON.stringify({ category: "talk" }) });
  t.is(cached.status, 200, JSON.stringify(cached.body));
  t.deepEqual(cached.body, { data: { events: { items: [], nextCursor: null } } });
  t.is(cached.headers["cache-control"], "public, max-age=60", "the same for everyone: cacheable");
  const olga = await token("olga@example.com");
  t.is((await w.get({ id: publicList.sha256 }, w.bearer(olga))).headers["cache-control"], "no-store", "with a token: never shared");
  // A store that fails: INTERNAL_SERVER_ERROR, no message from inside.
  const broken = graphqlHandler({
    obs: createObservability("graphql-test"),
    root: { ...w.root, messageCount: async () => { throw new Error("connect ECONNREFUSED 10.0.0.1:8000 secret-table-name"); } },
    authenticate: async () => { throw new Error("unused"); },
  });
  const out = parseResult(await broken(apiEvent("POST", "/graphql", { routeKey: "POST /graphql", body: JSON.stringify({ query: "{ messageCount }" }) })));
  t.is(out.status, 200);
  t.deepEqual(out.body.errors, [{ message: "Internal server error", locations: [{ line: 1, column: 3 }], path: ["messageCount"], extensions: { code: "INTERNAL_SERVER_ERROR" } }]);
});
