// Every AWS API call an uploaded function makes in a test, recorded by a proxy in front of each AWS
// endpoint it is given, and checked when the test file ends: each call must be allowed by the
// function's own role (IAM's evaluation, @cloud-copilot/iam-simulate), and the calls must equal what
// preflight/exercised-calls.json commits for the test file (so the least-privilege table, built
// from that file, is never stale). UPDATE_EXERCISED=1 rewrites the file's entries from the run.
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { Agent, createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { EXERCISED_FILE, resourceLabel, type ExercisedCalls } from "../../preflight/least-privilege";
import { ACCOUNT, simulate } from "../../preflight/simulate";
import { callsOf, serviceOfVariable, type AwsCall, type CallScope, type ServiceRequest } from "./aws-call-map";
import { policiesByRole, roleOf } from "./iam";
import type { RecordedResource, StackRecord } from "./record";
import { ROOT, recordOf } from "./stacks";

/** One call a function made, with the record its upload came from. */
export interface Observed {
  fn: RecordedResource;
  record: StackRecord;
  call: AwsCall;
}

const uploads = new Map<string, RecordedResource>();
const observed = new Map<string, Observed>();

/** Marks a folder as holding `fn`'s upload: a function started from it has its calls recorded. */
export function rememberUpload(dir: string, fn: RecordedResource): void {
  uploads.set(dir, fn);
}

// Kept-alive connections to the services: the proxy adds a hop on loopback and nothing else.
const agent = new Agent({ keepAlive: true });

async function startProxy(targetUrl: string, onRequest: (request: ServiceRequest) => void): Promise<{ url: string; server: Server }> {
  const target = new URL(targetUrl);
  let origin = "";
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body = Buffer.concat(chunks);
      // A URL the service handed out (a queue URL the SDK sends to) reaches it as it handed it out.
      const text = body.toString("utf8");
      if (text.includes(origin)) body = Buffer.from(text.split(origin).join(target.origin));
      const headers = { ...req.headers, ...(req.headers["content-length"] ? { "content-length": String(body.length) } : {}) };
      onRequest({ method: req.method!, url: req.url!, headers, body });
      // Headers as signed (Host included); a cut connection upstream is a cut connection here.
      const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => req.socket.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${origin}${target.pathname === "/" ? "" : target.pathname}${target.search}`, server };
}

/**
 * For a function started from a remembered upload: the environment with each AWS endpoint replaced
 * by a recording proxy in front of it. Anything else passes through unchanged.
 */
export async function recordingEnvironment(dir: string, env: Record<string, string>): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  const fn = uploads.get(dir);
  const record = fn && recordOf(fn);
  if (!fn || !record) return { env, close: async () => undefined };
  const recordedEnv: Record<string, string> = fn.inputs.environment?.variables ?? {};
  const aliases = new Map(Object.entries(env).filter(([k, v]) => recordedEnv[k] !== undefined && recordedEnv[k] !== v).map(([k, v]) => [v, recordedEnv[k]!]));
  const scope: CallScope = { region: record.region, account: ACCOUNT, recordedEnv, aliases };
  const servers: Server[] = [];
  const proxied = { ...env };
  for (const [variable, value] of Object.entries(env)) {
    const service = serviceOfVariable(variable, recordedEnv[variable]);
    if (!service || !/^https?:\/\//.test(value)) continue;
    const proxy = await startProxy(value, (request) => {
      for (const call of callsOf(service, request, scope)) observed.set(`${fn.name}\0${JSON.stringify(call)}`, { fn, record, call });
    });
    servers.push(proxy.server);
    proxied[variable] = proxy.url;
  }
  return {
    env: proxied,
    close: async () => {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve())))));
    },
  };
}

/** This process's calls, as the committed data writes them: function → sorted `"<action> <resource label>"`. */
function observedEntries(): Record<string, string[]> {
  const byFunction: Record<string, Set<string>> = {};
  for (const { fn, record, call } of observed.values()) (byFunction[fn.name] ??= new Set()).add(`${call.action} ${resourceLabel(call.resource, record)}`);
  return Object.fromEntries(Object.keys(byFunction).sort().map((name) => [name, [...byFunction[name]!].sort()]));
}

/** Every call (by default: every one recorded in this process) its function's role does not allow, one line each. */
export async function deniedCalls(calls: Iterable<Observed> = observed.values()): Promise<string[]> {
  const denied: string[] = [];
  const byRecord = new Map<StackRecord, ReturnType<typeof policiesByRole>>();
  for (const { fn, record, call } of calls) {
    if (!byRecord.has(record)) byRecord.set(record, policiesByRole(record));
    const role = roleOf(record, fn);
    const statements = byRecord.get(record)!.get(role.name) ?? [];
    const result = await simulate([{ Version: "2012-10-17", Statement: statements }], { action: call.action, resource: call.resource, context: call.context }, role.state.arn);
    const outcome = "error" in result ? result.error : result.decision;
    if (outcome !== "Allowed") denied.push(`${fn.name} called ${call.action} on ${call.resource}${call.context ? ` ${JSON.stringify(call.context)}` : ""}: ${outcome} by its role ${role.name}`);
  }
  return denied.sort();
}

// Writers of the committed file are separate processes (ava runs test files in parallel).
function withLock<T>(body: () => T): T {
  const lock = `${EXERCISED_FILE}.lock`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      closeSync(openSync(lock, "wx"));
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    return body();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Rewrites the test file's entries in the committed data (UPDATE_EXERCISED=1). */
function writeEntries(testFile: string, entries: Record<string, string[]>) {
  withLock(() => {
    const data = JSON.parse(readFileSync(EXERCISED_FILE, "utf8")) as ExercisedCalls;
    data[testFile] = entries;
    const sorted = Object.fromEntries(Object.keys(data).sort().map((k) => [k, data[k]!]));
    writeFileSync(`${EXERCISED_FILE}.${process.pid}.tmp`, `${JSON.stringify(sorted, null, 2)}\n`);
    renameSync(`${EXERCISED_FILE}.${process.pid}.tmp`, EXERCISED_FILE);
  });
}

/**
 * The check at the end of a test file that started remembered uploads: no call denied by the
 * function's role, and the calls equal the test file's committed entries (or, with
 * UPDATE_EXERCISED=1, become them).
 */
export async function checkObservedCalls(testFile: string): Promise<{ denied: string[]; observed: Record<string, string[]>; committed: Record<string, string[]> | undefined }> {
  // Keyed by the path under tests/, e.g. "artifacts/events.test.ts".
  const file = relative(join(ROOT, "tests"), testFile);
  const entries = observedEntries();
  if (process.env.UPDATE_EXERCISED === "1") writeEntries(file, entries);
  const committed = (JSON.parse(readFileSync(EXERCISED_FILE, "utf8")) as ExercisedCalls)[file];
  return { denied: await deniedCalls(), observed: entries, committed };
}

/** Whether this process started any remembered upload. */
export const startedUploads = (): boolean => uploads.size > 0;

// Under ava (a test file's worker process), every test file that loads this harness gets the check
// as an after hook: it runs when all its tests passed, so the calls seen are the whole file's.
if (typeof process.send === "function") {
  const test = require("ava") as typeof import("ava").default;
  test.after("the uploaded functions' AWS calls are allowed by their own roles and are the ones preflight/exercised-calls.json commits", async (t) => {
    if (!startedUploads()) return;
    const result = await checkObservedCalls(test.meta.file.replace(/^file:\/\//, ""));
    t.deepEqual(result.denied, [], "calls the function's own role denies");
    t.deepEqual(result.observed, result.committed ?? {}, "the calls committed for this test file in preflight/exercised-calls.json (UPDATE_EXERCISED=1 rewrites them)");
  });
}
