// The capability in a video's stream URL: `<expiry>.<signature>`, an HMAC over the event, the
// rendition's source upload and the expiry. Holding it is being allowed to watch that rendition
// until the expiry; only views that authorized the viewer hand one out (video-playback.ts).
import { createHmac, timingSafeEqual } from "node:crypto";

/** How long a stream URL works (seconds): long enough to watch a talk, short enough to not be a lasting link. */
export const STREAM_TOKEN_TTL_SECONDS = 2 * 3600;

/** `<expiry in epoch seconds>.<43 base64url characters>`: what the stream route accepts in its path. */
export const STREAM_TOKEN_PATTERN = /^([0-9]{10})\.([A-Za-z0-9_-]{43})$/;

/** What a token is about. */
export interface StreamGrant {
  eventId: string;
  /** The rendition's `source` (its upload's key): a new upload's rendition needs a new token. */
  source: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/**
 * The stream key from the RSVP signing key: one-way (HMAC with a fixed label), so a function that
 * holds it can sign stream URLs but not invitation links, and neither token verifies as the other.
 * The stack computes it at deploy time into a parameter of its own (components/events-api.ts);
 * local mode alike (local/events.ts).
 */
export function deriveStreamKey(rsvpSigningKey: string): string {
  return createHmac("sha256", rsvpSigningKey).update("switchyard/events/video-stream-key/v1").digest("base64url");
}

function signature(grant: StreamGrant, key: string): Buffer {
  // Newline-separated: none of the parts can hold one (ids and S3 keys the stack made).
  return createHmac("sha256", key).update(`video-stream/v1\n${grant.eventId}\n${grant.source}\n${grant.expiresAt}`).digest();
}

export function signStreamToken(grant: StreamGrant, key: string): string {
  return `${grant.expiresAt}.${signature(grant, key).toString("base64url")}`;
}

/** The expiry a well-formed token names (not yet verified), or undefined for anything else. */
export function streamTokenExpiry(token: string | undefined): number | undefined {
  const match = token === undefined ? null : STREAM_TOKEN_PATTERN.exec(token);
  return match ? Number(match[1]) : undefined;
}

/** Whether `token` was signed with `key` for exactly this event, source and its expiry (constant time). */
export function verifyStreamToken(token: string, grant: Omit<StreamGrant, "expiresAt">, key: string): boolean {
  const match = STREAM_TOKEN_PATTERN.exec(token);
  if (!match) return false;
  const expected = signature({ ...grant, expiresAt: Number(match[1]) }, key);
  const given = Buffer.from(match[2]!, "base64url");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
