// Kept hand-written (#17): the `uuid` package's v7 keeps ids in order within a millisecond only for
// its own clock, so with the caller's time it needs this counter anyway; it would add ~12 KB zipped
// to each of 9 functions for the bit layout alone.
import { randomBytes, randomInt } from "node:crypto";

/** The last millisecond an id was made for and the counter within it (an object: Pulumi's closure serialization carries it). */
const last = { msecs: -1, seq: 0 };

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then a 32-bit counter that starts at
 * random in each millisecond and counts up within it (RFC 9562 §6.2, method 1), then random bits.
 * Ids sort by creation time, and ids made for the same millisecond sort in the order they were
 * made, so a table keyed by them lists newest first without an index. `now` is the time the id
 * carries (the caller's clock).
 */
export function uuidv7(now: number = Date.now()): string {
  if (now === last.msecs) last.seq = (last.seq + 1) >>> 0;
  else Object.assign(last, { msecs: now, seq: randomInt(2 ** 31) }); // half the range: 2^31 more ids fit in the millisecond
  const { seq } = last;
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (seq >>> 28); // version 7, then the counter's top 4 bits…
  bytes[7] = (seq >>> 20) & 0xff; // …and its next 8 (rand_a)
  bytes[8] = 0x80 | ((seq >>> 14) & 0x3f); // RFC 9562 variant, then 6 more counter bits
  bytes[9] = (seq >>> 6) & 0xff;
  bytes[10] = ((seq & 0x3f) << 2) | (bytes[10]! & 0x03); // the counter's last 6 bits, then random
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const UUID_V7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
