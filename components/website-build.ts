import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildWebsite, type WebsiteFile } from "../website/build";

const ROOT = join(__dirname, "..");
const INPUTS = ["website/src", "website/index.html", "website/build.ts", "website/tsconfig.json", "package-lock.json"];

/** Every file under `path`, sorted (a folder's contents in a stable order). */
function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => filesUnder(join(path, entry)));
}

/**
 * The website built for upload, once per version of its sources: `.cache/website/<hash>/`, where
 * the hash covers the sources, the build script and the lockfile. The folder must outlive the
 * program (the engine reads the files while it deploys), so it is kept, keyed by content; two
 * programs building at once (tests, say) each build aside and the first rename wins.
 */
export function builtWebsite(): { dir: string; files: WebsiteFile[] } {
  const hash = createHash("sha256");
  for (const file of INPUTS.flatMap((p) => filesUnder(join(ROOT, p)))) hash.update(file.slice(ROOT.length)).update(readFileSync(file));
  const dir = join(ROOT, ".cache", "website", hash.digest("hex").slice(0, 16));
  const manifest = join(dir, ".files.json");
  if (!existsSync(manifest)) {
    const scratch = `${dir}.building-${process.pid}`;
    const files = buildWebsite({ outDir: scratch });
    writeFileSync(join(scratch, ".files.json"), JSON.stringify(files));
    mkdirSync(join(dir, ".."), { recursive: true });
    try {
      renameSync(scratch, dir);
    } catch {
      rmSync(scratch, { recursive: true, force: true }); // another build got there first
    }
  }
  return { dir, files: JSON.parse(readFileSync(manifest, "utf8")) as WebsiteFile[] };
}
