// SES's bounces and complaints (issue #18), in-process against DynamoDB Local: SNS-delivered SES
// event records shaped as AWS documents them (event publishing through a configuration set, with
// the tags the SES sender adds) mark invitations undeliverable, suppress complainers, and notify
// then skips them; malformed or foreign messages are dropped; a second delivery changes nothing.
import test from "ava";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { randomUUID } from "node:crypto";
import type { SNSEvent } from "aws-lambda";
import { EventStore } from "../../handlers/events/event-store";
import { feedbackHandler } from "../../handlers/events/feedback";
import type { MailMessage, MailSender } from "../../handlers/events/mail/message";
import { sesSender } from "../../handlers/events/mail/ses";
import { notifyDeps, notifyHandler } from "../../handlers/events/notify";
import { SuppressionStore } from "../../handlers/events/suppressions";
import { eventsTable, notificationsSentTable, suppressionsTable } from "../../handlers/events/tables";
import { createObservability } from "../../handlers/shared/observability";
import { freshTable, useLocalEmulators } from "../harness/dynamodb";
import { startSesV2 } from "../harness/sesv2";

const local = useLocalEmulators(test);
const organizer = { id: randomUUID(), email: "olga@example.com" };
const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/** The mail object SES publishes (docs: "Examples of event data that Amazon SES publishes to Amazon SNS"), for a notification. */
function mailOf(to: string, notification: { eventId: string; kind: string } | undefined, options: { tags?: boolean; header?: boolean } = {}) {
  const { tags = true, header = true } = options;
  return {
    timestamp: ago(60_000),
    source: "Switchyard Events <events@example.com>",
    sourceArn: "arn:aws:ses:us-east-1:123456789012:identity/events@example.com",
    sendingAccountId: "123456789012",
    messageId: `0100${randomUUID().replace(/-/g, "")}-000000`,
    destination: [to],
    headersTruncated: false,
    headers: [
      { name: "From", value: "Switchyard Events <events@example.com>" },
      { name: "To", value: to },
      { name: "Subject", value: "Invitation: Kickoff" },
      { name: "MIME-Version", value: "1.0" },
      ...(notification && header ? [{ name: "X-Switchyard-Notification", value: `${notification.eventId}#${to}#${notification.kind}` }] : []),
    ],
    commonHeaders: { from: ["Switchyard Events <events@example.com>"], to: [to], messageId: "x", subject: "Invitation: Kickoff" },
    tags: {
      "ses:configuration-set": ["switchyard-dev-events-mail"],
      "ses:source-ip": ["192.0.2.0"],
      "ses:from-domain": ["example.com"],
      "ses:caller-identity": ["events-notify"],
      ...(notification && tags ? { eventId: [notification.eventId], kind: [notification.kind] } : {}),
    },
  };
}

function bounceEvent(to: string, notification: { eventId: string; kind: string } | undefined, bounceType = "Permanent", at = ago(1000), options?: { tags?: boolean; header?: boolean }) {
  return {
    eventType: "Bounce",
    bounce: {
      bounceType,
      bounceSubType: bounceType === "Permanent" ? "General" : "MailboxFull",
      bouncedRecipients: [{ emailAddress: to, action: "failed", status: "5.1.1", diagnosticCode: "smtp; 550 5.1.1 user unknown" }],
      timestamp: at,
      feedbackId: `0100${randomUUID()}-000000`,
      reportingMTA: "dsn; mta.example.com",
    },
    mail: mailOf(to, notification, options),
  };
}

function complaintEvent(to: string, notification: { eventId: string; kind: string } | undefined, at = ago(1000)) {
  return {
    eventType: "Complaint",
    complaint: { complainedRecipients: [{ emailAddress: to }], timestamp: at, feedbackId: `0100${randomUUID()}-000000`, userAgent: "Mozilla/5.0", complaintFeedbackType: "abuse", arrivalDate: at },
    mail: mailOf(to, notification),
  };
}

/** How SNS hands a message to a subscribed Lambda function. */
function sns(...messages: (object | string)[]): SNSEvent {
  return {
    Records: messages.map((m) => ({
      EventSource: "aws:sns",
      EventVersion: "1.0",
      EventSubscriptionArn: "arn:aws:sns:us-east-1:123456789012:events-mail-feedback:1a2b",
      Sns: {
        Type: "Notification",
        MessageId: randomUUID(),
        TopicArn: "arn:aws:sns:us-east-1:123456789012:events-mail-feedback",
        Subject: "",
        Message: typeof m === "string" ? m : JSON.stringify(m),
        Timestamp: new Date().toISOString(),
        SignatureVersion: "1",
        Signature: "x",
        SigningCertUrl: "https://sns.us-east-1.amazonaws.com/x.pem",
        UnsubscribeUrl: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
        MessageAttributes: {},
      },
    })),
  };
}

async function setup() {
  const [table, suppressionsName] = await Promise.all([freshTable(local.ddb, eventsTable, "events"), freshTable(local.ddb, suppressionsTable, "suppressions")]);
  const db = new DynamoDBClient({});
  const store = new EventStore(db, table);
  const suppressions = new SuppressionStore(db, suppressionsName);
  const feedback = feedbackHandler({ store, suppressions, obs: createObservability("events-feedback") });
  const event = await store.create({ title: "Kickoff", description: "", startsAt: new Date(Date.now() + 3 * DAY).toISOString(), durationMinutes: 30, visibility: "private" }, organizer, new Date());
  await store.invite(event.id, ["ann@example.com", "ben@example.com", "cid@example.com"], organizer, new Date(), 500);
  const invitation = async (email: string) => (await store.invitation(event.id, email))!;
  return { table, suppressionsName, store, suppressions, feedback, event, invitation, about: { eventId: event.id, kind: "invitation" } };
}

test("a permanent bounce marks that invitation undeliverable (reason bounce, SES's time); the others stay as they are; a second delivery changes nothing", async (t) => {
  const s = await setup();
  const at = ago(5000);
  const message = bounceEvent("Ann@Example.com", s.about, "Permanent", at);
  await s.feedback(sns(message));
  t.deepEqual((await s.invitation("ann@example.com")).undeliverable, { reason: "bounce", at });
  t.is((await s.invitation("ann@example.com")).status, "pending", "the answer is a separate matter");
  t.is((await s.invitation("ben@example.com")).undeliverable, undefined);
  t.is(await s.suppressions.find("ann@example.com"), undefined, "a bounce suppresses nothing");

  // SNS delivers at least once; SES may report the address again later: the first report stands.
  await s.feedback(sns(message, bounceEvent("ann@example.com", s.about, "Permanent", ago(10))));
  t.deepEqual((await s.invitation("ann@example.com")).undeliverable, { reason: "bounce", at });
});

test("a transient or undetermined bounce marks nothing (SES retried; the next mail may arrive)", async (t) => {
  const s = await setup();
  await s.feedback(sns(bounceEvent("ann@example.com", s.about, "Transient"), bounceEvent("ben@example.com", s.about, "Undetermined")));
  t.is((await s.invitation("ann@example.com")).undeliverable, undefined);
  t.is((await s.invitation("ben@example.com")).undeliverable, undefined);
});

test("a complaint suppresses the address for good and marks the invitation (replacing a bounce); repeated, it keeps the first", async (t) => {
  const s = await setup();
  await s.feedback(sns(bounceEvent("ben@example.com", s.about)));
  const at = ago(3000);
  await s.feedback(sns(complaintEvent("ben@example.com", s.about, at)));
  t.deepEqual((await s.invitation("ben@example.com")).undeliverable, { reason: "complaint", at });
  t.deepEqual(await s.suppressions.find("BEN@example.com"), { email: "ben@example.com", reason: "complaint", at, eventId: s.event.id });

  await s.feedback(sns(complaintEvent("ben@example.com", s.about, ago(5)), bounceEvent("ben@example.com", s.about)));
  t.deepEqual((await s.invitation("ben@example.com")).undeliverable, { reason: "complaint", at }, "neither a later complaint nor a bounce changes it");
  t.is((await s.suppressions.find("ben@example.com"))!.at, at);
});

test("without tags, the notification header names the invitation; a complaint about a mail that names no event still suppresses", async (t) => {
  const s = await setup();
  await s.feedback(sns(bounceEvent("cid@example.com", s.about, "Permanent", ago(100), { tags: false })));
  t.is((await s.invitation("cid@example.com")).undeliverable?.reason, "bounce");
  await s.feedback(sns(complaintEvent("dora@example.com", undefined)));
  t.is((await s.suppressions.find("dora@example.com"))?.reason, "complaint");
  t.is((await s.suppressions.find("dora@example.com"))?.eventId, undefined);
});

test("malformed, foreign or unknown messages are dropped without a throw (not retried forever) and change nothing; a bounce for a gone invitation creates none", async (t) => {
  const s = await setup();
  const delivery = { eventType: "Delivery", mail: mailOf("ann@example.com", s.about), delivery: { timestamp: ago(1), recipients: ["ann@example.com"] } };
  const noRecipients = { ...bounceEvent("ann@example.com", s.about), bounce: { ...bounceEvent("ann@example.com", s.about).bounce, bouncedRecipients: [] } };
  const badTime = complaintEvent("ann@example.com", s.about, "yesterday");
  const foreignEvent = bounceEvent("ann@example.com", { eventId: "not-one-of-ours", kind: "invitation" });
  const subscriptionConfirmation = "not json {";
  await t.notThrowsAsync(s.feedback(sns(delivery, noRecipients, badTime, subscriptionConfirmation, foreignEvent, { notificationType: "AmazonSnsSubscriptionSucceeded" })));
  t.is((await s.invitation("ann@example.com")).undeliverable, undefined);
  t.is(await s.suppressions.find("ann@example.com"), undefined);

  await s.feedback(sns(bounceEvent("zed@example.com", s.about)));
  t.is(await s.store.invitation(s.event.id, "zed@example.com"), undefined, "no invitation is created by a bounce");
  await t.notThrowsAsync(s.feedback({ Records: [] } as SNSEvent));
});

test.serial("what the feedback function logs carries no address unmasked", async (t) => {
  // The tests run with logging silenced; this one reads the function's own logger at INFO.
  const level = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = "INFO";
  let s: Awaited<ReturnType<typeof setup>>;
  try {
    s = await setup();
  } finally {
    process.env.POWERTOOLS_LOG_LEVEL = level;
  }
  const lines: string[] = [];
  // Powertools writes INFO to stdout and WARN to stderr.
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => (stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => (lines.push(String(chunk)), writes[i]!(chunk, ...rest))) as typeof stream.write));
  try {
    await s.feedback(sns(bounceEvent("ann@example.com", s.about), bounceEvent("ben@example.com", s.about, "Transient"), complaintEvent("cid@example.com", s.about), "{"));
  } finally {
    streams.forEach((stream, i) => (stream.write = writes[i]!));
  }
  const ours = lines.filter((l) => l.includes("events-feedback"));
  t.true(ours.length >= 4, ours.join("\n"));
  t.deepEqual(ours.filter((l) => /[A-Za-z0-9._%+-]{2,}@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}/.test(l)), []);
  t.true(ours.some((l) => l.includes("a***@example.com") && l.includes(s.event.id) && l.includes('"invitationMarked":true')));
  t.true(ours.some((l) => l.includes("mail feedback dropped")));
});

test("notify never mails a complained address again, for any event: the job is recorded as skipped, not retried; others are mailed, with the tags that name them", async (t) => {
  const s = await setup();
  const sentTable = await freshTable(local.ddb, notificationsSentTable, "sent");
  const mails: MailMessage[] = [];
  const sender: MailSender = { send: async (m) => (mails.push(m), { messageId: randomUUID() }) };
  const notify = notifyHandler(
    notifyDeps("events-notify", { eventsTable: s.table, sentTable, siteUrl: "https://site.example", rsvpKey: async () => "feedback-test-rsvp-key-0123", from: "events@example.com", suppressionsTable: s.suppressionsName }, sender),
  );
  // Ann complained about another event's mail.
  await s.feedback(sns(complaintEvent("ann@example.com", { eventId: "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", kind: "invitation" })));
  await s.store.publish(s.event.id, organizer, new Date());
  const job = (recipient: string) => ({ messageId: randomUUID(), body: JSON.stringify({ kind: "invitation", eventId: s.event.id, recipient }), attributes: { ApproximateReceiveCount: "1" } });
  const first = await notify({ Records: [job("ann@example.com"), job("ben@example.com")] } as never);
  t.deepEqual(first.batchItemFailures, [], "a suppressed address is not a failure: no redelivery");
  t.deepEqual(mails.map((m) => m.to), ["ben@example.com"]);
  t.deepEqual(mails[0]!.tags, { eventId: s.event.id, kind: "invitation" });
  // Redelivered: still nothing for ann (the skip is recorded), nothing twice for ben.
  await notify({ Records: [job("ann@example.com"), job("ben@example.com")] } as never);
  t.deepEqual(mails.map((m) => m.to), ["ben@example.com"]);
});

test("the SES sender sends every mail through the configuration set, with the mail's tags as EmailTags", async (t) => {
  const ses = await startSesV2();
  t.teardown(() => ses.close());
  const client = new SESv2Client({ endpoint: ses.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "y" } });
  await sesSender(client, { configurationSet: "switchyard-dev-events-mail" }).send({ from: "events@example.com", to: "ann@example.com", subject: "Hi", text: "Hi", tags: { eventId: "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", kind: "invitation" } });
  await sesSender(client).send({ from: "events@example.com", to: "ann@example.com", subject: "Hi", text: "Hi" });
  t.is(ses.sent[0]!.request.ConfigurationSetName, "switchyard-dev-events-mail");
  t.deepEqual(ses.sent[0]!.request.EmailTags, [
    { Name: "eventId", Value: "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b" },
    { Name: "kind", Value: "invitation" },
  ]);
  t.is(ses.sent[1]!.request.ConfigurationSetName, undefined);
  t.is(ses.sent[1]!.request.EmailTags, undefined);
});
