import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { httpHandler, jsonResponse, readJsonBody, validate, type HttpHandler } from "../shared/http";
import { createObservability, type Observability } from "../shared/observability";
import { HttpProblem } from "../shared/problem";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { PAGE_DEFAULT_LIMIT } from "../shared/paging";
import { MESSAGE_MAX_BODY_BYTES, messageSchemas, type MessageSchemas } from "./schemas";
import { MessageStore } from "./store";

export interface MessageDeps {
  store: MessageStore;
  obs: Observability;
  schemas: MessageSchemas;
}

/** Builds what every message handler needs, once per cold start (see functions.ts for where `tableName` comes from). */
export function messageDeps(service: string, tableName: string): MessageDeps {
  return {
    store: new MessageStore(new DynamoDBClient({}), tableName),
    obs: createObservability(service),
    schemas: messageSchemas(),
  };
}

/** POST /messages → 201 with Location and the stored message. */
export function createMessageHandler({ store, obs, schemas }: MessageDeps): HttpHandler {
  return httpHandler(obs, async (event) => {
    const { message } = validate(schemas.NewMessage, readJsonBody(event, MESSAGE_MAX_BODY_BYTES), "body");
    const stored = await store.create(message);
    obs.metrics.addMetric("messagesCreated", MetricUnit.Count, 1);
    obs.logger.info("message stored", { messageId: stored.id });
    return jsonResponse(201, stored, { location: `/messages/${stored.id}` });
  });
}

/** GET /messages → {count}; GET /messages?limit=&cursor= → a page, newest first. */
export function listMessagesHandler({ store, obs, schemas }: MessageDeps): HttpHandler {
  return httpHandler(obs, async (event) => {
    const query = validate(schemas.ListQuery, event.queryStringParameters ?? {}, "query");
    if (query.limit === undefined && query.cursor === undefined) {
      return jsonResponse(200, { count: await store.count() });
    }
    return jsonResponse(200, await store.list(query.limit ?? PAGE_DEFAULT_LIMIT, query.cursor));
  });
}

/** GET /messages/{id} → the message, 404 when absent, 400 when the id is not a UUID. */
export function getMessageHandler({ store, obs, schemas }: MessageDeps): HttpHandler {
  return httpHandler(obs, async (event) => {
    const { id } = validate(schemas.PathParams, event.pathParameters ?? {}, "path");
    const message = await store.get(id.toLowerCase());
    if (!message) throw new HttpProblem("not-found", `No message has id ${id}.`);
    return jsonResponse(200, message);
  });
}
