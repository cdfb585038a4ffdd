import type { TableDefinition } from "../shared/table-definition";

/**
 * The message store, one table:
 * - a message item per message: `pk = "MSG#<id>"`, plus `feed`/`feedSort` so the `byFeed` index
 *   lists messages newest first without a Scan;
 * - one counter item `pk = "COUNT#messages"` (no `feed`, so it stays out of the index), bumped in the
 *   same transaction as each insert, which makes `GET /messages` an exact O(1) read.
 * One feed partition is fine at this scale (an index partition takes ~1000 writes/s); shard `feed`
 * by day if that ever stops being true.
 */
export const messageTable: TableDefinition = {
  hashKey: "pk",
  attributes: [
    { name: "pk", type: "S" },
    { name: "feed", type: "S" },
    { name: "feedSort", type: "S" },
  ],
  globalSecondaryIndexes: [{ name: "byFeed", hashKey: "feed", rangeKey: "feedSort", projection: "ALL" }],
};

export const MESSAGE_FEED = "messages";
export const MESSAGE_COUNTER_KEY = "COUNT#messages";
export const messageKey = (id: string) => `MSG#${id}`;
