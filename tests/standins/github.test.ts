// The GitHub stand-in, driven with plain fetch the way the sync's client drives api.github.com:
// Link pagination, since, ETags and 304s per token, rate-limit headers and the 403 at zero,
// latest release and its tarball behind a redirect, 404s, and injected throttling and 5xx.
import test from "ava";
import { gunzipSync } from "node:zlib";
import { startGitHubStandIn, type GitHubStandIn } from "../../local/standins/github";

async function standIn(t: { teardown(fn: () => unknown): void }, options?: Parameters<typeof startGitHubStandIn>[0]): Promise<GitHubStandIn> {
  const gh = await startGitHubStandIn(options);
  t.teardown(() => gh.close());
  return gh;
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 12, minute)).toISOString().replace(".000Z", "Z");

/** `{rel: url}` from a Link header. */
function links(header: string | null): Record<string, string> {
  if (!header) return {};
  return Object.fromEntries([...header.matchAll(/<([^>]+)>;\s*rel="([^"]+)"/g)].map((m) => [m[2]!, m[1]!]));
}

async function getJson(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { response, body: text ? JSON.parse(text) : undefined };
}

test("a listing is paged by Link headers with absolute next/last URLs; following them walks every gist, newest updated_at first", async (t) => {
  const gh = await standIn(t);
  for (let i = 0; i < 7; i++) gh.addGist("ada", { description: `g${i}`, created_at: at(i), updated_at: at(10 + ((i * 3) % 7)) });

  const first = await getJson(`${gh.url}/users/ada/gists?per_page=3`);
  t.is(first.response.status, 200);
  t.is(first.body.length, 3);
  const rels = links(first.response.headers.get("link"));
  t.deepEqual(Object.keys(rels).sort(), ["last", "next"]);
  t.true(rels.next!.startsWith(`${gh.url}/`));
  t.is(new URL(rels.next!).searchParams.get("page"), "2");
  t.is(new URL(rels.next!).searchParams.get("per_page"), "3");
  t.is(new URL(rels.last!).searchParams.get("page"), "3");

  const seen = [...first.body];
  let next: string | undefined = rels.next;
  let pages = 1;
  let lastRels: Record<string, string> = {};
  while (next) {
    const page = await getJson(next);
    t.is(page.response.status, 200);
    seen.push(...page.body);
    lastRels = links(page.response.headers.get("link"));
    next = lastRels.next;
    pages++;
  }
  t.is(pages, 3);
  t.deepEqual(Object.keys(lastRels).sort(), ["first", "prev"]); // the last page has no next
  t.is(seen.length, 7);
  const updated = seen.map((g) => g.updated_at as string);
  t.deepEqual(updated, [...updated].sort().reverse());
  t.is(new Set(seen.map((g) => g.id)).size, 7);

  // Everything on one page: no Link header at all.
  const one = await getJson(`${gh.url}/users/ada/gists?per_page=100`);
  t.is(one.body.length, 7);
  t.is(one.response.headers.get("link"), null);
  // Past the last page: an empty array.
  t.deepEqual((await getJson(`${gh.url}/users/ada/gists?per_page=3&page=9`)).body, []);
});

test("per_page defaults to 30 (or perPageDefault) and is capped at 100; gists carry GitHub's fields", async (t) => {
  const gh = await standIn(t);
  const made = Array.from({ length: 101 }, (_, i) => gh.addGist("Grace", { updated_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() }));
  t.is((await getJson(`${gh.url}/users/grace/gists`)).body.length, 30); // logins are case-insensitive
  t.is((await getJson(`${gh.url}/users/grace/gists?per_page=500`)).body.length, 100);
  t.is((await getJson(`${gh.url}/users/grace/gists?per_page=0`)).body.length, 30);

  const small = await standIn(t, { perPageDefault: 2 });
  small.addGist("x", {});
  small.addGist("x", {});
  small.addGist("x", {});
  const page = await getJson(`${small.url}/users/x/gists`);
  t.is(page.body.length, 2);
  t.truthy(links(page.response.headers.get("link")).next);

  const gist = gh.addGist("Grace", { description: null, files: { "notes.md": { filename: "notes.md", size: 12, language: "Markdown" } }, created_at: at(0), updated_at: "2030-01-01T00:00:00Z" });
  t.regex(made[0]!.id, /^[0-9a-f]{32}$/);
  const listed = (await getJson(`${gh.url}/users/grace/gists?per_page=1`)).body[0];
  t.is(listed.id, gist.id);
  t.is(listed.html_url, `https://gist.github.com/Grace/${gist.id}`);
  t.is(listed.description, null);
  t.is(listed.public, true);
  t.is(listed.created_at, at(0));
  t.is(listed.updated_at, "2030-01-01T00:00:00Z");
  t.deepEqual(listed.owner.login, "Grace");
  t.is(listed.truncated, false);
  t.is(listed.comments, 0);
  t.like(listed.files["notes.md"], { filename: "notes.md", type: "text/markdown", language: "Markdown", size: 12 });
  t.is(typeof listed.files["notes.md"].raw_url, "string");

  // Secret gists are not in the public listing.
  gh.addGist("Grace", { public: false, updated_at: "2031-01-01T00:00:00Z" });
  t.is((await getJson(`${gh.url}/users/grace/gists?per_page=1`)).body[0].id, gist.id);
});

test("since keeps gists updated at or after it (the boundary included); a bad since is a 422", async (t) => {
  const gh = await standIn(t);
  const old = gh.addGist("ada", { updated_at: at(1) });
  const edge = gh.addGist("ada", { updated_at: at(5) });
  const fresh = gh.addGist("ada", { updated_at: at(9) });
  const ids = async (since: string) => (await getJson(`${gh.url}/users/ada/gists?since=${encodeURIComponent(since)}`)).body.map((g: { id: string }) => g.id);
  t.deepEqual(await ids(at(5)), [fresh.id, edge.id]);
  t.deepEqual(await ids(at(6)), [fresh.id]);
  t.deepEqual(await ids("2026-11-01T13:00:00Z"), []);
  t.deepEqual(await ids("2026-11-01T11:00:00.000+00:00"), [fresh.id, edge.id, old.id]);
  t.is((await fetch(`${gh.url}/users/ada/gists?since=yesterday`)).status, 422);

  // Editing a gist (addGist with its id) moves it to the top with its new updated_at.
  gh.addGist("ada", { id: old.id, description: "edited", updated_at: at(20) });
  const after = (await getJson(`${gh.url}/users/ada/gists?since=${at(6)}`)).body;
  t.deepEqual(after.map((g: { id: string }) => g.id), [old.id, fresh.id]);
  t.is(after[0].description, "edited");
  t.is(after[0].created_at, old.created_at);
});

test("ETags: If-None-Match answers 304 with no body until addGist changes the listing; each token has its own tag", async (t) => {
  const gh = await standIn(t);
  gh.addGist("ada", { updated_at: at(1) });
  const url = `${gh.url}/users/ada/gists`;

  const first = await fetch(url);
  const etag = first.headers.get("etag")!;
  t.regex(etag, /^(W\/)?"[^"]+"$/);
  const again = await fetch(url, { headers: { "if-none-match": etag } });
  t.is(again.status, 304);
  t.is(await again.text(), "");
  t.is(again.headers.get("etag"), etag);
  t.truthy(again.headers.get("x-ratelimit-remaining"));
  // A list of tags, or the strong form of a weak tag, match too.
  t.is((await fetch(url, { headers: { "if-none-match": `"nope", ${etag.replace(/^W\//, "")}` } })).status, 304);
  t.is((await fetch(url, { headers: { "if-none-match": '"nope"' } })).status, 200);

  // Per token: another credential gets another tag, and the unauthenticated tag is no match for it.
  const alice = await fetch(url, { headers: { authorization: "Bearer alice-token" } });
  const bob = await fetch(url, { headers: { authorization: "Bearer bob-token" } });
  const aliceTag = alice.headers.get("etag")!;
  t.not(aliceTag, etag);
  t.not(aliceTag, bob.headers.get("etag"));
  t.is((await fetch(url, { headers: { authorization: "Bearer alice-token", "if-none-match": etag } })).status, 200);
  t.is((await fetch(url, { headers: { authorization: "token alice-token", "if-none-match": aliceTag } })).status, 304); // same token, either scheme

  // A change to the user's gists changes the tag: the old one no longer matches.
  gh.addGist("ada", { updated_at: at(2) });
  const changed = await fetch(url, { headers: { "if-none-match": etag } });
  t.is(changed.status, 200);
  t.not(changed.headers.get("etag"), etag);
  t.is(((await changed.json()) as unknown[]).length, 2);
  t.is((await fetch(url, { headers: { "if-none-match": changed.headers.get("etag")! } })).status, 304);
  // Even a change the query filters out (the contract: addGist bumps the user's ETag).
  const sinceUrl = `${url}?since=${at(30)}`;
  const sinceTag = (await fetch(sinceUrl)).headers.get("etag")!;
  gh.addGist("ada", { updated_at: at(3) });
  t.is((await fetch(sinceUrl, { headers: { "if-none-match": sinceTag } })).status, 200);
});

test("every API answer carries the rate-limit headers; each request counts except an authenticated 304; at zero a 403 until the reset", async (t) => {
  const gh = await standIn(t, { rateLimit: { limit: 60 } });
  gh.addGist("ada", {});
  const url = `${gh.url}/users/ada/gists`;

  const first = await fetch(url);
  t.is(first.headers.get("x-ratelimit-limit"), "60");
  t.is(first.headers.get("x-ratelimit-remaining"), "59");
  t.is(first.headers.get("x-ratelimit-used"), "1");
  t.is(first.headers.get("x-ratelimit-resource"), "core");
  t.is(first.headers.get("x-ratelimit-reset"), String(gh.rateLimit.resetEpochSeconds));
  t.true(gh.rateLimit.resetEpochSeconds > Date.now() / 1000);
  t.is(gh.rateLimit.remaining, 59);
  const etag = first.headers.get("etag")!;

  // An unauthenticated 304 counts (the contract's assumption); a 404 counts.
  const unauth304 = await fetch(url, { headers: { "if-none-match": etag } });
  t.is(unauth304.status, 304);
  t.is(unauth304.headers.get("x-ratelimit-remaining"), "58");
  const missing = await fetch(`${gh.url}/users/nobody/gists`);
  t.is(missing.status, 404);
  t.is(missing.headers.get("x-ratelimit-remaining"), "57");

  // An authenticated 304 is free; an authenticated 200 is not.
  const auth = { authorization: "Bearer t0ken" };
  const authTag = (await fetch(url, { headers: auth })).headers.get("etag")!;
  t.is(gh.rateLimit.remaining, 56);
  for (let i = 0; i < 3; i++) {
    const free = await fetch(url, { headers: { ...auth, "if-none-match": authTag } });
    t.is(free.status, 304);
    t.is(free.headers.get("x-ratelimit-remaining"), "56");
  }

  // Down to the last request: it succeeds with remaining 0, the next is refused and not counted.
  gh.rateLimit.remaining = 1;
  const last = await fetch(url);
  t.is(last.status, 200);
  t.is(last.headers.get("x-ratelimit-remaining"), "0");
  for (const headers of [{}, auth]) {
    const refused = await fetch(url, { headers });
    t.is(refused.status, 403);
    t.is(refused.headers.get("x-ratelimit-remaining"), "0");
    t.is(refused.headers.get("x-ratelimit-used"), "60");
    t.is(refused.headers.get("x-ratelimit-reset"), String(gh.rateLimit.resetEpochSeconds));
    t.regex(((await refused.json()) as { message: string }).message, /API rate limit exceeded/);
  }
  t.is(gh.rateLimit.remaining, 0);

  // Once the reset time has passed, the window starts again.
  gh.rateLimit.resetEpochSeconds = Math.floor(Date.now() / 1000) - 1;
  const renewed = await fetch(url);
  t.is(renewed.status, 200);
  t.is(renewed.headers.get("x-ratelimit-remaining"), "59");
  t.true(Number(renewed.headers.get("x-ratelimit-reset")) > Date.now() / 1000 + 3000);
});

test("latest release JSON points at this server; its tarball_url redirects once to the bytes (application/x-gzip)", async (t) => {
  const gh = await standIn(t);
  const tarball = Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5]);
  gh.setLatestRelease("switchyard", "site", { tag_name: "v1.2.0", name: "Spring", body: tarball });

  const { response, body } = await getJson(`${gh.url}/repos/switchyard/site/releases/latest`);
  t.is(response.status, 200);
  t.truthy(response.headers.get("etag"));
  t.truthy(response.headers.get("x-ratelimit-remaining"));
  t.like(body, { tag_name: "v1.2.0", name: "Spring", draft: false, prerelease: false, assets: [] });
  t.false(Number.isNaN(Date.parse(body.published_at)));
  t.is(body.tarball_url, `${gh.url}/repos/switchyard/site/tarball/v1.2.0`);
  t.true(body.zipball_url.startsWith(`${gh.url}/`));
  t.is((await fetch(`${gh.url}/repos/switchyard/site/releases/latest`, { headers: { "if-none-match": response.headers.get("etag")! } })).status, 304);

  // The hop, seen by hand: a 302 (counted like any API call), then the archive with no rate-limit headers.
  const before = gh.rateLimit.remaining;
  const hop = await fetch(body.tarball_url, { redirect: "manual" });
  t.is(hop.status, 302);
  const location = hop.headers.get("location")!;
  t.true(location.startsWith(`${gh.url}/`));
  t.not(new URL(location).pathname, new URL(body.tarball_url).pathname);
  t.is(gh.rateLimit.remaining, before - 1);
  const bytes = await fetch(location);
  t.is(bytes.status, 200);
  t.is(bytes.headers.get("content-type"), "application/x-gzip");
  t.deepEqual(Buffer.from(await bytes.arrayBuffer()), tarball);
  t.is(bytes.headers.get("x-ratelimit-remaining"), null);
  t.is(gh.rateLimit.remaining, before - 1);

  // And followed the ordinary way.
  const followed = await fetch(body.tarball_url);
  t.is(followed.status, 200);
  t.true(followed.redirected);
  t.deepEqual(Buffer.from(await followed.arrayBuffer()), tarball);
  t.deepEqual(gh.requests.slice(-2).map((r) => r.status), [302, 200]);

  // A newer release replaces it; the old tarball_url still downloads. A release with no bytes gets an empty tar.gz.
  gh.setLatestRelease("switchyard", "site", { tag_name: "v2.0.0" });
  t.is((await getJson(`${gh.url}/repos/switchyard/site/releases/latest`)).body.tag_name, "v2.0.0");
  t.is((await getJson(`${gh.url}/repos/switchyard/site/releases/latest`)).body.name, null);
  t.deepEqual(Buffer.from(await (await fetch(body.tarball_url)).arrayBuffer()), tarball);
  const empty = Buffer.from(await (await fetch(`${gh.url}/repos/switchyard/site/tarball/v2.0.0`)).arrayBuffer());
  t.deepEqual(gunzipSync(empty), Buffer.alloc(1024));
});

test("404s: unknown user, no release, a removed release, an unknown tag, an unknown route — GitHub's {message:'Not Found'}", async (t) => {
  const gh = await standIn(t);
  const notFound = async (path: string) => {
    const { response, body } = await getJson(`${gh.url}${path}`);
    t.is(response.status, 404, path);
    return body;
  };
  t.like(await notFound("/users/nobody/gists"), { message: "Not Found" });
  t.like(await notFound("/repos/switchyard/site/releases/latest"), { message: "Not Found" });
  gh.setLatestRelease("switchyard", "site", { tag_name: "v1" });
  t.is((await fetch(`${gh.url}/repos/switchyard/site/releases/latest`)).status, 200);
  gh.setLatestRelease("switchyard", "site", null);
  await notFound("/repos/switchyard/site/releases/latest");
  await notFound("/repos/switchyard/site/tarball/v9");
  await notFound("/gists/public");
  t.is((await fetch(`${gh.url}/users/nobody/gists`, { method: "POST" })).status, 404);

  // A known user with no gists is an empty listing, not a 404.
  gh.addUser("quiet");
  const quiet = await getJson(`${gh.url}/users/quiet/gists`);
  t.is(quiet.response.status, 200);
  t.deepEqual(quiet.body, []);
  t.is(quiet.response.headers.get("link"), null);
});

test("failNext: injected 429 with retry-after, 5xx and secondary-limit 403s hit only the next matching requests, then normal answers resume", async (t) => {
  const gh = await standIn(t);
  gh.addGist("ada", {});
  gh.addGist("bob", {});
  const ada = `${gh.url}/users/ada/gists`;
  const bob = `${gh.url}/users/bob/gists`;

  gh.failNext(2, { status: 429, headers: { "retry-after": "7" } }, (req) => req.user === "ada");
  const bobFirst = await fetch(bob); // does not match: untouched
  t.is(bobFirst.status, 200);
  for (let i = 0; i < 2; i++) {
    const throttled = await fetch(ada);
    t.is(throttled.status, 429);
    t.is(throttled.headers.get("retry-after"), "7");
    t.truthy(throttled.headers.get("x-ratelimit-remaining"));
    t.truthy(((await throttled.json()) as { message: string }).message);
  }
  t.is((await fetch(ada)).status, 200);

  // Several rules, in order, on any request.
  gh.failNext(1, { status: 500 });
  gh.failNext(1, { status: 502, body: "Bad Gateway" });
  gh.failNext(1, { status: 503, body: { message: "Service Unavailable" } });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await fetch(ada)).status);
  t.deepEqual(statuses, [500, 502, 503, 200]);

  // A secondary limit: 403 with retry-after and a body saying so; the headers given win.
  gh.failNext(1, { status: 403, headers: { "retry-after": "60", "x-ratelimit-remaining": "0" }, body: { message: "You have exceeded a secondary rate limit." } }, (req) => req.method === "GET" && req.path.endsWith("/gists"));
  const secondary = await fetch(bob);
  t.is(secondary.status, 403);
  t.is(secondary.headers.get("retry-after"), "60");
  t.is(secondary.headers.get("x-ratelimit-remaining"), "0");
  t.regex(((await secondary.json()) as { message: string }).message, /secondary rate limit/);
  t.is((await fetch(bob)).status, 200);

  // Faults reach the download hop too.
  gh.setLatestRelease("ada", "tool", { tag_name: "v1", body: "bytes" });
  gh.failNext(1, { status: 503 }, (req) => req.path.startsWith("/codeload/"));
  const hop = await fetch(`${gh.url}/repos/ada/tool/tarball/v1`);
  t.is(hop.status, 503);
  t.is(await (await fetch(`${gh.url}/repos/ada/tool/tarball/v1`)).text(), "bytes");
});

test("requests logs every request: method, path, query, headers and the status answered", async (t) => {
  const gh = await standIn(t);
  gh.addGist("ada", {});
  await fetch(`${gh.url}/users/ada/gists?per_page=5&since=${at(0)}`, { headers: { authorization: "Bearer abc", "user-agent": "switchyard-test" } });
  await fetch(`${gh.url}/users/zed/gists`);
  t.is(gh.requests.length, 2);
  t.like(gh.requests[0], { method: "GET", path: "/users/ada/gists", query: { per_page: "5", since: at(0) }, status: 200 });
  t.is(gh.requests[0]!.headers.authorization, "Bearer abc");
  t.is(gh.requests[0]!.headers["user-agent"], "switchyard-test");
  t.like(gh.requests[1], { path: "/users/zed/gists", query: {}, status: 404 });
  t.is(gh.requests[1]!.headers.authorization, undefined);
});
