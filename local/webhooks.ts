// WebhookIngest in local mode: the topology the stack deploys (handlers/webhooks/topology.ts), run
// by local/topology.ts (tables, routes on the local HTTP API, the events stream feeding the
// projector and the forwarder, the replay's schedule), plus what only local mode has: the
// WebSocket gateway standing in for the live API Gateway stage, and the spool bucket in s3rver.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { TopologyFunction } from "../handlers/shared/topology";
import { webhookTopology } from "../handlers/webhooks/topology";
import type { LocalRoute } from "./emulators/api-server";
import type { S3Local } from "./emulators/s3-local";
import { runTopology } from "./topology";
import { startWebSocketGateway, type RunningWebSocketGateway, type WsHandler, type WsRoutes } from "./emulators/websocket-gateway";

/** Local-only defaults, printed at start; never used by a stack (whose secrets are `pulumi config set --secret`). */
export const LOCAL_SIGNING_KEY = "local-calendly-signing-key";
export const LOCAL_REPLAY_TOKEN = "local-replay-token";

/** The one source local mode serves; its component's name in the stacks (tables are `switchyard-local-calendly-*`). */
const SOURCE = "calendly";
export const LOCAL_SPOOL_BUCKET = "switchyard-local-spool";

export interface LocalWebhooksOptions {
  dynamodb: { client: DynamoDBClient; endpoint: string };
  s3: S3Local;
  signingKey: string;
  replayToken: string;
  /** Downstream to forward to; none = no forwarder, no replay. */
  forwardUrl?: string;
  /** Seconds between scheduled replays (finer than the stacks' `rate(...)`). Example: `60`. */
  replayIntervalSeconds: number;
  /** Port for the WebSocket endpoint (0 = any). */
  livePort: number;
}

export interface LocalWebhooks {
  routes: LocalRoute[];
  liveUrl: string;
  /** Local table names by logical name. Example: `{ events: "switchyard-local-calendly-events", … }`. */
  tables: { events: string; meetings: string; connections: string };
  /** Resolves when every event stored so far has been forwarded (or spooled) and pushed. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** The replay's local schedule: every `seconds`, as `rate(N seconds)` (local/topology.ts's local-only rate). */
export function localReplaySchedule(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`The replay interval must be a positive number of seconds, not ${seconds}`);
  return `rate(${Math.ceil(seconds)} seconds)`;
}

export async function startLocalWebhooks(options: LocalWebhooksOptions): Promise<LocalWebhooks> {
  const topology = webhookTopology(SOURCE);
  await options.s3.createBucket(LOCAL_SPOOL_BUCKET);

  // The gateway first: its management endpoint is the projector's `live` resource. Its routes are
  // the topology's WebSocket handlers, filled in below once built (nothing connects before this returns).
  const wsRoutes: WsRoutes = {};
  const gateway: RunningWebSocketGateway = await startWebSocketGateway({ port: options.livePort, routes: wsRoutes });

  const running = await runTopology({
    component: SOURCE,
    topology,
    dynamodb: options.dynamodb,
    links: {
      resources: { spool: LOCAL_SPOOL_BUCKET, live: gateway.managementEndpoint },
      secrets: { signingKey: options.signingKey, replayToken: options.replayToken },
      settings: {
        source: SOURCE,
        forwardUrl: options.forwardUrl,
        ...(options.forwardUrl ? { replaySchedule: localReplaySchedule(options.replayIntervalSeconds) } : {}),
      },
    },
  });
  for (const [name, fn] of Object.entries(topology.functions) as [keyof typeof topology.functions, TopologyFunction][]) {
    const handler = running.handlers[name] as WsHandler | undefined;
    for (const routeKey of handler ? (fn.websocket ?? []) : []) wsRoutes[routeKey] = handler;
  }

  return {
    routes: running.routes,
    liveUrl: gateway.url.replace(/\/$/, ""),
    tables: running.tables,
    idle: () => running.idle(),
    stop: async () => {
      await running.stop();
      await gateway.close();
    },
  };
}
