// `npm start` as a person uses it: a child process serving the API on a port, curl-able.
import test from "ava";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../local/dynamodb-local";
import { ROOT } from "./harness/stacks";

interface LocalMode {
  child: ChildProcess;
  outputs: Record<string, string>;
  output: () => string;
  exit: Promise<number | null>;
}

function startLocalMode(env: Record<string, string>): Promise<LocalMode> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "local", "start.ts")], {
    cwd: ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
  });
  let text = "";
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      text += d;
      if (text.includes("Ctrl-C stops everything.")) {
        const outputs = Object.fromEntries([...text.matchAll(/^ {2}(\w+)\s+(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
        resolve({ child, outputs, output: () => text, exit });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (d) => (text += d));
    exit.then((code) => reject(Object.assign(new Error(`local mode exited with ${code}: ${text}`), { code, text })));
  });
}

async function stopLocalMode(mode: LocalMode) {
  mode.child.kill("SIGINT");
  return mode.exit;
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

test.serial("npm start serves the API like a stack: create, get, count, list, errors, CORS; data survives a restart; Ctrl-C stops everything", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-local-"));
  const port = await freePort();
  try {
    let mode = await startLocalMode({ PORT: String(port), SWITCHYARD_LOCAL_DIR: dir });
    const api = `http://127.0.0.1:${port}`;
    t.is(mode.outputs.apiUrl, api);
    t.is(mode.outputs.messagesUrl, `${api}/messages`);
    t.is(mode.outputs.messagesTable, "switchyard-local-messages");

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

    const dynamoPort = Number(new URL(mode.outputs.dynamodbEndpoint!).port);
    t.true(await portOpen(dynamoPort));
    t.is(await stopLocalMode(mode), 0);
    t.false(await portOpen(port), "API stopped");
    t.false(await portOpen(dynamoPort), "DynamoDB Local stopped");

    mode = await startLocalMode({ PORT: String(port), SWITCHYARD_LOCAL_DIR: dir });
    t.deepEqual(await (await fetch(`${api}/messages`)).json(), { count: 1 }, "data kept across restarts");
    t.deepEqual(await (await fetch(`${api}/messages/${created.id}`)).json(), created);
    t.is(await stopLocalMode(mode), 0);
  } finally {
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

test("npm start without Java names the install command", async (t) => {
  const port = await freePort();
  const emptyPath = mkdtempSync(join(tmpdir(), "no-java-"));
  try {
    const error = await t.throwsAsync(startLocalMode({ PORT: String(port), PATH: emptyPath }));
    t.is((error as any).code, 1);
    t.regex((error as any).text, /^npm start: Java is needed for DynamoDB Local and was not found\. Install it with: sudo apt-get install -y default-jre-headless\n$/);
  } finally {
    rmSync(emptyPath, { recursive: true, force: true });
  }
});
