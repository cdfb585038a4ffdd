// Property-based tests of WebhookIngest's routes in-process against DynamoDB Local and s3rver: every
// webhook source's ingest with deliveries signed validly (so the code past the check runs) and not,
// over bodies of the source's shape with fields replaced by tricky values and over any JSON; the
// replay route with any headers; the meetings reads with any query and path segment. Every answer
// is a 2xx or a 4xx problem+json; a 4xx changes no table or bucket; a stored event reads back.
import test from "ava";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import fc from "fast-check";
import { randomUUID } from "node:crypto";
import { createObservability } from "../../handlers/shared/observability";
import { CALENDLY_SIGNATURE_HEADER, signCalendlyBody } from "../../handlers/webhooks/calendly";
import { Downstream } from "../../handlers/webhooks/downstream";
import { EventStore, eventPartition, type StoredEvent } from "../../handlers/webhooks/event-store";
import { ingestHandler } from "../../handlers/webhooks/ingest";
import { MeetingStore } from "../../handlers/webhooks/meeting-store";
import { listMeetingsHandler, meetingEventsHandler, readDeps } from "../../handlers/webhooks/read";
import { replayHandler } from "../../handlers/webhooks/replay";
import { webhookRoutes } from "../../handlers/webhooks/routes";
import { createWebhookSource, webhookSources, type WebhookSourceName } from "../../handlers/webhooks/sources";
import { Spool } from "../../handlers/webhooks/spool";
import { STRIPE_SIGNATURE_HEADER, signStripeBody } from "../../handlers/webhooks/stripe";
import { meetingsTable, webhookEventsTable } from "../../handlers/webhooks/tables";
import { eventView } from "../../handlers/webhooks/views";
import { anyContentType, anyHeaders, anyJson, anyPathSegment, anyQuery, anyRawBody, anyText, edgyNumber } from "../harness/arbitraries";
import { inviteeEvent, newBooking } from "../harness/calendly";
import { checkoutEvent } from "../harness/stripe";
import { freshTable, useLocalEmulators } from "../harness/dynamodb";
import { StatusTally, bucketSnapshot, checkProperty, encodeSegment, expectAnswer, expectSame, expectUnchanged, generatedEvent, isSuccess, tablesSnapshot, type GeneratedRequest } from "../harness/properties";

const local = useLocalEmulators(test, { s3: true });

const KEY = "webhook-signing-key";
const TOLERANCE = 180;
/** The ingest's clock, pinned for the run so signature times at the tolerance's edges stay there. */
const NOW = Math.floor(Date.now() / 1000);

/** Replaces the value at `path` (creating objects on the way) in a copy of `value`. */
function replaced(value: unknown, path: readonly string[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const base = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  return { ...base, [head!]: replaced(base[head!], rest, replacement) };
}

/** A tricky value for a field: text of any kind, an edgy number, any JSON, or nothing. */
const trickyValue = fc.oneof(anyText(), edgyNumber(), anyJson(), fc.constantFrom(null, undefined, "", true));

/**
 * Per webhook source: bodies of its valid shape (with a field replaced by a tricky value) and how a
 * delivery is signed. Typed by the sources' registry, so a new source without an entry does not compile.
 */
const sourceFixtures = {
  calendly: {
    validBody: () =>
      fc.record({ type: fc.constantFrom("invitee.created" as const, "invitee.canceled" as const), rescheduled: fc.boolean() }).map(({ type, rescheduled }) => {
        const booking = newBooking();
        return inviteeEvent(type, booking, rescheduled ? { rescheduled: true, newInvitee: newBooking(), oldInvitee: newBooking() } : {});
      }),
    fields: [
      ["event"], ["created_at"], ["created_by"], ["payload"], ["payload", "uri"], ["payload", "email"], ["payload", "name"], ["payload", "status"], ["payload", "event"],
      ["payload", "rescheduled"], ["payload", "old_invitee"], ["payload", "new_invitee"], ["payload", "cancellation"], ["payload", "cancellation", "reason"],
      ["payload", "scheduled_event"], ["payload", "scheduled_event", "uri"], ["payload", "scheduled_event", "name"], ["payload", "scheduled_event", "start_time"],
      ["payload", "scheduled_event", "end_time"], ["payload", "scheduled_event", "location"], ["payload", "scheduled_event", "location", "join_url"], ["__proto__"],
    ] as const,
    /** Signature header for `text` signed at `at` (unix seconds) with `key`. */
    sign: (text: string, key: string, at: number) => ({ [CALENDLY_SIGNATURE_HEADER]: signCalendlyBody(text, key, at) }),
    /** Tampered or foreign signature headers. */
    badSignature: () =>
      fc.oneof(
        anyText().map((v) => ({ [CALENDLY_SIGNATURE_HEADER]: v })),
        fc.stringMatching(/^t=\d{1,14},v1=[0-9a-f]{0,70}$/).map((v) => ({ [CALENDLY_SIGNATURE_HEADER]: v })),
        fc.constant({}),
      ),
  },
  stripe: {
    validBody: () =>
      fc
        .constantFrom("checkout.session.completed", "checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed", "checkout.session.expired", "customer.created")
        .map((type) => checkoutEvent(type, { created: NOW - 30 })),
    fields: [
      ["id"], ["object"], ["type"], ["created"], ["livemode"], ["api_version"], ["data"], ["data", "object"], ["data", "object", "id"], ["data", "object", "object"],
      ["data", "object", "mode"], ["data", "object", "status"], ["data", "object", "payment_status"], ["data", "object", "client_reference_id"],
      ["data", "object", "amount_total"], ["data", "object", "currency"], ["data", "object", "metadata"], ["data", "object", "created"], ["__proto__"],
    ] as const,
    sign: (text: string, key: string, at: number) => ({ [STRIPE_SIGNATURE_HEADER]: signStripeBody(text, key, at) }),
    badSignature: () =>
      fc.oneof(
        anyText().map((v) => ({ [STRIPE_SIGNATURE_HEADER]: v })),
        fc.stringMatching(/^t=\d{1,14}(,v[01]=[0-9a-f]{0,70}){0,3}$/).map((v) => ({ [STRIPE_SIGNATURE_HEADER]: v })),
        fc.constant({}),
      ),
  },
} satisfies Record<WebhookSourceName, unknown>;

/** A delivery: the body text, and how it is signed. */
function delivery(source: WebhookSourceName) {
  const fixture = sourceFixtures[source];
  const shaped = fc.tuple(fixture.validBody(), fc.constantFrom(...fixture.fields), trickyValue, fc.boolean()).map(([body, field, value, replace]) => JSON.stringify(replace ? replaced(body, field, value) : body));
  const text = fc.oneof({ weight: 2, arbitrary: fixture.validBody().map((b) => JSON.stringify(b)) }, { weight: 4, arbitrary: shaped }, { weight: 2, arbitrary: anyRawBody().map((b) => (Buffer.isBuffer(b) ? b.toString("utf8") : b)) });
  const signature = (body: string) =>
    fc.oneof(
      { weight: 5, arbitrary: fc.constant(fixture.sign(body, KEY, NOW)) },
      { weight: 1, arbitrary: fc.constantFrom(-TOLERANCE - 1, -TOLERANCE, TOLERANCE, TOLERANCE + 1).map((d) => fixture.sign(body, KEY, NOW + d)) },
      { weight: 1, arbitrary: fc.constant(fixture.sign(body, "another-key", NOW)) },
      { weight: 1, arbitrary: fixture.badSignature() },
    );
  return text.chain((body) => fc.record({ body: fc.constant(body), signature: signature(body), contentType: anyContentType(), headers: anyHeaders() }));
}

async function webhooks(source: WebhookSourceName) {
  const tables = { eventsTable: await freshTable(local.ddb, webhookEventsTable, "events"), meetingsTable: await freshTable(local.ddb, meetingsTable, "meetings") };
  const events = new EventStore(local.ddb.client, tables.eventsTable);
  const meetings = new MeetingStore(local.ddb.client, tables.meetingsTable);
  const ingest = ingestHandler({ source: createWebhookSource(source), events, obs: createObservability("test"), signingKey: async () => KEY, toleranceSeconds: TOLERANCE, now: () => NOW });
  const reads = readDeps("test", tables);
  return {
    eventsTable: tables.eventsTable,
    events,
    meetings,
    ingest,
    list: listMeetingsHandler(reads),
    history: meetingEventsHandler(reads),
    snapshot: () => tablesSnapshot(local.ddb.client, [tables.eventsTable, tables.meetingsTable]),
  };
}

/** Every event stored under `partition`. */
async function storedEvents(events: EventStore, partition: string): Promise<StoredEvent[]> {
  return (await events.history(partition, 1000)).items;
}

for (const source of Object.keys(webhookSources) as WebhookSourceName[]) {
  const route = webhookRoutes(source).find((r) => r.fn === "ingest")!;

  test(`POST ${route.path}: any delivery, signed or not, gets a 2xx or a 4xx problem; a 4xx stores nothing; a stored event reads back, once`, async (t) => {
    const w = await webhooks(source);
    const send = (d: { body: string; signature: Record<string, string>; contentType: string; headers: Record<string, string> }) =>
      w.ingest(generatedEvent({ method: "POST", path: route.path, routeKey: `${route.method} ${route.path}`, body: d.body, headers: { ...d.headers, ...d.signature, "content-type": d.contentType } }));
    const statuses = new StatusTally();
    await checkProperty(
      t,
      fc.asyncProperty(delivery(source), async (d) => {
        const before = await w.snapshot();
        const answer = expectAnswer(await send(d), statuses);
        if (!isSuccess(answer)) return expectUnchanged(before, await w.snapshot(), `a ${answer.status}`);
        if (answer.status !== 201 || answer.body.duplicate !== false) throw new Error(`a first delivery answered ${answer.status} ${JSON.stringify(answer.body)}`);
        // Stored once, with the body as it came (parsed), where the read routes look for it.
        const after = await w.snapshot();
        const body = JSON.parse(d.body) as unknown;
        const item = ((await local.ddb.client.send(new ScanCommand({ TableName: w.eventsTable, ConsistentRead: true }))).Items ?? []).find((i) => i.id?.S === answer.body.id);
        if (!item) throw new Error(`event ${answer.body.id} answered 201 but is not stored`);
        const stored = (await storedEvents(w.events, item.pk!.S!)).find((e) => e.id === answer.body.id);
        if (!stored) throw new Error(`event ${answer.body.id} is not in its partition's history`);
        expectSame(stored.body, body, "the stored body");
        if (item.pk!.S !== eventPartition(stored)) throw new Error(`event stored under ${item.pk!.S}, not ${eventPartition(stored)}`);
        if (stored.meetingId && /^[A-Za-z0-9_-]{1,100}$/.test(stored.meetingId)) {
          const read = expectAnswer(await w.history(generatedEvent({ method: "GET", path: `/meetings/${stored.meetingId}/events`, routeKey: "GET /meetings/{id}/events", pathParameters: { id: stored.meetingId }, query: { limit: "100" } })));
          expectSame(read.body.items.find((e: { id: string }) => e.id === stored.id), eventView(stored), "the history entry");
        }
        // The same delivery again is the same event, answered 200, stored once.
        const again = expectAnswer(await send(d));
        expectSame([again.status, again.body], [200, { id: answer.body.id, duplicate: true }], "a repeated delivery");
        expectUnchanged(after, await w.snapshot(), "a repeated delivery");
      }),
      80,
      { statuses },
    );
  });
}

test("POST /webhooks/{source}/replay: any headers, query and body get a 2xx or a 4xx problem; a 4xx leaves the spool as it was", async (t) => {
  const bucket = `spool-${randomUUID().slice(0, 8)}`;
  await local.s3.createBucket(bucket);
  const spool = new Spool(local.s3.client, bucket);
  // One spooled event; the downstream is down (nothing listens on port 9), so a replay keeps it.
  await spool.put({ id: "0".repeat(32), source: "calendly", type: "invitee.created", known: true, occurredAt: new Date().toISOString(), receivedAt: new Date().toISOString(), changes: [], body: { n: 1 } }, "test");
  const TOKEN = "replay-token-0123456789";
  const replay = replayHandler({ downstream: new Downstream({ url: "http://127.0.0.1:9/", retries: 0, timeoutMs: 2000 }), spool, obs: createObservability("test"), token: async () => TOKEN, maxEvents: 10 });
  const route = webhookRoutes("calendly").find((r) => r.fn === "replay")!;
  const authorization = fc.oneof(fc.constantFrom(`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `BEARER   ${TOKEN} `, `Bearer ${TOKEN}x`, "Bearer ", TOKEN, ""), anyText().map((s) => `Bearer ${s}`), anyText());
  const statuses = new StatusTally();
  await checkProperty(
    t,
    fc.asyncProperty(authorization, anyHeaders(), anyQuery(), fc.option(anyRawBody(), { nil: undefined }), async (auth, headers, query, body) => {
      const before = await bucketSnapshot(local.s3.client, bucket);
      const request: GeneratedRequest = { method: "POST", path: route.path, routeKey: `${route.method} ${route.path}`, headers: { ...headers, authorization: auth }, query, body };
      const answer = expectAnswer((await replay(generatedEvent(request))) as never, statuses);
      expectUnchanged(before, await bucketSnapshot(local.s3.client, bucket), `a replay answered ${answer.status} with the downstream down`);
      if (isSuccess(answer)) expectSame(answer.body, { replayed: 0, deadLettered: 0, remaining: true, stoppedBecause: answer.body.stoppedBecause }, "the replay summary");
    }),
    40,
    { statuses },
  );
});

test("GET /meetings and GET /meetings/{id}/events: any query and path segment get a 2xx or a 4xx problem and change nothing; a 200 shows what is stored", async (t) => {
  const w = await webhooks("calendly");
  const source = createWebhookSource("calendly");
  const seeded: string[] = [];
  for (let i = 0; i < 3; i++) {
    const booking = newBooking();
    const body = inviteeEvent("invitee.created", booking, { startTime: new Date(Date.now() + (i + 1) * 86_400_000).toISOString() });
    const normalized = source.normalize(body, JSON.stringify(body));
    await w.events.record(normalized, new Date().toISOString());
    await w.meetings.applyChanges(normalized.changes);
    seeded.push(booking.meetingId);
  }
  const segment = fc.oneof(anyPathSegment(), fc.constantFrom(...seeded));
  const statuses = new StatusTally();
  await checkProperty(
    t,
    fc.asyncProperty(fc.boolean(), segment, anyQuery(), anyHeaders(), async (list, id, query, headers) => {
      const before = await w.snapshot();
      const answer = list
        ? expectAnswer(await w.list(generatedEvent({ method: "GET", path: "/meetings", routeKey: "GET /meetings", query, headers })), statuses)
        : expectAnswer(await w.history(generatedEvent({ method: "GET", path: `/meetings/${encodeSegment(id)}/events`, routeKey: "GET /meetings/{id}/events", pathParameters: { id }, query, headers })), statuses);
      expectUnchanged(before, await w.snapshot(), `a read (${answer.status})`);
      if (!isSuccess(answer)) return;
      if (list) {
        for (const m of answer.body.items) if (!seeded.includes(m.id)) throw new Error(`GET /meetings lists ${m.id}, which is not stored`);
        return;
      }
      const stored = await storedEvents(w.events, id);
      expectSame(answer.body.items, stored.slice(0, answer.body.items.length).map(eventView), "the history");
    }),
    60,
    { statuses },
  );
});
