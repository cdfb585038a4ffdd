// Kept hand-written (#17): Calendly publishes no signature-verification package; the check is HMAC-SHA256 with node:crypto's timingSafeEqual.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { HttpProblem } from "../shared/problem";
import type { MeetingChange, MeetingDetails } from "./meeting-state";
import type { NormalizedEvent, RawDelivery, WebhookSource } from "./source";

/** Event types with a schema; anything else is stored raw with `known: false`. */
export const CALENDLY_EVENT_TYPES = ["invitee.created", "invitee.canceled"] as const;
export const CALENDLY_SIGNATURE_HEADER = "calendly-webhook-signature";

/**
 * Calendly's webhook body (API v2). Loose objects: Calendly adds fields over time, and unknown
 * fields must not turn a delivery away. Built by a function for the reason given in
 * handlers/messages/schemas.ts (zod objects cannot be serialized into a Lambda).
 */
export function calendlySchemas() {
  const Uri = z.url();
  const Envelope = z.looseObject({
    event: z.string().min(1).max(100),
    created_at: z.iso.datetime({ offset: true }),
    created_by: z.string(),
    payload: z.looseObject({}),
  });
  const ScheduledEvent = z.looseObject({
    uri: Uri,
    name: z.string().nullish(),
    status: z.string().nullish(),
    start_time: z.iso.datetime({ offset: true }),
    end_time: z.iso.datetime({ offset: true }),
    location: z.looseObject({ join_url: z.string().nullish() }).nullish(),
  });
  const Invitee = z.looseObject({
    uri: Uri.regex(/\/scheduled_events\/[^/]+\/invitees\/[^/]+$/, "an invitee URI"),
    email: z.email(),
    name: z.string(),
    status: z.enum(["active", "canceled"]),
    event: Uri,
    scheduled_event: ScheduledEvent,
    rescheduled: z.boolean(),
    old_invitee: Uri.nullish(),
    new_invitee: Uri.nullish(),
    cancellation: z.looseObject({ canceled_by: z.string().nullish(), reason: z.string().nullish(), canceler_type: z.string().nullish() }).nullish(),
  });
  return { Envelope, Invitee };
}

/** `.../scheduled_events/{meeting}/invitees/{invitee}` → both ids. */
export function parseInviteeUri(uri: string): { meetingId: string; inviteeId: string } | undefined {
  const match = /\/scheduled_events\/([^/]+)\/invitees\/([^/]+)$/.exec(uri);
  return match ? { meetingId: match[1]!, inviteeId: match[2]! } : undefined;
}

const unauthorized = (detail: string) => new HttpProblem("unauthorized", detail);

/**
 * `Calendly-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(key, t + "." + body)>`.
 * Constant-time comparison; the timestamp must be within the tolerance either way (Calendly
 * publishes none: 180 s by default, configurable).
 */
function verifyCalendlySignature(delivery: RawDelivery, secret: string, nowSeconds: number, toleranceSeconds: number): void {
  const header = delivery.headers[CALENDLY_SIGNATURE_HEADER];
  if (!header) throw unauthorized("The Calendly-Webhook-Signature header is missing.");
  const parts = header.split(",").map((p) => p.trim().split("=", 2) as [string, string | undefined]);
  const t = parts.find(([k]) => k === "t")?.[1];
  const signatures = parts.filter(([k, v]) => k === "v1" && v).map(([, v]) => v!);
  if (!t || !/^\d{1,12}$/.test(t) || signatures.length === 0) throw unauthorized("The Calendly-Webhook-Signature header is malformed.");
  if (Math.abs(nowSeconds - Number(t)) > toleranceSeconds) throw unauthorized(`The signature timestamp is more than ${toleranceSeconds} s away from now.`);
  const expected = createHmac("sha256", secret).update(`${t}.${delivery.body}`).digest();
  const matches = signatures.some((hex) => {
    const given = /^[0-9a-f]{64}$/i.test(hex) ? Buffer.from(hex, "hex") : Buffer.alloc(0);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw unauthorized("The signature does not match the body.");
}

/** Signs a body the way Calendly does: for tests, local mode and the README's curl example. */
export function signCalendlyBody(body: string, secret: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex")}`;
}

const toIso = (value: string) => new Date(value).toISOString();

/** No delivery id header exists: the id is a hash of what identifies the event in the body. */
function eventId(parts: string[]): string {
  return createHash("sha256").update(parts.join("\n")).digest("hex").slice(0, 32);
}

function validationProblem(issues: z.core.$ZodIssue[], prefix: string): HttpProblem {
  const errors = issues.map((i) => ({ pointer: `#${prefix}${i.path.map((p) => `/${String(p)}`).join("")}`, detail: i.message }));
  return new HttpProblem("validation-failed", `The Calendly event has ${errors.length} problem(s): ${errors.map((e) => `${e.pointer} ${e.detail}`).join("; ")}`, errors);
}

export function createCalendlySource(): WebhookSource {
  const { Envelope, Invitee } = calendlySchemas();
  return {
    name: "calendly",
    meetings: true,
    verify: verifyCalendlySignature,
    normalize(body: unknown, rawBody: string): NormalizedEvent {
      const envelope = Envelope.safeParse(body);
      if (!envelope.success) throw validationProblem(envelope.error.issues, "");
      const { event: type, created_at, payload } = envelope.data;
      const occurredAt = toIso(created_at);
      if (!(CALENDLY_EVENT_TYPES as readonly string[]).includes(type)) {
        return { id: eventId(["calendly", type, rawBody]), source: "calendly", type, known: false, occurredAt, changes: [], body };
      }
      const parsed = Invitee.safeParse(payload);
      if (!parsed.success) throw validationProblem(parsed.error.issues, "/payload");
      const invitee = parsed.data;
      const self = parseInviteeUri(invitee.uri)!;
      const details: MeetingDetails = {
        name: invitee.scheduled_event.name ?? undefined,
        startTime: toIso(invitee.scheduled_event.start_time),
        endTime: toIso(invitee.scheduled_event.end_time),
        joinUrl: invitee.scheduled_event.location?.join_url ?? undefined,
      };
      const id = eventId(["calendly", type, invitee.uri, occurredAt]);
      const newBooking = invitee.new_invitee ? parseInviteeUri(invitee.new_invitee) : undefined;
      const oldBooking = invitee.old_invitee ? parseInviteeUri(invitee.old_invitee) : undefined;
      const person = { name: invitee.name, email: invitee.email };
      const changes: MeetingChange[] = [];
      if (type === "invitee.canceled") {
        const rescheduled = invitee.rescheduled && newBooking;
        changes.push({
          meetingId: self.meetingId,
          details,
          inviteeId: self.inviteeId,
          invitee: rescheduled ? { status: "rescheduled", ...person, rescheduledTo: newBooking } : { status: "canceled", ...person },
          at: occurredAt,
          eventId: id,
        });
      } else {
        changes.push({ meetingId: self.meetingId, details, inviteeId: self.inviteeId, invitee: { status: "active", ...person, rescheduledFrom: oldBooking }, at: occurredAt, eventId: id });
        // The new booking alone proves the old one was rescheduled, whatever order the two events arrive in.
        if (oldBooking) {
          changes.push({ meetingId: oldBooking.meetingId, inviteeId: oldBooking.inviteeId, invitee: { status: "rescheduled", rescheduledTo: self }, at: occurredAt, eventId: id });
        }
      }
      return { id, source: "calendly", type, known: true, occurredAt, meetingId: self.meetingId, changes, body };
    },
  };
}
