import { defineTopology } from "../shared/topology";
import { connectionFunction, forwarderFunction, historyFunction, ingestFunction, meetingsFunction, projectFunction, replayFunction } from "./functions";
import { webhookRoutes, type WebhookFunction } from "./routes";
import { createWebhookSource, type WebhookSourceName } from "./sources";
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
function meetingsSourceTopology(source: string) {
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

type FullTopology = ReturnType<typeof meetingsSourceTopology>;

/** What only a source whose events are about meetings gets (WebhookSource.meetings). */
const MEETING_TABLES = ["meetings", "connections"] as const;
const MEETING_FUNCTIONS = ["meetings", "history", "connection", "project"] as const;

/**
 * A source's topology: everything above for a source with meetings (Calendly); for one without
 * (Stripe) only the ingest route, the events table (its stream is for consumers elsewhere) and,
 * when configured, forwarding with its spool and replay.
 */
export type WebhookTopology = {
  tables: Omit<FullTopology["tables"], (typeof MEETING_TABLES)[number]> & Partial<Pick<FullTopology["tables"], (typeof MEETING_TABLES)[number]>>;
  functions: Omit<FullTopology["functions"], (typeof MEETING_FUNCTIONS)[number]> & Partial<Pick<FullTopology["functions"], (typeof MEETING_FUNCTIONS)[number]>>;
};

export function webhookTopology(source: WebhookSourceName): WebhookTopology {
  const full = meetingsSourceTopology(source);
  if (createWebhookSource(source).meetings) return full;
  const without = <T extends object>(record: T, keys: readonly string[]) => Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key))) as T;
  return { tables: without(full.tables, MEETING_TABLES), functions: without(full.functions, MEETING_FUNCTIONS) };
}
