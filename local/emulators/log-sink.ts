// Local mode's log file: what CloudWatch Logs keeps for a stack. In Lambda every JSON line a handler
// prints (Powertools Logger lines and EMF metric documents) lands in its function's log group; here
// all handlers share one process, so this tees each line printed to stdout or stderr that parses as a
// JSON object into `<SWITCHYARD_LOCAL_DIR>/logs/switchyard.jsonl`, as printed (Powertools' `service`
// says which function wrote it). `npm run logs -- --local` and `npm run status` read that file.
//
// The terminal stays quiet: JSON lines go to the file only, except ERROR/CRITICAL/FATAL lines, which
// also appear on the terminal as one readable line (`terminal: "all"` prints every JSON line as is:
// LOG_TO_TERMINAL=1). Everything else (local mode's own output) passes through untouched.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

export const localLogFile = (dataDir: string) => join(dataDir, "logs", "switchyard.jsonl");

export interface LogSinkOptions {
  /** The file JSON lines are appended to (created with its folder). */
  file: string;
  /** `errors` (default): only error lines reach the terminal, condensed; `all`: every JSON line, as printed. */
  terminal?: "errors" | "all";
}

export interface LogSink {
  file: string;
  /** Puts stdout and stderr back and closes the file. */
  close(): void;
}

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;

const ERROR_LEVELS = new Set(["ERROR", "CRITICAL", "FATAL"]);

function parseObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `ERROR api-create: request failed: boom (correlation_id 0199…)` */
function condensed(line: Record<string, unknown>): string {
  const error = line.error && typeof line.error === "object" ? (line.error as Record<string, unknown>).message : undefined;
  const parts = [`${String(line.level)} ${String(line.service ?? "?")}: ${String(line.message ?? "")}`];
  if (error !== undefined) parts.push(`: ${String(error)}`);
  if (line.correlation_id !== undefined) parts.push(` (correlation_id ${String(line.correlation_id)})`);
  return `${parts.join("")}\n`;
}

/** Tees JSON lines written to process.stdout and process.stderr into `options.file`. */
export function installLogSink(options: LogSinkOptions): LogSink {
  mkdirSync(dirname(options.file), { recursive: true });
  const fd = openSync(options.file, "a");
  const terminal = options.terminal ?? "errors";
  const restore: (() => void)[] = [];

  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write as Write;
    let pending = "";
    const write = function (this: NodeJS.WriteStream, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
      const done = [encoding, callback].find((a): a is (error?: Error | null) => void => typeof a === "function");
      const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString("utf8") : String(chunk);
      const lines = (pending + text).split("\n");
      pending = lines.pop()!;
      let out = "";
      for (const line of lines) {
        const parsed = parseObject(line);
        if (!parsed) {
          out += `${line}\n`;
          continue;
        }
        writeSync(fd, `${line}\n`);
        if (terminal === "all") out += `${line}\n`;
        else if (ERROR_LEVELS.has(String(parsed.level).toUpperCase())) out += condensed(parsed);
      }
      // A partial line that cannot be the start of a JSON line goes out now (prompts, progress).
      if (pending && !pending.startsWith("{")) {
        out += pending;
        pending = "";
      }
      if (out) return original.call(stream, out, done);
      if (done) process.nextTick(done);
      return true;
    };
    stream.write = write as NodeJS.WriteStream["write"];
    restore.push(() => {
      stream.write = original as NodeJS.WriteStream["write"];
      if (pending) original.call(stream, pending);
    });
  }

  return {
    file: options.file,
    close: () => {
      for (const undo of restore) undo();
      closeSync(fd);
    },
  };
}
