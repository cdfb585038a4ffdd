// The switches the other artifact tests leave off, through the serialized functions (as
// ts-node-evaluated index.ts would upload them), each in a fresh Node process: with
// `switchyard:eventsSender` set, the notify function sends each mail through SES v2 (a stand-in
// recording SendEmail) instead of writing it to the S3 outbox; DynamoDB Local holds the events and
// the sent records, an SSM stand-in the RSVP signing key, a local queue with SQS semantics feeds it.
import test from "ava";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { EventStore } from "../../handlers/events/event-store";
import { parseMime } from "../../handlers/events/mail/parse-mime";
import type { NotificationJob } from "../../handlers/events/notification-job";
import { verifyRsvpToken } from "../../handlers/events/rsvp-token";
import { eventsTable, notificationsSentTable } from "../../handlers/events/tables";
import { createLocalQueue, type LocalQueue } from "../../local/emulators/job-queue";
import { createTable } from "../../local/emulators/tables";
import { removeDir, startFunction, unpackFunction, type RunningFunction } from "../harness/artifact";
import { startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import type { StackRecord } from "../harness/record";
import { startSesV2, type SesV2StandIn } from "../harness/sesv2";
import { startSsm } from "../harness/ssm";
import { TEST_SECRETS, byName, evaluateStack } from "../harness/stacks";

const SENDER = "events@example.com";
const RSVP_KEY = TEST_SECRETS["switchyard:rsvpSigningKey"]!;
const ORGANIZER = { id: "6f1c2d3e-0000-4000-8000-000000000002", email: "olga@example.com" };
const ANN = "ann@example.com";

let ddb: DynamoDbLocal;
let ses: SesV2StandIn;
let ssm: Awaited<ReturnType<typeof startSsm>>;
let record: StackRecord;
let notify: RunningFunction;
let notifyEnv: Record<string, string>;
let queue: LocalQueue<NotificationJob>;
let store: EventStore;
let dir: string | undefined;
const reports: SQSBatchResponse[] = [];

test.before(async () => {
  [ddb, ses, record] = await Promise.all([startDynamoDbLocal(), startSesV2(), evaluateStack("dev", { "switchyard:eventsSender": SENDER }, "ts-node")]);
  const physical = (type: string, name: string) => byName(record, type, name).state.name as string;
  const tables = { events: physical("aws:dynamodb/table:Table", "events-events"), sent: physical("aws:dynamodb/table:Table", "events-notifications-sent") };
  await createTable(ddb.client, tables.events, eventsTable);
  await createTable(ddb.client, tables.sent, notificationsSentTable);
  store = new EventStore(ddb.client, tables.events);
  ssm = await startSsm({ [physical("aws:ssm/parameter:Parameter", "events-rsvp-signing-key")]: RSVP_KEY });
  const fn = byName(record, "aws:lambda/function:Function", "events-notify");
  dir = unpackFunction(fn);
  notifyEnv = {
    ...fn.inputs.environment.variables,
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
  };
  notify = await startFunction(dir, notifyEnv);
  // The notifications queue's event source mapping, batches handed to the serialized notify function.
  queue = createLocalQueue<NotificationJob>({
    name: "events-notifications",
    visibilityTimeoutMs: 3000,
    maxReceiveCount: 5,
    consumer: async (event: SQSEvent) => {
      const response = (await notify.invoke(event)) as SQSBatchResponse;
      reports.push(response);
      return response;
    },
  });
});

test.after.always(async () => {
  await queue?.close();
  await notify?.stop();
  if (dir) removeDir(dir);
  await Promise.all([ddb?.stop(), ses?.close(), ssm?.close()]);
});

test.serial("with a sender configured, an invitation goes out through SES v2 as the raw MIME message, once", async (t) => {
  t.is(notifyEnv.MAIL_FROM, SENDER, "the stack hands notify its sender");
  t.is(notifyEnv.OUTBOX_BUCKET, undefined, "and no outbox");
  const at = new Date();
  const startsAt = new Date(Math.floor((at.getTime() + 2 * 86_400_000) / 1000) * 1000).toISOString();
  const event = await store.create({ title: "Roadmap review", description: "Where we go next", startsAt, durationMinutes: 30, visibility: "private" }, ORGANIZER, at);
  await store.invite(event.id, [ANN], ORGANIZER, at, 100);
  await store.publish(event.id, ORGANIZER, at);

  const job: NotificationJob = { kind: "invitation", eventId: event.id, recipient: ANN };
  await queue.send([job]);
  await queue.drained();
  t.deepEqual(reports.flatMap((r) => r.batchItemFailures), [], "nothing reported failed");
  t.is(ses.sent.length, 1, "one SendEmail");
  const [mail] = ses.sent;
  t.deepEqual(Object.keys(mail!.request.Content), ["Raw"], "raw content: the MIME message is the mail");
  t.is(mail!.request.FromEmailAddress, undefined, "the From is the message's own");

  const mime = await parseMime(mail!.raw!);
  t.is(mime.headers.from, SENDER);
  t.is(mime.headers.to, ANN);
  t.is(mime.headers.subject, "Invitation: Roadmap review");
  t.is(mime.headers["x-switchyard-notification"], `${event.id}#${ANN}#invitation`);
  // Its links carry tokens signed with the key notify read from SSM.
  const tokens = [...(mime.text ?? "").matchAll(/\/events\/rsvp\?token=(\S+)/g)].map((m) => verifyRsvpToken(m[1]!, RSVP_KEY));
  t.deepEqual(tokens.map((token) => [token.eventId, token.email, token.answer]).sort(), [[event.id, ANN, "no"], [event.id, ANN, "yes"]]);
  t.true(notify.logs.some((l) => l.includes("notification sent") && l.includes(mail!.messageId)), "notify logged SES's MessageId");

  // The same job again (a duplicate SQS delivery) sends nothing.
  await queue.send([job]);
  await queue.drained();
  t.is(ses.sent.length, 1, "no second mail");
  t.deepEqual(queue.deadLetters(), []);
});
