// The field-constraints preflight rule: clean on every variant; fires on broken copies of recorded
// resources (a role description IAM rejects, a name too long, an enum value AWS does not know, a
// number out of range, bad tags, from the resource or the provider's default tags); the field map
// covers every type the records hold; aws-constraints.json is what botocore's models say.
import test from "ava";
import { readFileSync } from "node:fs";
import { FIELD_MAP, isApiEntry } from "../../preflight/field-map";
import { formatFinding, type Finding } from "../../preflight/finding";
import { CONSTRAINTS_FILE, INSTALL_BOTOCORE, constraintsJson, extractConstraints, locateBotocore, type ConstraintsFile } from "../../preflight/models/extract";
import { fieldConstraints, javaPattern } from "../../preflight/rules/field-constraints";
import { MODEL_CHANGES } from "../../preflight/tightened";
import { evaluateVariants } from "../../preflight/variants";
import type { RecordedResource, StackRecord } from "../harness/record";
import { byName } from "../harness/stacks";

let records: Map<string, StackRecord>;
test.before(async () => {
  records = await evaluateVariants();
});

const T = {
  role: "aws:iam/role:Role",
  fn: "aws:lambda/function:Function",
  table: "aws:dynamodb/table:Table",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  queue: "aws:sqs/queue:Queue",
  rule: "aws:cloudwatch/eventRule:EventRule",
  parameter: "aws:ssm/parameter:Parameter",
  provider: "pulumi:providers:aws",
};

/** `variant`'s record with `edit` applied to one resource (found by type and name). */
function broken(variant: string, type: string, name: string, edit: (r: RecordedResource) => void): StackRecord {
  const copy = structuredClone(records.get(variant)!);
  edit(byName(copy, type, name));
  return copy;
}

const check = (record: StackRecord, variant = "dev") => fieldConstraints.check(record, variant) as Finding[];
const summary = (findings: Finding[]) => findings.map((f) => `${f.resource} ${f.input}: ${f.source}`);

test("field-constraints is clean on every variant", (t) => {
  for (const [variant, record] of records) t.deepEqual(check(record, variant).map(formatFinding), [], variant);
});

test('field-constraints fires on a role description with "→" (IAM CreateRole, tightened since the model)', (t) => {
  const record = broken("dev", T.role, "calendly-project", (r) => (r.inputs.description = "Runs events stream → meetings table"));
  const findings = check(record);
  t.deepEqual(summary(findings), ['aws:iam/role:Role "calendly-project" description: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html']);
  t.is(findings[0]!.stack, "dev");
  t.is(findings[0]!.rule, "field-constraints");
  t.regex(findings[0]!.message, /not allowed: U\+2192 "→"/);
  // The 2022 model alone lets it through: its pattern is any Unicode letter, symbol or punctuation.
  t.true(javaPattern("[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*").test("Runs events stream → meetings table"));
  // Latin-1 is fine; the same arrow in a policy document is caught by the model's own pattern.
  t.deepEqual(check(broken("dev", T.role, "calendly-project", (r) => (r.inputs.description = "Runs the café's stream"))), []);
  const policy = broken("dev", "aws:iam/rolePolicy:RolePolicy", "calendly-project", (r) => (r.inputs.policy = r.inputs.policy.replace('"Allow"', '"Allow","Sid":"A→B"')));
  t.deepEqual(summary(check(policy)), [
    'aws:iam/rolePolicy:RolePolicy "calendly-project" policy: botocore 1.29.27 iam 2010-05-08 PutRolePolicyRequest.PolicyDocument pattern',
  ]);
});

test("field-constraints fires on names too long, given or auto-named", (t) => {
  const given = broken("dev", T.rule, "health-check", (r) => (r.inputs.name = `switchyard-${"x".repeat(60)}`));
  t.deepEqual(summary(check(given)), ['aws:cloudwatch/eventRule:EventRule "health-check" name: botocore 1.29.27 events 2015-10-07 PutRuleRequest.Name max']);
  t.regex(check(given)[0]!.message, /is 71 characters; at most 64/);
  // Auto-named: Pulumi's name is the logical name plus "-" and 7 hex characters (the mock's too).
  const logical = "calendly-a-rather-long-logical-name-for-a-role-that-runs-things";
  const autonamed = broken("dev", T.role, "calendly-project", (r) => (r.state.name = `${logical}-abcdef0`));
  t.deepEqual(summary(check(autonamed)), ['aws:iam/role:Role "calendly-project" name (auto-named): botocore 1.29.27 iam 2010-05-08 CreateRoleRequest.RoleName max']);
  const table = broken("dev", T.table, "api-messages", (r) => (r.inputs.name = "messages table"));
  t.deepEqual(summary(check(table)), ['aws:dynamodb/table:Table "api-messages" name: botocore 1.29.27 dynamodb 2012-08-10 CreateTableInput.TableName pattern']);
});

test("field-constraints fires on enum values AWS does not know, and knows the ones added since the model", (t) => {
  const billing = broken("dev", T.table, "api-messages", (r) => (r.inputs.billingMode = "ON_DEMAND"));
  t.deepEqual(summary(check(billing)), ['aws:dynamodb/table:Table "api-messages" billingMode: botocore 1.29.27 dynamodb 2012-08-10 CreateTableInput.BillingMode enum']);
  t.regex(check(billing)[0]!.message, /"ON_DEMAND" is not one of PROVISIONED, PAY_PER_REQUEST/);
  const runtime = broken("dev", T.fn, "api-get", (r) => (r.inputs.runtime = "nodejs23.x"));
  t.deepEqual(summary(check(runtime)), ['aws:lambda/function:Function "api-get" runtime: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html']);
  const attribute = broken("dev", T.table, "api-messages", (r) => (r.inputs.attributes[0].type = "STRING"));
  t.deepEqual(summary(check(attribute)), ['aws:dynamodb/table:Table "api-messages" attributes[0].type: botocore 1.29.27 dynamodb 2012-08-10 CreateTableInput.AttributeDefinitions[].AttributeType enum']);
});

test("field-constraints fires on numbers out of range: memory, timeout, log retention, SQS attributes, alarm periods", (t) => {
  const memory = broken("dev", T.fn, "api-get", (r) => {
    r.inputs.memorySize = 64;
    r.inputs.timeout = 0;
  });
  t.deepEqual(summary(check(memory)), [
    'aws:lambda/function:Function "api-get" memorySize: botocore 1.29.27 lambda 2015-03-31 CreateFunctionRequest.MemorySize min',
    'aws:lambda/function:Function "api-get" timeout: botocore 1.29.27 lambda 2015-03-31 CreateFunctionRequest.Timeout min',
  ]);
  const retention = broken("dev", T.logGroup, "api-get", (r) => (r.inputs.retentionInDays = 10));
  t.deepEqual(summary(check(retention)), ['aws:cloudwatch/logGroup:LogGroup "api-get" retentionInDays: botocore 1.29.27 logs 2014-03-28 PutRetentionPolicyRequest.retentionInDays documented values']);
  const queue = broken("dev", T.queue, "calendly-dlq", (r) => (r.inputs.messageRetentionSeconds = 1209601));
  t.deepEqual(summary(check(queue)), ['aws:sqs/queue:Queue "calendly-dlq" messageRetentionSeconds: botocore 1.29.27 sqs 2012-11-05 CreateQueueRequest.Attributes{MessageRetentionPeriod} documented range']);
  const alarm = records.get("dev")!.resources.find((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.inputs.period !== undefined)!;
  const period = broken("dev", alarm.type, alarm.name, (r) => (r.inputs.evaluationPeriods = 0));
  t.deepEqual(summary(check(period)), [`aws:cloudwatch/metricAlarm:MetricAlarm "${alarm.name}" evaluationPeriods: botocore 1.29.27 cloudwatch 2010-08-01 PutMetricAlarmInput.EvaluationPeriods min`]);
});

test("field-constraints fires on bad tags, the resource's own and the provider's default tags", (t) => {
  const own = broken("dev", T.logGroup, "api-get", (r) => (r.inputs.tags = { ...r.inputs.tags, "team→a": "x".repeat(257) }));
  t.deepEqual(summary(check(own)), [
    'aws:cloudwatch/logGroup:LogGroup "api-get" tags{team→a}: botocore 1.29.27 logs 2014-03-28 CreateLogGroupRequest.tags{key} pattern',
    'aws:cloudwatch/logGroup:LogGroup "api-get" tags.team→a: botocore 1.29.27 logs 2014-03-28 CreateLogGroupRequest.tags{} max',
  ]);
  // A default tag the provider merges into every taggable resource: reported on each, named as the provider's.
  const provider = broken("dev", T.provider, "aws", (r) => (r.inputs.defaultTags = JSON.stringify({ tags: { project: "switchyard", stack: "dev", owner: "a&b" } })));
  const findings = check(provider);
  t.true(findings.length > 30, `${findings.length} findings`);
  t.true(findings.every((f) => f.input === "tags.owner (the provider's defaultTags)"));
  t.true(findings.some((f) => f.resource === 'aws:iam/role:Role "api-get"' && f.source === "botocore 1.29.27 iam 2010-05-08 CreateRoleRequest.Tags[].Value pattern"));
  t.false(findings.some((f) => f.resource.startsWith("aws:iam/rolePolicy:RolePolicy")), "untaggable types get no default tags");
  // More tags than the API takes.
  const manyLogs = broken("dev", T.logGroup, "api-get", (r) => (r.inputs.tags = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, "v"]))));
  t.deepEqual(summary(check(manyLogs)), ['aws:cloudwatch/logGroup:LogGroup "api-get" tags: botocore 1.29.27 logs 2014-03-28 CreateLogGroupRequest.tags max']);
});

test("field-constraints checks secret values without printing them, and skips what the mocks made up", (t) => {
  const longKey = broken("dev", T.parameter, "calendly-signing-key", (r) => (r.inputs.name = `/${"p".repeat(2048)}`));
  t.regex(check(longKey)[0]!.message, /is 2049 characters; at most 2048/);
  const tagged = broken("dev", T.parameter, "calendly-signing-key", (r) => (r.inputs.tags = { component: { ...r.inputs.value, value: "" } }));
  const [hidden] = check(tagged);
  t.is(hidden!.input, "tags.component");
  t.regex(hidden!.message, /^\(secret\) is 0 characters; at least 1/);
  // Unknown values and mock ARNs are what the engine fills in at deploy time: not checked.
  const unknown = broken("dev", T.role, "calendly-project", (r) => (r.inputs.description = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"));
  t.deepEqual(check(unknown), []);
});

test("the field map covers every type in every variant, and a type without an entry fails", (t) => {
  for (const [variant, record] of records) {
    for (const type of new Set(record.resources.map((r) => r.type))) t.truthy(FIELD_MAP[type], `${variant}: ${type} has no field-map entry`);
  }
  const copy = structuredClone(records.get("dev")!);
  copy.resources.push({ type: "aws:sqs/newThing:NewThing", name: "x", id: "x-id", inputs: {}, state: {} });
  t.deepEqual(summary(check(copy)), ['aws:sqs/newThing:NewThing "x" (type): preflight/field-map.ts']);
});

test("every model change names a member of the extraction and cites an AWS page; every pattern compiles", (t) => {
  const file = JSON.parse(readFileSync(CONSTRAINTS_FILE, "utf8")) as ConstraintsFile;
  for (const change of MODEL_CHANGES) {
    t.truthy(file.constraints[change.key], change.key);
    t.regex(change.url, /^https:\/\/docs\.aws\.amazon\.com\//);
    if (change.pattern) t.notThrows(() => javaPattern(change.pattern!));
  }
  for (const c of Object.values(file.constraints)) if (c.pattern) t.notThrows(() => javaPattern(c.pattern!), c.pattern);
  const mapped = Object.values(FIELD_MAP).filter(isApiEntry).reduce((n, e) => n + e.fields.length, 0);
  t.true(Object.keys(file.constraints).length > 300 && Object.keys(file.constraints).length <= mapped);
});

test("aws-constraints.json is a fresh extraction from botocore's models", (t) => {
  let botocore: string;
  try {
    botocore = locateBotocore();
  } catch {
    return t.fail(INSTALL_BOTOCORE);
  }
  t.is(readFileSync(CONSTRAINTS_FILE, "utf8"), constraintsJson(extractConstraints(botocore)), "run npm run preflight:models");
});
