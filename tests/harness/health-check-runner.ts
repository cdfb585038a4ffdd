// Runs the scheduled health check once in this fresh process, as its EventBridge rule invokes it
// (TARGETS, TIMEOUT_MS and POWERTOOLS_* from the environment, EVENT_ID as the event's id), and prints
// `RESULT {...}` after the handler's own JSON log and EMF lines. Exits 1 if the handler throws.
import { healthCheckFunction } from "../../handlers/health/check";
import { buildHandler } from "../../handlers/shared/function-environment";

// As the upload builds it: the definition's typed environment, read from process.env.
const handler = buildHandler(healthCheckFunction);
const started = performance.now();
handler({ id: process.env.EVENT_ID, "detail-type": "Scheduled Event", source: "aws.events", detail: {} }).then(
  (result) => process.stdout.write(`RESULT ${JSON.stringify({ ...result, elapsedMs: Math.round(performance.now() - started) })}\n`),
  (error: Error) => {
    process.stderr.write(`THREW ${error.stack}\n`);
    process.exitCode = 1;
  },
);
