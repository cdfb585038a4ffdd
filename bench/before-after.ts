// The figures of each function's package before issue #17's library replacements, recorded once on
// this kind of machine (bench/before-17.json). The bench shows them next to today's figures for the
// functions whose package changed since (a different digest), so a replacement's cost is in view.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface PackageFigures {
  zippedKB: number;
  coldInitOverBareMs: number;
  /** packageDigest of the unpacked upload. */
  digest: string;
}

export const BEFORE: { about: string; functions: Record<string, PackageFigures> } = JSON.parse(readFileSync(join(__dirname, "before-17.json"), "utf8"));

/** Suffixes for the measured column: empty when the function's package is what it was before. */
export function beforeAfter(name: string, digest: string): { size: string; coldInit: string } {
  const before = BEFORE.functions[name];
  if (!before) return { size: " (new)", coldInit: "" };
  if (before.digest === digest) return { size: "", coldInit: "" };
  return { size: ` (before ${before.zippedKB} KB)`, coldInit: ` (before ${before.coldInitOverBareMs} ms)` };
}
