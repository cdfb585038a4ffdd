import type { Context, EventBridgeEvent } from "aws-lambda";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Observability } from "../shared/observability";
import type { RunStateStore } from "./run-state";

/** What every job run reports back (the schedule's target result, and the local CLI's output). */
export interface JobSummary {
  runId: string;
  counts: Record<string, number>;
  /**
   * Whether the run fully succeeded: it finished with no error in the run state (no user, source or
   * item failed, no rate limit left work undone). Set by `scheduledHandler`; `npm run sync` and the
   * Fargate task exit 1 when it is false.
   */
  ok?: boolean;
}

/**
 * A scheduled job as a Lambda handler: one run per EventBridge event (or manual invoke), the run
 * id as correlation id in every log line, the job's metrics plus `freshnessMinutes` (minutes since
 * the last successful run; 0 right after one) flushed at the end. A run that fails throws, so the
 * target's retry policy and dead-letter queue see it.
 */
export function scheduledHandler<S extends JobSummary>(obs: Observability, state: RunStateStore, run: (runId: string) => Promise<S>) {
  return async (event?: Partial<EventBridgeEvent<string, unknown>>, context?: Partial<Context>): Promise<S> => {
    const started = performance.now();
    const runId = event?.id ?? context?.awsRequestId ?? `manual-${Date.now()}`;
    if (context?.awsRequestId) obs.logger.addContext(context as Context);
    obs.logger.setCorrelationId(runId);
    try {
      const summary = await run(runId);
      const finished = await state.run();
      const result = { ...summary, ok: finished.runId === runId && !finished.lastError };
      obs.logger[result.ok ? "info" : "warn"]("sync run finished", { summary: result as unknown as Record<string, unknown>, durationMs: Math.round(performance.now() - started) });
      return result;
    } finally {
      const { lastSuccess } = await state.run();
      const freshness = lastSuccess ? (Date.now() - Date.parse(lastSuccess)) / 60_000 : -1;
      if (freshness >= 0) obs.metrics.addMetric("freshnessMinutes", MetricUnit.Count, Math.round(freshness * 10) / 10);
      if (obs.metrics.hasStoredMetrics()) obs.metrics.publishStoredMetrics();
    }
  };
}
