// The switches the other artifact tests leave off, through the serialized functions (as
// ts-node-evaluated index.ts would upload them), each in a fresh Node process: with
// `switchyard:eventsSender` set, the notify function sends each mail through SES v2 (a stand-in
// recording SendEmail) instead of writing it to the S3 outbox; DynamoDB Local holds the events and
// the sent records, an SSM stand-in the RSVP signing key, a local queue with SQS semantics feeds it.
// Every mail goes through the stack's SES configuration set, tagged with its event and kind; the
// feedback function (as SNS would invoke it) turns SES's complaint into a mark and a suppression,
// after which notify mails that address no more.
import test from "ava";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { EventStore } from "../../handlers/events/event-store";
import { parseMime } from "../../handlers/events/mail/parse-mime";
import type { NotificationJob } from "../../handlers/events/notification-job";
import { verifyRsvpToken } from "../../handlers/events/rsvp-token";
import { SuppressionStore } from "../../handlers/events/suppressions";
import { eventsTable, notificationsSentTable, suppressionsTable } from "../../handlers/events/tables";
import { sesFeedbackRecord } from "../../handlers/events/mail/simulated-feedback";
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
let feedback: RunningFunction;
let feedbackDir: string | undefined;
let suppressions: SuppressionStore;
let notifyEnv: Record<string, string>;
let queue: LocalQueue<NotificationJob>;
let store: EventStore;
let dir: string | undefined;
const reports: SQSBatchResponse[] = [];

test.before(async () => {
  [ddb, ses, record] = await Promise.all([startDynamoDbLocal(), startSesV2(), evaluateStack("dev", { "switchyard:eventsSender": SENDER }, "ts-node")]);
  const physical = (type: string, name: string) => byName(record, type, name).state.name as string;
  const tables = { events: physical("aws:dynamodb/table:Table", "events-events"), sent: physical("aws:dynamodb/table:Table", "events-notifications-sent"), suppressions: physical("aws:dynamodb/table:Table", "events-suppressions") };
  await createTable(ddb.client, tables.events, eventsTable);
  await createTable(ddb.client, tables.sent, notificationsSentTable);
  await createTable(ddb.client, tables.suppressions, suppressionsTable);
  suppressions = new SuppressionStore(ddb.client, tables.suppressions);
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
  const feedbackFn = byName(record, "aws:lambda/function:Function", "events-feedback");
  feedbackDir = unpackFunction(feedbackFn);
  feedback = await startFunction(feedbackDir, { ...feedbackFn.inputs.environment.variables, AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint, AWS_LAMBDA_FUNCTION_NAME: feedbackFn.name });
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
  await feedback?.stop();
  if (dir) removeDir(dir);
  if (feedbackDir) removeDir(feedbackDir);
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
  t.is(mail!.request.ConfigurationSetName, "switchyard-dev-events-mail", "through the configuration set that reports bounces and complaints");
  t.deepEqual(mail!.request.EmailTags, [{ Name: "eventId", Value: event.id }, { Name: "kind", Value: "invitation" }]);

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

test.serial("SES's complaint (through SNS) marks the invitation and suppresses the address; notify then mails it no more, for any kind", async (t) => {
  const at = new Date();
  const startsAt = new Date(Math.floor((at.getTime() + 3 * 86_400_000) / 1000) * 1000).toISOString();
  const event = await store.create({ title: "Complaints desk", description: "", startsAt, durationMinutes: 30, visibility: "private" }, ORGANIZER, at);
  await store.invite(event.id, [ANN], ORGANIZER, at, 100);
  await store.publish(event.id, ORGANIZER, at);
  const before = ses.sent.length;
  await queue.send([{ kind: "invitation", eventId: event.id, recipient: ANN }]);
  await queue.drained();
  t.is(ses.sent.length, before + 1);
  const [sent] = ses.sent.slice(-1);

  // What SES publishes for it (tags as sent), as SNS hands it to the function: twice (at least once).
  const complaint = sesFeedbackRecord("complaint", { from: SENDER, to: ANN, subject: "Invitation: Complaints desk", text: "", tags: Object.fromEntries(sent!.request.EmailTags.map((tag: { Name: string; Value: string }) => [tag.Name, tag.Value])) }, sent!.messageId);
  const snsEvent = { Records: [{ EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: "arn:aws:sns:us-west-2:123456789012:events-mail-feedback:1", Sns: { Type: "Notification", MessageId: "0f2e6c1a-5d43-4c8e-9d7b-3a1f0e9b2c11", TopicArn: "arn:aws:sns:us-west-2:123456789012:events-mail-feedback", Message: JSON.stringify(complaint), Timestamp: at.toISOString() } }] };
  await feedback.invoke(snsEvent);
  await feedback.invoke(snsEvent);
  t.like((await store.invitation(event.id, ANN))!.undeliverable, { reason: "complaint" });
  t.is((await suppressions.find(ANN))?.eventId, event.id);

  // The cancellation to ANN is skipped, recorded as done (no redelivery, no dead letter).
  await store.cancel(event.id, ORGANIZER, new Date());
  await queue.send([{ kind: "cancellation", eventId: event.id, recipient: ANN }]);
  await queue.drained();
  t.is(ses.sent.length, before + 1, "no mail to a complained address");
  t.deepEqual(queue.deadLetters(), []);
  t.true(notify.logs.some((l) => l.includes("notification skipped") && l.includes("suppressed")));
  t.false([...feedback.logs, ...notify.logs].some((l) => l.includes(ANN)), "the address is masked in every log line");
});
