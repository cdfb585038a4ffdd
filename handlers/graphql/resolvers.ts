// The resolvers: each Query field is the REST route's read, through the same store modules, zod
// schemas and view functions (no second data layer). Arguments go through the REST routes' own
// query schemas, so a bad one is the same 400 there and BAD_USER_INPUT here.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { EventStore, type Organizer } from "../events/event-store";
import { MediaStore } from "../events/media";
import { organizerEvent } from "../events/organizer-event";
import { s3ForcePathStyle } from "../events/s3-path-style";
import { eventSchemas, INVITES_PER_EVENT, type EventSchemas } from "../events/schemas";
import { SeriesStore } from "../events/series-store";
import { eventSummary, eventView, invitationsView } from "../events/views";
import { messageSchemas, type MessageSchemas } from "../messages/schemas";
import { MessageStore } from "../messages/store";
import { decodeCursor, encodeCursor } from "../shared/cursor";
import { validate } from "../shared/http";
import { PAGE_DEFAULT_LIMIT } from "../shared/paging";
import { HttpProblem } from "../shared/problem";
import { RunStateStore, type RunState } from "../sync/run-state";
import { MeetingStore } from "../webhooks/meeting-store";
import { meetingView } from "../webhooks/views";
import type { Authenticate } from "./auth";

/** Where the data lives (functions.ts reads them from the environment). */
export interface GraphqlValues {
  /** The EventsApi's events table. Example: `"events-events-1a2b3c4"`. */
  eventsTable: string;
  /** Example: `"events-media-1a2b3c4"`. */
  mediaBucket: string;
  /** The MessageApi's table. Example: `"api-messages-5d6e7f8"`. */
  messagesTable: string;
  /** The Calendly WebhookIngest's meetings table. Example: `"calendly-meetings-68b7bbb"`. */
  meetingsTable: string;
  /** Each sync job the stack runs, with its run-state table. Example: `{ gists: "gists-state-9a8b7c6" }`. */
  syncStateTables: Record<string, string>;
}

export interface GraphqlDeps {
  events: EventStore;
  series: SeriesStore;
  media: MediaStore;
  messages: MessageStore;
  meetings: MeetingStore;
  syncs: { job: string; state: RunStateStore }[];
  schemas: { events: EventSchemas; messages: MessageSchemas };
  now: () => Date;
}

/** Builds the clients once per cold start. */
export function graphqlDeps(values: GraphqlValues): GraphqlDeps {
  const db = new DynamoDBClient({});
  const events = new EventStore(db, values.eventsTable);
  return {
    events,
    series: new SeriesStore(db, values.eventsTable, events),
    media: new MediaStore(new S3Client({ forcePathStyle: s3ForcePathStyle() }), values.mediaBucket),
    messages: new MessageStore(db, values.messagesTable),
    meetings: new MeetingStore(db, values.meetingsTable),
    syncs: Object.entries(values.syncStateTables).map(([job, table]) => ({ job, state: new RunStateStore(db, table, job) })),
    schemas: { events: eventSchemas(), messages: messageSchemas() },
    now: () => new Date(),
  };
}

/** What each request's resolvers share. */
export interface RequestContext {
  /** The signed-in organizer; throws UNAUTHENTICATED (an `unauthorized` problem) without a valid token. Asked once per request. */
  organizer(): Promise<Organizer>;
}

/** Per request: the token is verified only when a signed-in field asks. */
export function requestContext(authenticate: Authenticate, authorization: string | undefined): RequestContext {
  let organizer: Promise<Organizer> | undefined;
  return { organizer: () => (organizer ??= authenticate(authorization)) };
}

/** GraphQL arguments as the REST route's query string: numbers as text, nulls left out. */
const asQuery = (args: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(args).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, String(v)]));

/** An invitation cursor holds the last address of the page. */
const EMAIL_CURSOR = /^[^\s@]+@[^\s@]+$/;

/** The rate limits a run learned that are still in force, latest last (run-state.ts keeps only those). */
function syncStatusView(job: string, run: RunState, at: Date) {
  const limits = Object.values(run.rateLimits ?? {}).filter((t) => Date.parse(t) > at.getTime()).sort();
  return {
    job,
    lastStart: run.lastStart ?? null,
    lastSuccess: run.lastSuccess ?? null,
    lastError: run.lastError ?? null,
    counts: run.counts ?? null,
    rateLimitedUntil: limits.at(-1) ?? null,
  };
}

/** The root value: graphql-js calls `field(args, context)`; a function-valued property of a result (`invitations`) resolves that field. */
export function rootResolvers(deps: GraphqlDeps) {
  const { events, media, schemas } = deps;
  return {
    async events(args: Record<string, unknown>) {
      const { limit = PAGE_DEFAULT_LIMIT, ...search } = validate(schemas.events.PublicListQuery, asQuery(args), "query");
      // The popularity ranking writes a snapshot: a REST-only read, so this function writes nothing.
      if (search.sort === "popularity") throw new HttpProblem("validation-failed", "sort: popularity is served by GET /events only; use published, created or start.", [{ pointer: "#/query/sort", detail: "popularity is REST only" }]);
      const page = await events.listPublic({ limit, ...search }, deps.now());
      return { items: page.items.map(eventSummary), nextCursor: page.nextCursor };
    },

    async event({ id }: { id: string }) {
      const eventId = validate(schemas.events.EventId, id, "path");
      const found = await events.get(eventId);
      // As GET /events/{id}: only public, published (or canceled) events; others look missing.
      if (!found || found.visibility !== "public" || found.status === "draft") return null;
      return eventView(found, await media.viewUrls(found));
    },

    async myEvents(args: Record<string, unknown>, context: RequestContext) {
      const organizer = await context.organizer();
      const { limit = PAGE_DEFAULT_LIMIT, cursor } = validate(schemas.events.PageQuery, asQuery(args), "query");
      const page = await events.listByOrganizer(organizer.id, limit, cursor);
      return { items: page.items.map(eventSummary), nextCursor: page.nextCursor };
    },

    async myEvent({ id }: { id: string }, context: RequestContext) {
      const organizer = await context.organizer();
      const found = await events.getOwned(validate(schemas.events.EventId, id, "path"), organizer);
      return {
        ...(await organizerEvent(deps, found)),
        /** GET /events/{id}/invitations: every invitation counted, one page of them listed, by address. */
        invitations: async ({ limit, cursor }: { limit?: number | null; cursor?: string | null }) => {
          const size = limit ?? INVITES_PER_EVENT;
          if (!Number.isInteger(size) || size < 1 || size > INVITES_PER_EVENT) throw new HttpProblem("validation-failed", `limit: 1 to ${INVITES_PER_EVENT}`, [{ pointer: "#/query/limit", detail: `1 to ${INVITES_PER_EVENT}` }]);
          const after = cursor === null || cursor === undefined ? undefined : decodeCursor(cursor, EMAIL_CURSOR);
          const all = invitationsView(await events.invitations(found.id), found);
          const rest = after === undefined ? all.items : all.items.filter((i) => i.email > after);
          const items = rest.slice(0, size);
          return { items, counts: all.counts, nextCursor: rest.length > size ? encodeCursor(items.at(-1)!.email) : null };
        },
      };
    },

    async messages(args: Record<string, unknown>) {
      const { limit = PAGE_DEFAULT_LIMIT, cursor } = validate(schemas.messages.ListQuery, asQuery(args), "query");
      return deps.messages.list(limit, cursor);
    },

    messageCount: () => deps.messages.count(),

    async message({ id }: { id: string }) {
      const { id: valid } = validate(schemas.messages.PathParams, { id }, "path");
      return (await deps.messages.get(valid.toLowerCase())) ?? null;
    },

    async meetings(args: Record<string, unknown>) {
      const { limit = PAGE_DEFAULT_LIMIT, cursor } = validate(schemas.events.PageQuery, asQuery(args), "query");
      const page = await deps.meetings.list(limit, cursor);
      return { items: page.items.map(meetingView), nextCursor: page.nextCursor };
    },

    async syncStatus(_args: unknown, context: RequestContext) {
      await context.organizer();
      const at = deps.now();
      return Promise.all(deps.syncs.map(async ({ job, state }) => syncStatusView(job, await state.run(), at)));
    },
  };
}
