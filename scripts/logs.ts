// `npm run logs -- --stack dev [--since 1h] [--function api-create] [--errors | --slow | --id <id>]`:
// runs one of the saved Logs Insights queries (handlers/shared/log-queries.ts) over the stack's log
// groups (its `logGroups` output) and prints a table. `--local` reads local mode's log file instead
// and applies the same filters. Exit codes: 0 done (also when nothing matched), 2 bad usage, 1 failure.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand, StopQueryCommand, type ResultField } from "@aws-sdk/client-cloudwatch-logs";
import {
  LOG_QUERY_DEFAULT_LIMIT,
  UnsafeLogIdError,
  assertSafeLogId,
  isErrorLine,
  lineDurationMs,
  lineMentions,
  lineTime,
  logQuery,
  type LogLine,
  type LogQueryKind,
} from "../handlers/shared/log-queries";
import { localLogFile } from "../local/emulators/log-sink";
import { UsageError, parseCommandLine } from "./command-line";

export const LOGS_USAGE = "npm run logs -- (--stack <name> | --local) [--since 1h] [--function <name>] [--errors | --slow | --id <id>] [--limit 50] [--outputs <file.json>] [--region <region>]";

/** What `--help` prints; docs/observability.md shows it (tests/tools/command-help.test.ts). */
export const LOGS_HELP = `usage: ${LOGS_USAGE}

Runs a saved Logs Insights query over the stack's log groups (its logGroups output), or the same
filter over local mode's log file (--local), and prints a table.
  --errors            ERROR lines, lines with an error, failed invocations, newest first (the default)
  --slow              the slowest requests first
  --id <id>           every line that mentions the id (a request, webhook event or sync run), oldest first
  --since 1h          how far back: 90s, 15m, 1h, 2d (default 1h)
  --function <name>   one function's logs (default every function)
  --limit 50          at most this many lines, 1 to 10000 (default 50)
  --outputs <file>    the stack's outputs from a file (pulumi stack output --json), not the Pulumi CLI
  --region <region>   the region to query, over the outputs' own
Exit 0 done (also when nothing matched), 1 failure, 2 usage.`;

/** Something went wrong doing what was asked: exit 1. */
export class ToolError extends Error {}

/** `90s`, `15m`, `1h`, `2d` → milliseconds. */
export function parseSince(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match || Number(match[1]) === 0) throw new UsageError(`--since takes a duration like 15m, 1h or 2d (got "${text}")`);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"];
}

export interface LogsOptions {
  stack?: string;
  local: boolean;
  since: string;
  sinceMs: number;
  fn?: string;
  kind: LogQueryKind;
  id?: string;
  limit: number;
  outputsFile?: string;
  region?: string;
}

export function parseLogsArgs(argv: string[]): LogsOptions | "help" {
  const { values } = parseCommandLine({
    args: argv,
    options: {
      help: { type: "boolean", short: "h" },
      local: { type: "boolean" },
      errors: { type: "boolean" },
      slow: { type: "boolean" },
      id: { type: "string" },
      stack: { type: "string" },
      since: { type: "string" },
      function: { type: "string" },
      limit: { type: "string" },
      outputs: { type: "string" },
      region: { type: "string" },
    },
  });
  if (values.help) return "help";
  const kinds = (["errors", "slow", "id"] as const).filter((kind) => values[kind] !== undefined);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 10_000)) throw new UsageError(`--limit takes a whole number from 1 to 10000 (got "${values.limit}")`);
  const options = { local: values.local ?? false, kinds, id: values.id, stack: values.stack, since: values.since, fn: values.function, limit, outputsFile: values.outputs, region: values.region };
  if (options.local === Boolean(options.stack)) throw new UsageError(options.local ? "--local and --stack exclude each other" : "say which logs: --stack <name> or --local");
  if (options.kinds.length > 1) throw new UsageError("choose one of --errors, --slow, --id <id>");
  if (options.local && (options.outputsFile || options.region)) throw new UsageError("--outputs and --region are for --stack");
  if (options.id !== undefined) {
    try {
      assertSafeLogId(options.id);
    } catch (error) {
      throw new UsageError(`--id ${(error as Error).message}`);
    }
  }
  const since = options.since ?? "1h";
  return {
    stack: options.stack,
    local: options.local!,
    since,
    sinceMs: parseSince(since),
    fn: options.fn,
    kind: options.kinds[0] ?? "errors",
    id: options.id,
    limit: options.limit ?? LOG_QUERY_DEFAULT_LIMIT,
    outputsFile: options.outputsFile,
    region: options.region,
  };
}

/** One printed row. */
export interface LogRow {
  /** Epoch ms. */
  time: number;
  fn: string;
  level: string;
  correlationId: string;
  durationMs?: number;
  message: string;
}

const text = (v: unknown): string => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));

function describe(fields: { message?: unknown; routeKey?: unknown; status?: unknown; errorText?: unknown }): string {
  let message = text(fields.message);
  if (fields.routeKey) message += ` ${text(fields.routeKey)}`;
  if (fields.status !== undefined && fields.status !== "") message += ` → ${text(fields.status)}`;
  if (fields.errorText) message += `: ${text(fields.errorText)}`;
  return message.replace(/\s*\n\s*/g, " ");
}

/** A local log line as a row (the same columns the cloud query shows). */
export function rowFromLine(line: LogLine): LogRow {
  const error = line.error && typeof line.error === "object" ? (line.error as Record<string, unknown>).message : undefined;
  const record = (line.record ?? {}) as Record<string, unknown>;
  return {
    time: lineTime(line) ?? 0,
    fn: text(line.service),
    level: text(line.level ?? (typeof line.type === "string" && line.type.startsWith("platform.") ? "PLATFORM" : "")),
    correlationId: text(line.correlation_id ?? line.function_request_id ?? record.requestId),
    durationMs: lineDurationMs(line),
    message: describe({ message: line.message ?? line.type, routeKey: line.routeKey, status: line.status, errorText: error ?? line.errorMessage }),
  };
}

/** A Logs Insights result row as a row; `groups` maps log group names back to function names. */
export function rowFromResult(fields: ResultField[], groups: Record<string, string>): LogRow {
  const f = Object.fromEntries(fields.filter((x) => x.field).map((x) => [x.field!, x.value ?? ""]));
  const group = (f["@log"] ?? "").replace(/^\d+:/, "");
  const byGroup = Object.entries(groups).find(([, name]) => name === group)?.[0];
  const duration = Number(f.duration ?? f.durationMs ?? NaN);
  // @timestamp is "YYYY-MM-DD HH:MM:SS.mmm" in UTC.
  const time = Date.parse(`${(f["@timestamp"] ?? "").replace(" ", "T")}Z`);
  return {
    time: Number.isFinite(time) ? time : 0,
    fn: f.service || byGroup || group.split("/").pop() || "",
    level: f.level || (f["record.requestId"] ? "PLATFORM" : ""),
    correlationId: f.correlation_id || f.function_request_id || f["record.requestId"] || "",
    durationMs: Number.isFinite(duration) && (f.duration ?? f.durationMs) !== undefined ? duration : undefined,
    message: describe({ message: f.message, routeKey: f.routeKey, status: f.status, errorText: f.errorText }),
  };
}

const formatTime = (ms: number) => (ms ? new Date(ms).toISOString().replace("T", " ").replace("Z", "") : "?");
const formatDuration = (ms: number | undefined) => (ms === undefined ? "" : `${Math.round(ms * 10) / 10} ms`);

/** An aligned table: time (UTC), function, level, correlation id, duration, message. */
export function renderTable(rows: LogRow[]): string {
  const header = ["TIME (UTC)", "FUNCTION", "LEVEL", "CORRELATION ID", "DURATION", "MESSAGE"];
  const cells = rows.map((r) => [formatTime(r.time), r.fn, r.level, r.correlationId, formatDuration(r.durationMs), r.message]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((cell, i) => (i === c.length - 1 ? cell : i === 4 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...cells.map(line)].join("\n");
}

const WHAT: Record<LogQueryKind, string> = { errors: "errors", slow: "slowest requests", id: "lines about" };

export function summary(options: LogsOptions, count: number): string {
  const what = options.kind === "id" ? `${WHAT.id} ${options.id}` : WHAT[options.kind];
  const where = `${options.local ? "local mode" : `stack ${options.stack}`}, last ${options.since}, ${options.fn ? `function ${options.fn}` : "all functions"}`;
  return count === 0 ? `No ${options.kind === "id" ? `lines mention ${options.id}` : what} (${where}).` : `${count} ${count === 1 ? "line" : "lines"}: ${what} (${where}).`;
}

/** Local mode's log file, parsed, newer than `sinceMs` ago. */
export function readLocalLog(file: string, sinceMs: number, now = Date.now()): { raw: string; line: LogLine }[] {
  if (!existsSync(file)) throw new ToolError(`No local log yet (${file}): start local mode with npm start and make a few requests.`);
  const from = now - sinceMs;
  const entries: { raw: string; line: LogLine }[] = [];
  for (const raw of readFileSync(file, "utf8").split("\n")) {
    if (!raw.startsWith("{")) continue;
    let line: LogLine;
    try {
      line = JSON.parse(raw) as LogLine;
    } catch {
      continue;
    }
    const time = lineTime(line);
    if (time !== undefined && time >= from) entries.push({ raw, line });
  }
  return entries;
}

export const localDataDir = () => process.env.SWITCHYARD_LOCAL_DIR ?? join(__dirname, "..", ".local");

/** `--local`: the same filters as the queries, applied to local mode's log file. */
export function localRows(options: LogsOptions, file = localLogFile(localDataDir())): LogRow[] {
  let entries = readLocalLog(file, options.sinceMs);
  if (options.fn) entries = entries.filter((e) => e.line.service === options.fn);
  if (options.kind === "errors") {
    entries = entries.filter((e) => isErrorLine(e.line)).sort((a, b) => (lineTime(b.line) ?? 0) - (lineTime(a.line) ?? 0));
  } else if (options.kind === "slow") {
    entries = entries.filter((e) => lineDurationMs(e.line) !== undefined).sort((a, b) => lineDurationMs(b.line)! - lineDurationMs(a.line)!);
  } else {
    // Stable sort: lines written in the same millisecond stay in file order.
    entries = entries.filter((e) => lineMentions(e.raw, options.id!)).sort((a, b) => (lineTime(a.line) ?? 0) - (lineTime(b.line) ?? 0));
  }
  return entries.slice(0, options.limit).map((e) => rowFromLine(e.line));
}

/** The stack's outputs: from `--outputs`, else `pulumi stack output --json`. */
export function stackOutputs(options: LogsOptions): Record<string, unknown> {
  let json: string;
  if (options.outputsFile) {
    try {
      json = readFileSync(options.outputsFile, "utf8");
    } catch (error) {
      throw new ToolError(`cannot read --outputs ${options.outputsFile}: ${(error as Error).message}`);
    }
  } else {
    try {
      json = execFileSync("pulumi", ["stack", "output", "--json", "--stack", options.stack!], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === "ENOENT") {
        throw new ToolError(`the Pulumi CLI is not installed (pulumi not found on PATH): install it (https://www.pulumi.com/docs/iac/download-install/), or pass --outputs <file.json> written by \`pulumi stack output --json --stack ${options.stack}\` elsewhere`);
      }
      throw new ToolError(`pulumi stack output --json --stack ${options.stack} failed: ${(e.stderr ?? e.message).trim()}`);
    }
  }
  try {
    const outputs: unknown = JSON.parse(json);
    if (!outputs || typeof outputs !== "object" || Array.isArray(outputs)) throw new Error("not a JSON object");
    return outputs as Record<string, unknown>;
  } catch (error) {
    throw new ToolError(`the stack outputs are not valid JSON (${(error as Error).message})`);
  }
}

/** The `logGroups` output: function name → log group name. */
export function logGroupsOf(outputs: Record<string, unknown>, stack: string): Record<string, string> {
  const groups = outputs.logGroups;
  if (!groups || typeof groups !== "object" || Array.isArray(groups) || !Object.values(groups).every((v) => typeof v === "string") || Object.keys(groups).length === 0) {
    throw new ToolError(`stack ${stack} has no logGroups output (a map of function name to log group name, added by the ObservabilityDashboard): run pulumi up, or pass --outputs with it`);
  }
  return groups as Record<string, string>;
}

export interface CloudQueryOptions {
  pollMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

/** Runs the query over the stack's log groups with Logs Insights: StartQuery, then GetQueryResults until it ends. */
export async function cloudRows(options: LogsOptions, outputs: Record<string, unknown>, { pollMs = 500, timeoutMs = 120_000, now = Date.now }: CloudQueryOptions = {}): Promise<LogRow[]> {
  const groups = logGroupsOf(outputs, options.stack!);
  if (options.fn && !groups[options.fn]) throw new UsageError(`stack ${options.stack} has no function "${options.fn}"; it has: ${Object.keys(groups).sort().join(", ")}`);
  const logGroupNames = options.fn ? [groups[options.fn]!] : [...new Set(Object.values(groups))];
  if (logGroupNames.length > 50) throw new ToolError(`Logs Insights queries at most 50 log groups at a time and the stack has ${logGroupNames.length}: add --function <name>`);
  const region = options.region ?? (typeof outputs.region === "string" ? outputs.region : undefined) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new ToolError(`no region: the stack outputs have no region; pass --region`);

  const client = new CloudWatchLogsClient({ region });
  const end = now();
  try {
    const started = await client.send(
      new StartQueryCommand({
        logGroupNames,
        startTime: Math.floor((end - options.sinceMs) / 1000),
        endTime: Math.ceil(end / 1000),
        queryString: logQuery(options.kind, { id: options.id, limit: options.limit }),
        limit: options.limit,
      }),
    );
    const queryId = started.queryId!;
    const deadline = now() + timeoutMs;
    for (;;) {
      const result = await client.send(new GetQueryResultsCommand({ queryId }));
      if (result.status === "Complete") return (result.results ?? []).map((fields) => rowFromResult(fields, groups));
      if (result.status === "Failed" || result.status === "Cancelled" || result.status === "Timeout") {
        throw new ToolError(`the Logs Insights query ${queryId} ended with status ${result.status}`);
      }
      if (now() > deadline) {
        await client.send(new StopQueryCommand({ queryId })).catch(() => undefined);
        throw new ToolError(`the Logs Insights query ${queryId} did not finish within ${Math.round(timeoutMs / 1000)} s (stopped it)`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  } catch (error) {
    if (error instanceof ToolError || error instanceof UsageError) throw error;
    const e = error as Error;
    throw new ToolError(`CloudWatch Logs (${region}): ${e.name && e.name !== "Error" ? `${e.name}: ` : ""}${e.message}`);
  } finally {
    client.destroy();
  }
}

export async function runLogs(argv: string[], print: (line: string) => void = console.log): Promise<void> {
  const options = parseLogsArgs(argv);
  if (options === "help") {
    print(LOGS_HELP);
    return;
  }
  const rows = options.local ? localRows(options) : await cloudRows(options, stackOutputs(options));
  if (rows.length) print(renderTable(rows));
  print(summary(options, rows.length));
}

/** Runs a CLI entry point: usage errors exit 2 with one line, failures exit 1. */
export function cli(name: string, run: () => Promise<void>): void {
  run().then(
    () => process.exit(0),
    (error: Error) => {
      if (error instanceof UsageError || error instanceof UnsafeLogIdError) {
        console.error(`${name}: ${error.message} (see ${name} -- --help)`);
        process.exit(2);
      }
      console.error(`${name}: ${error instanceof ToolError ? error.message : error.stack ?? error.message}`);
      process.exit(1);
    },
  );
}

if (require.main === module) cli("npm run logs", () => runLogs(process.argv.slice(2)));
