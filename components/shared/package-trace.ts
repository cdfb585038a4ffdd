import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/** The project root: where package.json and node_modules live. */
export const PROJECT_ROOT = join(__dirname, "..", "..");

/** Packages the Lambda Node.js runtime already ships (AWS SDK v3 and its internals): never uploaded. */
const RUNTIME_PROVIDED = /^node_modules\/(@aws-sdk|@smithy|@aws-crypto)\//;

/** Every package named in package.json `dependencies`. */
export function rootDependencies(): string[] {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  return Object.keys(pkg.dependencies ?? {});
}

const traceCache = new Map<string, string[]>();

/**
 * Traces depend only on what is installed, so they are kept on disk per package-lock.json and
 * package list (`.cache/package-trace/`): each `pulumi preview`/test evaluation would otherwise
 * spend seconds re-tracing the same packages. Any install that changes the lock changes the key.
 */
function diskCacheFile(key: string): string {
  const lock = readFileSync(join(PROJECT_ROOT, "package-lock.json"));
  const hash = createHash("sha256").update(lock).update("\0").update(key).digest("hex").slice(0, 32);
  return join(PROJECT_ROOT, ".cache", "package-trace", `${hash}.json`);
}

function readDiskCache(file: string): string[] | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as string[];
  } catch {
    return undefined;
  }
}

function writeDiskCache(file: string, traced: string[]) {
  try {
    mkdirSync(join(file, ".."), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(traced));
    renameSync(temp, file); // atomic: a concurrent reader sees all of it or nothing
  } catch {
    // A read-only checkout just traces every time.
  }
}

/**
 * The files a function needs from node_modules to `require` the given packages, traced statically
 * with @vercel/nft (the file tracer Vercel and Next.js use), relative to the current directory as
 * Pulumi's `extraIncludePaths` expects. Uploading these files instead of whole package folders is
 * what keeps a function small: zod alone is 8 MB on disk, ~280 KB of it is what `require("zod")` loads.
 * Runs the async tracer in a child process because resource args must be known synchronously.
 */
export function tracePackageFiles(packages: readonly string[]): string[] {
  const key = [...packages].sort().join(",");
  const cached = traceCache.get(key);
  if (cached) return cached;
  const cacheFile = diskCacheFile(key);
  let traced = readDiskCache(cacheFile);
  if (!traced) {
    const script = `
      const { nodeFileTrace } = require("@vercel/nft");
      const entries = process.argv.slice(1).map((p) => require.resolve(p, { paths: [process.cwd()] }));
      nodeFileTrace(entries, { base: process.cwd() })
        .then(({ fileList }) => process.stdout.write(JSON.stringify([...fileList])))
        .catch((e) => { console.error(e); process.exit(1); });`;
    // From where node_modules really is: the tracer follows no file outside its base, and a linked
    // node_modules (a git worktree sharing another checkout's install) would trace to nothing.
    const base = dirname(realpathSync(join(PROJECT_ROOT, "node_modules")));
    const output = execFileSync(process.execPath, ["-e", script, ...packages], { cwd: base, encoding: "utf8" });
    traced = (JSON.parse(output) as string[]).filter((f) => f.startsWith("node_modules/") && !RUNTIME_PROVIDED.test(f));
    writeDiskCache(cacheFile, traced);
  }
  // Node reads a package's package.json to resolve `require("pkg")` (main/exports); the tracer
  // does not always list it, so add it for every package that contributes a file.
  const manifests = traced.map((f) => /^(node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter((d): d is string => !!d).map((d) => `${d}/package.json`);
  const files = [...new Set([...traced, ...manifests])]
    .sort()
    .map((f) => relative(process.cwd(), join(PROJECT_ROOT, f)));
  traceCache.set(key, files);
  return files;
}
