// What the Pipedrive, Airtable and Badgr stand-ins share: a loopback HTTP server that parses
// the query and a JSON or form body, logs every request with the status it got, answers
// failures queued with `failNext` before the service logic runs, drops the connection after the
// service logic committed a request (`dropAfterCommit`), and closes cleanly.
import { createServer, type IncomingHttpHeaders } from "node:http";
import { readBody } from "../emulators/read-body";

/** A request as the stand-in saw it; `query` holds a string, or an array for repeated keys. */
export interface StandInRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON or form body; the raw text for other types; absent when empty. */
  body?: unknown;
}

export interface RecordedRequest extends StandInRequest {
  /** The status answered; 0 when the connection was dropped without an answer. */
  status: number;
}

/** What the service logic sees: the request plus what it needs to answer it. */
export interface HandledRequest extends StandInRequest {
  params: URLSearchParams;
  /** True when the body claims to be JSON and does not parse. */
  malformedJson: boolean;
  /** `http://<host header>`: the base for absolute links, whatever host the client used. */
  origin: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are (e.g. a gateway's HTML error page). */
  body?: unknown;
}

export type RequestMatch = (req: StandInRequest) => boolean;

export interface StandIn {
  url: string;
  /** Every request in arrival order, with the status it was answered with. */
  requests: RecordedRequest[];
  /** Answer the next `count` requests that `match` (default: any) with `response`, skipping the service logic. */
  failNext(count: number, response: Reply, match?: RequestMatch): void;
  /**
   * Let the next `count` requests that `match` do their work (a create is committed), then close
   * the connection without an answer: the client cannot tell whether it happened.
   */
  dropAfterCommit(count: number, match?: RequestMatch): void;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  return query;
}

function parseBody(raw: string, contentType: string): { body?: unknown; malformedJson: boolean } {
  if (raw === "") return { malformedJson: false };
  if (/\bjson\b/i.test(contentType)) {
    try {
      return { body: JSON.parse(raw), malformedJson: false };
    } catch {
      return { body: raw, malformedJson: true };
    }
  }
  if (/application\/x-www-form-urlencoded/i.test(contentType)) return { body: queryObject(new URLSearchParams(raw)), malformedJson: false };
  return { body: raw, malformedJson: false };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({ status, headers, body });

/** Starts a stand-in on 127.0.0.1 (a random port unless given) that answers with `handle`. */
export function startStandIn(name: string, port: number | undefined, handle: (req: HandledRequest) => Reply | Promise<Reply>): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  const failures: { remaining: number; response: Reply; match: RequestMatch }[] = [];
  const drops: { remaining: number; match: RequestMatch }[] = [];

  const server = createServer(async (req, res) => {
    let recorded: RecordedRequest | undefined;
    let reply: Reply;
    let drop = false;
    try {
      const raw = await readBody(req, MAX_BODY);
      if (raw === "too-large") throw new Error("request body too large");
      const url = new URL(req.url ?? "/", "http://stand-in");
      const { body, malformedJson } = parseBody(raw.toString("utf8"), req.headers["content-type"] ?? "");
      const request: StandInRequest = { method: (req.method ?? "GET").toUpperCase(), path: url.pathname, query: queryObject(url.searchParams), headers: req.headers };
      if (body !== undefined) request.body = body;
      recorded = { ...request, status: 0 };
      requests.push(recorded);
      const failure = failures.find((f) => f.match(request));
      if (failure) {
        if (--failure.remaining === 0) failures.splice(failures.indexOf(failure), 1);
        reply = failure.response;
      } else {
        reply = await handle({ ...request, params: url.searchParams, malformedJson, origin: `http://${req.headers.host ?? "127.0.0.1"}` });
        const dropping = drops.find((d) => d.match(request));
        if (dropping) {
          if (--dropping.remaining === 0) drops.splice(drops.indexOf(dropping), 1);
          drop = true;
        }
      }
    } catch (error) {
      console.error(`${name} stand-in:`, error);
      reply = json(500, { error: "stand-in failure" });
    }
    if (recorded) recorded.status = drop ? 0 : reply.status;
    if (drop) {
      res.socket?.destroy();
      return;
    }
    const headers: Record<string, string> = { ...reply.headers };
    let payload: string | undefined;
    if (typeof reply.body === "string") payload = reply.body;
    else if (reply.body !== undefined) {
      payload = JSON.stringify(reply.body);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
    }
    res.writeHead(reply.status, headers).end(payload);
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      const { port: bound } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${bound}`,
        requests,
        failNext(count, response, match = () => true) {
          if (!Number.isInteger(count) || count < 1) throw new Error("failNext: count must be a positive integer");
          failures.push({ remaining: count, response, match });
        },
        dropAfterCommit(count, match = () => true) {
          if (!Number.isInteger(count) || count < 1) throw new Error("dropAfterCommit: count must be a positive integer");
          drops.push({ remaining: count, match });
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** The bearer token of an `Authorization` header, if any. */
export function bearer(headers: IncomingHttpHeaders): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "")?.[1]?.trim();
}

/** Opaque cursors: base64url JSON; undefined for anything that is not a JSON object. */
export const encodeCursor = (value: Record<string, unknown>) => Buffer.from(JSON.stringify(value)).toString("base64url");
export function decodeCursor(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
