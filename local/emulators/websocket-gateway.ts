// Local stand-in for an API Gateway WebSocket API: gives each connection an id, runs the same
// $connect / $disconnect / route handlers Lambda runs with the events API Gateway builds, and
// serves the Management API (`/@connections/{id}`) on the same port, so handler code can use
// `ApiGatewayManagementApiClient` with `endpoint` set to `managementEndpoint`.
import { randomBytes } from "node:crypto";
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { APIGatewayEventWebsocketRequestContextV2, APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { readBody } from "./read-body";

export type WsEvent = APIGatewayProxyWebsocketEventV2 & {
  headers?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
};

export type WsHandler = (event: WsEvent, context?: unknown) => Promise<{ statusCode?: number; body?: string } | void>;

export interface WsRoutes {
  $connect?: WsHandler;
  $disconnect?: WsHandler;
  $default?: WsHandler;
  [routeKey: string]: WsHandler | undefined;
}

export interface WebSocketGatewayOptions {
  routes: WsRoutes;
  /**
   * The JSON field of incoming messages that selects the route, as `$request.body.<field>` does
   * for a WebSocket API's route selection expression. Default `"action"`.
   */
  routeSelectionKey?: string;
  host?: string;
  /** 0 or undefined: a random free port. */
  port?: number;
}

export interface RunningWebSocketGateway {
  /** `ws://host:port/` — where clients connect. */
  url: string;
  /** `http://host:port` — the `endpoint` for `ApiGatewayManagementApiClient`. */
  managementEndpoint: string;
  /** Ids of the open connections. */
  connections(): string[];
  /** Closes every socket (running `$disconnect` for each), then the server. */
  close(): Promise<void>;
}

const STAGE = "local";
/** API Gateway's WebSocket message and PostToConnection payload limit. */
const MAX_PAYLOAD = 128 * 1024;
/** How long close() waits for a client's closing handshake before cutting the socket. */
const CLOSE_GRACE_MS = 1000;

/** An id shaped like API Gateway's (`L0SM9cOFvHcCIhw=`): 11 random bytes in base64, kept URL-path-safe. */
function gatewayId(): string {
  for (;;) {
    const id = randomBytes(11).toString("base64");
    if (!/[+/]/.test(id)) return id;
  }
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");
/** `25/Nov/2026:21:03:18 +0000`, the format of `requestContext.requestTime`. */
function requestTime(d: Date): string {
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

interface Connection {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  domainName: string;
}

type RequestContext = APIGatewayEventWebsocketRequestContextV2 & {
  identity: { sourceIp: string; userAgent?: string };
  disconnectStatusCode?: number;
  disconnectReason?: string;
};

interface EventInput {
  routeKey: string;
  eventType: RequestContext["eventType"];
  connectionId: string;
  connectedAt: number;
  domainName: string;
  sourceIp: string;
  userAgent?: string;
  extra?: Partial<RequestContext>;
}

/** The event API Gateway sends a WebSocket route's integration; `rest` holds headers, body and the like. */
function websocketEvent(input: EventInput, rest: Omit<WsEvent, "requestContext"> & { multiValueHeaders?: Record<string, string[]> }): WsEvent & { requestContext: RequestContext } {
  const now = new Date();
  const requestId = gatewayId();
  const requestContext = {
    routeKey: input.routeKey,
    eventType: input.eventType,
    extendedRequestId: requestId,
    requestTime: requestTime(now),
    messageDirection: "IN",
    stage: STAGE,
    connectedAt: input.connectedAt,
    requestTimeEpoch: now.getTime(),
    identity: { sourceIp: input.sourceIp, ...(input.userAgent === undefined ? {} : { userAgent: input.userAgent }) },
    requestId,
    domainName: input.domainName,
    connectionId: input.connectionId,
    apiId: "local",
    // Only MESSAGE events carry a messageId (passed in `extra`), though the type insists on one.
    ...input.extra,
  } as RequestContext;
  return { ...rest, requestContext };
}

/** Headers as API Gateway passes them on `$connect`: names as the client sent them, repeats joined by commas. */
function upgradeHeaders(req: IncomingMessage): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) (multiValueHeaders[req.rawHeaders[i]!] ??= []).push(req.rawHeaders[i + 1]!);
  const headers = Object.fromEntries(Object.entries(multiValueHeaders).map(([k, v]) => [k, v.join(",")]));
  return { headers, multiValueHeaders };
}

function upgradeQuery(url: URL): { query?: Record<string, string>; multi?: Record<string, string[]> } {
  const multi: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) (multi[name] ??= []).push(value);
  if (!Object.keys(multi).length) return {};
  // API Gateway keeps the last value of a repeated parameter in queryStringParameters.
  return { query: Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v[v.length - 1]!])), multi };
}

function rejectUpgrade(socket: Duplex, statusCode: number, body: string | undefined) {
  if (socket.destroyed) return;
  const payload = body ?? JSON.stringify({ message: STATUS_CODES[statusCode] ?? "Error" });
  socket.end(
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? "Error"}\r\n` +
      `Connection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
  );
}

/** An error in the shape the SDK's REST-JSON protocol reads: the status, `x-amzn-errortype`, `{"message"}`. */
function sendError(res: ServerResponse, statusCode: number, errorType: string, message: string) {
  res.writeHead(statusCode, { "content-type": "application/json", "x-amzn-errortype": errorType, "x-amzn-requestid": gatewayId() });
  res.end(JSON.stringify({ message }));
}

/** `/@connections/{id}`, also under a stage prefix (`/local/@connections/{id}`) when the endpoint has one. */
const MANAGEMENT_PATH = /^(?:\/[^/]+)*?\/@connections\/([^/]+)\/?$/;

export function startWebSocketGateway(options: WebSocketGatewayOptions): Promise<RunningWebSocketGateway> {
  const { routes } = options;
  const selectionKey = options.routeSelectionKey ?? "action";
  const host = options.host ?? "127.0.0.1";
  const open = new Map<string, Connection>();
  const pendingUpgrades = new Set<Duplex>();
  const inFlight = new Set<Promise<unknown>>();
  let closing = false;

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    promise.then(
      () => inFlight.delete(promise),
      () => inFlight.delete(promise),
    );
    return promise;
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD });

  const postTo = (connection: Connection, text: string) => {
    if (connection.socket.readyState !== WebSocket.OPEN) return;
    connection.lastActiveAt = Date.now();
    connection.socket.send(text);
  };

  const onMessage = async (connection: Connection, data: RawData, isBinary: boolean) => {
    connection.lastActiveAt = Date.now();
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const body = isBinary ? buffer.toString("base64") : buffer.toString("utf8");
    let routeKey = "$default";
    if (!isBinary) {
      try {
        const parsed: unknown = JSON.parse(body);
        const selected = parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>)[selectionKey] : undefined;
        if (typeof selected === "string" && selected !== "$connect" && selected !== "$disconnect" && routes[selected]) routeKey = selected;
      } catch {
        // Not JSON: API Gateway sends it to $default.
      }
    }
    const event = websocketEvent(
      { routeKey, eventType: "MESSAGE", connectionId: connection.id, connectedAt: connection.connectedAt, domainName: connection.domainName, sourceIp: connection.sourceIp, extra: { messageId: gatewayId() } },
      { body, isBase64Encoded: isBinary },
    );
    const { connectionId, requestId } = event.requestContext;
    const handler = routes[routeKey];
    if (!handler) {
      postTo(connection, JSON.stringify({ message: "Forbidden", connectionId, requestId }));
      return;
    }
    try {
      const result = await handler(event);
      if (result && typeof result.body === "string") postTo(connection, result.body);
    } catch (error) {
      console.error(error);
      postTo(connection, JSON.stringify({ message: "Internal server error", connectionId, requestId }));
    }
  };

  const runDisconnect = async (connection: Omit<Connection, "socket">, code: number, reason: string) => {
    const handler = routes.$disconnect;
    if (!handler) return;
    const event = websocketEvent(
      {
        routeKey: "$disconnect",
        eventType: "DISCONNECT",
        connectionId: connection.id,
        connectedAt: connection.connectedAt,
        domainName: connection.domainName,
        sourceIp: connection.sourceIp,
        userAgent: connection.userAgent,
        extra: { disconnectStatusCode: code, disconnectReason: reason },
      },
      { isBase64Encoded: false },
    );
    try {
      await handler(event);
    } catch (error) {
      console.error(error);
    }
  };

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (closing) return rejectUpgrade(socket, 503, undefined);
    pendingUpgrades.add(socket);
    socket.on("error", () => socket.destroy());
    try {
      const url = new URL(req.url ?? "/", "http://local");
      const { headers, multiValueHeaders } = upgradeHeaders(req);
      const { query, multi } = upgradeQuery(url);
      const connection: Omit<Connection, "socket"> = {
        id: gatewayId(),
        connectedAt: Date.now(),
        lastActiveAt: Date.now(),
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: req.headers["user-agent"] ?? "",
        domainName: req.headers.host ?? `${host}:${(server.address() as { port: number }).port}`,
      };
      if (routes.$connect) {
        const event = websocketEvent(
          {
            routeKey: "$connect",
            eventType: "CONNECT",
            connectionId: connection.id,
            connectedAt: connection.connectedAt,
            domainName: connection.domainName,
            sourceIp: connection.sourceIp,
            userAgent: connection.userAgent,
          },
          { headers, multiValueHeaders, queryStringParameters: query, multiValueQueryStringParameters: multi, isBase64Encoded: false },
        );
        let statusCode: number;
        let body: string | undefined;
        try {
          const result = await routes.$connect(event);
          statusCode = result?.statusCode ?? 200;
          body = result?.body;
        } catch (error) {
          console.error(error);
          statusCode = 500;
          body = JSON.stringify({ message: "Internal server error" });
        }
        if (statusCode < 200 || statusCode > 299) return rejectUpgrade(socket, statusCode, body);
        if (socket.destroyed || closing) {
          // The client left (or the gateway is stopping) while $connect ran: the connection existed
          // for the handler, so give it its $disconnect.
          socket.destroy();
          await runDisconnect(connection, 1006, "Going away");
          return;
        }
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const live: Connection = { ...connection, socket: ws };
        open.set(live.id, live);
        ws.on("message", (data, isBinary) => void track(onMessage(live, data, isBinary)));
        ws.on("error", (error) => console.error(error));
        ws.once("close", (code, reason) => {
          open.delete(live.id);
          void track(runDisconnect(live, code, reason.toString()));
        });
      });
    } finally {
      pendingUpgrades.delete(socket);
    }
  };

  const onManagement = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? "GET").toUpperCase();
    const path = (req.url ?? "/").split("?")[0]!;
    const match = MANAGEMENT_PATH.exec(path);
    if (!match) {
      req.resume();
      if (method === "GET" && path === "/") {
        res.writeHead(426, { "content-type": "application/json", upgrade: "websocket", connection: "Upgrade" });
        res.end(JSON.stringify({ message: "Upgrade Required" }));
        return;
      }
      return sendError(res, 403, "ForbiddenException", "Forbidden");
    }
    let id: string;
    try {
      id = decodeURIComponent(match[1]!);
    } catch {
      return sendError(res, 400, "BadRequestException", "Invalid connection id");
    }
    const body = await readBody(req, MAX_PAYLOAD);
    const connection = open.get(id);
    const gone = () => sendError(res, 410, "GoneException", `Connection ${id} is gone`);
    if (!connection || connection.socket.readyState !== WebSocket.OPEN) return gone();

    if (method === "POST") {
      if (body === "too-large") return sendError(res, 413, "PayloadTooLargeException", "Message too long");
      connection.lastActiveAt = Date.now();
      // API Gateway delivers PostToConnection data as a text frame.
      const sent = await new Promise<boolean>((resolve) => connection.socket.send(body, { binary: false }, (error) => resolve(!error)));
      if (!sent) return gone();
      res.writeHead(200, { "content-type": "application/json", "content-length": "0" });
      res.end();
      return;
    }
    if (method === "GET") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          connectedAt: new Date(connection.connectedAt).toISOString(),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        }),
      );
      return;
    }
    if (method === "DELETE") {
      open.delete(id);
      connection.socket.close(1000, "Goodbye");
      res.writeHead(204);
      res.end();
      return;
    }
    return sendError(res, 403, "ForbiddenException", "Forbidden");
  };

  const server: Server = createServer((req, res) => {
    onManagement(req, res).catch((error) => {
      console.error(error);
      if (!res.headersSent) sendError(res, 500, "InternalServerErrorException", "Internal server error");
      else res.destroy();
    });
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Tracked so close() also waits for a $connect still running (and the $disconnect that follows).
    track(onUpgrade(req, socket, head)).catch((error) => {
      console.error(error);
      rejectUpgrade(socket, 500, undefined);
    });
  });

  const close = async () => {
    if (closing) return;
    closing = true;
    for (const socket of pendingUpgrades) socket.destroy();
    const closed = [...open.values()].map(
      (connection) =>
        new Promise<void>((resolve) => {
          const ws = connection.socket;
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
          ws.once("close", () => (clearTimeout(timer), resolve()));
          ws.close(1001, "Going away");
        }),
    );
    await Promise.all(closed);
    // $disconnect handlers and in-flight messages finish before close() returns.
    while (inFlight.size) await Promise.allSettled([...inFlight]);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      const { port } = server.address() as { port: number };
      resolve({
        url: `ws://${host}:${port}/`,
        managementEndpoint: `http://${host}:${port}`,
        connections: () => [...open.keys()],
        close,
      });
    });
  });
}
