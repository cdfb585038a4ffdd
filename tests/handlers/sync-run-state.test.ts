// The ScheduledSync run-state store against DynamoDB Local.
import test from "ava";
import { RunStateStore, zeroCounts } from "../../handlers/sync/run-state";
import { syncStateTable } from "../../handlers/sync/tables";
import { freshTable, startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";

let ddb: DynamoDbLocal;
test.before(async () => {
  ddb = await startDynamoDbLocal();
});
test.after.always(async () => ddb?.stop());

test("a failed run keeps the last success and records the error; a good run clears it", async (t) => {
  const table = await freshTable(ddb, syncStateTable, "sync");
  const state = new RunStateStore(ddb.client, table, "gists");
  t.deepEqual(await state.run(), {});
  await state.startRun("r1", new Date("2026-11-25T10:00:00Z"));
  await state.finishRun("r1", new Date("2026-11-25T10:01:00Z"), { ...zeroCounts(), seen: 3, created: 2 });
  await state.startRun("r2", new Date("2026-11-25T10:30:00Z"));
  await state.finishRun("r2", new Date("2026-11-25T10:31:00Z"), { ...zeroCounts(), failed: 1 }, "pipedrive: HTTP 503");
  t.like(await state.run(), { lastStart: "2026-11-25T10:30:00.000Z", lastSuccess: "2026-11-25T10:01:00.000Z", runId: "r2", lastError: "pipedrive: HTTP 503" });
  await state.finishRun("r3", new Date("2026-11-25T11:01:00Z"), zeroCounts());
  const after = await state.run();
  t.is(after.lastSuccess, "2026-11-25T11:01:00.000Z");
  t.is(after.lastError, undefined);
});

test("per-source state round-trips and jobs do not see each other's state", async (t) => {
  const table = await freshTable(ddb, syncStateTable, "sync");
  const gists = new RunStateStore(ddb.client, table, "gists");
  const skills = new RunStateStore(ddb.client, table, "skills");
  await gists.saveSource("github:octocat", { etag: 'W/"abc"', counts: { ...zeroCounts(), seen: 4 } });
  t.deepEqual(await gists.source("github:octocat"), { etag: 'W/"abc"', counts: { seen: 4, created: 0, skipped: 0, failed: 0 } });
  t.deepEqual(await skills.source("github:octocat"), {});
  t.deepEqual(await gists.source("github:someone-else"), {});
});

test("an intent is recorded once; a second run finds it and can confirm it", async (t) => {
  const table = await freshTable(ddb, syncStateTable, "sync");
  const state = new RunStateStore(ddb.client, table, "gists");
  const at = new Date("2026-11-25T12:00:00Z");
  t.true(await state.recordIntent("gist:1", { url: "https://gist.github.com/u/1" }, at));
  t.false(await state.recordIntent("gist:1", { url: "changed" }, at), "the first intent stands");
  t.like(await state.item("gist:1"), { status: "intent", data: { url: "https://gist.github.com/u/1" } });
  await state.confirm("gist:1", { url: "https://gist.github.com/u/1", dealId: 42 }, at);
  t.like(await state.item("gist:1"), { status: "confirmed", data: { dealId: 42 } });
  t.is(await state.item("gist:2"), undefined);
});

test("confirmedAfter says more only when items follow: not when the page ends exactly on the last one", async (t) => {
  const table = await freshTable(ddb, syncStateTable, "sync");
  const state = new RunStateStore(ddb.client, table, "gists");
  for (let i = 1; i <= 3; i++) await state.confirm(`gist:${i}`, { n: i }, new Date(`2026-11-25T12:00:0${i}Z`));
  const exact = await state.confirmedAfter<{ n: number }>(undefined, 3);
  t.deepEqual(exact.items.map((i) => i.data.n), [1, 2, 3]);
  t.false(exact.more);

  await state.confirm("gist:4", { n: 4 }, new Date("2026-11-25T12:00:04Z"));
  const first = await state.confirmedAfter<{ n: number }>(undefined, 3);
  t.deepEqual(first.items.map((i) => i.data.n), [1, 2, 3]);
  t.true(first.more);
  const rest = await state.confirmedAfter<{ n: number }>(first.items.at(-1)!.position, 3);
  t.deepEqual(rest.items.map((i) => i.data.n), [4]);
  t.false(rest.more);
});
