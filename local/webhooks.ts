// WebhookIngest in local mode, for one source: the topology the stack deploys
// (handlers/webhooks/topology.ts), run by local/topology.ts (tables, routes on the local HTTP API,
// the events stream feeding the projector and the forwarder, the replay's schedule), plus what only
// local mode has: the WebSocket gateway standing in for the live API Gateway stage (a source with
// meetings only), and the spool bucket in s3rver.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { TopologyFunction } from "../handlers/shared/topology";
import type { WebhookSourceName } from "../handlers/webhooks/sources";
import { webhookTopology } from "../handlers/webhooks/topology";
import type { LocalRoute } from "./emulators/api-server";
import type { S3Local } from "./emulators/s3-local";
import { runTopology } from "./topology";
import { startWebSocketGateway, type RunningWebSocketGateway, type WsHandler, type WsRoutes } from "./emulators/websocket-gateway";

/** Local-only defaults, printed at start; never used by a stack (whose secrets are `pulumi config set --secret`). */
export const LOCAL_SIGNING_KEY = "local-calendly-signing-key";
export const LOCAL_REPLAY_TOKEN = "local-replay-token";

/** Calendly's spool bucket (the first source's name, kept); another source's is `switchyard-local-<source>-spool`. */
export const LOCAL_SPOOL_BUCKET = "switchyard-local-spool";
const spoolBucket = (source: WebhookSourceName) => (source === "calendly" ? LOCAL_SPOOL_BUCKET : `switchyard-local-${source}-spool`);

export interface LocalWebhooksOptions {
  /** The provider, also its component's name in the stacks (tables are `switchyard-local-<source>-*`). Default `"calendly"`. */
  source?: WebhookSourceName;
  dynamodb: { client: DynamoDBClient; endpoint: string };
  s3: S3Local;
  signingKey: string;
  /** Needed with `forwardUrl`. */
  replayToken?: string;
  /** Downstream to forward to; none = no forwarder, no replay. */
  forwardUrl?: string;
  /** Seconds between scheduled replays (finer than the stacks' `rate(...)`). Example: `60`. Default 60. */
  replayIntervalSeconds?: number;
  /** Port for the WebSocket endpoint (0 = any), for a source with meetings. Default 0. */
  livePort?: number;
  /** Seconds a signature's timestamp may be off; unset: the ingest definition's default. Example: `300`. */
  toleranceSeconds?: number;
}

export interface LocalWebhooks {
  routes: LocalRoute[];
  /** The live view's WebSocket URL (a source with meetings only). */
  liveUrl?: string;
  /** Local table names by logical name. Example: `{ events: "switchyard-local-calendly-events", … }`; a source without meetings has only `events`. */
  tables: { events: string; meetings?: string; connections?: string };
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
  const source = options.source ?? "calendly";
  const topology = webhookTopology(source);
  const live = (Object.values(topology.functions) as (TopologyFunction | undefined)[]).some((fn) => fn?.websocket);
  if (options.forwardUrl && !options.replayToken) throw new Error(`${source}: forwarding (forwardUrl) needs a replay token`);
  // Calendly's spool bucket has always been made; another source's only when it forwards.
  const spool = live || options.forwardUrl ? spoolBucket(source) : undefined;
  if (spool) await options.s3.createBucket(spool);

  // The gateway first: its management endpoint is the projector's `live` resource. Its routes are
  // the topology's WebSocket handlers, filled in below once built (nothing connects before this returns).
  const wsRoutes: WsRoutes = {};
  const gateway: RunningWebSocketGateway | undefined = live ? await startWebSocketGateway({ port: options.livePort ?? 0, routes: wsRoutes }) : undefined;

  const running = await runTopology({
    component: source,
    topology,
    dynamodb: options.dynamodb,
    links: {
      resources: { ...(spool ? { spool } : {}), ...(gateway ? { live: gateway.managementEndpoint } : {}) },
      secrets: { signingKey: options.signingKey, ...(options.replayToken ? { replayToken: options.replayToken } : {}) },
      settings: {
        source,
        forwardUrl: options.forwardUrl,
        ...(options.toleranceSeconds ? { toleranceSeconds: String(options.toleranceSeconds) } : {}),
        ...(options.forwardUrl ? { replaySchedule: localReplaySchedule(options.replayIntervalSeconds ?? 60) } : {}),
      },
    },
  });
  for (const [name, fn] of Object.entries(topology.functions) as [keyof typeof topology.functions, TopologyFunction | undefined][]) {
    const handler = running.handlers[name] as WsHandler | undefined;
    for (const routeKey of handler ? (fn?.websocket ?? []) : []) wsRoutes[routeKey] = handler;
  }

  return {
    routes: running.routes,
    ...(gateway ? { liveUrl: gateway.url.replace(/\/$/, "") } : {}),
    tables: running.tables,
    idle: () => running.idle(),
    stop: async () => {
      await running.stop();
      await gateway?.close();
    },
  };
}
