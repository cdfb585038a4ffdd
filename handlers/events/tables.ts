import type { TableDefinition } from "../shared/table-definition";

/**
 * One table for the events platform (single-table: an event and its invitations share a partition,
 * so the attendee list is one Query and the stream carries both):
 * - event: `pk` = event id, `sk` = `event`;
 * - invitation: `pk` = event id, `sk` = `invitee#<email>`;
 * - monthly series: `pk` = series id, `sk` = `series` (the rule and its occurrences' ids; each
 *   occurrence is an event item carrying `seriesId` and `occurrence`: series-store.ts).
 * Sparse indexes list what each reader needs: `byOrganizer` (organizer's events, last edited first),
 * `publicByPublished` (public published events, newest first), `publicByCreated`, `publicByStart` and
 * `publicByConfirmed` (the same events by creation, start and confirmed count: the public list's
 * other sorts, public-search.ts) and `draftsByUpdated` (drafts, oldest edit first, for the clean-up). An ended event's item expires by TTL (`expiresAt`, 90 days after
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
    { name: "createdAt", type: "S" },
    { name: "startsAt", type: "S" },
    { name: "confirmedCount", type: "N" },
  ],
  globalSecondaryIndexes: [
    { name: "byOrganizer", hashKey: "organizerId", rangeKey: "updatedAt", projection: "ALL" },
    { name: "publicByPublished", hashKey: "publicList", rangeKey: "publishedAt", projection: "ALL" },
    { name: "draftsByUpdated", hashKey: "draftList", rangeKey: "updatedAt", projection: "KEYS_ONLY" },
    { name: "publicByCreated", hashKey: "publicList", rangeKey: "createdAt", projection: "ALL" },
    { name: "publicByStart", hashKey: "publicList", rangeKey: "startsAt", projection: "ALL" },
    // confirmedCount is set (0) when an event joins the public list, so every listed event is here.
    { name: "publicByConfirmed", hashKey: "publicList", rangeKey: "confirmedCount", projection: "ALL" },
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

/**
 * Addresses this stack never mails again (a recipient complained: handlers/events/feedback.ts puts
 * them, notify checks before every send), one item per lower-cased address: `email`, `reason`,
 * `at`, and the `eventId` of the mail complained about. Kept forever: a complaint does not expire.
 * Exists only where mail can draw complaints: with an SES sender, and in local mode.
 */
export const suppressionsTable: TableDefinition = {
  hashKey: "email",
  attributes: [{ name: "email", type: "S" }],
};

/**
 * The public list's popularity snapshots (public-list.ts): the ranked ids of one search, paged
 * through for a few minutes, then gone by TTL (`expiresAt`; reads check it too). Disposable: a lost
 * snapshot asks the reader to start again.
 */
export const listSnapshotsTable: TableDefinition = {
  hashKey: "id",
  attributes: [{ name: "id", type: "S" }],
  ttlAttribute: "expiresAt",
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
