// The MessageApi's functions, written once: components/message-api.ts deploys them, local mode runs
// them (see handlers/shared/function-definition.ts). One function per route rather than one for the
// API: each gets exactly the table actions its route needs (the reader cannot write, the writer
// cannot query), its own metrics and alarms, and its own concurrency.
import { defineFunction, resource } from "../shared/function-definition";
import { createMessageHandler, getMessageHandler, listMessagesHandler, messageDeps } from "./handlers";
import { DEFAULT_RUNTIME_PACKAGES } from "../shared/packages";

export const createMessageFunction = defineFunction({
  service: "messages-create",
  packages: DEFAULT_RUNTIME_PACKAGES,
  env: { MESSAGES_TABLE: resource("messages", [{ actions: ["dynamodb:PutItem", "dynamodb:UpdateItem"] }]) },
  create: (env, service) => createMessageHandler(messageDeps(service, env.MESSAGES_TABLE)),
});

export const listMessagesFunction = defineFunction({
  service: "messages-list",
  packages: DEFAULT_RUNTIME_PACKAGES,
  env: { MESSAGES_TABLE: resource("messages", [{ actions: ["dynamodb:GetItem", "dynamodb:Query"] }]) },
  create: (env, service) => listMessagesHandler(messageDeps(service, env.MESSAGES_TABLE)),
});

export const getMessageFunction = defineFunction({
  service: "messages-get",
  packages: DEFAULT_RUNTIME_PACKAGES,
  env: { MESSAGES_TABLE: resource("messages", [{ actions: ["dynamodb:GetItem"] }]) },
  create: (env, service) => getMessageHandler(messageDeps(service, env.MESSAGES_TABLE)),
});
