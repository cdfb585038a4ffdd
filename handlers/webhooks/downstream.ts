import type { StoredEvent } from "./event-store";

/** How a delivery attempt ended. `retry` means try again later (spool it); `reject` means never (dead-letter it). */
export type DeliveryOutcome = { result: "delivered"; status: number } | { result: "retry"; reason: string } | { result: "reject"; reason: string };

export interface DownstreamOptions {
  url: string;
  /** Per-attempt timeout. Standard Webhooks suggests 15–30 s; Lambda time is money, so 10 s. */
  timeoutMs?: number;
  /** Retries within one delivery, with exponential backoff and full jitter. */
  retries?: number;
  /** First backoff step; doubled per retry, capped by `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** Statuses worth retrying (timeouts, throttling, server trouble); any other 4xx is final. */
const RETRYABLE = [408, 425, 429, 500, 502, 503, 504];

/**
 * Delivers events to the downstream URL with got: a timeout per attempt, retries with backoff
 * and jitter (honouring Retry-After), and `Idempotency-Key` / `webhook-id` set to the event id so
 * the downstream can drop the duplicates that at-least-once delivery implies.
 */
export class Downstream {
  private readonly options: Required<DownstreamOptions>;
  constructor(options: DownstreamOptions) {
    this.options = { timeoutMs: 10_000, retries: 2, baseDelayMs: 500, maxDelayMs: 5_000, ...options };
  }

  async deliver(event: StoredEvent): Promise<DeliveryOutcome> {
    // got is ESM-only; a dynamic import loads it from this CommonJS code (and from a Lambda bundle).
    const { default: got, HTTPError, RequestError } = await import("got");
    const { url, timeoutMs, retries, baseDelayMs, maxDelayMs } = this.options;
    try {
      const response = await got.post(url, {
        body: JSON.stringify(event.body),
        headers: {
          "content-type": "application/json",
          "idempotency-key": event.id,
          "webhook-id": event.id,
          "webhook-timestamp": String(Math.floor(Date.parse(event.receivedAt) / 1000)),
          "x-switchyard-source": event.source,
          "x-switchyard-event-type": event.type,
        },
        timeout: { request: timeoutMs },
        retry: {
          limit: retries,
          methods: ["POST"],
          statusCodes: RETRYABLE,
          maxRetryAfter: maxDelayMs,
          calculateDelay: ({ attemptCount, computedValue, error }) => {
            if (computedValue === 0) return 0; // got decided not to retry
            const retryAfter = Number(error.response?.headers["retry-after"]);
            if (retryAfter > 0) return Math.min(retryAfter * 1000, maxDelayMs);
            return Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attemptCount - 1));
          },
        },
        throwHttpErrors: true,
      });
      return { result: "delivered", status: response.statusCode };
    } catch (error) {
      if (error instanceof HTTPError) {
        const status = error.response.statusCode;
        // 410 Gone: the receiver asks us to stop (Standard Webhooks); other non-retryable 4xx are poison too.
        return RETRYABLE.includes(status) ? { result: "retry", reason: `HTTP ${status}` } : { result: "reject", reason: `HTTP ${status}` };
      }
      if (error instanceof RequestError) return { result: "retry", reason: error.code || error.message };
      throw error;
    }
  }
}
