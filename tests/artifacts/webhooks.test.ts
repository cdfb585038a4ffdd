// WebhookIngest end to end through the serialized functions (as ts-node-evaluated index.ts would
// upload them), each in a fresh Node process, on DynamoDB Local (with its stream feeding the
// meetings projector and the forwarder like event source mappings), s3rver, an SSM stand-in, the local
// WebSocket gateway and a real downstream HTTP server.
import test from "ava";
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { GetItemCommand, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { connectionsTable, meetingsTable, webhookEventsTable } from "../../handlers/webhooks/tables";
import { startStreamPoller, type StreamPoller } from "../../local/emulators/dynamodb-stream-poller";
import { startS3Local, type S3Local } from "../../local/emulators/s3-local";
import { createTable } from "../../local/emulators/tables";
import { startWebSocketGateway, type RunningWebSocketGateway } from "../../local/emulators/websocket-gateway";
import { removeDir, startFunction, unpackFunction, type RunningFunction } from "../harness/artifact";
import { inviteeEvent, newBooking, signedDelivery } from "../harness/calendly";
import { startDownstream, type TestDownstream } from "../harness/downstream";
import { startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";
import type { StackRecord } from "../harness/record";
import { startSsm } from "../harness/ssm";
import { TEST_SECRETS, byName, evaluateStack } from "../harness/stacks";

const FUNCTIONS = ["ingest", "forwarder", "replay", "connection", "project", "meetings", "history"] as const;
const SIGNING_KEY = TEST_SECRETS["switchyard:calendlySigningKey"]!;
const REPLAY_TOKEN = TEST_SECRETS["switchyard:webhookReplayToken"]!;

let ddb: DynamoDbLocal;
let s3: S3Local;
let downstream: TestDownstream;
let ssm: Awaited<ReturnType<typeof startSsm>>;
let gateway: RunningWebSocketGateway;
let record: StackRecord;
let tables: { events: string; meetings: string; connections: string };
let spoolBucket: string;
const fns: Partial<Record<(typeof FUNCTIONS)[number], RunningFunction>> = {};
const pollers: StreamPoller[] = [];
const dirs: string[] = [];
const deadLettered: unknown[] = [];

test.before(async () => {
  downstream = await startDownstream();
  [ddb, s3, record] = await Promise.all([
    startDynamoDbLocal(),
    startS3Local(),
    evaluateStack("dev", { "switchyard:forwardUrl": downstream.url }, "ts-node"),
  ]);
  const physical = (type: string, name: string) => byName(record, type, name).state.name as string;
  tables = { events: physical("aws:dynamodb/table:Table", "calendly-events"), meetings: physical("aws:dynamodb/table:Table", "calendly-meetings"), connections: physical("aws:dynamodb/table:Table", "calendly-connections") };
  await createTable(ddb.client, tables.events, webhookEventsTable);
  await createTable(ddb.client, tables.meetings, meetingsTable);
  await createTable(ddb.client, tables.connections, connectionsTable);
  spoolBucket = byName(record, "aws:s3/bucket:Bucket", "calendly-spool").state.bucket;
  await s3.createBucket(spoolBucket);
  ssm = await startSsm({
    [physical("aws:ssm/parameter:Parameter", "calendly-signing-key")]: SIGNING_KEY,
    [physical("aws:ssm/parameter:Parameter", "calendly-replay-token")]: REPLAY_TOKEN,
  });
  // The gateway's routes call the serialized connection function; its management API is what the
  // broadcaster posts to (the stack would point WS_MANAGEMENT_ENDPOINT at API Gateway).
  gateway = await startWebSocketGateway({
    routes: {
      $connect: async (event) => fns.connection!.invoke(event),
      $disconnect: async (event) => fns.connection!.invoke(event),
    },
  });
  const localEndpoints = {
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
  };
  await Promise.all(
    FUNCTIONS.map(async (kind) => {
      const fn = byName(record, "aws:lambda/function:Function", `calendly-${kind}`);
      const dir = unpackFunction(fn);
      dirs.push(dir);
      const env: Record<string, string> = { ...fn.inputs.environment.variables, ...localEndpoints, AWS_LAMBDA_FUNCTION_NAME: fn.name };
      if (kind === "project") env.WS_MANAGEMENT_ENDPOINT = gateway.managementEndpoint;
      if (kind === "forwarder") Object.assign(env, { FORWARD_RETRIES: "1", FORWARD_BASE_DELAY_MS: "20" });
      fns[kind] = await startFunction(dir, env);
    }),
  );
  // Two event source mappings on the events stream, as the stack wires them.
  for (const kind of ["forwarder", "project"] as const) {
    pollers.push(
      await startStreamPoller({
        client: ddb.client,
        endpoint: ddb.endpoint,
        tableName: tables.events,
        handler: (batch) => fns[kind]!.invoke(batch),
        onFailure: (records) => void deadLettered.push(...records),
      }),
    );
  }
});

test.after.always(async () => {
  await Promise.all(pollers.map((p) => p.stop().catch(() => undefined)));
  await gateway?.close();
  await Promise.all(Object.values(fns).map((fn) => fn.stop()));
  dirs.forEach(removeDir);
  await Promise.all([ddb?.stop(), s3?.stop(), downstream?.close(), ssm?.close()]);
});

const ingest = async (body: unknown) => parseResult(await fns.ingest!.invoke(signedDelivery(body, { key: SIGNING_KEY })));
const drained = () => Promise.all(pollers.map((p) => p.idle()));

test.serial("downstream down for a burst of N signed events, then back: each is delivered exactly once and the spool ends empty", async (t) => {
  const N = 25;
  await downstream.goOffline();
  const bodies = Array.from({ length: N }, () => inviteeEvent("invitee.created", newBooking()));
  const accepted = await Promise.all(bodies.map(ingest));
  t.deepEqual([...new Set(accepted.map((r) => r.status))], [201]);
  // A provider retry of one of them changes nothing.
  t.is((await ingest(bodies[0])).status, 200);
  await drained();
  const spooled = await s3.client.send(new (await import("@aws-sdk/client-s3")).ListObjectsV2Command({ Bucket: byName(record, "aws:s3/bucket:Bucket", "calendly-spool").state.bucket, Prefix: "spool/" }));
  t.is(spooled.KeyCount, N, "every event parked in the spool");

  await downstream.listen();
  // The scheduled replay (an EventBridge event), through the serialized replay function.
  const summary = await fns.replay!.invoke({ "detail-type": "Scheduled Event", source: "aws.events", detail: {} });
  t.like(summary, { replayed: N, deadLettered: 0, remaining: false });
  const ids = accepted.map((r) => r.body.id as string);
  const counts = new Map<string, number>();
  for (const d of downstream.accepted) counts.set(d.key, (counts.get(d.key) ?? 0) + 1);
  t.deepEqual([...counts.keys()].sort(), [...ids].sort(), "every event arrived, nothing else");
  t.true([...counts.values()].every((c) => c === 1), "each exactly once by idempotency key");
  const after = await s3.client.send(new (await import("@aws-sdk/client-s3")).ListObjectsV2Command({ Bucket: byName(record, "aws:s3/bucket:Bucket", "calendly-spool").state.bucket }));
  t.is(after.KeyCount ?? 0, 0, "the spool is empty");
  t.deepEqual(deadLettered, []);
  t.log(`N=${N} events while down: spooled ${spooled.KeyCount}, replayed ${summary.replayed}, delivered ${downstream.accepted.length} (${counts.size} unique keys), left in spool ${after.KeyCount ?? 0}`);
});

test.serial("with the downstream up, new events go straight through; the on-demand replay route checks the token from SSM", async (t) => {
  const before = downstream.accepted.length;
  const result = await ingest(inviteeEvent("invitee.created", newBooking()));
  await drained();
  t.is(downstream.accepted.length, before + 1);
  t.is(downstream.accepted.at(-1)!.key, result.body.id);
  const replay = (authorization: string) =>
    fns.replay!.invoke(apiEvent("POST", "/webhooks/calendly/replay", { routeKey: "POST /webhooks/calendly/replay", headers: { authorization } })).then(parseResult);
  t.is((await replay("Bearer nope")).status, 401);
  t.like(await replay(`Bearer ${REPLAY_TOKEN}`), { status: 200, body: { replayed: 0, remaining: false } });
  t.true(ssm.requests.some((r) => r.startsWith("AmazonSSM.GetParameter /switchyard/dev/calendly/replay-token")));
  t.true(ssm.requests.some((r) => r.startsWith("AmazonSSM.GetParameter /switchyard/dev/calendly/signing-key")));
});

test.serial("a browser connected to the live view gets the new meeting pushed, then the reschedule", async (t) => {
  const socket = new WebSocket(gateway.url);
  const messages: any[] = [];
  socket.on("message", (data) => messages.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => (socket.once("open", resolve), socket.once("error", reject)));
  const a = newBooking();
  const b = newBooking();
  await ingest(inviteeEvent("invitee.created", a));
  await drained();
  await ingest(inviteeEvent("invitee.created", b, { oldInvitee: a }));
  await drained();
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && !messages.some((m) => m.meeting?.id === a.meetingId && m.meeting.status === "rescheduled")) await new Promise((r) => setTimeout(r, 50));
  t.true(messages.some((m) => m.meeting?.id === a.meetingId && m.meeting.status === "active" && m.event?.type === "invitee.created"));
  t.true(messages.some((m) => m.meeting?.id === b.meetingId && m.meeting.status === "active"));
  t.true(messages.some((m) => m.meeting?.id === a.meetingId && m.meeting.status === "rescheduled"));
  t.false(JSON.stringify(messages).includes("jane.doe@example.com"), "emails are masked in pushes");
  socket.close();
  await new Promise((resolve) => socket.once("close", resolve));
  // $disconnect removed the connection: the next push has no one to go to.
  const meetings = parseResult(await fns.meetings!.invoke(apiEvent("GET", "/meetings?limit=100")));
  t.true(meetings.body.items.some((m: any) => m.id === b.meetingId));
});

test.serial("a meeting's history, as uploaded: its current status and its events newest first, paged by cursor", async (t) => {
  const booking = newBooking();
  const created = await ingest(inviteeEvent("invitee.created", booking, { createdAt: "2026-11-21T09:00:00.000Z" }));
  const canceled = await ingest(inviteeEvent("invitee.canceled", booking, { createdAt: "2026-11-22T09:00:00.000Z" }));
  await drained();
  const history = async (id: string, query = "") =>
    parseResult(await fns.history!.invoke(apiEvent("GET", `/meetings/${id}/events${query}`, { routeKey: "GET /meetings/{id}/events", pathParameters: { id } })));
  const first = await history(booking.meetingId, "?limit=1");
  t.is(first.status, 200, JSON.stringify(first.body));
  t.like(first.body.meeting, { id: booking.meetingId, status: "canceled" });
  t.deepEqual(first.body.items.map((e: any) => [e.id, e.type]), [[canceled.body.id, "invitee.canceled"]], "newest first");
  t.truthy(first.body.nextCursor);
  const second = await history(booking.meetingId, `?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
  t.deepEqual(second.body.items.map((e: any) => [e.id, e.type]), [[created.body.id, "invitee.created"]], "the cursor continues where the first page ended");
  t.false(JSON.stringify([first.body, second.body]).includes("jane.doe@example.com"), "emails are masked");
  t.is((await history(randomUUID())).status, 404, "a meeting no event mentions");
});

test.serial("a connection API Gateway answers GoneException for is forgotten; the open one stays and gets the push", async (t) => {
  const socket = new WebSocket(gateway.url);
  const messages: any[] = [];
  socket.on("message", (data) => messages.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => (socket.once("open", resolve), socket.once("error", reject)));
  const stored = async () => ((await ddb.client.send(new ScanCommand({ TableName: tables.connections, ConsistentRead: true }))).Items ?? []).map((i) => i.connectionId!.S!);
  // The earlier test's socket is closed; its $disconnect may still be on its way.
  let open = await stored();
  for (const deadline = Date.now() + 5000; open.length !== 1 && Date.now() < deadline; open = await stored()) await new Promise((r) => setTimeout(r, 50));
  t.is(open.length, 1, "the $connect route stored the open connection");
  // A connection whose $disconnect never arrived: the gateway no longer knows it.
  const gone = "GoneConn0000=";
  await ddb.client.send(new PutItemCommand({ TableName: tables.connections, Item: { connectionId: { S: gone }, connectedAt: { S: new Date().toISOString() }, expiresAt: { N: String(Math.floor(Date.now() / 1000) + 3600) } } }));
  const booking = newBooking();
  await ingest(inviteeEvent("invitee.created", booking));
  await drained();
  const connection = (id: string) => ddb.client.send(new GetItemCommand({ TableName: tables.connections, Key: { connectionId: { S: id } }, ConsistentRead: true })).then((r) => r.Item);
  t.is(await connection(gone), undefined, "the gone connection was deleted");
  t.truthy(await connection(open[0]!), "the open one was kept");
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && !messages.some((m) => m.meeting?.id === booking.meetingId)) await new Promise((r) => setTimeout(r, 50));
  t.true(messages.some((m) => m.meeting?.id === booking.meetingId), "and got the push");
  socket.close();
  await new Promise((resolve) => socket.once("close", resolve));
});

test.serial("a spooled event the downstream finally refuses (4xx) is moved to dead-letter/ by the replay, and leaves the spool", async (t) => {
  await downstream.goOffline();
  const accepted = await ingest(inviteeEvent("invitee.created", newBooking()));
  await drained();
  const keys = async (Prefix: string) => ((await s3.client.send(new ListObjectsV2Command({ Bucket: spoolBucket, Prefix }))).Contents ?? []).map((o) => o.Key!);
  t.deepEqual((await keys("spool/")).filter((k) => k.endsWith(`/${accepted.body.id}.json`)).length, 1, "spooled while the downstream was down");
  downstream.mode = "refusing";
  await downstream.listen();
  try {
    const refusedBefore = downstream.refused;
    const summary = await fns.replay!.invoke({ "detail-type": "Scheduled Event", source: "aws.events", detail: {} });
    t.like(summary, { replayed: 0, deadLettered: 1, remaining: false });
    t.is(downstream.refused, refusedBefore + 1, "one attempt: a 400 is final");
    t.deepEqual(await keys("spool/"), [], "the spool is empty");
    const deadLetters = await keys("dead-letter/");
    t.is(deadLetters.length, 1);
    t.true(deadLetters[0]!.endsWith(`/${accepted.body.id}.json`));
    const entry = JSON.parse(await (await s3.client.send(new GetObjectCommand({ Bucket: spoolBucket, Key: deadLetters[0]! }))).Body!.transformToString());
    t.like(entry, { event: { id: accepted.body.id, type: "invitee.created" }, reason: "HTTP 400" });
  } finally {
    downstream.mode = "up";
  }
  t.deepEqual(deadLettered, []);
});
