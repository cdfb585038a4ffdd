// The GraphQL layer in local mode: handlers/graphql/topology.ts, run as the stacks deploy it, on the
// local HTTP API, reading the local tables of the other components (the events, the messages, the
// Calendly meetings, the syncs' run state) and verifying the local sign-in stand-in's tokens with
// the issuer and audience the local JWT authorizer checks.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { graphqlTopology } from "../handlers/graphql/topology";
import type { LocalRoute } from "./emulators/api-server";
import { LOCAL_MEDIA_BUCKET, type LocalEvents } from "./events";
import { runTopology } from "./topology";

export interface LocalGraphqlOptions {
  dynamodb: { client: DynamoDBClient; endpoint: string };
  /** The local events platform: its tables, and the sign-in stand-in's issuer and client id. */
  events: Pick<LocalEvents, "tables" | "issuer" | "clientId" | "videoStreamKey" | "apiUrl">;
  /** The MessageApi's local table. Example: `messages.tables.messages`. */
  messagesTable: string;
  /** The Calendly WebhookIngest's local meetings table. Example: `webhooks.tables.meetings`. */
  meetingsTable: string;
  /** Each sync job run locally, with its run-state table. Example: `{ gists: LOCAL_SYNC_STATE_TABLE }`. */
  syncStateTables?: Record<string, string>;
}

export async function startLocalGraphql(options: LocalGraphqlOptions): Promise<{ routes: LocalRoute[]; stop(): Promise<void> }> {
  const syncs = Object.fromEntries(Object.entries(options.syncStateTables ?? {}).map(([job, table]) => [`${job}SyncState`, table]));
  const running = await runTopology({
    component: "graphql",
    topology: graphqlTopology,
    dynamodb: options.dynamodb,
    links: {
      resources: { events: options.events.tables.events!, media: LOCAL_MEDIA_BUCKET, messages: options.messagesTable, meetings: options.meetingsTable, ...syncs },
      secrets: { videoStreamKey: options.events.videoStreamKey },
      settings: { jwtIssuer: options.events.issuer, jwtAudience: options.events.clientId, apiUrl: options.events.apiUrl },
    },
  });
  return { routes: running.routes, stop: () => running.stop() };
}
