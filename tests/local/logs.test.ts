// `npm start` writes the handlers' JSON log lines and EMF metrics to its log file, as a stack's land
// in CloudWatch; `npm run logs -- --local` and `npm run status` read them.
import test from "ava";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signCalendlyBody } from "../../handlers/webhooks/calendly";
import { localLogFile } from "../../local/emulators/log-sink";
import { LOCAL_SIGNING_KEY } from "../../local/webhooks";
import { inviteeEvent, newBooking } from "../harness/calendly";
import { startLocalMode, stopLocalMode } from "../harness/local-mode";
import { freeLocalModePort } from "../harness/ports";
import { ROOT } from "../harness/stacks";

const npm = (args: string[], env: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile("npm", ["run", "--silent", ...args], { cwd: ROOT, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

/** An email address whose local part is not masked (`j***@example.com` is masked). */
const UNMASKED_EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;

test.serial("local mode logs every request as JSON with its correlation id, masks emails, and logs/status read it back", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-local-logs-"));
  const port = await freeLocalModePort();
  // The tests' defaults silence Powertools; local mode as a person runs it logs at INFO with metrics on.
  const mode = await startLocalMode({ PORT: String(port), SWITCHYARD_LOCAL_DIR: dir, POWERTOOLS_LOG_LEVEL: "INFO", POWERTOOLS_METRICS_DISABLED: "false", LOG_TO_TERMINAL: "" });
  const file = localLogFile(dir);
  const readLines = () =>
    readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((raw) => ({ raw, line: JSON.parse(raw) as Record<string, any> }));
  try {
    t.is(mode.outputs.logFile, file);
    const api = mode.outputs.apiUrl!;

    const created = await fetch(`${api}/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "hello logs" }) });
    t.is(created.status, 201);
    const createdId = created.headers.get("apigw-requestid")!;
    t.regex(createdId, /^[0-9a-f-]{36}$/, "local mode names each request like API Gateway");
    const message = (await created.json()) as { id: string };

    const bad = await fetch(`${api}/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    t.is(bad.status, 400);
    const badId = bad.headers.get("apigw-requestid")!;

    const body = JSON.stringify(inviteeEvent("invitee.created", newBooking(), { email: "ada.lovelace@example.com", name: "Ada Lovelace" }));
    const webhook = await fetch(`${api}/webhooks/calendly`, {
      method: "POST",
      headers: { "content-type": "application/json", "calendly-webhook-signature": signCalendlyBody(body, LOCAL_SIGNING_KEY, Math.floor(Date.now() / 1000)) },
      body,
    });
    t.is(webhook.status, 201);
    const eventId = ((await webhook.json()) as { id: string }).id;
    // The meetings projector (off the events table's stream) reads the email too: wait for its line.
    for (const deadline = Date.now() + 20_000; !readLines().some(({ line }) => line.service === "webhooks-project" && line.correlation_id === eventId) && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 200));
    }

    const lines = readLines();
    t.true(lines.length > 0);
    for (const { raw, line } of lines) {
      t.true(line && typeof line === "object" && !Array.isArray(line), raw);
      t.false(UNMASKED_EMAIL.test(raw), `no unmasked email: ${raw}`);
    }
    t.true(readFileSync(file, "utf8").endsWith("\n"));

    // The API request: every line it wrote carries its request id; the 400 is a rejection, not an error.
    const about = (id: string) => lines.filter(({ raw }) => raw.includes(id)).map(({ line }) => line);
    t.deepEqual(
      about(createdId).map((l) => [l.service, l.level, l.message, l.correlation_id]),
      [
        ["messages-create", "INFO", "message stored", createdId],
        ["messages-create", "INFO", "request handled", createdId],
      ],
    );
    t.like(about(createdId)[0], { messageId: message.id });
    t.like(about(createdId)[1], { routeKey: "POST /messages", status: 201 });
    t.true(Number.isInteger(about(createdId)[1]!.durationMs));
    t.deepEqual(
      about(badId).map((l) => [l.message, l.status, l.problem, l.correlation_id]),
      [["request rejected", 400, "urn:switchyard:problem:malformed-json", badId]],
    );
    // The webhook: its lines carry the event id, in the ingest function and in the projector.
    const webhookLines = lines.filter(({ line }) => line.service === "webhooks-ingest" && line.level).map(({ line }) => line);
    t.deepEqual(
      webhookLines.map((l) => [l.message, l.correlation_id]),
      [
        ["webhook stored", eventId],
        ["request handled", eventId],
      ],
    );
    t.true(lines.some(({ line }) => line.service === "webhooks-project" && line.correlation_id === eventId));
    // Metrics as EMF documents, like Lambda's: one per request that counted something.
    t.true(lines.some(({ line }) => line._aws && line.service === "messages-create" && line.messagesCreated === 1));
    t.true(lines.some(({ line }) => line._aws && line.service === "webhooks-ingest" && line.webhooksReceived === 1));

    // The terminal stays quiet: local mode's own lines, no JSON log lines.
    t.false(/^\{"level"/m.test(mode.output()), mode.output());
    t.regex(mode.output(), /^Logs: handlers' JSON lines and EMF metrics go to logFile/m);

    const env = { SWITCHYARD_LOCAL_DIR: dir };
    const byRequest = await npm(["logs", "--", "--local", "--id", createdId], env);
    t.is(byRequest.code, 0, byRequest.stderr);
    const rows = byRequest.stdout.trimEnd().split("\n");
    t.is(rows.length, 4, byRequest.stdout);
    t.regex(rows[1]!, new RegExp(`messages-create +INFO +${createdId} +message stored$`));
    t.regex(rows[2]!, new RegExp(`messages-create +INFO +${createdId} +\\d+ ms +request handled POST /messages → 201$`));
    t.is(rows[3], `2 lines: lines about ${createdId} (local mode, last 1h, all functions).`);

    const byEvent = await npm(["logs", "--", "--local", "--id", eventId], env);
    t.is(byEvent.code, 0, byEvent.stderr);
    const eventRows = byEvent.stdout.trimEnd().split("\n").slice(1, -1);
    t.true(eventRows.length >= 3, byEvent.stdout);
    for (const row of eventRows) t.true(row.includes(eventId), row);
    t.true(eventRows.some((row) => / webhooks-project /.test(row)));

    const errors = await npm(["logs", "--", "--local", "--errors"], env);
    t.is(errors.code, 0, errors.stderr);
    t.false(errors.stdout.includes(badId), "a 400 is not an error");
    t.false(errors.stdout.includes(createdId));

    const status = await npm(["status", "--", "--json"], env);
    t.is(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout);
    t.is(s.messagesCreated, 1);
    t.like(s.requests.byRoute["POST /messages"], { "2xx": 1, "4xx": 1, "5xx": 0, total: 2 });
    t.like(s.requests.byRoute["POST /webhooks/calendly"], { "2xx": 1, total: 1 });
    t.like(s.webhooks, { webhooksReceived: 1, webhooksDuplicate: 0, webhooksRejected: 0 });
    const text = await npm(["status"], env);
    t.regex(text.stdout, /^Messages created: 1$/m);
    t.regex(text.stdout, /^Webhooks: received 1, duplicate 0, rejected 0/m);
  } finally {
    t.is(await stopLocalMode(mode), 0);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the log sink tees JSON object lines into the file, keeps other output, and shows only errors unless asked", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-log-sink-"));
  const script = (terminal: string) => `
    const { installLogSink } = require(${JSON.stringify(join(ROOT, "local", "emulators", "log-sink.ts"))});
    const sink = installLogSink({ file: ${JSON.stringify(join(dir, "logs", "x.jsonl"))}, terminal: ${JSON.stringify(terminal)} });
    console.log("plain text stays");
    console.log(JSON.stringify({ level: "INFO", message: "quiet", service: "svc" }));
    console.error(JSON.stringify({ level: "ERROR", message: "loud", service: "svc", correlation_id: "c-1", error: { message: "boom" } }));
    process.stdout.write('{"level":"INFO","mess');
    process.stdout.write('age":"split across writes"}\\n[1,2]\\n');
    process.stdout.write("prompt> ");
    process.stdout.write("{not json}\\n", () => process.stderr.write("callback ran\\n"));
    sink.close();
  `;
  const runScript = (terminal: string) =>
    new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(process.execPath, ["--import", "tsx", "-e", script(terminal)], { cwd: ROOT }, (error, stdout, stderr) => (error ? reject(error) : resolve({ stdout, stderr }))),
    );
  try {
    const quiet = await runScript("errors");
    t.is(quiet.stdout, "plain text stays\n[1,2]\nprompt> {not json}\n");
    t.is(quiet.stderr, "ERROR svc: loud: boom (correlation_id c-1)\ncallback ran\n");
    const logged = readFileSync(join(dir, "logs", "x.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l).message);
    t.deepEqual(logged, ["quiet", "loud", "split across writes"]);

    const all = await runScript("all");
    t.is(all.stdout, `plain text stays\n{"level":"INFO","message":"quiet","service":"svc"}\n{"level":"INFO","message":"split across writes"}\n[1,2]\nprompt> {not json}\n`);
    t.regex(all.stderr, /^\{"level":"ERROR","message":"loud"/);
    t.is(readFileSync(join(dir, "logs", "x.jsonl"), "utf8").trimEnd().split("\n").length, 6, "appended, not overwritten");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
