// The code each magic function would upload, unpacked and run in a fresh Node process (no tsx, no
// project node_modules; the AWS SDK from a runtime stand-in) against DynamoDB Local. The stack is
// evaluated with ts-node, the loader `pulumi up` uses, so these are the closures a deploy would ship.
import test from "ava";
import { messageTable } from "../../handlers/messages/table";
import { createTable } from "../../local/emulators/tables";
import { removeDir, startFunction, unpackFunction, type RunningFunction } from "../harness/artifact";
import { startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { apiEvent, jsonEvent, parseResult } from "../harness/http";
import type { StackRecord } from "../harness/record";
import { byName, evaluateStack, ofType } from "../harness/stacks";

let ddb: DynamoDbLocal;
let record: StackRecord;
const running: Record<string, RunningFunction> = {};
const dirs: string[] = [];

test.before(async () => {
  [ddb, record] = await Promise.all([startDynamoDbLocal(), evaluateStack("dev", {}, "ts-node")]);
  // The table the stack would create, under the physical name the functions are configured with.
  await createTable(ddb.client, byName(record, "aws:dynamodb/table:Table", "api-messages").state.name, messageTable);
  await Promise.all(
    ofType(record, "aws:lambda/function:Function").map(async (fn) => {
      const dir = unpackFunction(fn);
      dirs.push(dir);
      running[fn.name] = await startFunction(dir, { ...fn.inputs.environment.variables, AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint, AWS_LAMBDA_FUNCTION_NAME: fn.name });
    }),
  );
});

test.after.always(async () => {
  await Promise.all(Object.values(running).map((fn) => fn.stop()));
  dirs.forEach(removeDir);
  await ddb?.stop();
});

const invoke = async (fn: string, event: unknown) => parseResult(await running[fn]!.invoke(event));
const getEvent = (id: string) => apiEvent("GET", `/messages/${id}`, { routeKey: "GET /messages/{id}", pathParameters: { id } });

test.serial("the uploaded functions create, get, count and list messages against DynamoDB", async (t) => {
  const before = (await invoke("api-list", apiEvent("GET", "/messages"))).body.count;
  const created = await invoke("api-create", jsonEvent("POST", "/messages", { message: "from the artifact" }));
  t.is(created.status, 201);
  t.is(created.headers.location, `/messages/${created.body.id}`);

  const fetched = await invoke("api-get", getEvent(created.body.id));
  t.deepEqual(fetched.body, created.body);
  t.is((await invoke("api-list", apiEvent("GET", "/messages"))).body.count, before + 1);
  const page = await invoke("api-list", apiEvent("GET", "/messages?limit=1"));
  t.deepEqual(page.body.items, [created.body]);
});

test.serial("the uploaded functions answer bad input with problem+json and write nothing", async (t) => {
  const count = async () => (await invoke("api-list", apiEvent("GET", "/messages"))).body.count as number;
  const before = await count();
  const malformed = await invoke("api-create", apiEvent("POST", "/messages", { body: "{nope" }));
  t.is(malformed.status, 400);
  t.is(malformed.body.type, "urn:switchyard:problem:malformed-json");
  const extra = await invoke("api-create", jsonEvent("POST", "/messages", { message: "x", extra: 1 }));
  t.is(extra.status, 400);
  const wrongType = await invoke("api-create", apiEvent("POST", "/messages", { body: "message=x", headers: { "content-type": "application/x-www-form-urlencoded" } }));
  t.is(wrongType.status, 415);
  t.is(await count(), before);

  const badId = await invoke("api-get", getEvent("1234"));
  t.is(badId.status, 400);
  t.is(badId.headers["content-type"], "application/problem+json");
  t.is((await invoke("api-get", getEvent("0b8a2f54-7d3c-4a6e-9f10-2c4d5e6f7a8b"))).status, 404);
  t.is((await invoke("api-list", apiEvent("GET", "/messages?limit=1000"))).status, 400);
  const unmatched = await invoke("api-not-found", apiEvent("DELETE", "/messages", { routeKey: "$default" }));
  t.is(unmatched.status, 404);
  t.is(unmatched.body.type, "urn:switchyard:problem:route-not-found");
});

test.serial("the uploaded functions log structured JSON carrying the request id as correlation id", async (t) => {
  const event = jsonEvent("POST", "/messages", { message: "logged" });
  await invoke("api-create", event);
  const lines = running["api-create"]!.logs.map((l) => JSON.parse(l));
  const stored = lines.find((l) => l.message === "message stored" && l.correlation_id === event.requestContext.requestId);
  t.truthy(stored, "a 'message stored' line with this request's correlation id");
  t.is(stored.level, "INFO");
  t.is(stored.service, "api-create");
  t.truthy(stored.function_request_id, "Lambda request id from the context");
  // dev's lean observability turns Powertools metrics off: no Embedded Metric Format at all.
  t.is(byName(record, "aws:lambda/function:Function", "api-create").inputs.environment.variables.POWERTOOLS_METRICS_DISABLED, "true");
  t.false(lines.some((l) => l._aws), "no custom metrics in dev");
  // The same upload with metrics on (as in prod, where the variable is not set): EMF, namespace Switchyard.
  const fn = byName(record, "aws:lambda/function:Function", "api-create");
  const { POWERTOOLS_METRICS_DISABLED: _disabled, ...fullEnv } = fn.inputs.environment.variables as Record<string, string>;
  const dir = unpackFunction(fn);
  dirs.push(dir);
  const withMetrics = await startFunction(dir, { ...fullEnv, AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint, AWS_LAMBDA_FUNCTION_NAME: "api-create" });
  t.teardown(() => withMetrics.stop());
  t.is(parseResult(await withMetrics.invoke(jsonEvent("POST", "/messages", { message: "measured" }))).status, 201);
  const emf = withMetrics.logs.map((l) => JSON.parse(l)).find((l) => l._aws?.CloudWatchMetrics?.[0]?.Metrics?.some((m: any) => m.Name === "messagesCreated"));
  t.truthy(emf);
  t.is(emf._aws.CloudWatchMetrics[0].Namespace, "Switchyard");
});

test("every function of the stack starts from its upload alone (cold init in a fresh process)", (t) => {
  t.deepEqual(Object.keys(running).sort(), ofType(record, "aws:lambda/function:Function").map((f) => f.name).sort());
  t.true(Object.keys(running).length >= 4);
  for (const fn of Object.values(running)) t.true(fn.initMs > 0);
});
