import { z } from "zod";
import { jsonBodyProblems, jsonContent, jsonSchema, pathsOf, problem, queryParameters, ref, type OpenApiFragment } from "../shared/openapi";
import { ORGANIZER_MAX_BODY_BYTES } from "./organizer";
import { RSVP_MAX_BODY_BYTES } from "./rsvp";
import { eventRoutes } from "./routes";
import { EVENT_CATEGORIES } from "./categories";
import { POPULARITY_SNAPSHOT_MAX, POPULARITY_SNAPSHOT_MINUTES } from "./public-search";
import { MONTHLY_BY } from "./recurrence";
import { EVENT_STATUSES, MEDIA_KINDS, VISIBILITIES, eventSchemas } from "./schemas";
import { VIDEO_RENDITION_STATES } from "./video-rendition";
import { PLAYLIST_FILE_PATTERN } from "./hls-playlist";
import { STREAM_TOKEN_PATTERN, STREAM_TOKEN_TTL_SECONDS } from "./video-stream-token";

/** Response shapes of the events API (documentation; views.ts builds them). */
export function responseSchemas() {
  const Price = z.object({ amount: z.int().describe("Minor units: 1500 is 15.00"), currency: z.string().describe("ISO 4217, lower case") });
  const Payment = Price.extend({
    state: z.enum(["pending", "paid"]).describe("pending: at Stripe Checkout (the answer is not yes yet); paid: Stripe confirmed it (non-refundable)"),
    at: z.string().describe("When this payment attempt started"),
    paidAt: z.string().nullable(),
  })
    .nullable()
    .describe("A paid event's ticket payment by this invitee; null when none was started");
  const url = z.string().nullable().describe("A presigned GET, valid 15 minutes; null when there is none");
  const Video = z
    .object({
      state: z.enum(["processing", "ready", "failed"]).describe("The transcoding's state"),
      posterUrl: url.describe("Ready only: a presigned GET of the poster (JPEG), valid 15 minutes"),
      streamUrl: z.string().nullable().describe(`Ready only: the HLS master playlist on this API (GET /events/{id}/stream/{token}/{file}), valid ${STREAM_TOKEN_TTL_SECONDS / 3600} hours`),
    })
    .nullable()
    .describe("The uploaded video's streaming rendition (HLS); null without one");
  const Event = z.object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    startsAt: z.string(),
    durationMinutes: z.int(),
    endsAt: z.string(),
    visibility: z.enum(VISIBILITIES),
    status: z.enum(EVENT_STATUSES),
    publishedAt: z.string().nullable(),
    category: z.enum(EVENT_CATEGORIES),
    coverUrl: url,
    videoUrl: url,
    video: Video,
    confirmedCount: z.int().describe("How many invitees say yes now"),
    price: Price.nullable().describe("A paid event's ticket; null: free"),
  });
  const joinUrl = z.string().nullable().describe("Where to attend; null when none is set or this viewer may not see it (see docs/events.md)");
  const Undeliverable = z
    .object({ reason: z.enum(["bounce", "complaint"]).describe("bounce: the address does not take mail (a permanent bounce); complaint: the invitee reported the mail, and is never mailed again"), at: z.string().describe("When SES reported it") })
    .nullable()
    .describe("Mail to this invitee cannot be delivered; null while none failed");
  const Invitation = z.object({
    email: z.string(),
    status: z.enum(["pending", "yes", "no"]),
    invitedAt: z.string(),
    answeredAt: z.string().nullable(),
    answerChanges: z.int().describe("How many times the answer changed (every one counts)"),
    undeliverable: Undeliverable,
    history: z.array(z.object({ answer: z.enum(["yes", "no"]), at: z.string() })).describe("The latest answers, oldest first (at most 50)"),
    payment: Payment,
  });
  const Summary = z.object({
    id: z.string(),
    title: z.string(),
    startsAt: z.string(),
    durationMinutes: z.int(),
    visibility: z.enum(VISIBILITIES),
    status: z.enum(EVENT_STATUSES),
    publishedAt: z.string().nullable(),
    hasCover: z.boolean(),
    category: z.enum(EVENT_CATEGORIES),
    confirmedCount: z.int().describe("Confirmed attendees (\"yes\" answers) now"),
    seriesId: z.string().nullable().describe("The monthly series this event is an occurrence of"),
    occurrence: z.int().nullable().describe("Which occurrence of its series (1-based)"),
  });
  const Series = z.object({
    id: z.string(),
    frequency: z.literal("monthly"),
    by: z.enum(MONTHLY_BY),
    timeZone: z.string(),
    until: z.string().nullable(),
    count: z.int().nullable(),
    rule: z.string().describe('In words: "monthly on the 2nd Tuesday at 18:00 Europe/Berlin"'),
    firstStartsAt: z.string(),
    occurrences: z.int().describe("How many occurrences the series holds"),
    occurrence: z.int().nullable().describe("This event's place in it (null when listing the series)"),
    continues: z.string().nullable().describe("The series an edit of this and following ended, which this one continues"),
    continuedBy: z.string().nullable().describe("The series that continues this one after an edit of this and following"),
  });
  return {
    Event,
    OrganizerEvent: Event.extend({ createdAt: z.string(), updatedAt: z.string(), canceledAt: z.string().nullable(), joinUrl, series: Series.nullable().describe("For an occurrence of a monthly series") }),
    SeriesOccurrences: z.object({ series: Series, items: z.array(Summary).describe("In order; an abandoned draft removed by the clean-up is missing") }),
    EventPage: z.object({ items: z.array(Summary), nextCursor: z.string().nullable() }),
    InviteResult: z.object({
      added: z.array(z.string()).describe("Newly invited (mailed once the event is published)"),
      existing: z.array(z.string()).describe("Already invited: unchanged"),
      occurrences: z.int().optional().describe("For an occurrence of a series: how many occurrences (not started, not canceled) the invitations went to"),
    }),
    Invitations: z.object({
      items: z.array(Invitation),
      counts: z.object({
        yes: z.int(),
        no: z.int(),
        pending: z.int(),
        undeliverable: z.int().describe("Invitations whose mail cannot be delivered (each also counts under its answer)"),
        paid: z.int().optional().describe("A paid event (or one that was): invitees who paid"),
        paymentPending: z.int().optional().describe("A paid event: invitees at Stripe Checkout now"),
        collected: z.array(Price).optional().describe("A paid event: what the paid tickets came to, per currency"),
      }),
    }),
    UploadTicket: z.object({
      method: z.literal("PUT"),
      url: z.string(),
      headers: z.object({ "content-type": z.string(), "content-length": z.string() }).describe("Send exactly these: both are signed"),
      key: z.string(),
      expiresAt: z.string(),
    }),
    RsvpView: z.object({
      event: Event,
      invitee: z.string(),
      answer: z.enum(["yes", "no"]).describe("The link's own answer"),
      current: z.enum(["pending", "yes", "no"]),
      answeredAt: z.string().nullable(),
      open: z.boolean().describe("The event still takes answers (and changes of answer)"),
      joinUrl: joinUrl.describe("Only while the current answer is yes"),
      payment: Payment,
    }),
    VideoRetry: z.object({
      state: z.enum(VIDEO_RENDITION_STATES).describe("processing; failed at once when the job could not be started"),
      attempt: z.int().describe("2 for the first retry"),
      at: z.string(),
      error: z.string().optional().describe("Why, when it failed at once"),
    }),
    GatewayMessage: z.object({ message: z.string() }).describe("API Gateway's own answer (its JWT authorizer), not a problem document"),
    RsvpResult: z.object({
      eventId: z.string(),
      invitee: z.string(),
      status: z.enum(["pending", "yes", "no"]).describe("The answer now: a paid event's yes leaves it as it was until Stripe confirms the payment"),
      answeredAt: z.string().nullable(),
      changed: z.boolean().describe("false: this was already the answer, nothing was recorded (or a paid yes went to Stripe Checkout)"),
      joinUrl: joinUrl.describe("Only when the answer is yes"),
      payment: Payment,
      checkoutUrl: z.string().nullable().describe("A paid event's yes: Stripe Checkout's page to send the invitee to; the answer becomes yes when Stripe's webhook confirms the payment"),
    }),
  };
}

/** The events platform's part of the OpenAPI document. Signed-in routes take the Cognito ID token. */
export function eventsApiFragment(): OpenApiFragment {
  const s = eventSchemas();
  const id = [{ name: "id", in: "path", required: true, schema: jsonSchema(s.EventId, "input") }];
  const seriesId = [{ name: "id", in: "path", required: true, schema: jsonSchema(s.SeriesId, "input") }];
  const scoped = [...id, ...queryParameters(s.ScopeQuery)];
  // The JWT authorizer answers a missing or bad token itself; a token without an email reaches the handler.
  const unauthorized = {
    "401": {
      description: "No or an invalid token: API Gateway's JWT authorizer answers `{\"message\":\"Unauthorized\"}`; a token without an email (an access token) gets a problem",
      content: { "application/json": { schema: ref("GatewayMessage") }, "application/problem+json": { schema: ref("Problem") } },
    },
  };
  const forbidden = { "403": problem("Not the event's organizer") };
  const missing = { "404": problem("No such event") };
  const badId = (what = "") => ({ "400": problem(`Not an event id (UUIDv7)${what}, or an unknown query parameter`) });
  const json = (name: string) => ({ required: true, content: jsonContent(name) });
  const organizerBody = jsonBodyProblems(ORGANIZER_MAX_BODY_BYTES);
  const operations: Record<string, object> = {
    createEvent: { requestBody: json("CreateEvent"), responses: { "201": { description: "The draft; with `recurrence`, the first occurrence (its `series` summarizes the rest)", content: jsonContent("OrganizerEvent") }, ...organizerBody, "400": problem("Invalid fields (a past start, an unknown field such as an address, a recurrence of more than 24 occurrences or past the planning horizon…), malformed JSON or an unknown query parameter"), ...unauthorized } },
    listPublicEvents: {
      parameters: queryParameters(s.PublicListQuery),
      responses: {
        "200": { description: `As sorted (default: newest published first). sort=popularity ranks at most ${POPULARITY_SNAPSHOT_MAX} events once, on the first page, and later pages keep that order`, content: jsonContent("EventPage") },
        "400": problem("Unknown parameter, a bad value, a range that ends before it starts, a bad limit, or a cursor of another search"),
        "410": problem(`sort=popularity: the ranking behind the cursor is more than ${POPULARITY_SNAPSHOT_MINUTES} minutes old; start again from the first page`),
      },
    },
    getPublicEvent: { parameters: id, responses: { "200": { description: "The event", content: jsonContent("Event") }, ...badId(), "404": problem("No public, published event has this id") } },
    listMyEvents: { parameters: queryParameters(s.PageQuery), responses: { "200": { description: "Last edited first", content: jsonContent("EventPage") }, "400": problem("Unknown parameter, bad limit or cursor"), ...unauthorized } },
    getMyEvent: { parameters: id, responses: { "200": { description: "The event", content: jsonContent("OrganizerEvent") }, ...badId(), ...forbidden, ...missing, ...unauthorized } },
    getMySeries: { parameters: seriesId, responses: { "200": { description: "The rule and its occurrences", content: jsonContent("SeriesOccurrences") }, "400": problem("Not a series id (UUIDv7), or an unknown query parameter"), "403": problem("Not the series' organizer"), "404": problem("No such series"), ...unauthorized } },
    updateEvent: { parameters: scoped, requestBody: json("UpdateEvent"), responses: { "200": { description: "Edited", content: jsonContent("OrganizerEvent") }, ...organizerBody, ...badId(", invalid fields, malformed JSON"), ...forbidden, ...missing, "409": problem("Canceled or started; with scope=following, an occurrence changed meanwhile"), ...unauthorized } },
    publishEvent: { parameters: scoped, responses: { "200": { description: "Published", content: jsonContent("OrganizerEvent") }, ...badId(", or scope=following on an event of no series"), ...forbidden, ...missing, "409": problem("Not a draft, or the start has passed"), ...unauthorized } },
    cancelEvent: { parameters: scoped, responses: { "200": { description: "Canceled", content: jsonContent("OrganizerEvent") }, ...badId(", or scope=following on an event of no series"), ...forbidden, ...missing, "409": problem("Already canceled or ended"), ...unauthorized } },
    inviteToEvent: { parameters: id, requestBody: json("Invite"), responses: { "201": { description: "Some were new", content: jsonContent("InviteResult") }, "200": { description: "All were invited already", content: jsonContent("InviteResult") }, ...organizerBody, ...badId(", invalid addresses, malformed JSON"), ...forbidden, ...missing, "409": problem("Canceled, started, or the invitation limit reached"), ...unauthorized } },
    listInvitations: { parameters: id, responses: { "200": { description: "By address", content: jsonContent("Invitations") }, ...badId(), ...forbidden, ...missing, ...unauthorized } },
    requestMediaUpload: { parameters: id, requestBody: json("MediaUpload"), responses: { "201": { description: `PUT the file to url with these headers (kinds: ${MEDIA_KINDS.join(", ")})`, content: jsonContent("UploadTicket") }, ...organizerBody, ...badId(", a type or size not allowed, malformed JSON"), ...forbidden, ...missing, ...unauthorized } },
    retryVideoTranscode: { parameters: id, responses: { "202": { description: "A new attempt started from the same upload", content: jsonContent("VideoRetry") }, ...badId(), ...forbidden, ...missing, "409": problem("No video, or its rendition has not failed (processing or ready)"), ...unauthorized } },
    viewInvitation: { parameters: queryParameters(s.RsvpQuery), responses: { "200": { description: "The invitation", content: jsonContent("RsvpView") }, "400": problem("No token, or an unknown query parameter"), "403": problem("The link is not valid"), "404": problem("The event no longer exists") } },
    streamVideoPlaylist: {
      parameters: [
        { name: "id", in: "path", required: true, schema: { type: "string" }, description: "The event's id" },
        { name: "token", in: "path", required: true, schema: { type: "string", pattern: STREAM_TOKEN_PATTERN.source }, description: "From the event's `video.streamUrl`: its expiry and signature" },
        { name: "file", in: "path", required: true, schema: { type: "string", pattern: PLAYLIST_FILE_PATTERN.source }, description: "A playlist of the rendition: the master (as in streamUrl) or a variant it names" },
      ],
      responses: {
        "200": { description: "The playlist: variant playlists relative (they come back here), every segment an absolute presigned S3 GET", content: { "application/vnd.apple.mpegurl": { schema: { type: "string" } } } },
        "403": problem("No, a malformed, expired or forged token, or one for another event or an earlier rendition (invalid-token)"),
        "404": problem("Not an event id, or not a playlist of this rendition"),
      },
    },
    answerInvitation: { requestBody: json("Rsvp"), responses: { "200": { description: "Answer recorded (or already the current one: changed false)", content: jsonContent("RsvpResult") }, ...jsonBodyProblems(RSVP_MAX_BODY_BYTES), "403": problem("The link is not valid"), "404": problem("The event no longer exists"), "409": problem("The event is canceled, not published or started (event-closed), or the answer kept changing meanwhile"), "424": problem("A paid event's yes: the payment could not be started at Stripe (payment-not-started); nothing changed, try again") } },
  };
  for (const route of eventRoutes) if (route.signedIn) Object.assign(operations[route.operationId]!, { security: [{ cognitoIdToken: [] }] });
  const securitySchemes = {
    cognitoIdToken: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "The signed-in user's Cognito ID token (hosted UI, code + PKCE); local mode: the local sign-in stand-in's" },
  };
  return {
    paths: pathsOf(eventRoutes, operations),
    securitySchemes,
    schemas: {
      CreateEvent: jsonSchema(s.CreateEvent, "input"),
      UpdateEvent: jsonSchema(s.UpdateEvent, "input"),
      Invite: jsonSchema(s.Invite, "input"),
      MediaUpload: jsonSchema(s.MediaUpload, "input"),
      Rsvp: jsonSchema(s.Rsvp, "input"),
      ...Object.fromEntries(Object.entries(responseSchemas()).map(([name, schema]) => [name, jsonSchema(schema, "output")])),
    },
  };
}
