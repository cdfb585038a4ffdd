// Kept hand-written (#17): reading Retry-After / x-ratelimit-* into a retry time is API-specific policy (a run stops and the next resumes), not a retry loop a library runs; got does the in-request retries.
/** When an API may be called again. Example: `{ api: "github", retryAt: "2026-12-03T06:00:00.000Z" }`. */
export interface RateLimit {
  api: string;
  retryAt: string;
}

/** What a run says of an API it does not call because of a limit: `not reached (github rate limited until …)`. */
export const notReached = (limit: RateLimit) => `not reached (${limit.api} rate limited until ${limit.retryAt})`;

/**
 * An API said "not now": the run stops calling it, keeps what it has done, and the next run
 * continues. `retryAt` is when the API says calls may resume.
 */
export class RateLimitedError extends Error {
  constructor(
    readonly api: string,
    readonly retryAt: Date,
    detail: string,
  ) {
    super(`${api} rate limit: ${detail}; retry after ${retryAt.toISOString()}`);
  }
}

/** Secondary limits without a Retry-After: GitHub asks for at least a minute. */
const DEFAULT_BACKOFF_MS = 60_000;

/**
 * Reads a throttling answer the way GitHub documents it (and Pipedrive/Airtable follow the same
 * headers where they send any): `retry-after` seconds first, else `x-ratelimit-reset` epoch
 * seconds when `x-ratelimit-remaining` is 0, else a default back-off.
 */
export function retryAtFrom(headers: Record<string, string | string[] | undefined>, now: number, fallbackMs = DEFAULT_BACKOFF_MS): Date {
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const retryAfter = Number(header("retry-after"));
  if (retryAfter > 0) return new Date(now + retryAfter * 1000);
  if (header("x-ratelimit-remaining") === "0") {
    const reset = Number(header("x-ratelimit-reset"));
    if (reset > 0) return new Date(Math.max(now, reset * 1000));
  }
  return new Date(now + fallbackMs);
}
