// The MessageApi handlers in-process against DynamoDB Local: create / get / count / list, exact
// counts under concurrency, and bad input on every route (4xx problem+json, nothing written).
import test from "ava";
import { createMessageHandler, getMessageHandler, listMessagesHandler, messageDeps, type MessageDeps } from "../../handlers/messages/handlers";
import { MESSAGE_MAX_LENGTH } from "../../handlers/messages/schemas";
import { messageTable } from "../../handlers/messages/table";
import { FRIENDLY_TEXT, HOSTILE_TEXT } from "../fixtures/hostile-text";
import { freshTable, useLocalEmulators } from "../harness/dynamodb";
import { apiEvent, jsonEvent, parseResult } from "../harness/http";

const local = useLocalEmulators(test);

/** Handlers over a table of their own, so tests can run concurrently. */
async function api() {
  const table = await freshTable(local.ddb, messageTable, "msgs");
  const deps: MessageDeps = messageDeps("test", table);
  const create = createMessageHandler(deps);
  const list = listMessagesHandler(deps);
  const get = getMessageHandler(deps);
  return {
    post: async (body: unknown) => parseResult(await create(jsonEvent("POST", "/messages", body))),
    postRaw: async (body: string | Buffer, headers: Record<string, string> = {}) => parseResult(await create(apiEvent("POST", "/messages", { body, headers }))),
    list: async (query = "") => parseResult(await list(apiEvent("GET", `/messages${query}`))),
    get: async (id: string) => parseResult(await get(apiEvent("GET", `/messages/${id}`, { routeKey: "GET /messages/{id}", pathParameters: { id } }))),
    count: async () => parseResult(await list(apiEvent("GET", "/messages"))).body.count as number,
  };
}

test("POST stores a message; GET by id returns it; count and list see it", async (t) => {
  const a = await api();
  const created = await a.post({ message: "hello, switchyard" });
  t.is(created.status, 201);
  t.regex(created.body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.is(created.body.message, "hello, switchyard");
  t.true(Math.abs(Date.parse(created.body.createdAt) - Date.now()) < 60_000);
  t.is(created.headers.location, `/messages/${created.body.id}`);

  const fetched = await a.get(created.body.id);
  t.is(fetched.status, 200);
  t.deepEqual(fetched.body, created.body);
  t.is(await a.count(), 1);
  const page = await a.list("?limit=10");
  t.deepEqual(page.body, { items: [created.body], nextCursor: null });
});

test("concurrent POSTs: every one stored, count exact, pages newest first without gaps or repeats", async (t) => {
  const a = await api();
  const N = 60;
  const results = await Promise.all(Array.from({ length: N }, (_, i) => a.post({ message: `message ${i}` })));
  t.deepEqual(results.map((r) => r.status), Array(N).fill(201));
  t.is(await a.count(), N);

  const seen: { id: string; createdAt: string }[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await a.list(cursor ? `?limit=7&cursor=${cursor}` : "?limit=7");
    t.is(page.status, 200);
    t.true(page.body.items.length <= 7);
    seen.push(...page.body.items);
    cursor = page.body.nextCursor;
    pages++;
  } while (cursor);
  t.true(pages >= Math.ceil(N / 7));
  t.is(new Set(seen.map((m) => m.id)).size, N);
  t.deepEqual(seen.map((m) => m.id).sort(), results.map((r) => r.body.id as string).sort());
  const order = seen.map((m) => m.createdAt);
  t.deepEqual(order, [...order].sort().reverse(), "newest first");
  const ids = seen.map((m) => m.id);
  t.deepEqual(ids, [...ids].sort().reverse(), "UUIDv7 ids sort by time: the list is in id order");
});

test("a page that ends exactly on the last item has no cursor; one item more gives a cursor to a page with just it", async (t) => {
  const a = await api();
  for (let i = 0; i < 3; i++) await a.post({ message: `message ${i}` });
  const exact = await a.list("?limit=3");
  t.is(exact.body.items.length, 3);
  t.is(exact.body.nextCursor, null);

  await a.post({ message: "message 3" });
  const first = await a.list("?limit=3");
  t.is(first.body.items.length, 3);
  t.is(typeof first.body.nextCursor, "string");
  const rest = await a.list(`?limit=3&cursor=${first.body.nextCursor}`);
  t.deepEqual(rest.body.items.map((m: any) => m.message), ["message 0"]);
  t.is(rest.body.nextCursor, null);
});

test("count is 0 on an empty store, and an empty page has no cursor", async (t) => {
  const a = await api();
  t.is(await a.count(), 0);
  t.deepEqual((await a.list("?limit=5")).body, { items: [], nextCursor: null });
});

test("a base64-encoded body (as API Gateway may send it) is accepted", async (t) => {
  const event = jsonEvent("POST", "/messages", { message: "encoded" });
  event.body = Buffer.from(event.body!, "utf8").toString("base64");
  event.isBase64Encoded = true;
  const created = parseResult(await createMessageHandler(messageDeps("t", await freshTable(local.ddb, messageTable)))(event));
  t.is(created.status, 201);
  t.is(created.body.message, "encoded");
});

const badPosts: [string, () => [string | Buffer, Record<string, string>?], number, string][] = [
  ["wrong content type", () => ['{"message":"x"}', { "content-type": "text/plain" }], 415, "unsupported-media-type"],
  ["no content type", () => ['{"message":"x"}', { "content-type": "" }], 415, "unsupported-media-type"],
  ["malformed JSON", () => ['{"message": "x"', {}], 400, "malformed-json"],
  ["empty body", () => ["", {}], 400, "malformed-json"],
  ["oversized body", () => [JSON.stringify({ message: "x".repeat(20_000) }), {}], 413, "payload-too-large"],
  ["missing field", () => ["{}", {}], 400, "validation-failed"],
  ["extra field", () => ['{"message":"x","admin":true}', {}], 400, "validation-failed"],
  ["mistyped field", () => ['{"message":42}', {}], 400, "validation-failed"],
  ["null message", () => ['{"message":null}', {}], 400, "validation-failed"],
  ["blank message", () => ['{"message":"   "}', {}], 400, "validation-failed"],
  ["too long message", () => [JSON.stringify({ message: "y".repeat(MESSAGE_MAX_LENGTH + 1) }), {}], 400, "validation-failed"],
  ["array body", () => ['[{"message":"x"}]', {}], 400, "validation-failed"],
  ["JSON null body", () => ["null", {}], 400, "validation-failed"],
];

for (const [name, make, status, type] of badPosts) {
  test(`POST /messages rejects ${name} with ${status} ${type} and writes nothing`, async (t) => {
    const a = await api();
    const [body, headers] = make();
    const result = await a.postRaw(body, headers);
    t.is(result.status, status);
    t.is(result.headers["content-type"], "application/problem+json");
    t.is(result.body.type, `urn:switchyard:problem:${type}`);
    t.is(result.body.status, status);
    t.is(typeof result.body.detail, "string");
    t.is(await a.count(), 0);
    t.deepEqual((await a.list("?limit=5")).body.items, []);
  });
}

test("POST errors name the offending field", async (t) => {
  const a = await api();
  const extra = await a.post({ message: "x", admin: true });
  t.deepEqual(extra.body.errors, [{ pointer: "#/admin", detail: "unknown field" }]);
  const typed = await a.post({ message: 42 });
  t.is(typed.body.errors[0].pointer, "#/message");
  const exact = await a.post({ message: "z".repeat(MESSAGE_MAX_LENGTH) });
  t.is(exact.status, 201, "the limit itself is allowed");
});

test("text a person cannot see or that would garble pages, mails and terminals is a 400 naming the field; nothing is stored", async (t) => {
  const a = await api();
  for (const { name, text, problem } of HOSTILE_TEXT) {
    const refused = await a.post({ message: text });
    t.is(refused.status, 400, name);
    t.is(refused.body.errors.length, 1, name);
    t.is(refused.body.errors[0].pointer, "#/message", name);
    t.regex(refused.body.errors[0].detail, problem, name);
  }
  // Bytes that are not UTF-8 are refused, not stored as U+FFFD.
  const bytes = Buffer.concat([Buffer.from('{"message":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
  const invalid = await a.postRaw(bytes, { "content-type": "application/json" });
  t.is(invalid.status, 400);
  t.is(invalid.body.type, "urn:switchyard:problem:malformed-json");
  t.regex(invalid.body.detail, /not valid UTF-8/);
  t.is(await a.count(), 0, "nothing stored");
  for (const { name, text, stored } of FRIENDLY_TEXT) t.is((await a.post({ message: text })).body.message, stored, name);
  t.is((await a.post({ message: "two\r\nlines" })).body.message, "two\nlines", "a message may have lines");
});

for (const [query, type] of [
  ["?limit=0", "validation-failed"],
  ["?limit=101", "validation-failed"],
  ["?limit=abc", "validation-failed"],
  ["?limit=2.5", "validation-failed"],
  ["?limit=-1", "validation-failed"],
  ["?sort=asc", "validation-failed"],
  ["?cursor=not-a-cursor!", "invalid-cursor"],
  [`?cursor=${Buffer.from("messages").toString("base64url")}`, "invalid-cursor"],
  [`?cursor=${Buffer.from('{"pk":{"S":"COUNT"}}').toString("base64url")}`, "invalid-cursor"],
  [`?cursor=${Buffer.from("3b241101-e2bb-4255-8caf-4136c566a962").toString("base64url")}`, "invalid-cursor"],
] as const) {
  test(`GET /messages${query} is a 400 ${type}`, async (t) => {
    const a = await api();
    await a.post({ message: "one" });
    const result = await a.list(query);
    t.is(result.status, 400);
    t.is(result.headers["content-type"], "application/problem+json");
    t.is(result.body.type, `urn:switchyard:problem:${type}`);
    t.is(await a.count(), 1);
  });
}

test("GET /messages/{id}: malformed id is 400, unknown id is 404, upper-case id finds the message", async (t) => {
  const a = await api();
  const created = await a.post({ message: "find me" });
  const bad = await a.get("not-a-uuid");
  t.is(bad.status, 400);
  t.is(bad.body.type, "urn:switchyard:problem:validation-failed");
  t.is(bad.body.errors[0].pointer, "#/path/id");
  const missing = await a.get("3b241101-e2bb-4255-8caf-4136c566a962");
  t.is(missing.status, 404);
  t.is(missing.body.type, "urn:switchyard:problem:not-found");
  t.is(missing.headers["content-type"], "application/problem+json");
  t.is((await a.get(created.body.id.toUpperCase())).body.id, created.body.id);
});
