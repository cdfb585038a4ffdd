import type { TableDefinition } from "../shared/table-definition";

/**
 * One table for the events platform (single-table: an event and its invitations share a partition,
 * so the attendee list is one Query and the stream carries both):
 * - event: `pk` = event id, `sk` = `event`;
 * - invitation: `pk` = event id, `sk` = `invitee#<email>`;
 * - monthly series: `pk` = series id, `sk` = `series` (the rule and its occurrences' ids; each
 *   occurrence is an event item carrying `seriesId` and `occurrence`: series-store.ts).
 * Sparse indexes list what each reader needs: `byOrganizer` (organizer's events, last edited first),
 * `publicByPublished` (public published events, newest first) and `draftsByUpdated` (drafts, oldest
 * edit first, for the clean-up). An ended event's item expires by TTL (`expiresAt`, 90 days after
 * its end); the stream's REMOVE then deletes its invitations, media and reminder.
 */
export const eventsTable: TableDefinition = {
  hashKey: "pk",
  rangeKey: "sk",
  attributes: [
    { name: "pk", type: "S" },
    { name: "sk", type: "S" },
    { name: "organizerId", type: "S" },
    { name: "updatedAt", type: "S" },
    { name: "publicList", type: "S" },
    { name: "publishedAt", type: "S" },
    { name: "draftList", type: "S" },
  ],
  globalSecondaryIndexes: [
    { name: "byOrganizer", hashKey: "organizerId", rangeKey: "updatedAt", projection: "ALL" },
    { name: "publicByPublished", hashKey: "publicList", rangeKey: "publishedAt", projection: "ALL" },
    { name: "draftsByUpdated", hashKey: "draftList", rangeKey: "updatedAt", projection: "KEYS_ONLY" },
  ],
  ttlAttribute: "expiresAt",
  stream: "NEW_AND_OLD_IMAGES",
};

/**
 * Powertools idempotency records of sent mail: one per (event, recipient, kind), so a redelivered
 * notification job never sends twice. Its layout is Powertools' default (`id`, TTL `expiration`).
 */
export const notificationsSentTable: TableDefinition = {
  hashKey: "id",
  attributes: [{ name: "id", type: "S" }],
  ttlAttribute: "expiration",
};

export const EVENT_SK = "event";
export const INVITEE_SK_PREFIX = "invitee#";
export const SERIES_SK = "series";
export const PUBLIC_LIST = "public";
export const DRAFT_LIST = "draft";
/** Drafts untouched this long are removed by the clean-up. */
export const DRAFT_MAX_IDLE_DAYS = 30;
/** An ended event's data is kept this long after its end. */
export const ENDED_RETENTION_DAYS = 90;
