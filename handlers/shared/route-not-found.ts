import { httpHandler, type HttpHandler } from "./http";
import type { Observability } from "./observability";
import { HttpProblem } from "./problem";

/**
 * The HTTP API's `$default` route: anything no route matched gets a problem+json 404 instead of
 * API Gateway's bare `{"message":"Not Found"}`. In a module of its own so its upload stays small
 * (Pulumi serializes every export of a module a closure touches).
 */
export function routeNotFoundHandler(obs: Observability): HttpHandler {
  return httpHandler(obs, async (event) => {
    throw new HttpProblem("route-not-found", `No route for ${event.requestContext?.http?.method ?? "?"} ${event.rawPath}.`);
  });
}
