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
import { fanoutValues, notifyValues, transcodeValues } from "../handlers/events/functions";
import { outboxSender } from "../handlers/events/mail/outbox";
import { simulatedFeedbackSender } from "../handlers/events/mail/simulated-feedback";
import type { NotificationJob } from "../handlers/events/notification-job";
import { notifyDeps, notifyHandler } from "../handlers/events/notify";
import { CLEANUP_SCHEDULE, eventsTopology } from "../handlers/events/topology";
import { videoRetryDeps, videoRetryHandler } from "../handlers/events/video/retry";
import type { JobStateChange } from "../handlers/events/video/status";
import { transcodeDeps, transcodeHandler } from "../handlers/events/video/transcode";
import type { S3Event } from "aws-lambda";
import { ffmpegMediaConvert } from "./emulators/mediaconvert-ffmpeg";
import { deriveStreamKey } from "../handlers/events/video-stream-token";
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
  /** The local API's base URL (where a video's stream URL points). Default `"http://127.0.0.1:3000"` (npm start's). */
  apiUrl?: string;
  /** Port of the sign-in stand-in (0 = any). */
  signInPort: number;
  rsvpSigningKey?: string;
  /** Redelivery delay of a failed notification (SQS visibility timeout). */
  visibilityTimeoutMs?: number;
  /** The ffmpeg that transcodes uploaded videos (MediaConvert's local stand-in). Default `/usr/bin/ffmpeg`. */
  ffmpeg?: string;
  /**
   * Paid events: the local Stripe ingest's events table (its stream feeds the payments function,
   * as in a stack), and the Stripe the RSVP function starts Checkout Sessions at (the stand-in).
   * Unset: no payments function, and a yes to a paid event is a 424.
   */
  payments?: { stripeEventsTable: string; stripeApiUrl: string; stripeSecretKey: string };
}

export interface LocalEvents {
  routes: LocalRoute[];
  /** Local table names by logical name (the GraphQL layer reads them). */
  tables: Record<string, string>;
  signInUrl: string;
  /** The sign-in stand-in's `iss`: what the local JWT authorizer checks (and the GraphQL function verifies). */
  issuer: string;
  clientId: string;
  /** The key of videos' stream URLs and the API they point at (the GraphQL layer signs them alike). */
  videoStreamKey: string;
  apiUrl: string;
  outboxDir: string;
  mediaOrigin: string;
  deadLetters(): DeadLetter<NotificationJob>[];
  /** Resolves when the stream is processed, the queue is empty and every transcoding job has reported. */
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
  // MediaConvert, locally: the same job descriptions run by ffmpeg against s3rver; each job's state
  // change goes to the status function as EventBridge would deliver it (the stack's rule matches this stack's jobs).
  const transcoder = ffmpegMediaConvert({ s3: s3.client, ffmpeg: options.ffmpeg, deliver: (event) => (events.handlers.videoStatus as (e: JobStateChange) => Promise<void>)(event) });
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
        transcodeRole: "arn:aws:iam::000000000000:role/switchyard-local-events-transcode",
        transcodeQueue: "arn:aws:mediaconvert:us-east-1:000000000000:queues/Default",
        ...(payments ? { stripeEvents: payments.stripeEventsTable } : {}),
      },
      secrets: {
        rsvpSigningKey: options.rsvpSigningKey ?? LOCAL_RSVP_SIGNING_KEY,
        videoStreamKey: deriveStreamKey(options.rsvpSigningKey ?? LOCAL_RSVP_SIGNING_KEY),
        ...(payments ? { stripeSecretKey: payments.stripeSecretKey } : {}),
      },
      settings: {
        siteUrl: options.siteUrl,
        cleanupSchedule: CLEANUP_SCHEDULE,
        apiUrl: options.apiUrl ?? "http://127.0.0.1:3000",
        ...(payments ? { stripeApiUrl: payments.stripeApiUrl, checkoutReturnUrl: options.siteUrl } : {}),
      },
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
      // Transcoding jobs to the ffmpeg runner instead of MediaConvert.
      transcode: (env, service) => transcodeHandler(transcodeDeps(service, transcodeValues(env), transcoder)),
      video: (env, service) => videoRetryHandler(videoRetryDeps(service, transcodeValues(env), transcoder)),
      notify: (env, service, { topics }) => notifyHandler(notifyDeps(service, notifyValues(env), simulatedFeedbackSender(outboxSender(outboxDir), (message) => topics.mailFeedback!.publish(message)))),
    },
  });
  const queue = events.queues.notifications as LocalQueue<NotificationJob>;

  // The bucket notification (the topology's objectCreated): s3rver's S3 events, under the prefix, to the transcode function.
  const transcode = events.handlers.transcode as (e: S3Event) => Promise<void>;
  const { prefix } = eventsTopology.functions.transcode.objectCreated;
  const uploads = new Set<Promise<void>>();
  if (s3.onNotification) {
    s3.onNotification((notification) => {
      const records = notification.Records.filter((r) => r.s3.bucket.name === LOCAL_MEDIA_BUCKET && r.eventName.startsWith("ObjectCreated:") && r.s3.object.key.startsWith(prefix));
      if (!records.length) return;
      const done: Promise<void> = transcode({ Records: records } as unknown as S3Event)
        .catch((error: Error) => console.error("events: transcode failed:", error))
        .finally(() => uploads.delete(done));
      uploads.add(done);
    });
  } else console.error("events: s3rver runs in another process (npm run sync?): uploaded videos are not transcoded until npm start runs it");

  // The daily clean-up (the topology's schedule), and once soon after the start.
  const cleanup = events.handlers.cleanup as () => Promise<unknown>;
  const cleanupAtStart = setTimeout(() => void cleanup().catch((error: Error) => console.error("events clean-up failed:", error)), CLEANUP_AT_START_MS);
  cleanupAtStart.unref();

  return {
    routes: [...events.routes, ...localOutboxRoutes(outboxDir)],
    tables: events.tables,
    signInUrl: signIn.url,
    issuer: signIn.issuer,
    clientId: signIn.clientId,
    videoStreamKey: deriveStreamKey(options.rsvpSigningKey ?? LOCAL_RSVP_SIGNING_KEY),
    apiUrl: options.apiUrl ?? "http://127.0.0.1:3000",
    outboxDir,
    mediaOrigin: new URL(s3.endpoint).origin,
    deadLetters: () => queue.deadLetters(),
    idle: async () => {
      await events.idle();
      while (uploads.size) await Promise.all([...uploads]);
      await transcoder.idle();
      await events.idle();
    },
    stop: async () => {
      clearTimeout(cleanupAtStart);
      reminders?.close();
      await events.stop();
      await signIn.close();
    },
  };
}
