import { z } from "zod";
import { encodeCursor } from "./cursor";

export const PAGE_MAX_LIMIT = 100;
export const PAGE_DEFAULT_LIMIT = 20;

/** An optional `?limit=` from 1 to `max` (query values arrive as text). */
export function limitParam(max: number, description: string) {
  return z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(z.int().min(1).max(max)).optional().describe(description);
}

/** `?limit=&cursor=` as every list route takes them. */
export function pageQuerySchema() {
  return z.strictObject({
    limit: limitParam(PAGE_MAX_LIMIT, `Page size, 1 to ${PAGE_MAX_LIMIT} (default ${PAGE_DEFAULT_LIMIT})`),
    cursor: z.string().min(1).max(512).optional().describe("Opaque cursor from a previous page's nextCursor"),
  });
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The page in a read of up to `limit + 1` items (ask DynamoDB for `Limit: limit + 1`). DynamoDB
 * sets LastEvaluatedKey whenever Limit is reached, even on the very last item, so only the extra
 * item proves another page exists. `truncated` (LastEvaluatedKey set) counts too when the read
 * stopped short of the limit, at DynamoDB's 1 MB cap. The cursor is the last item's sort key.
 */
export function pageOf<T>(read: T[], limit: number, truncated: boolean, sortKeyOf: (item: T) => string): Page<T> {
  const items = read.slice(0, limit);
  const last = items.at(-1);
  const more = read.length > limit || truncated;
  return { items, nextCursor: more && last !== undefined ? encodeCursor(sortKeyOf(last)) : null };
}
