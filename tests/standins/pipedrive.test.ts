// The Pipedrive stand-in against the contract: token auth, creates, cursor pages, exact-match
// search (a custom field value as the key), the burst window's 429 + Retry-After, failNext.
import test from "ava";
import { startPipedriveStandIn, type PipedriveStandInOptions } from "../../local/standins/pipedrive";

async function pipedrive(t: { teardown(fn: () => Promise<void>): void }, options: PipedriveStandInOptions = {}) {
  const standIn = await startPipedriveStandIn(options);
  t.teardown(() => standIn.close());
  const api = `${standIn.url}/api/v2`;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = { "x-api-token": options.token ?? "test-token" }) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  return { standIn, call };
}

test("the token is required: x-api-token or Authorization: Bearer; anything else is a 401", async (t) => {
  const { standIn, call } = await pipedrive(t, { token: "secret-token" });
  t.deepEqual((await call("GET", "/deals", undefined, {})).body, { success: false, error: "unauthorized" });
  t.is((await call("GET", "/deals", undefined, {})).status, 401);
  t.is((await call("GET", "/deals", undefined, { "x-api-token": "wrong" })).status, 401);
  t.is((await call("GET", "/deals", undefined, { authorization: "Bearer wrong" })).status, 401);
  t.is((await call("GET", "/deals", undefined, { "x-api-token": "secret-token" })).status, 200);
  t.is((await call("GET", "/deals", undefined, { authorization: "Bearer secret-token" })).status, 200);
  t.is((await call("POST", "/organizations", { name: "Acme" }, { "x-api-token": "wrong" })).status, 401);
  t.deepEqual(standIn.organizations(), []);
  t.deepEqual(
    standIn.requests.map((r) => r.status),
    [401, 401, 401, 401, 200, 200, 401],
  );
});

test("organizations, persons and deals get increasing ids; a deal needs a title; the accessors show what was created", async (t) => {
  const { standIn, call } = await pipedrive(t);
  const org = await call("POST", "/organizations", { name: "Acme" });
  t.is(org.status, 200);
  t.like(org.body, { success: true, data: { id: 1, name: "Acme" } });
  t.is((await call("POST", "/organizations", { name: "Globex" })).body.data.id, 2);

  const person = await call("POST", "/persons", { name: "Ada", org_id: 1, emails: [{ value: "ada@example.com", primary: true, label: "work" }] });
  t.like(person.body.data, { id: 1, name: "Ada", org_id: 1, emails: [{ value: "ada@example.com", primary: true, label: "work" }] });

  const deal = await call("POST", "/deals", { title: "Badge sync", person_id: 1, org_id: 1, value: 1200, currency: "EUR", status: "open", custom_fields: { abc123: "ext-1" } });
  t.like(deal.body, { success: true, data: { id: 1, title: "Badge sync", person_id: 1, org_id: 1, value: 1200, currency: "EUR", status: "open", custom_fields: { abc123: "ext-1" } } });
  const second = await call("POST", "/deals", { title: "Defaults" });
  t.like(second.body.data, { id: 2, person_id: null, org_id: null, value: 0, currency: "USD", status: "open", custom_fields: {} });

  const missingTitle = await call("POST", "/deals", { value: 5 });
  t.is(missingTitle.status, 400);
  t.is(missingTitle.body.success, false);
  t.is((await call("POST", "/deals", { title: "x", status: "maybe" })).status, 400);
  t.is((await call("POST", "/deals", { title: "x", org_id: 99 })).status, 400);
  t.is((await call("POST", "/organizations", {})).status, 400);
  t.is((await call("POST", "/persons", { name: "Bob", emails: ["bob@example.com"] })).status, 400);

  t.deepEqual(standIn.organizations().map((o) => o.name), ["Acme", "Globex"]);
  t.deepEqual(standIn.persons().map((p) => p.name), ["Ada"]);
  t.deepEqual(standIn.deals().map((d) => d.title), ["Badge sync", "Defaults"]);
  t.deepEqual(standIn.requests[0]!.body, { name: "Acme" });

  // The extra endpoints a sync needs to update what its search found.
  const patched = await call("PATCH", "/deals/1", { value: 1500, custom_fields: { def456: "x" } });
  t.like(patched.body.data, { id: 1, title: "Badge sync", value: 1500, custom_fields: { abc123: "ext-1", def456: "x" } });
  t.is((await call("GET", "/deals/1")).body.data.value, 1500);
  t.is((await call("GET", "/deals/9")).status, 404);
});

test("GET /deals walks cursor pages; next_cursor is null on the last page; a bad cursor or limit is a 400", async (t) => {
  const { call } = await pipedrive(t);
  for (let i = 1; i <= 7; i++) await call("POST", "/deals", { title: `Deal ${i}` });
  const titles: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: { body: any } = await call("GET", `/deals?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    t.true(res.body.success);
    titles.push(...res.body.data.map((d: { title: string }) => d.title));
    cursor = res.body.additional_data.next_cursor;
    pages++;
  } while (cursor);
  t.is(pages, 3);
  t.deepEqual(titles, [1, 2, 3, 4, 5, 6, 7].map((i) => `Deal ${i}`));

  const all = await call("GET", "/deals");
  t.is(all.body.data.length, 7);
  t.is(all.body.additional_data.next_cursor, null);
  t.is((await call("GET", "/deals?cursor=not-a-cursor")).status, 400);
  t.is((await call("GET", "/deals?limit=501")).status, 400);
  t.is((await call("GET", "/deals?limit=0")).status, 400);
});

test("deal search with exact_match finds the deal by a custom field value, and only whole values", async (t) => {
  const { call } = await pipedrive(t);
  await call("POST", "/organizations", { name: "Acme" });
  await call("POST", "/organizations", { name: "Acme Labs" });
  await call("POST", "/deals", { title: "Badge A", org_id: 1, custom_fields: { hash1: "assertion-42", hash2: 7 } });
  await call("POST", "/deals", { title: "Badge B", org_id: 1, custom_fields: { hash1: "assertion-421" } });
  await call("POST", "/deals", { title: "Badge C", org_id: 2, custom_fields: { hash1: "assertion-42" } });

  const exact = await call("GET", "/deals/search?term=assertion-42&exact_match=true&fields=custom_fields&organization_id=1");
  t.is(exact.status, 200);
  t.is(exact.body.success, true);
  t.deepEqual(
    exact.body.data.items.map((i: any) => [i.item.id, i.item.type, i.item.title]),
    [[1, "deal", "Badge A"]],
  );
  t.is(exact.body.data.items[0].result_score, 1);
  t.like(exact.body.data.items[0].item, { organization: { id: 1, name: "Acme" }, custom_fields: ["assertion-42"] });
  t.is(exact.body.additional_data.next_cursor, null);

  const anyOrg = await call("GET", "/deals/search?term=assertion-42&exact_match=true&fields=title,custom_fields");
  t.deepEqual(anyOrg.body.data.items.map((i: any) => i.item.id), [1, 3]);
  // Not exact: substrings match too, the whole value scoring highest.
  const loose = await call("GET", "/deals/search?term=assertion-42&fields=custom_fields");
  t.deepEqual(loose.body.data.items.map((i: any) => i.item.id), [1, 3, 2]);
  // A number-valued custom field matches its text; a title only when asked for.
  t.deepEqual((await call("GET", "/deals/search?term=7&exact_match=true&fields=custom_fields")).body.data.items.map((i: any) => i.item.id), [1]);
  t.deepEqual((await call("GET", "/deals/search?term=badge a&exact_match=true&fields=title")).body.data.items.map((i: any) => i.item.id), [1]);
  t.deepEqual((await call("GET", "/deals/search?term=Badge A&exact_match=true&fields=custom_fields")).body.data.items, []);

  // term: 2 characters at least, 1 with exact_match.
  t.is((await call("GET", "/deals/search?term=7")).status, 400);
  t.is((await call("GET", "/deals/search?term=&exact_match=true")).status, 400);
  t.is((await call("GET", "/deals/search?term=ab&fields=nope")).status, 400);

  const orgs = await call("GET", "/organizations/search?term=acme&exact_match=true&fields=name");
  t.deepEqual(orgs.body.data.items.map((i: any) => [i.item.id, i.item.type, i.item.name]), [[1, "organization", "Acme"]]);
  t.deepEqual((await call("GET", "/organizations/search?term=Acme&fields=name")).body.data.items.map((i: any) => i.item.id), [1, 2]);
  t.is((await call("GET", "/organizations/search?term=A&fields=name")).status, 400);
  t.is((await call("GET", "/organizations/search?term=A&exact_match=true&fields=name")).status, 200);
});

test("over the burst window: 429 with Retry-After in seconds, then requests succeed once the window has passed", async (t) => {
  const { standIn, call } = await pipedrive(t, { burst: { requests: 3, windowMs: 500 } });
  for (let i = 0; i < 3; i++) t.is((await call("GET", "/deals")).status, 200);
  const limited = await call("GET", "/deals");
  t.is(limited.status, 429);
  t.is(limited.headers.get("retry-after"), "1");
  t.is(limited.body.success, false);
  t.is((await call("POST", "/deals", { title: "refused" })).status, 429);
  t.deepEqual(standIn.deals(), []);
  await new Promise((resolve) => setTimeout(resolve, 550));
  t.is((await call("GET", "/deals")).status, 200);
});

test("failNext answers matching requests with the injected response, then the real logic resumes", async (t) => {
  const { standIn, call } = await pipedrive(t);
  standIn.failNext(2, { status: 503, headers: { "retry-after": "2" }, body: { success: false, error: "maintenance" } }, (req) => req.method === "POST" && req.path === "/api/v2/deals");
  t.is((await call("GET", "/deals")).status, 200); // does not match
  const first = await call("POST", "/deals", { title: "A" });
  t.is(first.status, 503);
  t.is(first.headers.get("retry-after"), "2");
  t.deepEqual(first.body, { success: false, error: "maintenance" });
  t.is((await call("POST", "/deals", { title: "A" })).status, 503);
  t.is((await call("POST", "/deals", { title: "A" })).status, 200);
  t.deepEqual(standIn.deals().map((d) => d.title), ["A"]);
  // Injected before auth: a failure answers whatever the request carries.
  standIn.failNext(1, { status: 429, body: { success: false, error: "Too many requests" } });
  t.is((await call("GET", "/deals", undefined, {})).status, 429);
  t.deepEqual(
    standIn.requests.map((r) => `${r.method} ${r.status}`),
    ["GET 200", "POST 503", "POST 503", "POST 200", "GET 429"],
  );
  t.deepEqual(standIn.requests[1]!.body, { title: "A" });
});

test("search lags behind the database by searchLagMs: a new deal or organization is listed at once and found by search only later", async (t) => {
  const { standIn, call } = await pipedrive(t, { searchLagMs: 60_000 });
  const org = (await call("POST", "/organizations", { name: "Lagging" })).body.data;
  await call("POST", "/deals", { title: "t", org_id: org.id, custom_fields: { k: "https://gist.github.com/x/1" } });
  t.deepEqual((await call("GET", `/deals?org_id=${org.id}`)).body.data.map((d: { id: number }) => d.id), [1], "the listing reads the database");
  t.deepEqual((await call("GET", "/organizations")).body.data.map((o: { name: string }) => o.name), ["Lagging"]);
  t.deepEqual((await call("GET", "/deals/search?term=https%3A%2F%2Fgist.github.com%2Fx%2F1&exact_match=true&fields=custom_fields")).body.data.items, [], "not indexed yet");
  t.deepEqual((await call("GET", "/organizations/search?term=Lagging&exact_match=true&fields=name")).body.data.items, []);
  // Once the index catches up (here: the lag shortened to nothing), search finds both.
  standIn.setSearchLag(0);
  t.is((await call("GET", "/deals/search?term=https%3A%2F%2Fgist.github.com%2Fx%2F1&exact_match=true&fields=custom_fields")).body.data.items.length, 1);
  t.is((await call("GET", "/organizations/search?term=Lagging&exact_match=true&fields=name")).body.data.items.length, 1);
});

test("GET /organizations pages the database by sort_by and sort_direction; a bad sort is a 400", async (t) => {
  const { call } = await pipedrive(t);
  for (const name of ["a", "b", "c"]) await call("POST", "/organizations", { name });
  t.deepEqual((await call("GET", "/organizations?sort_by=id&sort_direction=desc")).body.data.map((o: { name: string }) => o.name), ["c", "b", "a"]);
  const first = (await call("GET", "/organizations?limit=2")).body;
  t.deepEqual(first.data.map((o: { name: string }) => o.name), ["a", "b"]);
  t.deepEqual((await call("GET", `/organizations?limit=2&cursor=${first.additional_data.next_cursor}`)).body.data.map((o: { name: string }) => o.name), ["c"]);
  t.is((await call("GET", "/organizations?sort_by=name")).status, 400);
});

test("dropAfterCommit: the create happens, the client gets no answer, the next request is answered", async (t) => {
  const { standIn, call } = await pipedrive(t);
  standIn.dropAfterCommit(1, (r) => r.method === "POST");
  await t.throwsAsync(call("POST", "/organizations", { name: "Ghost" }));
  t.deepEqual(standIn.organizations().map((o) => o.name), ["Ghost"], "committed");
  t.is(standIn.requests.at(-1)!.status, 0, "recorded as dropped");
  t.is((await call("POST", "/organizations", { name: "Seen" })).status, 200);
});
