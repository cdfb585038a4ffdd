import type { SecretProvider } from "../shared/secret";
import { RateLimitedError, retryAtFrom } from "./rate-limit";

/** A badge class as Badgr lists it (the fields the sync reads; the rest is kept as it comes). */
export interface BadgrBadgeClass {
  entityId: string;
  issuer: string;
  name: string;
  [field: string]: unknown;
}

/** An assertion (an awarded badge) as Badgr lists it. */
export interface BadgrAssertion {
  entityId: string;
  badgeclass: string;
  issuer: string;
  issuedOn: string;
  revoked: boolean;
  revocationReason: string | null;
  expires: string | null;
  [field: string]: unknown;
}

export interface BadgrClientOptions {
  /** `https://api.badgr.io`, a regional host (`https://api.eu.badgr.io`, …), or a stand-in's URL. */
  baseUrl: string;
  username: string;
  /** The account's password (or a secret provider, resolved when a token is needed). */
  password: string | SecretProvider;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Assertions per page (`num`, 1..500). Default 500. */
  pageSize?: number;
  /** Longest wait between retries of a 5xx. Default 2000. */
  maxRetryDelayMs?: number;
}

type Response = { statusCode: number; headers: Record<string, string | string[] | undefined>; body: string };

/** Renews a token this long before Badgr says it expires. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * The slice of Badgr (Canvas Credentials) the skills job reads, with got: an access token by the
 * password grant (a form body, as Badgr requires), an issuer's badge classes and every one of its
 * assertions (revoked and expired included), following `Link: rel="next"`.
 */
export class BadgrClient {
  constructor(private readonly options: BadgrClientOptions) {}

  /** Counts every HTTP request made. */
  calls = 0;
  private token?: { value: string; expiresAt: number };

  badgeClasses(issuer: string): Promise<BadgrBadgeClass[]> {
    return this.list<BadgrBadgeClass>(`/v2/issuers/${encodeURIComponent(issuer)}/badgeclasses`);
  }

  assertions(issuer: string): Promise<BadgrAssertion[]> {
    const num = this.options.pageSize ?? 500;
    return this.list<BadgrAssertion>(`/v2/issuers/${encodeURIComponent(issuer)}/assertions?include_revoked=true&include_expired=true&num=${num}`);
  }

  /** Every item of a listing, page after page. */
  private async list<T>(path: string): Promise<T[]> {
    const { parseLinkHeader } = await import("got");
    const items: T[] = [];
    const what = path.split("?")[0]!;
    let url: string | undefined = `${this.options.baseUrl}${path}`;
    while (url) {
      const response = await this.authorizedGet(url);
      if (response.statusCode === 429) throw new RateLimitedError("badgr", retryAtFrom(response.headers, Date.now(), 60_000), `HTTP 429 on GET ${what}`);
      const body = parse(response.body) as { status?: { success?: boolean; description?: string }; result?: T[] } | undefined;
      if (response.statusCode !== 200 || body?.status?.success === false || !Array.isArray(body?.result)) {
        const detail = body?.status?.description;
        throw new Error(`badgr: HTTP ${response.statusCode} on GET ${what}${detail ? ` (${detail})` : ""}`);
      }
      items.push(...body.result);
      const link = response.headers.link as string | undefined;
      const next = link ? parseLinkHeader(link).find((l) => l.parameters.rel === '"next"' || l.parameters.rel === "next")?.reference : undefined;
      url = next ? new URL(next, this.options.baseUrl).href : undefined;
    }
    return items;
  }

  /** A GET with the current token; a 401 (the token expired or was revoked) gets one new token and one retry. */
  private async authorizedGet(url: string): Promise<Response> {
    const { default: got } = await import("got");
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      this.calls++;
      const response: Response = await got(url, {
        headers: { authorization: `Bearer ${token}`, accept: "application/json", "user-agent": "switchyard-scheduled-sync" },
        timeout: { request: this.options.timeoutMs ?? 10_000 },
        retry: { limit: 2, statusCodes: [500, 502, 503, 504], methods: ["GET"], calculateDelay: ({ computedValue }) => (computedValue ? Math.min(computedValue, this.options.maxRetryDelayMs ?? 2000) : 0) },
        throwHttpErrors: false,
        hooks: { beforeRetry: [() => void this.calls++] },
      });
      if (response.statusCode !== 401 || attempt > 0) return response;
      this.token = undefined;
    }
  }

  /** A token from the password grant, reused until shortly before it expires. */
  private async accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value;
    const { default: got } = await import("got");
    const password = typeof this.options.password === "function" ? await this.options.password() : this.options.password;
    this.calls++;
    // Badgr refuses credentials in the query string: a form body only.
    const response: Response = await got.post(`${this.options.baseUrl}/o/token`, {
      form: { grant_type: "password", username: this.options.username, password, client_id: "public", scope: "rw:issuer" },
      headers: { accept: "application/json", "user-agent": "switchyard-scheduled-sync" },
      timeout: { request: this.options.timeoutMs ?? 10_000 },
      retry: { limit: 0 },
      throwHttpErrors: false,
    });
    const body = parse(response.body) as { access_token?: string; expires_in?: number; error?: string; error_description?: string } | undefined;
    if (response.statusCode === 429) throw new RateLimitedError("badgr", retryAtFrom(response.headers, Date.now(), 60_000), "HTTP 429 on POST /o/token");
    if (response.statusCode !== 200 || !body?.access_token) {
      const detail = [body?.error, body?.error_description].filter(Boolean).join(": ");
      throw new Error(`badgr: token request refused: HTTP ${response.statusCode}${detail ? ` (${detail})` : ""}`);
    }
    const lifetimeMs = (body.expires_in ?? 86_400) * 1000;
    this.token = { value: body.access_token, expiresAt: Date.now() + Math.max(lifetimeMs - EXPIRY_MARGIN_MS, lifetimeMs / 2) };
    return this.token.value;
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
