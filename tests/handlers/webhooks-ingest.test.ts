// WebhookIngest's ingest, projector and read handlers in-process against DynamoDB Local (its stream
// feeding the projector): signatures, schema, stored-once, out-of-order reschedules, the read API.
import test, { type ExecutionContext } from "ava";
import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import { projectAndBroadcastHandler } from "../../handlers/webhooks/live";
import { startStreamPoller } from "../../local/emulators/dynamodb-stream-poller";
import { ingestHandler, type IngestDeps } from "../../handlers/webhooks/ingest";
import { createCalendlySource } from "../../handlers/webhooks/calendly";
import { listMeetingsHandler, meetingEventsHandler, readDeps } from "../../handlers/webhooks/read";
import { EventStore } from "../../handlers/webhooks/event-store";
import { MeetingStore } from "../../handlers/webhooks/meeting-store";
import { connectionsTable, meetingsTable, webhookEventsTable } from "../../handlers/webhooks/tables";
import { createObservability } from "../../handlers/shared/observability";
import { useLocalAws } from "../../local/emulators/aws-env";
import { inviteeEvent, newBooking, signedDelivery, type Booking } from "../harness/calendly";
import { freshTable, startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";

const KEY = "test-signing-key";
let ddb: DynamoDbLocal;
test.before(async () => {
  ddb = await startDynamoDbLocal();
  useLocalAws({ dynamodb: ddb.endpoint });
});
test.after.always(async () => ddb?.stop());

/**
 * Ingest and read handlers over tables of their own, with the meetings projector consuming the
 * events stream as the stack wires it; every call waits until the projection has caught up.
 */
async function webhooks(t: ExecutionContext, options: Partial<IngestDeps> = {}) {
  const tables = { eventsTable: await freshTable(ddb, webhookEventsTable, "events"), meetingsTable: await freshTable(ddb, meetingsTable, "meetings") };
  const connections = await freshTable(ddb, connectionsTable, "connections");
  const projector = await startStreamPoller({
    client: ddb.client,
    endpoint: ddb.endpoint,
    tableName: tables.eventsTable,
    handler: projectAndBroadcastHandler({
      db: ddb.client,
      connectionsTable: connections,
      meetings: new MeetingStore(ddb.client, tables.meetingsTable),
      management: new ApiGatewayManagementApiClient({ endpoint: "http://127.0.0.1:9" }), // no connections: never called
      obs: createObservability("test"),
    }),
  });
  t.teardown(() => projector.stop());
  const reads = readDeps("test", tables);
  const ingest = ingestHandler({
    source: createCalendlySource(),
    events: new EventStore(ddb.client, tables.eventsTable),
    obs: createObservability("test"),
    signingKey: async () => KEY,
    toleranceSeconds: 180,
    ...options,
  });
  const list = listMeetingsHandler(reads);
  const history = meetingEventsHandler(reads);
  const settled = async <T,>(result: T) => (await projector.idle(), result);
  return {
    send: async (event: ReturnType<typeof signedDelivery>) => settled(parseResult(await ingest(event))),
    deliver: async (body: unknown) => settled(parseResult(await ingest(signedDelivery(body, { key: KEY })))),
    meetings: async (query = "") => parseResult(await list(apiEvent("GET", `/meetings${query}`))),
    history: async (id: string, query = "") =>
      parseResult(await history(apiEvent("GET", `/meetings/${id}/events${query}`, { routeKey: "GET /meetings/{id}/events", pathParameters: { id } }))),
  };
}

test("a signed invitee.created is stored, answered 201 with its id, and shows up as an active meeting", async (t) => {
  const w = await webhooks(t);
  const booking = newBooking();
  const result = await w.deliver(inviteeEvent("invitee.created", booking));
  t.is(result.status, 201);
  t.regex(result.body.id, /^[0-9a-f]{32}$/);
  t.false(result.body.duplicate);
  const { body } = await w.meetings();
  t.is(body.items.length, 1);
  t.like(body.items[0], { id: booking.meetingId, name: "Intro call", status: "active", startTime: "2026-12-01T15:00:00.000Z" });
  t.deepEqual(body.items[0].invitees.map((i: any) => [i.name, i.email, i.status]), [["Jane Doe", "j***@example.com", "active"]]);
  const history = await w.history(booking.meetingId);
  t.deepEqual(history.body.items.map((e: any) => [e.id, e.type]), [[result.body.id, "invitee.created"]]);
});

test("a repeated delivery is stored once and answered 200 with the same id", async (t) => {
  const w = await webhooks(t);
  const booking = newBooking();
  const body = inviteeEvent("invitee.created", booking);
  const first = await w.deliver(body);
  const again = await w.deliver(body);
  const third = await w.send(signedDelivery(body, { key: KEY, at: Math.floor(Date.now() / 1000) - 60 }));
  t.is(first.status, 201);
  t.deepEqual([again.status, again.body], [200, { id: first.body.id, duplicate: true }]);
  t.is(third.body.id, first.body.id, "a retry signed at another time is the same event");
  t.is((await w.history(booking.meetingId)).body.items.length, 1);
});

const signatureCases: [string, (body: string) => ReturnType<typeof signedDelivery>][] = [
  ["signed with another key", (b) => signedDelivery(b, { key: "wrong-key" })],
  ["signed 181 s ago", (b) => signedDelivery(b, { key: KEY, at: Math.floor(Date.now() / 1000) - 181 })],
  ["signed 181 s in the future", (b) => signedDelivery(b, { key: KEY, at: Math.floor(Date.now() / 1000) + 181 })],
  [
    "with a tampered body",
    (b) => {
      const event = signedDelivery(b, { key: KEY });
      event.body = event.body!.replace("Jane Doe", "Mallory");
      return event;
    },
  ],
  [
    "without the signature header",
    (b) => {
      const event = signedDelivery(b, { key: KEY });
      delete event.headers["calendly-webhook-signature"];
      return event;
    },
  ],
  ["with a malformed signature header", (b) => signedDelivery(b, { key: KEY }, { "calendly-webhook-signature": "v1=abc" })],
  ["with a non-hex signature", (b) => signedDelivery(b, { key: KEY }, { "calendly-webhook-signature": `t=${Math.floor(Date.now() / 1000)},v1=${"z".repeat(64)}` })],
];

for (const [name, make] of signatureCases) {
  test(`a delivery ${name} is a 401 problem and stores nothing`, async (t) => {
    const w = await webhooks(t);
    const booking = newBooking();
    const result = await w.send(make(JSON.stringify(inviteeEvent("invitee.created", booking))));
    t.is(result.status, 401);
    t.is(result.headers["content-type"], "application/problem+json");
    t.is(result.body.type, "urn:switchyard:problem:unauthorized");
    t.deepEqual((await w.meetings()).body.items, []);
    t.is((await w.history(booking.meetingId)).status, 404);
  });
}

test("the signature tolerance is configurable", async (t) => {
  const w = await webhooks(t, { toleranceSeconds: 600 });
  const result = await w.send(signedDelivery(inviteeEvent("invitee.created", newBooking()), { key: KEY, at: Math.floor(Date.now() / 1000) - 500 }));
  t.is(result.status, 201);
});

test("a delivery with a second, rotated signature is accepted when either matches", async (t) => {
  const w = await webhooks(t);
  const body = JSON.stringify(inviteeEvent("invitee.created", newBooking()));
  const event = signedDelivery(body, { key: KEY });
  event.headers["calendly-webhook-signature"] = `${event.headers["calendly-webhook-signature"]!.replace("v1=", `v1=${"0".repeat(64)},v1=`)}`;
  t.is((await w.send(event)).status, 201);
});

const schemaCases: [string, () => unknown, string][] = [
  ["malformed JSON", () => '{"event": "invitee.created",', "malformed-json"],
  ["a body that is not an object", () => "[]", "validation-failed"],
  ["no created_at", () => ({ ...inviteeEvent("invitee.created", newBooking()), created_at: undefined }), "validation-failed"],
  ["a payload without email", () => { const e = inviteeEvent("invitee.created", newBooking()); delete (e.payload as any).email; return e; }, "validation-failed"],
  ["an invalid invitee status", () => { const e = inviteeEvent("invitee.created", newBooking()); (e.payload as any).status = "maybe"; return e; }, "validation-failed"],
  ["an invitee URI of the wrong shape", () => { const e = inviteeEvent("invitee.created", newBooking()); e.payload.uri = "https://api.calendly.com/users/x"; return e; }, "validation-failed"],
  ["a start time that is not a time", () => { const e = inviteeEvent("invitee.created", newBooking()); e.payload.scheduled_event.start_time = "soon"; return e; }, "validation-failed"],
];

for (const [name, make, type] of schemaCases) {
  test(`a signed delivery with ${name} is a 400 ${type} and stores nothing`, async (t) => {
    const w = await webhooks(t);
    const body = make();
    const result = await w.deliver(typeof body === "string" ? body : JSON.stringify(body));
    t.is(result.status, 400);
    t.is(result.body.type, `urn:switchyard:problem:${type}`);
    t.deepEqual((await w.meetings()).body.items, []);
  });
}

test("unknown extra fields are accepted; unknown event types are stored raw without touching meetings", async (t) => {
  const w = await webhooks(t);
  const booking = newBooking();
  const extra = await w.deliver(inviteeEvent("invitee.created", booking, { extra: { brand_new_field: { nested: true } } }));
  t.is(extra.status, 201);
  const other = await w.deliver({ event: "routing_form_submission.created", created_at: new Date().toISOString(), created_by: "https://api.calendly.com/users/u", payload: { anything: 1 } });
  t.is(other.status, 201);
  t.is((await w.meetings()).body.items.length, 1);
});

test("a correctly signed body that is not declared JSON is a 415, like every other route, and nothing is stored", async (t) => {
  const w = await webhooks(t);
  const body = inviteeEvent("invitee.created", newBooking());
  for (const type of ["text/plain", "application/x-www-form-urlencoded", ""]) {
    const result = await w.send(signedDelivery(body, { key: KEY }, { "content-type": type }));
    t.is(result.status, 415, type || "no content type");
    t.is(result.body.type, "urn:switchyard:problem:unsupported-media-type");
  }
  t.deepEqual((await w.meetings()).body.items, []);
  t.is((await w.send(signedDelivery(body, { key: KEY }, { "content-type": "application/json; charset=utf-8" }))).status, 201);
});

test("an oversized body is a 413 before anything else", async (t) => {
  const w = await webhooks(t);
  const body = inviteeEvent("invitee.created", newBooking(), { extra: { padding: "x".repeat(300_000) } });
  t.is((await w.deliver(body)).status, 413);
});

/** The three events of a reschedule from booking A to booking B. */
function reschedule(a: Booking, b: Booking) {
  return {
    createdA: inviteeEvent("invitee.created", a, { createdAt: "2026-11-25T10:00:00.000Z" }),
    canceledA: inviteeEvent("invitee.canceled", a, { createdAt: "2026-11-25T11:00:00.000Z", rescheduled: true, newInvitee: b }),
    createdB: inviteeEvent("invitee.created", b, { createdAt: "2026-11-25T11:00:00.000Z", oldInvitee: a, startTime: "2026-12-02T15:00:00.000Z" }),
  };
}

const permutations = <T,>(xs: T[]): T[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));

test("a reschedule's events in any order (and repeated) end in the same meeting states", async (t) => {
  const outcomes = new Set<string>();
  for (const order of permutations(["createdA", "canceledA", "createdB"] as const)) {
    const w = await webhooks(t);
    const a = newBooking();
    const b = newBooking();
    const events = reschedule(a, b);
    for (const name of [...order, order[0]!]) t.true([200, 201].includes((await w.deliver(events[name])).status));
    const old = (await w.history(a.meetingId)).body;
    const next = (await w.history(b.meetingId)).body;
    t.is(old.meeting.status, "rescheduled", order.join(" → "));
    t.deepEqual(old.meeting.rescheduledTo, b, order.join(" → "));
    t.is(next.meeting.status, "active");
    t.deepEqual(next.meeting.invitees[0].rescheduledFrom, a);
    outcomes.add(JSON.stringify([old.meeting, next.meeting].map(({ updatedAt, ...rest }) => rest)).replaceAll(a.meetingId, "A").replaceAll(b.meetingId, "B").replaceAll(a.inviteeId, "a").replaceAll(b.inviteeId, "b"));
  }
  t.is(outcomes.size, 1, "every order gives the same result");
});

test("a plain cancellation marks the meeting canceled even if it arrives first", async (t) => {
  const w = await webhooks(t);
  const a = newBooking();
  await w.deliver(inviteeEvent("invitee.canceled", a, { createdAt: "2026-11-25T11:00:00.000Z" }));
  await w.deliver(inviteeEvent("invitee.created", a, { createdAt: "2026-11-25T10:00:00.000Z" }));
  const { body } = await w.history(a.meetingId);
  t.is(body.meeting.status, "canceled");
  t.deepEqual(body.items.map((e: any) => e.type), ["invitee.canceled", "invitee.created"], "history newest first");
});

test("concurrent deliveries about one meeting lose no update", async (t) => {
  const w = await webhooks(t);
  const meetingId = newBooking().meetingId;
  const bookings = Array.from({ length: 12 }, () => ({ meetingId, inviteeId: newBooking().inviteeId }));
  await Promise.all(bookings.map((b) => w.deliver(inviteeEvent("invitee.created", b))));
  const { body } = await w.history(meetingId, "?limit=100");
  t.is(body.meeting.invitees.length, 12);
  t.is(body.items.length, 12);
});

test("a page that ends exactly on the last meeting or event has no cursor; one more gives a cursor to a page with just it", async (t) => {
  const w = await webhooks(t);
  const booking = newBooking();
  await w.deliver(inviteeEvent("invitee.created", booking, { startTime: "2026-12-01T09:00:00.000Z" }));
  await w.deliver(inviteeEvent("invitee.canceled", booking, { startTime: "2026-12-01T09:00:00.000Z" }));
  await w.deliver(inviteeEvent("invitee.created", newBooking(), { startTime: "2026-12-02T09:00:00.000Z" }));
  const meetings = await w.meetings("?limit=2");
  t.is(meetings.body.items.length, 2);
  t.is(meetings.body.nextCursor, null);
  const history = await w.history(booking.meetingId, "?limit=2");
  t.is(history.body.items.length, 2);
  t.is(history.body.nextCursor, null);

  await w.deliver(inviteeEvent("invitee.created", newBooking(), { startTime: "2026-12-03T09:00:00.000Z" }));
  const first = await w.meetings("?limit=2");
  t.is(typeof first.body.nextCursor, "string");
  const rest = await w.meetings(`?limit=2&cursor=${first.body.nextCursor}`);
  t.deepEqual(rest.body.items.map((m: any) => m.startTime), ["2026-12-01T09:00:00.000Z"]);
  t.is(rest.body.nextCursor, null);
  const historyFirst = await w.history(booking.meetingId, "?limit=1");
  t.is(typeof historyFirst.body.nextCursor, "string");
  const historyRest = await w.history(booking.meetingId, `?limit=1&cursor=${historyFirst.body.nextCursor}`);
  t.is(historyRest.body.items.length, 1);
  t.is(historyRest.body.nextCursor, null);
});

test("meetings and histories page with opaque cursors; bad queries and ids are 400s", async (t) => {
  const w = await webhooks(t);
  for (let i = 0; i < 5; i++) await w.deliver(inviteeEvent("invitee.created", newBooking(), { startTime: `2026-12-0${i + 1}T09:00:00.000Z` }));
  const first = await w.meetings("?limit=2");
  t.deepEqual(first.body.items.map((m: any) => m.startTime), ["2026-12-05T09:00:00.000Z", "2026-12-04T09:00:00.000Z"]);
  const second = await w.meetings(`?limit=2&cursor=${first.body.nextCursor}`);
  t.deepEqual(second.body.items.map((m: any) => m.startTime), ["2026-12-03T09:00:00.000Z", "2026-12-02T09:00:00.000Z"]);
  t.is((await w.meetings("?limit=0")).status, 400);
  t.is((await w.meetings("?cursor=bogus")).body.type, "urn:switchyard:problem:invalid-cursor");
  t.is((await w.meetings("?color=red")).status, 400);
  t.is((await w.history("bad id!")).status, 400);
  t.is((await w.history("00000000-0000-0000-0000-000000000000", "?cursor=xyz")).status, 400);
});
