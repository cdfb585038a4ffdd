import { createHash, timingSafeEqual } from "node:crypto";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { httpHandler, jsonResponse, type HttpEvent, type HttpResult } from "../shared/http";
import { createObservability, type Observability } from "../shared/observability";
import { HttpProblem } from "../shared/problem";
import type { SecretProvider } from "../shared/secret";
import { Downstream } from "./downstream";
import { settle } from "./forwarder";
import { SPOOL_PREFIX, Spool } from "./spool";

export interface ReplayDeps {
  downstream: Downstream;
  spool: Spool;
  obs: Observability;
  /** Bearer token for the on-demand route. */
  token: SecretProvider;
  /** Most events one run replays (the next run continues). */
  maxEvents: number;
}

export interface ReplaySummary {
  replayed: number;
  deadLettered: number;
  /** True when events are left: the downstream is still down, or the run hit maxEvents. */
  remaining: boolean;
  stoppedBecause?: string;
}

/** What the replay is built from. */
export interface ReplaySettings {
  /** Example: `"https://app.example.com/hooks"`. */
  forwardUrl: string;
  /** Example: `"calendly-spool-fd1ea1b"`. */
  spoolBucket: string;
  /** Bearer token of the on-demand route. Example: `secretFromEnv("REPLAY_TOKEN")`. */
  token: SecretProvider;
  /** Most events one run replays. Example: `500`. */
  maxEvents: number;
}

export function replayDeps(service: string, settings: ReplaySettings): ReplayDeps {
  return {
    // No retries within a run: the first retryable failure ends it (the downstream is still down).
    downstream: new Downstream({ url: settings.forwardUrl, retries: 0 }),
    spool: new Spool(Spool.client(), settings.spoolBucket),
    obs: createObservability(service),
    token: settings.token,
    maxEvents: settings.maxEvents,
  };
}

/**
 * Drains the spool oldest first. An event is deleted only after the downstream answered 2xx (or
 * after it was moved to dead-letter/ for a final refusal); the first retryable failure ends the run,
 * since the downstream is evidently still down.
 */
export async function replaySpool({ downstream, spool, obs, maxEvents }: ReplayDeps): Promise<ReplaySummary> {
  const summary: ReplaySummary = { replayed: 0, deadLettered: 0, remaining: false };
  const keys = await spool.list(maxEvents + 1);
  let done = 0;
  for (const key of keys.slice(0, maxEvents)) {
    const { event } = await spool.get(key);
    obs.logger.setCorrelationId(event.id);
    const outcome = await downstream.deliver(event);
    if (outcome.result === "retry") {
      summary.remaining = true;
      summary.stoppedBecause = outcome.reason;
      break;
    }
    await settle(spool, obs, event, outcome);
    await spool.delete(key);
    if (outcome.result === "delivered") summary.replayed++;
    else summary.deadLettered++;
    done++;
  }
  summary.remaining ||= keys.length > maxEvents;
  // How long the oldest event still in the spool has waited (0 when empty): the spool-age alarm.
  const oldestReceivedAt = keys[done]?.slice(SPOOL_PREFIX.length).split("/")[0];
  const oldestAgeSeconds = oldestReceivedAt ? Math.max(0, Math.round((Date.now() - Date.parse(oldestReceivedAt)) / 1000)) : 0;
  obs.metrics.addMetric("webhooksReplayed", MetricUnit.Count, summary.replayed);
  obs.metrics.addMetric("spoolOldestAgeSeconds", MetricUnit.Seconds, Number.isFinite(oldestAgeSeconds) ? oldestAgeSeconds : 0);
  obs.logger.info("spool replay finished", { ...summary });
  return summary;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * One function for both triggers: the EventBridge schedule (any non-HTTP event) and
 * `POST /webhooks/<source>/replay` with `Authorization: Bearer <replay token>`.
 */
export function replayHandler(deps: ReplayDeps) {
  const http = httpHandler(deps.obs, async (event: HttpEvent) => {
    // The scheme is case-insensitive (RFC 9110 §11.1): "bearer" and "BEARER" are Bearer.
    const given = /^Bearer\s+(.+)$/i.exec(event.headers?.authorization ?? "")?.[1]?.trim() ?? "";
    if (!timingSafeEqual(digest(given), digest(await deps.token()))) {
      throw new HttpProblem("unauthorized", "Send Authorization: Bearer <replay token>.");
    }
    return jsonResponse(200, await replaySpool(deps));
  });
  return async (event: HttpEvent | Record<string, unknown>): Promise<HttpResult | ReplaySummary> => {
    if ((event as HttpEvent).requestContext && "http" in ((event as HttpEvent).requestContext ?? {})) return http(event as HttpEvent);
    try {
      return await replaySpool(deps);
    } finally {
      if (deps.obs.metrics.hasStoredMetrics()) deps.obs.metrics.publishStoredMetrics();
    }
  };
}
