import type { DynamoDBStreamEvent, DynamoDBBatchResponse } from "aws-lambda";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { createObservability, type Observability } from "../shared/observability";
import { Downstream, type DeliveryOutcome } from "./downstream";
import { DEAD_LETTER_PREFIX, Spool } from "./spool";
import type { StoredEvent } from "./event-store";
import { insertedEvents } from "./stream-records";

export interface ForwarderDeps {
  downstream: Downstream;
  spool: Spool;
  obs: Observability;
}

/** What the forwarder is built from. */
export interface ForwarderSettings {
  /** Example: `"https://app.example.com/hooks"`. */
  forwardUrl: string;
  /** Example: `"calendly-spool-fd1ea1b"`. */
  spoolBucket: string;
  /** Attempts after the first before an event is spooled. Example: `2`. */
  retries: number;
  /** First backoff between attempts, in ms (doubling). Example: `500`. */
  baseDelayMs: number;
}

export function forwarderDeps(service: string, settings: ForwarderSettings): ForwarderDeps {
  return {
    downstream: new Downstream({ url: settings.forwardUrl, retries: settings.retries, baseDelayMs: settings.baseDelayMs }),
    spool: new Spool(Spool.client(), settings.spoolBucket),
    obs: createObservability(service),
  };
}


/**
 * Records what happened to one delivery: gone downstream, parked in the spool for replay, or
 * parked under dead-letter/ when the downstream refused it for good. Shared with the replay.
 */
export async function settle(spool: Spool, obs: Observability, event: StoredEvent, outcome: DeliveryOutcome): Promise<void> {
  if (outcome.result === "delivered") {
    obs.metrics.addMetric("webhooksForwarded", MetricUnit.Count, 1);
    obs.logger.info("event forwarded", { eventId: event.id });
  } else if (outcome.result === "retry") {
    await spool.put(event, outcome.reason);
    obs.metrics.addMetric("webhooksSpooled", MetricUnit.Count, 1);
    obs.logger.warn("downstream unavailable; event spooled", { eventId: event.id, reason: outcome.reason });
  } else {
    await spool.put(event, outcome.reason, DEAD_LETTER_PREFIX);
    obs.metrics.addMetric("webhooksDeadLettered", MetricUnit.Count, 1);
    obs.logger.error("downstream refused event; dead-lettered", { eventId: event.id, reason: outcome.reason });
  }
}

/**
 * The events table's stream → the downstream. Off the request path, so the provider never waits.
 * A retryable failure spools the event (and the rest of the batch, without hammering a downstream
 * that is down); only if the spool itself fails is the record reported back, so Lambda retries it
 * and, past its retry limit, sends it to the mapping's dead-letter queue.
 */
export function forwarderHandler({ downstream, spool, obs }: ForwarderDeps) {
  return async (batch: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    let downstreamDown: string | undefined;
    try {
      for (const { sequence, event } of insertedEvents(batch)) {
        obs.logger.setCorrelationId(event.id);
        try {
          const outcome: DeliveryOutcome = downstreamDown ? { result: "retry", reason: downstreamDown } : await downstream.deliver(event);
          if (outcome.result === "retry") downstreamDown = `downstream down (${outcome.reason})`;
          await settle(spool, obs, event, outcome);
        } catch (error) {
          obs.logger.error("event neither delivered nor spooled; Lambda will retry", { eventId: event.id, error: error as Error });
          return { batchItemFailures: [{ itemIdentifier: sequence }] };
        }
      }
      return { batchItemFailures: [] };
    } finally {
      if (obs.metrics.hasStoredMetrics()) obs.metrics.publishStoredMetrics();
    }
  };
}
