// LOCAL MODE ONLY. A stand-in for the Cognito hosted UI and user pool, for one public app client:
// the OAuth 2.0 authorization-code flow with PKCE (S256) at /oauth2/authorize and /oauth2/token,
// refresh tokens, /logout, and the OIDC discovery document and JWKS, so the website runs the same
// sign-in code against it as against Cognito. There are no passwords: whoever types an email is
// signed in as that email. Tokens are RS256 JWTs shaped like Cognito's, signed with a key pair
// made at start (a restart invalidates earlier tokens); `sub` is derived from the email, so the
// same email is the same user across restarts. `POST /_local/token {"email"}` hands out tokens
// directly for curl and tests. Only loopback redirect and logout URLs are accepted.
//
// Federated sign-in (issue #18): the page also offers "Continue with Google / Apple / Facebook"
// (the typed email stands for the account at that provider). Tokens then look like those of the
// stack's user pool after its account-linking trigger (handlers/events/link-accounts.ts) ran:
// Google and Apple verify the address, so they are linked to the organizer with that email — the
// same `sub` and `cognito:username` as an email sign-in, and an `identities` claim (a JSON string
// array, as Cognito puts it) naming every provider linked so far; Facebook does not verify it, so
// a Facebook sign-in is a user of its own, `cognito:username` `facebook_<id>`.
import { createHash, generateKeyPair, randomBytes, randomUUID, sign, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readBody } from "../emulators/read-body";
import { SIGN_IN_PROVIDERS, SIGN_IN_PROVIDER_KEYS, type SignInProviderKey } from "../../handlers/events/sign-in-providers";

export interface LocalSignInOptions {
  port?: number;
  /** Loopback address to listen on. Default 127.0.0.1. */
  host?: string;
  /** The one app client this user pool knows (public: no secret). */
  clientId: string;
  /** Lifetime of ID and access tokens. Default 3600 (Cognito's default). */
  tokenLifetimeSeconds?: number;
  /** The clock, in epoch milliseconds (tests move it to expire codes). Default Date.now. */
  now?: () => number;
}

export interface TokenSet {
  id_token?: string;
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  token_type: "Bearer";
}

export interface LocalSignIn {
  /** Base URL: the hosted UI (`/oauth2/authorize`, `/oauth2/token`, `/logout`). */
  url: string;
  /** The `iss` of every token, as a user pool's `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  issuer: string;
  clientId: string;
  /** `<issuer>/.well-known/jwks.json` */
  jwksUrl: string;
  /** Signs `email` in without the browser flow (through `provider` when given): an ID token and an access token (scopes openid email profile). */
  issue(email: string, provider?: SignInProviderKey): Promise<{ idToken: string; accessToken: string }>;
  close(): Promise<void>;
}

/** The scopes this app client may ask for; the access token carries the requested ones. */
const ALLOWED_SCOPES = ["openid", "email", "profile"];
const CODE_LIFETIME_MS = 5 * 60 * 1000;
const MAX_BODY = 64 * 1024;
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
/** Fixed namespace for the name-based (UUIDv5, RFC 9562) `sub` of an email. */
const SUB_NAMESPACE = "3f1c2b7e-8a52-4d0e-9a4e-5b7c1d2e3f40";

/** The stable user id of an email: a UUIDv5 of the lower-cased, trimmed email in a fixed namespace. */
export function subjectForEmail(email: string): string {
  const hash = createHash("sha1")
    .update(Buffer.from(SUB_NAMESPACE.replace(/-/g, ""), "hex"))
    .update(email.trim().toLowerCase(), "utf8")
    .digest()
    .subarray(0, 16);
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The user id a provider gives the account with this email (stable, shaped like the provider's: Google's 21 digits, Apple's `000123.<hex>.1234`, Facebook's 16 digits). */
export function providerUserId(provider: SignInProviderKey, email: string): string {
  const hash = createHash("sha256").update(`${provider}:${email.trim().toLowerCase()}`).digest();
  const digits = (n: number) => [...hash].map((b) => String(b % 10)).join("").slice(0, n);
  if (provider === "apple") return `000${digits(3)}.${hash.toString("hex").slice(0, 32)}.${digits(4)}`;
  return provider === "google" ? `1${digits(20)}` : `1${digits(15)}`;
}

/** `base64url(sha256(verifier))`: the S256 code challenge (RFC 7636 §4.2). */
export const s256 = (verifier: string) => createHash("sha256").update(verifier, "ascii").digest("base64url");

/** True for an http(s) URL on localhost, 127.0.0.1 or [::1]: the only redirect targets local mode accepts. */
function isLoopbackUrl(value: string | undefined): boolean {
  if (!value) return false;
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && LOOPBACK_HOSTS.has(url.hostname) && !url.username && !url.password;
  } catch {
    return false;
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

interface AuthorizeParams {
  client_id: string;
  redirect_uri: string;
  state?: string;
  scope: string[];
  code_challenge: string;
}

interface PendingCode {
  email: string;
  provider?: SignInProviderKey;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string[];
  authTime: number;
  expiresAt: number;
}

interface RefreshGrant {
  email: string;
  provider?: SignInProviderKey;
  clientId: string;
  scope: string[];
  authTime: number;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

const text = (status: number, message: string): Reply => ({ status, headers: { "content-type": "text/plain; charset=utf-8" }, body: `${message}\n` });
const jsonReply = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache", ...headers },
  body: JSON.stringify(body),
});
/** RFC 6749 §5.2 error response. */
const oauthError = (status: number, error: string, description: string) => jsonReply(status, { error, error_description: description });
const redirect = (location: string): Reply => ({ status: 302, headers: { location, "cache-control": "no-store" } });

/** Checks the authorize request's parameters; a string is the reason they are bad. */
function authorizeParams(params: URLSearchParams, clientId: string): AuthorizeParams | string {
  const get = (name: string) => params.get(name) ?? undefined;
  if (get("client_id") !== clientId) return `Unknown client_id "${get("client_id") ?? ""}": this stand-in knows only "${clientId}".`;
  if (get("response_type") !== "code") return 'response_type must be "code" (the authorization code flow).';
  const redirectUri = get("redirect_uri");
  if (!isLoopbackUrl(redirectUri)) return "redirect_uri must be an http(s) URL on localhost or 127.0.0.1 (local mode only).";
  const challenge = get("code_challenge");
  if (!challenge || !PKCE_VALUE.test(challenge)) return "code_challenge is required (PKCE): base64url of the SHA-256 of the code_verifier.";
  if (get("code_challenge_method") !== "S256") return 'code_challenge_method must be "S256".';
  const requested = (get("scope") ?? ALLOWED_SCOPES.join(" ")).split(" ").filter(Boolean);
  const unknown = requested.filter((s) => !ALLOWED_SCOPES.includes(s));
  if (unknown.length) return `Unknown scope(s): ${unknown.join(", ")}. This app client allows: ${ALLOWED_SCOPES.join(" ")}.`;
  const result: AuthorizeParams = { client_id: clientId, redirect_uri: redirectUri!, scope: [...new Set(requested)], code_challenge: challenge };
  const state = get("state");
  if (state !== undefined) result.state = state;
  return result;
}

/** The provider a form or token request names (`provider=Google`), undefined for an email sign-in, or an error. */
function providerOf(value: string | null | undefined): SignInProviderKey | undefined | { error: string } {
  if (!value) return undefined;
  const key = SIGN_IN_PROVIDER_KEYS.find((k) => SIGN_IN_PROVIDERS[k].providerName === value);
  return key ?? { error: `Unknown provider "${value}": this stand-in offers ${SIGN_IN_PROVIDER_KEYS.map((k) => SIGN_IN_PROVIDERS[k].providerName).join(", ")}.` };
}

function signInPage(params: URLSearchParams, error?: string, email = ""): string {
  const hidden = ["response_type", "client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method"]
    .filter((name) => params.has(name))
    .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params.get(name)!)}">`)
    .join("\n      ");
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sign in (local stand-in)</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 26rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; background: #fff; }
    .note { border: 2px solid #8a5a00; background: #fff6e0; padding: .5rem .75rem; border-radius: 4px; }
    label { display: block; font-weight: 600; margin-top: 1rem; }
    input[type=email] { width: 100%; box-sizing: border-box; font: inherit; padding: .5rem; border: 1px solid #555; border-radius: 4px; }
    button { margin-top: 1rem; font: inherit; padding: .5rem 1rem; border: 0; border-radius: 4px; background: #0b57d0; color: #fff; cursor: pointer; }
    :focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
    .error { color: #a50e0e; font-weight: 600; }
    .providers { margin-top: 1.5rem; border-top: 1px solid #ccc; padding-top: .5rem; }
    .providers button { display: block; width: 100%; background: #fff; color: #1a1a1a; border: 1px solid #555; }
  </style>
</head>
<body>
  <main>
    <h1>Sign in</h1>
    <p class="note" role="note">Local sign-in stand-in — local mode only, no password. Any email signs you in as that user; with a provider's button, as that provider's account for it.</p>
    ${error ? `<p class="error" role="alert" id="email-error">${escapeHtml(error)}</p>` : ""}
    <form method="post" action="/oauth2/authorize">
      ${hidden}
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="email" required autofocus value="${escapeHtml(email)}"${error ? ' aria-invalid="true" aria-describedby="email-error"' : ""}>
      <button type="submit">Sign in</button>
      <div class="providers" role="group" aria-label="Or continue with a provider">
        ${SIGN_IN_PROVIDER_KEYS.map((k) => `<button type="submit" name="provider" value="${SIGN_IN_PROVIDERS[k].providerName}">Continue with ${SIGN_IN_PROVIDERS[k].label}</button>`).join("\n        ")}
      </div>
    </form>
  </main>
</body>
</html>
`;
}

function html(status: number, body: string): Reply {
  return {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      // No form-action: Chrome would apply it to the redirect that follows the form post.
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      "x-content-type-options": "nosniff",
    },
    body,
  };
}

/** The origin of a loopback page calling us with fetch, which CORS lets read the answer. */
function corsFor(origin: string | undefined): Record<string, string> {
  if (!origin || !isLoopbackUrl(origin)) return {};
  return { "access-control-allow-origin": origin, vary: "origin" };
}

function formParams(req: IncomingMessage, raw: Buffer): URLSearchParams | undefined {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  return type === "application/x-www-form-urlencoded" ? new URLSearchParams(raw.toString("utf8")) : undefined;
}

/** client_id from the body, or from HTTP Basic auth (`client_id:` with an empty secret), as Cognito accepts. */
function clientIdOf(req: IncomingMessage, form: URLSearchParams): string | undefined {
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
  if (basic) return Buffer.from(basic, "base64").toString("utf8").split(":")[0];
  return form.get("client_id") ?? undefined;
}

export async function startLocalSignIn(options: LocalSignInOptions): Promise<LocalSignIn> {
  const host = options.host ?? "127.0.0.1";
  const clientId = options.clientId;
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const now = options.now ?? Date.now;
  const { privateKey, publicKey } = await new Promise<{ privateKey: KeyObject; publicKey: KeyObject }>((resolve, reject) =>
    generateKeyPair("rsa", { modulusLength: 2048 }, (error, pub, priv) => (error ? reject(error) : resolve({ publicKey: pub, privateKey: priv }))),
  );
  const kid = randomBytes(16).toString("base64url");
  const jwks = { keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" }] };
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, RefreshGrant>();
  let issuer = "";
  /** The provider identities linked to each organizer (by `sub`), in the order they first signed in: the `identities` claim. */
  const linked = new Map<string, { provider: SignInProviderKey; userId: string; dateCreated: number }[]>();

  /** Who signs in: the organizer of the email, or (a provider that does not link by email) the provider's own user. */
  function userOf(email: string, provider: SignInProviderKey | undefined): { sub: string; username: string; emailVerified: boolean; identities?: string } {
    const normalized = email.trim().toLowerCase();
    if (!provider) return { sub: subjectForEmail(normalized), username: subjectForEmail(normalized), emailVerified: true, ...identitiesOf(subjectForEmail(normalized)) };
    const { providerName, linksByEmail } = SIGN_IN_PROVIDERS[provider];
    const userId = providerUserId(provider, normalized);
    const identity = { provider, userId, dateCreated: now() };
    // Unlinked: a user of its own, named as Cognito names federated users.
    const username = `${providerName.toLowerCase()}_${userId}`;
    const sub = linksByEmail ? subjectForEmail(normalized) : subjectForEmail(username);
    const identities = linked.get(sub) ?? [];
    if (!identities.some((i) => i.provider === provider && i.userId === userId)) linked.set(sub, [...identities, identity]);
    return { sub, username: linksByEmail ? sub : username, emailVerified: linksByEmail, ...identitiesOf(sub) };
  }

  /** Cognito's `identities` claim: a JSON string of the linked identities; absent for a user with none. */
  function identitiesOf(sub: string): { identities?: string } {
    const identities = linked.get(sub);
    if (!identities?.length) return {};
    return {
      identities: JSON.stringify(
        identities.map((i, n) => ({ userId: i.userId, providerName: SIGN_IN_PROVIDERS[i.provider].providerName, providerType: SIGN_IN_PROVIDERS[i.provider].providerName, issuer: null, primary: String(n === 0), dateCreated: String(i.dateCreated) })),
      ),
    };
  }

  function jwt(payload: Record<string, unknown>): string {
    const header = Buffer.from(JSON.stringify({ kid, alg: "RS256", typ: "JWT" })).toString("base64url");
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    const signature = sign("sha256", Buffer.from(`${header}.${body}`), privateKey).toString("base64url");
    return `${header}.${body}.${signature}`;
  }

  /** ID and access tokens as Cognito shapes them. The ID token only when `openid` was granted, as Cognito does. */
  function tokens(email: string, scope: string[], authTime: number, provider?: SignInProviderKey): { idToken?: string; accessToken: string } {
    const { sub, username, emailVerified, identities } = userOf(email, provider);
    const iat = Math.floor(now() / 1000);
    const exp = iat + lifetime;
    const accessToken = jwt({ sub, iss: issuer, client_id: clientId, token_use: "access", scope: scope.join(" "), auth_time: authTime, iat, exp, jti: randomUUID(), username });
    if (!scope.includes("openid")) return { accessToken };
    const idToken = jwt({
      sub,
      iss: issuer,
      aud: clientId,
      email: email.trim().toLowerCase(),
      email_verified: emailVerified,
      ...(identities ? { identities } : {}),
      token_use: "id",
      "cognito:username": username,
      auth_time: authTime,
      iat,
      exp,
      jti: randomUUID(),
    });
    return { idToken, accessToken };
  }

  function tokenSet(email: string, scope: string[], authTime: number, withRefresh: boolean, provider?: SignInProviderKey): TokenSet {
    const { idToken, accessToken } = tokens(email, scope, authTime, provider);
    let refreshToken: string | undefined;
    if (withRefresh) {
      refreshToken = randomBytes(48).toString("base64url");
      refreshTokens.set(refreshToken, { email, clientId, scope, authTime, ...(provider ? { provider } : {}) });
    }
    return {
      ...(idToken ? { id_token: idToken } : {}),
      access_token: accessToken,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      expires_in: lifetime,
      token_type: "Bearer",
    };
  }

  function token(req: IncomingMessage, raw: Buffer): Reply {
    const form = formParams(req, raw);
    if (!form) return oauthError(400, "invalid_request", "Send the token request as application/x-www-form-urlencoded.");
    const client = clientIdOf(req, form);
    if (!client) return oauthError(400, "invalid_request", "client_id is required.");
    if (client !== clientId) return oauthError(400, "invalid_client", `Unknown client_id "${client}".`);
    const grantType = form.get("grant_type");
    if (grantType === "authorization_code") {
      const code = form.get("code") ?? "";
      const pending = codes.get(code);
      // Single use: a code is gone once presented, whether the exchange succeeds or not.
      codes.delete(code);
      if (!pending) return oauthError(400, "invalid_grant", "The authorization code is unknown or was already used.");
      if (now() >= pending.expiresAt) return oauthError(400, "invalid_grant", "The authorization code has expired (codes live 5 minutes).");
      if (pending.clientId !== client) return oauthError(400, "invalid_grant", "The authorization code was issued to another client.");
      if (form.get("redirect_uri") !== pending.redirectUri) return oauthError(400, "invalid_grant", "redirect_uri does not match the one the code was issued for.");
      const verifier = form.get("code_verifier") ?? "";
      if (!PKCE_VALUE.test(verifier)) return oauthError(400, "invalid_request", "code_verifier is required: 43 to 128 characters of [A-Za-z0-9-._~].");
      if (s256(verifier) !== pending.codeChallenge) return oauthError(400, "invalid_grant", "code_verifier does not match the code_challenge (S256).");
      return jsonReply(200, tokenSet(pending.email, pending.scope, pending.authTime, true, pending.provider));
    }
    if (grantType === "refresh_token") {
      const grant = refreshTokens.get(form.get("refresh_token") ?? "");
      if (!grant || grant.clientId !== client) return oauthError(400, "invalid_grant", "The refresh token is unknown, revoked, or from another client.");
      // Cognito answers a refresh with new ID and access tokens and no new refresh token.
      return jsonReply(200, tokenSet(grant.email, grant.scope, grant.authTime, false, grant.provider));
    }
    return oauthError(400, "unsupported_grant_type", 'grant_type must be "authorization_code" or "refresh_token".');
  }

  function authorizePost(raw: Buffer, req: IncomingMessage): Reply {
    const form = formParams(req, raw);
    if (!form) return text(400, "Post the sign-in form as application/x-www-form-urlencoded.");
    const params = authorizeParams(form, clientId);
    if (typeof params === "string") return text(400, params);
    const email = (form.get("email") ?? "").trim();
    if (!EMAIL.test(email)) return html(400, signInPage(form, "Enter an email address, like ada@example.com.", email));
    const provider = providerOf(form.get("provider"));
    if (provider && typeof provider === "object") return html(400, signInPage(form, provider.error, email));
    const code = randomUUID();
    codes.set(code, {
      email,
      ...(provider ? { provider } : {}),
      clientId,
      redirectUri: params.redirect_uri,
      codeChallenge: params.code_challenge,
      scope: params.scope,
      authTime: Math.floor(now() / 1000),
      expiresAt: now() + CODE_LIFETIME_MS,
    });
    const target = new URL(params.redirect_uri);
    target.searchParams.set("code", code);
    if (params.state !== undefined) target.searchParams.set("state", params.state);
    return redirect(target.toString());
  }

  async function handle(req: IncomingMessage): Promise<Reply> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://sign-in");
    const raw = await readBody(req, MAX_BODY);
    if (raw === "too-large") return text(413, "Request body too large.");
    const route = `${method} ${url.pathname}`;
    switch (route) {
      case "GET /oauth2/authorize": {
        const params = authorizeParams(url.searchParams, clientId);
        if (typeof params === "string") return text(400, params);
        return html(200, signInPage(url.searchParams));
      }
      case "POST /oauth2/authorize":
        return authorizePost(raw, req);
      case "POST /oauth2/token":
        return token(req, raw);
      case "GET /logout": {
        const client = url.searchParams.get("client_id");
        if (client !== clientId) return text(400, `Unknown client_id "${client ?? ""}".`);
        const logoutUri = url.searchParams.get("logout_uri") ?? undefined;
        if (!isLoopbackUrl(logoutUri)) return text(400, "logout_uri must be an http(s) URL on localhost or 127.0.0.1 (local mode only).");
        return redirect(logoutUri!);
      }
      case "GET /.well-known/openid-configuration":
        return jsonReply(200, {
          issuer,
          authorization_endpoint: `${issuer}/oauth2/authorize`,
          token_endpoint: `${issuer}/oauth2/token`,
          end_session_endpoint: `${issuer}/logout`,
          jwks_uri: `${issuer}/.well-known/jwks.json`,
          response_types_supported: ["code"],
          grant_types_supported: ["authorization_code", "refresh_token"],
          code_challenge_methods_supported: ["S256"],
          scopes_supported: ALLOWED_SCOPES,
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          token_endpoint_auth_methods_supported: ["none", "client_secret_basic"],
        }, { "cache-control": "max-age=60" });
      case "GET /.well-known/jwks.json":
        return jsonReply(200, jwks, { "cache-control": "max-age=60" });
      case "POST /_local/token": {
        let body: { email?: unknown; provider?: unknown } = {};
        try {
          body = JSON.parse(raw.toString("utf8")) as typeof body;
        } catch {
          body = {};
        }
        const { email } = body;
        if (typeof email !== "string" || !EMAIL.test(email.trim())) return oauthError(400, "invalid_request", 'Send {"email": "ada@example.com"} as JSON (and "provider": "Google", "SignInWithApple" or "Facebook" to sign in through one).');
        const provider = providerOf(typeof body.provider === "string" ? body.provider : undefined);
        if (provider && typeof provider === "object") return oauthError(400, "invalid_request", provider.error);
        if (body.provider !== undefined && typeof body.provider !== "string") return oauthError(400, "invalid_request", "provider must be a string.");
        return jsonReply(200, tokenSet(email.trim(), ALLOWED_SCOPES, Math.floor(now() / 1000), true, provider));
      }
      default:
        return text(404, `Not found: ${route}. This is the local sign-in stand-in (local mode only).`);
    }
  }

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const cors = corsFor(req.headers.origin);
    let reply: Reply;
    try {
      if (req.method === "OPTIONS" && req.headers["access-control-request-method"]) {
        reply = {
          status: 204,
          headers: cors["access-control-allow-origin"]
            ? { ...cors, "access-control-allow-methods": "GET,POST,OPTIONS", "access-control-allow-headers": "authorization,content-type", "access-control-max-age": "600" }
            : {},
        };
      } else {
        reply = await handle(req);
      }
    } catch (error) {
      console.error("sign-in stand-in:", error);
      reply = text(500, "Internal error in the local sign-in stand-in.");
    }
    res.writeHead(reply.status, { ...cors, ...reply.headers }).end(reply.body);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  issuer = url;
  return {
    url,
    issuer,
    clientId,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    async issue(email: string, provider?: SignInProviderKey) {
      if (!EMAIL.test(email.trim())) throw new Error(`not an email address: ${email}`);
      const { idToken, accessToken } = tokens(email.trim(), ALLOWED_SCOPES, Math.floor(now() / 1000), provider);
      return { idToken: idToken!, accessToken };
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
