// What an area of Switchyard is, as plain data: its tables and its functions with what triggers
// each (HTTP routes, a table's stream, a schedule). The components deploy a topology (components/
// *.ts); local mode runs the same one (local/topology.ts). Adding a route, a stream consumer or a
// scheduled function is an entry here plus its definition and handler.
import type { AnyFunctionDefinition } from "./function-definition";
import type { TableDefinition } from "./table-definition";

export interface TopologyFunction {
  /** Example: `createMessageFunction`. */
  definition: AnyFunctionDefinition;
  /** Shown in the console; the routes when omitted. Example: `"events stream → meetings table"`. */
  description?: string;
  /** HTTP API route keys it serves. Example: `["GET /messages/{id}"]`. */
  routes?: readonly string[];
  /**
   * Logical name of the authorizer every request to its routes passes first (the component
   * provides it: a JWT authorizer in AWS, local/emulators/jwt-authorizer.ts locally). A function's routes
   * share one audience. Example: `"jwt"`.
   */
  authorizer?: string;
  /**
   * Logical name of the table whose new items (stream INSERTs) it consumes: one of the topology's
   * tables, or a table of another component the component links under that name. Example:
   * `"events"`; `"stripeEvents"` (the Stripe WebhookIngest's table, for the events payments).
   */
  stream?: string;
  /** Logical name of the setting holding the schedule (rate or cron) that runs it. Example: `"replaySchedule"`. */
  schedule?: string;
  /**
   * Logical name of the queue whose messages it consumes, in batches, reporting failed messages
   * (the component provides the queue; locally an in-process queue with SQS's semantics). Example: `"notifications"`.
   */
  queue?: string;
  /**
   * Logical name of the SNS topic whose messages it receives (the component provides the topic and
   * subscribes the function; locally an in-process stand-in delivers SNS-shaped events). Example: `"mailFeedback"`.
   */
  topic?: string;
  /**
   * New objects of a bucket it is told of (S3 ObjectCreated notifications, under `prefix`: S3
   * filters by a key's prefix and suffix only). Example: `{ bucket: "media", prefix: "events/" }`.
   */
  objectCreated?: { bucket: string; prefix: string };
  /** Logical name of the EventBridge rule (the component provides its pattern) whose events it receives. Example: `"transcodeJobs"`. */
  eventRule?: string;
  /** Route keys of the component's WebSocket API it serves. Example: `["$connect", "$disconnect"]`. */
  websocket?: readonly string[];
  /** Logical name of a setting (or a resource) without which the function does not exist. Example: `"forwardUrl"`, `"sender"`. */
  when?: string;
  /** Seconds. Example: `60`. */
  timeoutSeconds?: number;
}

export interface Topology {
  /** The area's tables by logical name (the names definitions' grants use). Example: `{ messages: messageTable }`. */
  tables: Record<string, TableDefinition>;
  /** The area's functions by logical name. */
  functions: Record<string, TopologyFunction>;
}

/** Identity with inference. */
export const defineTopology = <const T extends Topology>(topology: T): T => topology;

/** A function's console description: its own, or its routes. */
export const describeFunction = (fn: TopologyFunction): string => fn.description ?? (fn.routes ?? []).join(", ");

/** `notFound` → `not-found`: logical names as resource-name parts. */
export const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
