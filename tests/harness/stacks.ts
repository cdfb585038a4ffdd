import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse } from "yaml";
import type { RecordedResource, StackRecord } from "./record";

export const ROOT = join(__dirname, "..", "..");

/** A stack's config as the Pulumi engine hands it to the program: every value as text, structured ones as JSON. */
export function stackConfig(stack: string): Record<string, string> {
  const file = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
  return Object.fromEntries(Object.entries(file.config ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

export class StackEvaluationError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
  }
}

/**
 * Secret config the stack files cannot hold (they would be encrypted by the stack's secrets
 * provider): test values, passed as secrets the way the engine passes them.
 */
export const TEST_SECRETS: Record<string, string> = {
  "switchyard:calendlySigningKey": "test-calendly-signing-key-0123456789",
  "switchyard:webhookReplayToken": "test-replay-token-0123456789abcdef",
  "switchyard:rsvpSigningKey": "test-rsvp-signing-key-0123456789abcdef",
};

/** Google, Apple and Facebook sign-in (issue #18), every key set; the secret ones are SIGN_IN_SECRET_KEYS. */
export const SIGN_IN_CONFIG: Record<string, string> = {
  "switchyard:googleClientId": "1234-abc.apps.googleusercontent.com",
  "switchyard:googleClientSecret": "GOCSPX-google-test-secret",
  "switchyard:appleServicesId": "com.example.events.signin",
  "switchyard:appleTeamId": "A1B2C3D4E5",
  "switchyard:appleKeyId": "KEY123ABC4",
  "switchyard:applePrivateKey": "-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQgtestkeytestkeytest\n-----END PRIVATE KEY-----",
  "switchyard:facebookAppId": "1234567890123456",
  "switchyard:facebookAppSecret": "facebook-test-app-secret",
};
export const SIGN_IN_SECRET_KEYS = ["switchyard:googleClientSecret", "switchyard:applePrivateKey", "switchyard:facebookAppSecret"];

/** Stripe (issue #19, paid events), both keys set: turns on the Stripe WebhookIngest; both are secrets (STRIPE_SECRET_KEYS). */
export const STRIPE_CONFIG: Record<string, string> = {
  "switchyard:stripeSecretKey": "sk_test_switchyard0123456789",
  "switchyard:stripeWebhookSecret": "whsec_switchyardtest0123456789",
};
export const STRIPE_SECRET_KEYS = Object.keys(STRIPE_CONFIG);

/** The gists job's test settings (`switchyard:syncs.gists`; secret: `pipedriveApiToken`). */
export const GISTS_SYNC = {
  users: ["alice", "bob"],
  pipedriveBaseUrl: "https://acme.pipedrive.com",
  pipedriveApiToken: "test-pipedrive-token-0123456789",
  pipedriveGistUrlField: "abc_gist_url",
};

/** The skill-app job's test settings (`switchyard:syncs.skills`; secrets: `airtableToken`, `badgrPassword`). */
export const SKILLS_SYNC = {
  airtableBaseId: "appABCDEFGHIJKLMN",
  airtableTable: "Assessments",
  airtableToken: "test-airtable-pat-0123456789",
  releaseRepo: "acme/skill-app",
  badgrUsername: "skills@example.com",
  badgrPassword: "test-badgr-password",
  badgrIssuer: "issuer-1",
};

/**
 * `switchyard:syncs` holding these jobs' settings, as the engine hands it to the program (one JSON
 * value). Example: `syncsConfig({ gists: { ...GISTS_SYNC, runner: "fargate" } })`.
 */
export const syncsConfig = (jobs: Record<string, Record<string, unknown>>): Record<string, string> => ({ "switchyard:syncs": JSON.stringify(jobs) });

/** Config that turns the gists sync on (with test secrets), for tests that need it. */
export const GISTS_SYNC_CONFIG = syncsConfig({ gists: GISTS_SYNC });
/** Config that turns both syncs on. */
export const SYNCS_CONFIG = syncsConfig({ gists: GISTS_SYNC, skills: SKILLS_SYNC });

/**
 * A sync's secret setting (`pulumi config set --path --secret switchyard:syncs.gists.pipedriveApiToken …`)
 * makes the whole `switchyard:syncs` value a secret: the engine lists that key as secret.
 */
export const SYNC_SECRET_KEYS = ["switchyard:syncs"];
export const GISTS_SECRET_KEYS = SYNC_SECRET_KEYS;

/**
 * How TypeScript is loaded: `tsx` (fast) or `ts-node`, the loader `pulumi up` itself registers —
 * closures are serialized from the JavaScript the loader emits, so the artifact tests use that one.
 */
export type Loader = "tsx" | "ts-node";
const LOADER_ARGS: Record<Loader, string[]> = { tsx: ["--import", "tsx"], "ts-node": ["-r", "ts-node/register"] };

/**
 * Evaluates index.ts (or `program`, a path from the repository root: another Pulumi program using
 * Switchyard's components) for `stack` under mocks, in a fresh process (Pulumi's runtime state is
 * per-process). `overrides` change config keys; `null` removes one.
 */
export async function evaluateStack(
  stack: string,
  overrides: Record<string, string | null> = {},
  loader: Loader = "tsx",
  secretKeys: string[] = Object.keys(TEST_SECRETS),
  program = "index.ts",
): Promise<StackRecord> {
  const config: Record<string, string> = { ...stackConfig(stack), ...TEST_SECRETS };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete config[key];
    else config[key] = value;
  }
  const cacheFile = recordCacheFile(stack, config, loader, secretKeys, program);
  const cached = readRecord(cacheFile) ?? (await takeEvaluation(cacheFile));
  if (cached) return remember(cached);
  const dir = mkdtempSync(join(tmpdir(), `switchyard-${stack}-`));
  const out = join(dir, "record.json");
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [...LOADER_ARGS[loader], join(__dirname, "evaluate-stack.ts"), stack, out],
        // Type-checking is tsc's job (npm test runs it first); ts-node only transpiles here.
        { cwd: ROOT, env: { ...process.env, PULUMI_CONFIG: JSON.stringify(config), PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys), PULUMI_PROGRAM: join(ROOT, program), TS_NODE_TRANSPILE_ONLY: "true" }, maxBuffer: 16 * 1024 * 1024 },
        (error, _stdout, stderr) => (error ? reject(new StackEvaluationError(stderr.trim() || error.message, error.code as number | null)) : resolve()),
      );
    });
    const text = readFileSync(out, "utf8");
    saveRecord(cacheFile, text);
    return remember(JSON.parse(text) as StackRecord);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (cacheFile) rmSync(`${cacheFile}.lock`, { force: true });
  }
}

/**
 * Test files run in parallel processes and often ask for the same stack at once: the first takes
 * `<record>.lock` and evaluates; the others wait for its record instead of spending the same CPU
 * (on a fresh clone this halves the time to the first test). Returns the record another process
 * made, or undefined when this process holds the lock and must evaluate. A lock whose owner is
 * gone is taken over; an owner that failed leaves no record, so a waiter then evaluates itself.
 */
async function takeEvaluation(file: string | undefined): Promise<StackRecord | undefined> {
  if (!file) return undefined;
  const lock = `${file}.lock`;
  mkdirSync(join(file, ".."), { recursive: true });
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      // Ours. A record made between our first read and now needs no evaluation.
      const made = readRecord(file);
      if (made) rmSync(lock, { force: true });
      return made;
    } catch {
      // held by another process
    }
    const record = readRecord(file);
    if (record) return record;
    const owner = lockOwner(lock);
    if (owner !== undefined && !isRunning(owner)) rmSync(lock, { force: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The pid in a lock file; undefined while it is being written or already gone. */
function lockOwner(lock: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lock, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** What an evaluation reads: the program, its components and handlers, the website, config files, the lock file and the evaluator. */
const EVALUATION_INPUTS = ["index.ts", "Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "package-lock.json", "components", "handlers", "website", "tests/harness/evaluate-stack.ts", "tests/harness/record.ts"];

function* filesUnder(path: string): Generator<string> {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return;
  if (stat.isFile()) {
    yield path;
    return;
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry === "node_modules" || entry === "dist") continue;
    yield* filesUnder(join(path, entry));
  }
}

/**
 * Evaluations are deterministic in their inputs, and each takes ~10 s of CPU (closure
 * serialization), while the test files ask for the same stacks many times: a record is kept in
 * `.cache/stack-records/`, keyed by the config, the loader, the secret keys and the content of every
 * file an evaluation reads. Any edit to those files is a new key, so a stale record is never used.
 * Only successful evaluations are kept; SWITCHYARD_NO_EVAL_CACHE=1 turns the cache off.
 */
function recordCacheFile(stack: string, config: Record<string, string>, loader: Loader, secretKeys: string[], program: string): string | undefined {
  if (process.env.SWITCHYARD_NO_EVAL_CACHE === "1") return undefined;
  const hash = createHash("sha256").update(JSON.stringify([stack, Object.entries(config).sort(), loader, [...secretKeys].sort(), program]));
  // Another program: its whole folder is an input too.
  const inputs = program === "index.ts" ? EVALUATION_INPUTS : [...EVALUATION_INPUTS, relative(ROOT, join(ROOT, program, ".."))];
  for (const input of inputs) {
    for (const file of filesUnder(join(ROOT, input))) hash.update(`\0${relative(ROOT, file)}\0`).update(readFileSync(file));
  }
  return join(ROOT, ".cache", "stack-records", `${hash.digest("hex").slice(0, 32)}.json`);
}

function readRecord(file: string | undefined): StackRecord | undefined {
  if (!file) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as StackRecord;
  } catch {
    return undefined;
  }
}

function saveRecord(file: string | undefined, text: string) {
  if (!file) return;
  mkdirSync(join(file, ".."), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

const owners = new WeakMap<RecordedResource, StackRecord>();
function remember(record: StackRecord): StackRecord {
  for (const resource of record.resources) owners.set(resource, record);
  return record;
}
/** The record a resource came from, for every record `evaluateStack` returned in this process (the artifact harness finds a function's role by it). */
export const recordOf = (resource: RecordedResource): StackRecord | undefined => owners.get(resource);

export const ofType = (record: StackRecord, type: string): RecordedResource[] => record.resources.filter((r) => r.type === type);

export function byName(record: StackRecord, type: string, name: string): RecordedResource {
  const found = record.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name}; have: ${ofType(record, type).map((r) => r.name).join(", ")}`);
  return found;
}
