// The gists job's GitHub client against the GitHub stand-in: pagination, conditional requests,
// rate limits and 5xx retries.
import test from "ava";
import { GitHubClient } from "../../handlers/sync/github";
import { RateLimitedError } from "../../handlers/sync/rate-limit";
import { startGitHubStandIn } from "../../local/standins/github";

test("lists every gist across pages, then costs one 304 when nothing changed", async (t) => {
  const gh = await startGitHubStandIn();
  t.teardown(() => gh.close());
  for (let i = 0; i < 230; i++) gh.addGist("octocat", { description: `gist ${i}` });
  const client = new GitHubClient({ baseUrl: gh.url, token: "t0ken" });
  const first = await client.listGists("octocat");
  if (first.status !== "ok") return t.fail();
  t.is(first.gists.length, 230);
  t.is(new Set(first.gists.map((g) => g.id)).size, 230);
  t.is(client.calls, 3, "100 per page");
  const again = await client.listGists("octocat", first.etag);
  t.deepEqual(again, { status: "not-modified" });
  t.is(client.calls, 4);
  gh.addGist("octocat", { description: "new" });
  const changed = await client.listGists("octocat", first.etag);
  t.is(changed.status, "ok");
});

test("an exhausted rate limit or a 429 is a RateLimitedError with the time to resume", async (t) => {
  const gh = await startGitHubStandIn();
  t.teardown(() => gh.close());
  gh.addGist("octocat", {});
  const reset = Math.floor(Date.now() / 1000) + 1800;
  gh.rateLimit = { limit: 60, remaining: 0, resetEpochSeconds: reset };
  const client = new GitHubClient({ baseUrl: gh.url });
  const error = await t.throwsAsync(client.listGists("octocat"), { instanceOf: RateLimitedError });
  t.is(error!.retryAt.getTime(), reset * 1000);
  // The client now knows: a second call before the reset is refused here, not sent.
  const sent = gh.requests.length;
  const again = await t.throwsAsync(client.listGists("octocat"), { instanceOf: RateLimitedError });
  t.is(again!.retryAt.getTime(), reset * 1000);
  t.is(gh.requests.length, sent);
  t.deepEqual(client.learnedLimit(), { api: "github", retryAt: new Date(reset * 1000).toISOString() });
  gh.rateLimit = { limit: 60, remaining: 60, resetEpochSeconds: reset };
  gh.failNext(1, { status: 429, headers: { "retry-after": "120" } });
  const secondary = await t.throwsAsync(new GitHubClient({ baseUrl: gh.url }).listGists("octocat"), { instanceOf: RateLimitedError });
  t.true(Math.abs(secondary!.retryAt.getTime() - (Date.now() + 120_000)) < 5_000);
});

test("a passing 5xx is retried; a lasting one fails just this listing", async (t) => {
  const gh = await startGitHubStandIn();
  t.teardown(() => gh.close());
  gh.addGist("octocat", {});
  gh.failNext(1, { status: 502 });
  const client = new GitHubClient({ baseUrl: gh.url });
  const listing = await client.listGists("octocat");
  t.is(listing.status, "ok");
  gh.failNext(3, { status: 503 }); // the first try and both retries
  await t.throwsAsync(client.listGists("octocat"), { message: /HTTP 503/ });
  t.is((await client.listGists("nobody-here").catch((e: Error) => e.message)) as string, "github: HTTP 404 listing gists of nobody-here");
});
