// Local mode's undeliverable invitations end to end (issue #18), over HTTP as the site uses them:
// the events platform as local mode runs it (its topology on DynamoDB Local and s3rver, the local
// sign-in stand-in and JWT authorizer, the stream, the queue, notify), an organizer invites SES's
// mailbox-simulator addresses and a `.invalid` one and publishes; every invitation is written to
// the outbox, the simulated SES events reach the feedback function through the topic stand-in, and
// the invitation list shows who cannot be mailed. The complainer then gets nothing more, for any event.
import test from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listOutbox } from "../../handlers/events/mail/outbox";
import { SIMULATOR_ADDRESSES, simulatedFeedback } from "../../handlers/events/mail/simulated-feedback";
import { startApiServer, type RunningApiServer } from "../../local/emulators/api-server";
import { startLocalEvents, type LocalEvents } from "../../local/events";
import { useLocalEmulators } from "../harness/dynamodb";

const local = useLocalEmulators(test, { s3: true });
const DAY = 86_400_000;
const ANN = "ann@example.com";
const NOWHERE = "nobody@example.invalid";

let events: LocalEvents;
let api: RunningApiServer;
let dataDir: string;
let token: string;

/** Local mode's events platform and an API server in front of it (started in the test: the emulators' hook runs alongside other hooks). */
async function start() {
  dataDir = mkdtempSync(join(tmpdir(), "switchyard-feedback-"));
  events = await startLocalEvents({ dynamodb: { client: local.ddb.client, endpoint: local.ddb.endpoint }, s3: local.s3, dataDir, siteUrl: "http://127.0.0.1:3002", signInPort: 0 });
  api = await startApiServer({ routes: events.routes, corsOrigins: [], port: 0 });
  const signIn = await fetch(`${events.signInUrl}/_local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "olga@example.com" }) });
  token = ((await signIn.json()) as { id_token: string }).id_token;
}

test.after.always(async () => {
  await api?.close();
  await events?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function publishedEventInviting(emails: string[], title: string): Promise<string> {
  const created = await call("POST", "/events", { title, startsAt: new Date(Date.now() + 3 * DAY).toISOString(), durationMinutes: 30 });
  if (created.status !== 201) throw new Error(JSON.stringify(created));
  const id = created.body.id as string;
  await call("POST", `/events/${id}/invitations`, { emails });
  await call("POST", `/events/${id}/publish`);
  return id;
}

test("simulated addresses: SES's mailbox simulator and any .invalid domain; nothing else", (t) => {
  t.is(simulatedFeedback(SIMULATOR_ADDRESSES.bounce), "bounce");
  t.is(simulatedFeedback("Complaint@Simulator.AmazonSES.com"), "complaint");
  t.is(simulatedFeedback("Ann <ann@mail.invalid>"), "bounce");
  t.is(simulatedFeedback("x@invalid"), "bounce");
  for (const address of [ANN, "success@simulator.amazonses.com", "ann@invalid.example.com", "invalid@example.com"]) t.is(simulatedFeedback(address), undefined, address);
});

test.serial("invite bounce@, complaint@simulator.amazonses.com and a .invalid address, publish: each is mailed, then marked undeliverable in the invitation list; the complainer is never mailed again", async (t) => {
  await start();
  const id = await publishedEventInviting([ANN, SIMULATOR_ADDRESSES.bounce, SIMULATOR_ADDRESSES.complaint, NOWHERE], "Bounce night");
  await events.idle();

  const mailed = (await listOutbox(events.outboxDir)).filter((m) => m.subject === "Invitation: Bounce night").map((m) => m.to).sort();
  t.deepEqual(mailed, [ANN, SIMULATOR_ADDRESSES.bounce, SIMULATOR_ADDRESSES.complaint, NOWHERE].sort(), "SES sends to the simulator too: every invitation went out");

  const list = await call("GET", `/events/${id}/invitations`);
  t.is(list.status, 200);
  const marks = Object.fromEntries((list.body.items as { email: string; undeliverable: { reason: string; at: string } | null }[]).map((i) => [i.email, i.undeliverable?.reason ?? null]));
  t.deepEqual(marks, { [ANN]: null, [SIMULATOR_ADDRESSES.bounce]: "bounce", [SIMULATOR_ADDRESSES.complaint]: "complaint", [NOWHERE]: "bounce" });
  t.deepEqual(list.body.counts, { yes: 0, no: 0, pending: 4, undeliverable: 3 });
  const at = Date.parse(list.body.items.find((i: { email: string }) => i.email === NOWHERE).undeliverable.at);
  t.true(Math.abs(Date.now() - at) < 60_000, "marked with the time of the (simulated) report");

  // Another event: the complainer is skipped (recorded, not retried); the bounced addresses are mailed and bounce again.
  const next = await publishedEventInviting([ANN, SIMULATOR_ADDRESSES.complaint, SIMULATOR_ADDRESSES.bounce], "Second night");
  await events.idle();
  const second = (await listOutbox(events.outboxDir)).filter((m) => m.subject === "Invitation: Second night").map((m) => m.to).sort();
  t.deepEqual(second, [ANN, SIMULATOR_ADDRESSES.bounce].sort(), "no mail to the complained address");
  t.deepEqual(events.deadLetters(), [], "the skip is not a failure");
  const nextMarks = (await call("GET", `/events/${next}/invitations`)).body.counts;
  t.is(nextMarks.undeliverable, 1, "the bounce is marked on the second event too; the complainer, never mailed, has no new report");

  // Canceling the first event: the complainer gets no cancellation either.
  await call("POST", `/events/${id}/cancel`);
  await events.idle();
  const canceled = (await listOutbox(events.outboxDir)).filter((m) => m.subject === "Canceled: Bounce night").map((m) => m.to).sort();
  t.deepEqual(canceled, [ANN, SIMULATOR_ADDRESSES.bounce, NOWHERE].sort());
});
