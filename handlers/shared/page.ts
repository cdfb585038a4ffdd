// A page of a DynamoDB read, as every list route answers it. Kept apart from the query schema
// (paging.ts, which needs zod): functions that only read pages, like the meetings projector's
// store, then upload no zod.
import { encodeCursor } from "./cursor";

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
