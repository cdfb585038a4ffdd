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
