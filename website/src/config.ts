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
  /**
   * Sign-in for the Events pages: the Cognito hosted UI's base URL (`https://x.auth.<region>.amazoncognito.com`,
   * or local mode's stand-in `http://127.0.0.1:<port>`) and the public app client's id. Without it
   * the Events pages show public events only.
   */
  auth?: { domain: string; clientId: string };
  /**
   * Where event covers and videos are served from and uploaded to (presigned S3 URLs): the media
   * bucket's origin (`https://<bucket>.s3.<region>.amazonaws.com`; s3rver's in local mode). The CSP
   * allows it for img-src, media-src and connect-src (the browser PUTs uploads there).
   */
  mediaOrigin?: string;
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
  const { apiUrl, liveUrl, dashboardUrl, auth, mediaOrigin } = json as Record<string, unknown>;
  if (!isUrl(apiUrl, ["http:", "https:"])) throw new Error("config.json: apiUrl must be an http(s) URL");
  if (liveUrl !== undefined && liveUrl !== null && !isUrl(liveUrl, ["ws:", "wss:"])) throw new Error("config.json: liveUrl must be a ws(s) URL");
  if (dashboardUrl !== undefined && dashboardUrl !== null && !isUrl(dashboardUrl, ["https:", "http:"])) throw new Error("config.json: dashboardUrl must be an http(s) URL");
  const config: SiteConfig = { apiUrl: apiUrl.replace(/\/+$/, "") };
  if (typeof liveUrl === "string") config.liveUrl = liveUrl;
  if (typeof dashboardUrl === "string") config.dashboardUrl = dashboardUrl;
  if (auth !== undefined && auth !== null) {
    const { domain, clientId } = auth as Record<string, unknown>;
    if (typeof auth !== "object" || Array.isArray(auth) || !isUrl(domain, ["https:", "http:"])) throw new Error("config.json: auth.domain must be an http(s) URL");
    if (typeof clientId !== "string" || !clientId) throw new Error("config.json: auth.clientId must be a non-empty string");
    config.auth = { domain: domain.replace(/\/+$/, ""), clientId };
  }
  if (mediaOrigin !== undefined && mediaOrigin !== null) {
    if (!isUrl(mediaOrigin, ["https:", "http:"])) throw new Error("config.json: mediaOrigin must be an http(s) URL");
    config.mediaOrigin = originOf(mediaOrigin);
  }
  return config;
}

const originOf = (url: string) => {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
};

/**
 * The Content-Security-Policy the site is served with: its own scripts and styles only, and
 * connections only to itself, the API, the live endpoint, the sign-in domain (the token endpoint)
 * and the media origin (presigned uploads); images and video from itself and the media origin, and
 * video also from the API (a stream's playlists) and blob: (hls.js's MediaSource).
 * The page builds its DOM with textContent, never innerHTML, and has no inline script or style,
 * so nothing else is needed. Sign-in and sign-out are top-level navigations, which CSP leaves alone.
 */
export function siteContentSecurityPolicy(config: SiteConfig): string {
  const media = config.mediaOrigin ? [originOf(config.mediaOrigin)] : [];
  const connect = ["'self'", originOf(config.apiUrl), ...(config.liveUrl ? [originOf(config.liveUrl)] : []), ...(config.auth ? [originOf(config.auth.domain)] : []), ...media];
  return [
    "default-src 'self'",
    `connect-src ${[...new Set(connect)].join(" ")}`,
    "script-src 'self'",
    "style-src 'self'",
    ["img-src 'self' data:", ...media].join(" "),
    // Video: blob: is hls.js's MediaSource; the API serves the stream's playlists (native HLS plays them directly).
    [...new Set(["media-src 'self'", "blob:", originOf(config.apiUrl), ...media])].join(" "),
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}
