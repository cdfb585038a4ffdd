// Runs one command (`node child-watchdog.cjs <command> [args…]`) and stops it when whoever started
// this watchdog goes away, however it goes: this process's stdin is a pipe from the parent, and the
// pipe closes when the parent exits, even by SIGKILL. A JVM cannot watch that pipe itself, so
// DynamoDB Local runs under this. SIGTERM or SIGINT here stop the command too; its exit code is ours.
// Plain CommonJS: it starts in a few tens of milliseconds, without tsx.
"use strict";
const { spawn } = require("node:child_process");

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  child.kill("SIGTERM");
  setTimeout(() => child.kill("SIGKILL"), 3000).unref();
};
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.on("error", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
child.on("error", (error) => {
  process.stderr.write(`${command}: ${error.message}\n`);
  process.exit(127);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 0)));
