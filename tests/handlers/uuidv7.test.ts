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

test("ids made for one fixed millisecond list in the order they were made when sorted as strings", (t) => {
  const at = Date.UTC(2026, 10, 25, 12, 0, 0, 123);
  const ids = Array.from({ length: 10_000 }, () => uuidv7(at));
  t.true(ids.every((id) => parseInt(id.replace(/-/g, "").slice(0, 12), 16) === at), "every id carries the given time");
  t.deepEqual([...ids].sort(), ids);
  t.is(new Set(ids).size, ids.length);
});

test("ids made in the same millisecond of the clock list in the order they were made", (t) => {
  const ids = Array.from({ length: 10_000 }, () => uuidv7());
  const millis = ids.map((id) => id.slice(0, 13));
  t.true(new Set(millis).size < ids.length / 2, "most ids share their millisecond with another");
  t.deepEqual([...ids].sort(), ids);
});

test("an id made for an earlier time carries that time and sorts before the later ones", (t) => {
  const later = Date.UTC(2026, 10, 25, 12, 0, 1);
  const earlier = later - 1000;
  const ids = [uuidv7(later), uuidv7(later), uuidv7(earlier), uuidv7(later), uuidv7(later)];
  t.is(parseInt(ids[2]!.replace(/-/g, "").slice(0, 12), 16), earlier);
  t.is([...ids].sort()[0], ids[2]);
  t.true(ids[0]! < ids[1]!);
});
