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
  const table = await freshTable(ddb, syncStateTable, "sync");
  let run = 0;
  const clients = () => ({ github: new GitHubClient({ baseUrl: github.url, token: "gh-token" }), pipedrive: new PipedriveClient({ baseUrl: pipedrive.url, apiToken: "pd-token" }) });
  return {
    github,
    pipedrive,
    state: new RunStateStore(ddb.client, table, "gists"),
    /** One run with fresh clients (as a new invocation would have); `tweak` can wrap them. */
    run: async (tweak?: (c: ReturnType<typeof clients>) => void) => {
      const c = clients();
      tweak?.(c);
      const summary = await runGistsJob({ ...c, state: new RunStateStore(ddb.client, table, "gists"), obs: createObservability("test"), users, gistUrlField: FIELD }, `run-${++run}`);
      return { summary, githubCalls: c.github.calls, pipedriveCalls: c.pipedrive.calls };
    },
  };
}

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
  t.is(next.pipedriveCalls, 1, "the organization id is remembered: just the deal");
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

test("a crash after recording the intent but before the deal was created: the re-run searches, then creates exactly one", async (t) => {
  const w = await world(t, ["erin"]);
  w.github.addGist("erin", { description: "half done" });
  w.pipedrive.failNext(1, { status: 500 }, (r) => r.method === "POST" && r.path.endsWith("/deals"));
  const failed = await w.run();
  t.regex(failed.summary.users.erin!, /HTTP 500/);
  t.is(w.pipedrive.deals().length, 0);
  await w.run();
  t.is(w.pipedrive.deals().length, 1);
  t.true(w.pipedrive.requests.some((r) => r.path.startsWith("/api/v2/deals/search")), "searched before creating");
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
  t.is(throttled.summary.users.grace, "not reached (rate limited)");
  t.is(w.pipedrive.deals().length, 2, "the two made before the 429 are kept");
  const next = await w.run();
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
  t.is(run.summary.users.kim, "not reached (rate limited)");
  t.is(run.githubCalls, 1);
});
