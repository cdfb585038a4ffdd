// preflight's iam-policies rule: every policy document in the stacks and in .github/aws/ holds up
// against AWS's service authorization reference, and the rule fires on broken copies: a wrong-cased
// or unknown action, an ARN of the wrong type for its action, a condition key the action lacks.
import test from "ava";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatFinding, type Finding } from "../../preflight/finding";
import { ROLE_DOCUMENTS_DIR, checkPolicyDocument, iamPolicies, policyDocuments, roleDocumentFindings } from "../../preflight/rules/iam-policies";
import { evaluateVariants } from "../../preflight/variants";
import type { StackRecord } from "../harness/record";
import { byName } from "../harness/stacks";

let records: Map<string, StackRecord>;
test.before(async () => {
  records = await evaluateVariants();
});

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

/** A copy of the variant's record with the role policy `name`'s document edited. */
function withPolicy(variant: string, name: string, edit: (doc: any) => void, type = ROLE_POLICY, input = "policy"): StackRecord {
  const copy = structuredClone(records.get(variant)!);
  const resource = byName(copy, type, name);
  const raw = resource.inputs[input];
  const doc = typeof raw === "string" ? JSON.parse(raw) : raw;
  edit(doc);
  resource.inputs[input] = typeof raw === "string" ? JSON.stringify(doc) : doc;
  return copy;
}

/** api-create's statement on the messages table: `{ Action: ["dynamodb:PutItem", "dynamodb:UpdateItem"], Resource: [<table>] }`. */
function tableStatement(doc: any): { index: number; statement: any } {
  const index = doc.Statement.findIndex((s: any) => s.Action.includes("dynamodb:PutItem"));
  return { index, statement: doc.Statement[index] };
}

const check = async (record: StackRecord, variant = "prod") => (await iamPolicies.check(record, variant)) as Finding[];

test("every policy document is clean on every variant, .github/aws/ included", async (t) => {
  for (const [variant, record] of records) t.deepEqual((await check(record, variant)).map(formatFinding), [], variant);
});

test("the rule sees every kind of policy document the stacks create", (t) => {
  const kinds = new Set<string>();
  for (const record of records.values()) for (const r of record.resources) for (const { path } of policyDocuments(r.inputs)) kinds.add(`${r.type} ${path}`);
  for (const kind of [`${ROLE_POLICY} policy`, "aws:iam/role:Role assumeRolePolicy", "aws:s3/bucketPolicy:BucketPolicy policy", "aws:sqs/queuePolicy:QueuePolicy policy"]) t.true(kinds.has(kind), kind);
});

test("fires on a wrong-cased, an unknown and a matchless wildcard action", async (t) => {
  const record = withPolicy("prod", "api-create", (doc) => {
    const { statement } = tableStatement(doc);
    statement.Action = ["dynamodb:putItem", "DynamoDB:UpdateItem", "dynamodb:PutItems", "dynamodb:Frobnicate*"];
  });
  const { index } = tableStatement(JSON.parse(byName(records.get("prod")!, ROLE_POLICY, "api-create").inputs.policy));
  const findings = (await check(record)).filter((f) => f.resource === `${ROLE_POLICY} "api-create"`);
  const at = (i: number) => findings.filter((f) => f.input === `policy.Statement[${index}].Action[${i}]`).map((f) => f.message);
  t.regex(at(0).join(), /documented as dynamodb:PutItem/);
  t.regex(at(1).join(), /service prefix is documented in lower case/);
  t.regex(at(2).join(), /no such action in dynamodb/);
  t.regex(at(3).join(), /matches no dynamodb action/);
  t.true(findings.every((f) => f.rule === "iam-policies" && f.stack === "prod" && /^@cloud-copilot\/iam-data \S+, service authorization reference dynamodb/.test(f.source)), findings.map(formatFinding).join("\n"));
});

test("fires on a resource ARN of the wrong type for its action: dynamodb:GetItem on an S3 bucket", async (t) => {
  const record = withPolicy("prod", "api-create", (doc) => doc.Statement.push({ Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: ["arn:aws:s3:::some-bucket"] }));
  const findings = (await check(record)).map((f) => `${f.input}: ${f.message}`);
  const last = JSON.parse(byName(record, ROLE_POLICY, "api-create").inputs.policy).Statement.length - 1;
  t.true(findings.some((f) => f.startsWith(`policy.Statement[${last}].Resource[0]: arn:aws:s3:::some-bucket fits no resource type of dynamodb:GetItem`)), findings.join("\n"));
  t.true(findings.some((f) => f.startsWith(`policy.Statement[${last}].Action[0]: dynamodb:GetItem applies to arn:\${Partition}:dynamodb:`)), findings.join("\n"));
});

test("an action that takes no resource type needs \"*\"; a statement's actions may each find their own ARN", async (t) => {
  const problems = async (statement: object) => (await checkPolicyDocument({ Version: "2012-10-17", Statement: [statement] }, "policy.")).map((p) => `${p.input}: ${p.message}`);
  t.deepEqual(await problems({ Effect: "Allow", Action: "dynamodb:ListStreams", Resource: "*" }), []);
  t.regex((await problems({ Effect: "Allow", Action: "dynamodb:ListStreams", Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/*" })).join(), /ListStreams applies to "\*" only/);
  t.deepEqual(await problems({ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"] }), []);
  // Wildcards in ARNs: a log group pattern fits logs:PutLogEvents's log-stream type.
  t.deepEqual(await problems({ Effect: "Allow", Action: "logs:PutLogEvents", Resource: "arn:aws:logs:*:123456789012:log-group:/switchyard/*:*" }), []);
});

test("fires on a condition key the action does not support, and on an unknown global key", async (t) => {
  const record = withPolicy("prod", "api-create", (doc) => {
    const { statement } = tableStatement(doc);
    statement.Condition = { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["a"], "s3:prefix": ["b"], "aws:NoSuchKey": "c" } };
  });
  const findings = (await check(record)).map((f) => `${f.input}: ${f.message}`);
  t.false(findings.some((f) => f.includes('"dynamodb:LeadingKeys"')), "LeadingKeys is a PutItem / UpdateItem key");
  t.true(findings.some((f) => f.includes('.Condition.ForAllValues:StringEquals["s3:prefix"]: condition key s3:prefix is not supported by dynamodb:PutItem, dynamodb:UpdateItem')), findings.join("\n"));
  t.true(findings.some((f) => f.includes('["aws:NoSuchKey"]: condition key aws:NoSuchKey is not supported')), findings.join("\n"));
});

test("checks trust policies and resource policies too", async (t) => {
  const record = withPolicy("prod", "api-create", (doc) => (doc.Statement[0].Action = "sts:assumeRole"), "aws:iam/role:Role", "assumeRolePolicy");
  const findings = (await check(record)).filter((f) => f.resource.startsWith("aws:iam/role:Role "));
  t.deepEqual(
    findings.map((f) => [f.resource, f.input]),
    [['aws:iam/role:Role "api-create"', "assumeRolePolicy.Statement[0].Action"]],
  );
  const bucket = withPolicy("prod", "site", (doc) => (doc.Statement[0].Resource = ["arn:aws:sqs:us-east-1:123456789012:q"]), "aws:s3/bucketPolicy:BucketPolicy");
  t.regex((await check(bucket)).map(formatFinding).join(), /bucketPolicy:BucketPolicy "site" policy\.Statement\[0\]\.Resource\[0\]: arn:aws:sqs:\S+ fits no resource type of s3:\*/);
});

test("checks the roles' documents in .github/aws/ as files, placeholders filled in", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "preflight-iam-"));
  cpSync(ROLE_DOCUMENTS_DIR, dir, { recursive: true });
  t.deepEqual(await roleDocumentFindings("prod", dir), []);
  const deploy = JSON.parse(readFileSync(join(dir, "deploy-policy.json"), "utf8"));
  const passRole = deploy.Statement.findIndex((s: any) => s.Action === "iam:PassRole");
  deploy.Statement[passRole].Action = "iam:Passrole";
  deploy.Statement[passRole].Condition.StringLike["iam:PassedToServices"] = ["lambda.amazonaws.com"];
  writeFileSync(join(dir, "deploy-policy.json"), JSON.stringify(deploy));
  const trust = JSON.parse(readFileSync(join(dir, "trust-deploy.json"), "utf8"));
  trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:subject"] = "repo:OWNER/REPO:environment:dev";
  writeFileSync(join(dir, "trust-deploy.json"), JSON.stringify(trust));
  const findings = await roleDocumentFindings("prod", dir);
  t.deepEqual(
    findings.map((f) => [f.resource, f.input]),
    [
      [".github/aws/deploy-policy.json", `Statement[${passRole}].Action`],
      [".github/aws/deploy-policy.json", `Statement[${passRole}].Condition.StringLike["iam:PassedToServices"]`],
      [".github/aws/trust-deploy.json", 'Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:subject"]'],
    ],
  );
});
