// preflight's metrics-exist rule: every metric on the dashboard and in the alarms is one AWS
// publishes (namespace, name, dimension set) or one the handlers publish as EMF, and the rule fires
// on broken copies: a misspelled name, a metric in the wrong namespace, a wrong dimension.
import test from "ava";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatFinding, type Finding } from "../../preflight/finding";
import { emfMetrics } from "../../preflight/metric-spec";
import { dashboardMetrics, metricsExist, searchedMetrics } from "../../preflight/rules/metrics";
import { evaluateVariants } from "../../preflight/variants";
import type { StackRecord } from "../harness/record";
import { byName } from "../harness/stacks";

let records: Map<string, StackRecord>;
test.before(async () => {
  records = await evaluateVariants();
});

const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

const check = (record: StackRecord, variant: string) => metricsExist.check(record, variant) as Finding[];
const lines = (findings: Finding[]) => findings.map((f) => `${f.resource} ${f.input}: ${f.message}`);
/** The findings on a broken copy that the variant's own record does not have. */
function added(copy: StackRecord, variant: string): Finding[] {
  const before = new Set(lines(check(records.get(variant)!, variant)));
  return check(copy, variant).filter((f) => !before.has(lines([f])[0]!));
}

/** A copy of `variant` with its dashboard's body edited. */
function withDashboard(variant: string, edit: (body: any) => void): StackRecord {
  const copy = structuredClone(records.get(variant)!);
  const dashboard = copy.resources.find((r) => r.type === DASHBOARD)!;
  const body = JSON.parse(dashboard.inputs.dashboardBody);
  edit(body);
  dashboard.inputs.dashboardBody = JSON.stringify(body);
  return copy;
}

/** The first dashboard row (widget, row) whose metric is `namespace` / `name`. */
function rowOf(body: any, namespace: string, name: string): [number, number] {
  for (const [w, widget] of body.widgets.entries()) {
    const r = (widget.properties?.metrics ?? []).findIndex((row: unknown[]) => row[0] === namespace && row[1] === name);
    if (r >= 0) return [w, r];
  }
  throw new Error(`no ${namespace} ${name} on the dashboard`);
}

function withAlarm(variant: string, name: string, edit: (inputs: any) => void): StackRecord {
  const copy = structuredClone(records.get(variant)!);
  edit(byName(copy, ALARM, name).inputs);
  return copy;
}

test("every dashboard and alarm metric exists on every variant", (t) => {
  for (const [variant, record] of records) t.deepEqual(check(record, variant).map(formatFinding), [], variant);
});

test("the dashboards and alarms the rule reads are there: AWS metrics, EMF rows and SEARCH expressions", (t) => {
  const body = JSON.parse(records.get("prod-everything")!.resources.find((r) => r.type === DASHBOARD)!.inputs.dashboardBody);
  const metrics = dashboardMetrics(body);
  for (const namespace of ["AWS/ApiGateway", "AWS/Lambda", "AWS/DynamoDB", "AWS/SQS", "AWS/CloudFront", "Switchyard"]) t.true(metrics.some((m) => m.namespace === namespace), namespace);
  t.true(metrics.some((m) => m.search && m.namespace === "Switchyard"));
  t.true(records.get("prod-everything")!.resources.filter((r) => r.type === ALARM).length > 10);
});

test("the EMF metric set comes from handlers/: literals, conditionals and names computed in loops", (t) => {
  const { metrics, unresolved } = emfMetrics();
  t.deepEqual(unresolved, []);
  const names = new Set(metrics.map((m) => m.name));
  for (const name of ["webhooksReceived", "webhooksDuplicate", "itemsCreated", "itemsUpdated", "freshnessMinutes", "ColdStart"]) t.true(names.has(name), name);
  t.deepEqual(metrics.find((m) => m.name === "healthCheckAvailable")?.dimensions, ["service", "target"]);
  t.deepEqual(metrics.find((m) => m.name === "ColdStart")?.dimensions, ["service"], "captureColdStartMetric() without a name adds no function_name");
});

test("an addMetric name preflight cannot derive is reported", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "preflight-emf-"));
  mkdirSync(join(dir, "jobs"));
  writeFileSync(join(dir, "jobs", "job.ts"), 'export function run(obs: any, kind: string) {\n  obs.metrics.addMetric(`${kind}Done`, "Count", 1);\n  obs.metrics.addMetric("plain", "Count", 1);\n}\n');
  const { metrics, unresolved } = emfMetrics(dir);
  t.deepEqual(metrics.map((m) => m.name), ["plain"]);
  t.is(unresolved.length, 1);
  t.regex(unresolved[0]!.where, /jobs\/job\.ts:2$/);
});

test('the "." and "..." shorthand expand from the row above', (t) => {
  const metrics = dashboardMetrics({
    widgets: [{ type: "metric", properties: { metrics: [["AWS/Lambda", "Errors", "FunctionName", "a"], [".", ".", ".", "b"], ["...", "c", { stat: "Sum" }], [".", "Invocations", ".", "."]] } }],
  });
  t.deepEqual(
    metrics.map((m) => [m.namespace, m.name, m.dimensions.FunctionName]),
    [["AWS/Lambda", "Errors", "a"], ["AWS/Lambda", "Errors", "b"], ["AWS/Lambda", "Errors", "c"], ["AWS/Lambda", "Invocations", "c"]],
  );
  t.deepEqual(searchedMetrics(`SEARCH('{AWS/DynamoDB,TableName,Operation} MetricName="SystemErrors" TableName="t"', 'Sum', 60)`, "x"), [
    { input: "x", namespace: "AWS/DynamoDB", name: "SystemErrors", dimensions: { TableName: "t", Operation: undefined }, search: true },
  ]);
});

test("fires on a dashboard metric with a misspelled name", (t) => {
  let at = "";
  const record = withDashboard("prod-everything", (body) => {
    const [w, r] = rowOf(body, "AWS/Lambda", "ConcurrentExecutions");
    body.widgets[w].properties.metrics[r][1] = "ConcurrentExecution";
    at = `dashboardBody.widgets[${w}].properties.metrics[${r}]`;
  });
  const findings = added(record, "prod-everything");
  t.deepEqual(lines(findings), [`${DASHBOARD} "observability" ${at}: AWS/Lambda has no metric ConcurrentExecution`]);
  t.regex(findings[0]!.source, /^@aws-cdk\/aws-service-spec \d/);
});

test("fires on an alarm on a metric in the wrong namespace", (t) => {
  const record = withAlarm("dev", "api-5xx", (inputs) => (inputs.namespace = "AWS/Lambda"));
  t.deepEqual(lines(added(record, "dev")), [`${ALARM} "api-5xx" metricName: AWS/Lambda has no metric 5xx (5xx is in AWS/ApiGateway, CloudWatchSynthetics)`]);
});

test("fires on a wrong dimension: name, fixed value, and a value naming no resource of the stack", (t) => {
  const queue = withAlarm("dev", "calendly-dlq-not-empty", (inputs) => (inputs.dimensions = { QueueUrl: "https://sqs.example/q" }));
  t.regex(lines(added(queue, "dev")).join("\n"), /metricName: AWS\/SQS ApproximateNumberOfMessagesVisible with dimensions \{QueueUrl\}: AWS publishes it with \{QueueName\}/);
  const region = withAlarm("prod-everything", "site-5xx-rate", (inputs) => (inputs.dimensions.Region = "us-east-1"));
  t.regex(lines(added(region, "prod-everything")).join("\n"), /DistributionId=\S+, Region=us-east-1; AWS publishes it with Region=Global/);
  const fn = withAlarm("prod-everything", "api-get-error-rate", (inputs) => (inputs.metricQueries[0].metric.dimensions.FunctionName = "api-gone"));
  t.deepEqual(lines(added(fn, "prod-everything")), [`${ALARM} "api-get-error-rate" metricQueries[0].metric: FunctionName=api-gone names no aws:lambda/function:Function in this stack`]);
});

test("fires on EMF metrics the handlers do not publish: a misspelled SEARCH, a wrong service, a dimension too many", (t) => {
  const search = withDashboard("prod-everything", (body) => {
    for (const widget of body.widgets) for (const row of widget.properties?.metrics ?? []) if (row[0]?.expression) row[0].expression = row[0].expression.replace('"webhooksReceived"', '"webhooksRecieved"');
  });
  t.true(lines(added(search, "prod-everything")).some((l) => l.endsWith(".expression: no handler publishes webhooksRecieved in Switchyard")));
  const service = withAlarm("prod", "health-api", (inputs) => (inputs.dimensions.service = "health-chek"));
  t.regex(lines(added(service, "prod")).join("\n"), /health-api" metricName: service=health-chek is no function's or task's POWERTOOLS_SERVICE_NAME in Switchyard/);
  const extra = withAlarm("prod", "health-api", (inputs) => (inputs.dimensions.function_name = "health-check"));
  t.regex(lines(added(extra, "prod")).join("\n"), /Switchyard healthCheckAvailable with dimensions \{function_name, service, target\}: the handlers publish it with \{service, target\}/);
});
