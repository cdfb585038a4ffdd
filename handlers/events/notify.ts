import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { createObservability, type Observability } from "../shared/observability";
import type { SecretProvider } from "../shared/secret";
import { stillNews } from "./event-changes";
import { EventStore, endOf, type Answer, type Invitation } from "./event-store";
import { changeMail } from "./mail/change-mail";
import type { MailSender } from "./mail/message";
import { s3OutboxSender } from "./mail/s3-outbox";
import { notificationTags } from "./mail/ses-feedback";
import { sesSender } from "./mail/ses";
import { visibleJoinUrl } from "./join-link";
import { cancellationMail, confirmationMail, invitationMail, reminderMail } from "./mail/templates";
import { notificationJobSchema, notificationKey, type NotificationJob } from "./notification-job";
import { signRsvpToken } from "./rsvp-token";
import { s3ForcePathStyle } from "./s3-path-style";
import { SuppressionStore } from "./suppressions";

/** Sent-mail records are kept longer than any event's data lives, so a late redelivery still finds one. */
export const SENT_RECORD_DAYS = 120;

export interface NotifyDeps {
  store: EventStore;
  sender: MailSender;
  /** The From of every mail. */
  from: string;
  /** The website, for RSVP and management links. Example: `https://d111.cloudfront.net`. */
  siteUrl: string;
  rsvpKey: SecretProvider;
  /** Where (event, recipient, kind) records live. */
  sentTable: string;
  db: DynamoDBClient;
  obs: Observability;
  now?: () => Date;
  /** Addresses never mailed again (complaints); absent where mail draws no feedback (the S3 outbox). */
  suppressions?: SuppressionStore;
}

/** Where notify's data lives and how it mails (handlers/events/functions.ts reads them from the environment). */
export interface NotifyValues {
  /** Example: `"events-events-1a2b3c4"`. */
  eventsTable: string;
  /** The (event, recipient, kind) records. Example: `"events-notifications-sent-1a2b3c4"`. */
  sentTable: string;
  /** The website, for the links in the mails. Example: `"https://d111.cloudfront.net"`. */
  siteUrl: string;
  rsvpKey: SecretProvider;
  /** The verified SES sender: mails go through SES from it. Example: `"events@example.com"`. */
  from?: string;
  /** Without a sender, the bucket whose `outbox/` receives each mail as an .eml object. Example: `"events-media-1a2b3c4"`. */
  outboxBucket?: string;
  /** With a sender: the SES configuration set every mail goes through (bounces and complaints → the feedback topic). Example: `"switchyard-dev-events-mail"`. */
  configurationSet?: string;
  /** With a sender (and locally): the addresses never mailed again. Example: `"events-suppressions-1a2b3c4"`. */
  suppressionsTable?: string;
}

/**
 * Mails through SES from `from`, or, without one, into the cloud outbox (`outboxBucket`). Local
 * mode passes its own `sender` (the .local/outbox folder).
 */
export function notifyDeps(service: string, values: NotifyValues, sender?: MailSender): NotifyDeps {
  const db = new DynamoDBClient({});
  const from = values.from || "Switchyard Events <events@switchyard.invalid>";
  const outboxBucket = sender || values.from ? undefined : values.outboxBucket;
  if (!sender && !values.from && !outboxBucket) throw new Error("notify: neither a sender nor an outbox bucket: nowhere to mail");
  // Only the configured way of sending is loaded, on the first mail: a cold start does not pay for
  // the other SDK client (the SES and S3 clients each cost tens of milliseconds to load).
  const mailSender =
    sender ??
    lazySender(async () => {
      // require, not import(): CommonJS resolution finds the runtime's SDK (NODE_PATH); ESM's does not.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
      if (!outboxBucket) return sesSender(new (require("@aws-sdk/client-sesv2") as typeof import("@aws-sdk/client-sesv2")).SESv2Client({}), { configurationSet: values.configurationSet });
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
      return s3OutboxSender(new (require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3")).S3Client({ forcePathStyle: s3ForcePathStyle() }), outboxBucket);
    });
  return {
    store: new EventStore(db, values.eventsTable),
    sender: mailSender,
    from,
    siteUrl: values.siteUrl.replace(/\/$/, ""),
    rsvpKey: values.rsvpKey,
    sentTable: values.sentTable,
    db,
    obs: createObservability(service),
    ...(values.suppressionsTable ? { suppressions: new SuppressionStore(db, values.suppressionsTable) } : {}),
  };
}

/** A sender built on its first use, then kept for the life of the execution environment. */
function lazySender(build: () => Promise<MailSender>): MailSender {
  let built: Promise<MailSender> | undefined;
  return {
    async send(message) {
      built ??= build().catch((error) => {
        built = undefined; // a failed load is retried by the next mail
        throw error;
      });
      return (await built).send(message);
    },
  };
}

export type SendOutcome = { sent: true; messageId: string } | { sent: false; reason: string };

/**
 * The notification queue's consumer. Each job is one mail, composed from the event's current state
 * (a job for an event canceled or removed meanwhile sends nothing) and sent at most once per
 * (event, recipient, kind), for a change per (event, recipient, change) (notificationKey):
 * Powertools Idempotency records each send in the sent-mail table before it happens and completes
 * the record after, so a redelivered or duplicated job returns the first outcome without sending.
 * A failed send deletes the in-progress record and reports the message, so SQS redelivers it;
 * after 5 receives it goes to the dead-letter queue. A crash between SES accepting a mail and the
 * record completing is the one case that can send twice (after the in-progress record expires with
 * the invocation's timeout).
 */
export function notifyHandler(deps: NotifyDeps) {
  const { store, sender, from, siteUrl, rsvpKey, obs, suppressions } = deps;
  const now = deps.now ?? (() => new Date());
  const config = new IdempotencyConfig({ eventKeyJmesPath: "key", expiresAfterSeconds: SENT_RECORD_DAYS * 86_400 });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: deps.sentTable, awsSdkV3Client: deps.db });

  /** An invitation's RSVP link for one answer (a signed token). */
  const rsvpLink = async (invitation: Invitation, answer: Answer) =>
    `${siteUrl}/events/rsvp?token=${signRsvpToken({ eventId: invitation.eventId, email: invitation.email, answer, nonce: invitation.nonce }, await rsvpKey())}`;

  async function compose(job: NotificationJob, key: string) {
    const event = await store.get(job.eventId);
    if (!event) return { skip: "the event no longer exists" } as const;
    if (job.kind === "invitation") {
      if (event.status !== "published") return { skip: `the event is ${event.status}` } as const;
      if (event.startsAt <= now().toISOString()) return { skip: "the event has started" } as const;
      const invitation = await store.invitation(event.id, job.recipient);
      if (!invitation) return { skip: "the invitation no longer exists" } as const;
      return { mail: invitationMail({ from, event, invitee: invitation.email, yesUrl: await rsvpLink(invitation, "yes"), noUrl: await rsvpLink(invitation, "no"), key }) } as const;
    }
    if (job.kind === "change") {
      // Canceled meanwhile: the cancellation mail (to the same answers) says all there is to say.
      if (event.status !== "published") return { skip: `the event is ${event.status}` } as const;
      if (endOf(event) <= now()) return { skip: "the event has ended" } as const;
      const invitation = await store.invitation(event.id, job.recipient);
      if (!invitation) return { skip: "the invitation no longer exists" } as const;
      // The answer now, not when the job was queued: a decline meanwhile is respected, a yes meanwhile sees the link.
      if (invitation.status === "no") return { skip: "the invitee declined" } as const;
      const news = stillNews(job.change!, event);
      if (!news) return { skip: "a later change replaced it (that change has its own mail)" } as const;
      const answer = invitation.status;
      return {
        mail: changeMail({ from, event, invitee: invitation.email, answer, ...news, ...(answer === "pending" ? { yesUrl: await rsvpLink(invitation, "yes") } : {}), noUrl: await rsvpLink(invitation, "no"), key }),
      } as const;
    }
    if (job.kind === "confirmation") {
      if (event.status !== "published") return { skip: `the event is ${event.status}` } as const;
      if (event.startsAt <= now().toISOString()) return { skip: "the event has started" } as const;
      const invitation = await store.invitation(event.id, job.recipient);
      if (!invitation) return { skip: "the invitation no longer exists" } as const;
      // Only for the yes-answer the job is about: changed since (to no, or to yes again) → that answer's own job.
      if (invitation.status !== "yes" || invitation.answerSeq !== job.answerSeq) return { skip: "the answer changed since" } as const;
      const token = signRsvpToken({ eventId: event.id, email: invitation.email, answer: "no", nonce: invitation.nonce }, await rsvpKey());
      const joinUrl = visibleJoinUrl(event, { role: "invitee", answer: invitation.status });
      return { mail: confirmationMail({ from, event, invitee: invitation.email, joinUrl, changeUrl: `${siteUrl}/events/rsvp?token=${token}`, key }) } as const;
    }
    if (job.kind === "cancellation") {
      if (event.status !== "canceled") return { skip: `the event is ${event.status}` } as const;
      const payment = (await store.invitation(event.id, job.recipient))?.payment;
      return { mail: cancellationMail({ from, event, invitee: job.recipient, key, ...(payment?.state === "paid" ? { paid: payment } : {}) }) } as const;
    }
    if (event.status !== "published") return { skip: `the event is ${event.status}` } as const;
    const invitations = await store.invitations(event.id);
    const attendees = invitations.filter((i) => i.status === "yes");
    return {
      mail: reminderMail({
        from,
        event,
        attendees,
        pending: invitations.filter((i) => i.status === "pending").length,
        declined: invitations.filter((i) => i.status === "no").length,
        manageUrl: `${siteUrl}/events/manage?id=${event.id}`,
        key,
        joinUrl: visibleJoinUrl(event, { role: "organizer" }),
      }),
    } as const;
  }

  const sendOnce = makeIdempotent(
    async (input: { key: string; job: NotificationJob }): Promise<SendOutcome> => {
      // A complained address is never mailed again, whatever the event: recorded as skipped, not retried.
      const suppressed = await suppressions?.find(input.job.recipient);
      if (suppressed) return { sent: false, reason: `the address is suppressed (${suppressed.reason})` };
      const composed = await compose(input.job, input.key);
      if ("skip" in composed) return { sent: false, reason: composed.skip! };
      const { messageId } = await sender.send({ ...composed.mail, tags: notificationTags(input.job) });
      return { sent: true, messageId };
    },
    { persistenceStore, config },
  );

  return async (event: SQSEvent, context?: Partial<Context>): Promise<SQSBatchResponse> => {
    if (context?.awsRequestId) obs.logger.addContext(context as Context);
    // The in-progress record expires with the invocation (local mode: 30 s).
    config.registerLambdaContext({ getRemainingTimeInMillis: () => 30_000, ...context } as Context);
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      let job: NotificationJob;
      try {
        job = notificationJobSchema().parse(JSON.parse(record.body));
      } catch (error) {
        // Retrying cannot fix it: let it reach the dead-letter queue for a human.
        obs.logger.error("notification job is malformed", { messageId: record.messageId, error: error as Error });
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      const key = notificationKey(job);
      try {
        const outcome = await sendOnce({ key, job });
        obs.logger.info(outcome.sent ? "notification sent" : "notification skipped", { key, ...outcome, receiveCount: record.attributes?.ApproximateReceiveCount });
      } catch (error) {
        obs.logger.warn("notification failed; it will be redelivered", { key, messageId: record.messageId, error: error as Error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}
