// The OpenAPI document: generated from the zod schemas, committed, and matching the routes the
// component creates.
import test from "ava";
import { readFileSync } from "node:fs";
import { OPENAPI_FILE, renderOpenApi } from "../../scripts/openapi";
import { MESSAGE_MAX_LENGTH } from "../../handlers/messages/schemas";
import { GISTS_SECRET_KEYS, GISTS_SYNC_CONFIG, STRIPE_CONFIG, STRIPE_SECRET_KEYS, TEST_SECRETS, evaluateStack, ofType } from "../harness/stacks";
import { graphqlTopology } from "../../handlers/graphql/topology";

const doc = JSON.parse(readFileSync(OPENAPI_FILE, "utf8"));

test("docs/openapi.json is what the schemas generate today (run npm run openapi if not)", (t) => {
  t.is(readFileSync(OPENAPI_FILE, "utf8"), renderOpenApi());
  t.is(doc.openapi, "3.1.0");
});

test("the document describes exactly the routes the stack puts on the HTTP API", async (t) => {
  // Every optional route on: forwarding (the replay route), the gists sync (its read routes) and Stripe (its webhook).
  const record = await evaluateStack("dev", { "switchyard:forwardUrl": "https://downstream.example.com/hooks", ...GISTS_SYNC_CONFIG, ...STRIPE_CONFIG }, "tsx", [...Object.keys(TEST_SECRETS), ...GISTS_SECRET_KEYS, ...STRIPE_SECRET_KEYS]);
  const httpApi = ofType(record, "aws:apigatewayv2/api:Api").find((a) => a.inputs.protocolType === "HTTP")!;
  const created = ofType(record, "aws:apigatewayv2/route:Route")
    .filter((r) => r.inputs.apiId === httpApi.id)
    .map((r) => r.inputs.routeKey as string)
    .filter((k) => k !== "$default")
    // GraphQL's POST and GET /graphql are described by its schema (docs/graphql.graphql, docs/graphql.md), not as REST operations.
    .filter((k) => !graphqlTopology.functions.graphql.routes.includes(k));
  created.sort();
  const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
  t.deepEqual(documented, created);
});

test("request schemas carry the validation rules: unknown fields refused, length limits, limit range", (t) => {
  const newMessage = doc.components.schemas.NewMessage;
  t.is(newMessage.additionalProperties, false);
  t.deepEqual(newMessage.required, ["message"]);
  t.is(newMessage.properties.message.maxLength, MESSAGE_MAX_LENGTH);
  t.is(newMessage.properties.message.minLength, 1);
  const params = doc.paths["/messages"].get.parameters.map((p: any) => p.name);
  t.deepEqual(params, ["limit", "cursor"]);
  t.deepEqual(Object.keys(doc.paths["/messages"].post.responses).sort(), ["201", "400", "413", "415"]);
  t.deepEqual(doc.paths["/messages/{id}"].get.parameters[0].schema.format, "uuid");
});

test("GET /health is documented for every stack: 200 with every sync by job name, 400, 503", (t) => {
  const health = doc.paths["/health"].get;
  t.deepEqual(Object.keys(health.responses).sort(), ["200", "400", "503"]);
  t.is(health.responses["200"].content["application/json"].schema.$ref, "#/components/schemas/Health");
  const schema = doc.components.schemas.Health;
  t.deepEqual(schema.required, ["status", "syncs"]);
  t.deepEqual(schema.properties.syncs.additionalProperties.required, ["schedule", "lastStart", "lastSuccess", "lastError", "minutesSinceSuccess", "stale"]);
  t.false("gistsSync" in schema.properties);
});
