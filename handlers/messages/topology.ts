import { defineTopology } from "../shared/topology";
import { createMessageFunction, getMessageFunction, listMessagesFunction } from "./functions";
import { messageRoutes, routeKey, type MessageFunction } from "./routes";
import { messageTable } from "./table";

const routesOf = (fn: MessageFunction) => messageRoutes.filter((r) => r.fn === fn).map(routeKey);

/** The MessageApi: the message store and a function per route. */
export const messageTopology = defineTopology({
  tables: { messages: messageTable },
  functions: {
    create: { definition: createMessageFunction, routes: routesOf("create") },
    list: { definition: listMessagesFunction, routes: routesOf("list") },
    get: { definition: getMessageFunction, routes: routesOf("get") },
  },
});
