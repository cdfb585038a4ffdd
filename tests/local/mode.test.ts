// `npm start` as a person uses it: a child process serving the API on a port, curl-able.
import test from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { syncJobs } from "../../handlers/sync/registry";
import { signCalendlyBody } from "../../handlers/webhooks/calendly";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { LOCAL_STRIPE_SECRET_KEY } from "../../local/stripe";
import { LOCAL_CREDENTIALS } from "../../local/emulators/dynamodb-local";
import { freeLocalModePort } from "../harness/ports";
import { LOCAL_SPOOL_BUCKET } from "../../local/webhooks";
import { inviteeEvent, newBooking } from "../harness/calendly";
import { startDownstream } from "../harness/downstream";
import { startLocalMode, stopLocalMode } from "../harness/local-mode";

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

test.serial("npm start serves the API like a stack: create, get, count, list, errors, CORS; data survives a restart; Ctrl-C stops everything", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-local-"));
  const port = await freeLocalModePort();
  try {
    let mode = await startLocalMode({ PORT: String(port), SWITCHYARD_LOCAL_DIR: dir });
    const api = `http://127.0.0.1:${port}`;
    t.is(mode.outputs.apiUrl, api);
    t.is(mode.outputs.messagesUrl, `${api}/messages`);
    t.is(mode.outputs.messagesTable, "switchyard-local-api-messages");

    const post = await fetch(`${api}/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "hi from curl" }) });
    t.is(post.status, 201);
    const created = (await post.json()) as { id: string };
    t.is(post.headers.get("location"), `/messages/${created.id}`);
    t.deepEqual(await (await fetch(`${api}${post.headers.get("location")}`)).json(), created);
    t.deepEqual(await (await fetch(`${api}/messages`)).json(), { count: 1 });
    t.deepEqual(((await (await fetch(`${api}/messages?limit=5`)).json()) as { items: unknown[] }).items, [created]);

    const bad = await fetch(`${api}/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    t.is(bad.status, 400);
    t.is(bad.headers.get("content-type"), "application/problem+json");
    const unmatched = await fetch(`${api}/nowhere`);
    t.is(unmatched.status, 404);
    t.is(((await unmatched.json()) as { type: string }).type, "urn:switchyard:problem:route-not-found");

    // CORS: the local origin is allowed, others get no CORS headers.
    const preflight = (origin: string) =>
      fetch(`${api}/messages`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });
    const allowed = await preflight(`http://localhost:${port}`);
    t.is(allowed.status, 204);
    t.is(allowed.headers.get("access-control-allow-origin"), `http://localhost:${port}`);
    t.regex(allowed.headers.get("access-control-allow-methods") ?? "", /POST/);
    t.is((await preflight("https://evil.example")).headers.get("access-control-allow-origin"), null);
    const simple = await fetch(`${api}/messages`, { headers: { origin: `http://127.0.0.1:${port}` } });
    t.is(simple.headers.get("access-control-allow-origin"), `http://127.0.0.1:${port}`);
    t.is(simple.headers.get("access-control-expose-headers"), "location");
    t.is(simple.headers.get("access-control-allow-credentials"), "true");

    // The website on PORT+2, with a config.json pointing at this API and its live endpoint; its
    // origin may call the API.
    t.is(mode.outputs.websiteUrl, `http://127.0.0.1:${port + 2}`);
    t.deepEqual(await (await fetch(`${mode.outputs.websiteUrl}/config.json`)).json(), {
      apiUrl: api,
      liveUrl: `ws://127.0.0.1:${port + 1}`,
      auth: { domain: `http://127.0.0.1:${port + 3}`, clientId: "switchyard-local-web" },
      mediaOrigin: new URL(mode.outputs.s3Endpoint!).origin,
    });
    t.regex(await (await fetch(mode.outputs.websiteUrl!)).text(), /<title>Switchyard<\/title>/);
    for (const origin of [`http://127.0.0.1:${port + 2}`, `http://localhost:${port + 2}`]) {
      t.is((await preflight(origin)).headers.get("access-control-allow-origin"), origin);
    }

    // The syncs ran at start against the stand-ins (no real settings here); their read API answers.
    t.regex(mode.output(), /Sync gists: rate\(30 minutes\) against the stand-ins, first run now, next at \S+; run it now: curl -X POST http:\/\/127\.0\.0\.1:\d+\/_local\/sync\/gists/);
    type Health = { status: string; syncs: Record<string, { schedule: string; lastSuccess: string | null; stale: boolean | null }> };
    const health = async () => (await (await fetch(`${api}/health`)).json()) as Health;
    const succeeded = (h: Health) => Object.values(h.syncs).every((s) => s.lastSuccess !== null);
    for (const deadline = Date.now() + 30_000; !succeeded(await health()) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 200));
    const report = await health();
    t.deepEqual(Object.keys(report.syncs), syncJobs.map((job) => job.name), "GET /health reports both syncs");
    t.like(report, { status: "ok", syncs: { gists: { schedule: "rate(30 minutes)", stale: false }, skills: { schedule: "rate(6 hours)", stale: false } } });
    t.truthy(report.syncs.gists!.lastSuccess, "the gists sync ran at start");
    t.truthy(report.syncs.skills!.lastSuccess, "the skills sync ran at start");
    // The health check ran shortly after the start, against the website and /health.
    for (const deadline = Date.now() + 15_000; !/\[health check\]/.test(mode.output()) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 200));
    t.regex(mode.output(), /^\[health check\] website ok \(200, \d+ ms\); api ok \(200, \d+ ms\)$/m);
    const gists = await fetch(`${api}/getGists`);
    t.regex(gists.headers.get("set-cookie") ?? "", /HttpOnly/);
    t.is(((await gists.json()) as { items: unknown[] }).items.length, 4);
    const trigger = await fetch(`${api}/_local/sync/gists`, { method: "POST" });
    t.is(trigger.status, 200);
    t.like(await trigger.json(), { users: { octocat: "unchanged", hubot: "unchanged" } });


    const dynamoPort = Number(new URL(mode.outputs.dynamodbEndpoint!).port);
    t.true(await portOpen(dynamoPort));
    t.is(await stopLocalMode(mode), 0);
    t.false(await portOpen(port), "API stopped");
    t.false(await portOpen(port + 2), "website stopped");
    t.false(await portOpen(dynamoPort), "DynamoDB Local stopped");

    mode = await startLocalMode({ PORT: String(port), SWITCHYARD_LOCAL_DIR: dir });
    t.deepEqual(await (await fetch(`${api}/messages`)).json(), { count: 1 }, "data kept across restarts");
    t.deepEqual(await (await fetch(`${api}/messages/${created.id}`)).json(), created);
    t.is(await stopLocalMode(mode), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial("npm start receives signed webhooks, forwards them, pushes them live, and replays the spool on demand", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-local-"));
  const port = await freeLocalModePort();
  const downstream = await startDownstream();
  const key = "my-local-signing-key";
  const mode = await startLocalMode({ PORT: String(port), SWITCHYARD_LOCAL_DIR: dir, CALENDLY_SIGNING_KEY: key, REPLAY_TOKEN: "my-replay-token", FORWARD_URL: downstream.url, REPLAY_INTERVAL_SECONDS: "3600" });
  try {
    t.is(mode.outputs.webhookUrl, `http://127.0.0.1:${port}/webhooks/calendly`);
    t.is(mode.outputs.liveUrl, `ws://127.0.0.1:${port + 1}`);
    t.regex(mode.output(), /Forwarding webhooks to http:\/\/127\.0\.0\.1:\d+\/hooks/);
    const socket = new WebSocket(mode.outputs.liveUrl!);
    const pushed: any[] = [];
    socket.on("message", (data) => pushed.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => (socket.once("open", resolve), socket.once("error", reject)));

    const send = (body: unknown, signWith = key) => {
      const text = JSON.stringify(body);
      return fetch(mode.outputs.webhookUrl!, {
        method: "POST",
        headers: { "content-type": "application/json", "calendly-webhook-signature": signCalendlyBody(text, signWith, Math.floor(Date.now() / 1000)) },
        body: text,
      });
    };
    const until = async (what: () => boolean) => {
      for (const deadline = Date.now() + 10_000; !what() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
      return what();
    };

    const booking = newBooking();
    const accepted = await send(inviteeEvent("invitee.created", booking));
    t.is(accepted.status, 201);
    const { id } = (await accepted.json()) as { id: string };
    t.is((await send(inviteeEvent("invitee.created", newBooking()), "not-the-key")).status, 401);
    // The meetings table is a projection of the events stream: it catches up within moments.
    let meetings: { id: string; status: string }[] = [];
    for (const deadline = Date.now() + 10_000; meetings.length === 0 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      meetings = ((await (await fetch(mode.outputs.meetingsUrl!)).json()) as { items: typeof meetings }).items;
    }
    t.like(meetings[0], { id: booking.meetingId, status: "active" });
    t.true(await until(() => downstream.keys().has(id)), "forwarded");
    t.true(await until(() => pushed.some((m) => m.meeting?.id === booking.meetingId)), "pushed live");

    await downstream.goOffline();
    const later = (await (await send(inviteeEvent("invitee.canceled", booking))).json()) as { id: string };
    // The forwarder retries, then spools: wait until the spool (in the printed s3rver) holds it.
    const s3 = new S3Client({ endpoint: mode.outputs.s3Endpoint, region: "us-east-1", forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
    const spooled = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_SPOOL_BUCKET, Prefix: "spool/" }))).KeyCount ?? 0) > 0;
    let parked = false;
    for (const deadline = Date.now() + 15_000; !parked && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) parked = await spooled();
    t.true(parked, "spooled while the downstream is down");
    t.false(downstream.keys().has(later.id));
    await downstream.listen();
    const replay = (token: string) => fetch(`${mode.outputs.apiUrl}/webhooks/calendly/replay`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    t.is((await replay("wrong")).status, 401);
    const replayed = await replay("my-replay-token");
    t.like(await replayed.json(), { replayed: 1, remaining: false });
    t.true(downstream.keys().has(later.id));
    t.false(await spooled(), "the spool is empty after the replay");
    s3.destroy();
    socket.close();
  } finally {
    await stopLocalMode(mode);
    await downstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial("npm start runs the Stripe stand-in on PORT+4, delivering a paid session's signed webhook to POST /webhooks/stripe, stored once", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-local-"));
  const port = await freeLocalModePort();
  const mode = await startLocalMode({ PORT: String(port), SWITCHYARD_LOCAL_DIR: dir, STRIPE_WEBHOOK_SECRET: "whsec_my_local_secret" });
  try {
    t.is(mode.outputs.stripeWebhookUrl, `http://127.0.0.1:${port}/webhooks/stripe`);
    t.is(mode.outputs.stripeApiUrl, `http://127.0.0.1:${port + 4}`);
    t.regex(mode.output(), /Stripe endpoint secret: from STRIPE_WEBHOOK_SECRET/);
    t.false(mode.output().includes("whsec_my_local_secret"), "a secret set by the user is not printed");
    t.regex(mode.output(), new RegExp(`Stripe stand-in: .* takes secret key ${LOCAL_STRIPE_SECRET_KEY} \\(local default`));
    const created = await fetch(`${mode.outputs.stripeApiUrl}/v1/checkout/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${LOCAL_STRIPE_SECRET_KEY}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        mode: "payment",
        "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][unit_amount]": "900",
        "line_items[0][price_data][product_data][name]": "Ticket",
        "line_items[0][quantity]": "1",
        success_url: `http://127.0.0.1:${port + 2}/events/`,
        client_reference_id: "inv_mode",
      }),
    });
    const session = (await created.json()) as { id: string; url: string };
    t.is((await fetch(session.url, { method: "POST", redirect: "manual" })).status, 303);
    const db = new DynamoDBClient({ endpoint: mode.outputs.dynamodbEndpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
    const stored = async () => (await db.send(new ScanCommand({ TableName: "switchyard-local-stripe-events", ConsistentRead: true }))).Items ?? [];
    const deadline = Date.now() + 15_000;
    while ((await stored()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const items = await stored();
    t.is(items.length, 1);
    t.is(items[0]!.type!.S, "checkout.session.completed");
    t.is(JSON.parse(items[0]!.body!.S!).data.object.id, session.id);
    t.is(await stopLocalMode(mode), 0);
    t.false(await portOpen(port + 4), "the Stripe stand-in stopped");
  } finally {
    if (mode.child.exitCode === null) await stopLocalMode(mode);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("npm start on a taken port says so in one line", async (t) => {
  const blocker = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => blocker.once("listening", resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const error = await t.throwsAsync(startLocalMode({ PORT: String(port) }));
    t.is((error as any).code, 1);
    t.regex((error as any).text, new RegExp(`^npm start: Port ${port} is already in use: stop what holds it, or run PORT=<other> npm start\\.\\n$`));
  } finally {
    blocker.close();
  }
});

test("npm start when the website's port (PORT+2) is taken says so in one line", async (t) => {
  const port = await freeLocalModePort();
  const blocker = createServer().listen(port + 2, "127.0.0.1");
  await new Promise((resolve) => blocker.once("listening", resolve));
  try {
    const error = await t.throwsAsync(startLocalMode({ PORT: String(port) }));
    t.is((error as any).code, 1);
    t.regex((error as any).text, new RegExp(`^npm start: Port ${port + 2} is already in use: stop what holds it, or run PORT=<other> npm start\\.\\n$`));
  } finally {
    blocker.close();
  }
});

test("npm start without Java names the install command", async (t) => {
  const port = await freeLocalModePort();
  const emptyPath = mkdtempSync(join(tmpdir(), "no-java-"));
  try {
    const error = await t.throwsAsync(startLocalMode({ PORT: String(port), PATH: emptyPath }));
    t.is((error as any).code, 1);
    t.regex((error as any).text, /^npm start: Java is needed for DynamoDB Local and was not found\. Install it with: sudo apt-get install -y default-jre-headless\n$/);
  } finally {
    rmSync(emptyPath, { recursive: true, force: true });
  }
});
