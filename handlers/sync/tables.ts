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

/** A mirror of records kept in another system, one item per record under `pk` = its id there. */
const mirrorTable = (): TableDefinition => ({ hashKey: "pk", attributes: [{ name: "pk", type: "S" }] });

/**
 * The skills job's copy of the Airtable assessments: `pk` = record id (`rec…`), `fields` (the
 * record's fields as canonical JSON), `createdTime`, `syncedAt`. Upserted, never deleted.
 */
export const assessmentsTable: TableDefinition = mirrorTable();

/** Badgr badge classes of the issuer: `pk` = entityId, `data` (the badge class as canonical JSON), `name`, `syncedAt`. */
export const badgeClassesTable: TableDefinition = mirrorTable();

/**
 * Badgr assertions of the issuer, revoked and expired ones included: `pk` = entityId, `data`
 * (canonical JSON), `badgeclass`, `issuedOn`, `revoked`, `revocationReason`, `syncedAt`.
 */
export const assertionsTable: TableDefinition = mirrorTable();

/**
 * Browser sessions of a job's read API (`GET /gists`): `pk` = `session#<sha256 of the id>`,
 * `position` (the feed position shown last), `createdAt`, `expiresAt` (epoch seconds; DynamoDB TTL).
 */
export const sessionsTable: TableDefinition = { hashKey: "pk", attributes: [{ name: "pk", type: "S" }], ttlAttribute: "expiresAt" };
