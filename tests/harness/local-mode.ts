// `npm start` as a child process, as a person runs it: resolves once it prints its outputs.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./stacks";

export interface LocalMode {
  child: ChildProcess;
  /** The printed outputs (`apiUrl`, `websiteUrl`, …). */
  outputs: Record<string, string>;
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
  exit: Promise<number | null>;
}

export function startLocalMode(env: Record<string, string>): Promise<LocalMode> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "local", "start.ts")], {
    cwd: ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
  });
  let text = "";
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      text += d;
      if (text.includes("Ctrl-C stops everything.")) {
        const outputs = Object.fromEntries([...text.matchAll(/^ {2}(\w+)\s+(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
        resolve({ child, outputs, output: () => text, exit });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (d) => (text += d));
    exit.then((code) => reject(Object.assign(new Error(`local mode exited with ${code}: ${text}`), { code, text })));
  });
}

/** Ctrl-C; resolves with the exit code. */
export async function stopLocalMode(mode: LocalMode): Promise<number | null> {
  mode.child.kill("SIGINT");
  return mode.exit;
}
