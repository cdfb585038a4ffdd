import { defineTopology } from "../shared/topology";
import { connectionFunction, forwarderFunction, historyFunction, ingestFunction, meetingsFunction, projectFunction, replayFunction } from "./functions";
import { webhookRoutes, type WebhookFunction } from "./routes";
import { connectionsTable, meetingsTable, webhookEventsTable } from "./tables";

/**
 * WebhookIngest for one source: the events, meetings and connections tables, and its functions
 * with what triggers each. Request path: `POST /webhooks/<source>` → ingest. Everything else runs
 * off the events table's stream (the projector, the forwarder); the replay drains the spool on
 * `replaySchedule` and on demand. Without a `forwardUrl` there is no forwarder and no replay.
 * Functions are listed in the order the stacks create them (the dashboard follows it).
 *
 * Example: `webhookTopology("calendly").functions.ingest.routes` → `["POST /webhooks/calendly"]`.
 */
export function webhookTopology(source: string) {
  const routes = (fn: WebhookFunction) => webhookRoutes(source).filter((r) => r.fn === fn).map((r) => `${r.method} ${r.path}`);
  return defineTopology({
    tables: { events: webhookEventsTable, meetings: meetingsTable, connections: connectionsTable },
    functions: {
      ingest: { definition: ingestFunction, routes: routes("ingest") },
      meetings: { definition: meetingsFunction, routes: routes("meetings") },
      history: { definition: historyFunction, routes: routes("history") },
      forwarder: { definition: forwarderFunction, stream: "events", when: "forwardUrl", description: "events stream → downstream, or the spool" },
      replay: { definition: replayFunction, routes: routes("replay"), schedule: "replaySchedule", when: "forwardUrl", description: "spool → downstream" },
      connection: { definition: connectionFunction, websocket: ["$connect", "$disconnect"], description: "WebSocket $connect / $disconnect" },
      project: { definition: projectFunction, stream: "events", description: "events stream → meetings table → live WebSocket clients" },
    },
  });
}

export type WebhookTopology = ReturnType<typeof webhookTopology>;
