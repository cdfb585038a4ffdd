import type { Context, EventBridgeEvent } from "aws-lambda";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { z } from "zod";
import { defineFunction, setting, type EnvValues } from "../shared/function-definition";
import { createObservability, type Observability } from "../shared/observability";
import { POWERTOOLS_PACKAGES } from "../shared/packages";

/** Something the health check requests: a name (the metrics' `target` dimension) and a URL. */
export interface HealthTarget {
  name: string;
  url: string;
}

export interface HealthCheckResult {
  name: string;
  url: string;
  /** A 2xx answer within the timeout. */
  ok: boolean;
  /** The HTTP status; null when there was no answer (refused, timed out, DNS, TLS…). */
  status: number | null;
  /** From the request until the answer (or the failure). */
  latencyMs: number;
  /** Why there was no answer, or the status line of a non-2xx one. */
  error?: string;
}

export interface HealthCheckDeps {
  targets: HealthTarget[];
  timeoutMs: number;
  obs: Observability;
  /** Throw (after logging every result) when a target is not OK, so the invocation counts as a Lambda error. */
  failWhenUnhealthy?: boolean;
}

export const HEALTH_CHECK_TIMEOUT_DEFAULT_MS = 5000;

/** What TARGETS must be: a non-empty list of uniquely named http(s) URLs. */
export function healthCheckSchemas() {
  return {
    Targets: z
      .array(z.strictObject({ name: z.string().min(1).max(250), url: z.url({ protocol: /^https?$/ }) }))
      .min(1)
      .refine((targets) => new Set(targets.map((t) => t.name)).size === targets.length, "target names must be unique"),
    TimeoutMs: z.coerce.number().int().min(1).max(60_000),
    FailWhenUnhealthy: z.enum(["true", "false"]).optional(),
  };
}

/**
 * The health check's environment (the definition's, below), each key a setting the component (or
 * local mode) provides by logical name:
 * - `TARGETS` (`targets`): JSON `[{"name":"website","url":"https://…/"},{"name":"api","url":"https://…/health"}]`;
 * - `TIMEOUT_MS` (`timeoutMs`): per request, default 5000;
 * - `FAIL_WHEN_UNHEALTHY` (`failWhenUnhealthy`): `true` or `false` (the default; unset is `false`).
 */
const healthCheckEnv = {
  TARGETS: setting("targets"),
  TIMEOUT_MS: setting("timeoutMs", "text", { fallback: String(HEALTH_CHECK_TIMEOUT_DEFAULT_MS) }),
  FAIL_WHEN_UNHEALTHY: setting("failWhenUnhealthy", "text", { optional: true }),
};

/** The health check's typed environment, as its definition's `create` receives it. Example: `{ TARGETS: "[…]", TIMEOUT_MS: "5000", FAIL_WHEN_UNHEALTHY: undefined }`. */
export type HealthCheckEnv = EnvValues<typeof healthCheckEnv>;

/**
 * Validates the health check's settings (their text, as the definition reads them): TARGETS a
 * non-empty list of uniquely named http(s) URLs, TIMEOUT_MS 1 to 60000 ms, FAIL_WHEN_UNHEALTHY
 * `true` or `false`. Malformed values fail the cold start (a deploy bug).
 */
export function healthCheckDeps(service: string, env: HealthCheckEnv): HealthCheckDeps {
  const schemas = healthCheckSchemas();
  let raw: unknown;
  try {
    raw = JSON.parse(env.TARGETS);
  } catch (error) {
    throw new Error(`Environment variable TARGETS is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const targets = schemas.Targets.safeParse(raw);
  if (!targets.success) throw new Error(`Environment variable TARGETS is not [{"name","url"}]: ${targets.error.message}`);
  const timeoutMs = schemas.TimeoutMs.safeParse(env.TIMEOUT_MS);
  if (!timeoutMs.success) throw new Error(`Environment variable TIMEOUT_MS must be a whole number of milliseconds, 1 to 60000 (got "${env.TIMEOUT_MS}")`);
  const failWhenUnhealthy = schemas.FailWhenUnhealthy.safeParse(env.FAIL_WHEN_UNHEALTHY);
  if (!failWhenUnhealthy.success) throw new Error(`Environment variable FAIL_WHEN_UNHEALTHY must be "true" or "false" (got "${env.FAIL_WHEN_UNHEALTHY}")`);
  return { targets: targets.data, timeoutMs: timeoutMs.data, obs: createObservability(service), failWhenUnhealthy: failWhenUnhealthy.data === "true" };
}

/**
 * The scheduled health check (EventBridge, every 5 minutes): GETs every target in parallel (one
 * attempt, no retries, TIMEOUT_MS each) and records per target `healthCheckAvailable` (1 for a 2xx,
 * else 0) and `healthCheckLatencyMs`, each with the dimensions `service` and `target`, plus one
 * log line. A target that is down is a metric, not a failed invocation: this never throws for one —
 * unless `failWhenUnhealthy` (FAIL_WHEN_UNHEALTHY=true; lean observability, every 15 minutes, where
 * metrics are disabled): then, after logging every result, it throws an error naming the targets
 * that are down, so the failure is counted in the free `AWS/Lambda` `Errors` metric.
 */
export function healthCheckHandler(deps: HealthCheckDeps) {
  const { targets, timeoutMs, obs } = deps;
  return async (event?: Partial<EventBridgeEvent<string, unknown>>, context?: Partial<Context>): Promise<{ results: HealthCheckResult[] }> => {
    if (context?.awsRequestId) obs.logger.addContext(context as Context);
    obs.logger.setCorrelationId(event?.id ?? context?.awsRequestId ?? `manual-${Date.now()}`);
    // got is ESM-only; a dynamic import loads it from this CommonJS code (and from a Lambda bundle).
    const { got } = await import("got");
    const check = async ({ name, url }: HealthTarget): Promise<HealthCheckResult> => {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      try {
        const response = await got(url, {
          method: "GET",
          retry: { limit: 0 },
          throwHttpErrors: false,
          timeout: { request: timeoutMs },
          headers: { "user-agent": "switchyard-health-check" },
        });
        const latencyMs = elapsed();
        const ok = response.statusCode >= 200 && response.statusCode < 300;
        return { name, url, ok, status: response.statusCode, latencyMs, ...(ok ? {} : { error: `HTTP ${response.statusCode}` }) };
      } catch (error) {
        const latencyMs = elapsed();
        const { code, message } = error as { code?: string; message: string };
        return { name, url, ok: false, status: null, latencyMs, error: code ? `${code}: ${message}` : message };
      }
    };
    const results = await Promise.all(targets.map(check));
    try {
      for (const result of results) {
        const { name, url, status, latencyMs, ok, error } = result;
        if (ok) obs.logger.info("health check", { target: name, url, status, latencyMs, ok });
        else obs.logger.warn("health check", { target: name, url, status, latencyMs, ok, error });
        // One EMF document per target: its two datapoints carry `service` and its own `target`.
        obs.metrics.addDimension("target", name);
        obs.metrics.addMetric("healthCheckAvailable", MetricUnit.Count, ok ? 1 : 0);
        obs.metrics.addMetric("healthCheckLatencyMs", MetricUnit.Milliseconds, latencyMs);
        obs.metrics.publishStoredMetrics();
      }
    } finally {
      if (obs.metrics.hasStoredMetrics()) obs.metrics.publishStoredMetrics();
    }
    const down = results.filter((r) => !r.ok);
    if (deps.failWhenUnhealthy && down.length > 0) {
      throw new Error(`Health check failed: ${down.map((r) => `${r.name} ${r.error ?? "not OK"} (${r.url})`).join("; ")}`);
    }
    return { results };
  };
}

/**
 * The health check, written once: components/observability/health-check.ts deploys it (scheduled by
 * EventBridge), local mode runs it on a timer (local/health-check.ts). It touches no AWS resource.
 * Example: `definedFunction("health-check", { definition: healthCheckFunction, links: { settings: { targets, timeoutMs: "5000" } }, … })`.
 */
export const healthCheckFunction = defineFunction({
  service: "health-check",
  packages: ["got", "zod", ...POWERTOOLS_PACKAGES],
  env: healthCheckEnv,
  create: (env, service) => healthCheckHandler(healthCheckDeps(service, env)),
});
