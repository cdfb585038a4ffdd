// The resolvers: each Query field is the REST route's read, through the same store modules and view
// functions (no second data layer). The schema's types check the arguments (enums generated from
// the same lists as the REST schemas); what types cannot say (a page size's range, an id's shape)
// is checked here, a failure being BAD_USER_INPUT. No zod: it would take the upload past 512 KB
// (docs/graphql.md), and the stores check their own cursors.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { EventStore, type Organizer } from "../events/event-store";
import { MediaStore } from "../events/media";
import { organizerEvent } from "../events/organizer-event";
import { s3ForcePathStyle } from "../events/s3-path-style";
import { INVITES_PER_EVENT } from "../events/limits";
import { DEFAULT_SORT, PUBLIC_SORTS, type PublicSort, type SortOrder } from "../events/public-search";
import type { EventCategory } from "../events/categories";
import { SeriesStore } from "../events/series-store";
import { eventSummary, eventView, invitationsView } from "../events/views";
import type { StreamSettings } from "../events/video-playback";
import { MessageStore } from "../messages/store";
import { decodeCursor, encodeCursor } from "../shared/cursor";
import { PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT } from "../shared/page-limits";
import { UUID_V7_PATTERN } from "../shared/uuidv7";
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
  /** Where a ready video's stream URL points, and its key (the events API's). */
  stream: StreamSettings;
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
  now: () => Date;
}

/** Builds the clients once per cold start. */
export function graphqlDeps(values: GraphqlValues): GraphqlDeps {
  const db = new DynamoDBClient({});
  const events = new EventStore(db, values.eventsTable);
  return {
    events,
    series: new SeriesStore(db, values.eventsTable, events),
    media: new MediaStore(new S3Client({ forcePathStyle: s3ForcePathStyle() }), values.mediaBucket, undefined, values.stream),
    messages: new MessageStore(db, values.messagesTable),
    meetings: new MeetingStore(db, values.meetingsTable),
    syncs: Object.entries(values.syncStateTables).map(([job, table]) => ({ job, state: new RunStateStore(db, table, job) })),
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

const badInput = (pointer: string, detail: string) => new HttpProblem("validation-failed", `${pointer.slice(2)}: ${detail}`, [{ pointer, detail }]);

/** A page size: `max` at most (the REST routes' `?limit=` range), `fallback` when not given. */
function pageSize(limit: number | null | undefined, fallback: number, max: number): number {
  if (limit === null || limit === undefined) return fallback;
  if (limit < 1 || limit > max) throw badInput("#/limit", `1 to ${max}`);
  return limit;
}
/** A cursor as the REST routes take it (its shape is the store's to check). */
function cursorOf(cursor: string | null | undefined): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  if (cursor.length < 1 || cursor.length > 512) throw badInput("#/cursor", "1 to 512 characters");
  return cursor;
}
/** Events and messages have UUIDv7 ids. */
function idOf(id: string, what: string): string {
  if (!UUID_V7_PATTERN.test(id)) throw badInput("#/id", `${what} id (UUIDv7)`);
  return id.toLowerCase();
}
type PageArgs = { limit?: number | null; cursor?: string | null };

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
  const { events, media } = deps;
  return {
    async events(args: PageArgs & { category?: EventCategory | null; sort?: PublicSort | null; order?: SortOrder | null; ended?: "exclude" | "include" | null }) {
      // The schema's enums hold the sorts but popularity (which writes a snapshot: REST only).
      const sort = args.sort ?? DEFAULT_SORT;
      const search = { sort, order: args.order ?? PUBLIC_SORTS[sort].defaultOrder, ended: args.ended ?? "exclude", ...(args.category ? { category: args.category } : {}) } as const;
      const page = await events.listPublic({ limit: pageSize(args.limit, PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT), cursor: cursorOf(args.cursor), ...search }, deps.now());
      return { items: page.items.map(eventSummary), nextCursor: page.nextCursor };
    },

    async event({ id }: { id: string }) {
      const found = await events.get(idOf(id, "an event"));
      // As GET /events/{id}: only public, published (or canceled) events; others look missing.
      if (!found || found.visibility !== "public" || found.status === "draft") return null;
      return eventView(found, await media.viewUrls(found));
    },

    async myEvents(args: PageArgs, context: RequestContext) {
      const organizer = await context.organizer();
      const page = await events.listByOrganizer(organizer.id, pageSize(args.limit, PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT), cursorOf(args.cursor));
      return { items: page.items.map(eventSummary), nextCursor: page.nextCursor };
    },

    async myEvent({ id }: { id: string }, context: RequestContext) {
      const organizer = await context.organizer();
      const found = await events.getOwned(idOf(id, "an event"), organizer);
      return {
        ...(await organizerEvent(deps, found)),
        /** GET /events/{id}/invitations: every invitation counted, one page of them listed, by address. */
        invitations: async ({ limit, cursor }: PageArgs) => {
          const size = pageSize(limit, INVITES_PER_EVENT, INVITES_PER_EVENT);
          const given = cursorOf(cursor);
          const after = given === undefined ? undefined : decodeCursor(given, EMAIL_CURSOR);
          const all = invitationsView(await events.invitations(found.id), found);
          const rest = after === undefined ? all.items : all.items.filter((i) => i.email > after);
          const items = rest.slice(0, size);
          return { items, counts: all.counts, nextCursor: rest.length > size ? encodeCursor(items.at(-1)!.email) : null };
        },
      };
    },

    messages: (args: PageArgs) => deps.messages.list(pageSize(args.limit, PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT), cursorOf(args.cursor)),

    messageCount: () => deps.messages.count(),

    async message({ id }: { id: string }) {
      return (await deps.messages.get(idOf(id, "a message"))) ?? null;
    },

    async meetings(args: PageArgs) {
      const page = await deps.meetings.list(pageSize(args.limit, PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT), cursorOf(args.cursor));
      return { items: page.items.map(meetingView), nextCursor: page.nextCursor };
    },

    async syncStatus(_args: unknown, context: RequestContext) {
      await context.organizer();
      const at = deps.now();
      return Promise.all(deps.syncs.map(async ({ job, state }) => syncStatusView(job, await state.run(), at)));
    },
  };
}
