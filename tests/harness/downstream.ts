// A stand-in for the app webhooks are forwarded to: records deliveries by idempotency key and
// can be switched down (503, or not listening at all), to refusing (400), or to throttling once.
import { createServer, type Server } from "node:http";

export type DownstreamMode = "up" | "unavailable" | "refusing" | "throttle-once";

export interface Delivery {
  key: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface TestDownstream {
  url: string;
  mode: DownstreamMode;
  /** Every request that got a 2xx, in arrival order (duplicates included). */
  accepted: Delivery[];
  /** Count of requests answered with anything but 2xx. */
  refused: number;
  /** Unique idempotency keys accepted. */
  keys(): Set<string>;
  /** Stop listening (connection refused) until `listen()`. */
  goOffline(): Promise<void>;
  listen(): Promise<void>;
  close(): Promise<void>;
}

export async function startDownstream(port = 0): Promise<TestDownstream> {
  let server: Server | undefined;
  let boundPort = port;
  let throttled = false;
  const state: TestDownstream = {
    url: "",
    mode: "up",
    accepted: [],
    refused: 0,
    keys: () => new Set(state.accepted.map((d) => d.key)),
    goOffline: async () => {
      if (!server) return;
      const s = server;
      server = undefined;
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    },
    listen: async () => {
      server = createServer((req, res) => {
        let text = "";
        req.on("data", (c) => (text += c));
        req.on("end", () => {
          const answer = (status: number, headers: Record<string, string> = {}) => {
            if (status >= 300) state.refused++;
            res.writeHead(status, headers).end();
          };
          if (state.mode === "unavailable") return answer(503);
          if (state.mode === "refusing") return answer(400);
          if (state.mode === "throttle-once" && !throttled) {
            throttled = true;
            return answer(429, { "retry-after": "1" });
          }
          state.accepted.push({ key: String(req.headers["idempotency-key"]), headers: req.headers, body: JSON.parse(text) });
          answer(200);
        });
      });
      await new Promise<void>((resolve) => server!.listen(boundPort, "127.0.0.1", resolve));
      boundPort = (server!.address() as { port: number }).port;
      state.url = `http://127.0.0.1:${boundPort}/hooks`;
    },
    close: () => state.goOffline(),
  };
  await state.listen();
  return state;
}
