// How the public list can be searched and sorted, as plain data: the API's query schema
// (schemas.ts), the reads (public-list.ts), the OpenAPI document and the website's selects are
// built from these. No zod and no SDK here, so the website can import it.
import type { EventCategory } from "./categories";

export const SORT_ORDERS = ["asc", "desc"] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/**
 * The sorts of `GET /events?sort=`, each over its own sparse index of public published events
 * (tables.ts). `key` is the index's sort key; `mutable` says whether it changes while the event is
 * listed: published and created never do, so keyset paging over them is exact; start moves only
 * when the organizer edits it; the confirmed count changes with every answer, so that sort pages
 * through a ranked snapshot instead (public-list.ts).
 */
export const PUBLIC_SORTS = {
  published: { index: "publicByPublished", key: "publishedAt", defaultOrder: "desc", label: "Newest published" },
  created: { index: "publicByCreated", key: "createdAt", defaultOrder: "desc", label: "Newest created" },
  start: { index: "publicByStart", key: "startsAt", defaultOrder: "asc", label: "Starting soonest" },
  popularity: { index: "publicByConfirmed", key: "confirmedCount", defaultOrder: "desc", label: "Most confirmed" },
} as const satisfies Record<string, { index: string; key: string; defaultOrder: SortOrder; label: string }>;
export type PublicSort = keyof typeof PUBLIC_SORTS;
export const PUBLIC_SORT_NAMES = Object.keys(PUBLIC_SORTS) as PublicSort[];
export const DEFAULT_SORT: PublicSort = "published";

/** Whether events that have ended are listed: by default they are not (a visitor looks for what is coming or live). */
export const ENDED_CHOICES = ["exclude", "include"] as const;

/** One search of the public list, as the handler validated it (times as ISO strings in UTC). */
export interface PublicSearch {
  /** Page size. Example: `20`. */
  limit: number;
  /** From the previous page's `nextCursor`. */
  cursor?: string;
  /** A word the title contains (case-insensitive). Example: `"launch"`. */
  q?: string;
  category?: EventCategory;
  sort: PublicSort;
  order: SortOrder;
  /** Created at or after (inclusive) / before (exclusive). Example: `"2026-01-01T00:00:00.000Z"`. */
  createdAfter?: string;
  createdBefore?: string;
  /** Starting at or after (inclusive) / before (exclusive). */
  startsAfter?: string;
  startsBefore?: string;
  /** At least this many confirmed ("yes") answers. Example: `10`. */
  minConfirmed?: number;
  ended: (typeof ENDED_CHOICES)[number];
}

/** The popularity sort ranks at most this many matching events (a snapshot item stays far below DynamoDB's 400 KB). */
export const POPULARITY_SNAPSHOT_MAX = 1000;
/** A popularity snapshot can be paged through this long after the first page. */
export const POPULARITY_SNAPSHOT_MINUTES = 15;
