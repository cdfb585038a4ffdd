// The deploy-role rule: clean on every variant with the roles as committed; fires, naming the type
// and the action, when a copy of a role document lacks an action a deploy or a preview calls, and
// when a recorded type has no entry in the reviewed table. The guide shows the roles as generated.
import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEPLOY_ACTIONS } from "../../preflight/deploy-actions";
import type { StackRecord } from "../../preflight/finding";
import { checkRoles, DEPLOY_POLICY, deployRole, loadPolicy, PREVIEW_POLICY, rolesMarkdown } from "../../preflight/rules/deploy-role";
import type { PolicyDocument } from "../../preflight/simulate";
import { evaluateVariants } from "../../preflight/variants";
import { ROOT } from "../harness/stacks";

const records = evaluateVariants();
const everything = async () => (await records).get("prod-everything")!;
/**
 * prod-everything with only the providers and the resources of `types` (prefixes): the broken-copy
 * tests simulate what they are about, not all ~370 resources again (the clean run above does that).
 */
const only = async (...types: string[]): Promise<StackRecord> => {
  const record = await everything();
  return { ...record, resources: record.resources.filter((r) => r.type === "pulumi:providers:aws" || types.some((t) => r.type.startsWith(t))) };
};

/** A copy of a role document without one action anywhere. */
function without(document: PolicyDocument, action: string): PolicyDocument {
  const statements = [document.Statement].flat() as { Action: string | string[] }[];
  return { ...document, Statement: statements.map((s) => ({ ...s, Action: [s.Action].flat().filter((a) => a !== action) })) };
}

test("the roles as committed can deploy and preview every variant", async (t) => {
  for (const [variant, record] of await records) {
    const findings = await deployRole.check(record, variant);
    t.deepEqual(findings, [], variant);
  }
});

test("every recorded type has an entry in the reviewed table", async (t) => {
  const types = new Set([...(await records).values()].flatMap((r) => r.resources.map((x) => x.type)));
  t.deepEqual([...types].filter((type) => !DEPLOY_ACTIONS[type]), []);
});

test("a deploy role without cognito-idp:CreateUserPool cannot create the user pool", async (t) => {
  const findings = await checkRoles(await only("aws:cognito/"), "prod-everything", without(loadPolicy(DEPLOY_POLICY), "cognito-idp:CreateUserPool"));
  t.true(findings.length > 0);
  for (const f of findings) {
    t.like(f, { stack: "prod-everything", resource: 'aws:cognito/userPool:UserPool "events-users"', input: "create: cognito-idp:CreateUserPool", rule: "deploy-role" });
    t.regex(f.source, /cognitoidp\/user_pool\.go/);
  }
});

test("a deploy role without logs:CreateLogDelivery cannot turn on the HTTP API's access logs", async (t) => {
  const findings = await checkRoles(await only("aws:apigatewayv2/api:", "aws:apigatewayv2/stage:", "aws:cloudwatch/logGroup:"), "prod-everything", without(loadPolicy(DEPLOY_POLICY), "logs:CreateLogDelivery"));
  t.deepEqual(
    findings.map((f) => [f.resource, f.input]),
    [['aws:apigatewayv2/stage:Stage "api"', "create: logs:CreateLogDelivery"]],
  );
  t.regex(findings[0]!.source, /http-api-logging\.html/);
});

test("a deploy role without the log-delivery actions cannot turn on the site's access logs", async (t) => {
  const record = await only("aws:cloudwatch/logDelivery", "aws:cloudfront/distribution:", "aws:s3/bucket:");
  t.is(record.resources.filter((r) => r.type.startsWith("aws:cloudwatch/logDelivery")).length, 3, "prod-everything has the site's access logs");
  const noDelivery = await checkRoles(record, "prod-everything", without(loadPolicy(DEPLOY_POLICY), "logs:CreateDelivery"));
  // CreateDelivery is authorized on the delivery, its source and its destination: one finding each.
  t.deepEqual([...new Set(noDelivery.map((f) => `${f.resource} ${f.input}`))], ['aws:cloudwatch/logDelivery:LogDelivery "site-access-logs" create: logs:CreateDelivery']);
  t.deepEqual(noDelivery.map((f) => /:(delivery|delivery-source|delivery-destination):/.exec(f.message)?.[1]).sort(), ["delivery", "delivery-destination", "delivery-source"]);
  t.regex(noDelivery[0]!.source, /logs\/delivery\.go/);
  const noSource = await checkRoles(record, "prod-everything", without(loadPolicy(DEPLOY_POLICY), "logs:PutDeliverySource"));
  t.deepEqual(noSource.map((f) => f.input), ["create: logs:PutDeliverySource"]);
  // The delivery source's ARN is in us-east-1, whatever the stack's region: the role's statement names that region only.
  t.regex(noSource[0]!.message, /arn:aws:logs:us-east-1:123456789012:delivery-source:/);
});

test("roles may be passed only with the tag: an untagged function role cannot be passed to Lambda", async (t) => {
  const record = await only("aws:iam/", "aws:lambda/function:", "aws:cloudwatch/logGroup:");
  const roles = record.resources.filter((r) => r.type === "aws:iam/role:Role" && r.name === "api-get");
  const untagged: StackRecord = {
    ...record,
    resources: record.resources.map((r) => (roles.includes(r) ? { ...r, state: { ...r.state, tags: {} } } : r)),
  };
  // The provider's default tags still apply: drop them from the provider too.
  untagged.resources = untagged.resources.map((r) => (r.type === "pulumi:providers:aws" ? { ...r, inputs: { ...r.inputs, defaultTags: JSON.stringify({ tags: {} }) } } : r));
  const findings = await checkRoles(untagged, "prod-everything");
  t.true(findings.some((f) => f.resource === 'aws:lambda/function:Function "api-get"' && f.input === "create: iam:PassRole"));
  t.true(findings.some((f) => f.resource === 'aws:iam/role:Role "api-get"' && f.input === "create: iam:CreateRole"));
});

test("a recorded type with no entry in the table is a finding", async (t) => {
  const record = await only("aws:kinesis/");
  const added: StackRecord = { ...record, resources: [...record.resources, { type: "aws:kinesis/stream:Stream", name: "events", id: "events-id", inputs: {}, state: {} }] };
  const findings = await checkRoles(added, "prod-everything");
  t.deepEqual(
    findings.map((f) => [f.resource, f.input, f.source]),
    [['aws:kinesis/stream:Stream "events"', "type", "preflight/deploy-actions.ts"]],
  );
});

test("the preview role is checked too: without the awsx components' lookups a preview of the Fargate runner fails", async (t) => {
  const preview = loadPolicy(PREVIEW_POLICY);
  const awsx = await only("awsx:");
  const zones = await checkRoles(awsx, "prod-everything", loadPolicy(DEPLOY_POLICY), without(preview, "ec2:DescribeAvailabilityZones"));
  t.deepEqual(
    zones.map((f) => [f.resource, f.input]),
    [[PREVIEW_POLICY, "awsx:ec2:Vpc (aws.getAvailabilityZones)"]],
  );
  t.regex(zones[0]!.message, /the preview role cannot make .*ec2:DescribeAvailabilityZones/);
  const ecr = await checkRoles(awsx, "prod-everything", loadPolicy(DEPLOY_POLICY), without(preview, "ecr:GetAuthorizationToken"));
  t.deepEqual(ecr.map((f) => f.input), ["awsx:ecr:Image (aws.ecr.getAuthorizationToken)"]);
  // sts:GetCallerIdentity needs no permission at all (IAM allows it even under an explicit deny:
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html), so the
  // provider's credential check never fails on the role's document.
  t.deepEqual(await checkRoles(awsx, "prod-everything", loadPolicy(DEPLOY_POLICY), without(preview, "sts:GetCallerIdentity")), []);
});

test("docs/operations.md shows the two role documents and the table as generated from the files", (t) => {
  const guide = readFileSync(join(ROOT, "docs", "operations.md"), "utf8");
  const block = /<!-- deploy-role:begin[^\n]*-->\n([\s\S]*?)\n<!-- deploy-role:end -->/.exec(guide);
  t.truthy(block, "the guide has the generated block");
  t.is(block![1], rolesMarkdown(), "regenerate the block with rolesMarkdown() from preflight/rules/deploy-role.ts");
});
