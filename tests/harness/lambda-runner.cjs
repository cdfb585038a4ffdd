// Runs one unpacked Lambda upload in this (fresh, plain Node) process the way the Node.js runtime
// would: cwd is the unpacked folder, the handler is `__index.handler`, the AWS SDK comes from
// NODE_PATH (the runtime's own copy), nothing else from the project is reachable.
// Protocol: one JSON line per invocation on stdin ({id, event}); one JSON line per result on stdout
// ({id, result} or {id, error}). The first stdout line reports cold init: {ready: true, initMs}.
"use strict";
const { createInterface } = require("node:readline");
const { randomUUID } = require("node:crypto");

const t0 = process.hrtime.bigint();
let handler;
try {
  handler = require(`${process.cwd()}/__index.js`).handler;
} catch (error) {
  process.stdout.write(`${JSON.stringify({ ready: false, error: String(error && error.stack || error) })}\n`);
  process.exit(1);
}
const initMs = Number(process.hrtime.bigint() - t0) / 1e6;
process.stdout.write(`${JSON.stringify({ ready: true, initMs })}\n`);
if (process.argv.includes("--init-only")) process.exit(0);

const lines = createInterface({ input: process.stdin });
lines.on("line", async (line) => {
  const { id, event } = JSON.parse(line);
  const context = {
    awsRequestId: randomUUID(),
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME || "local",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:local:000000000000:function:local",
    memoryLimitInMB: "256",
    logGroupName: "local",
    logStreamName: "local",
    getRemainingTimeInMillis: () => 10_000,
    callbackWaitsForEmptyEventLoop: true,
  };
  try {
    const result = await handler(event, context);
    process.stdout.write(`${JSON.stringify({ id, result })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ id, error: String(error && error.stack || error) })}\n`);
  }
});
