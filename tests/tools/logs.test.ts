// `npm run logs` against a stack: the tool as a child process, with the stack's outputs from a file,
// talking to a local stand-in of the CloudWatch Logs JSON protocol; and `--local` over a log file.
import test from "ava";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { LOG_ID_PATTERN, LOG_QUERY_ID_PLACEHOLDER, assertSafeLogId, byIdQuery, errorsQuery, savedLogQueries, slowQuery } from "../../handlers/shared/log-queries";
import { localLogFile } from "../../local/emulators/log-sink";
import { resultRow, startCloudWatchLogsStandIn, type CloudWatchLogsStandInOptions } from "../harness/cloudwatch-logs";
import { ROOT, evaluateStack } from "../harness/stacks";

/**
 * What `pulumi stack output --json --stack dev` prints for a stack with the ObservabilityDashboard
 * (hand-written: `logGroups` is the component's output; see the report for a test on an evaluated stack).
 */
const OUTPUTS = {
  region: "us-west-2",
  apiUrl: "https://abc123.execute-api.us-west-2.amazonaws.com",
  logGroups: {
    "api-create": "/switchyard/dev/api-create",
    "api-list": "/switchyard/dev/api-list",
    "calendly-ingest": "/switchyard/dev/calendly-ingest",
    "gists-run": "/switchyard/dev/gists-run",
  },
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(script: "logs" | "status", args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(ROOT, "scripts", `${script}.ts`), ...args],
      {
        cwd: ROOT,
        env: {
          // No real AWS anywhere: fixed credentials, no config files, no instance metadata, no pulumi on PATH.
          PATH: dirname(process.execPath),
          HOME: tmpdir(),
          AWS_ACCESS_KEY_ID: "AKIDSTANDIN",
          AWS_SECRET_ACCESS_KEY: "standin-secret",
          AWS_CONFIG_FILE: join(tmpdir(), "switchyard-no-aws-config"),
          AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), "switchyard-no-aws-credentials"),
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          ...env,
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function withStack<T>(options: CloudWatchLogsStandInOptions, outputs: unknown, body: (ctx: { logs: (args: string[]) => Promise<Run>; standIn: Awaited<ReturnType<typeof startCloudWatchLogsStandIn>> }) => Promise<T>) {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-logs-"));
  const outputsFile = join(dir, "outputs.json");
  writeFileSync(outputsFile, JSON.stringify(outputs, null, 2));
  const standIn = await startCloudWatchLogsStandIn(options);
  try {
    return await body({ standIn, logs: (args) => run("logs", ["--stack", "dev", "--outputs", outputsFile, ...args], { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: standIn.url }) });
  } finally {
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const within = (actual: number, expected: number, slack: number) => Math.abs(actual - expected) <= slack;

test("the three queries: Logs Insights text, safe ids only, saved under the stack's name", (t) => {
  t.is(
    errorsQuery(50),
    [
      "fields @timestamp, @log, service, level, correlation_id, function_request_id, record.requestId, message, routeKey, status, durationMs, coalesce(error.message, errorMessage) as errorText",
      `| filter level = "ERROR" or level = "CRITICAL" or level = "FATAL" or ispresent(error.message) or ispresent(errorMessage) or record.status = "error" or record.status = "failure" or record.status = "timeout"`,
      "| sort @timestamp desc",
      "| limit 50",
    ].join("\n"),
  );
  t.regex(slowQuery(5), /coalesce\(durationMs, record\.metrics\.durationMs, @duration\) as duration\n\| filter ispresent\(durationMs\) or type = "platform\.report" or @type = "REPORT"\n\| sort duration desc\n\| limit 5$/);
  t.regex(byIdQuery("0199a-b_c:d@e/f.g", 200), /\n\| filter @message like "0199a-b_c:d@e\/f\.g"\n\| sort @timestamp asc\n\| limit 200$/);
  for (const bad of ['a"b', "a\\b", "x | filter 1=1", "", "a".repeat(201), "ünïcode", "a b", "/x/ or @message like /"]) {
    t.throws(() => byIdQuery(bad), { message: /is not an id/ }, bad);
    t.false(LOG_ID_PATTERN.test(bad));
  }
  t.is(assertSafeLogId("arn:aws:lambda/x@y"), "arn:aws:lambda/x@y");
  t.throws(() => errorsQuery(0), { instanceOf: RangeError });
  const saved = savedLogQueries("prod");
  t.deepEqual(
    saved.map((q) => [q.kind, q.name]),
    [
      ["errors", "Switchyard/prod/Recent errors by function"],
      ["slow", "Switchyard/prod/Slowest requests"],
      ["id", `Switchyard/prod/Everything about one id (replace ${LOG_QUERY_ID_PLACEHOLDER})`],
    ],
  );
  t.true(saved[2]!.queryString.includes(`@message like "${LOG_QUERY_ID_PLACEHOLDER}"`));
});

test("--errors (the default) queries every log group of the stack for the last hour and prints a table", async (t) => {
  const rows = () => [
    resultRow({ "@timestamp": "2026-11-25 10:00:02.345", "@log": "123456789012:/switchyard/dev/api-create", level: "ERROR", correlation_id: "req-2", message: "request failed", routeKey: "POST /messages", status: 500, durationMs: 17, errorText: "table is gone" }),
    resultRow({ "@timestamp": "2026-11-25 09:59:01.000", "@log": "123456789012:/switchyard/dev/gists-run", service: "gists-run", level: "WARN", correlation_id: "run-1", message: "gists sync failed for a user", errorText: "rate limited" }),
  ];
  await withStack({ rows, runningPolls: 2 }, OUTPUTS, async ({ logs, standIn }) => {
    const before = Date.now();
    const result = await logs([]);
    t.is(result.code, 0, result.stderr);
    t.is(standIn.queries.length, 1);
    const query = standIn.queries[0]!;
    t.deepEqual(query.logGroupNames, Object.values(OUTPUTS.logGroups));
    t.is(query.queryString, errorsQuery(50));
    t.is(query.limit, 50);
    t.true(within(query.endTime, before / 1000, 10), `endTime ${query.endTime}`);
    t.true(within(query.endTime - query.startTime, 3600, 2));
    t.is(query.polls, 3, "polled while Running, then read the results");
    t.deepEqual(standIn.operations, ["StartQuery", "GetQueryResults", "GetQueryResults", "GetQueryResults"]);

    const lines = result.stdout.trimEnd().split("\n");
    t.regex(lines[0]!, /^TIME \(UTC\) +FUNCTION +LEVEL +CORRELATION ID +DURATION +MESSAGE$/);
    t.regex(lines[1]!, /^2026-11-25 10:00:02\.345 +api-create +ERROR +req-2 +17 ms +request failed POST \/messages → 500: table is gone$/);
    t.regex(lines[2]!, /^2026-11-25 09:59:01\.000 +gists-run +WARN +run-1 +gists sync failed for a user: rate limited$/);
    // Aligned: every column starts at the same place on every line.
    t.is(lines[1]!.indexOf("api-create"), lines[0]!.indexOf("FUNCTION"));
    t.is(lines[2]!.indexOf("run-1"), lines[0]!.indexOf("CORRELATION ID"));
    t.is(lines[3], "2 lines: errors (stack dev, last 1h, all functions).");
  });
});

test("--slow --since 15m --function narrows the query to one log group and sorts by duration", async (t) => {
  const rows = () => [
    resultRow({ "@timestamp": "2026-11-25 10:00:00.000", "@log": "123456789012:/switchyard/dev/api-create", service: "api-create", level: "INFO", correlation_id: "req-9", message: "request handled", routeKey: "POST /messages", status: 201, durationMs: 1234, duration: 1234 }),
    resultRow({ "@timestamp": "2026-11-25 10:00:01.000", "@log": "123456789012:/switchyard/dev/api-create", "record.requestId": "3f1c-lambda", duration: 812.5 }),
  ];
  await withStack({ rows }, OUTPUTS, async ({ logs, standIn }) => {
    const result = await logs(["--slow", "--since", "15m", "--function", "api-create", "--limit", "5"]);
    t.is(result.code, 0, result.stderr);
    const query = standIn.queries[0]!;
    t.deepEqual(query.logGroupNames, ["/switchyard/dev/api-create"]);
    t.is(query.queryString, slowQuery(5));
    t.is(query.limit, 5);
    t.true(within(query.endTime - query.startTime, 15 * 60, 2));
    const lines = result.stdout.trimEnd().split("\n");
    t.regex(lines[1]!, /^2026-11-25 10:00:00\.000 +api-create +INFO +req-9 +1234 ms +request handled POST \/messages → 201$/);
    t.regex(lines[2]!, /^2026-11-25 10:00:01\.000 +api-create +PLATFORM +3f1c-lambda +812\.5 ms/);
    t.is(lines[3], "2 lines: slowest requests (stack dev, last 15m, function api-create).");
  });
});

test("--id asks for every line mentioning the id, oldest first; no rows is not a failure", async (t) => {
  await withStack({}, OUTPUTS, async ({ logs, standIn }) => {
    const id = "b649ef15c0ffee";
    const result = await logs(["--id", id, "--since", "2d"]);
    t.is(result.code, 0, result.stderr);
    t.is(standIn.queries[0]!.queryString, byIdQuery(id, 50));
    t.true(within(standIn.queries[0]!.endTime - standIn.queries[0]!.startTime, 2 * 86400, 2));
    t.is(result.stdout, `No lines mention ${id} (stack dev, last 2d, all functions).\n`);
  });
});

test("a query that fails, or that Logs Insights refuses, exits 1 with the reason", async (t) => {
  await withStack({ finalStatus: "Failed" }, OUTPUTS, async ({ logs }) => {
    const result = await logs(["--errors"]);
    t.is(result.code, 1);
    t.regex(result.stderr, /^npm run logs: the Logs Insights query [0-9a-f-]+ ended with status Failed\n$/);
    t.is(result.stdout, "");
  });
  await withStack({ startError: { type: "MalformedQueryException", message: "unexpected symbol at line 2" } }, OUTPUTS, async ({ logs }) => {
    const result = await logs(["--slow"]);
    t.is(result.code, 1);
    t.regex(result.stderr, /^npm run logs: CloudWatch Logs \(us-west-2\): MalformedQueryException: unexpected symbol at line 2\n$/);
  });
});

test("usage mistakes exit 2 with one line and send nothing", async (t) => {
  await withStack({}, OUTPUTS, async ({ logs, standIn }) => {
    const cases: [string[], RegExp][] = [
      [["--nope"], /unknown argument "--nope"/],
      [["--id", 'x" or level = "INFO'], /--id "x" or level = "INFO" is not an id: use 1–200 of the characters/],
      [["--id", "a|b"], /is not an id/],
      [["--errors", "--slow"], /choose one of --errors, --slow, --id <id>/],
      [["--since", "yesterday"], /--since takes a duration like 15m, 1h or 2d \(got "yesterday"\)/],
      [["--limit", "0"], /--limit takes a whole number from 1 to 10000/],
      [["--function", "nope"], /stack dev has no function "nope"; it has: api-create, api-list, calendly-ingest, gists-run/],
      [["--local"], /--local and --stack exclude each other/],
    ];
    for (const [args, message] of cases) {
      const result = await logs(args);
      t.is(result.code, 2, args.join(" "));
      t.regex(result.stderr, message, args.join(" "));
      t.is(result.stderr.trimEnd().split("\n").length, 1, "one line");
    }
    t.deepEqual(standIn.operations, []);
  });
  const bare = await run("logs", []);
  t.is(bare.code, 2);
  t.regex(bare.stderr, /^npm run logs: say which logs: --stack <name> or --local \(see npm run logs -- --help\)\n$/);
  const help = await run("logs", ["--help"]);
  t.is(help.code, 0);
  t.regex(help.stdout, /^usage: npm run logs -- \(--stack <name> \| --local\)/);
});

test("without the logGroups output, or without the Pulumi CLI, it says what to do (exit 1)", async (t) => {
  const { logGroups: _, ...withoutGroups } = OUTPUTS;
  await withStack({}, withoutGroups, async ({ logs, standIn }) => {
    const result = await logs([]);
    t.is(result.code, 1);
    t.regex(result.stderr, /stack dev has no logGroups output \(a map of function name to log group name, added by the ObservabilityDashboard\): run pulumi up, or pass --outputs with it/);
    t.deepEqual(standIn.operations, []);
  });
  const noCli = await run("logs", ["--stack", "dev"]);
  t.is(noCli.code, 1);
  t.regex(noCli.stderr, /the Pulumi CLI is not installed \(pulumi not found on PATH\): install it .*or pass --outputs <file\.json> written by `pulumi stack output --json --stack dev`/);
});

test("--local applies the same filters to local mode's log file; status sums its metrics", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-local-logs-"));
  const now = Date.now();
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
  const emf = (msAgo: number, service: string, metrics: Record<string, number | number[]>, extra: Record<string, string> = {}) => ({
    _aws: { Timestamp: now - msAgo, CloudWatchMetrics: [{ Namespace: "Switchyard", Dimensions: [["service", ...Object.keys(extra)]], Metrics: Object.keys(metrics).map((Name) => ({ Name, Unit: "Count" })) }] },
    service,
    ...extra,
    ...metrics,
  });
  const lines = [
    { level: "INFO", message: "request handled", timestamp: iso(3 * 3_600_000), service: "messages-create", correlation_id: "old", routeKey: "POST /messages", status: 201, durationMs: 900 },
    { level: "INFO", message: "message stored", timestamp: iso(60_000), service: "messages-create", correlation_id: "req-a", messageId: "m-1" },
    { level: "INFO", message: "request handled", timestamp: iso(59_000), service: "messages-create", correlation_id: "req-a", routeKey: "POST /messages", status: 201, durationMs: 40 },
    emf(59_000, "messages-create", { messagesCreated: 1 }),
    { level: "INFO", message: "request rejected", timestamp: iso(50_000), service: "messages-create", correlation_id: "req-b", routeKey: "POST /messages", status: 400, problem: "urn:switchyard:problem:malformed-json", durationMs: 2 },
    { level: "ERROR", message: "request failed", timestamp: iso(40_000), service: "messages-get", correlation_id: "req-c", routeKey: "GET /messages/{id}", status: 500, durationMs: 75, error: { name: "Error", message: "boom" } },
    { level: "INFO", message: "webhook stored", timestamp: iso(30_000), service: "webhooks-ingest", correlation_id: "evt-1", eventId: "evt-1" },
    emf(30_000, "webhooks-ingest", { webhooksReceived: 1 }),
    emf(29_000, "webhooks-ingest", { webhooksDuplicate: 1 }),
    { level: "WARN", message: "gists sync failed for a user", timestamp: iso(20_000), service: "sync-gists", correlation_id: "run-1", user: "octocat", error: { name: "RateLimitedError", message: "rate limited" } },
    emf(19_000, "sync-gists", { itemsSeen: 4, itemsCreated: 3, itemsSkipped: 1, itemsFailed: 0, freshnessMinutes: 0 }),
    emf(10_000, "health-check", { healthCheckAvailable: 1, healthCheckLatencyMs: 12 }, { target: "api" }),
    emf(9_000, "health-check", { healthCheckAvailable: 0, healthCheckLatencyMs: 3000 }, { target: "api" }),
    emf(8_000, "webhooks-project", { meetingsUpdated: [1, 2] }),
  ];
  const file = localLogFile(dir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, [...lines.map((l) => JSON.stringify(l)), "not json, ignored", ""].join("\n"));
  const env = { SWITCHYARD_LOCAL_DIR: dir };
  try {
    const errors = await run("logs", ["--local"], env);
    t.is(errors.code, 0, errors.stderr);
    const errorRows = errors.stdout.trimEnd().split("\n");
    t.is(errorRows.length, 4);
    t.regex(errorRows[1]!, /sync-gists +WARN +run-1 +gists sync failed for a user: rate limited$/, "newest first");
    t.regex(errorRows[2]!, /messages-get +ERROR +req-c +75 ms +request failed GET \/messages\/\{id\} → 500: boom$/);
    t.is(errorRows[3], "2 lines: errors (local mode, last 1h, all functions).");

    const slow = await run("logs", ["--local", "--slow", "--since", "4h", "--function", "messages-create"], env);
    t.deepEqual(
      slow.stdout.trimEnd().split("\n").slice(1, -1).map((l) => /(\S+) ms/.exec(l)?.[1]),
      ["900", "40", "2"],
    );

    const byId = await run("logs", ["--local", "--id", "req-a"], env);
    const idRows = byId.stdout.trimEnd().split("\n");
    t.deepEqual(idRows.slice(1, -1).map((l) => / (message stored|request handled)/.exec(l)?.[1]), ["message stored", "request handled"], "oldest first");
    t.is(idRows.at(-1), "2 lines: lines about req-a (local mode, last 1h, all functions).");

    const status = await run("status", ["--json"], env);
    t.is(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout);
    t.deepEqual(s.requests, {
      total: 3,
      errors: 1,
      byRoute: { "POST /messages": { "2xx": 1, "3xx": 0, "4xx": 1, "5xx": 0, total: 2 }, "GET /messages/{id}": { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 1, total: 1 } },
    });
    t.is(s.errorLines, 1);
    t.is(s.messagesCreated, 1);
    t.like(s.webhooks, { webhooksReceived: 1, webhooksDuplicate: 1, webhooksRejected: 0 });
    t.like(s.syncs["sync-gists"], { runs: 1, itemsSeen: 4, itemsCreated: 3, itemsSkipped: 1, itemsFailed: 0, freshnessMinutes: 0 });
    t.deepEqual(s.health, { api: { checks: 2, available: 1, availabilityPercent: 50, lastLatencyMs: 3000 } });
    t.deepEqual(s.otherMetrics, { meetingsUpdated: 3 });

    const text = await run("status", [], env);
    t.regex(text.stdout, /^Requests: 3, errors \(5xx\): 1, error log lines: 1$/m);
    t.regex(text.stdout, /^ {2}POST \/messages +1 +0 +1 +0 +2$/m);
    t.regex(text.stdout, /^Messages created: 1$/m);
    t.regex(text.stdout, /^Webhooks: received 1, duplicate 1, rejected 0, forwarded 0, spooled 0, replayed 0, dead-lettered 0$/m);
    t.regex(text.stdout, /^ {2}sync-gists +1 +4 +3 +0 +1 +0 +0 min /m);
    t.regex(text.stdout, /^ {2}api +2 +1 +50% +3000 ms$/m);

    const missing = await run("status", [], { SWITCHYARD_LOCAL_DIR: join(dir, "nothing-here") });
    t.is(missing.code, 1);
    t.regex(missing.stderr, /^npm run status: No local log yet \(.*nothing-here\/logs\/switchyard\.jsonl\): start local mode with npm start and make a few requests\.\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("against a real evaluated stack: the tool queries exactly the log groups the stack outputs", async (t) => {
  const record = await evaluateStack("dev");
  const groups = Object.values(record.outputs.logGroups as Record<string, string>);
  t.true(groups.length >= 10 && groups.every((g) => g.startsWith("/switchyard/dev/")));
  await withStack({ rows: () => [] }, record.outputs, async ({ logs, standIn }) => {
    const result = await logs(["--function", "health-check", "--slow"]);
    t.is(result.code, 0, result.stderr);
    t.deepEqual(standIn.queries[0]!.logGroupNames, ["/switchyard/dev/health-check"]);
    const all = await logs([]);
    t.is(all.code, 0, all.stderr);
    t.deepEqual(standIn.queries[1]!.logGroupNames, groups);
  });
});
