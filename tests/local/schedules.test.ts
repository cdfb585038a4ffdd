// Local mode's scheduler: EventBridge expressions evaluated like EventBridge does (UTC), and the
// syncs run against the stand-ins with a trigger route, one run of a job at a time.
import test from "ava";
import { ScheduleError, nextRun } from "../../local/emulators/schedule";
import { gistsJob } from "../../handlers/sync/jobs/gists/job";
import { skillsJob } from "../../handlers/sync/jobs/skills/job";
import { startLocalSchedules, SyncRunningError } from "../../local/syncs";
import { useLocalEmulators } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";

const at = (iso: string) => new Date(iso);
const next = (schedule: string, after: string) => nextRun(schedule, at(after)).toISOString();

test("rate expressions fire one interval later", (t) => {
  t.is(next("rate(30 minutes)", "2026-11-25T10:00:00Z"), "2026-11-25T10:30:00.000Z");
  t.is(next("rate(6 hours)", "2026-11-25T10:00:00Z"), "2026-11-25T16:00:00.000Z");
  t.is(next("rate(1 day)", "2026-11-25T10:00:00Z"), "2026-11-26T10:00:00.000Z");
});

test("cron expressions: steps, ranges, lists, names, day of week 1 = Sunday, UTC", (t) => {
  t.is(next("cron(0 0/6 * * ? *)", "2026-11-25T10:17:00Z"), "2026-11-25T12:00:00.000Z");
  t.is(next("cron(15 10 * * ? *)", "2026-11-25T10:15:00Z"), "2026-11-26T10:15:00.000Z", "strictly after");
  t.is(next("cron(0 9 ? * MON-FRI *)", "2026-11-27T10:00:00Z"), "2026-11-30T09:00:00.000Z", "Friday after 9 → Monday");
  t.is(next("cron(0 8 ? * 1 *)", "2026-11-25T00:00:00Z"), "2026-11-29T08:00:00.000Z", "1 is Sunday");
  t.is(next("cron(*/20 * * * ? *)", "2026-11-25T10:41:30Z"), "2026-11-25T11:00:00.000Z");
  t.is(next("cron(0 12 1 JAN,JUL ? *)", "2026-11-25T00:00:00Z"), "2027-01-01T12:00:00.000Z");
});

test("what local mode cannot evaluate is a clear error, not a silent never", (t) => {
  t.throws(() => nextRun("cron(0 12 L * ? *)", new Date()), { instanceOf: ScheduleError, message: /"L" is not supported locally/ });
  t.throws(() => nextRun("cron(0 12 * *)", new Date()), { instanceOf: ScheduleError, message: /6 fields/ });
  t.throws(() => nextRun("every hour", new Date()), { instanceOf: ScheduleError });
  t.throws(() => nextRun("cron(0 0 30 2 ? *)", new Date()), { instanceOf: ScheduleError, message: /within a year/ });
});

const local = useLocalEmulators(test, { s3: true });

test.serial("both syncs run against the stand-ins; the trigger route runs one now and refuses a second concurrent run", async (t) => {
  const lines: string[] = [];
  const env = { ...process.env, GIST_USERS: "", AIRTABLE_TOKEN: "", GIST_SCHEDULE: "cron(0 3 * * ? *)" };
  // The two shipped jobs by name (the registry may grow; this test is about these two).
  const syncs = await startLocalSchedules({ dynamodb: local.ddb.client, s3: local.s3, env, jobs: [gistsJob, skillsJob], runAtStart: false, log: (l) => lines.push(l) });
  t.teardown(() => syncs.stop());
  t.deepEqual(syncs.jobs.map((j) => [j.job, j.schedule, j.mode]), [["gists", "cron(0 3 * * ? *)", "stand-ins"], ["skills", "rate(6 hours)", "stand-ins"]]);
  t.is(syncs.jobs[0]!.nextRunAt!.getUTCHours(), 3);
  const route = (key: string) => syncs.routes.find((r) => r.routeKey === key)!.handler;

  const trigger = route("POST /_local/sync/{job}");
  const fire = (job: string) => trigger(apiEvent("POST", `/_local/sync/${job}`, { routeKey: "POST /_local/sync/{job}", pathParameters: { job } })).then(parseResult);
  const [first, second] = await Promise.all([fire("gists"), fire("gists")]);
  t.is(first.status, 200);
  t.like(first.body, { counts: { seen: 4, created: 4, failed: 0 }, users: { octocat: "synced", hubot: "synced" } });
  t.is(second.status, 409);
  t.is(second.body.type, "urn:switchyard:problem:conflict");
  t.regex(lines.join("\n"), /\[sync gists\] local-gists-.*: seen 4, created 4, skipped 0, failed 0/);

  const again = await fire("gists");
  t.like(again.body, { counts: { seen: 0, created: 0 }, users: { octocat: "unchanged", hubot: "unchanged" } }, "the stored ETags make it two 304s");
  t.is((await fire("nope")).status, 404);
  await t.throwsAsync(Promise.all([syncs.runNow("skills"), syncs.runNow("skills")]), { instanceOf: SyncRunningError });
  await syncs.idle();

  // The read API is mounted on the same state.
  const gists = parseResult(await route("GET /gists")(apiEvent("GET", "/gists")));
  t.is(gists.body.items.length, 4);
  const current = parseResult(await route("GET /getCurrentlyScannedUsers")(apiEvent("GET", "/getCurrentlyScannedUsers")));
  t.deepEqual(current.body, { items: ["octocat", "hubot"], schedule: "cron(0 3 * * ? *)" });

  // GET /health reports both jobs from the same run-state table.
  const health = parseResult(await route("GET /health")(apiEvent("GET", "/health")));
  t.is(health.status, 200);
  t.deepEqual(Object.keys(health.body.syncs), ["gists", "skills"]);
  t.like(health.body.syncs.gists, { schedule: "cron(0 3 * * ? *)", lastError: null, stale: null }, "a cron schedule: freshness unknown");
  t.truthy(health.body.syncs.gists.lastSuccess);
  t.like(health.body.syncs.skills, { schedule: "rate(6 hours)", lastError: null, stale: false });
  t.like(health.body.syncs, { gists: { title: "Gists → Pipedrive" }, skills: { title: "Skill-app sync" } }, "with the titles the website shows");
});

test.serial("a schedule local mode cannot evaluate fails the start with its reason", async (t) => {
  const env = { ...process.env, GIST_USERS: "", AIRTABLE_TOKEN: "", SKILLS_SCHEDULE: "cron(0 12 L * ? *)" };
  await t.throwsAsync(startLocalSchedules({ dynamodb: local.ddb.client, s3: local.s3, env, runAtStart: false, log: () => undefined }), { instanceOf: ScheduleError });
});
