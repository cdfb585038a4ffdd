// `npm run smoke -- --stack dev` or `npm run smoke -- --url http://127.0.0.1:3000 --site http://127.0.0.1:3002`:
// a few real requests against a deployed stack (or local mode) that show it works end to end —
// health, a message written and read back, a signed Calendly webhook, the public events list and
// the JWT authorizer in front of the events routes, the website and its config.json. Each check prints ✔ or ✘ with its time. Exit codes: 0 every check passed, 1 one
// failed (or the target could not be resolved), 2 bad usage.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { smokeMeetingName, smokeMessageText } from "../handlers/shared/smoke-marker";
import { signCalendlyBody } from "../handlers/webhooks/calendly";
import { LOCAL_SIGNING_KEY } from "../local/webhooks";
import { UsageError, parseCommandLine } from "./command-line";
import { ToolError, cli, stackOutputs, type LogsOptions } from "./logs";

export const SMOKE_USAGE = "npm run smoke -- (--stack <name> [--outputs <file.json>] | --url <apiUrl> [--site <websiteUrl>] [--webhook-url <url>]) [--signing-key <key>] [--timeout 10s]";

/** What `--help` prints; docs/operations.md shows it (tests/tools/command-help.test.ts). */
export const SMOKE_HELP = `usage: ${SMOKE_USAGE}

Checks a deployed stack (--stack: its outputs apiUrl, webhookUrl and websiteUrl come from
\`pulumi stack output --json\`, or --outputs <file.json>) or any running API (--url, e.g. local mode):
  GET /health is 200 {"status":"ok"}; POST /messages is 201 and GET of its Location returns it;
  GET /messages counts it; a signed Calendly test webhook is accepted (201, or 200 duplicate);
  the website's / is HTML with a script and its /config.json names the same apiUrl.

The Calendly signing key: --signing-key, else CALENDLY_SIGNING_KEY, else (with --stack)
\`pulumi config get switchyard:calendlySigningKey --stack <name>\`, else (a loopback --url: local
mode) local mode's default key; a loopback --url also checks local mode's website (its port + 2).

It WRITES to the target: one message ("smoke test <ISO time>") and one webhook event (invitee
smoke-test@example.com, meeting "Smoke test <ISO time>"; forwarded downstream when the stack has
switchyard:forwardUrl). Both are marked: the website leaves them out of its lists (the API keeps
them). Exit 0 all passed, 1 any failed, 2 usage.`;

export interface SmokeOptions {
  stack?: string;
  outputsFile?: string;
  apiUrl?: string;
  siteUrl?: string;
  webhookUrl?: string;
  signingKey?: string;
  timeoutMs: number;
}

export function parseSmokeArgs(argv: string[]): SmokeOptions | "help" {
  const { values } = parseCommandLine({
    args: argv,
    options: {
      help: { type: "boolean", short: "h" },
      stack: { type: "string" },
      outputs: { type: "string" },
      url: { type: "string" },
      site: { type: "string" },
      "webhook-url": { type: "string" },
      "signing-key": { type: "string" },
      timeout: { type: "string" },
    },
  });
  if (values.help) return "help";
  const url = (text: string | undefined, flag: string) => {
    if (text === undefined) return undefined;
    if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) throw new UsageError(`${flag} takes an http(s) URL (got "${text}")`);
    return text.replace(/\/+$/, "");
  };
  const timeout = values.timeout === undefined ? undefined : /^(\d+)(ms|s)$/.exec(values.timeout);
  if (timeout === null || (timeout && Number(timeout[1]) === 0)) throw new UsageError(`--timeout takes a duration like 10s or 500ms (got "${values.timeout}")`);
  const options: Partial<SmokeOptions> = {
    stack: values.stack,
    outputsFile: values.outputs,
    apiUrl: url(values.url, "--url"),
    siteUrl: url(values.site, "--site"),
    webhookUrl: url(values["webhook-url"], "--webhook-url"),
    signingKey: values["signing-key"],
    timeoutMs: timeout ? Number(timeout[1]) * (timeout[2] === "s" ? 1000 : 1) : undefined,
  };
  if (Boolean(options.stack) === Boolean(options.apiUrl)) throw new UsageError(options.stack ? "--stack and --url exclude each other" : "say what to test: --stack <name> or --url <apiUrl>");
  if (options.outputsFile && !options.stack) throw new UsageError("--outputs is for --stack");
  return { ...options, timeoutMs: options.timeoutMs ?? 10_000 };
}

/** What the checks run against. */
export interface SmokeTarget {
  label: string;
  apiUrl: string;
  webhookUrl: string;
  siteUrl?: string;
  signingKey?: string;
}

const stringOutput = (outputs: Record<string, unknown>, key: string) => (typeof outputs[key] === "string" && outputs[key] ? (outputs[key] as string).replace(/\/+$/, "") : undefined);

function stackSigningKey(stack: string): string | undefined {
  try {
    const key = execFileSync("pulumi", ["config", "get", "switchyard:calendlySigningKey", "--stack", stack], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    return key || undefined;
  } catch {
    return undefined;
  }
}

/** Whether a URL points at this machine (local mode), not a deployed stack. */
export const isLoopback = (url: string) => ["127.0.0.1", "localhost", "[::1]"].includes(new URL(url).hostname) || new URL(url).hostname.startsWith("127.");

/** Local mode's website: the API's port + 2 (local/start.ts). */
const localSiteUrl = (apiUrl: string) => {
  const url = new URL(apiUrl);
  url.port = String(Number(url.port || 80) + 2);
  return url.origin;
};

export function resolveTarget(options: SmokeOptions, env: NodeJS.ProcessEnv = process.env, signingKeyOf: (stack: string) => string | undefined = stackSigningKey): SmokeTarget {
  const envKey = env.CALENDLY_SIGNING_KEY || undefined;
  if (options.apiUrl) {
    // Local mode on this machine: its own signing key and its website (PORT+2), unless told otherwise.
    const local = isLoopback(options.apiUrl);
    return {
      label: options.apiUrl,
      apiUrl: options.apiUrl,
      webhookUrl: options.webhookUrl ?? `${options.apiUrl}/webhooks/calendly`,
      siteUrl: options.siteUrl ?? (local ? localSiteUrl(options.apiUrl) : undefined),
      signingKey: options.signingKey ?? envKey ?? (local ? LOCAL_SIGNING_KEY : undefined),
    };
  }
  const stack = options.stack!;
  const outputs = stackOutputs({ stack, outputsFile: options.outputsFile } as LogsOptions);
  const apiUrl = stringOutput(outputs, "apiUrl");
  if (!apiUrl) throw new ToolError(`stack ${stack} has no apiUrl output: run pulumi up first, or pass --outputs with it`);
  return {
    label: `stack ${stack} (${apiUrl})`,
    apiUrl,
    webhookUrl: options.webhookUrl ?? stringOutput(outputs, "webhookUrl") ?? `${apiUrl}/webhooks/calendly`,
    siteUrl: options.siteUrl ?? stringOutput(outputs, "websiteUrl"),
    signingKey: options.signingKey ?? envKey ?? signingKeyOf(stack),
  };
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** Not run (nothing to run against); not a failure. */
  skipped?: boolean;
  detail: string;
  ms: number;
}

/** A check's failure, with what was expected and what came. */
class CheckFailed extends Error {}
class CheckSkipped extends Error {}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => unknown;
}

async function request(url: string, timeoutMs: number, init: RequestInit = {}): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: "follow", signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new CheckFailed(`${init.method ?? "GET"} ${url} failed: ${why}`);
  }
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new CheckFailed(`the answer is not JSON: ${text.slice(0, 120)}`);
      }
    },
  };
}

function expectStatus(answer: Answer, ...statuses: number[]): void {
  if (!statuses.includes(answer.status)) throw new CheckFailed(`expected ${statuses.join(" or ")}, got ${answer.status}${answer.text ? `: ${answer.text.slice(0, 200).replace(/\s+/g, " ")}` : ""}`);
}

const record = (value: unknown): Record<string, unknown> => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** A minimal `invitee.created` body in Calendly's shape, unique per run (so it is stored, not a duplicate). */
export function smokeWebhookBody(at = new Date()): string {
  const api = "https://api.calendly.com";
  const meeting = `smoke-${randomUUID()}`;
  const start = new Date(at.getTime() + 86_400_000);
  return JSON.stringify({
    event: "invitee.created",
    created_at: at.toISOString(),
    created_by: `${api}/users/smoke-test`,
    payload: {
      uri: `${api}/scheduled_events/${meeting}/invitees/${randomUUID()}`,
      email: "smoke-test@example.com",
      name: "Smoke Test",
      status: "active",
      event: `${api}/scheduled_events/${meeting}`,
      rescheduled: false,
      scheduled_event: {
        uri: `${api}/scheduled_events/${meeting}`,
        name: smokeMeetingName(at),
        start_time: start.toISOString(),
        end_time: new Date(start.getTime() + 30 * 60_000).toISOString(),
      },
    },
  });
}

/** Runs every check in order, printing each as it ends; returns the results. */
export async function runChecks(target: SmokeTarget, timeoutMs: number, print: (line: string) => void = console.log, now: () => Date = () => new Date()): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const check = async (name: string, body: () => Promise<string>) => {
    const started = performance.now();
    let result: CheckResult;
    try {
      const detail = await body();
      result = { name, ok: true, detail, ms: performance.now() - started };
    } catch (error) {
      const skipped = error instanceof CheckSkipped;
      const detail = error instanceof CheckFailed || skipped ? error.message : `unexpected error: ${(error as Error).stack ?? String(error)}`;
      result = { name, ok: skipped, skipped, detail, ms: performance.now() - started };
    }
    results.push(result);
    print(`  ${result.skipped ? "○" : result.ok ? "✔" : "✘"} ${name}: ${result.detail} (${Math.round(result.ms)} ms)`);
    return result;
  };
  const api = target.apiUrl;

  await check("GET /health", async () => {
    const answer = await request(`${api}/health`, timeoutMs);
    expectStatus(answer, 200);
    const status = record(answer.json()).status;
    if (status !== "ok") throw new CheckFailed(`expected {"status":"ok"}, got status ${JSON.stringify(status)}`);
    return `200 {"status":"ok"}`;
  });

  let countBefore: number | undefined;
  const countNow = async () => {
    const answer = await request(`${api}/messages`, timeoutMs);
    expectStatus(answer, 200);
    const count = record(answer.json()).count;
    if (typeof count !== "number") throw new CheckFailed(`expected {"count": <number>}, got ${answer.text.slice(0, 120)}`);
    return count;
  };
  try {
    countBefore = await countNow();
  } catch {
    countBefore = undefined; // the count check below reports it
  }

  const text = smokeMessageText(now());
  let created: { id: string; location: string } | undefined;
  await check("POST /messages", async () => {
    const answer = await request(`${api}/messages`, timeoutMs, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message: text }) });
    expectStatus(answer, 201);
    const body = record(answer.json());
    const location = answer.headers.get("location");
    if (typeof body.id !== "string" || body.message !== text) throw new CheckFailed(`expected {id, message: "${text}"}, got ${answer.text.slice(0, 200)}`);
    if (!location) throw new CheckFailed("201 without a Location header");
    created = { id: body.id, location };
    return `201, Location ${location}`;
  });

  await check("GET /messages/{id}", async () => {
    if (!created) throw new CheckFailed("not run: POST /messages failed");
    const url = new URL(created.location, `${api}/`).toString();
    const answer = await request(url, timeoutMs);
    expectStatus(answer, 200);
    const body = record(answer.json());
    if (body.id !== created.id || body.message !== text) throw new CheckFailed(`expected the message just created (${created.id}), got ${answer.text.slice(0, 200)}`);
    return `200, the same message`;
  });

  await check("GET /messages count", async () => {
    const count = await countNow();
    if (countBefore === undefined) throw new CheckFailed(`the count before posting could not be read (now ${count})`);
    if (created && count < countBefore + 1) throw new CheckFailed(`expected at least ${countBefore + 1} (was ${countBefore} before the POST), got ${count}`);
    return `${count} (was ${countBefore})`;
  });

  await check("POST /webhooks/calendly (signed)", async () => {
    if (!target.signingKey) throw new CheckFailed("no signing key: pass --signing-key, set CALENDLY_SIGNING_KEY, or (with --stack) have the Pulumi CLI read switchyard:calendlySigningKey");
    const body = smokeWebhookBody(now());
    const signature = signCalendlyBody(body, target.signingKey, Math.floor(Date.now() / 1000));
    const answer = await request(target.webhookUrl, timeoutMs, { method: "POST", headers: { "content-type": "application/json", "calendly-webhook-signature": signature }, body });
    expectStatus(answer, 201, 200);
    const result = record(answer.json());
    if (typeof result.id !== "string" || typeof result.duplicate !== "boolean") throw new CheckFailed(`expected {id, duplicate}, got ${answer.text.slice(0, 200)}`);
    return `${answer.status} {"id":"${result.id}","duplicate":${result.duplicate}}`;
  });

  await check("GET /events (public list)", async () => {
    const answer = await request(`${api}/events?limit=1`, timeoutMs);
    expectStatus(answer, 200);
    const body = record(answer.json());
    if (!Array.isArray(body.items) || !("nextCursor" in body)) throw new CheckFailed(`expected {items, nextCursor}, got ${answer.text.slice(0, 200)}`);
    return `200, ${body.items.length} item(s)`;
  });

  await check("POST /events without sign-in", async () => {
    // Writes nothing: the JWT authorizer must refuse the request before any function runs.
    const answer = await request(`${api}/events`, timeoutMs, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expectStatus(answer, 401);
    return "401: the JWT authorizer guards the events routes";
  });

  await check("website /", async () => {
    if (!target.siteUrl) throw new CheckSkipped("skipped: no website URL (pass --site)");
    const answer = await request(`${target.siteUrl}/`, timeoutMs);
    expectStatus(answer, 200);
    const type = answer.headers.get("content-type") ?? "";
    if (!type.startsWith("text/html")) throw new CheckFailed(`expected text/html, got "${type}"`);
    if (!/<script\b[^>]*\bsrc=/i.test(answer.text)) throw new CheckFailed("the page has no <script src=…>");
    return "200 text/html with its script";
  });

  await check("website /config.json", async () => {
    if (!target.siteUrl) throw new CheckSkipped("skipped: no website URL (pass --site)");
    const answer = await request(`${target.siteUrl}/config.json`, timeoutMs);
    expectStatus(answer, 200);
    const apiUrl = record(answer.json()).apiUrl;
    if (typeof apiUrl !== "string" || apiUrl.replace(/\/+$/, "") !== api) throw new CheckFailed(`expected apiUrl ${api}, got ${JSON.stringify(apiUrl)}`);
    return `apiUrl ${apiUrl}`;
  });

  return results;
}

export async function runSmoke(argv: string[], print: (line: string) => void = console.log, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const options = parseSmokeArgs(argv);
  if (options === "help") {
    print(SMOKE_HELP);
    return;
  }
  const target = resolveTarget(options, env);
  print(`Smoke test of ${target.label}${target.siteUrl ? `, website ${target.siteUrl}` : ""}`);
  const results = await runChecks(target, options.timeoutMs, print);
  const failed = results.filter((r) => !r.ok);
  const passed = results.filter((r) => r.ok && !r.skipped).length;
  const skipped = results.filter((r) => r.skipped).length;
  print(`${passed} passed, ${failed.length} failed${skipped ? `, ${skipped} skipped` : ""}.`);
  if (failed.length) throw new ToolError(`${failed.length} of ${results.length} checks failed: ${failed.map((r) => r.name).join(", ")}`);
}

if (require.main === module) cli("npm run smoke", () => runSmoke(process.argv.slice(2)));
