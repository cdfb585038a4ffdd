// The local sign-in stand-in (Cognito hosted UI + user pool, local mode only) driven over real
// HTTP as the website drives Cognito: authorize page → form post → redirect with a code → token
// exchange with PKCE, refresh, logout, CORS; its tokens checked with jose against its JWKS. Then
// the local JWT authorizer against the stand-in's tokens and against tokens a test key signs, and
// the local API server with a protected route.
import test from "ava";
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { startApiServer } from "../../local/emulators/api-server";
import { toApiGatewayEvent } from "../../local/emulators/api-gateway-event";
import { createJwtAuthorizer, JwtUnauthorizedError, toAuthorizerContext, type JwtAuthorize } from "../../local/emulators/jwt-authorizer";
import { startLocalSignIn, type LocalSignIn, type LocalSignInOptions } from "../../local/standins/sign-in";
import type { HttpEvent } from "../../handlers/shared/http";

const CLIENT_ID = "local-web-client";
const SITE = "http://127.0.0.1:3002";
const REDIRECT_URI = `${SITE}/auth/callback`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Teardown = { teardown(fn: () => unknown): void };

async function signIn(t: Teardown, options: Partial<LocalSignInOptions> = {}): Promise<LocalSignIn> {
  const si = await startLocalSignIn({ clientId: CLIENT_ID, ...options });
  t.teardown(() => si.close());
  return si;
}

/** A PKCE pair computed here, independently of the stand-in. */
function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

function authorizeUrl(si: LocalSignIn, overrides: Record<string, string | undefined> = {}, challenge = pkce().challenge): string {
  const params: Record<string, string | undefined> = {
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    state: "st-123",
    scope: "openid email profile",
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...overrides,
  };
  const url = new URL("/oauth2/authorize", si.url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

/** The hidden fields of the sign-in page's form, as a browser would submit them. */
function hiddenFields(html: string): Record<string, string> {
  const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  return Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, unescape(m[2]!)]));
}

/** Loads the authorize page, submits its form with `email`, and returns the redirect's code and state. */
async function codeFor(si: LocalSignIn, email: string, options: { challenge: string; scope?: string; redirectUri?: string; state?: string; provider?: string }) {
  const page = await fetch(authorizeUrl(si, { scope: options.scope, redirect_uri: options.redirectUri ?? REDIRECT_URI, state: options.state ?? "st-123" }, options.challenge));
  if (page.status !== 200) throw new Error(`authorize page: ${page.status} ${await page.text()}`);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const posted = await fetch(new URL(action!, si.url), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    // A provider's button submits the same form with its name=value, as a browser does.
    body: new URLSearchParams({ ...hiddenFields(html), email, ...(options.provider ? { provider: options.provider } : {}) }),
    redirect: "manual",
  });
  if (posted.status !== 302) throw new Error(`form post: ${posted.status} ${await posted.text()}`);
  const location = new URL(posted.headers.get("location")!);
  return { location, code: location.searchParams.get("code")!, state: location.searchParams.get("state") };
}

async function tokenRequest(si: LocalSignIn, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${si.url}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form),
  });
  return { response, body: (await response.json()) as Record<string, any> };
}

const exchange = (si: LocalSignIn, code: string, verifier: string, redirectUri = REDIRECT_URI) =>
  tokenRequest(si, { grant_type: "authorization_code", client_id: CLIENT_ID, code, redirect_uri: redirectUri, code_verifier: verifier });

async function signedInTokens(si: LocalSignIn, email = "Ada@Example.com") {
  const { verifier, challenge } = pkce();
  const { code } = await codeFor(si, email, { challenge });
  const { body } = await exchange(si, code, verifier);
  return body as { id_token: string; access_token: string; refresh_token: string };
}

const decode = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8")) as Record<string, any>;

// ---------------------------------------------------------------------------------------------
// The stand-in

test("the authorize page is a small accessible form that says it is a local-only stand-in", async (t) => {
  const si = await signIn(t);
  const response = await fetch(authorizeUrl(si));
  t.is(response.status, 200);
  t.regex(response.headers.get("content-type")!, /^text\/html/);
  const html = await response.text();
  t.regex(html, /<html lang="en">/);
  t.regex(html, /<label for="email">Email<\/label>/);
  t.regex(html, /<input id="email" name="email" type="email"[^>]*required/);
  t.regex(html, /<button type="submit">Sign in<\/button>/);
  t.true(html.includes("Local sign-in stand-in — local mode only, no password"));
  const url = authorizeUrl(si, { state: 'a"b<c>&' });
  const page = await (await fetch(url)).text();
  // The form carries every OAuth parameter back, escaped, exactly as it came.
  t.deepEqual(hiddenFields(page), Object.fromEntries(new URL(url).searchParams));
  t.false(page.includes('a"b<c>'));
});

test("the full code + PKCE flow yields tokens that verify against the JWKS and are shaped like Cognito's", async (t) => {
  const si = await signIn(t, { tokenLifetimeSeconds: 900 });
  const { verifier, challenge } = pkce();
  const { location, code, state } = await codeFor(si, "Ada@Example.com", { challenge, state: "xyz/ü" });
  t.is(`${location.origin}${location.pathname}`, REDIRECT_URI);
  t.is(state, "xyz/ü");
  t.truthy(code);

  const { response, body } = await exchange(si, code, verifier);
  t.is(response.status, 200);
  t.is(response.headers.get("content-type"), "application/json");
  t.is(response.headers.get("cache-control"), "no-store");
  t.deepEqual(Object.keys(body).sort(), ["access_token", "expires_in", "id_token", "refresh_token", "token_type"]);
  t.is(body.token_type, "Bearer");
  t.is(body.expires_in, 900);

  const jose = await import("jose");
  const jwks = jose.createRemoteJWKSet(new URL(si.jwksUrl));
  const id = await jose.jwtVerify(body.id_token, jwks, { issuer: si.issuer, audience: CLIENT_ID, algorithms: ["RS256"] });
  const access = await jose.jwtVerify(body.access_token, jwks, { issuer: si.issuer, algorithms: ["RS256"] });
  const published = (await (await fetch(si.jwksUrl)).json()) as { keys: { kid: string; alg: string; kty: string }[] };
  t.is(published.keys.length, 1);
  t.is(id.protectedHeader.kid, published.keys[0]!.kid);
  t.is(access.protectedHeader.kid, published.keys[0]!.kid);
  t.is(id.protectedHeader.alg, "RS256");

  const sub = id.payload.sub!;
  t.regex(sub, UUID);
  t.deepEqual(Object.keys(access.payload).sort(), ["auth_time", "client_id", "exp", "iat", "iss", "jti", "scope", "sub", "token_use", "username"]);
  t.like(access.payload, { sub, iss: si.issuer, client_id: CLIENT_ID, token_use: "access", scope: "openid email profile", username: sub });
  t.is(access.payload.exp! - access.payload.iat!, 900);
  t.true(Math.abs(access.payload.iat! - Date.now() / 1000) < 10);
  t.deepEqual(Object.keys(id.payload).sort(), ["aud", "auth_time", "cognito:username", "email", "email_verified", "exp", "iat", "iss", "jti", "sub", "token_use"]);
  t.like(id.payload, { sub, iss: si.issuer, aud: CLIENT_ID, email: "ada@example.com", email_verified: true, token_use: "id", "cognito:username": sub });
  t.not(id.payload.jti, access.payload.jti);
});

test("sub is stable for an email whatever its case, across restarts, and differs between emails", async (t) => {
  const first = await signIn(t);
  const second = await signIn(t);
  const a = decode((await first.issue("ada@example.com")).idToken).sub;
  t.regex(a, UUID);
  t.is(decode((await second.issue("  ADA@example.COM ")).accessToken).sub, a);
  t.is(decode((await signedInTokens(second, "Ada@Example.com")).id_token).sub, a);
  t.not(decode((await first.issue("grace@example.com")).idToken).sub, a);
});

test("an authorization code works once: a second exchange is invalid_grant", async (t) => {
  const si = await signIn(t);
  const { verifier, challenge } = pkce();
  const { code } = await codeFor(si, "ada@example.com", { challenge });
  t.is((await exchange(si, code, verifier)).response.status, 200);
  const again = await exchange(si, code, verifier);
  t.is(again.response.status, 400);
  t.is(again.response.headers.get("content-type"), "application/json");
  t.is(again.body.error, "invalid_grant");
  t.is(typeof again.body.error_description, "string");
});

test("a wrong code_verifier is invalid_grant, and burns the code", async (t) => {
  const si = await signIn(t);
  const { verifier, challenge } = pkce();
  const { code } = await codeFor(si, "ada@example.com", { challenge });
  const wrong = await exchange(si, code, pkce().verifier);
  t.is(wrong.response.status, 400);
  t.is(wrong.body.error, "invalid_grant");
  t.regex(wrong.body.error_description, /code_verifier/);
  t.is((await exchange(si, code, verifier)).body.error, "invalid_grant");
});

test("a redirect_uri other than the code's is invalid_grant", async (t) => {
  const si = await signIn(t);
  const { verifier, challenge } = pkce();
  const { code } = await codeFor(si, "ada@example.com", { challenge });
  const wrong = await exchange(si, code, verifier, `${SITE}/other`);
  t.is(wrong.response.status, 400);
  t.is(wrong.body.error, "invalid_grant");
  t.regex(wrong.body.error_description, /redirect_uri/);
});

test("codes expire after 5 minutes", async (t) => {
  let clock = Date.now();
  const si = await signIn(t, { now: () => clock });
  const early = pkce();
  const late = pkce();
  const a = await codeFor(si, "ada@example.com", { challenge: early.challenge });
  const b = await codeFor(si, "ada@example.com", { challenge: late.challenge });
  clock += 5 * 60 * 1000 - 1000;
  t.is((await exchange(si, a.code, early.verifier)).response.status, 200);
  clock += 2000;
  const expired = await exchange(si, b.code, late.verifier);
  t.is(expired.response.status, 400);
  t.is(expired.body.error, "invalid_grant");
  t.regex(expired.body.error_description, /expired/);
});

test("bad authorize parameters answer 400 with a reason, never a redirect", async (t) => {
  const si = await signIn(t);
  const cases: [Record<string, string | undefined>, RegExp][] = [
    [{ client_id: "someone-else" }, /client_id/],
    [{ response_type: "token" }, /response_type/],
    [{ code_challenge: undefined }, /code_challenge/],
    [{ code_challenge_method: "plain" }, /S256/],
    [{ code_challenge_method: undefined }, /S256/],
    [{ redirect_uri: "https://evil.example/cb" }, /redirect_uri/],
    [{ redirect_uri: "javascript:alert(1)" }, /redirect_uri/],
    [{ redirect_uri: undefined }, /redirect_uri/],
    [{ scope: "openid admin" }, /scope/],
  ];
  for (const [overrides, reason] of cases) {
    const response = await fetch(authorizeUrl(si, overrides), { redirect: "manual" });
    t.is(response.status, 400, JSON.stringify(overrides));
    t.is(response.headers.get("location"), null);
    t.regex(await response.text(), reason);
  }
  // The form post is checked the same way: a tampered redirect_uri is refused.
  const posted = await fetch(`${si.url}/oauth2/authorize`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...Object.fromEntries(new URL(authorizeUrl(si, { redirect_uri: "https://evil.example/cb" })).searchParams), email: "ada@example.com" }),
    redirect: "manual",
  });
  t.is(posted.status, 400);
  t.is(posted.headers.get("location"), null);
  // And a bad email re-renders the form with an error instead of redirecting.
  const badEmail = await fetch(`${si.url}/oauth2/authorize`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...Object.fromEntries(new URL(authorizeUrl(si)).searchParams), email: "not-an-email" }),
    redirect: "manual",
  });
  t.is(badEmail.status, 400);
  t.regex(await badEmail.text(), /role="alert"[^>]*>Enter an email address/);
});

test("a scope without openid gets an access token with just that scope and no ID token", async (t) => {
  const si = await signIn(t);
  const { verifier, challenge } = pkce();
  const { code } = await codeFor(si, "ada@example.com", { challenge, scope: "email" });
  const { body } = await exchange(si, code, verifier);
  t.is(body.id_token, undefined);
  t.is(decode(body.access_token).scope, "email");
});

test("a refresh token gets new ID and access tokens; an unknown one, or another grant type, is refused", async (t) => {
  const si = await signIn(t);
  const first = await signedInTokens(si);
  const refreshed = await tokenRequest(si, { grant_type: "refresh_token", client_id: CLIENT_ID, refresh_token: first.refresh_token });
  t.is(refreshed.response.status, 200);
  t.deepEqual(Object.keys(refreshed.body).sort(), ["access_token", "expires_in", "id_token", "token_type"]);
  t.is(decode(refreshed.body.id_token).sub, decode(first.id_token).sub);
  t.not(decode(refreshed.body.access_token).jti, decode(first.access_token).jti);
  t.is(decode(refreshed.body.access_token).auth_time, decode(first.access_token).auth_time);
  // The refresh token stays usable, as Cognito's does.
  t.is((await tokenRequest(si, { grant_type: "refresh_token", client_id: CLIENT_ID, refresh_token: first.refresh_token })).response.status, 200);

  const unknown = await tokenRequest(si, { grant_type: "refresh_token", client_id: CLIENT_ID, refresh_token: "nope" });
  t.is(unknown.response.status, 400);
  t.is(unknown.body.error, "invalid_grant");
  const otherClient = await tokenRequest(si, { grant_type: "refresh_token", client_id: "other", refresh_token: first.refresh_token });
  t.is(otherClient.response.status, 400);
  t.is(otherClient.body.error, "invalid_client");
  const password = await tokenRequest(si, { grant_type: "password", client_id: CLIENT_ID, username: "ada", password: "x" });
  t.is(password.response.status, 400);
  t.is(password.body.error, "unsupported_grant_type");
  const asJson = await fetch(`${si.url}/oauth2/token`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  t.is(asJson.status, 400);
  t.is(((await asJson.json()) as { error: string }).error, "invalid_request");
});

test("logout redirects to a loopback logout_uri for the app client; anything else is a 400", async (t) => {
  const si = await signIn(t);
  const logout = (params: Record<string, string>) => fetch(`${si.url}/logout?${new URLSearchParams(params)}`, { redirect: "manual" });
  const ok = await logout({ client_id: CLIENT_ID, logout_uri: `${SITE}/signed-out` });
  t.is(ok.status, 302);
  t.is(ok.headers.get("location"), `${SITE}/signed-out`);
  const evil = await logout({ client_id: CLIENT_ID, logout_uri: "https://evil.example/" });
  t.is(evil.status, 400);
  t.is(evil.headers.get("location"), null);
  t.is((await logout({ client_id: "other", logout_uri: `${SITE}/` })).status, 400);
});

test("the token endpoint answers CORS preflights and calls from loopback origins only", async (t) => {
  const si = await signIn(t);
  const preflight = await fetch(`${si.url}/oauth2/token`, {
    method: "OPTIONS",
    headers: { origin: SITE, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });
  t.is(preflight.status, 204);
  t.is(preflight.headers.get("access-control-allow-origin"), SITE);
  t.true(preflight.headers.get("access-control-allow-methods")!.split(",").includes("POST"));
  t.true(preflight.headers.get("access-control-allow-headers")!.split(",").includes("content-type"));

  const { verifier, challenge } = pkce();
  const { code } = await codeFor(si, "ada@example.com", { challenge });
  const exchanged = await tokenRequest(si, { grant_type: "authorization_code", client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, { origin: SITE });
  t.is(exchanged.response.status, 200);
  t.is(exchanged.response.headers.get("access-control-allow-origin"), SITE);
  // Errors are readable by the page too.
  const failed = await tokenRequest(si, { grant_type: "authorization_code", client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, { origin: "http://localhost:5173" });
  t.is(failed.response.headers.get("access-control-allow-origin"), "http://localhost:5173");

  const foreign = await fetch(`${si.url}/oauth2/token`, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
  t.is(foreign.headers.get("access-control-allow-origin"), null);
  const foreignPost = await tokenRequest(si, { grant_type: "refresh_token", client_id: CLIENT_ID, refresh_token: "x" }, { origin: "https://evil.example" });
  t.is(foreignPost.response.headers.get("access-control-allow-origin"), null);
});

test("POST /_local/token hands out the same token set for an email; discovery points at the stand-in", async (t) => {
  const si = await signIn(t);
  const response = await fetch(`${si.url}/_local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "grace@example.com" }) });
  t.is(response.status, 200);
  const body = (await response.json()) as Record<string, any>;
  t.deepEqual(Object.keys(body).sort(), ["access_token", "expires_in", "id_token", "refresh_token", "token_type"]);
  t.is(decode(body.id_token).email, "grace@example.com");
  t.is(decode(body.access_token).scope, "openid email profile");
  const refreshed = await tokenRequest(si, { grant_type: "refresh_token", client_id: CLIENT_ID, refresh_token: body.refresh_token });
  t.is(refreshed.response.status, 200);
  const bad = await fetch(`${si.url}/_local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "nope" }) });
  t.is(bad.status, 400);

  const discovery = (await (await fetch(`${si.issuer}/.well-known/openid-configuration`)).json()) as Record<string, any>;
  t.like(discovery, {
    issuer: si.issuer,
    jwks_uri: si.jwksUrl,
    authorization_endpoint: `${si.url}/oauth2/authorize`,
    token_endpoint: `${si.url}/oauth2/token`,
    end_session_endpoint: `${si.url}/logout`,
  });
  t.deepEqual(discovery.code_challenge_methods_supported, ["S256"]);
});

// ---------------------------------------------------------------------------------------------
// The JWT authorizer

/** A test issuer: its own RSA key, published as a JWKS over HTTP, and a signer for any claims. */
async function testIssuer(t: Teardown, kid = "test-key") {
  const jose = await import("jose");
  const { privateKey, publicKey } = await jose.generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((done) => server.close(() => done())));
  const { port } = server.address() as { port: number };
  const issuer = `http://127.0.0.1:${port}`;
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new jose.SignJWT({ iss: issuer, client_id: CLIENT_ID, token_use: "access", scope: "openid", iat: now, exp: now + 600, sub: "u1", ...claims })
      .setProtectedHeader({ alg: "RS256", kid, ...header })
      .sign(privateKey);
  return { issuer, jwksUrl: `${issuer}/jwks.json`, sign, privateKey };
}

async function rejects(t: { true(v: boolean, m?: string): void; regex(s: string, r: RegExp): void }, authorize: JwtAuthorize, headers: Record<string, string>, reason: RegExp) {
  let error: unknown;
  try {
    await authorize(headers);
  } catch (e) {
    error = e;
  }
  t.true(error instanceof JwtUnauthorizedError, `expected a rejection for ${JSON.stringify(headers).slice(0, 80)}`);
  t.regex((error as Error).message, reason);
}

test("the authorizer accepts the stand-in's access token (Bearer) and ID token (bare), with their claims and scopes", async (t) => {
  const si = await signIn(t);
  const authorize = createJwtAuthorizer({ issuer: si.issuer, audience: [CLIENT_ID], jwksUrl: si.jwksUrl });
  const tokens = await signedInTokens(si);
  const access = await authorize({ authorization: `Bearer ${tokens.access_token}` });
  t.truthy(access);
  t.is(access!.claims.client_id, CLIENT_ID);
  t.is(access!.claims.token_use, "access");
  t.is(typeof access!.claims.exp, "number");
  t.deepEqual(access!.scopes, ["openid", "email", "profile"]);
  const id = await authorize({ Authorization: tokens.id_token });
  t.is(id!.claims.email, "ada@example.com");
  t.is(id!.claims.email_verified, true);
  t.deepEqual(id!.scopes, []);
  const issued = await si.issue("grace@example.com");
  t.is((await authorize({ authorization: `bearer ${issued.accessToken}` }))!.claims.sub, decode(issued.idToken).sub);
});

test("the authorizer rejects a missing header (null), garbage, and a token of the right kid signed by another key", async (t) => {
  const si = await signIn(t);
  const authorize = createJwtAuthorizer({ issuer: si.issuer, audience: [CLIENT_ID], jwksUrl: si.jwksUrl });
  t.is(await authorize({}), null);
  t.is(await authorize({ authorization: "" }), null);
  t.is(await authorize({ authorization: "Bearer " }), null);
  await rejects(t, authorize, { authorization: "Bearer not-a-jwt" }, /decoded/);
  await rejects(t, authorize, { authorization: "Bearer a.b.c" }, /decoded/);

  const genuine = await si.issue("ada@example.com");
  const kid = (JSON.parse(Buffer.from(genuine.accessToken.split(".")[0]!, "base64url").toString()) as { kid: string }).kid;
  const jose = await import("jose");
  const { privateKey } = await jose.generateKeyPair("RS256");
  const forged = await new jose.SignJWT(decode(genuine.accessToken)).setProtectedHeader({ alg: "RS256", kid }).sign(privateKey);
  await rejects(t, authorize, { authorization: `Bearer ${forged}` }, /signature/);
  // The genuine payload with a swapped signature is refused as well.
  const [h, p] = genuine.accessToken.split(".");
  await rejects(t, authorize, { authorization: `Bearer ${h}.${p}.${forged.split(".")[2]}` }, /signature/);
  // An unknown kid, and an HMAC token, are refused.
  const unknownKid = await new jose.SignJWT(decode(genuine.accessToken)).setProtectedHeader({ alg: "RS256", kid: "other" }).sign(privateKey);
  await rejects(t, authorize, { authorization: `Bearer ${unknownKid}` }, /kid/);
  const hmac = await new jose.SignJWT(decode(genuine.accessToken)).setProtectedHeader({ alg: "HS256", kid }).sign(new TextEncoder().encode("x".repeat(32)));
  await rejects(t, authorize, { authorization: `Bearer ${hmac}` }, /algorithm/);
});

test("the authorizer rejects the stand-in's tokens for another issuer or another app client", async (t) => {
  const si = await signIn(t);
  const tokens = await si.issue("ada@example.com");
  const otherIssuer = createJwtAuthorizer({ issuer: "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_abc", audience: [CLIENT_ID], jwksUrl: si.jwksUrl });
  await rejects(t, otherIssuer, { authorization: `Bearer ${tokens.accessToken}` }, /issuer/);
  const otherClient = createJwtAuthorizer({ issuer: si.issuer, audience: ["another-client"], jwksUrl: si.jwksUrl });
  await rejects(t, otherClient, { authorization: `Bearer ${tokens.accessToken}` }, /audience/);
  await rejects(t, otherClient, { authorization: `Bearer ${tokens.idToken}` }, /audience/);
  const eitherClient = createJwtAuthorizer({ issuer: si.issuer, audience: ["another-client", CLIENT_ID], jwksUrl: si.jwksUrl });
  t.truthy(await eitherClient({ authorization: tokens.idToken }));
});

test("the authorizer rejects expired and not-yet-valid tokens from the stand-in", async (t) => {
  const past = await signIn(t, { now: () => Date.now() - 2 * 3600 * 1000 });
  const expired = await past.issue("ada@example.com");
  await rejects(t, createJwtAuthorizer({ issuer: past.issuer, audience: [CLIENT_ID], jwksUrl: past.jwksUrl }), { authorization: `Bearer ${expired.accessToken}` }, /expired/);
  const future = await signIn(t, { now: () => Date.now() + 60 * 1000 });
  const early = await future.issue("ada@example.com");
  await rejects(t, createJwtAuthorizer({ issuer: future.issuer, audience: [CLIENT_ID], jwksUrl: future.jwksUrl }), { authorization: `Bearer ${early.idToken}` }, /future/);
});

test("the authorizer follows API Gateway's claim rules: aud before client_id, exp, nbf and iat with a little skew", async (t) => {
  const idp = await testIssuer(t);
  const authorize = createJwtAuthorizer({ issuer: idp.issuer, audience: [CLIENT_ID], jwksUrl: idp.jwksUrl });
  const now = Math.floor(Date.now() / 1000);
  const ok = async (claims: Record<string, unknown>) => t.truthy(await authorize({ authorization: `Bearer ${await idp.sign(claims)}` }), JSON.stringify(claims));
  const bad = async (claims: Record<string, unknown>, reason: RegExp) => rejects(t, authorize, { authorization: `Bearer ${await idp.sign(claims)}` }, reason);

  await ok({});
  await ok({ aud: [ "x", CLIENT_ID ] });
  // aud wins when both are present: a good client_id does not rescue a foreign aud.
  await bad({ aud: "someone-else" }, /audience/);
  await ok({ aud: CLIENT_ID, client_id: "someone-else" });
  await bad({ client_id: "someone-else" }, /audience/);
  await bad({ client_id: undefined }, /audience/);
  await bad({ iss: `${idp.issuer}/` }, /issuer/);
  await bad({ exp: now - 1 }, /expired/);
  await bad({ exp: undefined }, /expired/);
  await bad({ nbf: now + 60 }, /not valid yet/);
  await ok({ nbf: now + 2 });
  await bad({ iat: now + 60 }, /future/);
  await ok({ iat: now + 2 });
  const noKid = await idp.sign({}, { kid: undefined });
  await rejects(t, authorize, { authorization: `Bearer ${noKid}` }, /kid/);
});

test("authorizer context: claims as API Gateway stringifies them, scopes only for a route with scopes", (t) => {
  const authorization = { claims: { sub: "u1", exp: 1718722804, email_verified: true, "cognito:groups": ["admin", "staff"] }, scopes: ["openid", "email"] };
  t.deepEqual(toAuthorizerContext(authorization), { jwt: { claims: { sub: "u1", exp: "1718722804", email_verified: "true", "cognito:groups": "[admin staff]" }, scopes: null } });
  t.deepEqual(toAuthorizerContext(authorization, ["email"]).jwt.scopes, ["openid", "email"]);
  const event = toApiGatewayEvent({ method: "GET", url: "/me", routeKey: "GET /me", authorizer: toAuthorizerContext(authorization) });
  t.deepEqual((event.requestContext as unknown as { authorizer: unknown }).authorizer, toAuthorizerContext(authorization));
  t.false("authorizer" in toApiGatewayEvent({ method: "GET", url: "/me", routeKey: "GET /me" }).requestContext);
});

// ---------------------------------------------------------------------------------------------
// The API server with protected routes

test("the local API server answers protected routes exactly as API Gateway's JWT authorizer does", async (t) => {
  const si = await signIn(t);
  const authorize = createJwtAuthorizer({ issuer: si.issuer, audience: [CLIENT_ID], jwksUrl: si.jwksUrl });
  const seen: HttpEvent[] = [];
  const echo = async (event: HttpEvent) => {
    seen.push(event);
    return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ authorizer: (event.requestContext as unknown as { authorizer?: unknown }).authorizer ?? null }) };
  };
  const api = await startApiServer({
    corsOrigins: [SITE],
    routes: [
      { routeKey: "GET /me", handler: echo, authorizer: { authorize } },
      { routeKey: "GET /admin", handler: echo, authorizer: { authorize, scopes: ["switchyard/admin"] } },
      { routeKey: "GET /profile", handler: echo, authorizer: { authorize, scopes: ["profile", "switchyard/admin"] } },
      { routeKey: "GET /open", handler: echo },
    ],
  });
  t.teardown(() => api.close());
  const tokens = await signedInTokens(si);
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { headers: { origin: SITE, ...headers } });

  // No token: the bare 401, with CORS so the page can read it; the handler never runs.
  const none = await get("/me");
  t.is(none.status, 401);
  t.is(await none.text(), '{"message":"Unauthorized"}');
  t.is(none.headers.get("content-type"), "application/json");
  t.is(none.headers.get("access-control-allow-origin"), SITE);
  t.truthy(none.headers.get("apigw-requestid"));
  t.is(none.headers.get("www-authenticate"), null);

  // A bad token: 401 with API Gateway's challenge naming the reason.
  const garbage = await get("/me", { authorization: "Bearer nonsense" });
  t.is(garbage.status, 401);
  t.is(await garbage.text(), '{"message":"Unauthorized"}');
  t.regex(garbage.headers.get("www-authenticate")!, /^Bearer scope="" error="invalid_token" error_description="[^"]+"$/);
  const foreign = await get("/me", { authorization: `Bearer ${await (await testIssuer(t)).sign({})}` });
  t.is(foreign.status, 401);
  t.is(seen.length, 0);

  // A valid token: the handler gets the stringified claims; scopes are null on a route without scopes.
  const ok = await get("/me", { authorization: `Bearer ${tokens.id_token}` });
  t.is(ok.status, 200);
  t.is(ok.headers.get("access-control-allow-origin"), SITE);
  const { authorizer } = (await ok.json()) as { authorizer: { jwt: { claims: Record<string, string>; scopes: string[] | null } } };
  const id = decode(tokens.id_token);
  t.deepEqual(authorizer, { jwt: { claims: Object.fromEntries(Object.entries(id).map(([k, v]) => [k, String(v)])), scopes: null } });
  t.is(authorizer.jwt.claims.email_verified, "true");
  t.is(authorizer.jwt.claims.exp, String(id.exp));
  t.is(seen.length, 1);

  // Scopes: a valid token without one of the route's scopes is a 403; with one, the scopes reach the handler.
  const forbidden = await get("/admin", { authorization: `Bearer ${tokens.access_token}` });
  t.is(forbidden.status, 403);
  t.is(await forbidden.text(), '{"message":"Forbidden"}');
  t.is(forbidden.headers.get("content-type"), "application/json");
  t.is(forbidden.headers.get("access-control-allow-origin"), SITE);
  t.regex(forbidden.headers.get("www-authenticate")!, /error="insufficient_scope"/);
  t.is((await get("/profile", { authorization: `Bearer ${tokens.id_token}` })).status, 403);
  const scoped = await get("/profile", { authorization: `Bearer ${tokens.access_token}` });
  t.is(scoped.status, 200);
  t.deepEqual(((await scoped.json()) as { authorizer: { jwt: { scopes: string[] } } }).authorizer.jwt.scopes, ["openid", "email", "profile"]);
  t.is(seen.length, 2);

  // Preflight is the gateway's, never authorized.
  const preflight = await fetch(`${api.url}/me`, { method: "OPTIONS", headers: { origin: SITE, "access-control-request-method": "GET", "access-control-request-headers": "authorization" } });
  t.is(preflight.status, 204);
  t.is(preflight.headers.get("access-control-allow-origin"), SITE);

  // Unprotected routes are untouched: no token needed, a token ignored, no authorizer in the event.
  const open = await get("/open", { authorization: "Bearer nonsense" });
  t.is(open.status, 200);
  t.deepEqual(await open.json(), { authorizer: null });
  t.is(seen.length, 3);
});

/** The ID token of a browser sign-in (page → form with a provider's button → code → tokens), decoded. */
async function federatedIdToken(si: LocalSignIn, email: string, provider?: string) {
  const { verifier, challenge } = pkce();
  const { code } = await codeFor(si, email, { challenge, provider });
  const { response, body } = await exchange(si, code, verifier);
  if (response.status !== 200) throw new Error(`token: ${response.status} ${JSON.stringify(body)}`);
  const jose = await import("jose");
  return (await jose.jwtVerify(body.id_token, jose.createRemoteJWKSet(new URL(si.jwksUrl)), { issuer: si.issuer, audience: CLIENT_ID })).payload as Record<string, any>;
}

test("the page offers Continue with Google / Apple / Facebook besides the email field, in the same form, after the email's own button", async (t) => {
  const si = await signIn(t);
  const html = await (await fetch(authorizeUrl(si))).text();
  const form = /<form[\s\S]*<\/form>/.exec(html)![0];
  const buttons = [...form.matchAll(/<button type="submit"( name="provider" value="([^"]+)")?>([^<]+)<\/button>/g)].map((m) => [m[2] ?? "", m[3]]);
  // The first submit button is what Enter in the email field presses: the email sign-in.
  t.deepEqual(buttons, [["", "Sign in"], ["Google", "Continue with Google"], ["SignInWithApple", "Continue with Apple"], ["Facebook", "Continue with Facebook"]]);
  t.regex(form, /role="group" aria-label="Or continue with a provider/);
});

test("a federated sign-in returns tokens shaped like a linked federated user's: identities as a JSON string, email verified, the organizer's sub", async (t) => {
  const si = await signIn(t);
  const email = await federatedIdToken(si, "ada@example.com");
  t.is(email.identities, undefined, "an email sign-in has no identities yet");
  const google = await federatedIdToken(si, "Ada@Example.com", "Google");
  t.is(google.sub, email.sub, "Google verifies the address: linked to the organizer who has it");
  t.is(google["cognito:username"], email.sub);
  t.like(google, { email: "ada@example.com", email_verified: true, token_use: "id" });
  t.is(typeof google.identities, "string", "Cognito puts identities as a JSON string");
  const [identity] = JSON.parse(google.identities) as Record<string, unknown>[];
  t.deepEqual(Object.keys(identity!).sort(), ["dateCreated", "issuer", "primary", "providerName", "providerType", "userId"]);
  t.like(identity, { providerName: "Google", providerType: "Google", issuer: null, primary: "true" });
  t.regex(String(identity!.userId), /^1\d{20}$/);
  t.regex(String(identity!.dateCreated), /^\d{13}$/);

  // Apple with the same address: the same organizer, both identities listed, the first primary.
  const apple = await federatedIdToken(si, "ada@example.com", "SignInWithApple");
  t.is(apple.sub, email.sub);
  const identities = JSON.parse(apple.identities) as { providerName: string; primary: string; userId: string }[];
  t.deepEqual(identities.map((i) => [i.providerName, i.primary]), [["Google", "true"], ["SignInWithApple", "false"]]);
  t.regex(identities[1]!.userId, /^000\d{3}\.[0-9a-f]{32}\.\d{4}$/);
  // Google again: the same identity, not a second one.
  t.is(JSON.parse((await federatedIdToken(si, "ada@example.com", "Google")).identities).length, 2);
  // The email sign-in now carries the linked identities too (they are the user's).
  t.is(JSON.parse((await federatedIdToken(si, "ada@example.com")).identities).length, 2);
});

test("Facebook, which does not verify addresses, is never linked by email: a user of its own, cognito:username facebook_<id>", async (t) => {
  const si = await signIn(t);
  const email = await federatedIdToken(si, "ben@example.com");
  const facebook = await federatedIdToken(si, "ben@example.com", "Facebook");
  t.not(facebook.sub, email.sub);
  t.regex(facebook["cognito:username"], /^facebook_1\d{15}$/);
  t.like(facebook, { email: "ben@example.com", email_verified: false });
  t.like(JSON.parse(facebook.identities)[0], { providerName: "Facebook", providerType: "Facebook", primary: "true", userId: facebook["cognito:username"].slice("facebook_".length) });
  t.is((await federatedIdToken(si, "BEN@example.com", "Facebook")).sub, facebook.sub, "the same Facebook account is the same user");
  t.not((await federatedIdToken(si, "cy@example.com", "Facebook")).sub, facebook.sub);
});

test("an unknown provider is refused on the page and at /_local/token; /_local/token signs in through a named provider", async (t) => {
  const si = await signIn(t);
  const html = await (await fetch(authorizeUrl(si))).text();
  const posted = await fetch(`${si.url}/oauth2/authorize`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...hiddenFields(html), email: "ada@example.com", provider: "MySpace" }),
    redirect: "manual",
  });
  t.is(posted.status, 400);
  t.regex(await posted.text(), /Unknown provider &quot;MySpace&quot;/);
  const token = (body: unknown) => fetch(`${si.url}/_local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  t.is((await token({ email: "ada@example.com", provider: "MySpace" })).status, 400);
  t.is((await token({ email: "ada@example.com", provider: 7 })).status, 400);
  const viaApple = (await (await token({ email: "ada@example.com", provider: "SignInWithApple" })).json()) as { id_token: string };
  t.is(decode(viaApple.id_token).sub, decode((await si.issue("ada@example.com")).idToken).sub);
  t.like(JSON.parse(decode(viaApple.id_token).identities)[0], { providerName: "SignInWithApple" });
  t.regex(decode((await si.issue("ada@example.com", "facebook")).idToken)["cognito:username"], /^facebook_/);
});
