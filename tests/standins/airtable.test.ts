// The Airtable stand-in against the contract: PAT auth, pageSize/offset walks, fields[] and sort,
// expired offsets (422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE), the per-base limit and its penalty
// window (short here), and failNext.
import test from "ava";
import { startAirtableStandIn, type AirtableStandInOptions } from "../../local/standins/airtable";

const BASE = "appTestBase0000001";

/** A stand-in; the per-base limit is lifted unless a test is about it. */
async function airtable(t: { teardown(fn: () => Promise<void>): void }, options: AirtableStandInOptions = {}) {
  const standIn = await startAirtableStandIn({ perBasePerSecond: 1000, perTokenPerSecond: 1000, ...options });
  t.teardown(() => standIn.close());
  const list = async (table: string, query = "", token = options.token ?? "test-pat", base = BASE) => {
    const res = await fetch(`${standIn.url}/v0/${base}/${encodeURIComponent(table)}${query ? `?${query}` : ""}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  return { standIn, list };
}

const people = (n: number) => Array.from({ length: n }, (_, i) => ({ fields: { Name: `Person ${String(i + 1).padStart(3, "0")}`, Email: `p${i + 1}@example.com`, Score: i % 4 } }));

test("the PAT is required: no or a wrong bearer token is a 401 AUTHENTICATION_REQUIRED", async (t) => {
  const { standIn, list } = await airtable(t, { token: "pat-secret" });
  standIn.setRecords(BASE, "People", people(1));
  for (const token of ["", "wrong"]) {
    const res = await list("People", "", token);
    t.is(res.status, 401);
    t.is(res.body.error.type, "AUTHENTICATION_REQUIRED");
    t.is(typeof res.body.error.message, "string");
  }
  t.is((await list("People", "", "pat-secret")).status, 200);
  t.is((await list("Nope", "", "pat-secret")).status, 404);
});

test("a listing walks pages of pageSize by offset; the last page has no offset; records keep their ids and createdTime", async (t) => {
  const { standIn, list } = await airtable(t);
  const stored = standIn.setRecords(BASE, "People", [...people(249), { id: "recFixedId0000001", createdTime: "2026-01-02T03:04:05.000Z", fields: { Name: "Fixed" } }]);
  t.is(stored.length, 250);
  t.regex(stored[0]!.id, /^rec[A-Za-z0-9]{14}$/);
  t.deepEqual(standIn.records(BASE, "People"), stored);

  const seen: string[] = [];
  const sizes: number[] = [];
  let offset: string | undefined;
  let lastBody: any;
  do {
    const res: { status: number; body: any } = await list("People", offset ? `offset=${encodeURIComponent(offset)}` : "");
    t.is(res.status, 200);
    seen.push(...res.body.records.map((r: { id: string }) => r.id));
    sizes.push(res.body.records.length);
    offset = res.body.offset;
    lastBody = res.body;
  } while (offset);
  t.deepEqual(sizes, [100, 100, 50]); // pageSize defaults to 100
  t.false("offset" in lastBody);
  t.deepEqual(seen, stored.map((r) => r.id));

  const small = await list("People", "pageSize=2");
  t.deepEqual(Object.keys(small.body).sort(), ["offset", "records"]);
  t.regex(small.body.offset, /^itr[A-Za-z0-9]{14}\/rec[A-Za-z0-9]{14}$/);
  t.deepEqual(small.body.records[0], { id: stored[0]!.id, createdTime: stored[0]!.createdTime, fields: { Name: "Person 001", Email: "p1@example.com", Score: 0 } });
  const exactFit = await list("People", "pageSize=50&offset=" + encodeURIComponent((await list("People", "pageSize=100")).body.offset));
  t.is(exactFit.body.records.length, 50);
  t.is(exactFit.body.records[0].id, stored[100]!.id);
  t.deepEqual((await list("People", "pageSize=101")).body.error.type, "INVALID_REQUEST_UNKNOWN");
  t.is((await list("People", "pageSize=0")).status, 422);
  t.is((await list("People", "offset=itrMadeUp/recMadeUp")).body.error.type, "INVALID_OFFSET_VALUE");
});

test("fields[] limits the returned fields; sort orders the listing; filterByFormula and view are accepted", async (t) => {
  const { standIn, list } = await airtable(t);
  standIn.setRecords(BASE, "Badges Table", people(6));
  const res = await list("Badges Table", "fields%5B%5D=Name&fields%5B%5D=Score&sort%5B0%5D%5Bfield%5D=Score&sort%5B0%5D%5Bdirection%5D=desc&sort%5B1%5D%5Bfield%5D=Name&filterByFormula=NOT(%7BEmail%7D%3D'')&view=Grid%20view");
  t.is(res.status, 200);
  t.deepEqual(
    res.body.records.map((r: any) => r.fields),
    [
      { Name: "Person 004", Score: 3 },
      { Name: "Person 003", Score: 2 },
      { Name: "Person 002", Score: 1 },
      { Name: "Person 006", Score: 1 },
      { Name: "Person 001", Score: 0 },
      { Name: "Person 005", Score: 0 },
    ],
  );
  t.deepEqual(standIn.requests[0]!.query["fields[]"], ["Name", "Score"]);
  t.is(standIn.requests[0]!.query.filterByFormula, "NOT({Email}='')");
  t.is((await list("Badges Table", "sort%5B0%5D%5Bfield%5D=Score&sort%5B0%5D%5Bdirection%5D=up")).status, 422);
});

test("expireOffsets: every offset handed out answers 422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE; a fresh listing works", async (t) => {
  const { standIn, list } = await airtable(t);
  standIn.setRecords(BASE, "People", people(5));
  const first = await list("People", "pageSize=2");
  const again = await list("People", `pageSize=2&offset=${encodeURIComponent(first.body.offset)}`);
  t.is(again.status, 200);
  // The same offset can be asked for again (a retried page) until it expires.
  t.deepEqual((await list("People", `pageSize=2&offset=${encodeURIComponent(first.body.offset)}`)).body, again.body);
  standIn.expireOffsets();
  for (const offset of [first.body.offset, again.body.offset]) {
    const res = await list("People", `pageSize=2&offset=${encodeURIComponent(offset)}`);
    t.is(res.status, 422);
    t.is(res.body.error.type, "LIST_RECORDS_ITERATOR_NOT_AVAILABLE");
    t.is(typeof res.body.error.message, "string");
  }
  const restarted = await list("People", "pageSize=2");
  t.is((await list("People", `pageSize=2&offset=${encodeURIComponent(restarted.body.offset)}`)).status, 200);
});

test("offsetTtlMs: offsets older than the TTL expire on their own", async (t) => {
  const { standIn, list } = await airtable(t, { offsetTtlMs: 300 });
  standIn.setRecords(BASE, "People", people(3));
  const first = await list("People", "pageSize=1");
  t.is((await list("People", `pageSize=1&offset=${encodeURIComponent(first.body.offset)}`)).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 350));
  t.is((await list("People", `pageSize=1&offset=${encodeURIComponent(first.body.offset)}`)).body.error.type, "LIST_RECORDS_ITERATOR_NOT_AVAILABLE");
});

test("more than 5 requests in a second for a base: 429, and 429 for the whole penalty window; other bases are not affected", async (t) => {
  const { standIn, list } = await airtable(t, { perBasePerSecond: undefined, perTokenPerSecond: undefined, penaltyMs: 600 }); // the default limits
  standIn.setRecords(BASE, "People", people(1));
  standIn.setRecords("appOtherBase000001", "People", people(1));
  for (let i = 0; i < 5; i++) t.is((await list("People")).status, 200);
  const limited = await list("People");
  t.is(limited.status, 429);
  t.is(limited.body.error.type, "RATE_LIMIT_REACHED");
  t.is((await list("People", "", "test-pat", "appOtherBase000001")).status, 200);
  // Still inside the penalty (well after the 1 s window would have allowed requests again, in a real run of 30 s).
  await new Promise((resolve) => setTimeout(resolve, 250));
  t.is((await list("People")).status, 429);
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.is((await list("People")).status, 200);
});

test("the token limit counts requests to every base", async (t) => {
  const { standIn, list } = await airtable(t, { perTokenPerSecond: 3, penaltyMs: 300 });
  const bases = ["appBase00000000001", "appBase00000000002", "appBase00000000003", "appBase00000000004"];
  for (const base of bases) standIn.setRecords(base, "People", people(1));
  const statuses: number[] = [];
  for (const base of bases) statuses.push((await list("People", "", "test-pat", base)).status);
  t.deepEqual(statuses, [200, 200, 200, 429]);
  t.is((await list("People", "", "test-pat", bases[0])).status, 429); // the token's penalty covers every base
});

test("the penalty lasts penaltyMs even though the 1 s window empties sooner", async (t) => {
  const { standIn, list } = await airtable(t, { perBasePerSecond: 5, penaltyMs: 1500 });
  standIn.setRecords(BASE, "People", people(1));
  for (let i = 0; i < 5; i++) await list("People");
  t.is((await list("People")).status, 429);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  t.is((await list("People")).status, 429);
  await new Promise((resolve) => setTimeout(resolve, 450));
  t.is((await list("People")).status, 200);
});

test("failNext: injected answers come first and do not consume the rate limit", async (t) => {
  const { standIn, list } = await airtable(t, { perBasePerSecond: 5 });
  standIn.setRecords(BASE, "People", people(1));
  standIn.failNext(3, { status: 503, body: { error: { type: "SERVICE_UNAVAILABLE", message: "try later" } } });
  for (let i = 0; i < 3; i++) t.is((await list("People")).status, 503);
  for (let i = 0; i < 5; i++) t.is((await list("People")).status, 200);
  t.deepEqual(
    standIn.requests.map((r) => r.status),
    [503, 503, 503, 200, 200, 200, 200, 200],
  );
  t.is(standIn.requests[0]!.headers.authorization, "Bearer test-pat");
});
