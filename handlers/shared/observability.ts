import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { maskEmailsReplacer } from "./mask";

export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

/**
 * One Powertools logger and metrics emitter per function, built at cold start. Service name and
 * namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE (set by the lambda
 * helper); the arguments are the fallbacks for local mode. Every string a log line carries has its
 * email addresses masked (`a***@example.com`): personal data never reaches the logs unmasked.
 */
export function createObservability(service: string, namespace = "Switchyard"): Observability {
  return {
    logger: new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? service, jsonReplacerFn: maskEmailsReplacer }),
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? namespace, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? service }),
  };
}

/** Reads a required environment variable; a missing one is a deploy bug, so fail the cold start loudly. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}
