// One local state per project folder: `npm start` and `npm run sync` keep their tables and buckets
// in the same DynamoDB Local (`<dir>/dynamodb`) and s3rver (`<dir>/s3`), so a gist one synced is
// not synced again by the other. Two emulators must never open the same files at once, so the
// process that starts them writes `<dir>/emulators.json` (its pid, who it is, the endpoints) and
// the other attaches to those endpoints instead of starting its own. `npm start` waits for an
// `npm run sync` that owns them to end (a run takes seconds); `npm run sync` attaches to either.
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { LOCAL_CREDENTIALS, LocalSetupError, startDynamoDbLocal, type DynamoDbLocal } from "./dynamodb-local";
import { attachS3Local, startS3Local, type S3Local } from "./s3-local";

/** Who opened the folder's emulators. */
export type LocalDataUser = "npm start" | "npm run sync";

interface Owner {
  pid: number;
  who: LocalDataUser;
  /** Unset while the owner is still starting them. */
  dynamodb?: string;
  s3?: string;
}

export interface LocalData {
  dynamodb: DynamoDbLocal;
  s3: S3Local;
  /** Whose emulators these are: this process's, or another's it attached to. Example: `{ pid: 4242, who: "npm start" }`. */
  owner: { pid: number; who: LocalDataUser; self: boolean };
  /** One line for the terminal: where the state is and whose emulators hold it. */
  describe(): string;
  /** Stops the emulators this process started; only lets go of another's. */
  stop(): Promise<void>;
}

export interface OpenLocalDataOptions {
  /** The data folder (`.local/` or SWITCHYARD_LOCAL_DIR). */
  dir: string;
  who: LocalDataUser;
  /** How long `npm start` waits for an `npm run sync` holding the folder. Default 120 s. */
  waitMs?: number;
  log?: (line: string) => void;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

function readOwner(file: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, "utf8")) as Owner;
    return Number.isInteger(owner.pid) && alive(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the owner file if nobody (alive) holds it: true when this process now owns the folder. */
function claim(file: string, who: LocalDataUser): boolean {
  const mine: Owner = { pid: process.pid, who };
  try {
    writeFileSync(file, JSON.stringify(mine), { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  if (readOwner(file)) return false;
  // A stale file: its process is gone. Remove it and try once more (another process may win).
  rmSync(file, { force: true });
  try {
    writeFileSync(file, JSON.stringify(mine), { flag: "wx" });
    return true;
  } catch {
    return false;
  }
}

async function answers(endpoint: string): Promise<DynamoDBClient | undefined> {
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return client;
  } catch {
    client.destroy();
    return undefined;
  }
}

/** Opens the folder's DynamoDB Local and s3rver: started here, or those another process runs on it. */
export async function openLocalData(options: OpenLocalDataOptions): Promise<LocalData> {
  const { dir, who } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  mkdirSync(join(dir, "dynamodb"), { recursive: true });
  mkdirSync(join(dir, "s3"), { recursive: true });
  const file = join(dir, "emulators.json");
  const deadline = Date.now() + (options.waitMs ?? 120_000);
  let waiting = false;
  for (;;) {
    if (claim(file, who)) return start(dir, file, who);
    const owner = readOwner(file);
    if (owner?.dynamodb && owner.s3) {
      if (owner.who === "npm start" && who === "npm start") {
        throw new LocalSetupError(`another npm start (pid ${owner.pid}) is using ${dir}; stop it, or give this one its own folder with SWITCHYARD_LOCAL_DIR.`);
      }
      if (who === "npm run sync") {
        const client = await answers(owner.dynamodb);
        if (client) return attach(dir, owner, client);
      }
      // npm start does not build on a sync's emulators, which stop when its run ends: it waits.
      if (!waiting) log(`${who}: ${owner.who} (pid ${owner.pid}) is using ${dir}; waiting for it to end…`);
      waiting = true;
    }
    if (Date.now() > deadline) throw new LocalSetupError(`${dir} is still in use by pid ${owner?.pid ?? "?"} (${file}); stop it, or remove the file if that process is gone.`);
    await sleep(250);
  }
}

async function start(dir: string, file: string, who: LocalDataUser): Promise<LocalData> {
  let dynamodb: DynamoDbLocal | undefined;
  let s3: S3Local | undefined;
  try {
    dynamodb = await startDynamoDbLocal({ dbPath: join(dir, "dynamodb") });
    s3 = await startS3Local({ directory: join(dir, "s3") });
  } catch (error) {
    await s3?.stop();
    await dynamodb?.stop();
    rmSync(file, { force: true });
    throw error;
  }
  writeFileSync(file, JSON.stringify({ pid: process.pid, who, dynamodb: dynamodb.endpoint, s3: s3.endpoint } satisfies Owner));
  const release = () => {
    if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  process.once("exit", release);
  const [db, bucket] = [dynamodb, s3];
  return {
    dynamodb: db,
    s3: bucket,
    owner: { pid: process.pid, who, self: true },
    describe: () => `local state: ${dir} (DynamoDB Local ${db.endpoint}, s3rver ${bucket.endpoint}, started by this ${who}; shared with npm start and npm run sync)`,
    stop: async () => {
      await bucket.stop();
      await db.stop();
      release();
      process.removeListener("exit", release);
    },
  };
}

function attach(dir: string, owner: Owner, client: DynamoDBClient): LocalData {
  const endpoint = owner.dynamodb!;
  const dynamodb: DynamoDbLocal = { endpoint, port: Number(new URL(endpoint).port), client, stop: async () => client.destroy() };
  const s3 = attachS3Local(owner.s3!, join(dir, "s3"));
  return {
    dynamodb,
    s3,
    owner: { pid: owner.pid, who: owner.who, self: false },
    describe: () => `local state: ${dir} (the DynamoDB Local and s3rver of the running ${owner.who}, pid ${owner.pid})`,
    stop: async () => {
      await s3.stop();
      client.destroy();
    },
  };
}
