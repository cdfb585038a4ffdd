import type { TableDefinition } from "../shared/table-definition";

/**
 * The message store, one table, no index:
 * - every message lives in one item collection, `pk = "MSG"`, sorted by `sk` = its id. Ids are
 *   UUIDv7 (time-ordered), so a reverse Query lists newest first and a GetItem finds one by id;
 * - one counter item `pk = "COUNT", sk = "messages"`, bumped in the same transaction as each
 *   insert, which makes `GET /messages` an exact O(1) read.
 * One partition takes ~1000 writes/s, plenty at this scale; shard `pk` by day if that ever stops
 * being true. No GSI also means each insert costs two writes, not three.
 */
export const messageTable: TableDefinition = {
  hashKey: "pk",
  rangeKey: "sk",
  attributes: [
    { name: "pk", type: "S" },
    { name: "sk", type: "S" },
  ],
};

export const MESSAGE_PARTITION = "MSG";
export const COUNTER_KEY = { pk: "COUNT", sk: "messages" } as const;
