// The GraphQL function's upload (index.ts evaluated with ts-node, as `pulumi up` would ship it), run
// in a fresh Node process (no project node_modules, the runtime's SDK) against DynamoDB Local,
// s3rver and the local sign-in stand-in (the issuer and audience pointed at it): the persisted
// ManageEvent with a real token, the public fields without one, each read its role grants (the
// presigned cover fetched, so the media read is exercised too), and a refused query.
import test from "ava";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { EventStore } from "../../handlers/events/event-store";
import { eventsTable } from "../../handlers/events/tables";
import { PERSISTED_QUERIES } from "../../handlers/graphql/persisted";
import { MessageStore } from "../../handlers/messages/store";
import { messageTable } from "../../handlers/messages/table";
import { RunStateStore } from "../../handlers/sync/run-state";
import { syncStateTable } from "../../handlers/sync/tables";
import { MeetingStore } from "../../handlers/webhooks/meeting-store";
import { meetingsTable } from "../../handlers/webhooks/tables";
import { startS3Local, type S3Local } from "../../local/emulators/s3-local";
import { createTable } from "../../local/emulators/tables";
import { startLocalSignIn, type LocalSignIn } from "../../local/standins/sign-in";
import { removeDir, startFunction, unpackFunction, type RunningFunction } from "../harness/artifact";
import { startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";
import type { StackRecord } from "../harness/record";
import { SYNCS_CONFIG, SYNC_SECRET_KEYS, TEST_SECRETS, byName, evaluateStack } from "../harness/stacks";

const CLIENT_ID = "graphql-artifact-client";
let ddb: DynamoDbLocal;
let s3: S3Local;
let signIn: LocalSignIn;
let record: StackRecord;
let fn: RunningFunction;
let dir: string;
let store: EventStore;
let bucket: string;

const physical = (type: string, name: string) => byName(record, type, name).state.name as string;

test.before(async () => {
  [ddb, s3, signIn, record] = await Promise.all([
    startDynamoDbLocal(),
    startS3Local(),
    startLocalSignIn({ port: 0, clientId: CLIENT_ID }),
    evaluateStack("dev", SYNCS_CONFIG, "ts-node", [...Object.keys(TEST_SECRETS), ...SYNC_SECRET_KEYS]),
  ]);
  const table = "aws:dynamodb/table:Table";
  await Promise.all([
    createTable(ddb.client, physical(table, "events-events"), eventsTable),
    createTable(ddb.client, physical(table, "api-messages"), messageTable),
    createTable(ddb.client, physical(table, "calendly-meetings"), meetingsTable),
    createTable(ddb.client, physical(table, "gists-state"), syncStateTable),
    createTable(ddb.client, physical(table, "skills-state"), syncStateTable),
  ]);
  bucket = byName(record, "aws:s3/bucket:Bucket", "events-media").state.bucket as string;
  await s3.createBucket(bucket);
  store = new EventStore(new DynamoDBClient({ endpoint: ddb.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } }), physical(table, "events-events"));
  const graphql = byName(record, "aws:lambda/function:Function", "graphql");
  dir = unpackFunction(graphql);
  fn = await startFunction(dir, {
    ...graphql.inputs.environment.variables,
    // The stand-in's tokens: its issuer (its JWKS on loopback) and client in place of Cognito's.
    JWT_ISSUER: signIn.issuer,
    JWT_AUDIENCE: CLIENT_ID,
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_LAMBDA_FUNCTION_NAME: "graphql",
  });
});

test.after.always(async () => {
  await fn?.stop();
  if (dir) removeDir(dir);
  await Promise.all([ddb?.stop(), s3?.stop(), signIn?.close()]);
});

const call = async (method: "GET" | "POST", params: Record<string, unknown>, token?: string) => {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const event =
    method === "GET"
      ? apiEvent("GET", `/graphql?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === "string" ? v : JSON.stringify(v)]))}`, { routeKey: "GET /graphql", headers })
      : apiEvent("POST", "/graphql", { routeKey: "POST /graphql", body: JSON.stringify(params), headers });
  return parseResult(await fn.invoke(event));
};

test.serial("the upload serves ManageEvent with a real token, the public reads without one, and refuses a bad query with a 400", async (t) => {
  const { idToken } = await signIn.issue("olga@example.com");
  const { sub } = JSON.parse(Buffer.from(idToken.split(".")[1]!, "base64url").toString()) as { sub: string };
  const organizer = { id: sub, email: "olga@example.com" };
  const now = new Date();
  const created = await store.create({ title: "Artifact day", description: "", startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(), durationMinutes: 30, visibility: "public" }, organizer, now);
  await store.invite(created.id, ["ann@example.com"], organizer, now, 10);
  const key = `events/${created.id}/cover.png`;
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from("png"), ContentType: "image/png" }));
  await store.setMedia(created.id, "cover", { key, contentType: "image/png", size: 3 }, organizer, now);
  await store.publish(created.id, organizer, now);

  const manage = await call("GET", { id: PERSISTED_QUERIES.find((q) => q.name === "ManageEvent")!.sha256, variables: { id: created.id } }, idToken);
  t.is(manage.status, 200, `${JSON.stringify(manage.body)} ${fn.logs.filter((l) => l.includes("failed")).join("\n")}`);
  t.is(manage.body.data.myEvent?.title, "Artifact day", JSON.stringify(manage.body.errors));
  // A free event: the payment counts the REST view leaves out are GraphQL's nulls.
  t.deepEqual(manage.body.data.myEvent.invitations.counts, { yes: 0, no: 0, pending: 1, undeliverable: 0, paid: null, paymentPending: null, collected: null });
  t.deepEqual(manage.body.data.myEvent.invitations.items.map((i: { email: string }) => i.email), ["ann@example.com"]);
  // The presigned cover works (fetched through the recording proxy: the media read is exercised).
  const cover = await fetch(manage.body.data.myEvent.coverUrl);
  t.is(cover.status, 200);
  t.is(await cover.text(), "png");

  const db = new DynamoDBClient({ endpoint: ddb.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  await new MessageStore(db, physical("aws:dynamodb/table:Table", "api-messages")).create("from the artifact");
  const at = new Date().toISOString();
  await new MeetingStore(db, physical("aws:dynamodb/table:Table", "calendly-meetings")).applyChanges([{ meetingId: "m1", details: { name: "Intro", startTime: at }, inviteeId: "i1", invitee: { status: "active", email: "ann@example.com" }, at, eventId: "e1" }]);
  await new RunStateStore(db, physical("aws:dynamodb/table:Table", "gists-state"), "gists").finishRun("r1", new Date(), { seen: 1, created: 1, skipped: 0, failed: 0 });

  const everything = await call(
    "POST",
    {
      query: `query($id: ID!) { events(sort: start) { items { id } } created: events(sort: created) { items { id } } newest: events { items { id } } event(id: $id) { title }
        myEvents { items { id } } messages(limit: 1) { items { message } } messageCount message(id: "01890a5d-ac96-774b-bcce-b302099a8057") { id }
        meetings { items { name invitees { email } } } syncStatus { job counts { created } } }`,
      variables: { id: created.id },
    },
    idToken,
  );
  t.is(everything.status, 200, JSON.stringify(everything.body));
  t.is(everything.body.errors, undefined, JSON.stringify(everything.body.errors));
  const d = everything.body.data;
  t.deepEqual([d.events.items, d.created.items, d.newest.items].map((items: { id: string }[]) => items.map((e) => e.id)), [[created.id], [created.id], [created.id]]);
  t.is(d.event.title, "Artifact day");
  t.deepEqual(d.myEvents.items, [{ id: created.id }]);
  t.deepEqual(d.messages.items, [{ message: "from the artifact" }]);
  t.is(d.messageCount, 1);
  t.is(d.message, null);
  t.deepEqual(d.meetings.items, [{ name: "Intro", invitees: [{ email: "a***@example.com" }] }]);
  t.deepEqual(d.syncStatus.map((s: { job: string; counts: { created: number } | null }) => [s.job, s.counts?.created ?? null]).sort(), [["gists", 1], ["skills", null]]);

  const anonymous = await call("POST", { query: "{ messageCount myEvents { items { id } } }" });
  t.is(anonymous.status, 200);
  t.is(anonymous.body.errors[0].extensions.code, "UNAUTHENTICATED");
  t.regex(anonymous.body.errors[0].message, /Sign in/);
  const bad = await call("POST", { query: "{ messageCount " });
  t.is(bad.status, 400);
  t.is(bad.body.errors[0].extensions.code, "GRAPHQL_PARSE_FAILED");
  t.true(fn.initMs > 0);
});
