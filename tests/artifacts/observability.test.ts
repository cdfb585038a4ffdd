// The health functions as they would be uploaded (index.ts evaluated with ts-node, the loader
// `pulumi up` uses), each run in a fresh Node process: GET /health over real run-state tables in
// DynamoDB Local, and the scheduled check against real local HTTP servers.
import test from "ava";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { RunStateStore, zeroCounts } from "../../handlers/sync/run-state";
import { syncStateTable } from "../../handlers/sync/tables";
import { createTable } from "../../local/emulators/tables";
import { removeDir, startFunction, unpackFunction, type RunningFunction } from "../harness/artifact";
import { startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { apiEvent } from "../harness/http";
import { SYNCS_CONFIG, SYNC_SECRET_KEYS, TEST_SECRETS, byName, evaluateStack } from "../harness/stacks";

let ddb: DynamoDbLocal;
let health: RunningFunction;
let check: RunningFunction;
let site: Server;
let gistsTable: string;
const dirs: string[] = [];

const listen = (server: Server) => new Promise<string>((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

test.before(async () => {
  ddb = await startDynamoDbLocal();
  const record = await evaluateStack("prod", SYNCS_CONFIG, "ts-node", [...Object.keys(TEST_SECRETS), ...SYNC_SECRET_KEYS]);
  gistsTable = byName(record, "aws:dynamodb/table:Table", "gists-state").state.name;
  await createTable(ddb.client, gistsTable, syncStateTable);
  await createTable(ddb.client, byName(record, "aws:dynamodb/table:Table", "skills-state").state.name, syncStateTable);
  // A website that is up, and an API whose /health fails.
  site = createServer((req, res) => res.writeHead(req.url === "/health" ? 503 : 200, { "content-type": "text/html" }).end("<!doctype html>"));
  const url = await listen(site);
  const start = async (name: string, env: Record<string, string> = {}) => {
    const fn = byName(record, "aws:lambda/function:Function", name);
    const dir = unpackFunction(fn);
    dirs.push(dir);
    return startFunction(dir, { ...fn.inputs.environment.variables, AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint, ...env });
  };
  [health, check] = await Promise.all([
    start("health-api"),
    start("health-check", { TARGETS: JSON.stringify([{ name: "website", url: `${url}/` }, { name: "api", url: `${url}/health` }]) }),
  ]);
});

test.after.always(async () => {
  await Promise.all([health?.stop(), check?.stop()]);
  dirs.forEach(removeDir);
  site?.close();
  await ddb?.stop();
});

test.serial("GET /health, as uploaded, reports each sync from its run-state table", async (t) => {
  const before = await health.invoke(apiEvent("GET", "/health"));
  t.is(before.statusCode, 200);
  t.like(JSON.parse(before.body), { status: "ok", syncs: { gists: { lastSuccess: null, schedule: "rate(30 minutes)" }, skills: { lastSuccess: null, schedule: "rate(6 hours)" } } });
  const state = new RunStateStore(ddb.client, gistsTable, "gists");
  const at = new Date();
  await state.startRun("r1", at);
  await state.finishRun("r1", at, zeroCounts());
  const after = JSON.parse((await health.invoke(apiEvent("GET", "/health"))).body);
  t.like(after.syncs.gists, { lastSuccess: at.toISOString(), stale: false });
  const bad = await health.invoke(apiEvent("GET", "/health?x=1"));
  t.is(bad.statusCode, 400);
});

test.serial("the health check, as uploaded, records availability and latency per target as EMF and never fails the run", async (t) => {
  const result = await check.invoke({ id: "check-1", "detail-type": "Scheduled Event", source: "aws.events", detail: {} });
  t.like(result, { results: [{ name: "website", ok: true, status: 200 }, { name: "api", ok: false, status: 503 }] });
  const emf = check.logs.map((l) => { try { return JSON.parse(l); } catch { return undefined; } }).filter((l) => l?._aws);
  const available = emf.filter((l) => "healthCheckAvailable" in l).map((l) => [l.target, l.healthCheckAvailable, l._aws.CloudWatchMetrics[0].Dimensions[0].sort()]);
  t.deepEqual(available.sort(), [["api", 0, ["service", "target"]], ["website", 1, ["service", "target"]]]);
  // The same namespace and dimensions the health alarms watch (components/observability.ts).
  t.true(emf.every((l) => l._aws.CloudWatchMetrics[0].Namespace === "Switchyard" && l.service === "health-check"));
  t.true(emf.some((l) => typeof l.healthCheckLatencyMs === "number"));
});
