// What `switchyard:observability` changes, in one place: one profile per level. The component reads
// its profile (alarms, dashboard, health check); the program applies the program-wide part (custom
// metrics off) once, before any component, with `applyObservabilityProfile`.
import { disableCustomMetrics } from "../custom-metrics";
import type { ObservabilityLevel } from "../stack-config";

/** How often the health check requests the website and `GET /health` (full observability). */
export const HEALTH_CHECK_SCHEDULE = "rate(5 minutes)";
/** How often it does with lean observability: its failures are Lambda errors there, not custom metrics. */
export const LEAN_HEALTH_CHECK_SCHEDULE = "rate(15 minutes)";

/**
 * A group of alarms, by what it watches (components/observability/alarms.ts creates each):
 * - `api`: the HTTP API's 5xx rate (metric math) and p99 latency;
 * - `api5xx`: any 5xx of the HTTP API (one plain count: lean);
 * - `functions`: each function's error rate (metric math);
 * - `allFunctionsErrors`: any error of any function in the region (Lambda's dimensionless `Errors`: lean);
 * - `deadLetters`: each dead-letter queue not empty;
 * - `queues`: each work queue's backlog and the webhook spool's age;
 * - `syncs`: each sync stale for two intervals;
 * - `health`: each health-check target down (its custom metric);
 * - `site`: CloudFront's 5xx rate (in us-east-1, with its own topic).
 */
export type AlarmGroup = "api" | "api5xx" | "functions" | "allFunctionsErrors" | "deadLetters" | "queues" | "syncs" | "health" | "site";

/** Everything one observability level decides. */
export interface ObservabilityProfile {
  /** Example: `"lean"`. */
  level: ObservabilityLevel;
  /**
   * Whether the handlers publish Embedded Metric Format custom metrics. `false` registers
   * `disableCustomMetrics()` (components/custom-metrics.ts) in `applyObservabilityProfile`.
   * Example: `false` (lean: no custom metric exists at idle).
   */
  customMetrics: boolean;
  /** The alarms, by group, in creation order. Example: `["allFunctionsErrors", "api5xx", "deadLetters"]`. */
  alarms: readonly AlarmGroup[];
  /**
   * Which dashboard (components/observability/dashboard.ts): `full` (SEARCH over EMF metrics, per
   * function and table) or `lean` (at most 50 metrics, no SEARCH, no EMF). Example: `"lean"`.
   */
  dashboard: "full" | "lean";
  healthCheck: {
    /** Example: `"rate(5 minutes)"`. */
    schedule: string;
    /**
     * A target that is down fails the invocation (FAIL_WHEN_UNHEALTHY), so it counts in Lambda's
     * free `Errors` metric. Example: `true` (lean, where the check publishes no metric).
     */
    failWhenUnhealthy: boolean;
    /**
     * Lambda's retries of a failed asynchronous invocation (a `FunctionEventInvokeConfig`); the
     * default (two) when unset. Example: `0` (one failed check, one error; the next run is the retry).
     */
    asyncRetries?: number;
  };
}

/** The profiles by level. */
export const OBSERVABILITY_PROFILES: Readonly<Record<ObservabilityLevel, ObservabilityProfile>> = {
  /**
   * Prod (the default): error-rate alarms per function by metric math, API latency, queue backlog
   * and spool age, sync staleness, health-target and CloudFront alarms, the full dashboard, and a
   * health check every 5 minutes publishing availability and latency as EMF custom metrics.
   */
  full: {
    level: "full",
    customMetrics: true,
    alarms: ["api", "functions", "deadLetters", "queues", "syncs", "health", "site"],
    dashboard: "full",
    healthCheck: { schedule: HEALTH_CHECK_SCHEDULE, failWhenUnhealthy: false },
  },
  /**
   * Dev: CloudWatch's always-free tier (10 custom metrics, 10 alarm metrics, 3 dashboards of up to
   * 50 metrics). No custom metrics; alarms on the region-wide `AWS/Lambda` `Errors` metric, the
   * API's 5xx count and each dead-letter queue; the lean dashboard; a health check every 15 minutes
   * that publishes nothing and fails its invocation (a Lambda error) when a target is down, not retried.
   */
  lean: {
    level: "lean",
    customMetrics: false,
    alarms: ["allFunctionsErrors", "api5xx", "deadLetters"],
    dashboard: "lean",
    healthCheck: { schedule: LEAN_HEALTH_CHECK_SCHEDULE, failWhenUnhealthy: true, asyncRetries: 0 },
  },
};

/** The profile of a level. Example: `observabilityProfile("lean").healthCheck.schedule` → `"rate(15 minutes)"`. */
export function observabilityProfile(level: ObservabilityLevel = "full"): ObservabilityProfile {
  return OBSERVABILITY_PROFILES[level];
}

/**
 * Applies the program-wide part of a level's profile and returns the profile: with `lean`, a stack
 * transform that keeps every Lambda function and Fargate task created from then on from publishing
 * custom metrics. A stack transform covers only resources registered after it: call this once, at
 * the top of the program, before any component (the ObservabilityDashboard, created last, reads the
 * rest of the profile from its `level`).
 *
 * @example
 * ```ts
 * applyObservabilityProfile(config.observability);
 * // … the components …
 * new ObservabilityDashboard("observability", { ...args, level: config.observability });
 * ```
 */
export function applyObservabilityProfile(level: ObservabilityLevel = "full"): ObservabilityProfile {
  const profile = observabilityProfile(level);
  if (!profile.customMetrics) disableCustomMetrics();
  return profile;
}
