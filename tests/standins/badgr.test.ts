// The Badgr stand-in against the contract: the password grant from a form body (and a 400 for
// query-string parameters), bearer reads in the { status, result } envelope, revoked/expired
// assertions only when asked for, num pages by Link rel="next", and failNext.
import test from "ava";
import { startBadgrStandIn, type BadgrStandInOptions } from "../../local/standins/badgr";

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const passwordGrant = { grant_type: "password", username: "user@example.com", password: "secret", client_id: "public", scope: "rw:issuer" };

async function badgr(t: { teardown(fn: () => Promise<void>): void }, options: BadgrStandInOptions = {}) {
  const standIn = await startBadgrStandIn(options);
  t.teardown(() => standIn.close());
  const tokenRequest = async (body: string, query = "", contentType = "application/x-www-form-urlencoded") => {
    const res = await fetch(`${standIn.url}/o/token${query}`, { method: "POST", headers: { "content-type": contentType }, body });
    return { status: res.status, body: (await res.json()) as any };
  };
  const login = async () => (await tokenRequest(form(passwordGrant))).body.access_token as string;
  const get = async (pathOrUrl: string, token?: string) => {
    const res = await fetch(pathOrUrl.startsWith("http") ? pathOrUrl : `${standIn.url}${pathOrUrl}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  return { standIn, tokenRequest, login, get };
}

test("POST /o/token: the password grant from a form body gives Bearer tokens for 86400 s; wrong credentials 401; query parameters 400", async (t) => {
  const { tokenRequest } = await badgr(t);
  const granted = await tokenRequest(form(passwordGrant));
  t.is(granted.status, 200);
  t.like(granted.body, { expires_in: 86400, token_type: "Bearer" });
  t.regex(granted.body.access_token, /^[0-9a-f]{40}$/);
  t.regex(granted.body.refresh_token, /^[0-9a-f]{40}$/);

  const wrong = await tokenRequest(form({ ...passwordGrant, password: "nope" }));
  t.is(wrong.status, 401);
  t.is(wrong.body.error, "invalid_grant");
  t.is((await tokenRequest(form({ ...passwordGrant, username: "someone@example.com" }))).status, 401);
  t.is((await tokenRequest(form({ ...passwordGrant, client_id: "other" }))).status, 401);

  // The same parameters in the query string are refused, with or without a body.
  const inQuery = await tokenRequest("", `?${form(passwordGrant)}`);
  t.is(inQuery.status, 400);
  t.is(inQuery.body.error, "invalid_request");
  t.is((await tokenRequest(form(passwordGrant), "?client_id=public")).status, 400);
  // A JSON body is not a form.
  t.is((await tokenRequest(JSON.stringify(passwordGrant), "", "application/json")).status, 400);
  t.is((await tokenRequest(form({ ...passwordGrant, grant_type: "client_credentials" }))).body.error, "unsupported_grant_type");
  t.is((await tokenRequest(form({ ...passwordGrant, scope: "rw:everything" }))).body.error, "invalid_scope");
});

test("the API needs a valid bearer token: none, unknown or expired is a 401; a refresh gives a new one", async (t) => {
  const { standIn, tokenRequest, get } = await badgr(t, { username: "ada@example.com", password: "pw" });
  const issuer = standIn.addIssuer("ISSUER1");
  t.is((await get(`/v2/issuers/${issuer}/badgeclasses`)).status, 401);
  const unknown = await get(`/v2/issuers/${issuer}/badgeclasses`, "not-a-token");
  t.is(unknown.status, 401);
  t.deepEqual(unknown.body.status.success, false);
  t.is((await tokenRequest(form(passwordGrant))).status, 401); // the default account is not this one

  const granted = await tokenRequest(form({ ...passwordGrant, username: "ada@example.com", password: "pw" }));
  const ok = await get(`/v2/issuers/${issuer}/badgeclasses`, granted.body.access_token);
  t.is(ok.status, 200);
  t.deepEqual(ok.body, { status: { success: true, description: "ok" }, result: [] });

  const profileOnly = await tokenRequest(form({ ...passwordGrant, username: "ada@example.com", password: "pw", scope: "rw:profile" }));
  t.is((await get(`/v2/issuers/${issuer}/badgeclasses`, profileOnly.body.access_token)).status, 403);

  standIn.expireTokens();
  t.is((await get(`/v2/issuers/${issuer}/badgeclasses`, granted.body.access_token)).status, 401);
  const refreshed = await tokenRequest(form({ grant_type: "refresh_token", refresh_token: granted.body.refresh_token, client_id: "public" }));
  t.is(refreshed.status, 200);
  t.is((await get(`/v2/issuers/${issuer}/badgeclasses`, refreshed.body.access_token)).status, 200);
  // Refresh tokens rotate: the old one is spent.
  t.is((await tokenRequest(form({ grant_type: "refresh_token", refresh_token: granted.body.refresh_token, client_id: "public" }))).status, 401);
});

test("badge classes and assertions carry the contract's fields, defaults filled; unknown issuers and badge classes are 404", async (t) => {
  const { standIn, login, get } = await badgr(t);
  const token = await login();
  const badge = standIn.addBadgeClass("ISSUER1", { name: "Intro to TypeScript", tags: ["ts"], criteriaUrl: "https://example.com/criteria" });
  standIn.addBadgeClass("ISSUER2", { name: "Elsewhere" });
  const assertion = standIn.addAssertion(badge.entityId, { recipient: { identity: "ada@example.com" }, narrative: "Well done" });

  const classes = await get("/v2/issuers/ISSUER1/badgeclasses", token);
  t.is(classes.status, 200);
  t.is(classes.body.status.success, true);
  t.is(classes.body.result.length, 1);
  const bc = classes.body.result[0];
  for (const field of ["entityId", "entityType", "openBadgeId", "issuer", "name", "image", "description", "criteriaUrl", "criteriaNarrative", "tags", "expires", "createdAt"]) t.true(field in bc, field);
  t.like(bc, { entityId: badge.entityId, entityType: "BadgeClass", issuer: "ISSUER1", name: "Intro to TypeScript", tags: ["ts"], criteriaUrl: "https://example.com/criteria", criteriaNarrative: null, expires: null });
  t.regex(bc.entityId, /^[A-Za-z0-9_-]{22}$/);

  const byBadge = await get(`/v2/badgeclasses/${badge.entityId}/assertions`, token);
  const a = byBadge.body.result[0];
  for (const field of ["entityId", "badgeclass", "issuer", "recipient", "issuedOn", "revoked", "revocationReason", "expires", "narrative", "evidence"]) t.true(field in a, field);
  t.like(a, {
    entityId: assertion.entityId,
    badgeclass: badge.entityId,
    issuer: "ISSUER1",
    recipient: { identity: "ada@example.com", hashed: false, type: "email", plaintextIdentity: "ada@example.com" },
    revoked: false,
    revocationReason: null,
    expires: null,
    narrative: "Well done",
    evidence: [],
  });
  t.deepEqual((await get("/v2/issuers/ISSUER1/assertions", token)).body.result.map((x: any) => x.entityId), [assertion.entityId]);
  t.deepEqual((await get("/v2/issuers/ISSUER2/assertions", token)).body.result, []);
  t.is((await get("/v2/issuers/NOPE/badgeclasses", token)).status, 404);
  t.is((await get("/v2/badgeclasses/NOPE/assertions", token)).status, 404);
  t.throws(() => standIn.addAssertion("NOPE"));
  const hashed = standIn.addAssertion(badge.entityId, { recipient: { identity: "sha256$abc", hashed: true } });
  t.deepEqual(hashed.recipient, { identity: "sha256$abc", hashed: true, type: "email", plaintextIdentity: null });
});

test("revoked and expired assertions are left out unless include_revoked / include_expired", async (t) => {
  const { standIn, login, get } = await badgr(t);
  const token = await login();
  const badge = standIn.addBadgeClass("ISSUER1");
  const live = standIn.addAssertion(badge.entityId);
  const revoked = standIn.addAssertion(badge.entityId, { revoked: true, revocationReason: "Issued in error" });
  const expired = standIn.addAssertion(badge.entityId, { expires: "2020-01-01T00:00:00Z" });
  const future = standIn.addAssertion(badge.entityId, { expires: "2999-01-01T00:00:00Z" });
  const ids = async (query: string) => (await get(`/v2/issuers/ISSUER1/assertions${query}`, token)).body.result.map((x: any) => x.entityId);
  t.deepEqual(await ids(""), [live.entityId, future.entityId]);
  t.deepEqual(await ids("?include_revoked=true"), [live.entityId, revoked.entityId, future.entityId]);
  t.deepEqual(await ids("?include_expired=true"), [live.entityId, expired.entityId, future.entityId]);
  t.deepEqual(await ids("?include_revoked=true&include_expired=true"), [live.entityId, revoked.entityId, expired.entityId, future.entityId]);
  const byBadge = await get(`/v2/badgeclasses/${badge.entityId}/assertions?include_revoked=true`, token);
  t.like(byBadge.body.result[1], { entityId: revoked.entityId, revoked: true, revocationReason: "Issued in error" });
});

test("without num everything comes at once; with num, pages follow the Link rel=next cursor to the end", async (t) => {
  const { standIn, login, get } = await badgr(t);
  const token = await login();
  const badge = standIn.addBadgeClass("ISSUER1");
  const all = Array.from({ length: 12 }, (_, i) => standIn.addAssertion(badge.entityId, { revoked: i % 4 === 3 }));
  const unpaged = await get("/v2/issuers/ISSUER1/assertions", token);
  t.is(unpaged.headers.get("link"), null);
  t.is(unpaged.body.result.length, 9);

  const seen: string[] = [];
  const sizes: number[] = [];
  let next: string | undefined = `${standIn.url}/v2/issuers/ISSUER1/assertions?num=4&include_revoked=true`;
  while (next) {
    const page: { status: number; headers: Headers; body: any } = await get(next, token);
    t.is(page.status, 200);
    seen.push(...page.body.result.map((x: any) => x.entityId));
    sizes.push(page.body.result.length);
    const link = page.headers.get("link");
    next = link ? /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : undefined;
    if (next) t.regex(next, /num=4&include_revoked=true&cursor=/);
  }
  t.deepEqual(sizes, [4, 4, 4]);
  t.deepEqual(seen, all.map((a) => a.entityId));

  const filtered = await get("/v2/issuers/ISSUER1/assertions?num=5", token);
  t.is(filtered.body.result.length, 5);
  const rest = await get(/<([^>]+)>/.exec(filtered.headers.get("link")!)![1]!, token);
  t.is(rest.body.result.length, 4);
  t.is(rest.headers.get("link"), null);

  t.is((await get("/v2/issuers/ISSUER1/assertions?num=0", token)).status, 400);
  t.is((await get("/v2/issuers/ISSUER1/assertions?num=501", token)).status, 400);
  t.is((await get("/v2/issuers/ISSUER1/assertions?num=2&cursor=garbage", token)).status, 400);
  t.is((await get("/v2/issuers/ISSUER1/badgeclasses?num=500", token)).body.result.length, 1);
});

test("failNext: the token endpoint or the API answers the injected failure, then works", async (t) => {
  const { standIn, tokenRequest, login, get } = await badgr(t);
  standIn.addIssuer("ISSUER1");
  standIn.failNext(1, { status: 502, body: "<html>Bad Gateway</html>", headers: { "content-type": "text/html" } }, (req) => req.path === "/o/token");
  const res = await fetch(`${standIn.url}/o/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form(passwordGrant) });
  t.is(res.status, 502);
  t.is(await res.text(), "<html>Bad Gateway</html>");
  const token = await login();
  t.truthy(token);
  standIn.failNext(2, { status: 503, headers: { "retry-after": "1" }, body: { status: { success: false, description: "down" }, result: [] } });
  const failed = await get("/v2/issuers/ISSUER1/badgeclasses", token);
  t.is(failed.status, 503);
  t.is(failed.headers.get("retry-after"), "1");
  t.is((await tokenRequest(form(passwordGrant))).status, 503);
  t.is((await get("/v2/issuers/ISSUER1/badgeclasses", token)).status, 200);
  t.deepEqual(
    standIn.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
    ["POST /o/token 502", "POST /o/token 200", "GET /v2/issuers/ISSUER1/badgeclasses 503", "POST /o/token 503", "GET /v2/issuers/ISSUER1/badgeclasses 200"],
  );
  t.deepEqual(standIn.requests[1]!.body, passwordGrant);
});
