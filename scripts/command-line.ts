// The npm run tools' command lines: Node's own util.parseArgs (strict), its errors made one-line usage errors.
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A mistake in how the tool was called: exit 2. */
export class UsageError extends Error {}

/** The option or argument a parseArgs error names (`'--stack <value>'`, `'-z'`, `'x'`). */
const named = (message: string) => /'(?:-\w, )?([^' ]+)/.exec(message)?.[1] ?? "?";

/** parseArgs's error as the tools word usage mistakes: `unknown argument "--x"`, `--stack needs a value`. */
export function usageMessage(error: Error & { code?: string }): string {
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unknown argument "${named(error.message)}"`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /does not take an argument/.test(error.message) ? `${named(error.message)} takes no value` : `${named(error.message)} needs a value`;
    default:
      return error.message;
  }
}

/** `parseArgs` in strict mode; any mistake in `args` is a UsageError with one line. */
export function parseCommandLine<T extends Omit<ParseArgsConfig, "strict">>(config: T) {
  try {
    return parseArgs({ ...config, strict: true as const });
  } catch (error) {
    throw new UsageError(usageMessage(error as Error & { code?: string }));
  }
}
