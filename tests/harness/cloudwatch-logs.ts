// A local stand-in for the CloudWatch Logs JSON protocol (awsJson1_1: POST /, X-Amz-Target
// Logs_20140328.<Operation>), enough for Logs Insights: StartQuery, GetQueryResults, StopQuery. It
// records every query it is asked to run and answers GetQueryResults with `Running` for the first
// `runningPolls` polls and then the final status with the rows it was given (the results format:
// one array of {field, value} per row). Point the SDK at it with AWS_ENDPOINT_URL_CLOUDWATCH_LOGS.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

export type ResultRow = { field: string; value: string }[];

export interface RecordedQuery {
  queryId: string;
  logGroupNames?: string[];
  logGroupIdentifiers?: string[];
  startTime: number;
  endTime: number;
  queryString: string;
  limit?: number;
  /** GetQueryResults calls so far. */
  polls: number;
  stopped: boolean;
}

export interface CloudWatchLogsStandInOptions {
  /** Rows for a query (default none). */
  rows?: (query: RecordedQuery) => ResultRow[];
  /** Polls answered `Running` before the final status (default 1). */
  runningPolls?: number;
  /** The final status (default `Complete`). */
  finalStatus?: "Complete" | "Failed" | "Cancelled" | "Timeout" | "Running";
  /** StartQuery fails with this error (e.g. a MalformedQueryException). */
  startError?: { type: string; message: string };
}

export interface CloudWatchLogsStandIn {
  url: string;
  queries: RecordedQuery[];
  /** Every operation called, in order. */
  operations: string[];
  close(): Promise<void>;
}

/** `{"a": 1}` → `[{field: "a", value: "1"}, …]`, with the `@ptr` every real row carries. */
export const resultRow = (fields: Record<string, string | number>): ResultRow => [...Object.entries(fields).map(([field, value]) => ({ field, value: String(value) })), { field: "@ptr", value: randomUUID() }];

export function startCloudWatchLogsStandIn(options: CloudWatchLogsStandInOptions = {}): Promise<CloudWatchLogsStandIn> {
  const queries: RecordedQuery[] = [];
  const operations: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() });
        res.end(JSON.stringify(body));
      };
      const fail = (type: string, message: string) => send(400, { __type: type, message });
      const target = String(req.headers["x-amz-target"] ?? "");
      const [prefix, operation] = target.split(".");
      if (req.method !== "POST" || prefix !== "Logs_20140328" || !operation) return fail("UnknownOperationException", `no such operation: ${target}`);
      if (!String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 ")) return fail("MissingAuthenticationTokenException", "requests must be signed");
      operations.push(operation);
      let body: Record<string, any>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      } catch {
        return fail("SerializationException", "the body is not JSON");
      }
      if (operation === "StartQuery") {
        if (options.startError) return fail(options.startError.type, options.startError.message);
        if (typeof body.queryString !== "string" || typeof body.startTime !== "number" || typeof body.endTime !== "number") return fail("InvalidParameterException", "queryString, startTime and endTime are required");
        if (!body.logGroupNames?.length && !body.logGroupIdentifiers?.length) return fail("InvalidParameterException", "name at least one log group");
        const query: RecordedQuery = { queryId: randomUUID(), logGroupNames: body.logGroupNames, logGroupIdentifiers: body.logGroupIdentifiers, startTime: body.startTime, endTime: body.endTime, queryString: body.queryString, limit: body.limit, polls: 0, stopped: false };
        queries.push(query);
        return send(200, { queryId: query.queryId });
      }
      const query = queries.find((q) => q.queryId === body.queryId);
      if (operation === "GetQueryResults") {
        if (!query) return fail("ResourceNotFoundException", `no query ${body.queryId}`);
        query.polls++;
        const running = query.polls <= (options.runningPolls ?? 1);
        const status = query.stopped ? "Cancelled" : running ? "Running" : (options.finalStatus ?? "Complete");
        const results = status === "Complete" ? (options.rows?.(query) ?? []) : [];
        return send(200, { status, results, statistics: { recordsMatched: results.length, recordsScanned: results.length * 10, bytesScanned: results.length * 1000 } });
      }
      if (operation === "StopQuery") {
        if (!query) return fail("ResourceNotFoundException", `no query ${body.queryId}`);
        query.stopped = true;
        return send(200, { success: true });
      }
      return fail("UnknownOperationException", `the stand-in does not implement ${operation}`);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, queries, operations, close: () => new Promise((done) => server.close(() => done())) });
    }),
  );
}
