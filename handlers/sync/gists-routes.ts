/**
 * The gists sync's read routes on the HTTP API, as plain data: the component creates them, local
 * mode serves them, the OpenAPI document describes them. Each has its original Flask path as an
 * alias, so old clients keep working. (`GET /health` is the API's own: handlers/health/.)
 */
export const gistsReadRoutes = [
  { method: "GET", path: "/users/scanned", alias: "/getAllScannedUsers", operationId: "scannedUsers", summary: "Every GitHub user the gists sync has scanned, with its last outcome" },
  { method: "GET", path: "/users/current", alias: "/getCurrentlyScannedUsers", operationId: "currentUsers", summary: "The GitHub users the gists sync scans now" },
  { method: "GET", path: "/gists", alias: "/getGists", operationId: "newGists", summary: "Gists synced since this session's last call (HttpOnly session cookie)" },
] as const;

export type GistsReadOperation = (typeof gistsReadRoutes)[number]["operationId"];

/** Every route key, aliases included, with the operation it serves. */
export const gistsReadRouteKeys = (): { routeKey: string; operationId: GistsReadOperation }[] =>
  gistsReadRoutes.flatMap((r) => [r.path, ...(r.alias ? [r.alias] : [])].map((path) => ({ routeKey: `${r.method} ${path}`, operationId: r.operationId })));

export const GISTS_SESSION_COOKIE = "switchyard_gists_session";
