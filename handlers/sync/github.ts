import type { Readable } from "node:stream";
import type { SecretProvider } from "../shared/secret";
import { RateLimitedError, retryAtFrom, type RateLimit } from "./rate-limit";

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

/** A repository's release as GitHub answers it (the fields the sync uses). */
export interface Release {
  id: number;
  tag_name: string;
  name: string | null;
  published_at: string | null;
  /** The source archive: a 302 to codeload.github.com. */
  tarball_url: string;
  zipball_url: string;
}

export interface GitHubClientOptions {
  /** `https://api.github.com`, or a stand-in's URL. */
  baseUrl: string;
  /** Optional token: 5000 requests/h instead of 60, and 304s that do not count (or a secret provider, resolved per request). */
  token?: string | SecretProvider;
  /** Per-request timeout (for a download: the wait for its response; a silence while it streams may last max(this, 30 s)). */
  timeoutMs?: number;
  /** Longest wait between retries of a 5xx. Default 2000. */
  maxRetryDelayMs?: number;
}

type Response = { statusCode: number; headers: Record<string, string | string[] | undefined>; body: string };

/**
 * The slice of the GitHub REST API the sync jobs need, with got: gists with conditional requests
 * and Link pagination, a repository's latest release and its tarball as a stream, rate limits.
 */
export class GitHubClient {
  constructor(private readonly options: GitHubClientOptions) {}

  /** Counts every HTTP request made (for the bench's API-call economy). */
  calls = 0;

  /** Set when an answer said no requests are left before the reset: later calls are refused here, not sent. */
  private exhaustedUntil?: Date;

  /** The limit this client learned (a refusal's retry time, or "none left until the reset"), if still in force. */
  learnedLimit(now = Date.now()): RateLimit | undefined {
    return this.exhaustedUntil && this.exhaustedUntil.getTime() > now ? { api: "github", retryAt: this.exhaustedUntil.toISOString() } : undefined;
  }

  /** Refuses a call GitHub would refuse, before sending it. */
  private checkBudget(what: string): void {
    const limit = this.learnedLimit();
    if (limit) throw new RateLimitedError("github", new Date(limit.retryAt), `no requests left before the reset (${what} not sent)`);
  }

  /** Remembers `x-ratelimit-remaining: 0` (and a refusal's retry time) from any answer. */
  private noteBudget(statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode === 403 || statusCode === 429) this.exhaustedUntil = retryAtFrom(headers, Date.now());
    else if (headers["x-ratelimit-remaining"] === "0" && Number(headers["x-ratelimit-reset"]) > 0) this.exhaustedUntil = new Date(Number(headers["x-ratelimit-reset"]) * 1000);
  }

  private async headers(extra: Record<string, string> = {}) {
    const token = typeof this.options.token === "function" ? await this.options.token() : this.options.token;
    return {
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      "user-agent": "switchyard-scheduled-sync",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...extra,
    };
  }

  private retry() {
    const max = this.options.maxRetryDelayMs ?? 2000;
    return { limit: 2, statusCodes: [500, 502, 503, 504], methods: ["GET" as const], calculateDelay: ({ computedValue }: { computedValue: number }) => (computedValue ? Math.min(computedValue, max) : 0) };
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
      this.checkBudget(`gists of ${user}`);
      this.calls++;
      const response: Response = await got(url, {
        headers: await this.headers(page === 0 && etag ? { "if-none-match": etag } : {}),
        timeout: { request: this.options.timeoutMs ?? 10_000 },
        retry: this.retry(),
        throwHttpErrors: false,
        hooks: { beforeRetry: [() => void this.calls++] },
      });
      this.noteBudget(response.statusCode, response.headers);
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

  /** The newest published, non-draft, non-prerelease release of a repository; undefined when it has none (404). */
  async latestRelease(owner: string, repo: string): Promise<Release | undefined> {
    const { default: got } = await import("got");
    const what = `${owner}/${repo}`;
    this.checkBudget(`the latest release of ${what}`);
    this.calls++;
    const response: Response = await got(`${this.options.baseUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/releases/latest`, {
      headers: await this.headers(),
      timeout: { request: this.options.timeoutMs ?? 10_000 },
      retry: this.retry(),
      throwHttpErrors: false,
      hooks: { beforeRetry: [() => void this.calls++] },
    });
    this.noteBudget(response.statusCode, response.headers);
    if (response.statusCode === 404) return undefined;
    if (response.statusCode === 403 || response.statusCode === 429) {
      throw new RateLimitedError("github", retryAtFrom(response.headers, Date.now()), `HTTP ${response.statusCode} for the latest release of ${what}`);
    }
    if (response.statusCode !== 200) throw new Error(`github: HTTP ${response.statusCode} reading the latest release of ${what}`);
    return JSON.parse(response.body) as Release;
  }

  /**
   * The release's source tarball as a stream (redirects followed: the API hands the download to
   * codeload.github.com), once its 200 arrived; nothing is buffered, the caller consumes the body.
   * Not retried: a failed download fails the call, and the next run tries again.
   */
  async tarball(release: Pick<Release, "tarball_url" | "tag_name">): Promise<Readable> {
    const { default: got } = await import("got");
    const timeout = this.options.timeoutMs ?? 10_000;
    this.checkBudget(`the tarball of ${release.tag_name}`);
    this.calls++;
    const stream = got.stream(release.tarball_url, {
      headers: await this.headers(),
      // got drops the Authorization header itself when a redirect leaves the API's host.
      followRedirect: true,
      decompress: false,
      timeout: { response: timeout, socket: Math.max(timeout, 30_000) },
      retry: { limit: 0 },
      throwHttpErrors: false,
    });
    const response = await new Promise<{ statusCode: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
      stream.once("response", resolve);
      stream.once("error", reject);
    });
    this.noteBudget(response.statusCode, response.headers);
    if (response.statusCode === 200) return stream;
    stream.destroy();
    if (response.statusCode === 403 || response.statusCode === 429) {
      throw new RateLimitedError("github", retryAtFrom(response.headers, Date.now()), `HTTP ${response.statusCode} downloading ${release.tag_name}`);
    }
    throw new Error(`github: HTTP ${response.statusCode} downloading the tarball of ${release.tag_name}`);
  }
}
