// The gists → Pipedrive job against the GitHub and Pipedrive stand-ins and DynamoDB Local:
// exact first run, a quiet second run, crash recovery without duplicates, throttling, isolation.
import test, { type ExecutionContext } from "ava";
import { createObservability } from "../../handlers/shared/observability";
import { GitHubClient } from "../../handlers/sync/github";
import { runGistsJob } from "../../handlers/sync/gists-job";
import { PipedriveClient } from "../../handlers/sync/pipedrive";
import { RunStateStore } from "../../handlers/sync/run-state";
import { syncStateTable } from "../../handlers/sync/tables";
import { startGitHubStandIn } from "../../local/standins/github";
import { startPipedriveStandIn } from "../../local/standins/pipedrive";
import { freshTable, startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";

const FIELD = "gist_url_key";
let ddb: DynamoDbLocal;
test.before(async () => {
  ddb = await startDynamoDbLocal();
});
test.after.always(async () => ddb?.stop());

async function world(t: ExecutionContext, users = ["alice", "bob"]) {
  const github = await startGitHubStandIn();
  const pipedrive = await startPipedriveStandIn({ token: "pd-token" });
  t.teardown(() => Promise.all([github.close(), pipedrive.close()]).then(() => undefined));
  let table = await freshTable(ddb, syncStateTable, "sync");
  let run = 0;
  const clients = () => ({ github: new GitHubClient({ baseUrl: github.url, token: "gh-token" }), pipedrive: new PipedriveClient({ baseUrl: pipedrive.url, apiToken: "pd-token" }) });
  const w = {
    github,
    pipedrive,
    state: new RunStateStore(ddb.client, table, "gists"),
    /** Starts over with an empty state table (a lost table, a new stack, a second deployment), same GitHub and Pipedrive. */
    loseState: async () => {
      table = await freshTable(ddb, syncStateTable, "sync");
      w.state = new RunStateStore(ddb.client, table, "gists");
    },
    /** One run with fresh clients (as a new invocation would have); `tweak` can wrap them; `now` shifts the job's clock. */
    run: async (tweak?: (c: ReturnType<typeof clients>) => void, now?: () => Date) => {
      const c = clients();
      tweak?.(c);
      const summary = await runGistsJob({ ...c, state: new RunStateStore(ddb.client, table, "gists"), obs: createObservability("test"), users, gistUrlField: FIELD, ...(now ? { now } : {}) }, `run-${++run}`);
      return { summary, githubCalls: c.github.calls, pipedriveCalls: c.pipedrive.calls };
    },
  };
  return w;
}

/** A clock `ms` ahead of the real one. */
const later = (ms: number) => () => new Date(Date.now() + ms);

const dealUrls = (w: Awaited<ReturnType<typeof world>>) => w.pipedrive.deals().map((d) => d.custom_fields[FIELD]).sort();

test("a first run creates one deal per gist under the user's organization; a second run makes only 304s and no writes", async (t) => {
  const w = await world(t);
  const gists = [
    w.github.addGist("alice", { description: "Parse CSV in one line", created_at: "2026-11-01T10:00:00Z" }),
    w.github.addGist("alice", { description: null, files: { "notes.md": { filename: "notes.md" } }, created_at: "2026-11-02T10:00:00Z" }),
    w.github.addGist("bob", { description: "  Bash tips  ", created_at: "2026-11-03T10:00:00Z" }),
  ];
  const first = await w.run();
  t.deepEqual(first.summary.counts, { seen: 3, created: 3, skipped: 0, failed: 0 });
  t.deepEqual(first.summary.users, { alice: "synced", bob: "synced" });
  t.deepEqual(w.pipedrive.organizations().map((o) => o.name).sort(), ["alice", "bob"]);
  t.deepEqual(dealUrls(w), gists.map((g) => g.html_url).sort());
  t.deepEqual(w.pipedrive.deals().map((d) => d.title).sort(), ["Bash tips", "Parse CSV in one line", "notes.md"]);
  const alice = w.pipedrive.organizations().find((o) => o.name === "alice")!;
  t.true(w.pipedrive.deals().filter((d) => d.custom_fields[FIELD]!.toString().includes("/alice/")).every((d) => d.org_id === alice.id));

  const requestsBefore = w.pipedrive.requests.length;
  const second = await w.run();
  t.is(second.githubCalls, 2, "one conditional request per user");
  t.true(w.github.requests.slice(-2).every((r) => r.status === 304));
  t.is(second.pipedriveCalls, 0);
  t.is(w.pipedrive.requests.length, requestsBefore);
  t.deepEqual(second.summary.users, { alice: "unchanged", bob: "unchanged" });
  t.like(await w.state.run(), { runId: "run-2", lastError: undefined });
});

test("a new gist costs one conditional listing and at most three Pipedrive calls", async (t) => {
  const w = await world(t, ["carol"]);
  w.github.addGist("carol", { description: "first" });
  const first = await w.run();
  t.true(first.pipedriveCalls <= 3, `first gist of a new user: ${first.pipedriveCalls} calls (search org, create org, create deal)`);
  w.github.addGist("carol", { description: "second" });
  const next = await w.run();
  t.is(next.pipedriveCalls, 2, "the organization id is remembered: its deals listed once, then the deal");
  t.deepEqual(w.pipedrive.requests.slice(-2).map((r) => `${r.method} ${r.path}`), ["GET /api/v2/deals", "POST /api/v2/deals"]);
  t.is(w.pipedrive.deals().length, 2);
});

test("a crash after Pipedrive created the deal but before the run recorded it: the re-run finds the deal, no duplicate", async (t) => {
  const w = await world(t, ["dave"]);
  const gist = w.github.addGist("dave", { description: "crashy" });
  const crashed = await w.run((c) => {
    const create = c.pipedrive.createDeal.bind(c.pipedrive);
    c.pipedrive.createDeal = async (deal) => {
      await create(deal);
      throw new Error("process killed");
    };
  });
  t.regex(crashed.summary.users.dave!, /process killed/);
  t.is(w.pipedrive.deals().length, 1);
  t.like(await w.state.item(`gist:${gist.id}`), { status: "intent" });
  const rerun = await w.run();
  t.deepEqual(rerun.summary.users, { dave: "synced" });
  t.is(w.pipedrive.deals().length, 1, "still one deal");
  t.like(await w.state.item(`gist:${gist.id}`), { status: "confirmed", data: { dealId: w.pipedrive.deals()[0]!.id } });
});

test("a crash after recording the intent but before the deal was created: the re-run lists the organization's deals, then creates exactly one", async (t) => {
  const w = await world(t, ["erin"]);
  w.github.addGist("erin", { description: "half done" });
  w.pipedrive.failNext(1, { status: 500 }, (r) => r.method === "POST" && r.path.endsWith("/deals"));
  const failed = await w.run();
  t.regex(failed.summary.users.erin!, /HTTP 500/);
  t.is(w.pipedrive.deals().length, 0);
  await w.run();
  t.is(w.pipedrive.deals().length, 1);
  t.false(w.pipedrive.requests.some((r) => r.path.startsWith("/api/v2/deals/search")), "never the search index");
  t.true(w.pipedrive.requests.some((r) => r.method === "GET" && r.path === "/api/v2/deals" && r.query.org_id !== undefined), "the deals listed before creating");
});

test("Pipedrive 429: the run stops with progress kept, and the next run finishes without duplicates", async (t) => {
  const w = await world(t, ["frank", "grace"]);
  for (let i = 0; i < 4; i++) w.github.addGist("frank", { description: `f${i}`, created_at: `2026-11-0${i + 1}T00:00:00Z` });
  w.github.addGist("grace", { description: "g" });
  let deals = 0;
  w.pipedrive.failNext(1, { status: 429, headers: { "retry-after": "7" } }, (r) => r.method === "POST" && r.path.endsWith("/deals") && ++deals === 3);
  const throttled = await w.run();
  t.is(throttled.summary.rateLimited?.api, "pipedrive");
  t.true(Math.abs(Date.parse(throttled.summary.rateLimited!.retryAt) - (Date.now() + 7000)) < 5000);
  t.regex(throttled.summary.users.grace!, /^not reached \(pipedrive rate limited until /);
  t.is(w.pipedrive.deals().length, 2, "the two made before the 429 are kept");
  // A run before the retry time sends nothing and says when it will.
  const [githubBefore, pipedriveBefore] = [w.github.requests.length, w.pipedrive.requests.length];
  const early = await w.run();
  t.deepEqual([w.github.requests.length, w.pipedrive.requests.length], [githubBefore, pipedriveBefore]);
  t.is(early.summary.rateLimited?.retryAt, throttled.summary.rateLimited!.retryAt);
  const next = await w.run(undefined, later(10_000));
  t.deepEqual(next.summary.users, { frank: "synced", grace: "synced" });
  t.is(w.pipedrive.deals().length, 5);
  t.is(new Set(dealUrls(w)).size, 5);
});

test("GitHub failing for one user does not block the others; its ETag is not advanced", async (t) => {
  const w = await world(t, ["heidi", "ivan"]);
  w.github.addGist("heidi", { description: "h" });
  w.github.addGist("ivan", { description: "i" });
  w.github.failNext(3, { status: 503 }, (r) => r.user === "heidi");
  const run = await w.run();
  t.regex(run.summary.users.heidi!, /HTTP 503/);
  t.is(run.summary.users.ivan, "synced");
  t.like(await w.state.source("github:heidi"), { lastError: "github: HTTP 503 listing gists of heidi" });
  t.like(await w.state.run(), { lastError: "heidi: github: HTTP 503 listing gists of heidi" });
  const again = await w.run();
  t.is(again.summary.users.heidi, "synced");
  t.is(w.pipedrive.deals().length, 2);
});

test("GitHub's primary rate limit ends the run for every user and says when to resume", async (t) => {
  const w = await world(t, ["judy", "kim"]);
  w.github.addGist("judy", {});
  w.github.rateLimit = { limit: 60, remaining: 0, resetEpochSeconds: Math.floor(Date.now() / 1000) + 600 };
  const run = await w.run();
  t.is(run.summary.rateLimited?.api, "github");
  t.regex(run.summary.users.kim!, /^not reached \(github rate limited until /);
  t.is(run.githubCalls, 1);
});

test("an empty state table against a Pipedrive that has the deals (a lost table, a new stack, a second deployment): no deal or organization is made twice", async (t) => {
  const w = await world(t, ["lena", "mo"]);
  for (const user of ["lena", "mo"]) for (let i = 0; i < 3; i++) w.github.addGist(user, { description: `${user} ${i}`, created_at: `2026-11-0${i + 1}T00:00:00Z` });
  await w.run();
  t.is(w.pipedrive.deals().length, 6);
  await w.loseState();
  const again = await w.run();
  t.deepEqual(again.summary.counts, { seen: 6, created: 0, skipped: 6, failed: 0 });
  t.is(w.pipedrive.deals().length, 6, "no second deal");
  t.is(w.pipedrive.organizations().length, 2, "no second organization");
  t.is(again.pipedriveCalls, 4, "per user: the organization by name, then its deals once");
  // What it found is now known: the next run is quiet again.
  const quiet = await w.run();
  t.is(quiet.pipedriveCalls, 0);
});

test("Pipedrive commits the deal, then the connection drops, while its search lags a minute: the re-run makes no duplicate", async (t) => {
  const w = await world(t, ["nina"]);
  w.pipedrive.setSearchLag(60_000);
  const gist = w.github.addGist("nina", { description: "dropped" });
  w.pipedrive.dropAfterCommit(1, (r) => r.method === "POST" && r.path === "/api/v2/deals");
  const dropped = await w.run();
  t.is(dropped.summary.counts.failed, 1);
  t.is(w.pipedrive.deals().length, 1, "the deal exists though the run never heard back");
  const rerun = await w.run();
  t.deepEqual(rerun.summary.users, { nina: "synced" });
  t.is(w.pipedrive.deals().length, 1, "still one deal");
  t.like(await w.state.item(`gist:${gist.id}`), { status: "confirmed", data: { dealId: w.pipedrive.deals()[0]!.id } });
});

test("Pipedrive commits the organization, then the connection drops, while its search lags: the re-run finds it, no second organization", async (t) => {
  const w = await world(t, ["omar"]);
  w.pipedrive.setSearchLag(60_000);
  w.github.addGist("omar", { description: "first" });
  w.pipedrive.dropAfterCommit(1, (r) => r.method === "POST" && r.path === "/api/v2/organizations");
  const dropped = await w.run();
  t.is(dropped.summary.counts.failed, 1);
  t.is(w.pipedrive.organizations().length, 1);
  await w.run();
  t.is(w.pipedrive.organizations().length, 1, "the organization made before the drop is found by listing, not search");
  t.is(w.pipedrive.deals().length, 1);
  t.is(w.pipedrive.deals()[0]!.org_id, w.pipedrive.organizations()[0]!.id);
});

test("a drop after commit on any Pipedrive call, at every step of a first run: never a duplicate", async (t) => {
  // Each call of a first run (search org, create org, create deal ×2), dropped once after it did its work.
  for (const step of [0, 1, 2, 3]) {
    const w = await world(t, ["pia"]);
    w.pipedrive.setSearchLag(60_000);
    w.github.addGist("pia", { description: "a", created_at: "2026-11-01T00:00:00Z" });
    w.github.addGist("pia", { description: "b", created_at: "2026-11-02T00:00:00Z" });
    let seen = 0;
    w.pipedrive.dropAfterCommit(1, () => seen++ === step);
    await w.run();
    await w.run();
    await w.run();
    t.is(w.pipedrive.organizations().length, 1, `step ${step}: one organization`);
    t.is(w.pipedrive.deals().length, 2, `step ${step}: one deal per gist`);
    t.is(new Set(dealUrls(w)).size, 2);
  }
});

test("GitHub saying no requests are left: the next run before the reset sends nothing and says when it will", async (t) => {
  const w = await world(t, ["quinn", "ravi"]);
  w.github.addGist("quinn", {});
  w.github.addGist("ravi", {});
  const reset = Math.floor(Date.now() / 1000) + 600;
  // The first answer succeeds but spends the last request of the hour.
  w.github.rateLimit = { limit: 60, remaining: 1, resetEpochSeconds: reset };
  const first = await w.run();
  t.is(first.summary.users.quinn, "synced");
  t.regex(first.summary.users.ravi!, /no requests left before the reset/);
  t.is(first.githubCalls, 1, "the second user's request is not sent: GitHub would refuse it");
  t.deepEqual((await w.state.run()).rateLimits, { github: new Date(reset * 1000).toISOString() });
  const before = w.github.requests.length;
  const next = await w.run();
  t.is(w.github.requests.length, before, "no request before the reset");
  t.is(next.summary.rateLimited?.retryAt, new Date(reset * 1000).toISOString());
  t.regex(next.summary.users.quinn!, /^not reached \(github rate limited until /);
  t.regex((await w.state.run()).lastError ?? "", new RegExp(`github rate limited until ${new Date(reset * 1000).toISOString()}`));
  // After the reset the run goes on, and the remembered limit is gone.
  w.github.rateLimit = { limit: 60, remaining: 60, resetEpochSeconds: reset + 3600 };
  const after = await w.run(undefined, later(601_000));
  t.deepEqual(after.summary.users, { quinn: "unchanged", ravi: "synced" });
  t.deepEqual((await w.state.run()).rateLimits, {});
});

test("a Pipedrive without the organization listing (404) is asked by exact-name search instead", async (t) => {
  const w = await world(t, ["sam"]);
  w.github.addGist("sam", { description: "first" });
  await w.run();
  await w.loseState();
  w.github.addGist("sam", { description: "second" });
  w.pipedrive.failNext(1, { status: 404, body: { success: false, error: "Unknown method" } }, (r) => r.method === "GET" && r.path === "/api/v2/organizations");
  const run = await w.run();
  t.deepEqual(run.summary.users, { sam: "synced" });
  t.true(w.pipedrive.requests.some((r) => r.path === "/api/v2/organizations/search" && r.query.exact_match === "true"));
  t.is(w.pipedrive.organizations().length, 1, "found by search");
  t.is(w.pipedrive.deals().length, 2, "the first deal found in the listing, the second created");
});
