import { setTimeout as sleep } from "node:timers/promises";
import type { SecretProvider } from "../shared/secret";
import { Pacer } from "./pacer";
import { RateLimitedError, retryAtFrom } from "./rate-limit";

/** A record as Airtable lists it. */
export interface AirtableRecord {
  id: string;
  createdTime: string;
  fields: Record<string, unknown>;
}

export interface AirtableListing {
  records: AirtableRecord[];
  /** Pages read by the listing that completed. */
  pages: number;
  /** How many times the listing started over because its offset expired (0 or 1). */
  restarts: number;
}

export interface AirtableListOptions {
  /** Only these fields (`fields[]`); all when omitted. */
  fields?: string[];
  view?: string;
  filterByFormula?: string;
}

export interface AirtableClientOptions {
  /** `https://api.airtable.com`, or a stand-in's URL. */
  baseUrl: string;
  /** A personal access token (or where to read it: a secret provider, resolved per request). */
  token: string | SecretProvider;
  /** Requests per second per base: Airtable allows 5. */
  requestsPerSecond?: number;
  /** Requests per second for the token, all bases together: Airtable allows 50. */
  tokenRequestsPerSecond?: number;
  /** How long Airtable refuses everything after a 429: 30 s by its documentation. */
  penaltyMs?: number;
  /** 429s waited out per request before giving up with a RateLimitedError. Default 3. */
  rateLimitRetries?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Longest wait between retries of a 5xx. Default 2000. */
  maxRetryDelayMs?: number;
}

const PAGE_SIZE = 100;
const OFFSET_EXPIRED = "LIST_RECORDS_ITERATOR_NOT_AVAILABLE";

type Page = { records: AirtableRecord[]; offset?: string } | { expired: true };

/**
 * Airtable's list-records endpoint with got: pages of 100 following `offset`, paced to stay under
 * 5 requests/s per base (and 50/s per token), a 429 waited out (Airtable's penalty is 30 s) and
 * retried a few times, and an expired offset answered by starting the listing over, once.
 */
export class AirtableClient {
  constructor(private readonly options: AirtableClientOptions) {
    this.tokenPacer = new Pacer(options.tokenRequestsPerSecond ?? 50);
  }

  /** Counts every HTTP request made. */
  calls = 0;
  private readonly tokenPacer: Pacer;
  private readonly basePacers = new Map<string, Pacer>();

  /**
   * Every record of `table` (an id or a name) in `baseId`. If an offset expires mid-listing, the
   * listing starts over from the first page (the records read so far are dropped, so the answer is
   * one consistent listing); a second expiry is an error.
   */
  async listRecords(baseId: string, table: string, options: AirtableListOptions = {}): Promise<AirtableListing> {
    for (let restarts = 0; ; restarts++) {
      const records: AirtableRecord[] = [];
      let offset: string | undefined;
      let pages = 0;
      let expired = false;
      do {
        const page = await this.page(baseId, table, options, offset);
        if ("expired" in page) {
          expired = true;
          break;
        }
        records.push(...page.records);
        pages++;
        offset = page.offset;
      } while (offset);
      if (!expired) return { records, pages, restarts };
      if (restarts >= 1) throw new Error(`airtable: the offset expired again after a restart listing ${baseId}/${table}`);
    }
  }

  private pacer(baseId: string): Pacer {
    let pacer = this.basePacers.get(baseId);
    if (!pacer) this.basePacers.set(baseId, (pacer = new Pacer(this.options.requestsPerSecond ?? 5)));
    return pacer;
  }

  private async page(baseId: string, table: string, options: AirtableListOptions, offset: string | undefined): Promise<Page> {
    const { default: got } = await import("got");
    const query = new URLSearchParams({ pageSize: String(PAGE_SIZE) });
    for (const field of options.fields ?? []) query.append("fields[]", field);
    if (options.view) query.set("view", options.view);
    if (options.filterByFormula) query.set("filterByFormula", options.filterByFormula);
    if (offset) query.set("offset", offset);
    const url = `${this.options.baseUrl}/v0/${encodeURIComponent(baseId)}/${encodeURIComponent(table)}?${query}`;
    const token = typeof this.options.token === "function" ? await this.options.token() : this.options.token;
    const what = `listing ${baseId}/${table}`;

    for (let limited = 0; ; limited++) {
      const response: { statusCode: number; headers: Record<string, string | string[] | undefined>; body: string } = await this.tokenPacer.run(() =>
        this.pacer(baseId).run(() => {
          this.calls++;
          return got(url, {
            headers: { authorization: `Bearer ${token}`, accept: "application/json", "user-agent": "switchyard-scheduled-sync" },
            timeout: { request: this.options.timeoutMs ?? 10_000 },
            retry: {
              limit: 2,
              statusCodes: [500, 502, 503, 504],
              methods: ["GET"],
              calculateDelay: ({ computedValue }) => (computedValue ? Math.min(computedValue, this.options.maxRetryDelayMs ?? 2000) : 0),
            },
            throwHttpErrors: false,
            hooks: { beforeRetry: [() => void this.calls++] },
          });
        }),
      );
      if (response.statusCode === 429) {
        const retryAt = retryAtFrom(response.headers, Date.now(), this.options.penaltyMs ?? 30_000);
        if (limited >= (this.options.rateLimitRetries ?? 3)) throw new RateLimitedError("airtable", retryAt, `HTTP 429 ${what}`);
        // Every request during the penalty is refused (and may extend it): wait it out, then retry.
        await sleep(Math.max(0, retryAt.getTime() - Date.now()));
        continue;
      }
      const body = parse(response.body);
      if (response.statusCode === 422 && offset && errorType(body) === OFFSET_EXPIRED) return { expired: true };
      if (response.statusCode !== 200) {
        const detail = [errorType(body), errorMessage(body)].filter(Boolean).join(": ");
        throw new Error(`airtable: HTTP ${response.statusCode} ${what}${detail ? ` (${detail})` : ""}`);
      }
      const page = body as { records?: AirtableRecord[]; offset?: string };
      if (!Array.isArray(page.records)) throw new Error(`airtable: unexpected answer ${what}: no records`);
      return { records: page.records, ...(page.offset ? { offset: page.offset } : {}) };
    }
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Airtable errors are `{error: {type, message}}`, or sometimes just `{error: "NOT_FOUND"}`. */
function errorType(body: unknown): string | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error === "string") return error;
  const type = (error as { type?: unknown } | undefined)?.type;
  return typeof type === "string" ? type : undefined;
}

function errorMessage(body: unknown): string | undefined {
  const message = ((body as { error?: unknown } | undefined)?.error as { message?: unknown } | undefined)?.message;
  return typeof message === "string" ? message : undefined;
}
