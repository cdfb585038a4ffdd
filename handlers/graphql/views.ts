// The GraphQL schema's object types, named: the zod schemas that describe the REST views (the same
// ones the OpenAPI document is built from), plus the few shapes GraphQL adds (an invitation page's
// cursor, the sync status). sdl.ts turns these into SDL; nothing here is spelled twice. Only the
// SDL generator and the tests load this module (the Lambda reads the generated schema.generated.ts).
import { z } from "zod";
import { responseSchemas as eventResponses } from "../events/openapi";
import { messageSchemas } from "../messages/schemas";
import { responseSchemas as webhookResponses } from "../webhooks/openapi";

/** What `syncStatus` shows of a sync job's run state (handlers/sync/run-state.ts): when it ran, how it went, what it counted. */
export function syncStatusSchema() {
  const when = (what: string) => z.string().nullable().describe(what);
  return z.object({
    job: z.string().describe("The sync job (handlers/sync/registry.ts). Example: gists"),
    lastStart: when("When the last run started; null before the first"),
    lastSuccess: when("When a run last finished without an error"),
    lastError: when("The last run's error (a short reason), null when it succeeded"),
    counts: z.object({ seen: z.int(), created: z.int(), skipped: z.int(), failed: z.int() }).nullable().describe("What the last run counted"),
    rateLimitedUntil: when("The latest time an API told the job to wait until (the next run waits for it); null when none is in force"),
  });
}

/**
 * The named object types, in SDL order. The nested objects the REST views spell inline get a name
 * here when GraphQL needs one (the event summary inside a page, an invitation inside the list);
 * any other inline object becomes `<Parent><Field>`.
 */
export function graphqlViews() {
  const e = eventResponses();
  const m = messageSchemas();
  const w = webhookResponses();
  const Meeting = w.MeetingPage.shape.items.element;
  return {
    Event: e.Event,
    OrganizerEvent: e.OrganizerEvent,
    Series: e.OrganizerEvent.shape.series.unwrap(),
    EventSummary: e.EventPage.shape.items.element,
    EventPage: e.EventPage,
    Invitation: e.Invitations.shape.items.element,
    InvitationCounts: e.Invitations.shape.counts,
    /** GET /events/{id}/invitations, paged: the same items and counts (of every invitation), and a cursor. */
    InvitationPage: e.Invitations.extend({ nextCursor: z.string().nullable().describe("Pass as cursor for the next page; null on the last page") }),
    Message: m.Message,
    MessagePage: m.MessagePage,
    Meeting,
    MeetingInvitee: Meeting.shape.invitees.element,
    MeetingLink: Meeting.shape.rescheduledTo.unwrap(),
    MeetingPage: w.MeetingPage,
    SyncStatus: syncStatusSchema(),
  };
}
export type GraphqlViews = ReturnType<typeof graphqlViews>;
