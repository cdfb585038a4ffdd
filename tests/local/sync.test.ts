// `npm run sync -- gists --fake` as a person runs it: once, then again.
import test from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSyncCommand } from "../harness/sync-command";

const sync = runSyncCommand;

test("a fake run creates the deals; a second run (fresh stand-ins, same gists) remembers them and creates nothing", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-sync-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = await sync(["gists", "--fake"], { SWITCHYARD_LOCAL_DIR: dir });
  t.is(first.code, 0, first.stderr);
  const one = JSON.parse(first.stdout);
  t.like(one.summary, { counts: { seen: 4, created: 4 }, users: { octocat: "synced", hubot: "synced" } });
  t.is(one.fake.pipedriveDeals.length, 4);
  const second = JSON.parse((await sync(["gists", "--fake"], { SWITCHYARD_LOCAL_DIR: dir })).stdout);
  t.like(second.summary, { counts: { seen: 4, created: 0, skipped: 4 }, users: { octocat: "synced", hubot: "synced" } });
  t.deepEqual(second.fake.pipedriveDeals, [], "no Pipedrive write");
});

test("the skills job: a fake run fills the tables and stores the archive; a second run writes and downloads nothing", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-sync-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = await sync(["skills", "--fake"], { SWITCHYARD_LOCAL_DIR: dir });
  t.is(first.code, 0, first.stderr);
  t.like(JSON.parse(first.stdout).summary, { counts: { seen: 6, created: 6 }, sources: { airtable: "synced", github: "synced", badgr: "synced" } });
  const second = JSON.parse((await sync(["skills", "--fake"], { SWITCHYARD_LOCAL_DIR: dir })).stdout);
  t.like(second.summary, { counts: { created: 0, updated: 0 }, sources: { airtable: "synced", github: "synced", badgr: "synced" } });
  t.false(second.fake.requests.some((r: string) => r.includes("tarball")), "the stored release is not downloaded again");
});

test("a bad job name or missing real settings get one clear line", async (t) => {
  const usage = await sync(["gist"], {});
  t.is(usage.code, 1);
  t.regex(usage.stderr, /^npm run sync: usage: npm run sync -- gists\|skills \[--fake\]/m);
  const missing = await sync(["gists"], { GIST_USERS: "", PIPEDRIVE_BASE_URL: "", PIPEDRIVE_API_TOKEN: "", PIPEDRIVE_GIST_URL_FIELD: "" });
  t.is(missing.code, 1);
  t.regex(missing.stderr, /npm run sync: set GIST_USERS, PIPEDRIVE_BASE_URL, PIPEDRIVE_API_TOKEN, PIPEDRIVE_GIST_URL_FIELD \(or use --fake for the local stand-ins\)/);
});
