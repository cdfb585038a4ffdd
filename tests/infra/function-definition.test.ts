// The function contract (handlers/shared/function-definition.ts) on its own: how an environment is
// parsed and refused, and how a definition becomes a function's environment and policy in a stack
// (components/defined-function.ts) and locally (local/defined-function.ts).
import test from "ava";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentError, SECRET_PACKAGE, defineFunction, grantsOf, packagesOf, resource, secret, setting } from "../../handlers/shared/function-definition";
import { buildHandler, readEnv } from "../../handlers/shared/function-environment";
import { localEnv } from "../../local/defined-function";
import { MissingLinkError, linkDefinition } from "../../components/defined-function";

const definition = defineFunction({
  service: "example",
  packages: ["zod"],
  env: {
    ITEMS_TABLE: resource("items", [{ actions: ["dynamodb:GetItem"] }, { actions: ["dynamodb:Query"], path: "/index/byDate" }]),
    LIMIT: setting("limit", "number", { fallback: "25" }),
    USERS: setting("users", "list"),
    OPTIONS: setting("options", "json", { optional: true }),
    API_TOKEN: secret("apiToken"),
    EXTRA_TOKEN: secret("extraToken", { optional: true }),
  },
  grants: [{ on: "items", attribute: "stream", actions: ["dynamodb:GetRecords"] }],
  create: (env) => env,
});

test("readEnv parses each key to its type, applies fallbacks, and leaves optional keys out", async (t) => {
  const env = readEnv(definition.env, { ITEMS_TABLE: "items-1", USERS: "ada, grace,,", API_TOKEN: "s3cret" });
  t.is(env.ITEMS_TABLE, "items-1");
  t.is(env.LIMIT, 25);
  t.deepEqual(env.USERS, ["ada", "grace"]);
  t.is(env.OPTIONS, undefined);
  t.is(await env.API_TOKEN(), "s3cret");
  t.is(env.EXTRA_TOKEN, undefined);
  t.deepEqual(readEnv(definition.env, { ITEMS_TABLE: "t", USERS: "a", API_TOKEN: "x", OPTIONS: '{"a":1}', LIMIT: "5" }).OPTIONS, { a: 1 });
});

test("a missing or malformed key fails the cold start with the key's name", (t) => {
  t.throws(() => readEnv(definition.env, { USERS: "a", API_TOKEN: "x" }), { instanceOf: EnvironmentError, message: /ITEMS_TABLE is not set/ });
  t.throws(() => readEnv(definition.env, { ITEMS_TABLE: "t", USERS: "a", API_TOKEN: "x", LIMIT: "ten" }), { instanceOf: EnvironmentError, message: /LIMIT must be a number/ });
  t.throws(() => readEnv(definition.env, { ITEMS_TABLE: "t", USERS: "a", API_TOKEN: "x", OPTIONS: "{" }), { instanceOf: EnvironmentError, message: /OPTIONS must be JSON/ });
  t.throws(() => readEnv(definition.env, { ITEMS_TABLE: "t", USERS: "a" }), { message: /API_TOKEN_PARAMETER \(AWS\) or API_TOKEN/ });
});

test("in AWS a secret is read from the SSM parameter its <KEY>_PARAMETER names, never from the environment", (t) => {
  const env = readEnv(definition.env, { ITEMS_TABLE: "t", USERS: "a", API_TOKEN_PARAMETER: "/switchyard/dev/x/api-token" });
  t.is(typeof env.API_TOKEN, "function");
});

test("packages: the SSM client is added exactly when a key is a secret", (t) => {
  t.deepEqual(packagesOf(definition), ["zod", SECRET_PACKAGE]);
  t.deepEqual(packagesOf(defineFunction({ service: "s", packages: ["zod"], env: { T: resource("t", []) }, create: () => 1 })), ["zod"]);
});

test("grants: each key's grants on its resource, then the definition's own", (t) => {
  t.deepEqual(grantsOf(definition), [
    { on: "items", actions: ["dynamodb:GetItem"] },
    { on: "items", actions: ["dynamodb:Query"], path: "/index/byDate" },
    { on: "items", attribute: "stream", actions: ["dynamodb:GetRecords"] },
  ]);
});

test("locally the same definition gets its values by logical name, secrets as their value, nothing stale from the process", (t) => {
  const env = localEnv(definition, { resources: { items: "switchyard-local-x-items" }, settings: { users: "ada" }, secrets: { apiToken: "local-token" } }, { USERS: "stale", EXTRA_TOKEN: "stale", PATH: "/bin" });
  t.like(env, { ITEMS_TABLE: "switchyard-local-x-items", USERS: "ada", API_TOKEN: "local-token", PATH: "/bin" });
  t.false("EXTRA_TOKEN" in env);
  const handler = buildHandler(definition, env);
  t.deepEqual(handler.USERS, ["ada"]);
});

test("in a stack: the environment holds names and parameter names, the policy exactly the grants", async (t) => {
  pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs }, "p", "s", false);
  const value = <T>(o: pulumi.Input<T>) => new Promise<T>((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
  const param = { name: pulumi.output("/switchyard/s/x/api-token"), arn: pulumi.output("arn:ssm:api-token") } as never;
  const items = { value: "items-1", arn: "arn:items", attributes: { stream: "arn:items/stream/1" } };
  const linked = linkDefinition("x", definition, { resources: { items }, secrets: { apiToken: param }, settings: { users: "ada,grace" } });
  t.deepEqual(Object.keys(linked.environment).sort(), ["API_TOKEN_PARAMETER", "ITEMS_TABLE", "USERS"]);
  t.is(await value(linked.environment.API_TOKEN_PARAMETER!), "/switchyard/s/x/api-token");
  const statements = await Promise.all(linked.permissions.map(async (p: { actions: string[]; resources: pulumi.Input<string>[] }) => [p.actions.join(","), await Promise.all(p.resources.map(value))]));
  t.deepEqual(statements, [
    ["dynamodb:GetItem", ["arn:items"]],
    ["dynamodb:Query", ["arn:items/index/byDate"]],
    ["dynamodb:GetRecords", ["arn:items/stream/1"]],
    ["ssm:GetParameter", ["arn:ssm:api-token"]],
  ]);
  t.throws(() => linkDefinition("x", definition, { resources: {}, secrets: { apiToken: param }, settings: { users: "a" } }), { instanceOf: MissingLinkError, message: /names resource "items"/ });
  t.throws(() => linkDefinition("x", definition, { resources: { items }, settings: { users: "a" } }), { instanceOf: MissingLinkError, message: /API_TOKEN needs secret "apiToken"/ });
  t.throws(() => linkDefinition("x", definition, { resources: { items }, secrets: { apiToken: param } }), { instanceOf: MissingLinkError, message: /USERS needs setting "users"/ });
});
