// The events platform's stream → queue → mail path (issue #8) through the serialized functions (as
// ts-node-evaluated index.ts would upload them), each in a fresh Node process: DynamoDB Local with
// its stream feeding the fan-out like an event source mapping, s3rver holding the media bucket (the
// cloud outbox: no `switchyard:eventsSender` in dev), an SSM stand-in holding the RSVP signing key,
// an SQS stand-in whose accepted messages go into a queue with SQS semantics consumed by the notify
// function, and an EventBridge Scheduler stand-in for the reminder. With a consumer failure
// injected: no mail lost, none sent twice.
import test from "ava";
import { createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { GetItemCommand, QueryCommand, ScanCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageBatchCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { parseMime } from "../../handlers/events/mail/parse-mime";
import { utcTime } from "../../handlers/events/mail/templates";
import { notificationKey, type NotificationJob } from "../../handlers/events/notification-job";
import { verifyRsvpToken } from "../../handlers/events/rsvp-token";
import { EventStore } from "../../handlers/events/event-store";
import { deriveStreamKey } from "../../handlers/events/video-stream-token";
import { seedReadyRendition } from "../harness/hls-rendition";
import { EVENT_SK, eventsTable, listSnapshotsTable, notificationsSentTable } from "../../handlers/events/tables";
import { startStreamPoller, type StreamPoller } from "../../local/emulators/dynamodb-stream-poller";
import { createLocalQueue, type LocalQueue } from "../../local/emulators/job-queue";
import { startS3Local, type S3Local } from "../../local/emulators/s3-local";
import { createTable } from "../../local/emulators/tables";
import { maskEmail } from "../../handlers/shared/mask";
import { removeDir, startFunction, unpackFunction, type RunningFunction } from "../harness/artifact";
import { startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";
import type { StackRecord } from "../harness/record";
import { startScheduler, type SchedulerStandIn } from "../harness/scheduler";
import { startSqs, type SqsStandIn } from "../harness/sqs";
import { startSsm } from "../harness/ssm";
import { TEST_SECRETS, byName, evaluateStack } from "../harness/stacks";

const FUNCTIONS = ["organizer", "rsvp", "fanout", "notify", "public", "cleanup", "stream"] as const;
const RSVP_KEY = TEST_SECRETS["switchyard:rsvpSigningKey"]!;
const ORGANIZER = { sub: "6f1c2d3e-0000-4000-8000-000000000001", email: "olga@example.com" };
const ANN = "ann@example.com";
const BEN = "ben@example.com";
const HOUR = 3_600_000;

let ddb: DynamoDbLocal;
let s3: S3Local;
let faultyS3: FaultyS3;
let ssm: Awaited<ReturnType<typeof startSsm>>;
let sqs: SqsStandIn;
let scheduler: SchedulerStandIn;
let queue: LocalQueue<NotificationJob>;
let poller: StreamPoller;
let record: StackRecord;
let fnEnv: Record<(typeof FUNCTIONS)[number], Record<string, string>>;
let bucket: string;
let sentTable: string;
let eventsTableName: string;
const fns: Partial<Record<(typeof FUNCTIONS)[number], RunningFunction>> = {};
const dirs: string[] = [];
const streamFailures: unknown[] = [];
/** Every record each notify invocation got, and whether it reported it as failed. */
const deliveries: { key: string; receiveCount: number; failed: boolean }[] = [];

// ---------------------------------------------------------------------------------------------
// The injected consumer failure: the notify function reaches S3 through this proxy, which resets
// the connection of every PutObject of Ben's mail while the outage lasts, as a network fault
// between Lambda and S3 would. The function's real S3 client retries (its SDK retry policy) and
// gives up, the send fails inside the serialized notify, Powertools deletes its in-progress record,
// the function reports the message in batchItemFailures, and the queue redelivers it after the
// visibility timeout. The outage ends when that first notify invocation has returned.

interface FaultyS3 {
  endpoint: string;
  outage: { active: boolean; resets: number };
  close(): Promise<void>;
}

async function startFaultyS3(target: string, fails: (req: IncomingMessage, body: Buffer) => boolean): Promise<FaultyS3> {
  const outage = { active: true, resets: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (outage.active && fails(req, body)) {
        outage.resets++;
        req.socket.destroy();
        return;
      }
      const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", (error) => res.destroy(error));
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    outage,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const bensMailPut = (req: IncomingMessage, body: Buffer) => req.method === "PUT" && /\/outbox\//.test(req.url ?? "") && /^To: .*ben@example\.com/im.test(body.toString("utf8"));

// ---------------------------------------------------------------------------------------------

test.before(async () => {
  [ddb, s3, record, sqs, scheduler] = await Promise.all([
    startDynamoDbLocal(),
    startS3Local(),
    evaluateStack("dev", {}, "ts-node"),
    startSqs({ onMessages: (bodies) => queue.send(bodies.map((b) => JSON.parse(b) as NotificationJob)) }),
    startScheduler(),
  ]);
  const physical = (type: string, name: string) => byName(record, type, name).state.name as string;
  const tables = { events: physical("aws:dynamodb/table:Table", "events-events"), sent: physical("aws:dynamodb/table:Table", "events-notifications-sent") };
  await createTable(ddb.client, tables.events, eventsTable);
  await createTable(ddb.client, tables.sent, notificationsSentTable);
  await createTable(ddb.client, physical("aws:dynamodb/table:Table", "events-list-snapshots"), listSnapshotsTable);
  sentTable = tables.sent;
  eventsTableName = tables.events;
  bucket = byName(record, "aws:s3/bucket:Bucket", "events-media").state.bucket as string;
  await s3.createBucket(bucket);
  faultyS3 = await startFaultyS3(s3.endpoint, bensMailPut);
  ssm = await startSsm({ [physical("aws:ssm/parameter:Parameter", "events-rsvp-signing-key")]: RSVP_KEY, [physical("aws:ssm/parameter:Parameter", "events-video-stream-key")]: deriveStreamKey(RSVP_KEY) });

  const localEndpoints = {
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_ENDPOINT_URL_SCHEDULER: scheduler.endpoint,
    AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
  };
  fnEnv = {} as typeof fnEnv;
  // allSettled: a function that fails its cold start must not leave the others running unstopped.
  const started = await Promise.allSettled(
    FUNCTIONS.map(async (kind) => {
      const fn = byName(record, "aws:lambda/function:Function", `events-${kind}`);
      const dir = unpackFunction(fn);
      dirs.push(dir);
      const env: Record<string, string> = { ...fn.inputs.environment.variables, ...localEndpoints, AWS_LAMBDA_FUNCTION_NAME: fn.name };
      if (kind === "fanout") env.NOTIFICATION_QUEUE_URL = sqs.queueUrl;
      if (kind === "notify") env.AWS_ENDPOINT_URL_S3 = faultyS3.endpoint;
      fnEnv[kind] = env;
      fns[kind] = await startFunction(dir, env);
    }),
  );
  for (const result of started) if (result.status === "rejected") throw result.reason;

  // The notifications queue's event source mapping: SQS semantics (visibility timeout, redrive
  // after 5 receives), batches handed to the serialized notify function.
  queue = createLocalQueue<NotificationJob>({
    name: "events-notifications",
    visibilityTimeoutMs: 3000,
    maxReceiveCount: 5,
    consumer: async (event: SQSEvent) => {
      const response = (await fns.notify!.invoke(event)) as SQSBatchResponse;
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      for (const r of event.Records) {
        const job = JSON.parse(r.body) as NotificationJob;
        deliveries.push({ key: notificationKey(job), receiveCount: Number(r.attributes.ApproximateReceiveCount), failed: failed.has(r.messageId) });
      }
      // The outage lasts for the first notify invocation that tried Ben's mail.
      if (faultyS3.outage.active && faultyS3.outage.resets > 0) faultyS3.outage.active = false;
      return response;
    },
  });
  // The events table's stream → the fan-out, as its event source mapping.
  poller = await startStreamPoller({
    client: ddb.client,
    endpoint: ddb.endpoint,
    tableName: tables.events,
    handler: (batch) => fns.fanout!.invoke(batch),
    pollIntervalMs: 50,
    onFailure: (records) => void streamFailures.push(...records),
  });
});

test.after.always(async () => {
  await poller?.stop().catch(() => undefined);
  await queue?.close();
  await Promise.all(Object.values(fns).map((fn) => fn.stop()));
  dirs.forEach(removeDir);
  await Promise.all([ddb?.stop(), s3?.stop(), faultyS3?.close(), ssm?.close(), sqs?.close(), scheduler?.close()]);
});

/** The stream handled everything written so far, then the queue is empty with nothing in flight. */
const idle = async () => {
  await poller.idle();
  await queue.drained();
};

/** A request as API Gateway hands it to the function after the JWT authorizer accepted the organizer's ID token. */
function organizerRequest(method: string, path: string, routeKey: string, options: { id?: string; body?: unknown } = {}) {
  const event = apiEvent(method, path, {
    routeKey,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.id ? { pathParameters: { id: options.id } } : {}),
  });
  (event.requestContext as any).authorizer = { jwt: { claims: { sub: ORGANIZER.sub, email: ORGANIZER.email, token_use: "id" }, scopes: null } };
  return event;
}
const organizer = async (...args: Parameters<typeof organizerRequest>) => parseResult(await fns.organizer!.invoke(organizerRequest(...args)));
const answer = async (token: string) => parseResult(await fns.rsvp!.invoke(apiEvent("POST", "/rsvp", { routeKey: "POST /rsvp", body: JSON.stringify({ token }) })));

/** Every mail in the cloud outbox (`outbox/` in the media bucket), read back from s3rver. */
async function outbox() {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "outbox/" }));
  return Promise.all(
    (listed.Contents ?? []).map(async ({ Key }) => {
      const object = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key }));
      const mime = await parseMime(await object.Body!.transformToByteArray());
      return { key: Key!, to: mime.headers.to!, subject: mime.headers.subject!, notification: mime.headers["x-switchyard-notification"]!, text: mime.text ?? "" };
    }),
  );
}
const schedulesInGroup = () => [...scheduler.schedules.values()].filter((s) => s.GroupName === fnEnv.fanout.REMINDER_GROUP);
const atExpression = (ms: number) => `at(${new Date(ms).toISOString().slice(0, 19)})`;

test.serial("create → invite → publish → RSVP → move → reminder → cancel: every mail exactly once, through a failed first send", async (t) => {
  const started = Date.now();
  // Whole seconds: Scheduler's at() has one-second precision.
  const startsAt = Math.floor((Date.now() + 3 * 24 * HOUR) / 1000) * 1000;
  const created = await organizer("POST", "/events", "POST /events", { body: { title: "Kickoff", description: "Plans for the year", startsAt: new Date(startsAt).toISOString(), durationMinutes: 45 } });
  t.is(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as string;
  const invited = await organizer("POST", `/events/${id}/invitations`, "POST /events/{id}/invitations", { id, body: { emails: [ANN, "Ben@Example.com"] } });
  t.is(invited.status, 201);
  t.deepEqual(invited.body.added.sort(), [ANN, BEN]);
  await idle();
  t.deepEqual(await outbox(), [], "nothing is mailed for a draft");
  t.deepEqual(schedulesInGroup(), [], "nor scheduled");

  // Publish: the fan-out puts two invitation jobs on SQS (one SendMessageBatch) and schedules the reminder.
  const published = await organizer("POST", `/events/${id}/publish`, "POST /events/{id}/publish", { id });
  t.is(published.status, 200);
  await idle();
  const invitations = await outbox();
  t.deepEqual(invitations.map((m) => m.to).sort(), [ANN, BEN], "exactly one invitation each");
  t.true(invitations.every((m) => m.subject === "Invitation: Kickoff"));
  t.deepEqual(invitations.map((m) => m.notification).sort(), [`${id}#${ANN}#invitation`, `${id}#${BEN}#invitation`]);
  t.true(sqs.calls.some((c) => c.target === "AmazonSQS.SendMessageBatch" && c.body.QueueUrl === sqs.queueUrl && c.body.Entries.length === 2));

  // The injected failure: Ben's first send died on the wire (every SDK attempt), was reported, and
  // was redelivered once; Ann's went through the first time.
  t.true(faultyS3.outage.resets >= 1, "the S3 PUT of Ben's mail was cut off");
  t.false(faultyS3.outage.active);
  const bens = deliveries.filter((d) => d.key === `${id}#${BEN}#invitation`);
  t.deepEqual(bens.map((d) => [d.receiveCount, d.failed]), [[1, true], [2, false]], "failed on the first receive, sent on the second");
  t.deepEqual(deliveries.filter((d) => d.key === `${id}#${ANN}#invitation`).map((d) => [d.receiveCount, d.failed]), [[1, false]]);
  // The log names Ben masked, as every log line names a person (handlers/shared/mask.ts).
  t.true(fns.notify!.logs.some((l) => l.includes("notification failed; it will be redelivered") && l.includes(maskEmail(BEN)!)));

  // The reminder: one schedule, an hour before the start, targeting the queue with the organizer's job.
  const fanoutEnv = fnEnv.fanout;
  t.is(fanoutEnv.NOTIFICATION_QUEUE_ARN, byName(record, "aws:sqs/queue:Queue", "events-notifications").state.arn);
  const [schedule, ...more] = schedulesInGroup();
  t.deepEqual(more, [], "one schedule");
  t.like(schedule, {
    Name: `reminder-${id}`,
    ScheduleExpression: atExpression(startsAt - HOUR),
    ScheduleExpressionTimezone: "UTC",
    ActionAfterCompletion: "DELETE",
    Target: { Arn: fanoutEnv.NOTIFICATION_QUEUE_ARN, RoleArn: fanoutEnv.REMINDER_ROLE_ARN, DeadLetterConfig: { Arn: fanoutEnv.REMINDER_DLQ_ARN } },
  });
  t.deepEqual(JSON.parse(schedule.Target.Input), { kind: "reminder", eventId: id, recipient: ORGANIZER.email });

  // A duplicated job (a retried stream batch, a second producer) reaches notify and sends nothing.
  await sqs.client.send(new SendMessageBatchCommand({ QueueUrl: sqs.queueUrl, Entries: [{ Id: "dup", MessageBody: JSON.stringify({ kind: "invitation", eventId: id, recipient: ANN }) }] }));
  await idle();
  t.is((await outbox()).length, 2, "no second invitation");
  t.deepEqual(deliveries.filter((d) => d.key === `${id}#${ANN}#invitation`).map((d) => d.failed), [false, false], "the duplicate was received and acknowledged");

  // Ann answers with her mail's yes link: the token was signed with the key notify read from SSM,
  // and the rsvp function verifies it with the same parameter.
  const annMail = invitations.find((m) => m.to === ANN)!;
  const links = [...annMail.text.matchAll(/\/events\/rsvp\?token=(\S+)/g)].map((m) => m[1]!);
  t.true(annMail.text.includes(`${fnEnv.notify.SITE_URL}/events/rsvp?token=`));
  const yes = links.find((token) => verifyRsvpToken(token, RSVP_KEY).answer === "yes")!;
  t.like(verifyRsvpToken(yes, RSVP_KEY), { eventId: id, email: ANN });
  const first = await answer(yes);
  t.is(first.status, 200, JSON.stringify(first.body));
  t.like(first.body, { eventId: id, invitee: ANN, status: "yes" });
  // Issue #18: the link keeps working; the answer already current is a no-op.
  const again = await answer(yes);
  t.is(again.status, 200);
  t.like(again.body, { status: "yes", changed: false });
  // Ben declines (pending → no: the event is only checked, its confirmed count stays).
  const benNo = [...invitations.find((m) => m.to === BEN)!.text.matchAll(/\/events\/rsvp\?token=(\S+)/g)].map((m) => m[1]!).find((token) => verifyRsvpToken(token, RSVP_KEY).answer === "no")!;
  t.like((await answer(benNo)).body, { status: "no", changed: true });
  await idle();
  // Ann's yes → the fan-out's "you're in" job → one confirmation mail, keyed by her answer's number.
  const confirmations = (await outbox()).filter((m) => m.notification.includes("#confirmation"));
  t.deepEqual(confirmations.map((m) => [m.to, m.notification, m.subject]), [[ANN, `${id}#${ANN}#confirmation#1`, "You're in: Kickoff"]]);
  const parameter = fnEnv.rsvp.RSVP_SIGNING_KEY_PARAMETER ?? "(rsvp has no RSVP_SIGNING_KEY_PARAMETER)";
  t.is(fnEnv.notify.RSVP_SIGNING_KEY_PARAMETER, parameter, "one key for signing and verifying");
  t.true(ssm.requests.filter((r) => r === `AmazonSSM.GetParameter ${parameter}`).length >= 2, "notify and rsvp each read the key from SSM");

  // Moving the start moves the reminder: still one schedule, at the new time.
  const movedStart = startsAt + 24 * HOUR;
  const moved = await organizer("PATCH", `/events/${id}`, "PATCH /events/{id}", { id, body: { startsAt: new Date(movedStart).toISOString() } });
  t.is(moved.status, 200);
  await idle();
  const movedSchedules = schedulesInGroup();
  t.is(movedSchedules.length, 1);
  t.is(movedSchedules[0].ScheduleExpression, atExpression(movedStart - HOUR));
  t.is(movedSchedules[0].Name, `reminder-${id}`);
  // And it is mailed (issue #18) to Ann (yes), once; not to Ben, who declined.
  const changes = (await outbox()).filter((m) => m.notification.endsWith("#change"));
  t.deepEqual(changes.map((m) => m.notification).sort(), [`${id}#${ANN}#r1#change`]);
  t.true(changes.every((m) => m.subject === "Changed: Kickoff (new time)"));

  // When it fires, Scheduler sends its input to the queue (SQS SendMessage): the organizer's
  // reminder lists who said yes.
  await sqs.client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: movedSchedules[0].Target.Input }));
  await idle();
  const reminders = (await outbox()).filter((m) => m.notification === `${id}#${ORGANIZER.email}#reminder`);
  t.is(reminders.length, 1);
  t.is(reminders[0]!.to, ORGANIZER.email);
  t.is(reminders[0]!.subject, "Starting in an hour: Kickoff (1 attending)");
  t.regex(reminders[0]!.text, /Attending \(1\):\n- ann@example\.com\n/);

  // Cancel: Ann (yes) is told, once; Ben declined and is not; the reminder is deleted.
  const canceled = await organizer("POST", `/events/${id}/cancel`, "POST /events/{id}/cancel", { id });
  t.is(canceled.status, 200);
  await idle();
  const mails = await outbox();
  const cancellations = mails.filter((m) => m.notification.endsWith("#cancellation"));
  t.deepEqual(cancellations.map((m) => m.to).sort(), [ANN], "Ben declined: no cancellation mail");
  t.deepEqual(schedulesInGroup(), [], "the schedule is deleted");
  t.true(scheduler.calls.some((c) => c.method === "DELETE" && c.name === `reminder-${id}`));

  // Totals: 2 invitations + 1 confirmation + 1 change mail + 1 reminder + 1 cancellation, each notification once; nothing dead-lettered.
  t.is(mails.length, 6);
  t.is(new Set(mails.map((m) => m.notification)).size, 6, "no notification mailed twice");
  t.deepEqual(queue.deadLetters(), []);
  t.deepEqual(streamFailures, []);
  // One completed Powertools idempotency record per notification (the failed send left none behind).
  const sent = (await ddb.client.send(new ScanCommand({ TableName: sentTable, ConsistentRead: true }))).Items ?? [];
  t.deepEqual(sent.map((item) => item.status?.S), Array(6).fill("COMPLETED"));
  t.log(`${mails.length} mails; ${deliveries.length} notify deliveries (${deliveries.filter((d) => d.failed).length} failed, ${faultyS3.outage.resets} S3 PUTs cut off); flow took ${Date.now() - started} ms`);
});

test.serial("changes (issue #18), as uploaded: a moved start and a new join link are each mailed once to yes and pending invitees, through a failed first send; the declined get none", async (t) => {
  const CID = "cid@example.com";
  const startsAt = Math.floor((Date.now() + 4 * 24 * HOUR) / 1000) * 1000;
  const created = await organizer("POST", "/events", "POST /events", { body: { title: "Roadmap", startsAt: new Date(startsAt).toISOString(), durationMinutes: 60 } });
  t.is(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as string;
  t.is((await organizer("POST", `/events/${id}/invitations`, "POST /events/{id}/invitations", { id, body: { emails: [ANN, BEN, CID] } })).status, 201);
  t.is((await organizer("POST", `/events/${id}/publish`, "POST /events/{id}/publish", { id })).status, 200);
  await idle();
  // Ann says yes and Cid no, with their mails' links; Ben does not answer.
  const invitations = (await outbox()).filter((m) => m.notification.startsWith(`${id}#`));
  const link = (who: string, answer: "yes" | "no") =>
    [...invitations.find((m) => m.to === who)!.text.matchAll(/\/events\/rsvp\?token=(\S+)/g)].map((m) => m[1]!).find((token) => verifyRsvpToken(token, RSVP_KEY).answer === answer)!;
  t.is((await answer(link(ANN, "yes"))).status, 200);
  t.is((await answer(link(CID, "no"))).status, 200);
  // Ann's yes mails her a confirmation (its own idempotency record): counted before, not among the change mails.
  await idle();
  const sentBefore = ((await ddb.client.send(new ScanCommand({ TableName: sentTable, ConsistentRead: true }))).Items ?? []).length;
  const mine = async () => (await outbox()).filter((m) => m.notification.startsWith(`${id}#`) && m.notification.endsWith("#change"));

  // The outage again, for Ben's change mail: its first send dies on the wire, SQS redelivers it.
  Object.assign(faultyS3.outage, { active: true, resets: 0 });
  const movedStart = new Date(startsAt + 24 * HOUR).toISOString();
  t.is((await organizer("PATCH", `/events/${id}`, "PATCH /events/{id}", { id, body: { startsAt: movedStart } })).status, 200);
  await idle();
  let changes = await mine();
  t.deepEqual(changes.map((m) => m.notification).sort(), [`${id}#${ANN}#r1#change`, `${id}#${BEN}#r1#change`], "one each to yes and pending, none to Cid");
  t.true(faultyS3.outage.resets >= 1, "the S3 PUT of Ben's change mail was cut off");
  t.deepEqual(deliveries.filter((d) => d.key === `${id}#${BEN}#r1#change`).map((d) => [d.receiveCount, d.failed]), [[1, true], [2, false]], "failed on the first receive, sent on the second");
  for (const m of changes) {
    t.true(m.text.includes(`New time: ${utcTime(movedStart)} (60 minutes).\nIt was: ${utcTime(new Date(startsAt).toISOString())}.`), m.text);
  }

  // The join link, as the organizer's PATCH of the join-link part of #18 writes it: the link and a new revision.
  const joinUrl = "https://meet.example/roadmap-9d1e";
  await ddb.client.send(
    new UpdateItemCommand({
      TableName: eventsTableName,
      Key: { pk: { S: id }, sk: { S: EVENT_SK } },
      UpdateExpression: "SET joinUrl = :u, updatedAt = :now, revision = if_not_exists(revision, :zero) + :one",
      ExpressionAttributeValues: { ":u": { S: joinUrl }, ":now": { S: new Date().toISOString() }, ":zero": { N: "0" }, ":one": { N: "1" } },
      ConditionExpression: "attribute_exists(pk)",
    }),
  );
  await idle();
  changes = (await mine()).filter((m) => m.notification.includes("#r2#"));
  t.deepEqual(changes.map((m) => m.to).sort(), [ANN, BEN]);
  t.true(changes.find((m) => m.to === ANN)!.text.includes(joinUrl), "the attendee gets the link");
  t.false(changes.find((m) => m.to === BEN)!.text.includes("meet.example"), "the undecided one is told it changed, without it");
  t.true(changes.find((m) => m.to === BEN)!.text.includes("The join link has changed."));

  // A redelivered change job (a retried stream batch) mails nothing more.
  const before = deliveries.length;
  await sqs.client.send(new SendMessageBatchCommand({ QueueUrl: sqs.queueUrl, Entries: [{ Id: "again", MessageBody: JSON.stringify({ kind: "change", eventId: id, recipient: BEN, change: { id: "r1", startsAt: { from: new Date(startsAt).toISOString(), to: movedStart } } }) }] }));
  await idle();
  t.deepEqual(deliveries.slice(before).map((d) => [d.key, d.failed]), [[`${id}#${BEN}#r1#change`, false]], "received and acknowledged");
  t.is((await mine()).length, 4, "2 changes × 2 invitees, each once");
  const sent = (await ddb.client.send(new ScanCommand({ TableName: sentTable, ConsistentRead: true }))).Items ?? [];
  t.is(sent.length, sentBefore + 4, "one idempotency record per change mail");
  t.true(sent.every((item) => item.status?.S === "COMPLETED"));
  t.deepEqual(queue.deadLetters(), []);
  t.deepEqual(streamFailures, []);
});

test.serial("the public, as uploaded: a published public event is listed and shown, a private one is neither", async (t) => {
  const startsAt = new Date(Math.floor((Date.now() + 5 * 24 * HOUR) / 1000) * 1000).toISOString();
  const create = async (title: string, visibility: "public" | "private") => {
    const created = await organizer("POST", "/events", "POST /events", { body: { title, description: "All welcome", startsAt, durationMinutes: 60, visibility } });
    t.is(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    t.is((await organizer("POST", `/events/${id}/publish`, "POST /events/{id}/publish", { id })).status, 200);
    return id;
  };
  const open = await create("Open house", "public");
  const closed = await create("Board meeting", "private");
  await idle();
  const visitor = async (path: string, routeKey: string, id?: string) => parseResult(await fns.public!.invoke(apiEvent("GET", path, { routeKey, ...(id ? { pathParameters: { id } } : {}) })));
  const list = await visitor("/events?limit=50", "GET /events");
  t.is(list.status, 200, JSON.stringify(list.body));
  const listed = list.body.items.map((e: any) => e.id);
  t.true(listed.includes(open), "the public event is listed");
  t.false(listed.includes(closed), "the private one is not");
  const shown = await visitor(`/events/${open}`, "GET /events/{id}", open);
  t.is(shown.status, 200);
  t.like(shown.body, { id: open, title: "Open house", startsAt, status: "published" });
  t.is((await visitor(`/events/${closed}`, "GET /events/{id}", closed)).status, 404, "a private event is not found by the public");

  // Every sort pages (each over its own index); popularity keeps its ranking in the snapshots table
  // and reads the next page's events with one BatchGetItem.
  const second = await create("Second open house", "public");
  await idle();
  for (const sort of ["published", "created", "start", "popularity"]) {
    const first = await visitor(`/events?limit=1&sort=${sort}`, "GET /events");
    t.is(first.status, 200, `${sort}: ${JSON.stringify(first.body)}`);
    t.truthy(first.body.nextCursor, `${sort}: a second page`);
    const next = await visitor(`/events?limit=1&sort=${sort}&cursor=${first.body.nextCursor}`, "GET /events");
    t.is(next.status, 200, `${sort}: ${JSON.stringify(next.body)}`);
    t.deepEqual([...first.body.items, ...next.body.items].map((e: any) => e.id).sort(), [open, second].sort(), `${sort}: both public events, once each`);
  }
});

test.serial("a video, as uploaded (issue #19): the organizer's and the public view hand out a stream URL; the stream function serves its playlists with presigned segments S3 serves; a forged token gets a 403", async (t) => {
  const startsAt = new Date(Math.floor((Date.now() + 6 * 24 * HOUR) / 1000) * 1000).toISOString();
  const created = await organizer("POST", "/events", "POST /events", { body: { title: "Film night", startsAt, durationMinutes: 60, visibility: "public" } });
  const id = created.body.id as string;
  t.is((await organizer("POST", `/events/${id}/publish`, "POST /events/{id}/publish", { id })).status, 200);
  // As the pipeline would: an ffmpeg-made rendition under events/<id>/hls/<upload>/ and the item marked ready.
  const rendition = await seedReadyRendition(s3.client, bucket, new EventStore(ddb.client, eventsTableName), id);
  await idle();
  const mine = await organizer("GET", `/me/events/${id}`, "GET /me/events/{id}", { id });
  t.is(mine.body.video.state, "ready", JSON.stringify(mine.body));
  const shown = parseResult(await fns.public!.invoke(apiEvent("GET", `/events/${id}`, { routeKey: "GET /events/{id}", pathParameters: { id } })));
  t.is(shown.status, 200);
  const streamUrl = new URL(shown.body.video.streamUrl as string);
  t.true(streamUrl.pathname.startsWith(`/events/${id}/stream/`) && streamUrl.pathname.endsWith("/index.m3u8"), "on the API (API_URL: here the harness's stand-in for the stack's execute-api address)");
  const stream = async (path: string) => {
    const [, , eventId, , token, file] = path.split("/");
    const result = await fns.stream!.invoke(apiEvent("GET", path, { routeKey: "GET /events/{id}/stream/{token}/{file}", pathParameters: { id: eventId!, token: token!, file: file! } }));
    return result as { statusCode: number; headers: Record<string, string>; body: string };
  };
  const master = await stream(streamUrl.pathname);
  t.is(master.statusCode, 200, master.body);
  t.is(master.headers["content-type"], "application/vnd.apple.mpegurl");
  t.deepEqual(master.body.split("\n").filter((l) => l && !l.startsWith("#")), ["v0.m3u8", "v1.m3u8"]);
  const variant = await stream(streamUrl.pathname.replace("index.m3u8", "v0.m3u8"));
  const segments = variant.body.split("\n").filter((l) => l && !l.startsWith("#"));
  t.is(segments.length, 3);
  t.true(new URL(segments[0]!).pathname.endsWith(`${rendition.playlist!.replace("index.m3u8", "v0_000.ts")}`));
  const segment = await fetch(segments[0]!);
  t.is(segment.status, 200, "s3rver serves the presigned segment");
  t.is(segment.headers.get("content-type"), "video/mp2t");
  const forged = await stream(streamUrl.pathname.replace(/\/stream\/(\d+)\.[^/]+\//, (_m, exp) => `/stream/${exp}.${"A".repeat(43)}/`));
  t.is(forged.statusCode, 403);
  t.false(/https?:/.test(forged.body), "no URL for a forged token");
});

test.serial("a monthly series, as uploaded: one transaction creates it, invitations go to the series, following is edited and published, a reminder per occurrence", async (t) => {
  const startsAt = new Date(Math.floor((Date.now() + 10 * 24 * HOUR) / 1000) * 1000).toISOString();
  const created = await organizer("POST", "/events", "POST /events", { body: { title: "Monthly sync", startsAt, durationMinutes: 30, recurrence: { frequency: "monthly", by: "dayOfMonth", timeZone: "America/New_York", count: 3 } } });
  t.is(created.status, 201, JSON.stringify(created.body));
  const seriesId = created.body.series.id as string;
  const listed = await organizer("GET", `/me/series/${seriesId}`, "GET /me/series/{id}", { id: seriesId });
  t.is(listed.status, 200, JSON.stringify(listed.body));
  const ids = listed.body.items.map((i: { id: string }) => i.id) as string[];
  t.is(ids.length, 3);
  const invited = await organizer("POST", `/events/${ids[1]}/invitations`, "POST /events/{id}/invitations", { id: ids[1], body: { emails: [ANN] } });
  t.deepEqual(invited.body, { added: [ANN], existing: [], occurrences: 3 });
  const edited = await organizer("PATCH", `/events/${ids[1]}?scope=following`, "PATCH /events/{id}", { id: ids[1], body: { title: "Monthly sync (new room)" } });
  t.is(edited.status, 200, JSON.stringify(edited.body));
  t.like(edited.body.series, { continues: seriesId, occurrence: 1, occurrences: 2 });
  const published = await organizer("POST", `/events/${ids[1]}/publish?scope=following`, "POST /events/{id}/publish", { id: ids[1] });
  t.is(published.status, 200, JSON.stringify(published.body));
  await idle();
  const scheduled = schedulesInGroup().map((s) => s.Name).sort();
  t.true([ids[1], ids[2]].every((id) => scheduled.includes(`reminder-${id}`)), "a reminder for each published occurrence");
  t.false(scheduled.includes(`reminder-${ids[0]}`), "none for the draft");
  const mails = (await outbox()).filter((m) => m.subject === "Invitation: Monthly sync (new room)");
  t.deepEqual(mails.map((m) => m.notification).sort(), [`${ids[1]}#${ANN}#invitation`, `${ids[2]}#${ANN}#invitation`].sort(), "one invitation per published occurrence");
  t.deepEqual(streamFailures, []);
});

test.serial("the daily clean-up removes a draft untouched for 30 days; the fan-out then removes its invitations and media", async (t) => {
  const startsAt = new Date(Math.floor((Date.now() + 60 * 24 * HOUR) / 1000) * 1000).toISOString();
  const draft = async (title: string) => {
    const created = await organizer("POST", "/events", "POST /events", { body: { title, startsAt, durationMinutes: 30 } });
    t.is(created.status, 201, JSON.stringify(created.body));
    return created.body.id as string;
  };
  const stale = await draft("Forgotten idea");
  const fresh = await draft("Next week's plan");
  const invited = await organizer("POST", `/events/${stale}/invitations`, "POST /events/{id}/invitations", { id: stale, body: { emails: [ANN, BEN] } });
  t.is(invited.status, 201);
  // Its media, as the browser would have uploaded them with the presigned PUTs.
  const media = [`events/${stale}/cover/one`, `events/${stale}/video/two`];
  for (const Key of media) await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: "bytes" }));
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: `events/${fresh}/cover/kept`, Body: "bytes" }));
  // Untouched for 40 days: its edit time moved back (the clean-up reads the clock; the test cannot wait).
  const longAgo = new Date(Date.now() - 40 * 24 * HOUR).toISOString();
  await ddb.client.send(new UpdateItemCommand({ TableName: eventsTableName, Key: { pk: { S: stale }, sk: { S: EVENT_SK } }, UpdateExpression: "SET updatedAt = :t", ExpressionAttributeValues: { ":t": { S: longAgo } }, ConditionExpression: "attribute_exists(pk)" }));
  await idle();

  // The EventBridge schedule's event, through the serialized clean-up.
  const result = await fns.cleanup!.invoke({ "detail-type": "Scheduled Event", source: "aws.events", detail: {} });
  t.deepEqual(result, { deleted: 1, kept: 0 });
  await idle();
  const items = async (id: string) => (await ddb.client.send(new QueryCommand({ TableName: eventsTableName, KeyConditionExpression: "pk = :id", ExpressionAttributeValues: { ":id": { S: id } }, ConsistentRead: true }))).Items ?? [];
  const keys = async (id: string) => ((await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `events/${id}/` }))).Contents ?? []).map((o) => o.Key!);
  t.deepEqual(await items(stale), [], "the draft and both invitations are gone");
  t.deepEqual(await keys(stale), [], "its media are gone");
  t.truthy((await ddb.client.send(new GetItemCommand({ TableName: eventsTableName, Key: { pk: { S: fresh }, sk: { S: EVENT_SK } }, ConsistentRead: true }))).Item, "a recent draft is kept");
  t.deepEqual(await keys(fresh), [`events/${fresh}/cover/kept`], "with its media");
  t.true(fns.fanout!.logs.some((l) => l.includes("event removed") && l.includes(stale) && l.includes('"invitations":2') && l.includes('"objects":2')));
  t.deepEqual(streamFailures, []);
});

test.serial("no function of the events platform wrote a personal address to its logs in any of the flows above", async (t) => {
  const lines = Object.values(fns).flatMap((fn) => fn!.logs);
  t.true(lines.length > 20, `${lines.length} log lines read`);
  // A masked address shows one character before "***@"; a raw one shows more.
  const raw = lines.filter((line) => /[A-Za-z0-9._%+-]{2,}@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}/.test(line));
  t.deepEqual(raw, []);
  t.true(lines.some((line) => line.includes(maskEmail(BEN)!)), "the addresses are there, masked");
});
