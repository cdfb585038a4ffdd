// The website's CloudFront Function, run as CloudFront runs it: the file's source, evaluated on its
// own (no require, no module), its `handler` called with viewer-request events.
import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { ROOT } from "./harness/stacks";

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
