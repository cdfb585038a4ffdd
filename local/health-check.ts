// The scheduled health check on this machine: the same handler the stack's EventBridge rule runs
// every 5 minutes (handlers/health/check.ts), against local mode's website and `GET /health`. It
// prints one readable line per check; its JSON log lines and EMF metrics are printed as in Lambda
// (local mode's log sink files them, as CloudWatch would keep them).
import { healthCheckFunction, type HealthCheckResult, type HealthTarget } from "../handlers/health/check";
import { localHandler } from "./defined-function";

export const LOCAL_HEALTH_CHECK_INTERVAL_MS = 5 * 60_000;

/** `[health check] website ok (200, 12 ms); api DOWN (HTTP 503, 8 ms)` */
export function healthCheckLine(results: HealthCheckResult[]): string {
  return `[health check] ${results.map((r) => `${r.name} ${r.ok ? "ok" : "DOWN"} (${r.ok ? r.status : r.error}, ${r.latencyMs} ms)`).join("; ")}`;
}

export interface LocalHealthCheck {
  /** Runs one check now and logs its line. */
  runNow(): Promise<HealthCheckResult[]>;
  /** No more checks; waits for one in progress. */
  stop(): Promise<void>;
}

export function startLocalHealthCheck(options: {
  targets: HealthTarget[];
  intervalMs?: number;
  /** The first check, this long after the start (default 2 s). */
  firstAfterMs?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}): LocalHealthCheck {
  const log = options.log ?? ((line: string) => console.log(line));
  const handler = localHandler(healthCheckFunction, { settings: { targets: JSON.stringify(options.targets), timeoutMs: options.timeoutMs ? String(options.timeoutMs) : undefined } });
  let running: Promise<HealthCheckResult[]> | undefined;
  let stopped = false;

  const runNow = () => {
    running ??= handler({ id: `local-health-${new Date().toISOString()}` })
      .then(({ results }) => {
        log(healthCheckLine(results));
        return results;
      })
      .finally(() => (running = undefined));
    return running;
  };
  const tick = () => {
    if (!stopped) runNow().catch((error: Error) => log(`[health check] failed: ${error.message}`));
  };
  const first = setTimeout(tick, options.firstAfterMs ?? 2000);
  const every = setInterval(tick, options.intervalMs ?? LOCAL_HEALTH_CHECK_INTERVAL_MS);
  first.unref();
  every.unref();

  return {
    runNow,
    stop: async () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
      await running?.catch(() => undefined);
    },
  };
}
