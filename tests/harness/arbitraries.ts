// Input generators (fast-check) shared by the property-based tests. Strings cover the whole code
// point range, lone surrogates included, with the hostile corpus's controls, zero-width and bidi
// characters mixed in more often than chance would. Runs are seeded: a failing property prints its
// seed and shrunk input; FC_SEED=<seed> replays it and FC_RUNS=<n> widens every property.
import fc from "fast-check";
import { FRIENDLY_TEXT, HOSTILE_TEXT } from "../fixtures/hostile-text";

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const runsScale = process.env.FC_RUNS === undefined ? undefined : Number(process.env.FC_RUNS);

/** fast-check parameters for one property: `runs` cases unless FC_RUNS says otherwise; FC_SEED replays. */
export function propertyParameters<T>(runs: number): fc.Parameters<T> {
  return { numRuns: runsScale ?? runs, ...(seed === undefined ? {} : { seed }), verbose: 1 };
}

/** Characters text fields must handle: controls (C0, C1, DEL), zero-width, bidi overrides, BOM, lone surrogates. */
const TRICKY_CHARACTERS = [
  ..."\u0000\u0007\u0008\t\n\u000b\u000c\r\u001b\u007f\u0085\u009b",
  ..."\u200b\u200c\u200d\u2060\ufeff\u180e",
  ..."\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f",
  ..."\u00a0\u3000\u2028\u2029",
  "\ud800",
  "\udfff",
  "\u0301",
];

/** One UTF-16 string over the whole code point range, tricky characters and the hostile corpus mixed in. */
export const anyText = (constraints: { maxLength?: number } = {}): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: constraints.maxLength ?? 40 }) },
    { weight: 2, arbitrary: fc.array(fc.oneof(fc.constantFrom(...TRICKY_CHARACTERS), fc.string({ unit: "grapheme", maxLength: 3 })), { maxLength: 12 }).map((parts) => parts.join("")) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_TEXT.map((h) => h.text), ...FRIENDLY_TEXT.map((f) => f.text), "", " ", "__proto__", "constructor") },
  );

/** Numbers at and past every bound a schema might set: extremes, non-integers, signed zeros. */
export const edgyNumber = (): fc.Arbitrary<number> =>
  fc.oneof(
    fc.constantFrom(0, -0, 1, -1, 0.5, 2 ** 31, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, Number.MIN_VALUE),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );

/** Any JSON value (what `JSON.parse` can return), with tricky strings and edgy numbers inside. */
export const anyJson = (): fc.Arbitrary<unknown> =>
  fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      edgyNumber(),
      anyText(),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(anyText({ maxLength: 12 }), tie("value"), { maxKeys: 4 }),
    ),
  })).value;

/** Text of `min` to `max` characters (code points), to probe a length bound from both sides. */
export const textOfLength = (min: number, max: number): fc.Arbitrary<string> =>
  fc
    .integer({ min, max })
    .chain((n) => fc.array(fc.constantFrom("a", "Z", " ", "é", "🚀", "ש", "你"), { minLength: n, maxLength: n }))
    .map((chars) => chars.join(""));

/** A path segment as a client may send it: tricky text, ids of the right and nearly right shape. */
export const anyPathSegment = (): fc.Arbitrary<string> =>
  fc.oneof(
    anyText(),
    fc.uuid(),
    fc.uuid({ version: 7 }),
    fc.uuid({ version: 7 }).map((id) => id.toUpperCase()),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,120}$/),
    fc.constantFrom(".", "..", "%2F", "a/b", " ", "null", "undefined", "0"),
  );

/** Query parameter names the routes know, mixed with arbitrary ones. */
const QUERY_NAMES = ["limit", "cursor", "q", "token", "sort", "__proto__", "constructor"];

/** A query parameter value: tricky text, edgy numbers as text, base64url-looking cursors. */
const queryValue = (): fc.Arbitrary<string> =>
  fc.oneof(anyText(), edgyNumber().map(String), fc.integer({ min: -2, max: 120 }).map(String), fc.base64String({ maxLength: 80 }).map((s) => s.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")));

/** Query parameters as API Gateway hands them over (decoded; a repeated name joined by commas). */
export const anyQuery = (): fc.Arbitrary<Record<string, string>> =>
  fc.dictionary(fc.oneof(fc.constantFrom(...QUERY_NAMES), anyText({ maxLength: 12 })), queryValue(), { maxKeys: 3, noNullPrototype: true });

/** A `content-type` header: JSON ones, near misses, and tricky text. */
export const anyContentType = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/problem+json") },
    { weight: 1, arbitrary: fc.constantFrom("", "text/plain", "application/x-www-form-urlencoded", "application/jsonx", "json", "application/json;", ";application/json") },
    { weight: 1, arbitrary: anyText() },
  );

/** Header names the handlers read, mixed with arbitrary ones (lower-case, as API Gateway passes them). */
const HEADER_NAMES = ["authorization", "cookie", "calendly-webhook-signature", "content-length", "host", "x-forwarded-for", "user-agent", "idempotency-key"];

/** Extra request headers with tricky values. */
export const anyHeaders = (): fc.Arbitrary<Record<string, string>> =>
  fc.dictionary(fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.stringMatching(/^[a-z0-9-]{1,20}$/)), anyText(), { maxKeys: 3, noNullPrototype: true });

/** A raw request body: JSON of any value, text that may not be JSON, bytes that may not be UTF-8. */
export const anyRawBody = (): fc.Arbitrary<string | Buffer> =>
  fc.oneof(
    { weight: 3, arbitrary: anyJson().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: anyText() },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)) },
  );
