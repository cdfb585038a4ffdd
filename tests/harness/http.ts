import { toApiGatewayEvent } from "../../local/emulators/api-gateway-event";
import type { HttpEvent, HttpResult } from "../../handlers/shared/http";

/** An API Gateway v2 event for a test request. */
export function apiEvent(method: string, url: string, options: { routeKey?: string; body?: string | Buffer; headers?: Record<string, string>; pathParameters?: Record<string, string> } = {}): HttpEvent {
  const path = url.split("?")[0]!;
  return toApiGatewayEvent({
    method,
    url,
    routeKey: options.routeKey ?? `${method} ${path}`,
    body: options.body,
    headers: { "content-type": "application/json", ...options.headers },
    pathParameters: options.pathParameters,
  });
}

export const jsonEvent = (method: string, url: string, body: unknown) => apiEvent(method, url, { body: JSON.stringify(body) });

export function parseResult(result: HttpResult): { status: number; headers: Record<string, string>; body: any } {
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { status: result.statusCode ?? 200, headers, body: result.body ? JSON.parse(result.body) : undefined };
}
