import test from "ava";
import { UUID_V7_PATTERN, uuidv7 } from "../../handlers/shared/uuidv7";

test("uuidv7 has version 7, the RFC 9562 variant, and the time in its first 48 bits", (t) => {
  const at = Date.UTC(2026, 10, 25, 12, 0, 0, 123);
  const id = uuidv7(at);
  t.regex(id, UUID_V7_PATTERN);
  t.is(parseInt(id.replace(/-/g, "").slice(0, 12), 16), at);
});

test("uuidv7 ids sort by creation time and do not repeat", (t) => {
  const ids = Array.from({ length: 2000 }, (_, i) => uuidv7(1_700_000_000_000 + Math.floor(i / 10)));
  t.is(new Set(ids).size, ids.length);
  const byMs = ids.map((id) => id.slice(0, 13));
  t.deepEqual(byMs, [...byMs].sort());
});
