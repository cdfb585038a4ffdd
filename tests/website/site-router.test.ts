// The website's CloudFront Function, run as CloudFront runs it: the file's source, evaluated on its
// own (no require, no module), its `handler` called with viewer-request events.
import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { ROOT } from "../harness/stacks";

const source = readFileSync(join(ROOT, "handlers", "site", "viewer-request.js"), "utf8");
const handler = runInNewContext(`${source}; handler`) as (event: unknown) => { uri: string; headers?: unknown };
const route = (uri: string) => handler({ version: "1.0", context: { eventType: "viewer-request" }, viewer: { ip: "192.0.2.1" }, request: { method: "GET", uri, querystring: {}, headers: {}, cookies: {} } }).uri;

test("client-side routes and the root get index.html", (t) => {
  for (const uri of ["/", "/meetings", "/meetings/abc-123", "/sync/", "/messages/0199a0b1-c2d3-7e4f-8a9b-0c1d2e3f4a5b"]) t.is(route(uri), "/index.html", uri);
});

test("files are served as asked, so a missing asset is a 404 rather than a page", (t) => {
  for (const uri of ["/index.html", "/config.json", "/assets/main-5FJ2K3LQ.js", "/assets/missing-AAAAAAAA.css", "/favicon.ico"]) t.is(route(uri), uri);
});

test("the function uses only what cloudfront-js-2.0 offers: no require, no import, no module state", (t) => {
  t.notRegex(source, /\brequire\(|\bimport\b|\bexport\b|\bprocess\./);
  t.regex(source, /^function handler\(event\)/m);
});

// The viewer-response function imports CloudFront's `cloudfront` module; here it gets a
// KeyValueStore holding what the stack would write (or nothing, as before the first write).
const responseSource = readFileSync(join(ROOT, "handlers", "site", "viewer-response.js"), "utf8");
function responseHandler(store: Record<string, string>) {
  const cf = { kvs: () => ({ get: async (key: string) => (key in store ? store[key] : Promise.reject(new Error(`key ${key} not found`))) }) };
  const body = responseSource.replace(/^import cf from "cloudfront";$/m, "");
  return runInNewContext(`${body}; handler`, { cf }) as (event: unknown) => Promise<{ headers: Record<string, { value: string }> }>;
}
const viewerResponse = { version: "1.0", context: { eventType: "viewer-response" }, request: { method: "GET", uri: "/index.html", headers: {} }, response: { statusCode: 200, headers: { "content-type": { value: "text/html" } } } };

test("the CSP allows exactly the API and live origins from the KeyValueStore, and nothing inline", async (t) => {
  const handler = responseHandler({ "connect-src": "https://abc.execute-api.us-east-1.amazonaws.com wss://def.execute-api.us-east-1.amazonaws.com" });
  const csp = (await handler(structuredClone(viewerResponse))).headers["content-security-policy"]!.value;
  t.regex(csp, /connect-src 'self' https:\/\/abc\.execute-api\.us-east-1\.amazonaws\.com wss:\/\/def\.execute-api\.us-east-1\.amazonaws\.com;/);
  t.regex(csp, /script-src 'self';/);
  t.regex(csp, /frame-ancestors 'none'/);
  t.notRegex(csp, /unsafe-inline|unsafe-eval|\*/);
  t.is((await handler(structuredClone(viewerResponse))).headers["content-type"]!.value, "text/html", "other headers kept");
});

test("before the stack has written the origins, the page may connect to its own origin only", async (t) => {
  const csp = (await responseHandler({})(structuredClone(viewerResponse))).headers["content-security-policy"]!.value;
  t.regex(csp, /connect-src 'self';/);
});

test("images and video may come from the media origins in the KeyValueStore (presigned S3 URLs); without the entry, from the site only", async (t) => {
  const media = "https://events-media.s3.us-east-1.amazonaws.com";
  const csp = (await responseHandler({ "connect-src": media, "media-src": media })(structuredClone(viewerResponse))).headers["content-security-policy"]!.value;
  t.regex(csp, /img-src 'self' data: https:\/\/events-media\.s3\.us-east-1\.amazonaws\.com;/);
  t.regex(csp, /media-src 'self' blob: https:\/\/events-media\.s3\.us-east-1\.amazonaws\.com;/);
  const none = (await responseHandler({})(structuredClone(viewerResponse))).headers["content-security-policy"]!.value;
  t.regex(none, /img-src 'self' data:;/);
  t.regex(none, /media-src 'self' blob:;/);
});

test("the response function imports only CloudFront's own module", (t) => {
  t.deepEqual(responseSource.match(/^import .*$/gm), ['import cf from "cloudfront";']);
  t.notRegex(responseSource, /\brequire\(|\bprocess\./);
});
