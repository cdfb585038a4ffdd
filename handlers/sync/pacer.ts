// Kept hand-written (#17): no maintained CommonJS pacer counts a request until its response arrived (p-throttle is ESM-only and counts starts; bottleneck's last release is 2019); 40 lines, no dependency.
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Keeps a caller under "at most `limit` requests per `windowMs`" (a sliding window) without ever
 * learning the limit the hard way. A request counts from when it starts until `windowMs` after its
 * response arrived: the server saw it no later than that, so the window it counts is never fuller
 * than ours, whatever the latency. `marginMs` absorbs clock and timer jitter.
 */
export class Pacer {
  /** When recent requests finished, oldest first. */
  private readonly finished: number[] = [];
  private inFlight = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs = 1000,
    private readonly marginMs = 25,
  ) {
    if (!(limit >= 1)) throw new Error(`Pacer: limit must be at least 1, not ${limit}`);
  }

  /** Runs `request` once the window has room for it. */
  async run<T>(request: () => Promise<T>): Promise<T> {
    for (;;) {
      const now = Date.now();
      const span = this.windowMs + this.marginMs;
      while (this.finished.length && this.finished[0]! <= now - span) this.finished.shift();
      if (this.finished.length + this.inFlight < this.limit) break;
      // Full: wait for the oldest finished request to leave the window (or for one in flight to finish).
      await sleep(this.finished.length ? this.finished[0]! + span - now + 1 : 10);
    }
    this.inFlight++;
    try {
      return await request();
    } finally {
      this.inFlight--;
      this.finished.push(Date.now());
    }
  }
}
