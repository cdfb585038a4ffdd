// The local WebSocket API stand-in, driven by a real `ws` client and the real Management API SDK client.
import test from "ava";
import { connect } from "node:net";
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import WebSocket from "ws";
import { startWebSocketGateway, type WsEvent, type WsHandler } from "../../local/emulators/websocket-gateway";

const managementClient = (endpoint: string) =>
  new ApiGatewayManagementApiClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });

interface Client {
  ws: WebSocket;
  next(): Promise<string>;
  closed: Promise<number>;
}

/** Opens a client and queues what it receives, so a test can await messages in order. */
function open(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const ws = new WebSocket(url, { headers });
  const queue: string[] = [];
  const waiting: ((text: string) => void)[] = [];
  ws.on("message", (data) => {
    const text = data.toString();
    const waiter = waiting.shift();
    if (waiter) waiter(text);
    else queue.push(text);
  });
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const queued = queue.shift();
      if (queued !== undefined) return resolve(queued);
      const timer = setTimeout(() => reject(new Error("no message within 2 s")), 2000);
      waiting.push((text) => (clearTimeout(timer), resolve(text)));
    });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, next, closed }));
    ws.once("error", reject);
  });
}

/** A promise for the next call of a route, and the handler that resolves it. */
function recorder(result?: { statusCode?: number; body?: string }) {
  const events: WsEvent[] = [];
  let signal: (() => void) | undefined;
  const handler: WsHandler = async (event) => {
    events.push(event);
    signal?.();
    return result;
  };
  const called = (count = 1) =>
    new Promise<void>((resolve) => {
      if (events.length >= count) return resolve();
      signal = () => events.length >= count && resolve();
    });
  return { events, handler, called };
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

test("$connect gets the connection id, headers and query string; connections() and GetConnection see it", async (t) => {
  const onConnect = recorder();
  const gateway = await startWebSocketGateway({ routes: { $connect: onConnect.handler } });
  t.teardown(() => gateway.close());
  t.regex(gateway.url, /^ws:\/\/127\.0\.0\.1:\d+\/$/);
  t.regex(gateway.managementEndpoint, /^http:\/\/127\.0\.0\.1:\d+$/);

  const client = await open(`${gateway.url}?room=lobby&token=abc`, { Authorization: "Bearer x", "User-Agent": "switchyard-test" });
  const [event] = onConnect.events;
  const ctx = event!.requestContext;
  t.regex(ctx.connectionId, /^[A-Za-z0-9]{15}=$/);
  t.like(ctx, { routeKey: "$connect", eventType: "CONNECT", stage: "local", apiId: "local", messageDirection: "IN", domainName: new URL(gateway.managementEndpoint).host });
  t.truthy(ctx.requestId);
  t.true(Math.abs(ctx.connectedAt - Date.now()) < 5000);
  t.is(event!.headers?.Authorization, "Bearer x");
  t.is(event!.headers?.["User-Agent"], "switchyard-test");
  t.deepEqual(event!.queryStringParameters, { room: "lobby", token: "abc" });
  t.deepEqual(gateway.connections(), [ctx.connectionId]);

  const info = await managementClient(gateway.managementEndpoint).send(new GetConnectionCommand({ ConnectionId: ctx.connectionId }));
  t.is(info.Identity?.SourceIp, "127.0.0.1");
  t.is(info.Identity?.UserAgent, "switchyard-test");
  t.true(info.ConnectedAt instanceof Date && info.LastActiveAt instanceof Date);
  client.ws.close();
});

test("a $connect answering 401 (or throwing) refuses the upgrade with that status", async (t) => {
  let fail = false;
  const gateway = await startWebSocketGateway({
    routes: {
      $connect: async (event) => {
        if (fail) throw new Error("boom (expected in this test)");
        return event.queryStringParameters?.token === "good" ? { statusCode: 200 } : { statusCode: 401, body: JSON.stringify({ message: "Unauthorized" }) };
      },
    },
  });
  t.teardown(() => gateway.close());
  const refused = (url: string) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.on("error", () => {}); // terminate() while still connecting reports an error; not the point here
      ws.once("unexpected-response", (_req, res) => (resolve(res.statusCode ?? 0), res.resume(), ws.terminate()));
      ws.once("open", () => reject(new Error("the upgrade was accepted")));
    });
  t.is(await refused(`${gateway.url}?token=bad`), 401);
  t.deepEqual(gateway.connections(), []);
  const ok = await open(`${gateway.url}?token=good`);
  t.is(gateway.connections().length, 1);
  ok.ws.close();
  fail = true;
  const original = console.error;
  console.error = () => {};
  try {
    t.is(await refused(`${gateway.url}?token=good`), 500);
  } finally {
    console.error = original;
  }
});

test("messages route by `action`, fall back to $default, and a returned body reaches the client; errors answer like API Gateway", async (t) => {
  const seen: WsEvent[] = [];
  const gateway = await startWebSocketGateway({
    routes: {
      sendMessage: async (event) => (seen.push(event), { statusCode: 200, body: `echo:${JSON.parse(event.body!).text}` }),
      silent: async (event) => void seen.push(event),
      broken: async () => {
        throw new Error("handler failure (expected in this test)");
      },
      $default: async (event) => (seen.push(event), { body: `default:${event.body}` }),
    },
  });
  t.teardown(() => gateway.close());
  const client = await open(gateway.url);

  client.ws.send(JSON.stringify({ action: "sendMessage", text: "hi" }));
  t.is(await client.next(), "echo:hi");
  client.ws.send(JSON.stringify({ action: "nope" }));
  t.is(await client.next(), 'default:{"action":"nope"}');
  client.ws.send("not json");
  t.is(await client.next(), "default:not json");
  client.ws.send(JSON.stringify({ action: "silent" }));
  client.ws.send(JSON.stringify({ action: "$connect" })); // never a message route
  t.is(await client.next(), 'default:{"action":"$connect"}');

  const original = console.error;
  console.error = () => {};
  try {
    client.ws.send(JSON.stringify({ action: "broken" }));
    const error = JSON.parse(await client.next());
    t.is(error.message, "Internal server error");
  } finally {
    console.error = original;
  }

  t.deepEqual(
    seen.map((e) => e.requestContext.routeKey),
    ["sendMessage", "$default", "$default", "silent", "$default"],
  );
  const [first] = seen;
  t.like(first!.requestContext, { eventType: "MESSAGE", routeKey: "sendMessage", stage: "local", connectionId: gateway.connections()[0] });
  t.truthy(first!.requestContext.messageId);
  t.is(first!.body, '{"action":"sendMessage","text":"hi"}');
  t.false(first!.isBase64Encoded);
  client.ws.close();
});

test("a custom routeSelectionKey; no $default answers Forbidden", async (t) => {
  const gateway = await startWebSocketGateway({ routeSelectionKey: "type", routes: { ping: async () => ({ body: "pong" }) } });
  t.teardown(() => gateway.close());
  const client = await open(gateway.url);
  client.ws.send(JSON.stringify({ type: "ping" }));
  t.is(await client.next(), "pong");
  client.ws.send(JSON.stringify({ action: "ping" }));
  t.like(JSON.parse(await client.next()), { message: "Forbidden", connectionId: gateway.connections()[0] });
  client.ws.close();
});

test("PostToConnection through the real SDK reaches the right client; a closed connection is GoneException", async (t) => {
  const onDisconnect = recorder();
  const ids: string[] = [];
  const gateway = await startWebSocketGateway({
    routes: { $connect: async (e) => void ids.push(e.requestContext.connectionId), $disconnect: onDisconnect.handler },
  });
  t.teardown(() => gateway.close());
  const alice = await open(gateway.url);
  const bob = await open(gateway.url);
  const [aliceId, bobId] = ids as [string, string];
  const api = managementClient(gateway.managementEndpoint);

  await api.send(new PostToConnectionCommand({ ConnectionId: bobId, Data: JSON.stringify({ to: "bob" }) }));
  await api.send(new PostToConnectionCommand({ ConnectionId: aliceId, Data: new TextEncoder().encode("to alice") }));
  t.is(await bob.next(), '{"to":"bob"}');
  t.is(await alice.next(), "to alice");

  // An endpoint with a stage path (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`) works too.
  await managementClient(`${gateway.managementEndpoint}/local`).send(new PostToConnectionCommand({ ConnectionId: aliceId, Data: "staged" }));
  t.is(await alice.next(), "staged");

  bob.ws.close();
  await onDisconnect.called();
  t.is(onDisconnect.events[0]!.requestContext.connectionId, bobId);
  t.is(onDisconnect.events[0]!.requestContext.eventType, "DISCONNECT");
  t.deepEqual(gateway.connections(), [aliceId]);
  const error = await t.throwsAsync(api.send(new PostToConnectionCommand({ ConnectionId: bobId, Data: "late" })));
  t.is(error?.name, "GoneException");
  t.is((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 410);
  const unknown = await t.throwsAsync(api.send(new GetConnectionCommand({ ConnectionId: "bm9zdWNoY29ubmVjdA=" })));
  t.is(unknown?.name, "GoneException");
  alice.ws.close();
});

test("DeleteConnection closes the socket and $disconnect runs", async (t) => {
  const onDisconnect = recorder();
  const gateway = await startWebSocketGateway({ routes: { $disconnect: onDisconnect.handler } });
  t.teardown(() => gateway.close());
  const client = await open(gateway.url);
  const [id] = gateway.connections() as [string];
  const api = managementClient(gateway.managementEndpoint);

  const result = await api.send(new DeleteConnectionCommand({ ConnectionId: id }));
  t.is(result.$metadata.httpStatusCode, 204);
  t.is(await client.closed, 1000);
  await onDisconnect.called();
  t.like(onDisconnect.events[0]!.requestContext, { routeKey: "$disconnect", eventType: "DISCONNECT", connectionId: id });
  t.deepEqual(gateway.connections(), []);
  const again = await t.throwsAsync(api.send(new DeleteConnectionCommand({ ConnectionId: id })));
  t.is(again?.name, "GoneException");
});

test("close() disconnects every client (running $disconnect for each) and frees the port", async (t) => {
  const onDisconnect = recorder();
  const gateway = await startWebSocketGateway({ routes: { $disconnect: onDisconnect.handler } });
  const port = Number(new URL(gateway.managementEndpoint).port);
  const clients = await Promise.all([open(gateway.url), open(gateway.url), open(gateway.url)]);
  const ids = gateway.connections().sort();
  t.is(ids.length, 3);
  // Keep an SDK keep-alive connection open too: close() must not hang on it.
  await managementClient(gateway.managementEndpoint).send(new GetConnectionCommand({ ConnectionId: ids[0]! }));

  await gateway.close();
  t.deepEqual(onDisconnect.events.map((e) => e.requestContext.connectionId).sort(), ids);
  t.deepEqual(gateway.connections(), []);
  t.deepEqual(await Promise.all(clients.map((c) => c.closed)), [1001, 1001, 1001]);
  t.false(await portOpen(port));
});
