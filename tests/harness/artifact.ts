// Unpacks the code a magic function would upload (from a mocked stack record) and runs it in a
// fresh Node process, so tests prove the serialized closures really run.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { recordingEnvironment, rememberUpload } from "./aws-calls";
import type { RecordedResource } from "./record";
import { runtimeSdkLayer } from "./runtime-sdk";
import { ROOT } from "./stacks";

/** Writes `__index.js` and every carried file into a folder, as Lambda unpacks the zip. */
export function unpackFunction(fn: RecordedResource, into = mkdtempSync(join(tmpdir(), `fn-${fn.name}-`))): string {
  if (!fn.archive) throw new Error(`${fn.name} has no code archive`);
  writeFileSync(join(into, "__index.js"), fn.archive.index);
  for (const [archivePath, source] of Object.entries(fn.archive.files)) {
    const target = join(into, archivePath);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(ROOT, source), target, { recursive: true, dereference: true });
  }
  rememberUpload(into, fn);
  return into;
}

export interface RunningFunction {
  initMs: number;
  invoke(event: unknown): Promise<any>;
  /** Every line the function wrote that was not a protocol line (its logs). */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * Starts the unpacked function in a fresh `node` with the given environment (the function's own, plus
 * endpoints). Its AWS endpoints are reached through recording proxies (aws-calls.ts), so the test
 * file's end checks every call against the function's own role.
 */
export async function startFunction(dir: string, givenEnv: Record<string, string>, args: string[] = []): Promise<RunningFunction> {
  const recording = await recordingEnvironment(dir, givenEnv);
  const env = recording.env;
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [join(__dirname, "lambda-runner.cjs"), ...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "",
      NODE_PATH: join(runtimeSdkLayer(), "node_modules"),
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...env,
    },
  });
  const logs: string[] = [];
  const pending = new Map<number, (value: any) => void>();
  let ready: (value: { ready: boolean; initMs?: number; error?: string }) => void;
  const readyLine = new Promise<{ ready: boolean; initMs?: number; error?: string }>((resolve) => (ready = resolve));
  createInterface({ input: child.stdout }).on("line", (line) => {
    let message: any;
    try {
      message = JSON.parse(line);
    } catch {
      logs.push(line);
      return;
    }
    if ("ready" in message) ready(message);
    else if (typeof message.id === "number" && pending.has(message.id)) {
      pending.get(message.id)!(message);
      pending.delete(message.id);
    } else logs.push(line);
  });
  // Powertools writes WARN and ERROR lines to stderr: they are logs too.
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  createInterface({ input: child.stderr }).on("line", (line) => logs.push(line));
  child.on("exit", (code) => {
    ready({ ready: false, error: `exited with ${code}: ${stderr}` });
    for (const resolve of pending.values()) resolve({ error: `function process exited: ${stderr}` });
  });
  const status = await readyLine;
  if (!status.ready) {
    child.kill();
    await recording.close();
    throw new Error(`cold init failed: ${status.error}`);
  }
  let nextId = 0;
  return {
    initMs: status.initMs ?? 0,
    logs,
    invoke(event) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, (message) => (message.error ? reject(new Error(message.error)) : resolve(message.result)));
        child.stdin.write(`${JSON.stringify({ id, event })}\n`);
      });
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill();
        await exited;
      }
      await recording.close();
    },
  };
}

export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });
