// Local stand-in for API Gateway's HTTP API: matches the same route keys, builds payload-2.0
// events, calls the same handler code Lambda runs, and applies the same CORS rules.
import { randomUUID } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import { apiCors } from "../../handlers/shared/cors";
import type { HttpHandler, HttpResult } from "../../handlers/shared/http";
import { HttpProblem } from "../../handlers/shared/problem";
import { toApiGatewayEvent } from "./api-gateway-event";
import { hasRequiredScope, JwtUnauthorizedError, toAuthorizerContext, type JwtAuthorization, type JwtAuthorize, type JwtAuthorizerContext } from "./jwt-authorizer";
import { readBody } from "./read-body";

export interface LocalRoute {
  /** `"GET /messages/{id}"` or `"$default"`. */
  routeKey: string;
  handler: HttpHandler;
  /**
   * The route's JWT authorizer (API Gateway's `authorizationType: JWT`), checked before the
   * handler runs; `scopes` are the route's `authorizationScopes` (the token needs one of them).
   */
  authorizer?: { authorize: JwtAuthorize; scopes?: string[] };
}

export interface ApiServerOptions {
  routes: LocalRoute[];
  /** Origins allowed by CORS. */
  corsOrigins: string[];
  host?: string;
  port?: number;
}

/** API Gateway refuses payloads over 10 MB before any function runs. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;

interface CompiledRoute {
  method: string;
  pattern: RegExp;
  params: string[];
  route: LocalRoute;
}

function compile(route: LocalRoute): CompiledRoute {
  const [method, path] = route.routeKey.split(" ") as [string, string];
  const params: string[] = [];
  const source = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{([^}]+)\\?\}/g, (_m, name: string) => {
    params.push(name);
    return "([^/]+)";
  });
  return { method, pattern: new RegExp(`^${source}$`), params, route };
}

function corsHeaders(origin: string | undefined, allowed: string[]): Record<string, string> {
  if (!origin || !allowed.includes(origin)) return {};
  return {
    "access-control-allow-origin": origin,
    "access-control-expose-headers": apiCors.exposeHeaders.join(","),
    ...(apiCors.allowCredentials ? { "access-control-allow-credentials": "true" } : {}),
    vary: "origin",
  };
}

function send(res: ServerResponse, result: HttpResult, extraHeaders: Record<string, string>) {
  const headers: Record<string, string | string[]> = { ...extraHeaders };
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = String(v);
  if (result.cookies?.length) headers["set-cookie"] = result.cookies;
  const body = result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8");
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
}

/** The `www-authenticate` value API Gateway sends with a JWT authorizer's 401 or 403. */
const challenge = (scopes: string[] | undefined, error: string, description: string) =>
  `Bearer scope="${(scopes ?? []).join(" ")}" error="${error}" error_description="${description.replace(/["\\]/g, "")}"`;

/**
 * Runs a route's JWT authorizer as API Gateway does: the authorizer context for the event, or the
 * 401 (no or invalid token) / 403 (valid token without one of the route's scopes) it answers with.
 */
async function authorize(route: LocalRoute, headers: Record<string, string | string[] | undefined>): Promise<{ context: JwtAuthorizerContext } | { denied: HttpResult }> {
  const { authorize: check, scopes } = route.authorizer!;
  let result: JwtAuthorization | null;
  let description = "the token is not valid";
  try {
    result = await check(headers);
  } catch (error) {
    if (!(error instanceof JwtUnauthorizedError)) console.error("JWT authorizer:", error);
    else description = error.description;
    result = null;
  }
  if (!result) {
    const headersOut: Record<string, string> = { "content-type": "application/json" };
    // With no token at all API Gateway answers the bare 401; a rejected token also gets the challenge.
    if (Object.keys(headers).some((h) => h.toLowerCase() === "authorization")) headersOut["www-authenticate"] = challenge(scopes, "invalid_token", description);
    return { denied: { statusCode: 401, headers: headersOut, body: JSON.stringify({ message: "Unauthorized" }) } };
  }
  if (!hasRequiredScope(result, scopes)) {
    return {
      denied: {
        statusCode: 403,
        headers: { "content-type": "application/json", "www-authenticate": challenge(scopes, "insufficient_scope", "the token does not have the required scope") },
        body: JSON.stringify({ message: "Forbidden" }),
      },
    };
  }
  return { context: toAuthorizerContext(result, scopes) };
}

/** Whether `path` decodes as percent-encoded UTF-8. */
function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

export interface RunningApiServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const compiled = options.routes.filter((r) => r.routeKey !== "$default").map(compile);
  const fallback = options.routes.find((r) => r.routeKey === "$default");

  const server = createServer(async (req, res) => {
    const method = (req.method ?? "GET").toUpperCase();
    const url = req.url ?? "/";
    const path = url.split("?")[0]!;
    const origin = req.headers.origin;
    const cors = corsHeaders(origin, options.corsOrigins);
    try {
      // Preflight is answered by the gateway itself, as API Gateway does when CORS is configured.
      if (method === "OPTIONS" && req.headers["access-control-request-method"]) {
        const allowed = cors["access-control-allow-origin"]
          ? {
              ...cors,
              "access-control-allow-methods": apiCors.allowMethods.join(","),
              "access-control-allow-headers": apiCors.allowHeaders.join(","),
              "access-control-max-age": String(apiCors.maxAgeSeconds),
            }
          : {};
        res.writeHead(204, allowed);
        res.end();
        return;
      }
      const body = await readBody(req, GATEWAY_MAX_BODY);
      if (body === "too-large") {
        send(res, { statusCode: 413, headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "Request Entity Too Large" }) }, cors);
        return;
      }
      // API Gateway refuses a path that is not valid percent-encoded UTF-8 (`%E0%A4%A`) with a 400
      // before any route or function sees it; here the same status, as a problem document.
      if (!decodable(path)) {
        const problem = new HttpProblem("malformed-path", "The path is not valid percent-encoded UTF-8: every % must start an escape of two hex digits, and the bytes must be UTF-8.");
        send(res, { statusCode: 400, headers: { "content-type": "application/problem+json" }, body: JSON.stringify(problem.toDocument(path)) }, cors);
        return;
      }
      let match: { route: LocalRoute; pathParameters: Record<string, string> } | undefined;
      for (const candidate of compiled) {
        const m = candidate.method === method ? candidate.pattern.exec(path) : null;
        if (m) {
          const pathParameters = Object.fromEntries(candidate.params.map((name, i) => [name, decodeURIComponent(m[i + 1]!)]));
          match = { route: candidate.route, pathParameters };
          break;
        }
      }
      match ??= fallback ? { route: fallback, pathParameters: {} } : undefined;
      if (!match) {
        send(res, { statusCode: 404, headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "Not Found" }) }, cors);
        return;
      }
      let authorizer: JwtAuthorizerContext | undefined;
      if (match.route.authorizer) {
        const outcome = await authorize(match.route, req.headers);
        if ("denied" in outcome) {
          // The gateway answers without calling the integration, and names the request as always.
          send(res, outcome.denied, { ...cors, "apigw-requestid": randomUUID() });
          return;
        }
        authorizer = outcome.context;
      }
      const event = toApiGatewayEvent({ method, url, headers: req.headers, body, routeKey: match.route.routeKey, pathParameters: match.pathParameters, sourceIp: req.socket.remoteAddress, authorizer });
      // API Gateway names the request in every answer; the handlers' logs carry it as correlation_id.
      send(res, await match.route.handler(event), { ...cors, "apigw-requestid": event.requestContext.requestId });
    } catch (error) {
      // Lambda would report this as a 500 from the integration; keep the shape API Gateway uses.
      console.error(error);
      send(res, { statusCode: 500, headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "Internal Server Error" }) }, cors);
    }
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://${options.host ?? "127.0.0.1"}:${port}`,
        server,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
