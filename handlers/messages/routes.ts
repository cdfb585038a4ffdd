/**
 * The MessageApi's routes as plain data: the component creates one API Gateway route per entry,
 * local mode serves the same list, and the OpenAPI document is generated from it. `fn` names the
 * Lambda function that serves the route (see components/message-api.ts for why there are three).
 */
export const messageRoutes = [
  { method: "POST", path: "/messages", fn: "create", operationId: "createMessage", summary: "Store a message" },
  { method: "GET", path: "/messages", fn: "list", operationId: "countOrListMessages", summary: "Exact count, or a page of messages newest first when limit or cursor is given" },
  { method: "GET", path: "/messages/{id}", fn: "get", operationId: "getMessage", summary: "One message by id" },
] as const;

export type MessageFunction = (typeof messageRoutes)[number]["fn"];
export const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;
