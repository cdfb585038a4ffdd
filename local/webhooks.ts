// WebhookIngest in local mode: the same handlers, wired the way the stack wires them. Ingest and
// read routes on the local HTTP API; the events table's stream feeds the meetings projector (with
// the live push) and the forwarder (like two event source mappings); the spool lives in s3rver; the replay runs on an
// interval (like the EventBridge schedule) and on demand.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import { connectionHandler } from "../handlers/webhooks/connections";
import { projectAndBroadcastHandler } from "../handlers/webhooks/live";
import { forwarderDeps, forwarderHandler } from "../handlers/webhooks/forwarder";
import { ingestDeps, ingestHandler } from "../handlers/webhooks/ingest";
import { listMeetingsHandler, meetingEventsHandler, readDeps } from "../handlers/webhooks/read";
import { replayDeps, replayHandler, replaySpool } from "../handlers/webhooks/replay";
import { webhookRoutes } from "../handlers/webhooks/routes";
import { MeetingStore } from "../handlers/webhooks/meeting-store";
import { connectionsTable, meetingsTable, webhookEventsTable } from "../handlers/webhooks/tables";
import { createObservability } from "../handlers/shared/observability";
import type { HttpHandler } from "../handlers/shared/http";
import type { LocalRoute } from "./api-server";
import { startStreamPoller, type StreamPoller } from "./dynamodb-stream-poller";
import type { S3Local } from "./s3-local";
import { createTable } from "./tables";
import { startWebSocketGateway, type RunningWebSocketGateway } from "./websocket-gateway";

/** Local-only defaults, printed at start; never used by a stack (whose secrets are `pulumi config set --secret`). */
export const LOCAL_SIGNING_KEY = "local-calendly-signing-key";
export const LOCAL_REPLAY_TOKEN = "local-replay-token";

export const LOCAL_TABLES = { events: "switchyard-local-webhook-events", meetings: "switchyard-local-meetings", connections: "switchyard-local-connections" };
export const LOCAL_SPOOL_BUCKET = "switchyard-local-spool";

export interface LocalWebhooksOptions {
  dynamodb: { client: DynamoDBClient; endpoint: string };
  s3: S3Local;
  signingKey: string;
  replayToken: string;
  /** Downstream to forward to; none = no forwarder, no replay. */
  forwardUrl?: string;
  /** Seconds between scheduled replays. */
  replayIntervalSeconds: number;
  /** Port for the WebSocket endpoint (0 = any). */
  livePort: number;
}

export interface LocalWebhooks {
  routes: LocalRoute[];
  liveUrl: string;
  /** Resolves when every event stored so far has been forwarded (or spooled) and pushed. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalWebhooks(options: LocalWebhooksOptions): Promise<LocalWebhooks> {
  const { dynamodb, s3 } = options;
  await createTable(dynamodb.client, LOCAL_TABLES.events, webhookEventsTable);
  await createTable(dynamodb.client, LOCAL_TABLES.meetings, meetingsTable);
  await createTable(dynamodb.client, LOCAL_TABLES.connections, connectionsTable);
  await s3.createBucket(LOCAL_SPOOL_BUCKET);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SOURCE: "calendly",
    EVENTS_TABLE: LOCAL_TABLES.events,
    MEETINGS_TABLE: LOCAL_TABLES.meetings,
    CONNECTIONS_TABLE: LOCAL_TABLES.connections,
    SIGNING_KEY: options.signingKey,
    REPLAY_TOKEN: options.replayToken,
    SPOOL_BUCKET: LOCAL_SPOOL_BUCKET,
    ...(options.forwardUrl ? { FORWARD_URL: options.forwardUrl } : {}),
  };

  const connections = connectionHandler({ db: new DynamoDBClient({}), table: LOCAL_TABLES.connections, obs: createObservability("webhooks-connection") });
  const gateway: RunningWebSocketGateway = await startWebSocketGateway({
    port: options.livePort,
    routes: { $connect: connections, $disconnect: connections },
  });

  const project = projectAndBroadcastHandler({
    db: new DynamoDBClient({}),
    connectionsTable: LOCAL_TABLES.connections,
    meetings: new MeetingStore(new DynamoDBClient({}), LOCAL_TABLES.meetings),
    management: new ApiGatewayManagementApiClient({ endpoint: gateway.managementEndpoint }),
    obs: createObservability("webhooks-project"),
  });
  const pollers: StreamPoller[] = [await startStreamPoller({ client: dynamodb.client, endpoint: dynamodb.endpoint, tableName: LOCAL_TABLES.events, handler: project })];

  const byFn: Record<string, HttpHandler> = {
    ingest: ingestHandler(ingestDeps("webhooks-ingest", env)),
    meetings: listMeetingsHandler(readDeps("webhooks-meetings", env)),
    history: meetingEventsHandler(readDeps("webhooks-history", env)),
  };
  let timer: NodeJS.Timeout | undefined;
  if (options.forwardUrl) {
    pollers.push(await startStreamPoller({ client: dynamodb.client, endpoint: dynamodb.endpoint, tableName: LOCAL_TABLES.events, handler: forwarderHandler(forwarderDeps("webhooks-forwarder", env)) }));
    const replay = replayDeps("webhooks-replay", env);
    byFn.replay = replayHandler(replay) as HttpHandler;
    // The schedule: errors are logged by the replay itself; the next tick tries again.
    timer = setInterval(() => void replaySpool(replay).catch(() => undefined), options.replayIntervalSeconds * 1000);
    timer.unref();
  }

  const routes = webhookRoutes("calendly")
    .filter((route) => byFn[route.fn])
    .map((route) => ({ routeKey: `${route.method} ${route.path}`, handler: byFn[route.fn]! }));

  return {
    routes,
    liveUrl: gateway.url.replace(/\/$/, ""),
    idle: async () => {
      await Promise.all(pollers.map((p) => p.idle()));
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      await Promise.all(pollers.map((p) => p.stop()));
      await gateway.close();
    },
  };
}
