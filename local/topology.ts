// The one place local mode runs a topology (handlers/shared/topology.ts): the tables it names are
// created in DynamoDB Local, each function's definition becomes its in-process handler with the
// environment its Lambda would get, routes go to the local HTTP API, stream consumers get a stream
// poller, scheduled functions a timer. What the stacks deploy is what runs here, from the same data.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { HttpHandler } from "../handlers/shared/http";
import { kebab, type Topology } from "../handlers/shared/topology";
import type { LocalRoute } from "./api-server";
import { localHandler, type LocalLinks } from "./defined-function";
import { startStreamPoller, type StreamPoller } from "./dynamodb-stream-poller";
import { nextRun } from "./schedule";
import { createTable } from "./tables";

/** A table's local name: the stack's resource name (`<component>-<table>`) with a local prefix. */
export const localTableName = (component: string, table: string): string => `switchyard-local-${component}-${kebab(table)}`;

export interface LocalTopologyOptions<T extends Topology> {
  /** The component's name in the stacks (tables become `switchyard-local-<component>-<table>`). Example: `"calendly"`. */
  component: string;
  topology: T;
  dynamodb: { client: DynamoDBClient; endpoint: string };
  /** Everything besides the topology's tables: buckets, settings, secrets. Example: `{ settings: { source: "calendly" } }`. */
  links?: LocalLinks;
  /** Base environment of every handler. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where scheduled runs report failures. Default `console.error`. */
  log?: (line: string) => void;
}

export interface RunningTopology<T extends Topology> {
  /** Local table names by logical name. */
  tables: Record<keyof T["tables"] & string, string>;
  /** The handlers of the functions that exist (a `when` setting unset leaves one out). */
  handlers: Partial<Record<keyof T["functions"] & string, unknown>>;
  /** The HTTP routes, for the local API server. */
  routes: LocalRoute[];
  /** Resolves when every stream record written so far has been handled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function runTopology<T extends Topology>(options: LocalTopologyOptions<T>): Promise<RunningTopology<T>> {
  const { topology, dynamodb } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const tables = Object.fromEntries(Object.keys(topology.tables).map((key) => [key, localTableName(options.component, key)])) as Record<string, string>;
  for (const [key, definition] of Object.entries(topology.tables)) await createTable(dynamodb.client, tables[key]!, definition);
  const links: LocalLinks = { ...options.links, resources: { ...tables, ...options.links?.resources } };

  const handlers: Record<string, unknown> = {};
  const routes: LocalRoute[] = [];
  const pollers: StreamPoller[] = [];
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  for (const [name, fn] of Object.entries(topology.functions)) {
    if (fn.when && !links.settings?.[fn.when]) continue;
    const handler = localHandler(fn.definition, links, options.env);
    handlers[name] = handler;
    for (const routeKey of fn.routes ?? []) routes.push({ routeKey, handler: handler as HttpHandler });
    if (fn.stream) {
      pollers.push(await startStreamPoller({ client: dynamodb.client, endpoint: dynamodb.endpoint, tableName: tables[fn.stream]!, handler: handler as never }));
    }
    if (fn.schedule) {
      const expression = links.settings?.[fn.schedule];
      if (!expression) throw new Error(`${options.component}.${name}: schedule setting "${fn.schedule}" is not set`);
      nextRun(expression, new Date()); // a bad expression fails the start, not a timer later
      const arm = () => {
        if (stopped) return;
        const at = nextRun(expression, new Date());
        // Node timers hold at most ~24.8 days; a later run re-arms on the way.
        const timer = setTimeout(() => {
          if (Date.now() >= at.getTime()) {
            const event = { id: `local-${Date.now()}`, source: "aws.events", "detail-type": "Scheduled Event", time: new Date().toISOString(), detail: {} };
            Promise.resolve((handler as (e: unknown) => unknown)(event)).catch((error: Error) => log(`[${options.component}-${kebab(name)}] scheduled run failed: ${error.message}`));
          }
          arm();
        }, Math.min(at.getTime() - Date.now(), 2 ** 31 - 1));
        timer.unref();
        timers.push(timer);
      };
      arm();
    }
  }

  return {
    tables: tables as RunningTopology<T>["tables"],
    handlers: handlers as RunningTopology<T>["handlers"],
    routes,
    idle: async () => {
      await Promise.all(pollers.map((p) => p.idle()));
    },
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.all(pollers.map((p) => p.stop()));
    },
  };
}
