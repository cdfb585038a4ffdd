// The live WebSocket: connects, reports its state, and reconnects with capped exponential backoff
// (1 s, 2 s, 4 s … 30 s, with jitter) until it is back; "reconnect now" and the browser coming back
// online skip the wait.

export type LiveState = { kind: "connecting" } | { kind: "live" } | { kind: "offline"; retryAt: number };

export interface LiveOptions {
  onState(state: LiveState): void;
  onMessage(data: unknown): void;
  /** Each successful (re)connect: the place to reload whatever a missed push may have changed. */
  onOpen(): void;
}

const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

export class LiveConnection {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private timer: number | undefined;

  constructor(
    private readonly url: string,
    private readonly options: LiveOptions,
  ) {
    window.addEventListener("online", () => this.reconnectNow());
  }

  connect(): void {
    window.clearTimeout(this.timer);
    this.timer = undefined;
    this.options.onState({ kind: "connecting" });
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.options.onState({ kind: "live" });
      this.options.onOpen();
    });
    socket.addEventListener("message", (event) => {
      if (this.socket !== socket || typeof event.data !== "string") return;
      try {
        this.options.onMessage(JSON.parse(event.data));
      } catch {
        // Not JSON: not one of ours; ignore it.
      }
    });
    // A failed connect fires `error` then `close`; a dropped one just `close`.
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.scheduleRetry();
    });
  }

  /** Drops any waiting and connects now (a no-op while connected or connecting). */
  reconnectNow(): void {
    if (this.socket) return;
    this.connect();
  }

  private scheduleRetry(): void {
    const backoff = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** this.attempt);
    const delay = Math.round(backoff * (0.8 + Math.random() * 0.4));
    this.attempt++;
    const retryAt = Date.now() + delay;
    this.options.onState({ kind: "offline", retryAt });
    this.timer = window.setTimeout(() => this.connect(), delay);
  }
}
