// The gists sync's read API (handlers/sync/gists-read.ts) against DynamoDB Local, fed by real runs
// of the job against the GitHub and Pipedrive stand-ins: scanned and current users, and
// "new gists since this session's last call" by an HttpOnly cookie with TTL-expired sessions.
import test, { type ExecutionContext } from "ava";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { createObservability } from "../../handlers/shared/observability";
import { GitHubClient } from "../../handlers/sync/github";
import { runGistsJob } from "../../handlers/sync/gists-job";
import { NEW_SESSIONS_PER_MINUTE, gistsReadHandler, gistsReadSchemas } from "../../handlers/sync/gists-read";
import { GISTS_SESSION_COOKIE, gistsReadRouteKeys } from "../../handlers/sync/gists-routes";
import { PipedriveClient } from "../../handlers/sync/pipedrive";
import { RunStateStore } from "../../handlers/sync/run-state";
import { SessionStore } from "../../handlers/sync/sessions";
import { sessionsTable, syncStateTable } from "../../handlers/sync/tables";
import { startGitHubStandIn } from "../../local/standins/github";
import { startPipedriveStandIn } from "../../local/standins/pipedrive";
import { freshTable, startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";

let ddb: DynamoDbLocal;
test.before(async () => {
  ddb = await startDynamoDbLocal();
});
test.after.always(async () => ddb?.stop());

const TTL = 3600;
// The test's clock starts now (to the minute), not at a fixed date: DynamoDB Local's TTL sweeper
// really deletes sessions whose expiresAt is past in wall-clock time.
const T0 = Math.floor(Date.now() / 60_000) * 60_000;
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

async function world(t: ExecutionContext, users = ["alice", "bob"]) {
  const github = await startGitHubStandIn();
  const pipedrive = await startPipedriveStandIn({ token: "pd-token" });
  t.teardown(() => Promise.all([github.close(), pipedrive.close()]).then(() => undefined));
  const stateTable = await freshTable(ddb, syncStateTable, "sync");
  const sessions = await freshTable(ddb, sessionsTable, "sessions");
  let clock = new Date(at(0));
  let runs = 0;
  const handler = gistsReadHandler({
    state: new RunStateStore(ddb.client, stateTable, "gists"),
    sessions: new SessionStore(ddb.client, sessions, TTL),
    obs: createObservability("test"),
    users,
    schedule: "rate(30 minutes)",
    sessionTtlSeconds: TTL,
    schemas: gistsReadSchemas(),
    now: () => clock,
  });
  return {
    github,
    pipedrive,
    sessions,
    setClock: (at: string) => (clock = new Date(at)),
    run: (runUsers = users) =>
      runGistsJob(
        {
          github: new GitHubClient({ baseUrl: github.url }),
          pipedrive: new PipedriveClient({ baseUrl: pipedrive.url, apiToken: "pd-token" }),
          state: new RunStateStore(ddb.client, stateTable, "gists"),
          obs: createObservability("test"),
          users: runUsers,
          gistUrlField: "gist_url",
          now: () => clock,
        },
        `run-${++runs}`,
      ),
    /** A GET through the handler, as API Gateway would route it; `cookie` is sent back as browsers do. */
    get: async (path: string, cookie?: string, routeKey?: string) => {
      const event = apiEvent("GET", path, { routeKey: routeKey ?? `GET ${path.split("?")[0]}`, headers: cookie ? { cookie } : {} });
      const result = await handler(event);
      return { ...parseResult(result), cookies: result.cookies ?? [] };
    },
  };
}

const sessionCookie = (cookies: string[]) => cookies.find((c) => c.startsWith(`${GISTS_SESSION_COOKIE}=`))?.split(";")[0];

test("every route answers at its new path and at its original Flask path", async (t) => {
  const w = await world(t);
  for (const { routeKey } of gistsReadRouteKeys()) {
    const path = routeKey.split(" ")[1]!;
    const res = await w.get(path, undefined, routeKey);
    t.is(res.status, 200, routeKey);
  }
  t.deepEqual(
    gistsReadRouteKeys().map((r) => r.routeKey).sort(),
    ["GET /getAllScannedUsers", "GET /getCurrentlyScannedUsers", "GET /getGists", "GET /gists", "GET /users/current", "GET /users/scanned"],
  );
  // /health is the API's own now (tests/handlers/api-health.test.ts): this function no longer serves it.
  const health = await w.get("/health");
  t.is(health.status, 404);
  t.is(health.body.type, "urn:switchyard:problem:route-not-found");
});

test("/gists: a new session sees every synced gist, then only what was synced since its last call", async (t) => {
  const w = await world(t);
  w.github.addGist("alice", { description: "first", created_at: "2026-11-01T10:00:00Z" });
  w.github.addGist("bob", { description: "second", created_at: "2026-11-02T10:00:00Z" });
  await w.run();

  const first = await w.get("/gists");
  t.is(first.status, 200);
  t.deepEqual(first.body.items.map((g: any) => [g.user, g.title]).sort(), [["alice", "first"], ["bob", "second"]]);
  t.true(first.body.items.every((g: any) => typeof g.dealId === "number" && g.url.startsWith("http") && g.syncedAt === at(0)));
  t.false(first.body.more);
  const [setCookie] = first.cookies;
  t.regex(setCookie!, new RegExp(`^${GISTS_SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Max-Age=${TTL}; Path=/; HttpOnly; Secure; SameSite=None; Partitioned$`));
  const cookie = sessionCookie(first.cookies)!;

  const again = await w.get("/gists", cookie);
  t.deepEqual(again.body, { items: [], more: false }, "nothing new since the last call");

  w.setClock(at(30));
  w.github.addGist("alice", { description: "third", created_at: "2026-11-25T12:10:00Z" });
  await w.run();
  const next = await w.get("/getGists", cookie, "GET /getGists");
  t.deepEqual(next.body.items.map((g: any) => g.title), ["third"]);

  const otherBrowser = await w.get("/gists");
  t.deepEqual(otherBrowser.body.items.map((g: any) => g.title).sort(), ["first", "second", "third"], "sessions are independent");
  t.is(otherBrowser.body.items.at(-1).title, "third", "in the order they were synced");
  t.not(sessionCookie(otherBrowser.cookies), cookie);
});

test("/gists pages with ?limit: the rest comes with the next call, none twice, none lost", async (t) => {
  const w = await world(t, ["alice"]);
  for (let i = 1; i <= 5; i++) w.github.addGist("alice", { description: `gist ${i}`, created_at: `2026-11-0${i}T10:00:00Z` });
  await w.run();
  const seen: string[] = [];
  let cookie: string | undefined;
  let more = true;
  while (more) {
    const res = await w.get("/gists?limit=2", cookie);
    cookie ??= sessionCookie(res.cookies);
    t.true(res.body.items.length <= 2);
    seen.push(...res.body.items.map((g: any) => g.title));
    more = res.body.more;
  }
  // One run confirms all five within the same instant here (a frozen clock): any order, but each once.
  t.is(seen.length, 5);
  t.deepEqual([...seen].sort(), ["gist 1", "gist 2", "gist 3", "gist 4", "gist 5"]);
  t.deepEqual((await w.get("/gists", cookie)).body.items, []);
});

test("an unknown, malformed or expired session cookie starts a new session; expiry is a TTL attribute", async (t) => {
  const w = await world(t, ["alice"]);
  w.github.addGist("alice", { description: "only", created_at: "2026-11-01T10:00:00Z" });
  await w.run();
  const first = await w.get("/gists");
  const cookie = sessionCookie(first.cookies)!;
  t.deepEqual((await w.get("/gists", cookie)).body.items, []);

  const [stored] = (await ddb.client.send(new ScanCommand({ TableName: w.sessions }))).Items!;
  t.false(JSON.stringify(stored).includes(cookie.split("=")[1]!), "only a hash of the session id is stored");
  t.is(Number(stored!.expiresAt!.N), T0 / 1000 + TTL);

  for (const bad of [`${GISTS_SESSION_COOKIE}=not-a-session`, `${GISTS_SESSION_COOKIE}=${"A".repeat(43)}`]) {
    const res = await w.get("/gists", bad);
    t.is(res.status, 200);
    t.deepEqual(res.body.items.map((g: any) => g.title), ["only"], bad);
  }
  // Past its expiry the session is gone even before DynamoDB's TTL sweeper deletes it.
  w.setClock(new Date(T0 + (TTL + 1) * 1000).toISOString());
  const expired = await w.get("/gists", cookie);
  t.deepEqual(expired.body.items.map((g: any) => g.title), ["only"]);
  t.not(sessionCookie(expired.cookies), cookie);
});

test("a call renews the session's expiry", async (t) => {
  const w = await world(t, ["alice"]);
  w.github.addGist("alice", { description: "one" });
  await w.run();
  const cookie = sessionCookie((await w.get("/gists")).cookies)!;
  w.setClock(at(50));
  await w.get("/gists", cookie);
  const { Items = [] } = await ddb.client.send(new ScanCommand({ TableName: w.sessions }));
  t.is(Items.length, 1);
  t.is(Number(Items[0]!.expiresAt!.N), Date.parse(at(50)) / 1000 + TTL);
});

test("a session starts only when there is something to remember, in one write; a client that drops cookies cannot flood the table", async (t) => {
  const w = await world(t, ["alice"]);
  w.github.addUser("alice");
  await w.run();
  const empty = await w.get("/gists");
  t.deepEqual(empty.body, { items: [], more: false });
  t.deepEqual(empty.cookies, [], "nothing to remember: no session, no cookie");
  t.deepEqual((await ddb.client.send(new ScanCommand({ TableName: w.sessions }))).Items, []);

  w.github.addGist("alice", { description: "one" });
  await w.run();
  const first = await w.get("/gists");
  const cookie = sessionCookie(first.cookies)!;
  t.truthy(cookie);
  const [stored] = (await ddb.client.send(new ScanCommand({ TableName: w.sessions }))).Items!;
  t.truthy(stored!.position?.S, "created at its place in the feed, not created then advanced");
  t.deepEqual((await w.get("/gists", cookie)).body.items, []);

  // A script that never sends the cookie back: past the budget it gets pages but no sessions.
  for (let i = 0; i < NEW_SESSIONS_PER_MINUTE + 15; i++) t.is((await w.get("/gists")).status, 200);
  const count = (await ddb.client.send(new ScanCommand({ TableName: w.sessions }))).Items!.length;
  t.is(count, NEW_SESSIONS_PER_MINUTE, "one per request up to the budget (the first one included), then none");
});

test("bad query parameters are a 400 problem and start no session", async (t) => {
  const w = await world(t);
  for (const [path, routeKey] of [["/gists?limit=0", "GET /gists"], ["/gists?limit=abc", "GET /gists"], ["/gists?limit=101", "GET /gists"], ["/gists?since=x", "GET /gists"], ["/users/scanned?verbose=1", "GET /users/scanned"], ["/users/current?x=1", "GET /users/current"]] as const) {
    const res = await w.get(path, undefined, routeKey);
    t.is(res.status, 400, path);
    t.is(res.headers["content-type"], "application/problem+json");
    t.is(res.body.type, "urn:switchyard:problem:validation-failed");
    t.deepEqual(res.cookies, []);
  }
  t.deepEqual((await ddb.client.send(new ScanCommand({ TableName: w.sessions }))).Items, []);
});

test("/users/scanned lists every user ever scanned with its outcome; /users/current the configured ones", async (t) => {
  const w = await world(t, ["alice", "bob"]);
  w.github.addGist("alice", { description: "a" });
  w.github.addGist("zed", { description: "z" });
  w.github.addUser("bob");
  await w.run(["zed", "alice"]);
  w.github.failNext(3, { status: 500 }, (req) => req.path === "/users/bob/gists");
  await w.run(["alice", "bob"]);
  const scanned = await w.get("/getAllScannedUsers", undefined, "GET /getAllScannedUsers");
  t.deepEqual(scanned.body.items.map((u: any) => u.user), ["alice", "bob", "zed"]);
  const [alice, bob] = scanned.body.items;
  t.truthy(alice.lastSuccess);
  t.is(alice.lastError, null);
  t.like(alice.counts, { seen: 1 });
  t.is(bob.lastSuccess, null);
  t.regex(bob.lastError, /500/);
  t.deepEqual(w.github.requests.filter((r) => r.path === "/users/bob/gists").map((r) => r.status), [500, 500, 500], "tried three times");
  const current = await w.get("/users/current");
  t.deepEqual(current.body, { items: ["alice", "bob"], schedule: "rate(30 minutes)" });
});
