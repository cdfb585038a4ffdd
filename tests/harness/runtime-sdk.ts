// The AWS SDK the uploaded code gets at run time, as the Lambda runtime provides it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./stacks";

/**
 * The folder holding the runtime's SDK: its own package.json pins the @aws-sdk packages at the
 * version the nodejs22.x runtime ships, and the root `npm ci` installs it (the "postinstall" script).
 */
export const RUNTIME_SDK_DIR = join(ROOT, "tests", "lambda-runtime");

/** What tests/lambda-runtime/package.json declares: the runtime, its SDK version and where AWS says so. */
export interface RuntimeSdkPin {
  runtime: string;
  sdkVersion: string;
  source: string;
  /** Clients AWS released no version of at `sdkVersion`: name → their newest release below it (plus a `_why`). */
  unreleasedAtSdkVersion?: Record<string, string>;
  /** Package name → declared version. */
  dependencies: Record<string, string>;
}

/** Reads the pin from tests/lambda-runtime/package.json (or the package.json in `dir`). */
export function runtimeSdkPin(dir = RUNTIME_SDK_DIR): RuntimeSdkPin {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    lambdaRuntime: { runtime: string; sdkVersion: string; source: string; unreleasedAtSdkVersion?: Record<string, string> };
    dependencies: Record<string, string>;
  };
  return { ...pkg.lambdaRuntime, dependencies: pkg.dependencies };
}

/** The version of `name` installed in the runtime SDK folder, or undefined when it is not installed. */
export function installedRuntimeSdkVersion(name: string, dir = RUNTIME_SDK_DIR): string | undefined {
  const manifest = join(dir, "node_modules", name, "package.json");
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version : undefined;
}

/**
 * A stand-in for the Lambda runtime's bundled AWS SDK: the folder whose node_modules holds exactly
 * the pinned @aws-sdk packages (and what they depend on), for NODE_PATH. Throws when the install is
 * missing or does not match the pin, so a test never runs the uploads against some other SDK.
 * `dir` is for testing that check on another folder.
 */
export function runtimeSdkLayer(dir = RUNTIME_SDK_DIR): string {
  const installed = (name: string) => installedRuntimeSdkVersion(name, dir);
  const stale = Object.entries(runtimeSdkPin(dir).dependencies).filter(([name, version]) => installed(name) !== version);
  if (stale.length) {
    const found = stale.map(([name, version]) => `${name} ${installed(name) ?? "missing"} (pinned ${version})`).join(", ");
    throw new Error(`The Lambda runtime's AWS SDK is not installed in ${dir}: ${found}. Run npm ci (its postinstall installs it).`);
  }
  return dir;
}
