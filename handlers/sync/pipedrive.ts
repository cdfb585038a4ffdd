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

/** A deal as `GET /deals` lists it (the fields the sync uses). */
export interface ListedDeal {
  id: number;
  /** Keyed by field key; a text field's value is the text (or `{ value }` for some field types). */
  custom_fields?: Record<string, unknown>;
}

interface ListedOrganization {
  id: number;
  name: string;
}

/** Pipedrive answered with an error status. */
export class PipedriveHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Largest page `GET /deals` and `GET /organizations` give. */
const PAGE_LIMIT = 500;

/** A custom field's value as text: Pipedrive gives text fields as strings, some types as `{ value }`. */
export function customFieldText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && typeof (value as { value?: unknown }).value === "string") return (value as { value: string }).value;
  return undefined;
}

/** The slice of Pipedrive's API v2 the gists job needs, with got: search, create, rate limits, retries. */
export class PipedriveClient {
  constructor(private readonly options: PipedriveClientOptions) {}

  /** Counts every HTTP request made (for the bench's API-call economy). */
  calls = 0;

  private async request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    return (await this.envelope<T>(method, path, body)).data;
  }

  /** One call, answered with the whole envelope (for `additional_data.next_cursor`). */
  private async envelope<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<Envelope<T>> {
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
    if (response.statusCode < 200 || response.statusCode >= 300) throw new PipedriveHttpError(response.statusCode, `pipedrive: HTTP ${response.statusCode} on ${method} ${path.split("?")[0]}`);
    return JSON.parse(response.body) as Envelope<T>;
  }

  /** Every item of a cursor-paged listing; `stop` ends it early once a page holds what it needs. */
  private async listAll<T>(path: string, stop: (page: T[]) => boolean = () => false): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null | undefined;
    do {
      const page = await this.envelope<T[]>("GET", `${path}${path.includes("?") ? "&" : "?"}limit=${PAGE_LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      items.push(...(page.data ?? []));
      if (stop(page.data ?? [])) break;
      cursor = page.additional_data?.next_cursor;
    } while (cursor);
    return items;
  }

  private async searchOne(path: string): Promise<number | undefined> {
    const result = await this.request<SearchResult>("GET", path);
    return result.items[0]?.item.id;
  }

  /**
   * The organization named `name` (not case sensitive, as Pipedrive's exact match), read from
   * Pipedrive's database (`GET /organizations`, every page), not its search index: one created a
   * second ago, or by a run that crashed before it heard back, is found. Where the listing is not
   * offered (a 404), the search by exact name answers instead.
   */
  async findOrganization(name: string): Promise<number | undefined> {
    const wanted = name.toLowerCase();
    try {
      const listed = await this.listAll<ListedOrganization>("/organizations", (page) => page.some((o) => o.name.toLowerCase() === wanted));
      return listed.find((o) => o.name.toLowerCase() === wanted)?.id;
    } catch (error) {
      if (!(error instanceof PipedriveHttpError && error.status === 404)) throw error;
      return this.searchOne(`/organizations/search?term=${encodeURIComponent(name)}&exact_match=true&fields=name`);
    }
  }

  async createOrganization(name: string): Promise<number> {
    return (await this.request<{ id: number }>("POST", "/organizations", { name })).id;
  }

  /**
   * Every deal of an organization, read from Pipedrive's database (`GET /deals?org_id=`), not its
   * search index: a deal created a second ago is there, so this is how a run knows what exists.
   */
  dealsOfOrganization(orgId: number): Promise<ListedDeal[]> {
    return this.listAll<ListedDeal>(`/deals?org_id=${orgId}`);
  }

  async createDeal(deal: { title: string; orgId: number; customFields: Record<string, string> }): Promise<number> {
    return (await this.request<{ id: number }>("POST", "/deals", { title: deal.title, org_id: deal.orgId, custom_fields: deal.customFields })).id;
  }
}
