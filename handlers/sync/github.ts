import { RateLimitedError, retryAtFrom } from "./rate-limit";

/** A public gist as GitHub lists it (the fields the sync uses). */
export interface Gist {
  id: string;
  html_url: string;
  description: string | null;
  files: Record<string, { filename: string }>;
  created_at: string;
  updated_at: string;
  owner?: { login: string };
}

export type GistListing = { status: "not-modified" } | { status: "ok"; gists: Gist[]; etag?: string };

export interface GitHubClientOptions {
  /** `https://api.github.com`, or a stand-in's URL. */
  baseUrl: string;
  /** Optional token: 5000 requests/h instead of 60, and 304s that do not count. */
  token?: string;
  /** Per-request timeout. */
  timeoutMs?: number;
}

/** The slice of the GitHub REST API the gists job needs, with got: conditional requests, Link pagination, rate limits. */
export class GitHubClient {
  constructor(private readonly options: GitHubClientOptions) {}

  /** Counts every HTTP request made (for the bench's API-call economy). */
  calls = 0;

  private headers(extra: Record<string, string> = {}) {
    return {
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      "user-agent": "switchyard-scheduled-sync",
      ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
      ...extra,
    };
  }

  /**
   * All of a user's public gists, following `Link: rel="next"`. With the ETag of the previous
   * listing's first page, an unchanged listing costs one request answered 304.
   */
  async listGists(user: string, etag?: string): Promise<GistListing> {
    const { default: got, parseLinkHeader } = await import("got");
    const gists: Gist[] = [];
    let url: string | undefined = `${this.options.baseUrl}/users/${encodeURIComponent(user)}/gists?per_page=100`;
    let firstEtag: string | undefined;
    for (let page = 0; url; page++) {
      this.calls++;
      const response: { statusCode: number; headers: Record<string, string | string[] | undefined>; body: string } = await got(url, {
        headers: this.headers(page === 0 && etag ? { "if-none-match": etag } : {}),
        timeout: { request: this.options.timeoutMs ?? 10_000 },
        retry: { limit: 2, statusCodes: [500, 502, 503, 504], methods: ["GET"], calculateDelay: ({ computedValue }) => (computedValue ? Math.min(computedValue, 2000) : 0) },
        throwHttpErrors: false,
        hooks: { beforeRetry: [() => void this.calls++] },
      });
      if (response.statusCode === 304) return { status: "not-modified" };
      if (response.statusCode === 403 || response.statusCode === 429) {
        throw new RateLimitedError("github", retryAtFrom(response.headers, Date.now()), `HTTP ${response.statusCode} for ${user}`);
      }
      if (response.statusCode !== 200) throw new Error(`github: HTTP ${response.statusCode} listing gists of ${user}`);
      if (page === 0) firstEtag = response.headers.etag as string | undefined;
      gists.push(...(JSON.parse(response.body) as Gist[]));
      const link = response.headers.link as string | undefined;
      url = link ? parseLinkHeader(link).find((l) => l.parameters.rel === '"next"' || l.parameters.rel === "next")?.reference : undefined;
    }
    return { status: "ok", gists, etag: firstEtag };
  }
}
