import type { MeetingChange } from "./meeting-state";

/** One delivery as the ingest handler received it, before trusting anything in it. */
export interface RawDelivery {
  /** The exact body bytes (as UTF-8 text): signatures are over these, not over re-serialized JSON. */
  body: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
}

/** A verified, validated event, reduced to what Switchyard stores and routes on. */
export interface NormalizedEvent {
  /** Deterministic: the same delivery retried gets the same id. */
  id: string;
  source: string;
  /** The provider's event type, e.g. `invitee.created`; unknown types are kept as they come. */
  type: string;
  /** Whether the source has a schema for this type (unknown types are stored raw). */
  known: boolean;
  /** When the provider says it happened (ISO 8601, UTC). */
  occurredAt: string;
  /** The meeting this event belongs to, if any. */
  meetingId?: string;
  /** What the event does to the meetings it touches (a reschedule touches two). */
  changes: MeetingChange[];
  /** The parsed body, exactly as received. */
  body: unknown;
}

/**
 * What a webhook provider plugs into WebhookIngest: its signature scheme, its schema and its
 * idempotency key. A second provider (Standard Webhooks, say) is one more file implementing this.
 */
export interface WebhookSource {
  /** URL segment and stored `source`: `POST /webhooks/<name>`. */
  name: string;
  /**
   * Whether its events are about meetings (`meetingId`, `changes`). Only such a source gets the
   * meetings table, the projector, the live WebSocket API and the meeting read routes; without
   * them WebhookIngest is the ingest route, the events table and its stream (and forwarding, when
   * configured). Example: `true` for Calendly, `false` for Stripe.
   */
  meetings: boolean;
  /** Throws HttpProblem("unauthorized", …) unless the delivery is signed with `secret` within `toleranceSeconds` of `nowSeconds`. */
  verify(delivery: RawDelivery, secret: string, nowSeconds: number, toleranceSeconds: number): void;
  /** Throws HttpProblem("validation-failed", …) for a body that breaks the provider's schema. */
  normalize(body: unknown, rawBody: string): NormalizedEvent;
}
