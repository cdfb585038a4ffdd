// GET /health (handlers/health/api-health.ts) against DynamoDB Local: every sync named in SYNCS,
// each with its last run and freshness from its own run-state table, built by the real deps factory.
import test from "ava";
import { useLocalAws } from "../../local/emulators/aws-env";
import { apiHealthDeps, apiHealthHandler } from "../../handlers/health/api-health";
import { RunStateStore } from "../../handlers/sync/run-state";
import { syncStateTable } from "../../handlers/sync/tables";
import { zeroCounts } from "../../handlers/sync/run-state";
import { freshTable, startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";

let ddb: DynamoDbLocal;
test.before(async () => {
  ddb = await startDynamoDbLocal();
  // apiHealthDeps builds its own DynamoDB client, as in Lambda: point it at DynamoDB Local.
  useLocalAws({ dynamodb: ddb.endpoint });
});
test.after.always(async () => ddb?.stop());

const T0 = Date.parse("2026-11-25T10:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** The handler as the deps factory builds it from SYNCS, on a clock the test sets. */
function healthApi(syncs: Record<string, { table: string; schedule: string }> | undefined, clock: { now: Date }, titles?: Record<string, string>) {
  const deps = apiHealthDeps("test-api-health", syncs === undefined ? {} : { SYNCS: JSON.stringify(syncs) }, titles);
  const handler = apiHealthHandler({ ...deps, now: () => clock.now });
  return async (path = "/health") => parseResult(await handler(apiEvent("GET", path, { routeKey: "GET /health" })));
}

/** A finished run of `job`, as the sync jobs record it. */
async function ran(table: string, job: string, start: Date, end: Date, error?: string) {
  const state = new RunStateStore(ddb.client, table, job);
  await state.startRun(`run-${start.toISOString()}`, start);
  await state.finishRun(`run-${start.toISOString()}`, end, zeroCounts(), error);
}

test("reports every sync in SYNCS: fresh, stale, never run, failing, and cron (freshness unknown)", async (t) => {
  const gistsTable = await freshTable(ddb, syncStateTable, "gists");
  const skillsTable = await freshTable(ddb, syncStateTable, "skills");
  await ran(gistsTable, "gists", at(-20), at(-19));
  await ran(skillsTable, "skills", at(-800), at(-799)); // rate(6 hours): stale after 720 minutes
  await ran(skillsTable, "skills", at(-60), at(-59), "Airtable answered 503"); // a later failed run keeps the last success
  await ran(gistsTable, "nightly", at(-600), at(-599));
  const clock = { now: at(0) };
  const get = healthApi(
    {
      gists: { table: gistsTable, schedule: "rate(30 minutes)" },
      skills: { table: skillsTable, schedule: "rate(6 hours)" },
      nightly: { table: gistsTable, schedule: "cron(0 3 * * ? *)" },
      fresh: { table: skillsTable, schedule: "rate(1 hour)" },
    },
    clock,
  );
  const res = await get();
  t.is(res.status, 200);
  t.is(res.headers["content-type"], "application/json");
  t.is(res.headers["cache-control"], "no-store");
  t.deepEqual(res.body, {
    status: "ok",
    syncs: {
      gists: { schedule: "rate(30 minutes)", lastStart: at(-20).toISOString(), lastSuccess: at(-19).toISOString(), lastError: null, minutesSinceSuccess: 19, stale: false },
      skills: { schedule: "rate(6 hours)", lastStart: at(-60).toISOString(), lastSuccess: at(-799).toISOString(), lastError: "Airtable answered 503", minutesSinceSuccess: 799, stale: true },
      nightly: { schedule: "cron(0 3 * * ? *)", lastStart: at(-600).toISOString(), lastSuccess: at(-599).toISOString(), lastError: null, minutesSinceSuccess: 599, stale: null },
      fresh: { schedule: "rate(1 hour)", lastStart: null, lastSuccess: null, lastError: null, minutesSinceSuccess: null, stale: null },
    },
  });
  t.deepEqual(Object.keys(res.body.syncs), ["gists", "skills", "nightly", "fresh"], "in SYNCS order");
});

test("a sync turns stale once its last success is more than two intervals old", async (t) => {
  const table = await freshTable(ddb, syncStateTable, "gists");
  const clock = { now: at(0) };
  const get = healthApi({ gists: { table, schedule: "rate(30 minutes)" } }, clock);
  t.like((await get()).body.syncs.gists, { lastSuccess: null, minutesSinceSuccess: null, stale: null });
  await ran(table, "gists", at(0), at(0));
  t.like((await get()).body.syncs.gists, { lastSuccess: at(0).toISOString(), minutesSinceSuccess: 0, stale: false });
  clock.now = at(60);
  t.like((await get()).body.syncs.gists, { minutesSinceSuccess: 60, stale: false });
  clock.now = at(61);
  t.like((await get()).body.syncs.gists, { minutesSinceSuccess: 61, stale: true });
  clock.now = new Date(T0 + 61 * 60_000 + 30_000);
  t.like((await get()).body.syncs.gists, { minutesSinceSuccess: 61.5, stale: true }, "to a tenth of a minute");
  await ran(table, "gists", at(61), at(62));
  clock.now = at(62);
  t.like((await get()).body.syncs.gists, { minutesSinceSuccess: 0, stale: false }, "fresh again after a success");
});

test("each job's title (from its definition, captured by the deploy) comes with its health; a job without one has none", async (t) => {
  const table = await freshTable(ddb, syncStateTable, "gists");
  const get = healthApi({ gists: { table, schedule: "rate(30 minutes)" }, rss: { table, schedule: "rate(1 hour)" } }, { now: at(0) }, { gists: "Gists → Pipedrive", other: "Not deployed" });
  const res = await get();
  t.is(res.status, 200);
  t.like(res.body.syncs.gists, { title: "Gists → Pipedrive", schedule: "rate(30 minutes)" });
  t.false("title" in res.body.syncs.rss);
  t.deepEqual(Object.keys(res.body.syncs), ["gists", "rss"], "only the jobs in SYNCS");
});

test("no syncs (SYNCS absent or {}): still up, with an empty syncs object", async (t) => {
  for (const syncs of [undefined, {}]) {
    const res = await healthApi(syncs, { now: at(0) })();
    t.is(res.status, 200);
    t.deepEqual(res.body, { status: "ok", syncs: {} });
  }
});

test("a run-state table that cannot be read is a 503 service-unavailable problem naming the job", async (t) => {
  const table = await freshTable(ddb, syncStateTable, "gists");
  await ran(table, "gists", at(-5), at(-4));
  const get = healthApi({ gists: { table, schedule: "rate(30 minutes)" }, skills: { table: "no-such-table", schedule: "rate(6 hours)" } }, { now: at(0) });
  const res = await get();
  t.is(res.status, 503);
  t.is(res.headers["content-type"], "application/problem+json");
  t.like(res.body, { type: "urn:switchyard:problem:service-unavailable", status: 503, instance: "/health", detail: "The run state of skills cannot be read right now." });
  t.false(JSON.stringify(res.body).includes("no-such-table"), "the table's name stays in the logs");
});

test("any query parameter is a 400 validation problem", async (t) => {
  const table = await freshTable(ddb, syncStateTable, "gists");
  const get = healthApi({ gists: { table, schedule: "rate(30 minutes)" } }, { now: at(0) });
  for (const path of ["/health?verbose=1", "/health?job=gists&x="]) {
    const res = await get(path);
    t.is(res.status, 400, path);
    t.is(res.headers["content-type"], "application/problem+json");
    t.is(res.body.type, "urn:switchyard:problem:validation-failed");
    t.regex(res.body.detail, /#\/query\/(verbose|job) unknown field/);
  }
  t.is((await get("/health")).status, 200);
});

test("a malformed SYNCS fails the cold start with what is wrong", (t) => {
  t.throws(() => apiHealthDeps("x", { SYNCS: "{gists" }), { message: /SYNCS is not JSON/ });
  t.throws(() => apiHealthDeps("x", { SYNCS: JSON.stringify({ gists: { table: "t" } }) }), { message: /SYNCS is not .*schedule/s });
  t.throws(() => apiHealthDeps("x", { SYNCS: JSON.stringify(["gists"]) }), { message: /SYNCS is not/ });
  t.deepEqual(
    apiHealthDeps("x", { SYNCS: JSON.stringify({ gists: { table: "t1", schedule: "rate(30 minutes)" } }) }).syncs.map(({ job, table, schedule }) => ({ job, table, schedule })),
    [{ job: "gists", table: "t1", schedule: "rate(30 minutes)" }],
  );
});
