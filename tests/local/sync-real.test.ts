// `npm run sync -- gists` pointed at "real" APIs the way a person points it at GitHub and Pipedrive
// (GITHUB_API_URL, PIPEDRIVE_BASE_URL): here the stand-ins this test runs. Exit codes, a lost
// `.local/`, a remembered rate limit, and one local state shared with `npm start`.
import test from "ava";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGitHubStandIn, type GitHubStandIn } from "../../local/standins/github";
import { startPipedriveStandIn, type PipedriveStandIn } from "../../local/standins/pipedrive";
import { startLocalMode, stopLocalMode } from "../harness/local-mode";
import { freeLocalModePort } from "../harness/ports";
import { runSyncCommand } from "../harness/sync-command";

const FIELD = "gist_url_key";

const sync = runSyncCommand;

/** GitHub and Pipedrive stand-ins, a data folder, and the environment a real run is given. */
async function apis(t: import("ava").ExecutionContext, users: string[]) {
  const github: GitHubStandIn = await startGitHubStandIn();
  const pipedrive: PipedriveStandIn = await startPipedriveStandIn({ token: "pd-token-0123456789" });
  const dir = mkdtempSync(join(tmpdir(), "switchyard-sync-real-"));
  t.teardown(async () => {
    await Promise.all([github.close(), pipedrive.close()]);
    rmSync(dir, { recursive: true, force: true });
  });
  const env = {
    SWITCHYARD_LOCAL_DIR: dir,
    GIST_USERS: users.join(","),
    GITHUB_API_URL: github.url,
    GITHUB_TOKEN: "gh-token-0123456789",
    PIPEDRIVE_BASE_URL: pipedrive.url,
    PIPEDRIVE_API_TOKEN: "pd-token-0123456789",
    PIPEDRIVE_GIST_URL_FIELD: FIELD,
  };
  return { github, pipedrive, dir, env };
}

/** `POST /_local/sync/gists` on local mode, once no run is in progress (409 while one is). */
async function runNow(api: string): Promise<unknown> {
  for (const deadline = Date.now() + 60_000; ; ) {
    const response = await fetch(`${api}/_local/sync/gists`, { method: "POST" });
    if (response.status !== 409 || Date.now() > deadline) return response.json();
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("a failed user exits 1 with the summary printed; the next run exits 0; a lost .local/ makes no second deal", async (t) => {
  const { github, pipedrive, dir, env } = await apis(t, ["ada", "bea"]);
  github.addGist("ada", { description: "one" });
  github.addGist("bea", { description: "two" });
  github.failNext(3, { status: 503 }, (r) => r.user === "bea");
  const failed = await sync(["gists"], env);
  t.is(failed.code, 1, "not fully successful: exit 1");
  const summary = JSON.parse(failed.stdout).summary;
  t.like(summary, { ok: false, users: { ada: "synced" } });
  t.regex(summary.users.bea, /HTTP 503/);
  t.regex(failed.stderr, /did not fully succeed/);
  t.regex(failed.stderr, new RegExp(`local state: ${dir}`), "it says where its state is");
  // One line about an old Node, not the AWS SDK's multi-line warning (local/node-version.ts).
  t.false(failed.stderr.includes("NodeVersionSupportWarning"));
  if (Number(process.versions.node.split(".")[0]) < 22) t.regex(failed.stderr, /^Node 20\.[\d.]+: works for now, but Lambda runs Node 22/m);

  const again = await sync(["gists"], env);
  t.is(again.code, 0, again.stderr);
  t.is(pipedrive.deals().length, 2);

  rmSync(dir, { recursive: true, force: true });
  const lost = await sync(["gists"], env);
  t.is(lost.code, 0, lost.stderr);
  t.like(JSON.parse(lost.stdout).summary, { counts: { seen: 2, created: 0, skipped: 2 } });
  t.is(pipedrive.deals().length, 2, "Pipedrive, not the lost state, said the deals exist");
  t.is(pipedrive.organizations().length, 2);
});

test("a rate limit is remembered: the next run sends GitHub nothing, says when it will, and exits 1", async (t) => {
  const { github, env } = await apis(t, ["cy"]);
  github.addGist("cy", {});
  const reset = Math.floor(Date.now() / 1000) + 900;
  github.rateLimit = { limit: 60, remaining: 0, resetEpochSeconds: reset };
  const first = await sync(["gists"], env);
  t.is(first.code, 1);
  t.is(github.requests.length, 1, "the refused request");
  const second = await sync(["gists"], env);
  t.is(second.code, 1);
  t.is(github.requests.length, 1, "nothing sent before the reset");
  const summary = JSON.parse(second.stdout).summary;
  t.is(summary.users.cy, `not reached (github rate limited until ${new Date(reset * 1000).toISOString()})`);
});

test("npm start and npm run sync keep one state: neither syncs again what the other did", async (t) => {
  const { github, pipedrive, dir, env } = await apis(t, ["dee"]);
  github.addGist("dee", { description: "synced by npm run sync" });
  const first = await sync(["gists"], env);
  t.is(first.code, 0, first.stderr);
  t.is(pipedrive.deals().length, 1);
  t.false(existsSync(join(dir, "emulators.json")), "a run that started the emulators stops them and lets go of the folder");

  const port = await freeLocalModePort();
  const mode = await startLocalMode({ ...env, PORT: String(port) });
  try {
    const api = mode.outputs.apiUrl!;
    // A run of npm start's, against the same state (after the one it makes at start): nothing to do.
    const atStart = await runNow(api);
    t.like(atStart, { users: { dee: "unchanged" } });
    t.is(pipedrive.deals().length, 1, "npm start did not create the deal again");
    t.is(pipedrive.requests.filter((r) => r.method === "POST" && r.path === "/api/v2/deals").length, 1, "one create in all");

    github.addGist("dee", { description: "new while npm start runs" });
    const during = await sync(["gists"], env);
    t.is(during.code, 0, during.stderr);
    t.regex(during.stderr, /the DynamoDB Local and s3rver of the running npm start/);
    t.like(JSON.parse(during.stdout).summary, { counts: { created: 1 } });
    t.is(pipedrive.deals().length, 2);

    t.like(await runNow(api), { users: { dee: "unchanged" } });
    t.is(pipedrive.deals().length, 2, "npm start saw what npm run sync did");
  } finally {
    t.is(await stopLocalMode(mode), 0);
  }
});
