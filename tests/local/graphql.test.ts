// GraphQL in local mode, over HTTP as a person would try it (`npm start`): an organizer's event made
// through REST, read back in one persisted GET (ManageEvent) with the sign-in stand-in's token, the
// same document without a token refused field by field, the public fields by POST, CORS for the site.
import test from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PERSISTED_QUERIES } from "../../handlers/graphql/persisted";
import { startLocalMode, stopLocalMode, type LocalMode } from "../harness/local-mode";
import { freeLocalModePort } from "../harness/ports";

let mode: LocalMode | undefined;
let dataDir = "";

test.after.always(async () => {
  if (mode) await stopLocalMode(mode);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test("local mode: POST and GET /graphql serve the manage page's query with the local sign-in's token", async (t) => {
  dataDir = mkdtempSync(join(tmpdir(), "switchyard-graphql-"));
  const port = await freeLocalModePort();
  mode = await startLocalMode({ PORT: String(port), SWITCHYARD_LOCAL_DIR: dataDir });
  const api = mode.outputs.apiUrl!;
  t.is(mode.outputs.graphqlUrl, `${api}/graphql`);
  const signIn = mode.outputs.eventsSignInUrl!;
  const token = ((await (await fetch(`${signIn}/_local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "olga@example.com" }) })).json()) as { id_token: string }).id_token;
  const auth = { authorization: `Bearer ${token}` };
  const created = (await (await fetch(`${api}/events`, { method: "POST", headers: { "content-type": "application/json", ...auth }, body: JSON.stringify({ title: "Local GraphQL", startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(), durationMinutes: 30 }) })).json()) as { id: string };
  await fetch(`${api}/events/${created.id}/invitations`, { method: "POST", headers: { "content-type": "application/json", ...auth }, body: JSON.stringify({ emails: ["ann@example.com"] }) });

  const manage = PERSISTED_QUERIES.find((q) => q.name === "ManageEvent")!;
  const url = `${api}/graphql?${new URLSearchParams({ id: manage.sha256, variables: JSON.stringify({ id: created.id }) })}`;
  const res = await fetch(url, { headers: { ...auth, origin: `http://127.0.0.1:${port + 2}` } });
  t.is(res.status, 200);
  t.is(res.headers.get("content-type"), "application/graphql-response+json; charset=utf-8");
  t.is(res.headers.get("access-control-allow-origin"), `http://127.0.0.1:${port + 2}`, "the site may read it");
  const body = (await res.json()) as any;
  t.is(body.data.myEvent.title, "Local GraphQL");
  t.deepEqual(body.data.myEvent.invitations.items.map((i: any) => i.email), ["ann@example.com"]);
  // A free event: the payment counts REST leaves out are GraphQL's nulls.
  t.deepEqual(body.data.myEvent.invitations.counts, { yes: 0, no: 0, pending: 1, undeliverable: 0, paid: null, paymentPending: null, collected: null });

  const anonymous = (await (await fetch(url)).json()) as any;
  t.is(anonymous.errors[0].extensions.code, "UNAUTHENTICATED");
  const publicRead = await fetch(`${api}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ messageCount events { items { id } } }" }) });
  t.deepEqual(await publicRead.json(), { data: { messageCount: 0, events: { items: [] } } });
  const bad = await fetch(`${api}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
  t.is(bad.status, 400);
});
