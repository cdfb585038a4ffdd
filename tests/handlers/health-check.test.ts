// The scheduled health check (handlers/health/check.ts) against real HTTP servers on loopback: one
// answers 200, one 500, one never answers, and one port refuses. Run in a fresh Node process with
// metrics on, so its EMF documents and log lines are read from its stdout/stderr as CloudWatch would.
import test from "ava";
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import { join } from "node:path";
import { HEALTH_CHECK_TIMEOUT_DEFAULT_MS, healthCheckDeps as depsOf, healthCheckFunction } from "../../handlers/health/check";
import { readEnv } from "../../handlers/shared/function-environment";
import { healthCheckLine, startLocalHealthCheck } from "../../local/health-check";
import { ROOT } from "../harness/stacks";

interface TestServer {
  url: string;
  requests: IncomingMessage[];
  /** When each request arrived and when its answer was sent (ms since the epoch). */
  arrivedAt: number[];
  answeredAt: number[];
  close(): Promise<void>;
}

/** A loopback HTTP server answering `status` after `delayMs`, or never (`status: "hang"`). */
async function startServer(status: number | "hang", delayMs = 0): Promise<TestServer> {
  const requests: IncomingMessage[] = [];
  const arrivedAt: number[] = [];
  const answeredAt: number[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests.push(req);
    arrivedAt.push(Date.now());
    if (status === "hang") return;
    setTimeout(() => (answeredAt.push(Date.now()), res.writeHead(status, { "content-type": "text/plain" }).end(`status ${status}`)), delayMs);
  });
  server.on("connection", (socket) => (sockets.add(socket), socket.on("close", () => sockets.delete(socket))));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    arrivedAt,
    answeredAt,
    close: () => new Promise((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

/** A port nothing listens on: bound, then released. */
async function refusedUrl(): Promise<string> {
  const server = await startServer(200);
  await server.close();
  return `${server.url}health`;
}

/** The handler in a fresh `node`, metrics enabled (the test runner disables them in its own process). */
function runCheck(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "..", "harness", "health-check-runner.ts")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      POWERTOOLS_SERVICE_NAME: "health-check",
      POWERTOOLS_METRICS_NAMESPACE: "SwitchyardTest",
      POWERTOOLS_LOG_LEVEL: "INFO",
      ...env,
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

const jsonLines = (text: string) =>
  text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, any>);

test("checks every target in parallel, once each; a 500, a hang past the timeout and a refused port are results, not failures; EMF per target", async (t) => {
  const [up, broken, hanging] = await Promise.all([startServer(200, 600), startServer(500, 600), startServer("hang")]);
  t.teardown(() => Promise.all([up.close(), broken.close(), hanging.close()]).then(() => undefined));
  const refused = await refusedUrl();
  const targets = [
    { name: "website", url: up.url },
    { name: "broken", url: `${broken.url}health` },
    { name: "hanging", url: hanging.url },
    { name: "refused", url: refused },
  ];
  const run = await runCheck({ TARGETS: JSON.stringify(targets), TIMEOUT_MS: "1000", EVENT_ID: "evt-health-1" });
  t.is(run.code, 0, run.stderr);
  const resultLine = run.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  t.truthy(resultLine, run.stdout);
  const { results } = JSON.parse(resultLine!.slice("RESULT ".length));

  t.deepEqual(
    results.map(({ latencyMs: _latency, ...rest }: { latencyMs: number }) => ({ ...rest, error: (rest as { error?: string }).error?.split(":")[0] })),
    [
      { name: "website", url: up.url, ok: true, status: 200, error: undefined },
      { name: "broken", url: `${broken.url}health`, ok: false, status: 500, error: "HTTP 500" },
      { name: "hanging", url: hanging.url, ok: false, status: null, error: "ETIMEDOUT" },
      { name: "refused", url: refused, ok: false, status: null, error: "ECONNREFUSED" },
    ],
  );
  const latency = Object.fromEntries(results.map((r: { name: string; latencyMs: number }) => [r.name, r.latencyMs]));
  t.true(latency.website >= 590 && latency.website < 3000, `website answered after its 600 ms delay: ${latency.website}`);
  t.true(latency.hanging >= 990 && latency.hanging < 3000, `the hang is cut at the 1000 ms timeout: ${latency.hanging}`);
  t.true(latency.refused < 1000, `a refused port fails at once: ${latency.refused}`);
  // In parallel: every request arrived before any (delayed) answer was sent; in sequence the second
  // would only be sent after the first was answered. Ordering, not a time limit: load cannot fake it.
  const lastArrival = Math.max(...[up, broken, hanging].flatMap((s) => s.arrivedAt));
  const firstAnswer = Math.min(...[up, broken].flatMap((s) => s.answeredAt));
  t.true(lastArrival <= firstAnswer, `all requests were out before the first answer (${lastArrival} ≤ ${firstAnswer})`);
  t.deepEqual([up.requests.length, broken.requests.length, hanging.requests.length], [1, 1, 1], "one attempt each: no retries");
  t.is(up.requests[0]!.method, "GET");

  // One EMF document per target: both metrics, dimensions service + target, its own values.
  const emf = jsonLines(run.stdout).filter((l) => l._aws);
  t.deepEqual(emf.map((d) => d.target), ["website", "broken", "hanging", "refused"]);
  for (const doc of emf) {
    const result = results.find((r: { name: string }) => r.name === doc.target);
    t.deepEqual(doc._aws.CloudWatchMetrics, [
      {
        Namespace: "SwitchyardTest",
        Dimensions: [["service", "target"]],
        Metrics: [
          { Name: "healthCheckAvailable", Unit: "Count" },
          { Name: "healthCheckLatencyMs", Unit: "Milliseconds" },
        ],
      },
    ]);
    t.is(doc.service, "health-check");
    t.is(doc.healthCheckAvailable, result.ok ? 1 : 0, doc.target);
    t.is(doc.healthCheckLatencyMs, result.latencyMs, doc.target);
  }

  // One log line per target, correlated by the EventBridge event id; failures at WARN (stderr).
  const logs = [...jsonLines(run.stdout), ...jsonLines(run.stderr)].filter((l) => l.message === "health check");
  t.deepEqual(logs.map((l) => [l.target, l.level, l.correlation_id]).sort(), [
    ["broken", "WARN", "evt-health-1"],
    ["hanging", "WARN", "evt-health-1"],
    ["refused", "WARN", "evt-health-1"],
    ["website", "INFO", "evt-health-1"],
  ]);
  const website = logs.find((l) => l.target === "website")!;
  t.like(website, { url: up.url, status: 200, ok: true, latencyMs: latency.website });
  t.like(logs.find((l) => l.target === "broken"), { status: 500, ok: false, error: "HTTP 500" });
});

test("lean (FAIL_WHEN_UNHEALTHY=true, metrics disabled): logs every target, publishes nothing, then fails the invocation naming the targets that are down", async (t) => {
  const [up, broken] = await Promise.all([startServer(200), startServer(500)]);
  t.teardown(() => Promise.all([up.close(), broken.close()]).then(() => undefined));
  const refused = await refusedUrl();
  const targets = [
    { name: "website", url: up.url },
    { name: "api", url: `${broken.url}health` },
    { name: "refused", url: refused },
  ];
  const run = await runCheck({ TARGETS: JSON.stringify(targets), TIMEOUT_MS: "1000", EVENT_ID: "evt-lean-1", FAIL_WHEN_UNHEALTHY: "true", POWERTOOLS_METRICS_DISABLED: "true" });
  t.is(run.code, 1, "the invocation fails: a Lambda error");
  t.false(run.stdout.includes("RESULT "), run.stdout);
  const threw = run.stderr.split("\n").find((l) => l.startsWith("THREW "));
  t.truthy(threw, run.stderr);
  t.regex(threw!, /^THREW Error: Health check failed: api HTTP 500 \(http:\/\/127\.0\.0\.1:\d+\/health\); refused ECONNREFUSED/);
  t.false(threw!.includes("website"), "a target that is up is not named");
  t.deepEqual([up.requests.length, broken.requests.length], [1, 1], "still one attempt each");

  // Every result is logged before the failure, the up one too; no EMF document at all.
  const lines = [...jsonLines(run.stdout), ...jsonLines(run.stderr)];
  const logs = lines.filter((l) => l.message === "health check");
  t.deepEqual(logs.map((l) => [l.target, l.level, l.ok, l.correlation_id]).sort(), [
    ["api", "WARN", false, "evt-lean-1"],
    ["refused", "WARN", false, "evt-lean-1"],
    ["website", "INFO", true, "evt-lean-1"],
  ]);
  t.deepEqual(lines.filter((l) => l._aws), [], "no custom metrics");
});

test("lean with every target up: no failure and no metrics; full mode (no FAIL_WHEN_UNHEALTHY) never fails for a down target", async (t) => {
  const [up, down] = await Promise.all([startServer(200), startServer(503)]);
  t.teardown(() => Promise.all([up.close(), down.close()]).then(() => undefined));
  const lean = await runCheck({ TARGETS: JSON.stringify([{ name: "website", url: up.url }]), FAIL_WHEN_UNHEALTHY: "true", POWERTOOLS_METRICS_DISABLED: "true" });
  t.is(lean.code, 0, lean.stderr);
  t.like(JSON.parse(lean.stdout.split("\n").find((l) => l.startsWith("RESULT "))!.slice("RESULT ".length)).results[0], { name: "website", ok: true, status: 200 });
  t.deepEqual(jsonLines(lean.stdout).filter((l) => l._aws), []);
  for (const env of [{}, { FAIL_WHEN_UNHEALTHY: "false" }] as Record<string, string>[]) {
    const full = await runCheck({ TARGETS: JSON.stringify([{ name: "api", url: down.url }]), ...env });
    t.is(full.code, 0, full.stderr);
    t.false(full.stderr.includes("THREW"));
    const emf = jsonLines(full.stdout).filter((l) => l._aws);
    t.deepEqual(emf.map((d) => [d.target, d.healthCheckAvailable]), [["api", 0]], "a down target is a metric");
  }
});

/** The deps as the cold start builds them: the definition's environment read from `env`, then validated. */
const healthCheckDeps = (service: string, env: Record<string, string>) => depsOf(service, readEnv(healthCheckFunction.env, env));

test("TARGETS, TIMEOUT_MS and FAIL_WHEN_UNHEALTHY are checked at cold start; TIMEOUT_MS defaults to 5000", (t) => {
  const targets = JSON.stringify([{ name: "api", url: "https://api.example.com/health" }]);
  t.is(healthCheckDeps("x", { TARGETS: targets }).timeoutMs, HEALTH_CHECK_TIMEOUT_DEFAULT_MS);
  t.is(HEALTH_CHECK_TIMEOUT_DEFAULT_MS, 5000);
  t.is(healthCheckDeps("x", { TARGETS: targets, TIMEOUT_MS: "250" }).timeoutMs, 250);
  t.deepEqual(healthCheckDeps("x", { TARGETS: targets }).targets, [{ name: "api", url: "https://api.example.com/health" }]);
  t.throws(() => healthCheckDeps("x", {}), { message: /TARGETS is not set/ });
  t.throws(() => healthCheckDeps("x", { TARGETS: "[{" }), { message: /TARGETS is not JSON/ });
  t.throws(() => healthCheckDeps("x", { TARGETS: "[]" }), { message: /TARGETS is not/ });
  t.throws(() => healthCheckDeps("x", { TARGETS: JSON.stringify([{ name: "a", url: "ftp://example.com/" }]) }), { message: /TARGETS is not/ });
  t.throws(() => healthCheckDeps("x", { TARGETS: JSON.stringify([{ name: "a", url: "https://a.example/" }, { name: "a", url: "https://b.example/" }]) }), { message: /unique/ });
  t.throws(() => healthCheckDeps("x", { TARGETS: targets, TIMEOUT_MS: "soon" }), { message: /TIMEOUT_MS/ });
  t.is(healthCheckDeps("x", { TARGETS: targets }).failWhenUnhealthy, false, "never fails for a down target unless told");
  t.is(healthCheckDeps("x", { TARGETS: targets, FAIL_WHEN_UNHEALTHY: "true" }).failWhenUnhealthy, true);
  t.is(healthCheckDeps("x", { TARGETS: targets, FAIL_WHEN_UNHEALTHY: "false" }).failWhenUnhealthy, false);
  t.throws(() => healthCheckDeps("x", { TARGETS: targets, FAIL_WHEN_UNHEALTHY: "yes" }), { message: /FAIL_WHEN_UNHEALTHY must be "true" or "false"/ });
});

test("local mode's health check: a first check soon after the start, then every interval, one line each; nothing after stop", async (t) => {
  const [up, down] = await Promise.all([startServer(200), startServer(503)]);
  t.teardown(() => Promise.all([up.close(), down.close()]).then(() => undefined));
  const lines: string[] = [];
  const check = startLocalHealthCheck({ targets: [{ name: "website", url: up.url }, { name: "api", url: down.url }], firstAfterMs: 20, intervalMs: 300, log: (l) => lines.push(l) });
  t.teardown(() => check.stop());
  for (const deadline = Date.now() + 10_000; lines.length < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
  t.true(lines.length >= 2, lines.join("\n"));
  t.regex(lines[0]!, /^\[health check\] website ok \(200, \d+ ms\); api DOWN \(HTTP 503, \d+ ms\)$/);
  await check.stop();
  const seen = lines.length;
  const requests = up.requests.length;
  await new Promise((r) => setTimeout(r, 700));
  t.is(lines.length, seen, "no check after stop");
  t.is(up.requests.length, requests);
  t.is(healthCheckLine([{ name: "api", url: "http://x/", ok: false, status: null, latencyMs: 3, error: "ECONNREFUSED: connect ECONNREFUSED" }]), "[health check] api DOWN (ECONNREFUSED: connect ECONNREFUSED, 3 ms)");
});
