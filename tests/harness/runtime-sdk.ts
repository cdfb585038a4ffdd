// The AWS SDK the uploaded code gets at run time, as the Lambda runtime provides it.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { ROOT } from "./stacks";

/**
 * A stand-in for the Lambda runtime's bundled AWS SDK: a node_modules folder holding only the
 * AWS SDK v3 packages and what they depend on (symlinked from the project's install).
 */
export function runtimeSdkLayer(): string {
  // Keyed by the lockfile, so a newly installed SDK client is never missing from an old layer.
  const lock = createHash("sha256").update(readFileSync(join(ROOT, "package-lock.json"))).digest("hex").slice(0, 12);
  const final = join(ROOT, ".cache", `lambda-runtime-${lock}`);
  if (existsSync(join(final, "node_modules", "@aws-sdk", "client-dynamodb"))) return final;
  // Build it aside and rename, so a concurrent test process never sees a half-made layer.
  mkdirSync(join(ROOT, ".cache"), { recursive: true });
  const work = mkdtempSync(join(ROOT, ".cache", "lambda-runtime-tmp-"));
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const pkgDir = join(ROOT, "node_modules", name);
    if (!existsSync(pkgDir)) return;
    const pkg = require(join(pkgDir, "package.json")) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  };
  for (const name of readdirSync(join(ROOT, "node_modules", "@aws-sdk"))) visit(`@aws-sdk/${name}`);
  for (const name of seen) {
    if (!existsSync(join(ROOT, "node_modules", name))) continue;
    const target = join(work, "node_modules", name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", name), target, "dir");
  }
  try {
    renameSync(work, final);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another process won the race
  }
  return final;
}
