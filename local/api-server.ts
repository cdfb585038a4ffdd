// Local stand-in for API Gateway's HTTP API: matches the same route keys, builds payload-2.0
// events, calls the same handler code Lambda runs, and applies the same CORS rules.
import { createServer, type Server, type ServerResponse } from "node:http";
import { apiCors } from "../handlers/shared/cors";
import type { HttpHandler, HttpResult } from "../handlers/shared/http";
import { toApiGatewayEvent } from "./api-gateway-event";
import { readBody } from "./read-body";

export interface LocalRoute {
  /** `"GET /messages/{id}"` or `"$default"`. */
  routeKey: string;
  handler: HttpHandler;
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
      const event = toApiGatewayEvent({ method, url, headers: req.headers, body, routeKey: match.route.routeKey, pathParameters: match.pathParameters, sourceIp: req.socket.remoteAddress });
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
