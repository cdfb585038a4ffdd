import { randomUUID } from "node:crypto";
import { isUtf8 } from "node:buffer";
import type { HttpEvent } from "../../handlers/shared/http";
import type { JwtAuthorizerContext } from "./jwt-authorizer";

export interface HttpRequestLike {
  method: string;
  /** Path and query, e.g. `/messages?limit=5`. */
  url: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: Buffer | string;
  routeKey: string;
  pathParameters?: Record<string, string>;
  sourceIp?: string;
  /** `requestContext.authorizer` for a route behind a JWT authorizer that let the request through. */
  authorizer?: JwtAuthorizerContext;
}

const TEXT_TYPES = /^(text\/|application\/(json|[a-z0-9.+-]*\+json|xml|x-www-form-urlencoded|javascript))/i;

/**
 * The API Gateway HTTP API (payload format 2.0) event for a request, as API Gateway builds it:
 * lower-case headers joined by commas, repeated query parameters joined by commas, cookies split
 * out, and binary bodies base64-encoded.
 */
export function toApiGatewayEvent(request: HttpRequestLike): HttpEvent {
  // Origin-form paths are appended, not resolved: resolving `//a/b` would read `a` as a host (and `//` fails).
  const url = request.url.startsWith("/") ? new URL(`http://local${request.url}`) : new URL(request.url, "http://local/");
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const text = Array.isArray(value) ? value.join(",") : value;
    if (key === "cookie") cookies = text.split(/;\s*/).filter(Boolean);
    else headers[key] = text;
  }
  // No prototype: `?__proto__=1` and `?constructor=1` are plain keys like any other (the handlers' strict schemas refuse both).
  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of url.searchParams) query[name] = Object.hasOwn(query, name) ? `${query[name]},${value}` : value;
  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, "utf8");
  const hasBody = body !== undefined && body.length > 0;
  // A text body that is not UTF-8 goes as its bytes (base64): the handler, not the gateway, says it is bad.
  const isBase64Encoded = hasBody && (!TEXT_TYPES.test(headers["content-type"] ?? "") || !isUtf8(body));
  const now = new Date();
  const requestId = randomUUID();
  return {
    version: "2.0",
    routeKey: request.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: request.pathParameters && Object.keys(request.pathParameters).length ? request.pathParameters : undefined,
    body: hasBody ? body.toString(isBase64Encoded ? "base64" : "utf8") : undefined,
    isBase64Encoded,
    requestContext: {
      accountId: "000000000000",
      ...(request.authorizer ? { authorizer: request.authorizer } : {}),
      apiId: "local",
      domainName: headers.host ?? "127.0.0.1",
      domainPrefix: "local",
      http: { method: request.method.toUpperCase(), path: url.pathname, protocol: "HTTP/1.1", sourceIp: request.sourceIp ?? "127.0.0.1", userAgent: headers["user-agent"] ?? "" },
      requestId,
      routeKey: request.routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  } as HttpEvent;
}
