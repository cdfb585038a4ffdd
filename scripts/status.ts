// `npm run status [-- --since 1h] [--json]`: the numbers a stack's dashboard shows, for local mode,
// from its log file (local/emulators/log-sink.ts): requests by route and status class with errors (from the
// handlers' "request handled/rejected/failed" lines), and from the EMF metric documents messages
// created, webhooks received/duplicate/rejected/forwarded/spooled/replayed/dead-lettered, each sync
// job's items and freshness, and the health check's availability per target.
import { lineTime, type LogLine } from "../handlers/shared/log-queries";
import { localLogFile } from "../local/emulators/log-sink";
import { parseCommandLine } from "./command-line";
import { cli, localDataDir, parseSince, readLocalLog } from "./logs";

export const STATUS_USAGE = "npm run status [-- --since 1h] [--json]";

/** What `--help` prints; docs/observability.md shows it (tests/tools/command-help.test.ts). */
export const STATUS_HELP = `usage: ${STATUS_USAGE}

Sums local mode's log file (.local/logs/switchyard.jsonl, or under SWITCHYARD_LOCAL_DIR) into the
numbers a stack's dashboard shows: requests by route and status class, errors, messages created,
webhooks, each sync job's items and freshness, the health checks' availability.
  --since 1h   how far back: 90s, 15m, 1h, 2d (default 1h)
  --json       the numbers as JSON instead of tables
Exit 0 done, 1 no log yet, 2 usage.`;

export const WEBHOOK_METRICS = ["webhooksReceived", "webhooksDuplicate", "webhooksRejected", "webhooksForwarded", "webhooksSpooled", "webhooksReplayed", "webhooksDeadLettered"] as const;
export const SYNC_METRICS = ["itemsSeen", "itemsCreated", "itemsUpdated", "itemsSkipped", "itemsFailed"] as const;

type StatusClass = "2xx" | "3xx" | "4xx" | "5xx";

export interface LocalStatus {
  since: string;
  file: string;
  requests: { total: number; errors: number; byRoute: Record<string, Record<StatusClass, number> & { total: number }> };
  /** ERROR/CRITICAL lines, whatever wrote them. */
  errorLines: number;
  messagesCreated: number;
  webhooks: Record<(typeof WEBHOOK_METRICS)[number], number>;
  /** Per job (its service name): item counts summed, the last freshnessMinutes and when it was reported. */
  syncs: Record<string, Record<(typeof SYNC_METRICS)[number], number> & { runs: number; freshnessMinutes?: number; lastRunAt?: string }>;
  /** Per target: checks, how many succeeded, availability in percent, last latency. */
  health: Record<string, { checks: number; available: number; availabilityPercent: number; lastLatencyMs?: number }>;
  /** Every other metric, summed by name. */
  otherMetrics: Record<string, number>;
}

const REQUEST_LINES = new Set(["request handled", "request rejected", "request failed"]);

/** The metric values of one EMF document: name → values (Powertools writes an array when a metric was added more than once). */
function emfValues(line: LogLine): Record<string, number[]> | undefined {
  const aws = line._aws as { CloudWatchMetrics?: { Metrics?: { Name?: string }[] }[] } | undefined;
  if (!aws?.CloudWatchMetrics) return undefined;
  const values: Record<string, number[]> = {};
  for (const directive of aws.CloudWatchMetrics) {
    for (const { Name } of directive.Metrics ?? []) {
      if (!Name) continue;
      const value = line[Name];
      values[Name] = (Array.isArray(value) ? value : [value]).filter((v): v is number => typeof v === "number");
    }
  }
  return values;
}

const sum = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);

export function localStatus(lines: LogLine[], since: string, file: string): LocalStatus {
  const status: LocalStatus = {
    since,
    file,
    requests: { total: 0, errors: 0, byRoute: {} },
    errorLines: 0,
    messagesCreated: 0,
    webhooks: Object.fromEntries(WEBHOOK_METRICS.map((m) => [m, 0])) as LocalStatus["webhooks"],
    syncs: {},
    health: {},
    otherMetrics: {},
  };
  for (const line of [...lines].sort((a, b) => (lineTime(a) ?? 0) - (lineTime(b) ?? 0))) {
    const level = String(line.level ?? "").toUpperCase();
    if (level === "ERROR" || level === "CRITICAL" || level === "FATAL") status.errorLines++;
    if (REQUEST_LINES.has(String(line.message)) && typeof line.status === "number") {
      const route = String(line.routeKey ?? "?");
      const entry = (status.requests.byRoute[route] ??= { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, total: 0 });
      const cls = `${Math.min(5, Math.max(2, Math.floor(line.status / 100)))}xx` as StatusClass;
      entry[cls]++;
      entry.total++;
      status.requests.total++;
      if (cls === "5xx") status.requests.errors++;
      continue;
    }
    const values = emfValues(line);
    if (!values) continue;
    const service = String(line.service ?? "?");
    // A job publishes one EMF document per run (scheduledHandler): its items and freshness.
    if (Object.keys(values).some((name) => (SYNC_METRICS as readonly string[]).includes(name) || name === "freshnessMinutes")) {
      const job = (status.syncs[service] ??= { ...(Object.fromEntries(SYNC_METRICS.map((m) => [m, 0])) as Record<(typeof SYNC_METRICS)[number], number>), runs: 0 });
      job.runs++;
      const time = lineTime(line);
      if (time !== undefined) job.lastRunAt = new Date(time).toISOString();
      if (values.freshnessMinutes?.length) job.freshnessMinutes = values.freshnessMinutes.at(-1);
    }
    for (const [name, list] of Object.entries(values)) {
      if (name === "messagesCreated") status.messagesCreated += sum(list);
      else if ((WEBHOOK_METRICS as readonly string[]).includes(name)) status.webhooks[name as (typeof WEBHOOK_METRICS)[number]] += sum(list);
      else if ((SYNC_METRICS as readonly string[]).includes(name)) status.syncs[service]![name as (typeof SYNC_METRICS)[number]] += sum(list);
      else if (name === "freshnessMinutes") continue;
      else if (name === "healthCheckAvailable" || name === "healthCheckLatencyMs") {
        const target = String(line.target ?? "?");
        const entry = (status.health[target] ??= { checks: 0, available: 0, availabilityPercent: 0 });
        if (name === "healthCheckAvailable") {
          entry.checks += list.length;
          entry.available += sum(list);
          entry.availabilityPercent = entry.checks ? Math.round((entry.available / entry.checks) * 1000) / 10 : 0;
        } else entry.lastLatencyMs = list.at(-1);
      } else status.otherMetrics[name] = (status.otherMetrics[name] ?? 0) + sum(list);
    }
  }
  return status;
}

function table(header: string[], rows: (string | number)[][], numericFrom = 1): string[] {
  const cells = rows.map((r) => r.map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `  ${c.map((cell, i) => (i >= numericFrom ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  ")}`.trimEnd();
  return [line(header), ...cells.map(line)];
}

export function renderStatus(s: LocalStatus): string {
  const out = [`Local mode, last ${s.since} (${s.file})`, ""];
  out.push(`Requests: ${s.requests.total}, errors (5xx): ${s.requests.errors}, error log lines: ${s.errorLines}`);
  const routes = Object.entries(s.requests.byRoute).sort(([a], [b]) => a.localeCompare(b));
  if (routes.length) out.push(...table(["ROUTE", "2XX", "3XX", "4XX", "5XX", "TOTAL"], routes.map(([route, c]) => [route, c["2xx"], c["3xx"], c["4xx"], c["5xx"], c.total])));
  out.push("", `Messages created: ${s.messagesCreated}`);
  const w = s.webhooks;
  out.push(
    "",
    `Webhooks: received ${w.webhooksReceived}, duplicate ${w.webhooksDuplicate}, rejected ${w.webhooksRejected}, forwarded ${w.webhooksForwarded}, spooled ${w.webhooksSpooled}, replayed ${w.webhooksReplayed}, dead-lettered ${w.webhooksDeadLettered}`,
  );
  const syncs = Object.entries(s.syncs).sort(([a], [b]) => a.localeCompare(b));
  out.push("", syncs.length ? "Syncs:" : "Syncs: no runs");
  if (syncs.length) {
    out.push(
      ...table(
        ["JOB", "RUNS", "SEEN", "CREATED", "UPDATED", "SKIPPED", "FAILED", "FRESHNESS", "LAST RUN (UTC)"],
        syncs.map(([job, c]) => [job, c.runs, c.itemsSeen, c.itemsCreated, c.itemsUpdated, c.itemsSkipped, c.itemsFailed, c.freshnessMinutes === undefined ? "-" : `${c.freshnessMinutes} min`, c.lastRunAt?.replace("T", " ").replace(/\.\d+Z$/, "") ?? "-"]),
      ),
    );
  }
  const health = Object.entries(s.health).sort(([a], [b]) => a.localeCompare(b));
  out.push("", health.length ? "Health checks:" : "Health checks: none yet");
  if (health.length) out.push(...table(["TARGET", "CHECKS", "AVAILABLE", "AVAILABILITY", "LAST LATENCY"], health.map(([target, h]) => [target, h.checks, h.available, `${h.availabilityPercent}%`, h.lastLatencyMs === undefined ? "-" : `${h.lastLatencyMs} ms`])));
  const other = Object.entries(s.otherMetrics).sort(([a], [b]) => a.localeCompare(b));
  if (other.length) out.push("", `Other metrics: ${other.map(([name, value]) => `${name} ${value}`).join(", ")}`);
  return out.join("\n");
}

export async function runStatus(argv: string[], print: (line: string) => void = console.log): Promise<void> {
  const { values } = parseCommandLine({ args: argv, options: { help: { type: "boolean", short: "h" }, since: { type: "string" }, json: { type: "boolean" } } });
  if (values.help) return print(STATUS_HELP);
  const since = values.since ?? "1h";
  const json = values.json ?? false;
  const sinceMs = parseSince(since);
  const file = localLogFile(localDataDir());
  const status = localStatus(readLocalLog(file, sinceMs).map((e) => e.line), since, file);
  print(json ? JSON.stringify(status, null, 2) : renderStatus(status));
}

if (require.main === module) cli("npm run status", () => runStatus(process.argv.slice(2)));
