import { httpHandler, type HttpEvent, type HttpHandler, type HttpResult } from "../shared/http";
import type { Observability } from "../shared/observability";
import { HttpProblem } from "../shared/problem";
import { eventRoutesOf, routeKeyOf, type EventFunction, type EventOperation } from "./routes";

/** One function serving several routes: dispatches on the route key API Gateway matched. */
export function dispatch<F extends EventFunction>(
  fn: F,
  obs: Observability,
  operations: Record<Extract<(typeof import("./routes").eventRoutes)[number], { fn: F }>["operationId"], (event: HttpEvent) => Promise<HttpResult>>,
): HttpHandler {
  const byKey = new Map<string, EventOperation>(eventRoutesOf(fn).map((r) => [routeKeyOf(r), r.operationId]));
  return httpHandler(obs, async (event) => {
    const operation = byKey.get(event.routeKey) as keyof typeof operations | undefined;
    if (!operation) throw new HttpProblem("route-not-found", `No route ${event.routeKey}.`);
    return operations[operation](event);
  });
}
