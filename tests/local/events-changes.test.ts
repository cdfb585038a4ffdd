// Issue #18's change mails in local mode, over HTTP as a person would try them (`npm start`): a
// published event's start moved with the organizer's PATCH reaches the invitee who said yes and the
// one who has not answered, once each, in .local/outbox; the one who said no gets nothing.
import test from "ava";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseMime } from "../../handlers/events/mail/parse-mime";
import { startLocalMode, stopLocalMode, type LocalMode } from "../harness/local-mode";
import { freeLocalModePort } from "../harness/ports";

let mode: LocalMode | undefined;
let dataDir = "";

test.after.always(async () => {
  if (mode) await stopLocalMode(mode);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test("local mode: a moved start is mailed once to yes and pending invitees, not to the one who declined", async (t) => {
  dataDir = mkdtempSync(join(tmpdir(), "switchyard-changes-"));
  const port = await freeLocalModePort();
  mode = await startLocalMode({ PORT: String(port), SWITCHYARD_LOCAL_DIR: dataDir });
  const api = mode.outputs.apiUrl!;
  const signIn = mode.outputs.eventsSignInUrl ?? `http://127.0.0.1:${port + 3}`;
  const organizer = ((await (await fetch(`${signIn}/_local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "olga@example.com" }) })).json()) as { id_token: string }).id_token;
  const call = async (method: string, path: string, body?: unknown, signedIn = true) => {
    const response = await fetch(`${api}${path}`, { method, headers: { "content-type": "application/json", ...(signedIn ? { authorization: `Bearer ${organizer}` } : {}) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const mails = async () => {
    const dir = join(dataDir, "outbox");
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".eml")) : [];
    return Promise.all(files.map(async (f) => {
      const mime = await parseMime(readFileSync(join(dir, f)));
      return { to: mime.headers.to!, key: mime.headers["x-switchyard-notification"]!, text: mime.text ?? "" };
    }));
  };
  const waitFor = async <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) => {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const value = await read();
      if (done(value)) return value;
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  const startsAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
  const created = await call("POST", "/events", { title: "Local demo", startsAt, durationMinutes: 30 });
  t.is(created.status, 201);
  const id = created.body.id as string;
  t.is((await call("POST", `/events/${id}/invitations`, { emails: ["ada@example.org", "bob@example.org", "cy@example.org"] })).status, 201);
  t.is((await call("POST", `/events/${id}/publish`)).status, 200);
  const invitations = await waitFor("the invitations", mails, (m) => m.length === 3);
  const token = (who: string, answer: "yes" | "no") => {
    const links = [...invitations.find((m) => m.to === who)!.text.matchAll(/\/events\/rsvp\?token=(\S+)/g)].map((m) => decodeURIComponent(m[1]!));
    return links[answer === "yes" ? 0 : 1]!;
  };
  t.is((await call("POST", "/rsvp", { token: token("ada@example.org", "yes") }, false)).status, 200);
  t.is((await call("POST", "/rsvp", { token: token("bob@example.org", "no") }, false)).status, 200);

  const moved = await call("PATCH", `/events/${id}`, { startsAt: new Date(Date.parse(startsAt) + 86_400_000).toISOString() });
  t.is(moved.status, 200);
  const changes = await waitFor("the change mails", async () => (await mails()).filter((m) => m.key.endsWith("#change")), (m) => m.length >= 2);
  // Settled: nothing more arrives (a second mail to the same person would be a duplicate).
  await new Promise((r) => setTimeout(r, 1500));
  t.deepEqual((await mails()).filter((m) => m.key.endsWith("#change")).map((m) => m.to).sort(), ["ada@example.org", "cy@example.org"]);
  t.true(changes.every((m) => m.key === `${id}#${m.to}#r1#change` && /New time: .* UTC \(30 minutes\)\.\nIt was: .* UTC\./.test(m.text)));
});
