// The three log queries Switchyard keeps, in one place: the stacks save them as CloudWatch Logs
// Insights query definitions, `npm run logs` runs them (StartQuery) against a stack's log groups,
// and `npm run logs -- --local` applies the same filters to local mode's log file in JavaScript.
// Plain data and small functions: no AWS or Pulumi imports.
//
// What the log groups hold (each function's own group, Lambda's JSON log format):
//   - Powertools Logger lines: {level, message, timestamp, service, correlation_id,
//     function_request_id, cold_start, xray_trace_id, …extra keys}; httpHandler's
//     "request handled" / "request rejected" / "request failed" lines carry routeKey, status and
//     durationMs, a scheduled job's "sync run finished" line carries durationMs; errors carry
//     `error: {name, message, stack, location}`.
//   - EMF metric documents ({_aws: {…}, service, <metric>: value}).
//   - Lambda's own JSON lines: uncaught errors (level ERROR, errorType/errorMessage) and platform
//     events ({type: "platform.report", record: {requestId, status, metrics: {durationMs, …}}}).
//     Platform reports only arrive when the function's system log level is INFO or DEBUG (the
//     HandlerFunction sets WARN), so the handlers' own durationMs is what `slow` relies on.

export type LogQueryKind = "errors" | "slow" | "id";

/** Rows a query returns unless told otherwise. */
export const LOG_QUERY_DEFAULT_LIMIT = 50;

/** What an id may look like: safe inside a query string literal without any escaping. */
export const LOG_ID_PATTERN = /^[A-Za-z0-9._:@/-]{1,200}$/;

/** The id the saved "by id" query carries: replace it in the console before running. */
export const LOG_QUERY_ID_PLACEHOLDER = "PASTE-THE-ID-HERE";

export class UnsafeLogIdError extends Error {}

/** Returns `id` if it matches LOG_ID_PATTERN; throws UnsafeLogIdError otherwise. */
export function assertSafeLogId(id: string): string {
  if (!LOG_ID_PATTERN.test(id)) {
    throw new UnsafeLogIdError(`"${id.length > 60 ? `${id.slice(0, 60)}…` : id}" is not an id: use 1–200 of the characters A–Z a–z 0–9 . _ : @ / -`);
  }
  return id;
}

function assertLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new RangeError(`limit must be an integer from 1 to 10000 (got ${limit})`);
  return limit;
}

/**
 * The fields every query shows. `@log` is "<account>:<log group>" (which function); `service` is
 * the function's logical name (Powertools sets it from POWERTOOLS_SERVICE_NAME).
 */
export const LOG_QUERY_FIELDS = [
  "@timestamp",
  "@log",
  "service",
  "level",
  "correlation_id",
  "function_request_id",
  "record.requestId",
  "message",
  "routeKey",
  "status",
  "durationMs",
];

/** Recent errors, newest first: ERROR/CRITICAL lines, lines with an error, failed invocations. */
export function errorsQuery(limit = LOG_QUERY_DEFAULT_LIMIT): string {
  return [
    `fields ${LOG_QUERY_FIELDS.join(", ")}, coalesce(error.message, errorMessage) as errorText`,
    `filter level = "ERROR" or level = "CRITICAL" or level = "FATAL" or ispresent(error.message) or ispresent(errorMessage) or record.status = "error" or record.status = "failure" or record.status = "timeout"`,
    "sort @timestamp desc",
    `limit ${assertLimit(limit)}`,
  ].join("\n| ");
}

/**
 * The slowest requests and runs, slowest first: the handlers' durationMs, and Lambda's invocation
 * reports when they are logged (JSON format: platform.report record.metrics.durationMs; text
 * format: REPORT lines, @duration).
 */
export function slowQuery(limit = LOG_QUERY_DEFAULT_LIMIT): string {
  return [
    `fields ${LOG_QUERY_FIELDS.join(", ")}, coalesce(durationMs, record.metrics.durationMs, @duration) as duration`,
    `filter ispresent(durationMs) or type = "platform.report" or @type = "REPORT"`,
    "sort duration desc",
    `limit ${assertLimit(limit)}`,
  ].join("\n| ");
}

/**
 * Everything about one id, oldest first: every line that contains it anywhere — as correlation_id
 * (API request id, webhook event id, sync run id), function_request_id, Lambda's requestId,
 * eventId, messageId, … The id is checked against LOG_ID_PATTERN, so it needs no escaping.
 */
export function byIdQuery(id: string, limit = LOG_QUERY_DEFAULT_LIMIT): string {
  return [`fields ${LOG_QUERY_FIELDS.join(", ")}, coalesce(error.message, errorMessage) as errorText`, `filter @message like "${assertSafeLogId(id)}"`, "sort @timestamp asc", `limit ${assertLimit(limit)}`].join("\n| ");
}

export function logQuery(kind: LogQueryKind, options: { id?: string; limit?: number } = {}): string {
  if (kind === "errors") return errorsQuery(options.limit);
  if (kind === "slow") return slowQuery(options.limit);
  if (options.id === undefined) throw new UnsafeLogIdError("the id query needs an id");
  return byIdQuery(options.id, options.limit);
}

export interface SavedLogQuery {
  kind: LogQueryKind;
  /** The query definition's name; "/" puts it in a folder in the console. */
  name: string;
  queryString: string;
}

/** The three saved queries of a stack (for aws.cloudwatch.QueryDefinition, with the stack's log groups). */
export function savedLogQueries(stack: string): SavedLogQuery[] {
  return [
    { kind: "errors", name: `Switchyard/${stack}/Recent errors by function`, queryString: errorsQuery(100) },
    { kind: "slow", name: `Switchyard/${stack}/Slowest requests`, queryString: slowQuery(50) },
    { kind: "id", name: `Switchyard/${stack}/Everything about one id (replace ${LOG_QUERY_ID_PLACEHOLDER})`, queryString: byIdQuery(LOG_QUERY_ID_PLACEHOLDER, 200) },
  ];
}

// The same filters in JavaScript, for local mode's log file (one JSON object per line).

export type LogLine = Record<string, unknown>;

const at = (line: LogLine, path: string): unknown => path.split(".").reduce<unknown>((v, key) => (v && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), line);

/** errorsQuery's filter. */
export function isErrorLine(line: LogLine): boolean {
  const level = String(line.level ?? "").toUpperCase();
  const status = at(line, "record.status");
  return level === "ERROR" || level === "CRITICAL" || level === "FATAL" || at(line, "error.message") !== undefined || line.errorMessage !== undefined || status === "error" || status === "failure" || status === "timeout";
}

/** slowQuery's duration: durationMs, or a platform report's; undefined when the line has none. */
export function lineDurationMs(line: LogLine): number | undefined {
  const value = line.durationMs ?? (line.type === "platform.report" ? at(line, "record.metrics.durationMs") : undefined);
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** byIdQuery's filter, on the raw line (`@message like "<id>"`). */
export const lineMentions = (raw: string, id: string): boolean => raw.includes(assertSafeLogId(id));

/** When the line was written: Powertools' `timestamp`, an EMF document's `_aws.Timestamp`, or a platform event's `time`. */
export function lineTime(line: LogLine): number | undefined {
  const value = line.timestamp ?? at(line, "_aws.Timestamp") ?? line.time;
  const ms = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}
