import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { deflateRawSync } from "node:zlib";

/**
 * The size of a zip of `dir` (deflate level 9 per file, plus local and central headers and the
 * end record), computed without a zip binary so it runs on any machine.
 */
export function zipSize(dir: string): number {
  let total = 22; // end of central directory
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else {
        const name = Buffer.byteLength(relative(dir, full));
        const data = readFileSync(full);
        total += 30 + name + Math.min(deflateRawSync(data, { level: 9 }).length, data.length) + 46 + name;
      }
    }
  };
  walk(dir);
  return total;
}

/** A digest of every file's path and bytes under `dir`: two packages with the same digest are the same upload. */
export function packageDigest(dir: string): string {
  const hash = createHash("sha256");
  const walk = (path: string) => {
    for (const entry of readdirSync(path).sort()) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(relative(dir, full)).update("\0").update(readFileSync(full)).update("\0");
    }
  };
  walk(dir);
  return hash.digest("hex").slice(0, 16);
}
