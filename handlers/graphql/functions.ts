// The GraphQL function, written once: components/graphql-api.ts deploys it, local/graphql.ts runs it
// (see handlers/shared/function-definition.ts). It only reads: the events (and their invitations
// and series), the media's presigned GETs, the messages, the meetings and each sync job's run state.
import { POWERTOOLS_PACKAGES } from "../shared/packages";
import { defineFunction, resource, setting, type EnvSpec, type EnvValues, type ResourceKey } from "../shared/function-definition";
import { createObservability } from "../shared/observability";
import { PUBLIC_SORTS } from "../events/public-search";
import { streamUrlEnv } from "../events/stream-env";
import { syncJobs } from "../sync/registry";
import { jwtAuthenticator } from "./auth";
import { graphqlHandler } from "./handler";
import { graphqlDeps, rootResolvers, type GraphqlValues } from "./resolvers";

/** `gists` → `GISTS_SYNC_STATE_TABLE`: a sync job's run-state table, when the stack runs the job. */
const syncStateKey = (job: string) => `${job.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_SYNC_STATE_TABLE`;

const graphqlEnv = {
  EVENTS_TABLE: resource("events", [
    // GetItem: an event, a series; Query: an event's invitations (the table itself).
    { actions: ["dynamodb:GetItem", "dynamodb:Query"] },
    { actions: ["dynamodb:Query"], path: "/index/byOrganizer" },
    // The public list's sorts but popularity (which writes a snapshot: REST only).
    ...Object.values(PUBLIC_SORTS)
      .filter(({ index }) => index !== PUBLIC_SORTS.popularity.index)
      .map(({ index }) => ({ actions: ["dynamodb:Query"], path: `/index/${index}` })),
  ]),
  MEDIA_BUCKET: resource("media", [{ actions: ["s3:GetObject"], path: "/events/*" }]),
  MESSAGES_TABLE: resource("messages", [{ actions: ["dynamodb:GetItem", "dynamodb:Query"] }]),
  // The meetings list only (GET /meetings's read): latest start first, through the index.
  MEETINGS_TABLE: resource("meetings", [{ actions: ["dynamodb:Query"], path: "/index/byStart" }]),
  // A ready video's poster and stream URL in the events' views, signed as the events API signs them.
  ...streamUrlEnv,
  JWT_ISSUER: setting("jwtIssuer", "text", { about: "The JWT authorizer's issuer: `https://cognito-idp.<region>.amazonaws.com/<user pool id>`" }),
  JWT_AUDIENCE: setting("jwtAudience", "list", { about: "The JWT authorizer's audiences: the user pool's app client id" }),
  // One optional key per sync job of the registry: the stack links the jobs it runs.
  ...(Object.fromEntries(syncJobs.map((job) => [syncStateKey(job.name), resource(`${job.name}SyncState`, [{ actions: ["dynamodb:GetItem"] }], { optional: true })])) as Record<string, ResourceKey<true>>),
} satisfies EnvSpec;

export const graphqlFunction = defineFunction({
  service: "graphql",
  // No zod (resolvers.ts): with it the upload would pass 512 KB.
  packages: ["graphql", "aws-jwt-verify", ...POWERTOOLS_PACKAGES],
  env: graphqlEnv,
  create: (env, service) =>
    graphqlHandler({
      obs: createObservability(service),
      root: rootResolvers(graphqlDeps(graphqlValues(env))),
      authenticate: jwtAuthenticator({ issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE }),
    }),
});

/** The environment as the resolvers' values: each `<JOB>_SYNC_STATE_TABLE` set names a job and its table. */
export function graphqlValues(env: EnvValues<typeof graphqlEnv>): GraphqlValues {
  const syncStateTables: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const job = /^(.+)_SYNC_STATE_TABLE$/.exec(key)?.[1];
    if (job && typeof value === "string") syncStateTables[job.toLowerCase()] = value;
  }
  return {
    eventsTable: env.EVENTS_TABLE,
    mediaBucket: env.MEDIA_BUCKET,
    stream: { apiUrl: env.API_URL.replace(/\/+$/, ""), key: env.VIDEO_STREAM_KEY },
    messagesTable: env.MESSAGES_TABLE, meetingsTable: env.MEETINGS_TABLE, syncStateTables };
}
