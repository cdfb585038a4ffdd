// Calendly webhook bodies as the contract (shared/contracts.md) describes them, and signed deliveries.
import { randomUUID } from "node:crypto";
import { signCalendlyBody } from "../../handlers/webhooks/calendly";
import { apiEvent } from "./http";

const API = "https://api.calendly.com";

export interface Booking {
  meetingId: string;
  inviteeId: string;
}

export const newBooking = (): Booking => ({ meetingId: randomUUID(), inviteeId: randomUUID() });
export const inviteeUri = (b: Booking) => `${API}/scheduled_events/${b.meetingId}/invitees/${b.inviteeId}`;

export interface InviteeEventOptions {
  createdAt?: string;
  startTime?: string;
  email?: string;
  name?: string;
  rescheduled?: boolean;
  oldInvitee?: Booking;
  newInvitee?: Booking;
  extra?: Record<string, unknown>;
}

/** An `invitee.created` or `invitee.canceled` body. */
export function inviteeEvent(type: "invitee.created" | "invitee.canceled", booking: Booking, options: InviteeEventOptions = {}) {
  const start = options.startTime ?? "2026-12-01T15:00:00.000000Z";
  const canceled = type === "invitee.canceled";
  return {
    event: type,
    created_at: options.createdAt ?? new Date().toISOString(),
    created_by: `${API}/users/${randomUUID()}`,
    payload: {
      uri: inviteeUri(booking),
      email: options.email ?? "jane.doe@example.com",
      name: options.name ?? "Jane Doe",
      first_name: null,
      last_name: null,
      status: canceled ? "canceled" : "active",
      timezone: "Europe/Berlin",
      event: `${API}/scheduled_events/${booking.meetingId}`,
      scheduled_event: {
        uri: `${API}/scheduled_events/${booking.meetingId}`,
        name: "Intro call",
        status: canceled && !options.rescheduled ? "canceled" : "active",
        start_time: start,
        end_time: new Date(Date.parse(start) + 30 * 60_000).toISOString(),
        event_type: `${API}/event_types/${randomUUID()}`,
        location: { type: "zoom", join_url: "https://zoom.example/j/1", status: "pushed" },
        invitees_counter: { total: 1, active: canceled ? 0 : 1, limit: 1 },
        event_memberships: [{ user: `${API}/users/${randomUUID()}`, user_email: "host@example.com" }],
        event_guests: [],
        created_at: "2026-11-20T10:00:00.000000Z",
        updated_at: "2026-11-20T10:00:00.000000Z",
      },
      rescheduled: options.rescheduled ?? false,
      old_invitee: options.oldInvitee ? inviteeUri(options.oldInvitee) : null,
      new_invitee: options.newInvitee ? inviteeUri(options.newInvitee) : null,
      cancel_url: "https://calendly.com/cancellations/x",
      reschedule_url: "https://calendly.com/reschedulings/x",
      cancellation: canceled ? { canceled_by: "Jane Doe", reason: options.rescheduled ? null : "conflict", canceler_type: "invitee", created_at: new Date().toISOString() } : undefined,
      questions_and_answers: [],
      tracking: { utm_source: null, salesforce_uuid: null },
      text_reminder_number: null,
      ...options.extra,
    },
  };
}

export interface SignOptions {
  key: string;
  /** Unix seconds; now by default. */
  at?: number;
}

/** An API Gateway event for `POST /webhooks/calendly` carrying `body` signed like Calendly signs. */
export function signedDelivery(body: unknown, { key, at = Math.floor(Date.now() / 1000) }: SignOptions, headers: Record<string, string> = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return apiEvent("POST", "/webhooks/calendly", { body: text, headers: { "calendly-webhook-signature": signCalendlyBody(text, key, at), ...headers } });
}
