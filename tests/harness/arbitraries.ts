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
