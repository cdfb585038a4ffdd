// Unpacks the code a magic function would upload (from a mocked stack record) and runs it in a
// fresh Node process, so tests prove the serialized closures really run.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import type { RecordedResource } from "./record";
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
  return into;
}

/**
 * A stand-in for the Lambda runtime's bundled AWS SDK: a node_modules folder holding only the
 * AWS SDK v3 packages and what they depend on (symlinked from the project's install).
 */
export function runtimeSdkLayer(): string {
  // Keyed by the lockfile, so a newly installed SDK client is never missing from an old layer.
  const lock = createHash("sha256").update(readFileSync(join(ROOT, "package-lock.json"))).digest("hex").slice(0, 12);
  const final = join(ROOT, ".cache", `lambda-runtime-${lock}`);
  if (existsSync(join(final, "node_modules", "@aws-sdk", "client-dynamodb"))) return final;
  // Build it aside and rename, so a concurrent test process never sees a half-made layer.
  mkdirSync(join(ROOT, ".cache"), { recursive: true });
  const work = mkdtempSync(join(ROOT, ".cache", "lambda-runtime-tmp-"));
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const pkgDir = join(ROOT, "node_modules", name);
    if (!existsSync(pkgDir)) return;
    const pkg = require(join(pkgDir, "package.json")) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  };
  for (const name of readdirSync(join(ROOT, "node_modules", "@aws-sdk"))) visit(`@aws-sdk/${name}`);
  for (const name of seen) {
    if (!existsSync(join(ROOT, "node_modules", name))) continue;
    const target = join(work, "node_modules", name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", name), target, "dir");
  }
  try {
    renameSync(work, final);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another process won the race
  }
  return final;
}

export interface RunningFunction {
  initMs: number;
  invoke(event: unknown): Promise<any>;
  /** Every line the function wrote that was not a protocol line (its logs). */
  logs: string[];
  stop(): Promise<void>;
}

/** Starts the unpacked function in a fresh `node` with the given environment (the function's own, plus endpoints). */
export async function startFunction(dir: string, env: Record<string, string>, args: string[] = []): Promise<RunningFunction> {
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
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    },
  };
}

export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });
