import { z } from "zod";
import { PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT } from "./page-limits";

export { PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT };

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
