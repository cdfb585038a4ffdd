// The list routes' page sizes, zod-free: the query schemas (paging.ts) and GraphQL's upload, which
// carries no zod, read them.
export const PAGE_MAX_LIMIT = 100;
export const PAGE_DEFAULT_LIMIT = 20;
