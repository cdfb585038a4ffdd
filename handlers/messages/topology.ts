import { routeNotFoundFunction } from "../shared/route-not-found";
import { defineTopology } from "../shared/topology";
import { createMessageFunction, getMessageFunction, listMessagesFunction } from "./functions";
import { messageRoutes, routeKey, type MessageFunction } from "./routes";
import { messageTable } from "./table";

const routesOf = (fn: MessageFunction) => messageRoutes.filter((r) => r.fn === fn).map(routeKey);

/** The MessageApi: the message store, a function per route, and the API's `$default` (a problem+json 404). */
export const messageTopology = defineTopology({
  tables: { messages: messageTable },
  functions: {
    notFound: { definition: routeNotFoundFunction, routes: ["$default"], description: "$default (unmatched routes)" },
    create: { definition: createMessageFunction, routes: routesOf("create") },
    list: { definition: listMessagesFunction, routes: routesOf("list") },
    get: { definition: getMessageFunction, routes: routesOf("get") },
  },
});
