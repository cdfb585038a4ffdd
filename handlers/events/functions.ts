// The EventsApi's functions, written once: components/events-api.ts deploys them, local/events.ts
// runs them (see handlers/shared/function-definition.ts). Each environment key, and what each
// function may do to what it names, is spelled here and nowhere else.
//
// Serialization: each `create` is uploaded with what it references, so it references only its own
// handler modules and the function declarations below (an exported `const` would be read through
// `exports` and pull every definition, with every handler, into every upload).
import { POWERTOOLS_PACKAGES, DEFAULT_RUNTIME_PACKAGES } from "../shared/packages";
import type { SecretProvider } from "../shared/secret";
import { SECRET_PACKAGE, defineFunction, resource, secret, setting, type EnvValues } from "../shared/function-definition";
import { cleanupDeps, cleanupHandler } from "./cleanup";
import { eventsApiDeps, type EventsApiValues } from "./deps";
import { eventsFanoutDeps, eventsFanoutHandler, type FanoutValues } from "./fanout";
import { feedbackDeps, feedbackHandler } from "./feedback";
import { linkAccountsDeps, linkAccountsHandler } from "./link-accounts";
import { notifyDeps, notifyHandler, type NotifyValues } from "./notify";
import { organizerHandler } from "./organizer";
import { paymentsDeps, paymentsHandler } from "./payments/consumer";
import { publicEventsHandler } from "./public-events";
import { PUBLIC_SORTS } from "./public-search";
import { rsvpDeps, rsvpHandler } from "./rsvp";
import { streamUrlEnv } from "./stream-env";
import { videoRetryDeps, videoRetryHandler } from "./video/retry";
import { videoStatusDeps, videoStatusHandler } from "./video/status";
import { transcodeDeps, transcodeHandler, type TranscodeValues } from "./video/transcode";
import { videoStreamDeps, videoStreamHandler } from "./video-stream";
import type { CheckoutConfig } from "./payments/paid-answer";

/** Media objects live under `events/<id>/…` (MediaStore.prefixOf); the cloud outbox under `outbox/` (mail/s3-outbox.ts). */
const MEDIA_OBJECTS = "/events/*";
const OUTBOX_OBJECTS = "/outbox/*";
/** A video's streaming renditions: `events/<id>/hls/<upload>/…` (video-rendition.ts). */
const RENDITION_OBJECTS = "/events/*/hls/*";

export const organizerFunction = defineFunction({
  service: "events-organizer",
  packages: DEFAULT_RUNTIME_PACKAGES,
  env: {
    EVENTS_TABLE: resource("events", [
      { actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"] },
      { actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"], path: "/index/byOrganizer" },
    ]),
    MEDIA_BUCKET: resource("media", [{ actions: ["s3:PutObject", "s3:GetObject"], path: MEDIA_OBJECTS }]),
    ...streamUrlEnv,
  },
  create: (env, service) => organizerHandler(eventsApiDeps(service, apiValues(env))),
});

/** Reads published events only: it cannot write. */
export const publicEventsFunction = defineFunction({
  service: "events-public",
  packages: DEFAULT_RUNTIME_PACKAGES,
  env: {
    EVENTS_TABLE: resource("events", [
      // BatchGetItem: a popularity snapshot's page reads its events as they are now (public-list.ts).
      { actions: ["dynamodb:GetItem", "dynamodb:BatchGetItem"] },
      ...Object.values(PUBLIC_SORTS).map(({ index }) => ({ actions: ["dynamodb:Query"], path: `/index/${index}` })),
    ]),
    // Its only writes: the popularity snapshots, in their own table.
    LIST_SNAPSHOTS_TABLE: resource("listSnapshots", [{ actions: ["dynamodb:GetItem", "dynamodb:PutItem"] }]),
    MEDIA_BUCKET: resource("media", [{ actions: ["s3:GetObject"], path: MEDIA_OBJECTS }]),
    ...streamUrlEnv,
  },
  create: (env, service) => publicEventsHandler(eventsApiDeps(service, { ...apiValues(env), listSnapshotsTable: env.LIST_SNAPSHOTS_TABLE })),
});

/**
 * Answers invitations: it can only update them (and check the event), with the key that signed the
 * link. With payments (a Stripe secret key and API URL), yes to a paid event starts a Stripe
 * Checkout Session (payments/paid-answer.ts), which sends the invitee back to the site.
 */
export const rsvpFunction = defineFunction({
  service: "events-rsvp",
  packages: DEFAULT_RUNTIME_PACKAGES,
  env: {
    EVENTS_TABLE: resource("events", [{ actions: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"] }]),
    MEDIA_BUCKET: resource("media", [{ actions: ["s3:GetObject"], path: MEDIA_OBJECTS }]),
    RSVP_SIGNING_KEY: secret("rsvpSigningKey"),
    ...streamUrlEnv,
    STRIPE_SECRET_KEY: secret("stripeSecretKey", { optional: true }),
    STRIPE_API_URL: setting("stripeApiUrl", "text", { optional: true, about: "Stripe's API base URL: https://api.stripe.com (switchyard:stripeApiUrl), a stand-in's locally" }),
    CHECKOUT_RETURN_URL: setting("checkoutReturnUrl", "text", { optional: true, about: "the website's URL, where Stripe Checkout sends the invitee back (with payments only)" }),
  },
  create: (env, service) => rsvpHandler(rsvpDeps(service, { ...apiValues(env), rsvpKey: env.RSVP_SIGNING_KEY, checkout: checkoutConfig(env) })),
});

/**
 * The Stripe WebhookIngest's events table stream → paid invitations confirmed, exactly once
 * (payments/consumer.ts). It reads the events table and updates invitations and the event's count
 * in one transaction; it reads only that stream, and writes nothing else.
 */
export const paymentsFunction = defineFunction({
  service: "events-payments",
  packages: POWERTOOLS_PACKAGES,
  env: {
    EVENTS_TABLE: resource("events", [{ actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"] }]),
  },
  grants: [
    { on: "stripeEvents", attribute: "stream", actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"] },
    // ListStreams has no resource type in IAM: only "*" grants it (policy/rules.ts allows exactly this).
    { on: "*", actions: ["dynamodb:ListStreams"] },
    // The stream mapping's on-failure destination is sent with the function's role.
    { on: "streamDeadLetters", actions: ["sqs:SendMessage"] },
  ],
  create: (env, service) => paymentsHandler(paymentsDeps(service, { eventsTable: env.EVENTS_TABLE })),
});

/**
 * A video's playlists for whoever holds a stream URL (video-stream.ts): it reads events and the
 * renditions' folders only, and signs its segment URLs with that read grant (no zod: it validates
 * three path parameters by pattern).
 */
export const streamFunction = defineFunction({
  service: "events-stream",
  packages: POWERTOOLS_PACKAGES,
  env: {
    EVENTS_TABLE: resource("events", [{ actions: ["dynamodb:GetItem"] }]),
    MEDIA_BUCKET: resource("media", [{ actions: ["s3:GetObject"], path: RENDITION_OBJECTS }]),
    VIDEO_STREAM_KEY: secret("videoStreamKey"),
  },
  create: (env, service) => videoStreamHandler(videoStreamDeps(service, { eventsTable: env.EVENTS_TABLE, mediaBucket: env.MEDIA_BUCKET, key: env.VIDEO_STREAM_KEY })),
});

/** The fan-out's environment (a const of its own: fanoutValues below is typed by it). */
const fanoutEnv = {
  EVENTS_TABLE: resource("events", [{ actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchWriteItem"] }]),
  MEDIA_BUCKET: resource("media", [
    { actions: ["s3:ListBucket"], conditions: { StringLike: { "s3:prefix": "events/*" } } },
    { actions: ["s3:DeleteObject"], path: MEDIA_OBJECTS },
  ]),
  NOTIFICATION_QUEUE_URL: resource("notifications", [{ actions: ["sqs:SendMessage"] }]),
  NOTIFICATION_QUEUE_ARN: resource("notifications", [], { holds: "arn" }),
  REMINDER_GROUP: resource("reminders", [{ actions: ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"], attribute: "schedules", path: "/*" }]),
  REMINDER_ROLE_ARN: resource("reminderRole", [{ actions: ["iam:PassRole"], conditions: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } } }], { holds: "arn" }),
  REMINDER_DLQ_ARN: resource("notificationsDeadLetters", [], { holds: "arn", optional: true }),
};

/**
 * The events table's stream → notification jobs on the queue, the reminder schedules (EventBridge
 * Scheduler, running as the reminder role, which may be handed to Scheduler only), and the removal
 * of an expired event's invitations and media. The only function that may schedule.
 */
export const fanoutFunction = defineFunction({
  service: "events-fanout",
  packages: DEFAULT_RUNTIME_PACKAGES,
  env: fanoutEnv,
  grants: [
    { on: "events", attribute: "stream", actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"] },
    // ListStreams has no resource type in IAM: only "*" grants it (policy/rules.ts allows exactly this).
    { on: "*", actions: ["dynamodb:ListStreams"] },
    // The stream mapping's on-failure destination is sent with the function's role.
    { on: "streamDeadLetters", actions: ["sqs:SendMessage"] },
  ],
  create: (env, service) => eventsFanoutHandler(eventsFanoutDeps(service, fanoutValues(env))),
});

/** Notify's environment. It mails one of two ways, whichever the component links: `sender` or `outbox`. */
const notifyEnv = {
  EVENTS_TABLE: resource("events", [{ actions: ["dynamodb:GetItem", "dynamodb:Query"] }]),
  NOTIFICATIONS_SENT_TABLE: resource("notificationsSent", [{ actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"] }]),
  SITE_URL: setting("siteUrl"),
  RSVP_SIGNING_KEY: secret("rsvpSigningKey"),
  // Through SES from the sender's identity, and from its address only.
  MAIL_FROM: resource("sender", [{ actions: ["ses:SendEmail", "ses:SendRawEmail"], valueConditions: { StringEquals: "ses:FromAddress" } }], { optional: true }),
  // Without a sender: the cloud outbox, `outbox/` of the media bucket and nowhere else in it.
  OUTBOX_BUCKET: resource("outbox", [{ actions: ["s3:PutObject"], path: OUTBOX_OBJECTS }], { optional: true }),
  // With a sender: every mail goes through the configuration set (bounces and complaints → the feedback topic); SES authorizes the send on it too.
  MAIL_CONFIGURATION_SET: resource("mailConfigurationSet", [{ actions: ["ses:SendEmail", "ses:SendRawEmail"] }], { optional: true }),
  // With a sender: complained addresses, checked before every send.
  SUPPRESSIONS_TABLE: resource("suppressions", [{ actions: ["dynamodb:GetItem"] }], { optional: true }),
};

/** Notification jobs (from the `notifications` queue) → mail, each (event, recipient, kind) once. The only function that may mail. */
export const notifyFunction = defineFunction({
  service: "events-notify",
  packages: [...DEFAULT_RUNTIME_PACKAGES, "@aws-lambda-powertools/idempotency", "@aws-lambda-powertools/idempotency/dynamodb", SECRET_PACKAGE],
  env: notifyEnv,
  grants: [{ on: "notifications", actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"] }],
  create: (env, service) => notifyHandler(notifyDeps(service, notifyValues(env))),
});

/**
 * SES's bounces and complaints (through the feedback topic) → invitations marked undeliverable,
 * complained addresses suppressed. It can only update items of the events table (never create
 * one: the update is conditional on the invitation existing) and add suppressions.
 */
export const feedbackFunction = defineFunction({
  service: "events-feedback",
  packages: DEFAULT_RUNTIME_PACKAGES,
  env: {
    EVENTS_TABLE: resource("events", [{ actions: ["dynamodb:UpdateItem"] }]),
    SUPPRESSIONS_TABLE: resource("suppressions", [{ actions: ["dynamodb:PutItem"] }]),
  },
  create: (env, service) => feedbackHandler(feedbackDeps(service, { eventsTable: env.EVENTS_TABLE, suppressionsTable: env.SUPPRESSIONS_TABLE })),
});

/** Once a day: drafts untouched for DRAFT_MAX_IDLE_DAYS are deleted (their media goes with the stream's REMOVE). */
export const cleanupFunction = defineFunction({
  service: "events-cleanup",
  packages: POWERTOOLS_PACKAGES,
  env: {
    EVENTS_TABLE: resource("events", [
      { actions: ["dynamodb:Query"], path: "/index/draftsByUpdated" },
      { actions: ["dynamodb:DeleteItem"] },
    ]),
  },
  create: (env, service) => cleanupHandler(cleanupDeps(service, { eventsTable: env.EVENTS_TABLE })),
});

/**
 * The user pool's pre sign-up trigger (link-accounts.ts): a federated first sign-in joins the
 * organizer with the same verified email. Its Cognito grants (LINK_ACCOUNTS_ACTIONS) are on the
 * pool, which names this function as its trigger, so the stack gives them in a policy of their
 * own made after the pool (components/federated-sign-in.ts), not through a resource key here.
 */
export const linkAccountsFunction = defineFunction({
  service: "events-link-accounts",
  packages: POWERTOOLS_PACKAGES,
  env: { SELF_SIGN_UP: setting("selfSignUp", "text", { about: "`true` or `false`: switchyard:eventsSelfSignUp" }) },
  create: (env, service) => linkAccountsHandler(linkAccountsDeps(service, { selfSignUp: env.SELF_SIGN_UP !== "false" })),
});

/**
 * What starting a transcoding job takes (the upload's S3 event and the organizer's retry): read and
 * conditionally update the event, create a MediaConvert job in the stack's queue, and hand
 * MediaConvert the transcode role, to MediaConvert only. No access to the media itself: the role
 * reads the upload and writes the rendition (components/events-video.ts).
 */
const transcodeEnv = {
  EVENTS_TABLE: resource("events", [{ actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"] }]),
  MEDIA_BUCKET: resource("media", []),
  TRANSCODE_ROLE_ARN: resource("transcodeRole", [{ actions: ["iam:PassRole"], conditions: { StringEquals: { "iam:PassedToService": "mediaconvert.amazonaws.com" } } }], { holds: "arn" }),
  TRANSCODE_QUEUE_ARN: resource("transcodeQueue", [{ actions: ["mediaconvert:CreateJob"] }], { holds: "arn" }),
};

/** The media bucket's new objects (S3 notifications under `events/`) → a transcoding job per new video upload (handlers/events/video/transcode.ts). */
export const transcodeFunction = defineFunction({
  service: "events-transcode",
  packages: POWERTOOLS_PACKAGES,
  env: transcodeEnv,
  create: (env, service) => transcodeHandler(transcodeDeps(service, transcodeValues(env))),
});

/** The organizer's retry of a failed rendition: a new job from the same upload (handlers/events/video/retry.ts). */
export const videoRetryFunction = defineFunction({
  service: "events-video",
  packages: DEFAULT_RUNTIME_PACKAGES,
  env: transcodeEnv,
  create: (env, service) => videoRetryHandler(videoRetryDeps(service, transcodeValues(env))),
});

/** MediaConvert's job state changes (EventBridge) → the event's video ready or failed. It can only update the events table. */
export const videoStatusFunction = defineFunction({
  service: "events-video-status",
  packages: POWERTOOLS_PACKAGES,
  env: {
    EVENTS_TABLE: resource("events", [{ actions: ["dynamodb:UpdateItem"] }]),
    // Its name only: the jobs this stack started carry it (their userMetadata), and their outputs are in it.
    MEDIA_BUCKET: resource("media", []),
  },
  create: (env, service) => videoStatusHandler(videoStatusDeps(service, { eventsTable: env.EVENTS_TABLE, mediaBucket: env.MEDIA_BUCKET })),
});

// Function declarations, not exported consts: a `create` referencing them captures just them.

/** The transcode and retry functions' environment as their deps' values (local mode passes its own job runner with the same). */
export function transcodeValues(env: EnvValues<typeof transcodeEnv>): TranscodeValues {
  return { eventsTable: env.EVENTS_TABLE, mediaBucket: env.MEDIA_BUCKET, roleArn: env.TRANSCODE_ROLE_ARN, queue: env.TRANSCODE_QUEUE_ARN };
}

/** The organizer's, public and RSVP functions' data. */
function apiValues(env: { EVENTS_TABLE: string; MEDIA_BUCKET: string; API_URL: string; VIDEO_STREAM_KEY: SecretProvider }): EventsApiValues {
  return { eventsTable: env.EVENTS_TABLE, mediaBucket: env.MEDIA_BUCKET, stream: { apiUrl: env.API_URL.replace(/\/+$/, ""), key: env.VIDEO_STREAM_KEY } };
}

/** Stripe, when its key, its URL and the way back are linked (a stack with payments); else none. */
function checkoutConfig(env: { STRIPE_SECRET_KEY?: SecretProvider; STRIPE_API_URL?: string; CHECKOUT_RETURN_URL?: string }): CheckoutConfig | undefined {
  return env.STRIPE_SECRET_KEY && env.STRIPE_API_URL && env.CHECKOUT_RETURN_URL ? { apiUrl: env.STRIPE_API_URL, secretKey: env.STRIPE_SECRET_KEY, siteUrl: env.CHECKOUT_RETURN_URL } : undefined;
}

/** The fan-out's environment as its deps' values (local mode builds its own parts from the same). */
export function fanoutValues(env: EnvValues<typeof fanoutEnv>): FanoutValues {
  return {
    eventsTable: env.EVENTS_TABLE,
    mediaBucket: env.MEDIA_BUCKET,
    queueUrl: env.NOTIFICATION_QUEUE_URL,
    reminders: { groupName: env.REMINDER_GROUP, queueArn: env.NOTIFICATION_QUEUE_ARN, roleArn: env.REMINDER_ROLE_ARN, deadLetterArn: env.REMINDER_DLQ_ARN },
  };
}

/** Notify's environment as its deps' values (local mode passes its own sender with the same). */
export function notifyValues(env: EnvValues<typeof notifyEnv>): NotifyValues {
  return {
    eventsTable: env.EVENTS_TABLE,
    sentTable: env.NOTIFICATIONS_SENT_TABLE,
    siteUrl: env.SITE_URL,
    rsvpKey: env.RSVP_SIGNING_KEY,
    from: env.MAIL_FROM,
    outboxBucket: env.OUTBOX_BUCKET,
    configurationSet: env.MAIL_CONFIGURATION_SET,
    suppressionsTable: env.SUPPRESSIONS_TABLE,
  };
}
