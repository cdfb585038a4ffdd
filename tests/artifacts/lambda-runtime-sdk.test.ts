// The artifact tests run the uploads against the AWS SDK the nodejs22.x Lambda runtime ships, not the
// project's own newer one: tests/lambda-runtime pins it, the root install installs it, and the layer
// the tests put on NODE_PATH must load exactly that.
import test from "ava";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { RUNTIME_SDK_DIR, runtimeSdkLayer, runtimeSdkPin } from "../harness/runtime-sdk";
import { ROOT } from "../harness/stacks";

const pin = runtimeSdkPin();

/** Every `@aws-sdk/*` package named in an import or require under handlers/. */
function handlerSdkPackages(): string[] {
  const files = readdirSync(join(ROOT, "handlers"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  const names = files.flatMap((f) => [...readFileSync(join(ROOT, "handlers", f), "utf8").matchAll(/["'](@aws-sdk\/[a-z0-9-]+)["']/g)].map((m) => m[1]!));
  return [...new Set(names)].sort();
}

/** The runtime's SDK version, or for a client AWS did not release at it, its newest release below it (recorded in the pin with why). */
function expectedVersion(name: string): string {
  const older = pin.unreleasedAtSdkVersion?.[name];
  if (!older) return pin.sdkVersion;
  const parts = (v: string) => v.split(".").map(Number);
  const [a, b] = [parts(older), parts(pin.sdkVersion)];
  const below = a[0]! < b[0]! || (a[0] === b[0] && (a[1]! < b[1]! || (a[1] === b[1] && a[2]! < b[2]!)));
  return below ? older : `${older} (not below ${pin.sdkVersion}: pin ${pin.sdkVersion})`;
}

test("the pin is one SDK version for the runtime the functions use, and the README says which", (t) => {
  for (const [name, version] of Object.entries(pin.dependencies)) t.is(version, expectedVersion(name), `${name}: the runtime's SDK version, exactly`);
  t.true(Object.keys(pin.dependencies).every((name) => name.startsWith("@aws-sdk/")), "only what the runtime ships");
  const runtime = /Runtime\.NodeJS(\d+)dX/.exec(readFileSync(join(ROOT, "components", "lambda.ts"), "utf8"))?.[1];
  t.is(`nodejs${runtime}.x`, pin.runtime, "the pinned SDK is the one of the runtime HandlerFunction deploys to");
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  t.true(readme.includes(pin.sdkVersion) && readme.includes(pin.runtime), "README.md names the runtime and its SDK version");
});

test("every AWS SDK package the handlers load is pinned, so the artifact tests load it from the runtime's copy", (t) => {
  t.deepEqual(handlerSdkPackages().filter((name) => !(name in pin.dependencies)), []);
});

test("the layer on the functions' NODE_PATH loads the pinned runtime version of every package, not the project's own", (t) => {
  const layer = join(runtimeSdkLayer(), "node_modules");
  // A plain node outside the project, as the artifact harness starts each function.
  const script = `for (const name of process.argv.slice(1)) console.log(JSON.stringify([name, require(name + "/package.json").version, require.resolve(name)]));`;
  const output = execFileSync(process.execPath, ["-e", script, ...Object.keys(pin.dependencies)], {
    cwd: mkdtempSync(join(tmpdir(), "runtime-sdk-")),
    env: { PATH: process.env.PATH ?? "", NODE_PATH: layer },
    encoding: "utf8",
  });
  const loaded = output.trim().split("\n").map((line) => JSON.parse(line) as [string, string, string]);
  t.is(loaded.length, Object.keys(pin.dependencies).length);
  for (const [name, version, path] of loaded) {
    t.is(version, expectedVersion(name), name);
    t.false(relative(RUNTIME_SDK_DIR, path).startsWith(".."), `${name} from ${path}`);
  }
});

test("without the install the layer refuses to run anything and says to run npm ci", (t) => {
  const bare = mkdtempSync(join(tmpdir(), "runtime-sdk-bare-"));
  cpSync(join(RUNTIME_SDK_DIR, "package.json"), join(bare, "package.json"));
  t.throws(() => runtimeSdkLayer(bare), { message: /not installed .*@aws-sdk\/client-dynamodb missing \(pinned 3\.\d+\.\d+\).*Run npm ci/ });
});
