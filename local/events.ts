// The events platform in local mode: handlers/events/topology.ts, run as the stacks deploy it
// (local/topology.ts): its tables, the HTTP routes on the local API (signed-in ones behind the
// local JWT authorizer, which accepts the local sign-in stand-in's tokens exactly as API Gateway
// accepts Cognito's), the events table's stream feeding the fan-out, the `notifications` queue (in
// process, with SQS semantics: redelivery on failure, dead letters after 5 receives) feeding
// notify, the daily clean-up (also run once at start). What has no local emulator is swapped, with
// the same typed environment: notify writes each mail to <dataDir>/outbox/ instead of SES, and the
// fan-out's reminders are in-process timers persisted in <dataDir>/reminders.json. Mail to SES's
// mailbox simulator (bounce@ / complaint@simulator.amazonses.com) or to a `.invalid` domain
// "bounces": the SES event a stack would get reaches the feedback function through an in-process
// stand-in of the SNS topic, which marks the invitation undeliverable. With `payments`, the
// payments function runs off the local Stripe ingest's events table stream, and the RSVP function
// starts Checkout Sessions at the Stripe stand-in (local/standins/stripe.ts).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutBucketCorsCommand } from "@aws-sdk/client-s3";
import { eventsFanoutDeps, eventsFanoutHandler } from "../handlers/events/fanout";
import { fanoutValues, notifyValues } from "../handlers/events/functions";
import { outboxSender } from "../handlers/events/mail/outbox";
import { simulatedFeedbackSender } from "../handlers/events/mail/simulated-feedback";
import type { NotificationJob } from "../handlers/events/notification-job";
import { notifyDeps, notifyHandler } from "../handlers/events/notify";
import { CLEANUP_SCHEDULE, eventsTopology } from "../handlers/events/topology";
import type { LocalRoute } from "./emulators/api-server";
import type { DeadLetter, LocalQueue } from "./emulators/job-queue";
import { createJwtAuthorizer } from "./emulators/jwt-authorizer";
import { localOutboxRoutes } from "./emulators/outbox-page";
import { localReminders, type LocalReminders } from "./emulators/reminders";
import type { S3Local } from "./emulators/s3-local";
import { startLocalSignIn } from "./standins/sign-in";
import { runTopology } from "./topology";

/** Local-only default, printed at start; a stack's is `pulumi config set --secret switchyard:rsvpSigningKey`. */
export const LOCAL_RSVP_SIGNING_KEY = "local-rsvp-signing-key-not-secret";
export const LOCAL_MEDIA_BUCKET = "switchyard-local-media";
export const LOCAL_CLIENT_ID = "switchyard-local-web";
/** The From of local mails (a stack's is `switchyard:eventsSender`). */
const LOCAL_SENDER = "Switchyard Events (local) <events@switchyard.local>";
/** The clean-up also runs this long after the start, not only a day later. */
const CLEANUP_AT_START_MS = 5000;

export interface LocalEventsOptions {
  dynamodb: { client: DynamoDBClient; endpoint: string };
  s3: S3Local;
  dataDir: string;
  /** The website's URL (links in mails). */
  siteUrl: string;
  /** Port of the sign-in stand-in (0 = any). */
  signInPort: number;
  rsvpSigningKey?: string;
  /** Redelivery delay of a failed notification (SQS visibility timeout). */
  visibilityTimeoutMs?: number;
  /**
   * Paid events: the local Stripe ingest's events table (its stream feeds the payments function,
   * as in a stack), and the Stripe the RSVP function starts Checkout Sessions at (the stand-in).
   * Unset: no payments function, and a yes to a paid event is a 424.
   */
  payments?: { stripeEventsTable: string; stripeApiUrl: string; stripeSecretKey: string };
}

export interface LocalEvents {
  routes: LocalRoute[];
  signInUrl: string;
  clientId: string;
  outboxDir: string;
  mediaOrigin: string;
  deadLetters(): DeadLetter<NotificationJob>[];
  /** Resolves when the stream is processed and the queue is empty. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalEvents(options: LocalEventsOptions): Promise<LocalEvents> {
  const { dynamodb, s3, dataDir, payments } = options;
  await s3.createBucket(LOCAL_MEDIA_BUCKET);
  // As the stack's bucket CORS: the website PUTs uploads and reads media from its own origin.
  await s3.client.send(
    new PutBucketCorsCommand({
      Bucket: LOCAL_MEDIA_BUCKET,
      CORSConfiguration: { CORSRules: [{ AllowedOrigins: [options.siteUrl, options.siteUrl.replace("127.0.0.1", "localhost")], AllowedMethods: ["PUT", "GET"], AllowedHeaders: ["content-type"], MaxAgeSeconds: 600 }] },
    }),
  );
  const outboxDir = join(dataDir, "outbox");
  mkdirSync(outboxDir, { recursive: true });

  const signIn = await startLocalSignIn({ port: options.signInPort, clientId: LOCAL_CLIENT_ID });
  const authorizer = { authorize: createJwtAuthorizer({ issuer: signIn.issuer, audience: [signIn.clientId], jwksUrl: signIn.jwksUrl }) };

  let reminders: LocalReminders | undefined;
  const events = await runTopology({
    component: "events",
    topology: eventsTopology,
    dynamodb,
    links: {
      // The reminders' group and role are the stack's; locally the timers below stand in for both.
      resources: {
        media: LOCAL_MEDIA_BUCKET,
        sender: LOCAL_SENDER,
        reminders: "switchyard-local-events-reminders",
        reminderRole: "arn:aws:iam::000000000000:role/switchyard-local-events-reminders",
        ...(payments ? { stripeEvents: payments.stripeEventsTable } : {}),
      },
      secrets: { rsvpSigningKey: options.rsvpSigningKey ?? LOCAL_RSVP_SIGNING_KEY, ...(payments ? { stripeSecretKey: payments.stripeSecretKey } : {}) },
      settings: { siteUrl: options.siteUrl, cleanupSchedule: CLEANUP_SCHEDULE, ...(payments ? { stripeApiUrl: payments.stripeApiUrl, checkoutReturnUrl: options.siteUrl } : {}) },
    },
    authorizers: { jwt: authorizer },
    queues: {
      notifications: {
        // Well above a send's duration even on a loaded machine (the stack: 180 s), so a slow send is not redelivered while it runs.
        visibilityTimeoutMs: options.visibilityTimeoutMs ?? 10_000,
        maxReceiveCount: 5,
        onDeadLetter: (m) => console.error(`events: notification ${JSON.stringify(m.body)} moved to the dead-letter list after ${m.receiveCount} receives: ${m.lastError}`),
      },
    },
    create: {
      // Jobs onto the in-process queue; reminders as timers that put their job on it when due.
      fanout: (env, service, { queues }) => {
        const queue = queues.notifications!;
        reminders = localReminders({ deliver: (job) => queue.send([job]), file: join(dataDir, "reminders.json") });
        return eventsFanoutHandler({ ...eventsFanoutDeps(service, fanoutValues(env)), queue: queue.jobQueue, reminders });
      },
      // Mails into the outbox folder (the outbox page lists them); simulated addresses then bounce or complain through the feedback topic.
      notify: (env, service, { topics }) => notifyHandler(notifyDeps(service, notifyValues(env), simulatedFeedbackSender(outboxSender(outboxDir), (message) => topics.mailFeedback!.publish(message)))),
    },
  });
  const queue = events.queues.notifications as LocalQueue<NotificationJob>;

  // The daily clean-up (the topology's schedule), and once soon after the start.
  const cleanup = events.handlers.cleanup as () => Promise<unknown>;
  const cleanupAtStart = setTimeout(() => void cleanup().catch((error: Error) => console.error("events clean-up failed:", error)), CLEANUP_AT_START_MS);
  cleanupAtStart.unref();

  return {
    routes: [...events.routes, ...localOutboxRoutes(outboxDir)],
    signInUrl: signIn.url,
    clientId: signIn.clientId,
    outboxDir,
    mediaOrigin: new URL(s3.endpoint).origin,
    deadLetters: () => queue.deadLetters(),
    idle: () => events.idle(),
    stop: async () => {
      clearTimeout(cleanupAtStart);
      reminders?.close();
      await events.stop();
      await signIn.close();
    },
  };
}
