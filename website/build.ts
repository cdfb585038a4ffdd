// Builds the website: bundles website/src/main.ts and styles.css with esbuild into content-hashed
// files under assets/, and writes index.html pointing at them. Returns the manifest the StaticSite
// component uploads from and local mode serves from: each file's content type and whether it is
// immutable (hashed assets, cached for a year) or revalidated (index.html; config.json is written
// at deploy time, never by the build). The build contains no address: the page reads /config.json.
// `npm run build:website` writes website/dist.
import { buildSync } from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";

export const WEBSITE_DIR = __dirname;

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** The Content-Type to serve a file with, from its extension. */
export const contentTypeOf = (path: string): string => CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";

export const CACHE_CONTROL = {
  /** Content-hashed assets: a new build has new names, so a copy never goes stale. */
  immutable: "public, max-age=31536000, immutable",
  /** index.html and config.json: revalidated on every load, so a deploy shows at once. */
  revalidate: "no-cache",
} as const;

export interface WebsiteFile {
  /** Relative to the output folder, with forward slashes: `index.html`, `assets/main-3FJ2KQ.js`. */
  path: string;
  contentType: string;
  /** True for hashed assets (cache a year); false for index.html. */
  immutable: boolean;
  /** The Cache-Control header that goes with it. */
  cacheControl: string;
}

export interface BuildOptions {
  /** Emptied, then filled. */
  outDir: string;
  /** Default true. */
  minify?: boolean;
}

const SCRIPT_REF = 'src="src/main.ts"';
const STYLE_REF = 'href="src/styles.css"';

/** Builds the site into `outDir` and returns its files (config.json not included: it is deploy-time). */
export function buildWebsite({ outDir, minify = true }: BuildOptions): WebsiteFile[] {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = buildSync({
    entryPoints: [join(WEBSITE_DIR, "src", "main.ts"), join(WEBSITE_DIR, "src", "styles.css")],
    bundle: true,
    minify,
    sourcemap: false,
    format: "esm",
    // Code loaded with import() (hls.js, when a video is played) becomes a chunk of its own.
    splitting: true,
    chunkNames: "assets/[name]-[hash]",
    target: "es2020",
    charset: "utf8",
    legalComments: "none",
    entryNames: "assets/[name]-[hash]",
    outdir: outDir,
    write: true,
    metafile: true,
    logLevel: "warning",
    tsconfig: join(WEBSITE_DIR, "tsconfig.json"),
  });
  const outputs = Object.entries(result.metafile!.outputs);
  const outputOf = (entry: string) => {
    const found = outputs.find(([, meta]) => meta.entryPoint?.endsWith(entry));
    if (!found) throw new Error(`esbuild produced nothing for ${entry}`);
    return relative(outDir, found[0]).split(sep).join("/");
  };
  const script = outputOf("src/main.ts");
  const style = outputOf("src/styles.css");

  const template = readFileSync(join(WEBSITE_DIR, "index.html"), "utf8");
  for (const ref of [SCRIPT_REF, STYLE_REF]) if (!template.includes(ref)) throw new Error(`website/index.html must reference ${ref}`);
  writeFileSync(join(outDir, "index.html"), template.replace(SCRIPT_REF, `src="/${script}"`).replace(STYLE_REF, `href="/${style}"`));

  const file = (path: string, immutable: boolean): WebsiteFile => ({ path, contentType: contentTypeOf(path), immutable, cacheControl: immutable ? CACHE_CONTROL.immutable : CACHE_CONTROL.revalidate });
  return [file("index.html", false), ...outputs.map(([path]) => file(relative(outDir, path).split(sep).join("/"), true))];
}

/** Gzipped bytes of the site's JavaScript: all of it by default, or the files named (the budget, 50 KB, is for what a page loads: `loadedByPage`). */
export function javascriptGzipBytes(outDir: string, files: WebsiteFile[], only?: string[]): number {
  return files
    .filter((f) => f.path.endsWith(".js") && (!only || only.includes(f.path)))
    .reduce((sum, f) => sum + gzipSync(readFileSync(join(outDir, f.path)), { level: 9 }).length, 0);
}

/**
 * The JavaScript a page loads before anything is pressed: the entry script index.html names and
 * what it imports statically, transitively. The rest (`import()`ed chunks: hls.js) loads on demand.
 */
export function loadedByPage(outDir: string, files: WebsiteFile[]): { page: string[]; onDemand: string[] } {
  const html = readFileSync(join(outDir, "index.html"), "utf8");
  const entry = /<script type="module" src="\/([^"]+)"/.exec(html)?.[1];
  if (!entry) throw new Error("index.html names no module script");
  const page = new Set<string>();
  const visit = (path: string) => {
    if (page.has(path)) return;
    page.add(path);
    // esbuild's static imports between chunks: `import{…}from"./chunk-X.js"` / `import"./chunk-X.js"`.
    const text = readFileSync(join(outDir, path), "utf8");
    for (const m of text.matchAll(/(?:^|[;}\s])import\s*(?:[\w$*{},\s]*?from\s*)?"\.\/([^"]+\.js)"/g)) visit(`${path.slice(0, path.lastIndexOf("/") + 1)}${m[1]}`);
  };
  visit(entry);
  const js = files.filter((f) => f.path.endsWith(".js")).map((f) => f.path);
  return { page: js.filter((p) => page.has(p)), onDemand: js.filter((p) => !page.has(p)) };
}

if (require.main === module) {
  const outDir = join(WEBSITE_DIR, "dist");
  const files = buildWebsite({ outDir });
  for (const f of files) console.log(`${f.path.padEnd(32)} ${String(readFileSync(join(outDir, f.path)).length).padStart(7)} B  ${f.cacheControl}`);
  const { page, onDemand } = loadedByPage(outDir, files);
  console.log(`JavaScript gzipped: ${(javascriptGzipBytes(outDir, files, page) / 1024).toFixed(1)} KB loaded by a page (budget 50 KB), ${(javascriptGzipBytes(outDir, files, onDemand) / 1024).toFixed(1)} KB on demand (the video player). Deploys add config.json.`);
}
