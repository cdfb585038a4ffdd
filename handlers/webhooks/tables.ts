import type { TableDefinition } from "../shared/table-definition";

/**
 * Every accepted webhook event, history per meeting, newest first: `pk` = meeting id (or
 * `_<source>#<type>` for events about no meeting), `sk` = `<occurredAt>#<event id>`. Both parts
 * are deterministic, so a conditional put on the key is the duplicate check. The table's stream
 * feeds the forwarder and the live broadcaster, off the request path.
 */
export const webhookEventsTable: TableDefinition = {
  hashKey: "pk",
  rangeKey: "sk",
  attributes: [
    { name: "pk", type: "S" },
    { name: "sk", type: "S" },
  ],
  stream: "NEW_IMAGE",
};

/**
 * Latest status per meeting: `pk` = meeting id, the merged state as JSON in `state`, a `version`
 * for optimistic concurrency. `byStart` lists meetings newest start first (sparse: a meeting known
 * only from a reschedule link has no start time yet).
 */
export const meetingsTable: TableDefinition = {
  hashKey: "pk",
  attributes: [
    { name: "pk", type: "S" },
    { name: "listPk", type: "S" },
    { name: "listSk", type: "S" },
  ],
  globalSecondaryIndexes: [{ name: "byStart", hashKey: "listPk", rangeKey: "listSk", projection: "ALL" }],
};

/** WebSocket connections of the live view; items expire by TTL in case a $disconnect is missed. */
export const connectionsTable: TableDefinition = {
  hashKey: "connectionId",
  attributes: [{ name: "connectionId", type: "S" }],
  ttlAttribute: "expiresAt",
};

export const MEETING_LIST_PARTITION = "MEETINGS";
export const EVENT_SORT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[0-9a-f]{32}$/;
export const MEETING_LIST_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[A-Za-z0-9_-]{1,100}$/;
