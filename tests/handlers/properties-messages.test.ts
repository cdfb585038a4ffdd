// Property-based tests of the MessageApi's routes in-process against DynamoDB Local: generated
// bodies, queries, path segments and headers. Every answer is a 2xx or a 4xx problem+json; a 4xx
// (and every read) changes no table; a stored message reads back as the create answered it.
import test from "ava";
import fc from "fast-check";
import { createMessageHandler, getMessageHandler, listMessagesHandler, messageDeps } from "../../handlers/messages/handlers";
import { MESSAGE_MAX_LENGTH } from "../../handlers/messages/schemas";
import { messageTable } from "../../handlers/messages/table";
import { anyContentType, anyHeaders, anyJson, anyPathSegment, anyQuery, anyRawBody, anyText, textOfLength } from "../harness/arbitraries";
import { freshTable, useLocalEmulators } from "../harness/dynamodb";
import { StatusTally, checkProperty, encodeSegment, expectAnswer, expectSame, expectUnchanged, generatedEvent, isSuccess, tablesSnapshot } from "../harness/properties";

const local = useLocalEmulators(test);

async function api() {
  const table = await freshTable(local.ddb, messageTable, "msgs");
  const deps = messageDeps("test", table);
  const handlers = { create: createMessageHandler(deps), list: listMessagesHandler(deps), get: getMessageHandler(deps) };
  const snapshot = () => tablesSnapshot(local.ddb.client, [table]);
  // A few messages to list and find.
  const seeded = await Promise.all(["one", "two", "three"].map((m) => deps.store.create(m)));
  return { deps, handlers, snapshot, seeded };
}

/** What a message body may be: the valid shape with its field replaced by tricky values, or anything. */
const messageBody = fc.oneof(
  { weight: 3, arbitrary: fc.record({ message: fc.oneof(anyText(), textOfLength(MESSAGE_MAX_LENGTH - 2, MESSAGE_MAX_LENGTH + 2), anyJson()) }).map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.record({ message: anyText(), extra: anyJson() }, { requiredKeys: ["message"] }).map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: anyRawBody() },
);

/** What the text rule stores for a message (multiline, untrimmed): CRLF as LF, NFC. */
const storedText = (text: string) => text.replace(/\r\n/g, "\n").normalize("NFC");

test("POST /messages: any body and headers get a 2xx or a 4xx problem; a 4xx writes nothing; a 201 reads back", async (t) => {
  const a = await api();
  const statuses = new StatusTally();
  await checkProperty(
    t,
    fc.asyncProperty(messageBody, anyContentType(), anyHeaders(), async (body, contentType, headers) => {
      const before = await a.snapshot();
      const answer = expectAnswer(await a.handlers.create(generatedEvent({ method: "POST", path: "/messages", routeKey: "POST /messages", body, headers: { ...headers, "content-type": contentType } })), statuses);
      if (!isSuccess(answer)) return expectUnchanged(before, await a.snapshot(), `a ${answer.status}`);
      if (answer.status !== 201) throw new Error(`a ${answer.status} for a create`);
      const sent = JSON.parse(Buffer.isBuffer(body) ? body.toString("utf8") : body) as { message: string };
      expectSame(answer.body.message, storedText(sent.message), "the stored message");
      const read = expectAnswer(await a.handlers.get(generatedEvent({ method: "GET", path: `/messages/${answer.body.id}`, routeKey: "GET /messages/{id}", pathParameters: { id: answer.body.id } })));
      expectSame(read.body, answer.body, "GET /messages/{id} after the create");
    }),
    100,
    { statuses },
  );
});

test("GET /messages: any query gets a 2xx or a 4xx problem and changes nothing; a count or page matches the table", async (t) => {
  const a = await api();
  const everything = (await a.deps.store.list(100)).items;
  const statuses = new StatusTally();
  await checkProperty(
    t,
    fc.asyncProperty(anyQuery(), anyHeaders(), async (query, headers) => {
      const before = await a.snapshot();
      const answer = expectAnswer(await a.handlers.list(generatedEvent({ method: "GET", path: "/messages", routeKey: "GET /messages", query, headers })), statuses);
      expectUnchanged(before, await a.snapshot(), `GET /messages (${answer.status})`);
      if (!isSuccess(answer)) return;
      if ("count" in answer.body) return expectSame(answer.body, { count: everything.length }, "the count");
      const ids = new Set(everything.map((m) => m.id));
      for (const item of answer.body.items) if (!ids.has(item.id)) throw new Error(`a page lists ${item.id}, which is not stored`);
      expectSame(answer.body.items, everything.filter((m) => answer.body.items.some((i: { id: string }) => i.id === m.id)), "a page's messages");
    }),
    60,
    { statuses },
  );
});

test("GET /messages/{id}: any path segment gets a 2xx or a 4xx problem and changes nothing; a 200 is the stored message", async (t) => {
  const a = await api();
  const segment = fc.oneof(anyPathSegment(), fc.constantFrom(...a.seeded.map((m) => m.id)), fc.constantFrom(...a.seeded.map((m) => m.id.toUpperCase())));
  const statuses = new StatusTally();
  await checkProperty(
    t,
    fc.asyncProperty(segment, anyQuery(), anyHeaders(), async (id, query, headers) => {
      const before = await a.snapshot();
      const answer = expectAnswer(await a.handlers.get(generatedEvent({ method: "GET", path: `/messages/${encodeSegment(id)}`, routeKey: "GET /messages/{id}", pathParameters: { id }, query, headers })), statuses);
      expectUnchanged(before, await a.snapshot(), `GET /messages/{id} (${answer.status})`);
      if (!isSuccess(answer)) return;
      expectSame(answer.body, a.seeded.find((m) => m.id === id.toLowerCase()), "the message found");
    }),
    60,
    { statuses },
  );
});
