import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type { z } from "zod";
import { HttpProblem, type ProblemDocument } from "./problem";
import type { Observability } from "./observability";

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpHandler = (event: HttpEvent, context?: Partial<Context>) => Promise<HttpResult>;

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}

export function problemResponse(problem: ProblemDocument): HttpResult {
  return {
    statusCode: problem.status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store" },
    body: JSON.stringify(problem),
  };
}

/** Turns zod issues into RFC 9457 `errors` entries with JSON-pointer-style locations. */
function issuesToErrors(issues: z.core.$ZodIssue[], root: string) {
  return issues.flatMap((issue) => {
    const at = `${root}${issue.path.map((p) => `/${String(p)}`).join("")}`;
    // An unknown field is reported where it is, one entry per field.
    if (issue.code === "unrecognized_keys") return issue.keys.map((key) => ({ pointer: `${at}/${key}`, detail: "unknown field" }));
    return [{ pointer: at, detail: issue.message }];
  });
}

/** Validates `value` with `schema`; a mismatch is a 400 that lists every bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: "body" | "query" | "path"): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = issuesToErrors(result.error.issues, where === "body" ? "#" : `#/${where}`);
  throw new HttpProblem("validation-failed", `The ${where} has ${errors.length} problem(s): ${errors.map((e) => `${e.pointer} ${e.detail}`).join("; ")}`, errors);
}

/** A 415 unless the request says its body is JSON (`application/json` or `application/*+json`). */
export function assertJsonContentType(event: HttpEvent): void {
  const contentType = event.headers?.["content-type"] ?? "";
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "application/json" && !/^application\/[a-z0-9.+-]*\+json$/.test(mediaType)) {
    throw new HttpProblem("unsupported-media-type", `Send the body as application/json (got "${contentType || "no content type"}").`);
  }
}

/**
 * Reads a JSON request body: the content type must be JSON, the body at most `maxBytes`,
 * and it must parse. Each failure is its own 4xx.
 */
export function readJsonBody(event: HttpEvent, maxBytes: number): unknown {
  assertJsonContentType(event);
  const raw = event.body ?? "";
  const bytes = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  if (bytes.length > maxBytes) {
    throw new HttpProblem("payload-too-large", `The body is ${bytes.length} bytes; the limit is ${maxBytes}.`);
  }
  let text: string;
  try {
    // Fatal: bytes that are not UTF-8 are refused, not silently turned into U+FFFD.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpProblem("malformed-json", "The body is not valid UTF-8.");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpProblem("malformed-json", `The body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Wraps route logic with what every HTTP handler needs: the request id as correlation id in every
 * log line, problem+json for client errors, a logged 500 (without internals) for anything else,
 * one "request handled" / "request rejected" / "request failed" line per request with its
 * routeKey, status and durationMs, and metrics flushed once per request.
 */
export function httpHandler(obs: Observability, route: (event: HttpEvent) => Promise<HttpResult>): HttpHandler {
  return async (event, context) => {
    const started = performance.now();
    const durationMs = () => Math.round(performance.now() - started);
    if (context?.awsRequestId) obs.logger.addContext(context as Context);
    obs.logger.setCorrelationId(event.requestContext?.requestId);
    obs.metrics.captureColdStartMetric();
    try {
      const result = await route(event);
      obs.logger.info("request handled", { routeKey: event.routeKey, status: result.statusCode, durationMs: durationMs() });
      return result;
    } catch (error) {
      const instance = event.rawPath;
      if (error instanceof HttpProblem) {
        const problem = error.toDocument(instance);
        obs.logger.info("request rejected", { routeKey: event.routeKey, status: problem.status, problem: problem.type, durationMs: durationMs() });
        return problemResponse(problem);
      }
      obs.logger.error("request failed", { routeKey: event.routeKey, status: 500, durationMs: durationMs(), error: error as Error });
      return problemResponse(new HttpProblem("internal-error", "Something went wrong on our side; the request id is in the logs.").toDocument(instance));
    } finally {
      if (obs.metrics.hasStoredMetrics()) obs.metrics.publishStoredMetrics();
    }
  };
}
