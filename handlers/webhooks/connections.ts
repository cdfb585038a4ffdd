import type { APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { createObservability, type Observability } from "../shared/observability";

/** API Gateway closes WebSocket connections after 2 hours; the TTL cleans up any missed $disconnect. */
const CONNECTION_TTL_SECONDS = 2 * 60 * 60 + 60;

export interface ConnectionDeps {
  db: DynamoDBClient;
  table: string;
  obs: Observability;
}

/** `connectionsTable`: the live view's connections table. Example: `"calendly-connections-edb6ebc"`. */
export function connectionDeps(service: string, connectionsTable: string): ConnectionDeps {
  return { db: new DynamoDBClient({}), table: connectionsTable, obs: createObservability(service) };
}

/** `$connect` and `$disconnect` of the live view: remember and forget the connection. */
export function connectionHandler({ db, table, obs }: ConnectionDeps) {
  return async (event: APIGatewayProxyWebsocketEventV2) => {
    const { connectionId, eventType } = event.requestContext;
    if (eventType === "CONNECT") {
      const expiresAt = Math.floor(Date.now() / 1000) + CONNECTION_TTL_SECONDS;
      await db.send(new PutItemCommand({ TableName: table, Item: { connectionId: { S: connectionId }, connectedAt: { S: new Date().toISOString() }, expiresAt: { N: String(expiresAt) } } }));
    } else if (eventType === "DISCONNECT") {
      await db.send(new DeleteItemCommand({ TableName: table, Key: { connectionId: { S: connectionId } } }));
    }
    obs.logger.info("live connection", { eventType, connectionId });
    return { statusCode: 200 };
  };
}
