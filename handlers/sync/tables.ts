import type { TableDefinition } from "../shared/table-definition";

/**
 * One table per ScheduledSync holds everything a job remembers between runs, under `pk` = job name:
 * - `sk = "RUN"`: last start, last success, last run id, counts and last error of the job;
 * - `sk = "SOURCE#<name>"`: per-source state: cursor or ETag, counts, last success, last error;
 * - `sk = "ITEM#<key>"`: one record per synced item (intent, then confirmation), so a run that
 *   crashed between two calls to an API can tell what it already did.
 */
export const syncStateTable: TableDefinition = {
  hashKey: "pk",
  rangeKey: "sk",
  attributes: [
    { name: "pk", type: "S" },
    { name: "sk", type: "S" },
  ],
};
