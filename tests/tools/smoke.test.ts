// `npm run smoke` as a child process: against local mode (as CI runs it) every check passes; against
// a broken API or nothing at all it exits 1 naming the failing checks; usage mistakes exit 2.
import { resolveTarget } from "../../scripts/smoke";
import { LOCAL_SIGNING_KEY } from "../../local/webhooks";
import test from "ava";
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { AddressInfo } from "node:net";
import { freePort } from "../../local/emulators/dynamodb-local";
import { startLocalMode, stopLocalMode } from "../harness/local-mode";
import { freeLocalModePort } from "../harness/ports";
import { ROOT } from "../harness/stacks";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const CHECKS = ["GET /health", "POST /messages", "GET /messages/{id}", "GET /messages count", "POST /webhooks/calendly (signed)", "GET /events (public list)", "POST /events without sign-in", "website /", "website /config.json"];

function smoke(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(ROOT, "scripts", "smoke.ts"), ...args],
      // No pulumi on PATH, no inherited signing key.
      { cwd: ROOT, env: { PATH: dirname(process.execPath), HOME: tmpdir(), ...env } },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const checkLines = (stdout: string) => Object.fromEntries([...stdout.matchAll(/^ {2}([✔✘○]) ([^:]+): (.*) \(\d+ ms\)$/gm)].map((m) => [m[2]!, { mark: m[1]!, detail: m[3]! }]));

test.serial("npm run smoke passes every check against local mode, by --url and by --stack with --outputs, and leaves its marked message", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-smoke-"));
  const port = await freeLocalModePort();
  const mode = await startLocalMode({ PORT: String(port), SWITCHYARD_LOCAL_DIR: dir });
  try {
    const { apiUrl, websiteUrl, webhookUrl } = mode.outputs as Record<string, string>;
    const key = /^Calendly signing key: (\S+)/m.exec(mode.output())![1]!;

    // Against local mode the URL is all it needs: the key and the website are local mode's defaults.
    t.is(key, LOCAL_SIGNING_KEY);
    const byUrl = await smoke(["--url", apiUrl!]);
    t.is(byUrl.code, 0, byUrl.stdout + byUrl.stderr);
    const lines = checkLines(byUrl.stdout);
    t.deepEqual(Object.keys(lines), CHECKS);
    for (const name of CHECKS) t.is(lines[name]!.mark, "✔", `${name}: ${lines[name]!.detail}`);
    t.regex(byUrl.stdout, /^9 passed, 0 failed\.$/m);
    t.regex(lines["GET /messages count"]!.detail, /^1 \(was 0\)$/);
    t.regex(lines["POST /webhooks/calendly (signed)"]!.detail, /^201 \{"id":"[0-9a-f]{32}","duplicate":false\}$/);

    // Stack mode reads apiUrl, webhookUrl and websiteUrl from the outputs; the key from the environment.
    const outputs = join(dir, "outputs.json");
    writeFileSync(outputs, JSON.stringify({ apiUrl, webhookUrl, websiteUrl, region: "us-west-2" }));
    const byStack = await smoke(["--stack", "dev", "--outputs", outputs], { CALENDLY_SIGNING_KEY: key });
    t.is(byStack.code, 0, byStack.stdout + byStack.stderr);
    t.regex(byStack.stdout, /^Smoke test of stack dev \(http:\/\/127\.0\.0\.1:\d+\), website http:\/\/127\.0\.0\.1:\d+$/m);
    t.regex(checkLines(byStack.stdout)["GET /messages count"]!.detail, /^2 \(was 1\)$/);

    // What it wrote is marked as the smoke test's.
    const { items } = (await (await fetch(`${apiUrl}/messages?limit=5`)).json()) as { items: { message: string }[] };
    t.is(items.length, 2);
    for (const item of items) t.regex(item.message, /^smoke test \d{4}-\d\d-\d\dT[\d:.]+Z$/);
  } finally {
    await stopLocalMode(mode);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("npm run smoke against an API answering 500 exits 1 and names every failing check", async (t) => {
  const server: Server = createServer((_req, res) => {
    res.writeHead(500, { "content-type": "application/problem+json" });
    res.end('{"type":"urn:switchyard:problem:internal-error","status":500}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const run = await smoke(["--url", url, "--site", url], { CALENDLY_SIGNING_KEY: "some-signing-key-0123456789" });
    t.is(run.code, 1);
    const lines = checkLines(run.stdout);
    for (const name of CHECKS) t.is(lines[name]?.mark, "✘", name);
    t.regex(lines["GET /health"]!.detail, /^expected 200, got 500: \{"type":"urn:switchyard:problem:internal-error"/);
    t.is(lines["GET /messages/{id}"]!.detail, "not run: POST /messages failed");
    t.regex(run.stdout, /^0 passed, 9 failed\.$/m);
    t.is(run.stderr.trim(), `npm run smoke: 9 of 9 checks failed: ${CHECKS.join(", ")}`);
  } finally {
    server.close();
  }
});

test("npm run smoke against a closed port says the connection was refused; without a key the webhook check says how to give one", async (t) => {
  const port = await freePort();
  const run = await smoke(["--url", `http://127.0.0.1:${port}`, "--signing-key", "", "--site", `http://127.0.0.1:${port}`, "--timeout", "3s"]);
  t.is(run.code, 1);
  const lines = checkLines(run.stdout);
  t.is(lines["GET /health"]!.detail, `GET http://127.0.0.1:${port}/health failed: ECONNREFUSED`);
  t.regex(lines["POST /webhooks/calendly (signed)"]!.detail, /^no signing key: pass --signing-key, set CALENDLY_SIGNING_KEY/);
});

test("a loopback --url is local mode: its default signing key and its website (port + 2) unless told otherwise; a remote one gets neither", (t) => {
  t.like(resolveTarget({ apiUrl: "http://127.0.0.1:3000", timeoutMs: 1000 }, {}), { signingKey: LOCAL_SIGNING_KEY, siteUrl: "http://127.0.0.1:3002" });
  t.like(resolveTarget({ apiUrl: "http://localhost:4100", timeoutMs: 1000 }, {}), { signingKey: LOCAL_SIGNING_KEY, siteUrl: "http://localhost:4102" });
  t.like(resolveTarget({ apiUrl: "http://127.0.0.1:3000", timeoutMs: 1000 }, { CALENDLY_SIGNING_KEY: "mine" }), { signingKey: "mine" });
  t.like(resolveTarget({ apiUrl: "http://127.0.0.1:3000", siteUrl: "http://127.0.0.1:9", signingKey: "given", timeoutMs: 1000 }, {}), { signingKey: "given", siteUrl: "http://127.0.0.1:9" });
  const remote = resolveTarget({ apiUrl: "https://abc.execute-api.us-west-2.amazonaws.com", timeoutMs: 1000 }, {});
  t.is(remote.signingKey, undefined);
  t.is(remote.siteUrl, undefined);
});

test("npm run smoke: usage mistakes exit 2, --help says what it writes, --stack without the Pulumi CLI says so", async (t) => {
  for (const args of [[], ["--url", "ftp://x"], ["--url", "http://a", "--stack", "dev"], ["--url", "http://a", "--outputs", "x.json"], ["--bogus"], ["--url", "http://a", "--timeout", "soon"]]) {
    const run = await smoke(args);
    t.is(run.code, 2, args.join(" "));
    t.regex(run.stderr, /^npm run smoke: .+ \(see npm run smoke -- --help\)\n$/);
  }
  const help = await smoke(["--help"]);
  t.is(help.code, 0);
  t.regex(help.stdout, /WRITES to the target: one message \("smoke test <ISO time>"\) and one webhook event/);

  const noCli = await smoke(["--stack", "dev"]);
  t.is(noCli.code, 1);
  t.regex(noCli.stderr, /the Pulumi CLI is not installed \(pulumi not found on PATH\)/);
});
