/**
 * The website's `config.json`: where the API is. Generated at deploy time from the stack's outputs
 * (and by local mode from its own addresses); the build never contains an address. This module is
 * plain TypeScript with no DOM or Node types, so the Pulumi program and local mode can import it.
 */
export interface SiteConfig {
  /** The HTTP API's base URL, e.g. `https://abc123.execute-api.us-east-1.amazonaws.com`. */
  apiUrl: string;
  /** The live WebSocket URL (`wss://…`), when the stack has one. */
  liveUrl?: string;
  /** The CloudWatch dashboard, when the stack has one. */
  dashboardUrl?: string;
}

const isUrl = (value: unknown, schemes: string[]): value is string => {
  if (typeof value !== "string") return false;
  try {
    return schemes.includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

/** Checks `config.json`'s shape; throws an Error naming the bad field. Trailing slashes are dropped. */
export function parseSiteConfig(json: unknown): SiteConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error("config.json is not a JSON object");
  const { apiUrl, liveUrl, dashboardUrl } = json as Record<string, unknown>;
  if (!isUrl(apiUrl, ["http:", "https:"])) throw new Error("config.json: apiUrl must be an http(s) URL");
  if (liveUrl !== undefined && liveUrl !== null && !isUrl(liveUrl, ["ws:", "wss:"])) throw new Error("config.json: liveUrl must be a ws(s) URL");
  if (dashboardUrl !== undefined && dashboardUrl !== null && !isUrl(dashboardUrl, ["https:", "http:"])) throw new Error("config.json: dashboardUrl must be an http(s) URL");
  const config: SiteConfig = { apiUrl: apiUrl.replace(/\/+$/, "") };
  if (typeof liveUrl === "string") config.liveUrl = liveUrl;
  if (typeof dashboardUrl === "string") config.dashboardUrl = dashboardUrl;
  return config;
}

/**
 * The Content-Security-Policy the site is served with: its own scripts and styles only, and
 * connections only to itself, the API and the live endpoint. The page builds its DOM with
 * textContent, never innerHTML, and has no inline script or style, so nothing else is needed.
 */
export function siteContentSecurityPolicy(config: SiteConfig): string {
  const origin = (url: string) => {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  };
  const connect = ["'self'", origin(config.apiUrl), ...(config.liveUrl ? [origin(config.liveUrl)] : [])];
  return [
    "default-src 'self'",
    `connect-src ${[...new Set(connect)].join(" ")}`,
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}
