// Kept hand-written (#17): a 47-line HMAC link token on node:crypto (timingSafeEqual); a JWS via jose would lengthen every mailed link and bring an ESM-only package into the rsvp and notify functions.
import { createHmac, timingSafeEqual } from "node:crypto";
import { HttpProblem } from "../shared/problem";
import { UUID_V7_PATTERN } from "../shared/uuidv7";
import type { Answer } from "./event-store";

/** What an RSVP link carries: which invitation, which answer, and the invitation's nonce. */
export interface RsvpClaims {
  eventId: string;
  email: string;
  answer: Answer;
  nonce: string;
}

const VERSION = "1";

/**
 * RSVP links carry `<payload>.<signature>`: the payload is base64url JSON of the claims, the
 * signature HMAC-SHA256 over `v1.<payload>` with the stack's RSVP signing key. No account is needed
 * to answer: holding the link is the proof. Each answer's link works once (event-store.ts records
 * used answers); the nonce ties links to their invitation.
 */
export function signRsvpToken(claims: RsvpClaims, key: string): string {
  const payload = Buffer.from(JSON.stringify({ v: VERSION, e: claims.eventId, i: claims.email, a: claims.answer, n: claims.nonce }), "utf8").toString("base64url");
  return `${payload}.${sign(payload, key)}`;
}

function sign(payload: string, key: string) {
  return createHmac("sha256", key).update(`v${VERSION}.${payload}`).digest("base64url");
}

/** The claims of a token this stack signed; anything else (tampered, truncated, foreign) is a 403. */
export function verifyRsvpToken(token: string, key: string): RsvpClaims {
  const invalid = () => new HttpProblem("invalid-token", "This invitation link is not valid: open the link from the invitation mail again.");
  const [payload, signature, ...rest] = token.split(".");
  if (!payload || !signature || rest.length || !/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) throw invalid();
  const expected = Buffer.from(sign(payload, key), "base64url");
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let claims: { v?: unknown; e?: unknown; i?: unknown; a?: unknown; n?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  const { v, e, i, a, n } = claims;
  if (v !== VERSION || typeof e !== "string" || typeof i !== "string" || (a !== "yes" && a !== "no") || typeof n !== "string") throw invalid();
  // Only claims this stack issues (an event id, an invitee's address): anything else would reach the table as a key it refuses.
  if (!UUID_V7_PATTERN.test(e) || i.length > 254 || !i.includes("@")) throw invalid();
  return { eventId: e, email: i, answer: a, nonce: n };
}
