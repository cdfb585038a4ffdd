// index.ts evaluated for dev and prod under Pulumi's mock runtime: what each stack would create.
import test from "ava";
import { builtinModules } from "node:module";
import type { StackRecord } from "../harness/record";
import { byName, evaluateStack, ofType } from "../harness/stacks";
import { grants, policiesByRole, roleOf } from "../harness/iam";

const stacks: Record<string, StackRecord> = {};
test.before(async () => {
  const [dev, prod] = await Promise.all([evaluateStack("dev"), evaluateStack("prod")]);
  stacks.dev = dev;
  stacks.prod = prod;
});

const EXPECTED = {
  dev: { region: "us-west-2", protect: false, retention: 14, rate: 50, burst: 100 },
  prod: { region: "us-east-1", protect: true, retention: 90, rate: 20, burst: 40 },
} as const;

for (const stack of ["dev", "prod"] as const) {
  const want = EXPECTED[stack];

  test(`${stack}: the AWS provider targets ${want.region} and tags every resource with the stack`, (t) => {
    const providers = ofType(stacks[stack]!, "pulumi:providers:aws");
    // The stack's region, and us-east-1 for CloudFront's certificate, metrics and alarms: both tag.
    t.deepEqual(providers.map((p) => [p.name, p.inputs.region]), [["aws", want.region], ["us-east-1", "us-east-1"]]);
    for (const p of providers) t.deepEqual(JSON.parse(p.inputs.defaultTags).tags, { project: "switchyard", stack });
    t.is(stacks[stack]!.outputs.region, want.region);
    t.true(String(stacks[stack]!.outputs.apiUrl).includes(`.execute-api.${want.region}.amazonaws.com`));
  });

  test(`${stack}: outputs apiUrl, messagesUrl and the table name`, (t) => {
    const { outputs } = stacks[stack]!;
    const table = byName(stacks[stack]!, "aws:dynamodb/table:Table", "api-messages");
    t.is(outputs.messagesUrl, `${outputs.apiUrl}/messages`);
    t.is(outputs.messagesTable, table.state.name);
  });

  test(`${stack}: the message table is on-demand and encrypted; protection ${want.protect ? "on" : "off"}`, (t) => {
    const table = byName(stacks[stack]!, "aws:dynamodb/table:Table", "api-messages").inputs;
    t.is(table.billingMode, "PAY_PER_REQUEST");
    t.deepEqual(table.serverSideEncryption, { enabled: true });
    t.is(table.hashKey, "pk");
    t.is(table.rangeKey, "sk");
    t.deepEqual(table.pointInTimeRecovery, { enabled: want.protect });
    t.is(table.deletionProtectionEnabled, want.protect);
    t.deepEqual(table.attributes, [{ name: "pk", type: "S" }, { name: "sk", type: "S" }]);
  });

  test(`${stack}: routes POST /messages, GET /messages, GET /messages/{id} and $default reach the right functions`, (t) => {
    const record = stacks[stack]!;
    const api = byName(record, "aws:apigatewayv2/api:Api", "api");
    const routes = ofType(record, "aws:apigatewayv2/route:Route").filter((r) => r.inputs.apiId === api.id && /messages|\$default/.test(r.inputs.routeKey));
    const integrations = ofType(record, "aws:apigatewayv2/integration:Integration");
    const functions = ofType(record, "aws:lambda/function:Function");
    const served: Record<string, string> = {};
    for (const route of routes) {
      const integration = integrations.find((i) => route.inputs.target === `integrations/${i.id}`);
      t.truthy(integration, `route ${route.inputs.routeKey} targets an integration`);
      t.is(integration!.inputs.integrationType, "AWS_PROXY");
      t.is(integration!.inputs.payloadFormatVersion, "2.0");
      const fn = functions.find((f) => f.state.arn === integration!.inputs.integrationUri);
      served[route.inputs.routeKey] = fn!.name;
    }
    t.deepEqual(served, {
      "POST /messages": "api-create",
      "GET /messages": "api-list",
      "GET /messages/{id}": "api-get",
      $default: "api-not-found",
    });
  });

  test(`${stack}: each invoke permission is scoped to its own route`, (t) => {
    const api = byName(stacks[stack]!, "aws:apigatewayv2/api:Api", "api");
    const arns = Object.fromEntries(ofType(stacks[stack]!, "aws:lambda/permission:Permission").filter((p) => p.name.startsWith("api-")).map((p) => [p.name, p.inputs.sourceArn]));
    const base = api.state.executionArn;
    t.deepEqual(arns, {
      "api-post-messages": `${base}/*/POST/messages`,
      "api-get-messages": `${base}/*/GET/messages`,
      "api-get-messages-id": `${base}/*/GET/messages/*`,
      "api-default": `${base}/*/$default`,
    });
  });

  test(`${stack}: stage throttled at ${want.rate}/${want.burst} rps and access-logged; CORS from config`, (t) => {
    const stage = byName(stacks[stack]!, "aws:apigatewayv2/stage:Stage", "api").inputs;
    t.is(stage.name, "$default");
    t.true(stage.autoDeploy);
    t.deepEqual(stage.defaultRouteSettings, { throttlingRateLimit: want.rate, throttlingBurstLimit: want.burst });
    const accessLog = byName(stacks[stack]!, "aws:cloudwatch/logGroup:LogGroup", "api-access");
    t.is(stage.accessLogSettings.destinationArn, accessLog.state.arn);
    t.is(JSON.parse(stage.accessLogSettings.format).requestId, "$context.requestId");
    const api = byName(stacks[stack]!, "aws:apigatewayv2/api:Api", "api").inputs;
    t.is(api.protocolType, "HTTP");
    const website = stacks[stack]!.outputs.websiteUrl as string;
    t.regex(website, /^https:\/\/d[0-9a-f]+abcdef\.cloudfront\.net$/);
    t.deepEqual(api.corsConfiguration.allowOrigins, stack === "dev" ? [website, "http://localhost:3000", "http://127.0.0.1:3000"] : [website], "the website's origin, then config's");
    t.false((api.corsConfiguration.allowOrigins ?? []).includes("*"));
    t.true(api.corsConfiguration.allowCredentials, "the website sends the /gists session cookie");
  });

  test(`${stack}: every function runs Node.js 22 on arm64 with its own role and a ${want.retention}-day JSON log group`, (t) => {
    const record = stacks[stack]!;
    const functions = ofType(record, "aws:lambda/function:Function");
    t.true(functions.length >= 4);
    const roles = new Set<string>();
    for (const fn of functions) {
      t.is(fn.inputs.runtime, "nodejs22.x");
      t.deepEqual(fn.inputs.architectures, ["arm64"]);
      const role = roleOf(record, fn);
      t.false(roles.has(role.name), `${fn.name} shares a role`);
      roles.add(role.name);
      const trust = typeof role.inputs.assumeRolePolicy === "string" ? JSON.parse(role.inputs.assumeRolePolicy) : role.inputs.assumeRolePolicy;
      t.deepEqual(trust.Statement.map((s: any) => s.Action), ["sts:AssumeRole"]);
      t.deepEqual(trust.Statement[0].Principal, { Service: "lambda.amazonaws.com" });
      const group = ofType(record, "aws:cloudwatch/logGroup:LogGroup").find((g) => g.state.name === fn.inputs.loggingConfig.logGroup);
      t.truthy(group, `${fn.name} logs to a log group of this stack`);
      t.is(group!.inputs.retentionInDays, want.retention);
      t.is(fn.inputs.loggingConfig.logFormat, "JSON");
    }
    t.is(byName(record, "aws:cloudwatch/logGroup:LogGroup", "api-access").inputs.retentionInDays, want.retention);
    // The CallbackFunction default role would attach managed *FullAccess policies.
    t.deepEqual(ofType(record, "aws:iam/rolePolicyAttachment:RolePolicyAttachment"), []);
  });

  test(`${stack}: every function's policy grants exactly what its route needs`, (t) => {
    const record = stacks[stack]!;
    const table = byName(record, "aws:dynamodb/table:Table", "api-messages").state.arn as string;
    const policies = policiesByRole(record);
    const logs = (fn: string) => `${byName(record, "aws:cloudwatch/logGroup:LogGroup", fn).state.arn}:log-stream:*`;
    const expected: Record<string, Record<string, string[]>> = {
      "api-create": { "dynamodb:PutItem": [table], "dynamodb:UpdateItem": [table] },
      "api-list": { "dynamodb:GetItem": [table], "dynamodb:Query": [table] },
      "api-get": { "dynamodb:GetItem": [table] },
      "api-not-found": {},
    };
    for (const [fn, wanted] of Object.entries(expected)) {
      const statements = policies.get(fn) ?? [];
      t.deepEqual(grants(statements), { "logs:CreateLogStream": [logs(fn)], "logs:PutLogEvents": [logs(fn)], ...wanted }, fn);
      for (const s of statements) {
        t.false(s.Action.some((a) => a.includes("*")), `${fn}: no wildcard action`);
        t.false(s.Resource.some((r) => r === "*" || /^arn:aws:dynamodb:[^:]*:[^:]*:table\/\*/.test(r)), `${fn}: no wildcard resource`);
      }
    }
  });

  test(`${stack}: uploads carry only traced files, never the AWS SDK, Pulumi or dev tools, and everything __index.js requires`, (t) => {
    for (const fn of ofType(stacks[stack]!, "aws:lambda/function:Function")) {
      const files = Object.keys(fn.archive!.files);
      t.true(files.length > 0);
      t.false(files.some((f) => /^node_modules\/(@aws-sdk|@smithy|@pulumi|typescript|ava|tsx|@vercel|esbuild)\//.test(f)), fn.name);
      t.false(files.some((f) => f.endsWith(".d.ts") || f.endsWith(".map") || f.includes("/src/")), `${fn.name} carries only runtime files`);
      const required = [...fn.archive!.index.matchAll(/(?:require|import)\("([^"]+)"\)/g)].map((m) => m[1]!);
      for (const spec of required) {
        if (builtinModules.includes(spec.replace(/^node:/, "")) || spec.startsWith("@aws-sdk/")) continue;
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
        t.true(files.includes(`node_modules/${pkg}/package.json`), `${fn.name} requires ${spec} and carries it`);
      }
      // The big packages ride only where the code loads them.
      for (const big of ["zod", "got"]) {
        if (files.some((f) => f.startsWith(`node_modules/${big}/`))) t.true(required.includes(big), `${fn.name} carries ${big} without loading it`);
      }
    }
  });
}

test("dev and prod differ only where config says so", (t) => {
  const shape = (record: StackRecord) => record.resources.map((r) => `${r.type}::${r.name}`).sort();
  const dev = shape(stacks.dev!);
  const prod = shape(stacks.prod!);
  // switchyard:observability (dev lean, prod full) decides the alarms, the us-east-1 alarm topic and
  // the health check's retry setting; everything else is the same resource for resource.
  const observability = (key: string) =>
    /^aws:cloudwatch\/metricAlarm:MetricAlarm::/.test(key) || key === "aws:sns/topic:Topic::observability-alarms-us-east-1" || key === "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig::health-check";
  t.deepEqual(dev.filter((k) => !observability(k)), prod.filter((k) => !observability(k)));
  t.deepEqual(dev.filter((k) => !prod.includes(k)), [
    "aws:cloudwatch/metricAlarm:MetricAlarm::api-5xx",
    "aws:cloudwatch/metricAlarm:MetricAlarm::functions-errors",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig::health-check",
  ]);
  t.true(prod.includes("aws:sns/topic:Topic::observability-alarms-us-east-1") && !dev.includes("aws:sns/topic:Topic::observability-alarms-us-east-1"));
});
