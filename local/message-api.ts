import { createMessageHandler, getMessageHandler, listMessagesHandler, messageDeps } from "../handlers/messages/handlers";
import { messageRoutes, routeKey } from "../handlers/messages/routes";
import type { LocalRoute } from "./api-server";

/** The MessageApi's routes wired to the same handler code the Lambda functions run. */
export function localMessageRoutes(tableName: string): LocalRoute[] {
  const env = { ...process.env, MESSAGES_TABLE: tableName };
  const handlers = {
    create: createMessageHandler(messageDeps("messages-create", env)),
    list: listMessagesHandler(messageDeps("messages-list", env)),
    get: getMessageHandler(messageDeps("messages-get", env)),
  };
  return messageRoutes.map((route) => ({ routeKey: routeKey(route), handler: handlers[route.fn] }));
}
