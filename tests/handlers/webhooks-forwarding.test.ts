// Forwarding off the request path: delivery with idempotency headers, the S3 spool when the
// downstream is down, replay oldest-first, dead-lettering, and the replay route's token.
import test from "ava";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { createObservability } from "../../handlers/shared/observability";
import { Downstream } from "../../handlers/webhooks/downstream";
import { forwarderHandler } from "../../handlers/webhooks/forwarder";
import { replayHandler, replaySpool, type ReplayDeps } from "../../handlers/webhooks/replay";
import { DEAD_LETTER_PREFIX, SPOOL_PREFIX, Spool, spoolKey } from "../../handlers/webhooks/spool";
import { toEventItem, type StoredEvent } from "../../handlers/webhooks/event-store";
import { startS3Local, type S3Local } from "../../local/emulators/s3-local";
import { apiEvent, parseResult } from "../harness/http";
import { startDownstream } from "../harness/downstream";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { randomBytes } from "node:crypto";

let s3: S3Local;
test.before(async () => {
  s3 = await startS3Local();
});
test.after.always(async () => s3?.stop());

async function spool() {
  const bucket = `spool-${randomBytes(4).toString("hex")}`;
  await s3.createBucket(bucket);
  return { bucket, spool: new Spool(s3.client, bucket) };
}

const event = (n: number, receivedAt = "2026-11-25T12:00:00.000Z"): StoredEvent => ({
  id: randomBytes(16).toString("hex"),
  source: "calendly",
  type: "invitee.created",
  known: true,
  occurredAt: receivedAt,
  receivedAt,
  meetingId: `meeting-${n}`,
  changes: [],
  body: { event: "invitee.created", n },
});

/** A stream batch as Lambda hands it over. */
const streamBatch = (events: StoredEvent[]): DynamoDBStreamEvent => ({
  Records: events.map((e, i) => ({
    eventName: "INSERT",
    eventID: String(i),
    dynamodb: { SequenceNumber: String(1000 + i), NewImage: toEventItem(e) as never, StreamViewType: "NEW_IMAGE" },
  })),
});

const fast = { retries: 1, baseDelayMs: 10, maxDelayMs: 1500, timeoutMs: 2000 };

test("two events received in the same millisecond get two spool objects (the original app lost one)", async (t) => {
  const { spool: s, bucket } = await spool();
  const [a, b] = [event(1), event(2)];
  t.is(a.receivedAt, b.receivedAt);
  t.not(spoolKey(a), spoolKey(b));
  await s.put(a, "test");
  await s.put(b, "test");
  await s.put(a, "spooled again"); // the same event twice is still one object
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
  t.is(listed.KeyCount, 2);
  t.deepEqual((await Promise.all((await s.list(10)).map((k) => s.get(k)))).map((e) => e.event.id).sort(), [a.id, b.id].sort());
});

test("the forwarder delivers each new event with its idempotency key and webhook headers", async (t) => {
  const downstream = await startDownstream();
  const { spool: s } = await spool();
  const events = [event(1), event(2), event(3)];
  const result = await forwarderHandler({ downstream: new Downstream({ url: downstream.url, ...fast }), spool: s, obs: createObservability("t") })(streamBatch(events));
  t.deepEqual(result, { batchItemFailures: [] });
  t.deepEqual(downstream.accepted.map((d) => d.key), events.map((e) => e.id));
  t.like(downstream.accepted[0]!.headers, { "webhook-id": events[0]!.id, "x-switchyard-source": "calendly", "x-switchyard-event-type": "invitee.created", "content-type": "application/json" });
  t.deepEqual(downstream.accepted[0]!.body, events[0]!.body, "the provider's body, unchanged");
  t.deepEqual(await s.list(10), []);
  await downstream.close();
});

test("a 429 with Retry-After is waited out, not spooled", async (t) => {
  const downstream = await startDownstream();
  downstream.mode = "throttle-once";
  const { spool: s } = await spool();
  const started = Date.now();
  await forwarderHandler({ downstream: new Downstream({ url: downstream.url, ...fast }), spool: s, obs: createObservability("t") })(streamBatch([event(1)]));
  t.true(Date.now() - started >= 900, "waited about Retry-After");
  t.is(downstream.accepted.length, 1);
  t.deepEqual(await s.list(10), []);
  await downstream.close();
});

test("downstream down: events are spooled; the replay delivers them oldest first once it is back and empties the spool", async (t) => {
  const downstream = await startDownstream();
  await downstream.goOffline();
  const { spool: s } = await spool();
  const deps = { downstream: new Downstream({ url: downstream.url, ...fast }), spool: s, obs: createObservability("t") };
  const events = [event(1, "2026-11-25T12:00:00.003Z"), event(2, "2026-11-25T12:00:00.001Z"), event(3, "2026-11-25T12:00:00.002Z")];
  t.deepEqual(await forwarderHandler(deps)(streamBatch(events)), { batchItemFailures: [] });
  t.is((await s.list(10)).length, 3);

  const replay: ReplayDeps = { ...deps, token: async () => "token", maxEvents: 100 };
  const stillDown = await replaySpool(replay);
  t.like(stillDown, { replayed: 0, remaining: true });
  t.is((await s.list(10)).length, 3, "nothing deleted while the downstream is down");

  await downstream.listen();
  t.like(await replaySpool(replay), { replayed: 3, deadLettered: 0, remaining: false });
  t.deepEqual(downstream.accepted.map((d) => d.body), [events[1]!.body, events[2]!.body, events[0]!.body], "oldest received first");
  t.deepEqual(await s.list(10), []);
  await downstream.close();
});

test("a downstream that answers 503 gets the event spooled too; a final 4xx is dead-lettered, visible and not retried", async (t) => {
  const downstream = await startDownstream();
  const { spool: s } = await spool();
  const deps = { downstream: new Downstream({ url: downstream.url, ...fast }), spool: s, obs: createObservability("t") };
  downstream.mode = "unavailable";
  await forwarderHandler(deps)(streamBatch([event(1)]));
  t.is((await s.list(10, SPOOL_PREFIX)).length, 1);
  downstream.mode = "refusing";
  await forwarderHandler(deps)(streamBatch([event(2)]));
  t.is((await s.list(10, DEAD_LETTER_PREFIX)).length, 1);
  // The replay moves a refused spooled event to dead-letter/ and deletes it from the spool.
  const summary = await replaySpool({ ...deps, token: async () => "x", maxEvents: 10 });
  t.like(summary, { replayed: 0, deadLettered: 1, remaining: false });
  t.is((await s.list(10, SPOOL_PREFIX)).length, 0);
  t.is((await s.list(10, DEAD_LETTER_PREFIX)).length, 2);
  await downstream.close();
});

test("if even the spool fails, the forwarder reports the record so Lambda retries it (and later dead-letters it)", async (t) => {
  const downstream = await startDownstream();
  await downstream.goOffline();
  const broken = new Spool(s3.client, "no-such-bucket");
  const events = [event(1), event(2)];
  const result = await forwarderHandler({ downstream: new Downstream({ url: downstream.url, ...fast }), spool: broken, obs: createObservability("t") })(streamBatch(events));
  t.deepEqual(result, { batchItemFailures: [{ itemIdentifier: "1000" }] });
});

test("the replay route needs the bearer token; the schedule needs none", async (t) => {
  const downstream = await startDownstream();
  const { spool: s } = await spool();
  const handler = replayHandler({ downstream: new Downstream({ url: downstream.url, ...fast }), spool: s, obs: createObservability("t"), token: async () => "the-right-token", maxEvents: 10 });
  const call = async (authorization?: string) =>
    parseResult((await handler(apiEvent("POST", "/webhooks/calendly/replay", { routeKey: "POST /webhooks/calendly/replay", headers: authorization ? { authorization } : {} }))) as never);
  t.is((await call()).status, 401);
  t.is((await call("Bearer wrong")).body.type, "urn:switchyard:problem:unauthorized");
  const ok = await call("Bearer the-right-token");
  t.is(ok.status, 200);
  // The auth scheme is case-insensitive (RFC 9110).
  for (const scheme of ["bearer", "BEARER", "Bearer  "]) t.is((await call(`${scheme} the-right-token`)).status, 200, scheme);
  t.is((await call("Basic the-right-token")).status, 401);
  t.deepEqual(ok.body, { replayed: 0, deadLettered: 0, remaining: false });
  t.deepEqual(await handler({ "detail-type": "Scheduled Event", source: "aws.events" }), { replayed: 0, deadLettered: 0, remaining: false });
  await downstream.close();
});
