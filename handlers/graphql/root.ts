// The parts of the schema that are GraphQL's own: the Query type (its fields are the REST routes'
// reads, with their arguments) and the fields that join one view to another. The object types
// themselves come from the zod views (views.ts). Arguments are validated by the REST routes' own
// zod query schemas (resolvers.ts), so their ranges are not spelled here.
import { PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT } from "../shared/page-limits";
import { INVITES_PER_EVENT } from "../events/limits";
import { ENDED_CHOICES, PUBLIC_SORT_NAMES, SORT_ORDERS } from "../events/public-search";

/** The public list's sorts GraphQL serves: popularity writes a ranking snapshot, a REST-only read. */
export const GRAPHQL_PUBLIC_SORTS = PUBLIC_SORT_NAMES.filter((name) => name !== "popularity");

/** The root type, in SDL. */
export const QUERY_SDL = `
"""
The reads of Switchyard's HTTP API in one place. Fields marked (signed in) need the Cognito ID token
(Authorization: Bearer …); without a valid one they are null with an UNAUTHENTICATED error.
"""
type Query {
  "Public, published events (GET /events): newest published first unless sorted; order's default depends on the sort, as there. The title-word, date and count filters and the popularity sort are GET /events only. limit: 1 to ${PAGE_MAX_LIMIT}, default ${PAGE_DEFAULT_LIMIT}."
  events(limit: Int, cursor: String, category: EventCategory, sort: PublicSort, order: SortOrder, ended: Ended): EventPage!
  "A public, published (or canceled) event (GET /events/{id}); null when there is none."
  event(id: ID!): Event
  "(signed in) My events in every state, last edited first (GET /me/events)."
  myEvents(limit: Int, cursor: String): EventPage!
  "(signed in) One of my events, drafts included (GET /me/events/{id}), with its invitations. Another organizer's event: FORBIDDEN; none: NOT_FOUND."
  myEvent(id: ID!): OrganizerEvent
  "Stored messages, newest first (GET /messages?limit=)."
  messages(limit: Int, cursor: String): MessagePage!
  "The exact number of stored messages (GET /messages)."
  messageCount: Int!
  "One message (GET /messages/{id}); null when there is none."
  message(id: ID!): Message
  "Calendly meetings, latest start first (GET /meetings); emails masked."
  meetings(limit: Int, cursor: String): MeetingPage!
  "(signed in) Each sync job this stack runs: its last run."
  syncStatus: [SyncStatus!]!
}

enum PublicSort {
${GRAPHQL_PUBLIC_SORTS.map((n) => `  ${n}`).join("\n")}
}

enum SortOrder {
${SORT_ORDERS.map((n) => `  ${n}`).join("\n")}
}

"exclude (default): only events that have not ended; include: ended ones too"
enum Ended {
${ENDED_CHOICES.map((n) => `  ${n}`).join("\n")}
}
`;

/** Fields GraphQL adds to a view's type, by type: they join it to another view. */
export const JOIN_FIELDS: Record<string, string[]> = {
  OrganizerEvent: [
    `"The event's invitations (GET /events/{id}/invitations), by address; counts are over all of them. limit: 1 to ${INVITES_PER_EVENT}, default ${INVITES_PER_EVENT} (all)."\n  invitations(limit: Int, cursor: String): InvitationPage!`,
  ],
};
