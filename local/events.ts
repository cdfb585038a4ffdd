// The events platform in local mode: the same handlers, wired as the EventsApi component wires them.
// HTTP routes on the local API (signed-in ones behind the local JWT authorizer, which accepts the
// local sign-in stand-in's tokens exactly as API Gateway accepts Cognito's); the events table's stream
// feeds the fan-out (as the event source mapping does); notification jobs go through an in-process
// queue with SQS semantics (redelivery on failure, dead letters after 5 receives) to the same
// sender, which writes each mail to <dataDir>/outbox/ instead of SES; reminders are in-process
// timers persisted in <dataDir>/reminders.json; the clean-up runs at start and daily.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutBucketCorsCommand, S3Client } from "@aws-sdk/client-s3";
import { cleanupDeps, cleanupHandler } from "../handlers/events/cleanup";
import { EventStore } from "../handlers/events/event-store";
import { eventsFanoutHandler } from "../handlers/events/fanout";
import { outboxSender } from "../handlers/events/mail/outbox";
import { MediaStore } from "../handlers/events/media";
import type { NotificationJob } from "../handlers/events/notification-job";
import { notifyDeps, notifyHandler } from "../handlers/events/notify";
import { organizerHandler } from "../handlers/events/organizer";
import { publicEventsHandler } from "../handlers/events/public-events";
import { rsvpDeps, rsvpHandler } from "../handlers/events/rsvp";
import { eventRoutes, routeKeyOf, type EventFunction } from "../handlers/events/routes";
import { eventsTable, notificationsSentTable } from "../handlers/events/tables";
import { createObservability } from "../handlers/shared/observability";
import type { HttpHandler } from "../handlers/shared/http";
import type { LocalRoute } from "./api-server";
import { startStreamPoller, type StreamPoller } from "./dynamodb-stream-poller";
import { createLocalQueue, type DeadLetter } from "./job-queue";
import { createJwtAuthorizer } from "./jwt-authorizer";
import { localOutboxRoutes } from "./outbox-page";
import { localReminders } from "./reminders";
import type { S3Local } from "./s3-local";
import { startLocalSignIn } from "./standins/sign-in";
import { createTable } from "./tables";

/** Local-only default, printed at start; a stack's is `pulumi config set --secret switchyard:rsvpSigningKey`. */
export const LOCAL_RSVP_SIGNING_KEY = "local-rsvp-signing-key-not-secret";
export const LOCAL_EVENTS_TABLES = { events: "switchyard-local-events-platform", sent: "switchyard-local-notifications-sent" };
export const LOCAL_MEDIA_BUCKET = "switchyard-local-media";
export const LOCAL_CLIENT_ID = "switchyard-local-web";
const DAY_MS = 86_400_000;

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
  const { dynamodb, s3, dataDir } = options;
  await createTable(dynamodb.client, LOCAL_EVENTS_TABLES.events, eventsTable);
  await createTable(dynamodb.client, LOCAL_EVENTS_TABLES.sent, notificationsSentTable);
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

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EVENTS_TABLE: LOCAL_EVENTS_TABLES.events,
    NOTIFICATIONS_SENT_TABLE: LOCAL_EVENTS_TABLES.sent,
    MEDIA_BUCKET: LOCAL_MEDIA_BUCKET,
    RSVP_SIGNING_KEY: options.rsvpSigningKey ?? LOCAL_RSVP_SIGNING_KEY,
    SITE_URL: options.siteUrl,
    MAIL_FROM: "Switchyard Events (local) <events@switchyard.local>",
  };

  const signIn = await startLocalSignIn({ port: options.signInPort, clientId: LOCAL_CLIENT_ID });
  const authorizer = { authorize: createJwtAuthorizer({ issuer: signIn.issuer, audience: [signIn.clientId], jwksUrl: signIn.jwksUrl }) };

  const notify = notifyHandler(notifyDeps("events-notify", env, outboxSender(outboxDir)));
  const queue = createLocalQueue<NotificationJob>({
    name: "switchyard-local-notifications",
    consumer: notify,
    // Well above a send's duration even on a loaded machine (the stack: 180 s), so a slow send is not redelivered while it runs.
    visibilityTimeoutMs: options.visibilityTimeoutMs ?? 10_000,
    maxReceiveCount: 5,
    onDeadLetter: (m) => console.error(`events: notification ${JSON.stringify(m.body)} moved to the dead-letter list after ${m.receiveCount} receives: ${m.lastError}`),
  });
  const reminders = localReminders({ deliver: (job) => queue.send([job]), file: join(dataDir, "reminders.json") });
  const db = new DynamoDBClient({});
  const fanout = eventsFanoutHandler({
    store: new EventStore(db, LOCAL_EVENTS_TABLES.events),
    media: new MediaStore(new S3Client({ forcePathStyle: true }), LOCAL_MEDIA_BUCKET),
    queue: queue.jobQueue,
    reminders,
    obs: createObservability("events-fanout"),
  });
  const poller: StreamPoller = await startStreamPoller({ client: dynamodb.client, endpoint: dynamodb.endpoint, tableName: LOCAL_EVENTS_TABLES.events, handler: fanout });

  // The daily clean-up (EventBridge rate(1 day) in a stack).
  const cleanup = cleanupHandler(cleanupDeps("events-cleanup", env));
  const runCleanup = () => void cleanup().catch((error) => console.error("events clean-up failed:", error));
  const cleanupTimer = setInterval(runCleanup, DAY_MS);
  cleanupTimer.unref();
  setTimeout(runCleanup, 5000).unref();

  const handlers: Record<EventFunction, HttpHandler> = {
    organizer: organizerHandler(rsvpDeps("events-organizer", env)),
    public: publicEventsHandler(rsvpDeps("events-public", env)),
    rsvp: rsvpHandler(rsvpDeps("events-rsvp", env)),
  };
  const routes: LocalRoute[] = [
    ...eventRoutes.map((r) => ({ routeKey: routeKeyOf(r), handler: handlers[r.fn], ...(r.signedIn ? { authorizer } : {}) })),
    ...localOutboxRoutes(outboxDir),
  ];

  return {
    routes,
    signInUrl: signIn.url,
    clientId: signIn.clientId,
    outboxDir,
    mediaOrigin: new URL(s3.endpoint).origin,
    deadLetters: () => queue.deadLetters(),
    idle: async () => {
      await poller.idle();
      await queue.drained();
    },
    stop: async () => {
      clearInterval(cleanupTimer);
      reminders.close();
      await poller.stop();
      await queue.close();
      await signIn.close();
    },
  };
}
