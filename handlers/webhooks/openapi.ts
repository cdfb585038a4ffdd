import { z } from "zod";
import { pageQuerySchema } from "../shared/paging";
import { jsonBodyProblems, jsonContent, jsonSchema, pathsOf, problem, queryParameters, type OpenApiFragment } from "../shared/openapi";
import { CALENDLY_SIGNATURE_HEADER, calendlySchemas } from "./calendly";
import { DEFAULT_TOLERANCE_SECONDS, WEBHOOK_MAX_BODY_BYTES } from "./ingest";
import { webhookRoutes } from "./routes";
import { STRIPE_SIGNATURE_HEADER, STRIPE_TOLERANCE_SECONDS, stripeSchemas } from "./stripe";

/** Response shapes of the read API (documentation; the handlers build them in views.ts). */
export function responseSchemas() {
  const Link = z.object({ meetingId: z.string(), inviteeId: z.string() });
  const Invitee = z.object({
    id: z.string(),
    name: z.string().optional(),
    email: z.string().optional().describe("Masked: j***@example.com"),
    status: z.enum(["active", "canceled", "rescheduled"]),
    rescheduledTo: Link.optional(),
    rescheduledFrom: Link.optional(),
  });
  const Meeting = z.object({
    id: z.string(),
    name: z.string().optional(),
    startTime: z.string().optional(),
    endTime: z.string().optional(),
    status: z.enum(["active", "canceled", "rescheduled"]),
    rescheduledTo: Link.optional(),
    invitees: z.array(Invitee),
    updatedAt: z.string(),
  });
  const Event = z.object({
    id: z.string(),
    source: z.string(),
    type: z.string(),
    occurredAt: z.string(),
    receivedAt: z.string(),
    meetingId: z.string().optional(),
    invitee: z.object({ name: z.string().optional(), email: z.string().optional() }).optional(),
    rescheduled: z.boolean().optional(),
  });
  return {
    WebhookAccepted: z.object({ id: z.string().describe("Deterministic event id"), duplicate: z.boolean() }),
    MeetingPage: z.object({ items: z.array(Meeting), nextCursor: z.string().nullable() }),
    MeetingHistory: z.object({ meeting: Meeting.nullable(), items: z.array(Event), nextCursor: z.string().nullable() }),
    ReplaySummary: z.object({ replayed: z.int(), deadLettered: z.int(), remaining: z.boolean(), stoppedBecause: z.string().optional() }),
  };
}

/** WebhookIngest's part of the OpenAPI document, for one source. */
export function webhookApiFragment(source: string): OpenApiFragment {
  const r = responseSchemas();
  const { Envelope } = calendlySchemas();
  const operations: Record<string, object> = {
    [`receive_${source}_webhook`]: {
      description: "Answered as soon as the event is stored.",
      security: [{ [`${source}Signature`]: [] }],
      requestBody: { required: true, content: { "application/json": { schema: jsonSchema(Envelope, "input") } } },
      responses: {
        "201": { description: "Stored", content: jsonContent("WebhookAccepted") },
        "200": { description: "Already stored (a retried delivery)", content: jsonContent("WebhookAccepted") },
        ...jsonBodyProblems(WEBHOOK_MAX_BODY_BYTES, "Malformed JSON or a schema violation"),
        "401": problem("Missing, malformed, wrong or stale signature"),
      },
    },
    [`replay_${source}_spool`]: {
      security: [{ replayToken: [] }],
      responses: { "200": { description: "What the run did", content: jsonContent("ReplaySummary") }, "401": problem("Missing or wrong token") },
    },
    listMeetings: {
      parameters: queryParameters(pageQuerySchema()),
      responses: { "200": { description: "One page", content: jsonContent("MeetingPage") }, "400": problem("Bad limit, unknown parameter or cursor") },
    },
    meetingEvents: {
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9_-]{1,100}$" } }, ...queryParameters(pageQuerySchema())],
      responses: {
        "200": { description: "The meeting and one page of its events", content: jsonContent("MeetingHistory") },
        "400": problem("Bad id, limit, parameter or cursor"),
        "404": problem("No such meeting"),
      },
    },
  };
  return {
    paths: pathsOf(webhookRoutes(source), operations),
    securitySchemes: {
      [`${source}Signature`]: {
        type: "apiKey",
        in: "header",
        name: CALENDLY_SIGNATURE_HEADER,
        description: `\`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the stack's calendlySigningKey>\`; more than ${DEFAULT_TOLERANCE_SECONDS} s off (by default) is stale`,
      },
      replayToken: { type: "http", scheme: "bearer", description: "The stack's webhookReplayToken secret" },
    },
    schemas: Object.fromEntries(Object.entries(r).map(([name, schema]) => [name, jsonSchema(schema, "output")])),
  };
}

/**
 * The Stripe WebhookIngest's part (#19): its one route, `POST /webhooks/stripe` (a source without
 * meetings has no read routes; the stack's Stripe instance does not forward, so no replay route).
 */
export function stripeWebhookApiFragment(): OpenApiFragment {
  const { Envelope } = stripeSchemas();
  const operations: Record<string, object> = {
    receive_stripe_webhook: {
      description: "Exists when the stack sets the Stripe keys. Answered as soon as the event is stored; the id is Stripe's evt_… id.",
      security: [{ stripeSignature: [] }],
      requestBody: { required: true, content: { "application/json": { schema: jsonSchema(Envelope, "input") } } },
      responses: {
        "201": { description: "Stored", content: jsonContent("WebhookAccepted") },
        "200": { description: "Already stored (a retried or repeated delivery of the same evt id)", content: jsonContent("WebhookAccepted") },
        ...jsonBodyProblems(WEBHOOK_MAX_BODY_BYTES, "Malformed JSON, or a checkout.session.* event whose session breaks the schema"),
        "401": problem("Missing, malformed, wrong or stale signature"),
      },
    },
  };
  return {
    paths: pathsOf(
      webhookRoutes("stripe").filter((r) => r.fn === "ingest"),
      operations,
    ),
    securitySchemes: {
      stripeSignature: {
        type: "apiKey",
        in: "header",
        name: STRIPE_SIGNATURE_HEADER,
        description: `\`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the stack's stripeWebhookSecret>\` (any matching v1); more than ${STRIPE_TOLERANCE_SECONDS} s off either way (by default) is stale`,
      },
    },
    schemas: {},
  };
}
