// The one place local mode runs a topology (handlers/shared/topology.ts): the tables it names are
// created in DynamoDB Local, each function's definition becomes its in-process handler with the
// environment its Lambda would get, routes go to the local HTTP API, stream consumers get a stream
// poller, queue consumers an in-process queue with SQS's semantics, scheduled functions a timer.
// What the stacks deploy is what runs here, from the same data.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { EnvSpec, EnvValues, FunctionDefinition } from "../handlers/shared/function-definition";
import type { HttpHandler } from "../handlers/shared/http";
import { kebab, type Topology } from "../handlers/shared/topology";
import type { LocalRoute } from "./emulators/api-server";
import { localHandler, type LocalLinks } from "./defined-function";
import { startStreamPoller, type StreamPoller } from "./emulators/dynamodb-stream-poller";
import { createLocalQueue, type LocalQueue, type LocalQueueOptions } from "./emulators/job-queue";
import { nextRun } from "./emulators/schedule";
import { createLocalTopic, type LocalTopic } from "./emulators/sns-topic";
import { createTable } from "./emulators/tables";

/**
 * When a local schedule fires next: the stacks' `rate(...)`/`cron(...)`, and also `rate(N seconds)`,
 * finer than EventBridge allows, for local-only intervals (REPLAY_INTERVAL_SECONDS). Example:
 * `localNextRun("rate(10 seconds)", now)` → now + 10 s.
 */
export function localNextRun(expression: string, after: Date): Date {
  const seconds = /^rate\((\d+) seconds?\)$/.exec(expression);
  if (seconds && Number(seconds[1]) > 0) return new Date(after.getTime() + Number(seconds[1]) * 1000);
  return nextRun(expression, after);
}

/** A table's local name: the stack's resource name (`<component>-<table>`) with a local prefix. */
export const localTableName = (component: string, table: string): string => `switchyard-local-${component}-${kebab(table)}`;

/** A queue's local name, as a table's. Example: `localQueueName("events", "notifications")` → `"switchyard-local-events-notifications"`. */
export const localQueueName = localTableName;

/** What a local `create` gets besides the typed environment: the topology's in-process queues and topics, by logical name. */
export interface LocalParts {
  queues: Record<string, LocalQueue<unknown>>;
  /** The SNS topics `topic` triggers subscribe to. Example: `topics.mailFeedback.publish(message)`. */
  topics: Record<string, LocalTopic>;
}

type EnvOf<F> = F extends { definition: FunctionDefinition<infer E, unknown> } ? E : EnvSpec;

/** A function's handler built locally from its typed environment. Example: `(env, service, { queues }) => fanoutHandler({ ..., queue: queues.notifications!.jobQueue })`. */
export type LocalCreate<F> = (env: EnvValues<EnvOf<F>>, service: string, local: LocalParts) => unknown;

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
  /** The authorizers functions' routes pass first (TopologyFunction's `authorizer`), by logical name. Example: `{ jwt: { authorize: createJwtAuthorizer({ ... }) } }`. */
  authorizers?: Record<string, NonNullable<LocalRoute["authorizer"]>>;
  /** How the in-process queue of each `queue` trigger behaves (SQS's redrive and visibility, locally). Example: `{ notifications: { visibilityTimeoutMs: 10_000, maxReceiveCount: 5 } }`. */
  queues?: Record<string, Omit<LocalQueueOptions<unknown>, "name" | "consumer">>;
  /**
   * Another `create` for a function whose cloud parts have no local emulator (SES, SQS,
   * EventBridge Scheduler): the same typed environment, local parts in their place.
   * Example: `{ notify: (env, service) => notifyHandler(notifyDeps(service, notifyValues(env), outboxSender(dir))) }`.
   */
  create?: { [K in keyof T["functions"]]?: LocalCreate<T["functions"][K]> };
}

export interface RunningTopology<T extends Topology> {
  /** Local table names by logical name. */
  tables: Record<keyof T["tables"] & string, string>;
  /** The handlers of the functions that exist (a `when` setting unset leaves one out). */
  handlers: Partial<Record<keyof T["functions"] & string, unknown>>;
  /** The HTTP routes, for the local API server. */
  routes: LocalRoute[];
  /** The in-process queues the `queue` triggers consume, by logical name. */
  queues: Record<string, LocalQueue<unknown>>;
  /** The in-process SNS topics the `topic` triggers subscribe to, by logical name. */
  topics: Record<string, LocalTopic>;
  /** Resolves when every stream record written so far has been handled and the queues and topics are empty. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function runTopology<T extends Topology>(options: LocalTopologyOptions<T>): Promise<RunningTopology<T>> {
  const { topology, dynamodb } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const tables = Object.fromEntries(Object.keys(topology.tables).map((key) => [key, localTableName(options.component, key)])) as Record<string, string>;
  for (const [key, definition] of Object.entries(topology.tables)) await createTable(dynamodb.client, tables[key]!, definition);
  const exists = Object.entries(topology.functions).filter(([, fn]) => !fn.when || options.links?.settings?.[fn.when] || options.links?.resources?.[fn.when]);

  // A queue per `queue` trigger, made first: a producer's handler may hold it before its consumer exists.
  const handlers: Record<string, unknown> = {};
  const queues: Record<string, LocalQueue<unknown>> = {};
  const queueNames: Record<string, string> = {};
  for (const [name, fn] of exists) {
    if (!fn.queue) continue;
    if (queues[fn.queue]) throw new Error(`${options.component}.${name}: queue "${fn.queue}" already has a consumer`);
    queueNames[fn.queue] = localQueueName(options.component, fn.queue);
    queues[fn.queue] = createLocalQueue<unknown>({
      ...options.queues?.[fn.queue],
      name: queueNames[fn.queue]!,
      consumer: (event) => (handlers[name] as (e: SQSEvent) => Promise<SQSBatchResponse | void>)(event),
    });
  }
  // A topic per `topic` trigger, made first too: a publisher (the mail sender) may hold it before its subscriber exists.
  const topics: Record<string, LocalTopic> = {};
  for (const [name, fn] of exists) {
    if (!fn.topic) continue;
    if (topics[fn.topic]) throw new Error(`${options.component}.${name}: topic "${fn.topic}" already has a subscriber`);
    topics[fn.topic] = createLocalTopic({ name: localQueueName(options.component, fn.topic), subscriber: async (event) => (handlers[name] as (e: unknown) => Promise<unknown>)(event), log });
  }
  const links: LocalLinks = { ...options.links, resources: { ...tables, ...queueNames, ...options.links?.resources } };

  const routes: LocalRoute[] = [];
  const pollers: StreamPoller[] = [];
  const streams: { table: string; handler: unknown }[] = [];
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  for (const [name, fn] of exists) {
    const create = (options.create as Record<string, LocalCreate<unknown> | undefined> | undefined)?.[name];
    const definition: FunctionDefinition<EnvSpec, unknown> = create ? { ...fn.definition, create: (env: EnvValues<EnvSpec>, service: string) => create(env as never, service, { queues, topics }) } : fn.definition;
    const handler = localHandler(definition, links, options.env);
    handlers[name] = handler;
    const authorizer = fn.authorizer === undefined ? undefined : options.authorizers?.[fn.authorizer];
    if (fn.authorizer !== undefined && !authorizer) throw new Error(`${options.component}.${name}: its routes need authorizer "${fn.authorizer}"`);
    for (const routeKey of fn.routes ?? []) routes.push({ routeKey, handler: handler as HttpHandler, ...(authorizer ? { authorizer } : {}) });
    // Started once every handler exists: a stream record may reach a queue whose consumer is later in the list.
    // A stream of the topology's own tables, or of another component's table the links name (the Stripe ingest's events, for payments).
    if (fn.stream) {
      const table = tables[fn.stream] ?? links.resources?.[fn.stream];
      if (!table) throw new Error(`${options.component}.${name}: stream "${fn.stream}" names no table`);
      streams.push({ table, handler });
    }
    if (fn.schedule) {
      const expression = links.settings?.[fn.schedule];
      if (!expression) throw new Error(`${options.component}.${name}: schedule setting "${fn.schedule}" is not set`);
      localNextRun(expression, new Date()); // a bad expression fails the start, not a timer later
      const arm = (at = localNextRun(expression, new Date())) => {
        if (stopped) return;
        // Node timers hold at most ~24.8 days; a later run re-arms on the way.
        const timer = setTimeout(() => {
          // Still before the run (that long wait, or a timer firing a millisecond early): the same
          // run, re-armed; recomputing it from now would push a rate(...) run back a whole interval.
          if (Date.now() < at.getTime()) return arm(at);
          const event = { id: `local-${Date.now()}`, source: "aws.events", "detail-type": "Scheduled Event", time: new Date().toISOString(), detail: {} };
          Promise.resolve((handler as (e: unknown) => unknown)(event)).catch((error: Error) => log(`[${options.component}-${kebab(name)}] scheduled run failed: ${error.message}`));
          arm();
        }, Math.max(0, Math.min(at.getTime() - Date.now(), 2 ** 31 - 1)));
        timer.unref();
        timers.push(timer);
      };
      arm();
    }
  }
  for (const stream of streams) {
    pollers.push(await startStreamPoller({ client: dynamodb.client, endpoint: dynamodb.endpoint, tableName: stream.table, handler: stream.handler as never }));
  }

  return {
    tables: tables as RunningTopology<T>["tables"],
    handlers: handlers as RunningTopology<T>["handlers"],
    routes,
    queues,
    topics,
    idle: async () => {
      await Promise.all(pollers.map((p) => p.idle()));
      await Promise.all(Object.values(queues).map((q) => q.drained()));
      // What a sent mail reports back (a simulated bounce), and what that wrote to the tables.
      if (Object.keys(topics).length) {
        await Promise.all(Object.values(topics).map((topic) => topic.drained()));
        await Promise.all(pollers.map((p) => p.idle()));
      }
    },
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.all(pollers.map((p) => p.stop()));
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
}
