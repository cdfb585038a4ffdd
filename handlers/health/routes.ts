/**
 * The API's own health route, as plain data: the ObservabilityDashboard component creates it,
 * local mode serves it, the OpenAPI document describes it.
 */
export const apiHealthRoute = { method: "GET", path: "/health", operationId: "health", summary: "The API is up; every scheduled sync's last run and freshness" } as const;

export const API_HEALTH_ROUTE_KEY = `${apiHealthRoute.method} ${apiHealthRoute.path}` as const;
