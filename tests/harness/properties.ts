// What the property-based handler tests share: running a property under ava (a failure shows
// fast-check's seed, path and shrunk input, and the error the shrunk input caused), building API
// Gateway events from generated parts, the answer every route owes (2xx, or a 4xx problem+json;
// never a 5xx), and snapshots of tables and buckets to prove a refused request changed nothing.
import type { ExecutionContext } from "ava";
import { ScanCommand, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import fc from "fast-check";
import type { HttpEvent, HttpResult } from "../../handlers/shared/http";
import { toApiGatewayEvent } from "../../local/emulators/api-gateway-event";
import { propertyParameters } from "./arbitraries";

/**
 * Checks `property` with `runs` cases (FC_RUNS / FC_SEED override, see arbitraries.ts). `examples`
 * run first: the regression inputs of bugs a property once found. A failure fails the test with
 * the seed to replay, the shrunk counterexample and what went wrong with it.
 */
export async function checkProperty<T>(t: ExecutionContext, property: fc.IAsyncPropertyWithHooks<T>, runs: number, options: { examples?: T[]; statuses?: StatusTally } = {}): Promise<void> {
  const details = await fc.check(property, { ...propertyParameters<T>(runs), examples: options.examples ?? [] });
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? (details.errorInstance.stack ?? details.errorInstance.message) : String(details.errorInstance);
    t.fail(`${fc.defaultReportMessage(details)}\n\nThe shrunk counterexample failed with:\n${cause}\n\nReplay: FC_SEED=${details.seed} npx ava <this test file> --match '${t.title}'`);
    return;
  }
  t.log(`${details.numRuns} runs (seed ${details.seed})${options.statuses ? `; answers ${options.statuses}` : ""}`);
  t.true(details.numRuns > 0, "the property ran on generated inputs");
}

/** Percent-encodes a path segment byte by byte (lone surrogates go as U+FFFD, as a browser sends them). */
export const encodeSegment = (segment: string): string => [...Buffer.from(segment, "utf8")].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`)).join("");

export interface GeneratedRequest {
  method: string;
  /** The path as sent, already encoded. Example: `/messages/abc`. */
  path: string;
  routeKey: string;
  pathParameters?: Record<string, string>;
  /** Decoded, as API Gateway passes them (values may hold anything a decoder lets through). */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** JWT claims the authorizer verified (organizer routes). */
  claims?: Record<string, unknown>;
}

/** The API Gateway v2 event for a generated request. */
export function generatedEvent(request: GeneratedRequest): HttpEvent {
  const event = toApiGatewayEvent({ method: request.method, url: request.path, routeKey: request.routeKey, headers: request.headers, body: request.body, pathParameters: request.pathParameters });
  const query = Object.assign(Object.create(null) as Record<string, string>, request.query ?? {});
  if (Object.keys(query).length) {
    event.queryStringParameters = query;
    event.rawQueryString = Object.entries(query).map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join("&");
  }
  if (request.claims) (event.requestContext as { authorizer?: unknown }).authorizer = { jwt: { claims: request.claims, scopes: null } };
  return event;
}

/** How often each status was answered: a property whose cases never reach a 2xx proves little about it. */
export class StatusTally {
  private readonly counts = new Map<number, number>();
  count(status: number): void {
    this.counts.set(status, (this.counts.get(status) ?? 0) + 1);
  }
  toString(): string {
    return [...this.counts].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(" ");
  }
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/** Property (a): a 2xx with a JSON body (or none), or a 4xx problem+json with type, title and status; anything else throws. */
export function expectAnswer(result: HttpResult | undefined, statuses?: StatusTally): Answer {
  if (!result || typeof result !== "object") throw new Error(`the handler answered ${String(result)}, not an HTTP result`);
  const status = result.statusCode ?? 200;
  statuses?.count(status);
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const text = typeof result.body === "string" ? result.body : undefined;
  let body: unknown;
  try {
    body = text === undefined || text === "" ? undefined : JSON.parse(text);
  } catch {
    throw new Error(`status ${status} with a body that is not JSON: ${text?.slice(0, 200)}`);
  }
  if (status >= 200 && status < 300) {
    if (body !== undefined && headers["content-type"] !== "application/json") throw new Error(`a ${status} with content-type ${headers["content-type"]}`);
    return { status, headers, body };
  }
  if (status < 400 || status >= 500) throw new Error(`status ${status}: ${text?.slice(0, 500)}`);
  const problem = body as { type?: unknown; title?: unknown; status?: unknown; detail?: unknown } | undefined;
  if (headers["content-type"] !== "application/problem+json") throw new Error(`a ${status} with content-type ${headers["content-type"]}`);
  if (typeof problem?.type !== "string" || !problem.type.startsWith("urn:switchyard:problem:") || typeof problem.title !== "string" || problem.status !== status || typeof problem.detail !== "string") {
    throw new Error(`a ${status} whose body is not a problem document: ${text?.slice(0, 500)}`);
  }
  return { status, headers, body };
}

export const isSuccess = (answer: Answer) => answer.status >= 200 && answer.status < 300;

/** Every item of every table, in a stable order: two snapshots are equal exactly when no table changed. */
export async function tablesSnapshot(db: DynamoDBClient, tables: readonly string[]): Promise<string> {
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await db.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    out[table] = items.map((item) => JSON.stringify(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))).sort();
  }
  return JSON.stringify(out);
}

/** Every object of a bucket with its ETag. */
export async function bucketSnapshot(s3: S3Client, bucket: string): Promise<string> {
  const objects: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    objects.push(...(page.Contents ?? []).map((o) => `${o.Key} ${o.ETag}`));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return JSON.stringify(objects.sort());
}

/** Property (b): throws when `after` differs from `before`, naming what changed. */
export function expectUnchanged(before: string, after: string, why: string): void {
  if (before !== after) throw new Error(`${why} changed stored data:\nbefore ${before.slice(0, 1500)}\nafter  ${after.slice(0, 1500)}`);
}

/** Throws unless `actual` deep-equals `expected` (JSON-level: what a client would compare). */
export function expectSame(actual: unknown, expected: unknown, what: string): void {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (a !== e) throw new Error(`${what} does not round-trip:\nexpected ${e?.slice(0, 1500)}\nactual   ${a?.slice(0, 1500)}`);
}
