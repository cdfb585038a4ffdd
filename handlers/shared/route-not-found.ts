import { httpHandler, type HttpHandler } from "./http";
import { defineFunction } from "./function-definition";
import { createObservability, type Observability } from "./observability";
import { POWERTOOLS_PACKAGES } from "./packages";
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

/** The `$default` route's function: it validates nothing, so it loads no zod. */
export const routeNotFoundFunction = defineFunction({
  service: "api-not-found",
  packages: POWERTOOLS_PACKAGES,
  env: {},
  create: (_env, service) => routeNotFoundHandler(createObservability(service)),
});
