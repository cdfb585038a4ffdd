// Local stand-in for an API Gateway HTTP API JWT authorizer (identity source
// `$request.header.Authorization`), following the checks AWS documents for it
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html):
// the token alone or after `Bearer `; an RS256 signature by the JWKS key named by the header's
// `kid`; `iss` equal to the issuer; `aud` — or `client_id` when there is no `aud` — one of the
// audiences; `exp` in the future; `nbf` and `iat` not in the future; and, for a route with
// authorization scopes, at least one of them in `scope` (or `scp`). Failing any of these is a
// 401 `{"message":"Unauthorized"}`; a valid token without the route's scope is a 403
// `{"message":"Forbidden"}`. The integration then gets `requestContext.authorizer.jwt`, with
// claims stringified as API Gateway sends them in payload format 2.0.

export type JwtClaimValue = string | number | boolean | string[];

/** What a valid token yields: its claims (as in the token) and its scopes (`scope` or `scp`). */
export interface JwtAuthorization {
  claims: Record<string, JwtClaimValue>;
  scopes: string[];
}

export type RequestHeaders = Record<string, string | string[] | undefined>;

/** Resolves the token's claims and scopes; resolves null when there is no token, throws `JwtUnauthorizedError` for a bad one. */
export type JwtAuthorize = (headers: RequestHeaders) => Promise<JwtAuthorization | null>;

export interface JwtAuthorizerOptions {
  /** Must equal the token's `iss`: `https://cognito-idp.<region>.amazonaws.com/<poolId>` in the cloud. */
  issuer: string;
  /** The app client ids: a token's `aud` (ID token) or `client_id` (access token) must be one of them. */
  audience: string[];
  jwksUrl: string;
  /** Leeway for `nbf` and `iat` against this machine's clock. Default 5 seconds. */
  clockSkewSeconds?: number;
  /** The clock, epoch milliseconds. Default Date.now. */
  now?: () => number;
}

/** A token that fails validation; `description` is what API Gateway puts in `www-authenticate`. */
export class JwtUnauthorizedError extends Error {
  constructor(readonly description: string) {
    super(description);
    this.name = "JwtUnauthorizedError";
  }
}

/** `requestContext.authorizer` of a payload-2.0 event for a route behind a JWT authorizer. */
export interface JwtAuthorizerContext {
  jwt: {
    /** Every claim as a string: numbers and booleans as text, arrays as `[a b]`. */
    claims: Record<string, string>;
    /** The token's scopes when the route has authorization scopes; null when it has none. */
    scopes: string[] | null;
  };
}

/** The token of an Authorization header: the whole value, or what follows `Bearer `. */
export function tokenFromHeaders(headers: RequestHeaders): string | undefined {
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === "authorization")?.[1];
  const value = (Array.isArray(entry) ? entry[0] : entry)?.trim();
  if (!value) return undefined;
  if (/^Bearer$/i.test(value)) return undefined;
  const token = /^Bearer\s+(.*)$/i.exec(value)?.[1]?.trim() ?? value;
  return token || undefined;
}

function normalizeClaims(payload: Record<string, unknown>): Record<string, JwtClaimValue> {
  const claims: Record<string, JwtClaimValue> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === null || value === undefined) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") claims[name] = value;
    else if (Array.isArray(value)) claims[name] = value.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
    else claims[name] = JSON.stringify(value);
  }
  return claims;
}

function scopesOf(claims: Record<string, JwtClaimValue>): string[] {
  const raw = claims.scope ?? claims.scp;
  if (Array.isArray(raw)) return raw;
  return typeof raw === "string" ? raw.split(" ").filter(Boolean) : [];
}

/** True when the route needs no scope, or the token has at least one of the route's scopes. */
export function hasRequiredScope(authorization: JwtAuthorization, routeScopes: string[] | undefined): boolean {
  return !routeScopes?.length || routeScopes.some((scope) => authorization.scopes.includes(scope));
}

/** A claim as API Gateway passes it to the integration in payload 2.0: text, arrays as `[a b]`. */
export function stringifyClaim(value: JwtClaimValue): string {
  return Array.isArray(value) ? `[${value.join(" ")}]` : String(value);
}

/** `requestContext.authorizer` for an authorized request on a route with `routeScopes`. */
export function toAuthorizerContext(authorization: JwtAuthorization, routeScopes?: string[]): JwtAuthorizerContext {
  const claims = Object.fromEntries(Object.entries(authorization.claims).map(([name, value]) => [name, stringifyClaim(value)]));
  return { jwt: { claims, scopes: routeScopes?.length ? [...authorization.scopes] : null } };
}

const loadJose = () => import("jose");
type Jose = Awaited<ReturnType<typeof loadJose>>;

export function createJwtAuthorizer(options: JwtAuthorizerOptions): JwtAuthorize {
  const skew = options.clockSkewSeconds ?? 5;
  const now = options.now ?? Date.now;
  const audience = new Set(options.audience);
  // jose is ESM-only: loaded on first use. The key set is fetched once, and again for a kid it
  // does not know (API Gateway caches keys up to two hours; a local restart makes a new key).
  let keySet: Promise<{ jose: Jose; jwks: ReturnType<Jose["createRemoteJWKSet"]> }> | undefined;
  const loadKeySet = () =>
    (keySet ??= loadJose().then((jose) => ({ jose, jwks: jose.createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 1000, timeoutDuration: 5000 }) })));

  return async (headers) => {
    const token = tokenFromHeaders(headers);
    if (!token) return null;
    const { jose, jwks } = await loadKeySet();
    let header: { kid?: string; alg?: string };
    try {
      header = jose.decodeProtectedHeader(token);
    } catch {
      throw new JwtUnauthorizedError("the token could not be decoded");
    }
    if (header.alg !== "RS256") throw new JwtUnauthorizedError(`the token's algorithm ${header.alg ?? "(none)"} is not supported`);
    if (!header.kid) throw new JwtUnauthorizedError("the token has no kid");
    let payload: Record<string, unknown>;
    try {
      const verified = await jose.compactVerify(token, jwks, { algorithms: ["RS256"] });
      payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "ERR_JWKS_NO_MATCHING_KEY") throw new JwtUnauthorizedError("the token's kid matches no key of the issuer");
      if (code === "ERR_JWKS_TIMEOUT" || code === "ERR_JOSE_GENERIC" || error instanceof TypeError) {
        throw new JwtUnauthorizedError(`the issuer's keys could not be fetched from ${options.jwksUrl}`);
      }
      throw new JwtUnauthorizedError("the token's signature is not valid");
    }
    if (!payload || typeof payload !== "object" || Array.isArray(payload)) throw new JwtUnauthorizedError("the token's payload is not a JSON object");

    const seconds = now() / 1000;
    if (payload.iss !== options.issuer) throw new JwtUnauthorizedError("the token does not have a valid issuer");
    const aud = payload.aud;
    if (aud !== undefined) {
      const values = Array.isArray(aud) ? aud : [aud];
      if (!values.some((v) => typeof v === "string" && audience.has(v))) throw new JwtUnauthorizedError("the token does not have a valid audience");
    } else if (typeof payload.client_id !== "string" || !audience.has(payload.client_id)) {
      throw new JwtUnauthorizedError("the token does not have a valid audience");
    }
    if (typeof payload.exp !== "number" || payload.exp <= seconds) throw new JwtUnauthorizedError("the token has expired");
    if (payload.nbf !== undefined && (typeof payload.nbf !== "number" || payload.nbf > seconds + skew)) throw new JwtUnauthorizedError("the token is not valid yet");
    if (payload.iat !== undefined && (typeof payload.iat !== "number" || payload.iat > seconds + skew)) throw new JwtUnauthorizedError("the token was issued in the future");

    const claims = normalizeClaims(payload);
    return { claims, scopes: scopesOf(claims) };
  };
}
