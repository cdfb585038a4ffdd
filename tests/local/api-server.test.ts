// Local mode's API Gateway stand-in at the edges an attacker probes: a path that is not valid
// percent-encoding, query keys named after Object.prototype.
import test from "ava";
import type { HttpEvent } from "../../handlers/shared/http";
import { listMessagesHandler, messageDeps } from "../../handlers/messages/handlers";
import { startApiServer } from "../../local/emulators/api-server";
import { apiEvent, parseResult } from "../harness/http";

async function server(t: import("ava").ExecutionContext) {
  const seen: HttpEvent[] = [];
  const echo = async (event: HttpEvent) => {
    seen.push(event);
    return { statusCode: 200, body: JSON.stringify({ path: event.pathParameters ?? null, query: event.queryStringParameters ?? null }) };
  };
  const api = await startApiServer({ routes: [{ routeKey: "GET /messages/{id}", handler: echo }, { routeKey: "$default", handler: echo }], corsOrigins: [] });
  t.teardown(() => api.close());
  return { url: api.url, seen };
}

for (const path of ["/messages/%E0%A4%A", "/messages/100%", "/messages/%E0%A4%41", "/nowhere/%zz"]) {
  test(`GET ${path}: a 400 problem before any function runs, as API Gateway refuses it`, async (t) => {
    const { url, seen } = await server(t);
    const response = await fetch(`${url}${path}`);
    t.is(response.status, 400);
    t.is(response.headers.get("content-type"), "application/problem+json");
    t.like(await response.json(), { type: "urn:switchyard:problem:malformed-path", status: 400, instance: path });
    t.is(seen.length, 0, "no handler was called");
  });
}

test("a well-encoded path still reaches its route, decoded", async (t) => {
  const { url } = await server(t);
  t.like(await (await fetch(`${url}/messages/caf%C3%A9%20au%20lait`)).json(), { path: { id: "café au lait" } });
});

test("?__proto__= and ?constructor= are query keys like any other, and the handlers' strict schemas refuse both alike", async (t) => {
  const { url } = await server(t);
  const echoed = (await (await fetch(`${url}/messages/x?__proto__=1&constructor=2&constructor=3`)).json()) as { query: Record<string, string> };
  t.deepEqual(Object.entries(echoed.query), [["__proto__", "1"], ["constructor", "2,3"]]);
  const list = listMessagesHandler(messageDeps("test", "unused-table"));
  for (const key of ["__proto__", "constructor", "toString"]) {
    const result = parseResult((await list(apiEvent("GET", `/messages?${key}=1`), {} as never)) as never);
    t.is(result.status, 400, key);
    t.like(result.body, { type: "urn:switchyard:problem:validation-failed" }, key);
  }
});

test("a path starting with // is a path, not a host: it reaches the default route with rawPath as sent (found by the $default property)", async (t) => {
  const { url, seen } = await server(t);
  for (const path of ["//", "//messages/x?q=1"]) {
    const response = await fetch(`${url}${path}`);
    t.is(response.status, 200, path);
    t.is(seen.at(-1)?.rawPath, path.split("?")[0]);
  }
  t.deepEqual(seen.at(-1)?.queryStringParameters, { q: "1" });
});
