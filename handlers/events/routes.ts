/**
 * The events API's routes as plain data: the component creates them (with the JWT authorizer where
 * `signedIn`), local mode serves them, the OpenAPI document describes them. `fn` names the function
 * serving the route: routes of one audience share a function (and its cold start).
 */
export const eventRoutes = [
  { method: "POST", path: "/events", operationId: "createEvent", signedIn: true, fn: "organizer", summary: "Create an event (a draft)" },
  { method: "GET", path: "/events", operationId: "listPublicEvents", signedIn: false, fn: "public", summary: "Public events: search by title word, category, creation and start time, confirmed count; sort by each" },
  { method: "GET", path: "/events/{id}", operationId: "getPublicEvent", signedIn: false, fn: "public", summary: "A public, published event (with presigned media URLs)" },
  { method: "GET", path: "/me/events", operationId: "listMyEvents", signedIn: true, fn: "organizer", summary: "My events in every state, last edited first" },
  { method: "GET", path: "/me/events/{id}", operationId: "getMyEvent", signedIn: true, fn: "organizer", summary: "One of my events, drafts included" },
  { method: "GET", path: "/me/series/{id}", operationId: "getMySeries", signedIn: true, fn: "organizer", summary: "One of my monthly series: its rule and every occurrence" },
  { method: "PATCH", path: "/events/{id}", operationId: "updateEvent", signedIn: true, fn: "organizer", summary: "Edit an event before its start; ?scope=following edits this occurrence of a series and every later one" },
  { method: "POST", path: "/events/{id}/publish", operationId: "publishEvent", signedIn: true, fn: "organizer", summary: "Publish a draft: invitations go out, the reminder is scheduled; ?scope=following publishes later occurrences too" },
  { method: "POST", path: "/events/{id}/cancel", operationId: "cancelEvent", signedIn: true, fn: "organizer", summary: "Cancel: invitees are told, the reminder is removed; ?scope=following cancels later occurrences too" },
  { method: "POST", path: "/events/{id}/invitations", operationId: "inviteToEvent", signedIn: true, fn: "organizer", summary: "Invite people by email (mailed once the event is published); on an occurrence, to every open occurrence of its series" },
  { method: "GET", path: "/events/{id}/invitations", operationId: "listInvitations", signedIn: true, fn: "organizer", summary: "The invitations and their answers (organizer only)" },
  { method: "POST", path: "/events/{id}/media", operationId: "requestMediaUpload", signedIn: true, fn: "organizer", summary: "A presigned PUT for the cover image or the video" },
  { method: "POST", path: "/events/{id}/video/retry", operationId: "retryVideoTranscode", signedIn: true, fn: "video", summary: "Transcode the event's video again after it failed (a new attempt from the same upload)" },
  { method: "GET", path: "/rsvp", operationId: "viewInvitation", signedIn: false, fn: "rsvp", summary: "The event an invitation link is for, and the answer it carries" },
  { method: "POST", path: "/rsvp", operationId: "answerInvitation", signedIn: false, fn: "rsvp", summary: "Answer an invitation with the link's token; change it any number of times until the start" },
  { method: "GET", path: "/events/{id}/stream/{token}/{file}", operationId: "streamVideoPlaylist", signedIn: false, fn: "stream", summary: "A playlist of the event's video (HLS), segments as presigned URLs; the token comes from the event's view (video.streamUrl)" },
] as const;

export type EventRoute = (typeof eventRoutes)[number];
export type EventFunction = EventRoute["fn"];
export type EventOperation = EventRoute["operationId"];
export const routeKeyOf = (r: Pick<EventRoute, "method" | "path">) => `${r.method} ${r.path}`;
export const eventRoutesOf = (fn: EventFunction) => eventRoutes.filter((r) => r.fn === fn);
