import type { DynamoDBStreamEvent } from "aws-lambda";
import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { DeleteItemCommand, DynamoDBClient, ScanCommand, type ScanCommandOutput } from "@aws-sdk/client-dynamodb";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { createObservability, type Observability } from "../shared/observability";
import { insertedEvents } from "./stream-records";
import { MeetingStore } from "./meeting-store";
import { eventView, meetingView } from "./views";

export interface BroadcastDeps {
  db: DynamoDBClient;
  connectionsTable: string;
  meetings: MeetingStore;
  management: ApiGatewayManagementApiClient;
  obs: Observability;
}

/** What the projector is built from. */
export interface BroadcastSettings {
  /** Example: `"calendly-connections-edb6ebc"`. */
  connectionsTable: string;
  /** Example: `"calendly-meetings-68b7bbb"`. */
  meetingsTable: string;
  /** The WebSocket API's management endpoint. Example: `"https://{api}.execute-api.{region}.amazonaws.com/{stage}"`. */
  managementEndpoint: string;
}

export function broadcastDeps(service: string, settings: BroadcastSettings): BroadcastDeps {
  const db = new DynamoDBClient({});
  return {
    db,
    connectionsTable: settings.connectionsTable,
    meetings: new MeetingStore(db, settings.meetingsTable),
    management: new ApiGatewayManagementApiClient({ endpoint: settings.managementEndpoint }),
    obs: createObservability(service),
  };
}

/**
 * The events table's stream → the meetings table → every open live view. For each new event it
 * merges the event's changes into the meetings it touches (order-free and idempotent, so stream
 * retries and out-of-order events are harmless), then sends each touched meeting's new state, with
 * the event, to every connection; a connection API Gateway reports gone is forgotten. Projection
 * and push live in one consumer so a push never shows a meeting older than its event. Pushes are
 * best effort: a page that misses one reloads on reconnect.
 */
export function projectAndBroadcastHandler({ db, connectionsTable, meetings: store, management, obs }: BroadcastDeps) {
  return async (batch: DynamoDBStreamEvent): Promise<void> => {
    const messages: string[] = [];
    for (const { event } of insertedEvents(batch)) {
      obs.logger.setCorrelationId(event.id);
      const meetings = await store.applyChanges(event.changes);
      obs.metrics.addMetric("meetingsUpdated", MetricUnit.Count, meetings.length);
      obs.logger.info("event projected", { eventId: event.id, meetings: meetings.length });
      meetings.forEach((meeting, i) => messages.push(JSON.stringify({ type: "meeting", meeting: meetingView(meeting), ...(i === 0 ? { event: eventView(event) } : {}) })));
    }
    if (messages.length === 0) {
      if (obs.metrics.hasStoredMetrics()) obs.metrics.publishStoredMetrics();
      return;
    }
    const connections: string[] = [];
    let start: ScanCommandOutput["LastEvaluatedKey"];
    do {
      const page = await db.send(new ScanCommand({ TableName: connectionsTable, ProjectionExpression: "connectionId", ExclusiveStartKey: start }));
      connections.push(...(page.Items ?? []).map((i) => i.connectionId!.S!));
      start = page.LastEvaluatedKey;
    } while (start);
    await Promise.all(
      connections.map(async (connectionId) => {
        for (const data of messages) {
          try {
            await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
          } catch (error) {
            if (error instanceof GoneException || (error as Error).name === "GoneException") {
              await db.send(new DeleteItemCommand({ TableName: connectionsTable, Key: { connectionId: { S: connectionId } } }));
              return;
            }
            obs.logger.warn("live push failed", { connectionId, error: error as Error });
          }
        }
      }),
    );
    obs.metrics.addMetric("livePushes", MetricUnit.Count, connections.length * messages.length);
    if (obs.metrics.hasStoredMetrics()) obs.metrics.publishStoredMetrics();
  };
}
