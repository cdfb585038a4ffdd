// Property-based tests of the API's remaining routes in-process against DynamoDB Local: the gists
// sync's read routes (every path and alias, with any query, cookie and headers), GET /health, and
// the $default route (any method, path, query, headers and body). Every answer is a 2xx or a 4xx
// problem+json; a 4xx changes no table; a 200 shows what is stored, and a session it starts or
// moves reads back at the feed position of the last gist shown.
import test from "ava";
import fc from "fast-check";
import { apiHealthDeps, apiHealthHandler } from "../../handlers/health/api-health";
import { API_HEALTH_ROUTE_KEY } from "../../handlers/health/routes";
import { createObservability } from "../../handlers/shared/observability";
import { routeNotFoundHandler } from "../../handlers/shared/route-not-found";
import type { GistItem } from "../../handlers/sync/gists-job";
import { gistsReadHandler, gistsReadSchemas } from "../../handlers/sync/gists-read";
import { GISTS_SESSION_COOKIE, gistsReadRouteKeys } from "../../handlers/sync/gists-routes";
import { RunStateStore, zeroCounts } from "../../handlers/sync/run-state";
import { SessionStore } from "../../handlers/sync/sessions";
import { sessionsTable, syncStateTable } from "../../handlers/sync/tables";
import { useLocalAws } from "../../local/emulators/aws-env";
import { anyHeaders, anyPathSegment, anyQuery, anyRawBody, anyText } from "../harness/arbitraries";
import { freshTable, startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { StatusTally, checkProperty, encodeSegment, expectAnswer, expectSame, expectUnchanged, generatedEvent, isSuccess, tablesSnapshot } from "../harness/properties";

let ddb: DynamoDbLocal;
test.before(async () => {
  ddb = await startDynamoDbLocal();
  // apiHealthDeps builds its own client, as in Lambda.
  useLocalAws({ dynamodb: ddb.endpoint });
});
test.after.always(async () => ddb?.stop());

const TTL = 3600;
const USERS = ["alice", "bob"];

test("gists read routes: any route key, query, cookie and headers get a 2xx or a 4xx problem; a 4xx changes nothing; a 200 shows the synced gists and its session reads back", async (t) => {
  const stateTable = await freshTable(ddb, syncStateTable, "sync");
  const sessions = await freshTable(ddb, sessionsTable, "sessions");
  const state = new RunStateStore(ddb.client, stateTable, "gists");
  const store = new SessionStore(ddb.client, sessions, TTL);
  const handler = gistsReadHandler({ state, sessions: store, obs: createObservability("test"), users: USERS, schedule: "rate(30 minutes)", sessionTtlSeconds: TTL, schemas: gistsReadSchemas() });
  // What a sync would have left: two scanned users and three confirmed gists.
  const now = new Date();
  await state.saveSource("github:alice", { lastSuccess: now.toISOString(), counts: zeroCounts() });
  await state.saveSource("github:bob", { lastError: "GitHub answered 500" });
  for (let i = 0; i < 3; i++) {
    const gist: GistItem = { url: `https://gist.github.com/alice/${i}`, user: "alice", title: `gist ${i}`, createdAt: now.toISOString(), dealId: i + 1 };
    await state.recordIntent(`gist:${i}`, gist, now);
    await state.confirm(`gist:${i}`, gist, new Date(now.getTime() + i));
  }
  const feed = (await state.confirmedAfter<GistItem>(undefined, 100)).items;
  const live = await store.create(now, feed[0]!.position);
  const snapshot = () => tablesSnapshot(ddb.client, [stateTable, sessions]);
  const sessionCookie = fc.oneof(
    fc.constant(undefined),
    fc.constant(`${GISTS_SESSION_COOKIE}=${live.id}`),
    anyText().map((v) => `${GISTS_SESSION_COOKIE}=${v}`),
    fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((v) => `${GISTS_SESSION_COOKIE}=${v}`),
    anyText(),
  );
  const routeKey = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...gistsReadRouteKeys().map((r) => r.routeKey)) }, { weight: 1, arbitrary: anyPathSegment().map((s) => `GET /${encodeSegment(s)}`) });
  const query = fc.oneof(fc.constant({}), anyQuery());
  const statuses = new StatusTally();
  await checkProperty(
    t,
    fc.asyncProperty(routeKey, query, sessionCookie, anyHeaders(), fc.ipV4(), async (key, q, cookie, headers, sourceIp) => {
      const path = key.slice("GET ".length);
      const event = generatedEvent({ method: "GET", path, routeKey: key, query: q, headers: { ...headers, ...(cookie === undefined ? {} : { cookie }) } });
      event.requestContext.http.sourceIp = sourceIp;
      const before = await snapshot();
      const result = await handler(event);
      const answer = expectAnswer(result, statuses);
      const operation = gistsReadRouteKeys().find((r) => r.routeKey === key)?.operationId;
      if (!isSuccess(answer) || operation !== "newGists") return expectUnchanged(before, await snapshot(), `${key} answered ${answer.status}`);
      // A 200 of /gists: a slice of the feed in order; the session it names (if any) is at the last one shown.
      const start = answer.body.items.length ? feed.findIndex((g) => g.key === `gist:${answer.body.items[0].id}`) : 0;
      expectSame(answer.body.items.map((g: { id: string }) => `gist:${g.id}`), feed.slice(start, start + answer.body.items.length).map((g) => g.key), "the gists shown");
      const setCookie = result.cookies?.[0];
      if (setCookie) {
        const id = /^[^=]+=([^;]+);/.exec(setCookie)?.[1];
        const session = await store.find(id, new Date());
        const lastShown = feed.find((g) => g.key === `gist:${answer.body.items.at(-1)?.id}`)?.position;
        if (!session) throw new Error(`the cookie ${setCookie} names no live session`);
        if (lastShown !== undefined && session.position! < lastShown) throw new Error(`the session is at ${session.position}, before the last gist shown (${lastShown})`);
      }
    }),
    80,
    { statuses },
  );
});

test("GET /health: any query and headers get a 200 with every sync or a 4xx problem, and change nothing", async (t) => {
  const table = await freshTable(ddb, syncStateTable, "health");
  const runs = new RunStateStore(ddb.client, table, "gists");
  await runs.startRun("run-1", new Date());
  await runs.finishRun("run-1", new Date(), zeroCounts());
  const handler = apiHealthHandler(apiHealthDeps("test", { SYNCS: JSON.stringify({ gists: { table, schedule: "rate(30 minutes)" } }) }));
  const statuses = new StatusTally();
  await checkProperty(
    t,
    fc.asyncProperty(fc.oneof(fc.constant({}), anyQuery()), anyHeaders(), async (query, headers) => {
      const before = await tablesSnapshot(ddb.client, [table]);
      const answer = expectAnswer(await handler(generatedEvent({ method: "GET", path: "/health", routeKey: API_HEALTH_ROUTE_KEY, query, headers })), statuses);
      expectUnchanged(before, await tablesSnapshot(ddb.client, [table]), `GET /health answered ${answer.status}`);
      if (isSuccess(answer)) expectSame([answer.body.status, Object.keys(answer.body.syncs), answer.body.syncs.gists.lastSuccess], ["ok", ["gists"], (await runs.run()).lastSuccess], "the health report");
    }),
    60,
    { statuses },
  );
});

test("$default: any method, path, query, headers and body get a 404 route-not-found problem", async (t) => {
  const handler = routeNotFoundHandler(createObservability("test"));
  const statuses = new StatusTally();
  const method = fc.oneof(fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"), fc.stringMatching(/^[A-Za-z]{1,10}$/));
  const path = fc.array(anyPathSegment(), { maxLength: 4 }).map((segments) => `/${segments.map(encodeSegment).join("/")}`);
  await checkProperty(
    t,
    fc.asyncProperty(method, path, anyQuery(), anyHeaders(), fc.option(anyRawBody(), { nil: undefined }), async (m, p, query, headers, body) => {
      const answer = expectAnswer(await handler(generatedEvent({ method: m, path: p, routeKey: "$default", query, headers, body })), statuses);
      expectSame([answer.status, answer.body.type], [404, "urn:switchyard:problem:route-not-found"], "the answer to an unrouted request");
    }),
    100,
    { statuses },
  );
});
