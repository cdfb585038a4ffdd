import { RateLimitedError, retryAtFrom } from "./rate-limit";

export interface PipedriveClientOptions {
  /** `https://<company>.pipedrive.com`, or a stand-in's URL. */
  baseUrl: string;
  apiToken: string;
  timeoutMs?: number;
}

interface Envelope<T> {
  success: boolean;
  data: T;
  additional_data?: { next_cursor?: string | null };
}

interface SearchResult {
  items: { result_score: number; item: { id: number } }[];
}

/** The slice of Pipedrive's API v2 the gists job needs, with got: search, create, rate limits, retries. */
export class PipedriveClient {
  constructor(private readonly options: PipedriveClientOptions) {}

  /** Counts every HTTP request made (for the bench's API-call economy). */
  calls = 0;

  private async request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const { default: got } = await import("got");
    this.calls++;
    const response: { statusCode: number; headers: Record<string, string | string[] | undefined>; body: string } = await got(`${this.options.baseUrl}/api/v2${path}`, {
      method,
      headers: { "x-api-token": this.options.apiToken, accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeout: { request: this.options.timeoutMs ?? 10_000 },
      // Only idempotent reads are retried here; a create is never sent twice blindly (the job's
      // intent records and search-before-create handle that).
      retry: { limit: method === "GET" ? 2 : 0, statusCodes: [500, 502, 503, 504], methods: ["GET"], calculateDelay: ({ computedValue }) => (computedValue ? Math.min(computedValue, 2000) : 0) },
      throwHttpErrors: false,
      hooks: { beforeRetry: [() => void this.calls++] },
    });
    if (response.statusCode === 429) throw new RateLimitedError("pipedrive", retryAtFrom(response.headers, Date.now(), 2_000), `HTTP 429 on ${method} ${path.split("?")[0]}`);
    if (response.statusCode < 200 || response.statusCode >= 300) throw new Error(`pipedrive: HTTP ${response.statusCode} on ${method} ${path.split("?")[0]}`);
    return (JSON.parse(response.body) as Envelope<T>).data;
  }

  private async searchOne(path: string): Promise<number | undefined> {
    const result = await this.request<SearchResult>("GET", path);
    return result.items[0]?.item.id;
  }

  /** An organization whose name is exactly `name`. */
  findOrganization(name: string): Promise<number | undefined> {
    return this.searchOne(`/organizations/search?term=${encodeURIComponent(name)}&exact_match=true&fields=name`);
  }

  async createOrganization(name: string): Promise<number> {
    return (await this.request<{ id: number }>("POST", "/organizations", { name })).id;
  }

  /** A deal with a custom field exactly equal to `value` (the gist URL). */
  findDealByCustomField(value: string): Promise<number | undefined> {
    return this.searchOne(`/deals/search?term=${encodeURIComponent(value)}&exact_match=true&fields=custom_fields`);
  }

  async createDeal(deal: { title: string; orgId: number; customFields: Record<string, string> }): Promise<number> {
    return (await this.request<{ id: number }>("POST", "/deals", { title: deal.title, org_id: deal.orgId, custom_fields: deal.customFields })).id;
  }
}
