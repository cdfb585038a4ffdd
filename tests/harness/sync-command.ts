// `npm run sync -- …` as a person runs it: a fresh process, its exit code and both outputs.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./stacks";

export function runSyncCommand(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", join(ROOT, "local", "sync.ts"), ...args], { cwd: ROOT, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
