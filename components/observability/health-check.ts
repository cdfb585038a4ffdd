// The scheduled health check: a function built from its definition (handlers/health/check.ts) that
// requests the website and `GET /health`, run by an EventBridge schedule. The profile decides how
// often, whether a down target fails the invocation, and whether a failed invocation is retried.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HEALTH_CHECK_TIMEOUT_DEFAULT_MS, healthCheckFunction } from "../../handlers/health/check";
import { definedFunction } from "../defined-function";
import type { HandlerFunction } from "../lambda";
import { scheduledInvocation } from "../shared/scheduled-invocation";
import type { ObservabilityProfile } from "./profile";

export interface HealthCheckArgs {
  /** The API whose `GET /health` is checked. Example: `{ url: httpApi.url }`. */
  api: { url: pulumi.Input<string> };
  /** The website, checked at `<url>/` (the `website` target) when set. Example: `site`. */
  site?: { url: pulumi.Input<string> };
  /** Example: `14`. */
  logRetentionDays: number;
  /** The profile's health check. Example: `observabilityProfile("lean").healthCheck`. */
  profile: ObservabilityProfile["healthCheck"];
}

/**
 * The `health-check` function, its schedule (rule, target without delivery retries, permission,
 * all named `health-check`) and, when the profile says so, its asynchronous-invocation retries:
 * plain resources parented to `parent`. Example: `createHealthCheck(component, { api, site, logRetentionDays: 14, profile: profile.healthCheck })`.
 */
export function createHealthCheck(parent: pulumi.Resource, args: HealthCheckArgs): HandlerFunction<any, any> {
  const { schedule, failWhenUnhealthy, asyncRetries } = args.profile;
  const targets = pulumi.all([args.api.url, args.site?.url]).apply(([api, site]) =>
    JSON.stringify([...(site ? [{ name: "website", url: `${site}/` }] : []), { name: "api", url: `${api}/health` }]),
  );
  const fn = definedFunction(
    "health-check",
    {
      definition: healthCheckFunction,
      links: { settings: { targets, timeoutMs: String(HEALTH_CHECK_TIMEOUT_DEFAULT_MS), failWhenUnhealthy: failWhenUnhealthy ? "true" : undefined } },
      description: `Requests the website and GET /health (${schedule})`,
      logRetentionDays: args.logRetentionDays,
      timeout: 30,
    },
    { parent },
  );
  // No delivery retry: a missed check is not worth repeating late; the next run is the retry.
  scheduledInvocation("health-check", { schedule, description: "Runs the health check", fn: fn.function, retry: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 300 } }, { parent });
  // A failed asynchronous invocation is retried twice by default: with 0, one failed check, one error.
  if (asyncRetries !== undefined) new aws.lambda.FunctionEventInvokeConfig("health-check", { functionName: fn.function.name, maximumRetryAttempts: asyncRetries }, { parent });
  return fn;
}
