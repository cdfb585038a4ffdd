// WebhookIngest's functions, written once: components/webhook-ingest.ts deploys them, local mode
// runs them (see handlers/shared/function-definition.ts). Each can touch only its own data: ingest
// cannot read meetings or the spool, the replay cannot touch any table, the read routes cannot write.
//
// Logical names the component (and local mode) provide:
// - tables `events`, `meetings`, `connections` (handlers/webhooks/topology.ts);
// - `spool` (the S3 bucket, only with forwarding), `deadLetters` (the stream consumers' SQS
//   dead-letter queue), `live` (the WebSocket stage: its management endpoint as the value, its
//   execute-api ARN `<executionArn>/<stage>` for grants);
// - settings `source`, `toleranceSeconds`, `forwardUrl`, `replaySchedule` (the topology's);
//   `forwardRetries`, `forwardBaseDelayMs`, `replayMaxEvents` (tuning, defaults below);
// - secrets `signingKey`, `replayToken`.
import { defineFunction, resource, secret, setting, type Grant } from "../shared/function-definition";
import { DEFAULT_RUNTIME_PACKAGES, POWERTOOLS_PACKAGES } from "../shared/packages";
import { connectionDeps, connectionHandler } from "./connections";
import { forwarderDeps, forwarderHandler } from "./forwarder";
import { DEFAULT_TOLERANCE_SECONDS, ingestDeps, ingestHandler } from "./ingest";
import { broadcastDeps, projectAndBroadcastHandler } from "./live";
import { listMeetingsHandler, meetingEventsHandler, readDeps } from "./read";
import { replayDeps, replayHandler } from "./replay";
import { DEAD_LETTER_PREFIX, SPOOL_PREFIX } from "./spool";

/** Functions that validate nothing with zod carry only what they load (zod is most of an upload). */
const POWERTOOLS = POWERTOOLS_PACKAGES;

/**
 * What a consumer of the events table's stream needs (as SAM's DynamoDBStreamReadPolicy scopes it),
 * plus sending a batch past its retry limit to the dead-letter queue.
 */
const eventsStreamConsumer: Grant[] = [
  { on: "events", attribute: "stream", actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"] },
  // ListStreams has no resource type in IAM: only "*" grants it (policy/rules.ts allows exactly this).
  { on: "*", actions: ["dynamodb:ListStreams"] },
  { on: "deadLetters", actions: ["sqs:SendMessage"] },
];

/** Objects under a spool prefix. Example: `spoolObjects("spool/")` → `"/spool/*"`. */
const spoolObjects = (prefix: string) => `/${prefix}*`;

/** `POST /webhooks/<source>`: verify, validate, one conditional put. */
export const ingestFunction = defineFunction({
  service: "webhooks-ingest",
  packages: DEFAULT_RUNTIME_PACKAGES,
  env: {
    SOURCE: setting("source", "text"),
    EVENTS_TABLE: resource("events", [{ actions: ["dynamodb:PutItem"] }]),
    SIGNING_KEY: secret("signingKey"),
    SIGNATURE_TOLERANCE_SECONDS: setting("toleranceSeconds", "number", { fallback: String(DEFAULT_TOLERANCE_SECONDS) }),
  },
  create: (env, service) =>
    ingestHandler(ingestDeps(service, { source: env.SOURCE, eventsTable: env.EVENTS_TABLE, signingKey: env.SIGNING_KEY, toleranceSeconds: env.SIGNATURE_TOLERANCE_SECONDS })),
});

/** `GET /meetings`: reads the meetings table's `byStart` index only. */
export const meetingsFunction = defineFunction({
  service: "webhooks-meetings",
  packages: DEFAULT_RUNTIME_PACKAGES,
  env: {
    // Named (the read deps build both stores) but not granted: the list never reads events.
    EVENTS_TABLE: resource("events", []),
    MEETINGS_TABLE: resource("meetings", [{ actions: ["dynamodb:Query"], path: "/index/byStart" }]),
  },
  create: (env, service) => listMeetingsHandler(readDeps(service, { eventsTable: env.EVENTS_TABLE, meetingsTable: env.MEETINGS_TABLE })),
});

/** `GET /meetings/{id}/events`: one meeting, and its events. */
export const historyFunction = defineFunction({
  service: "webhooks-history",
  packages: DEFAULT_RUNTIME_PACKAGES,
  env: {
    EVENTS_TABLE: resource("events", [{ actions: ["dynamodb:Query"] }]),
    MEETINGS_TABLE: resource("meetings", [{ actions: ["dynamodb:GetItem"] }]),
  },
  create: (env, service) => meetingEventsHandler(readDeps(service, { eventsTable: env.EVENTS_TABLE, meetingsTable: env.MEETINGS_TABLE })),
});

/** The events stream → the downstream, or the spool (writes only under its two prefixes). */
export const forwarderFunction = defineFunction({
  service: "webhooks-forwarder",
  packages: [...POWERTOOLS, "got"],
  env: {
    FORWARD_URL: setting("forwardUrl", "text"),
    SPOOL_BUCKET: resource("spool", [
      { actions: ["s3:PutObject"], path: spoolObjects(SPOOL_PREFIX) },
      { actions: ["s3:PutObject"], path: spoolObjects(DEAD_LETTER_PREFIX) },
    ]),
    FORWARD_RETRIES: setting("forwardRetries", "number", { fallback: "2" }),
    FORWARD_BASE_DELAY_MS: setting("forwardBaseDelayMs", "number", { fallback: "500" }),
  },
  grants: eventsStreamConsumer,
  create: (env, service) =>
    forwarderHandler(forwarderDeps(service, { forwardUrl: env.FORWARD_URL, spoolBucket: env.SPOOL_BUCKET, retries: env.FORWARD_RETRIES, baseDelayMs: env.FORWARD_BASE_DELAY_MS })),
});

/** The spool → the downstream, on a schedule and on `POST /webhooks/<source>/replay` (Bearer token). */
export const replayFunction = defineFunction({
  service: "webhooks-replay",
  packages: [...POWERTOOLS, "got"],
  env: {
    FORWARD_URL: setting("forwardUrl", "text"),
    SPOOL_BUCKET: resource("spool", [
      { actions: ["s3:ListBucket"] },
      { actions: ["s3:GetObject", "s3:DeleteObject"], path: spoolObjects(SPOOL_PREFIX) },
      { actions: ["s3:PutObject"], path: spoolObjects(DEAD_LETTER_PREFIX) },
    ]),
    REPLAY_TOKEN: secret("replayToken"),
    REPLAY_MAX_EVENTS: setting("replayMaxEvents", "number", { fallback: "500" }),
  },
  create: (env, service) =>
    replayHandler(replayDeps(service, { forwardUrl: env.FORWARD_URL, spoolBucket: env.SPOOL_BUCKET, token: env.REPLAY_TOKEN, maxEvents: env.REPLAY_MAX_EVENTS })),
});

/** The live view's `$connect` / `$disconnect`: remembers and forgets connections. */
export const connectionFunction = defineFunction({
  service: "webhooks-connection",
  packages: POWERTOOLS,
  env: { CONNECTIONS_TABLE: resource("connections", [{ actions: ["dynamodb:PutItem", "dynamodb:DeleteItem"] }]) },
  create: (env, service) => connectionHandler(connectionDeps(service, env.CONNECTIONS_TABLE)),
});

/** The events stream → the meetings table → every open live view (see projectAndBroadcastHandler). */
export const projectFunction = defineFunction({
  service: "webhooks-project",
  packages: POWERTOOLS,
  env: {
    MEETINGS_TABLE: resource("meetings", [{ actions: ["dynamodb:GetItem", "dynamodb:PutItem"] }]),
    CONNECTIONS_TABLE: resource("connections", [{ actions: ["dynamodb:Scan", "dynamodb:DeleteItem"] }]),
    // https://{api}.execute-api.{region}.amazonaws.com/{stage}; may post to any of the stage's connections.
    WS_MANAGEMENT_ENDPOINT: resource("live", [{ actions: ["execute-api:ManageConnections"], path: "/POST/@connections/*" }]),
  },
  grants: eventsStreamConsumer,
  create: (env, service) =>
    projectAndBroadcastHandler(broadcastDeps(service, { connectionsTable: env.CONNECTIONS_TABLE, meetingsTable: env.MEETINGS_TABLE, managementEndpoint: env.WS_MANAGEMENT_ENDPOINT })),
});
