// The website's build and how local mode serves it: hashed, immutable assets; index.html and
// config.json revalidated; no address in the build; the JS budget; the CSP; SPA fallback and 404s.
import test from "ava";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStaticSite } from "../../local/emulators/static-site";
import { parseSiteConfig, siteContentSecurityPolicy } from "../../website/src/config";
import { CACHE_CONTROL, buildWebsite, contentTypeOf, javascriptGzipBytes, loadedByPage, type WebsiteFile } from "../../website/build";

const build = () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-site-build-"));
  return { dir, files: buildWebsite({ outDir: dir }) };
};

test("the build: index.html (revalidated) and content-hashed JS (the page's, and the video player's chunk) and CSS (immutable), each with its content type", (t) => {
  const { dir, files } = build();
  try {
    t.deepEqual(
      files.map((f) => ({ ...f, path: f.path.replace(/-[A-Z0-9]{8}\./, "-HASH.") })),
      [
        { path: "index.html", contentType: "text/html; charset=utf-8", immutable: false, cacheControl: "no-cache" },
        { path: "assets/main-HASH.js", contentType: "text/javascript; charset=utf-8", immutable: true, cacheControl: "public, max-age=31536000, immutable" },
        { path: "assets/hls.light-HASH.js", contentType: "text/javascript; charset=utf-8", immutable: true, cacheControl: "public, max-age=31536000, immutable" },
        { path: "assets/styles-HASH.css", contentType: "text/css; charset=utf-8", immutable: true, cacheControl: "public, max-age=31536000, immutable" },
      ],
    );
    const html = readFileSync(join(dir, "index.html"), "utf8");
    const script = files.find((f) => f.path.endsWith(".js"))!.path;
    const style = files.find((f) => f.path.endsWith(".css"))!.path;
    t.true(html.includes(`<script type="module" src="/${script}"></script>`));
    t.true(html.includes(`<link rel="stylesheet" href="/${style}">`));
    t.false(html.includes("src/"), "no source paths left");
    // The CSP allows no inline script or style, so the page must have none.
    t.notRegex(html, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");
    t.notRegex(html, /<style|\sstyle=|\son[a-z]+=/i, "no inline style or handler");
    t.regex(html, /<html lang="en">/);
    t.regex(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);

    // The same sources give the same names: a build is reproducible, names change only with content.
    const again = build();
    t.deepEqual(again.files, files);
    rmSync(again.dir, { recursive: true, force: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the build holds no address: the page reads its API from /config.json", (t) => {
  const { dir, files } = build();
  try {
    for (const file of files) {
      const text = readFileSync(join(dir, file.path), "utf8");
      // The join-link field's hints (a bare "https://", an address on RFC 2606's example.com) are no address; nor is hls.js's ID3-in-emsg scheme identifier.
      t.notRegex(text, /(https?|wss?):\/\/(?![\s"'`]|(?:[\w-]+\.)*example\.com\b|aomedia\.org\/emsg\/ID3")/, `${file.path} names no URL`);
      t.notRegex(text, /127\.0\.0\.1|localhost|execute-api|amazonaws/, `${file.path} names no host`);
    }
    const js = readFileSync(join(dir, files.find((f) => f.path.endsWith(".js"))!.path), "utf8");
    t.true(js.includes('"/config.json"'));
    t.false(/\.innerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/.test(js), "no HTML from strings, no eval");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the JavaScript a page loads (before a video is played) is within its 50 KB gzipped budget; hls.js is a chunk loaded on demand only", (t) => {
  const { dir, files } = build();
  try {
    const { page, onDemand } = loadedByPage(dir, files);
    t.deepEqual(page.map((p) => p.replace(/-[A-Z0-9]{8}\./, "-HASH.")), ["assets/main-HASH.js"]);
    t.deepEqual(onDemand.map((p) => p.replace(/-[A-Z0-9]{8}\./, "-HASH.")), ["assets/hls.light-HASH.js"]);
    const main = readFileSync(join(dir, page[0]!), "utf8");
    t.true(main.includes(`import("./${onDemand[0]!.slice("assets/".length)}")`), "the page imports the player chunk dynamically");
    t.false(/\bimport\s*[^(]*"\.\/hls\.light/.test(main), "and never statically");
    const bytes = javascriptGzipBytes(dir, files, page);
    t.true(bytes > 1000, "something was measured");
    t.true(bytes <= 50 * 1024, `${(bytes / 1024).toFixed(1)} KB gzipped`);
    const player = javascriptGzipBytes(dir, files, onDemand);
    t.true(player > 50 * 1024, `the player chunk is hls.js (${(player / 1024).toFixed(1)} KB gzipped)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("content types by extension", (t) => {
  t.is(contentTypeOf("index.html"), "text/html; charset=utf-8");
  t.is(contentTypeOf("assets/main-ABC.js"), "text/javascript; charset=utf-8");
  t.is(contentTypeOf("assets/x.CSS"), "text/css; charset=utf-8");
  t.is(contentTypeOf("config.json"), "application/json");
  t.is(contentTypeOf("logo.svg"), "image/svg+xml");
  t.is(contentTypeOf("blob.bin"), "application/octet-stream");
});

test("config.json: checked, trailing slash dropped; bad values named", (t) => {
  t.deepEqual(parseSiteConfig({ apiUrl: "https://abc.execute-api.us-east-1.amazonaws.com/", liveUrl: "wss://def.execute-api.us-east-1.amazonaws.com/live", dashboardUrl: "https://console.aws.amazon.com/cloudwatch/home#dashboards" }), {
    apiUrl: "https://abc.execute-api.us-east-1.amazonaws.com",
    liveUrl: "wss://def.execute-api.us-east-1.amazonaws.com/live",
    dashboardUrl: "https://console.aws.amazon.com/cloudwatch/home#dashboards",
  });
  t.deepEqual(parseSiteConfig({ apiUrl: "http://127.0.0.1:3000" }), { apiUrl: "http://127.0.0.1:3000" });
  t.throws(() => parseSiteConfig([]), { message: "config.json is not a JSON object" });
  t.throws(() => parseSiteConfig({}), { message: "config.json: apiUrl must be an http(s) URL" });
  t.throws(() => parseSiteConfig({ apiUrl: "javascript:alert(1)" }), { message: "config.json: apiUrl must be an http(s) URL" });
  t.throws(() => parseSiteConfig({ apiUrl: "https://a.example", liveUrl: "https://b.example" }), { message: "config.json: liveUrl must be a ws(s) URL" });
});

test("the CSP: own scripts and styles only; connections to itself, the API and the live endpoint", (t) => {
  const csp = siteContentSecurityPolicy({ apiUrl: "https://abc.execute-api.us-east-1.amazonaws.com", liveUrl: "wss://def.execute-api.us-east-1.amazonaws.com/prod" });
  const directives = Object.fromEntries(csp.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1).join(" ")]));
  t.like(directives, {
    "default-src": "'self'",
    "connect-src": "'self' https://abc.execute-api.us-east-1.amazonaws.com wss://def.execute-api.us-east-1.amazonaws.com",
    "script-src": "'self'",
    "style-src": "'self'",
    "frame-ancestors": "'none'",
  });
  t.false(csp.includes("unsafe"), "no unsafe-inline or unsafe-eval");
});

test("local mode's static server: config.json, cache headers, CSP, ETag revalidation, SPA fallback, 404 for missing assets, GET/HEAD only", async (t) => {
  const { dir, files } = build();
  const config = { apiUrl: "http://127.0.0.1:3000", liveUrl: "ws://127.0.0.1:3001" };
  const site = await startStaticSite({ root: dir, files, config });
  try {
    const index = await fetch(`${site.url}/`);
    t.is(index.status, 200);
    t.is(index.headers.get("content-type"), "text/html; charset=utf-8");
    t.is(index.headers.get("cache-control"), CACHE_CONTROL.revalidate);
    t.is(index.headers.get("content-security-policy"), siteContentSecurityPolicy(config));
    t.is(index.headers.get("x-content-type-options"), "nosniff");
    const html = await index.text();
    t.is(html, readFileSync(join(dir, "index.html"), "utf8"));

    const configJson = await fetch(`${site.url}/config.json`);
    t.is(configJson.headers.get("cache-control"), "no-cache");
    t.is(configJson.headers.get("content-type"), "application/json");
    t.deepEqual(await configJson.json(), config);

    for (const file of files.filter((f: WebsiteFile) => f.immutable)) {
      const asset = await fetch(`${site.url}/${file.path}`);
      t.is(asset.status, 200);
      t.is(asset.headers.get("cache-control"), "public, max-age=31536000, immutable");
      t.is(asset.headers.get("content-type"), file.contentType);
      t.is(await asset.text(), readFileSync(join(dir, file.path), "utf8"));
      const revalidated = await fetch(`${site.url}/${file.path}`, { headers: { "if-none-match": asset.headers.get("etag")! } });
      t.is(revalidated.status, 304);
    }

    const deep = await fetch(`${site.url}/meetings/abc`);
    t.is(deep.status, 200, "a path without an extension opens the page");
    t.is(await deep.text(), html);
    const missing = await fetch(`${site.url}/assets/main-NOPE1234.js`);
    t.is(missing.status, 404, "a missing asset is a 404, not the page");
    t.is(await (await fetch(`${site.url}/%2e%2e/%2e%2e/etc/passwd`)).text(), html, "only the build's files are ever read");
    t.is((await fetch(`${site.url}/index.html`, { method: "POST" })).status, 405);
    const head = await fetch(`${site.url}/`, { method: "HEAD" });
    t.is(head.status, 200);
    t.is(head.headers.get("content-length"), String(Buffer.byteLength(html)));

    // What the server serves is the build it was given, not whatever lands in the folder later.
    writeFileSync(join(dir, "assets", "extra.js"), "alert(1)");
    t.is((await fetch(`${site.url}/assets/extra.js`)).status, 404);
  } finally {
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
