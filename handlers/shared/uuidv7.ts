// The layout and randomness are the `uuid` package's v7; the per-millisecond counter is kept here because its v7 keeps order only for its own clock, not for a time the caller gives.
import { randomInt } from "node:crypto";
import { v7 } from "uuid";

/** The last millisecond an id was made for and the counter within it (an object: Pulumi's closure serialization carries it). */
const last = { msecs: -1, seq: 0 };

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then a 32-bit counter that starts at
 * random in each millisecond and counts up within it, then random bits. Ids sort by creation time,
 * and ids made for the same millisecond sort in the order they were made, so a table keyed by them
 * lists newest first without an index. `now` is the time the id carries (the caller's clock).
 */
export function uuidv7(now: number = Date.now()): string {
  if (now === last.msecs) last.seq += 1;
  else Object.assign(last, { msecs: now, seq: randomInt(2 ** 31) }); // half the range: 2^31 more ids fit in the millisecond
  return v7({ msecs: now, seq: last.seq });
}

export const UUID_V7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
