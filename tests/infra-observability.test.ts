// ObservabilityDashboard under mocks: the dashboard covers every function, table, queue and API of
// the stack (CloudFront in us-east-1); alarms by metric math with per-stack thresholds; one topic
// (plus one in us-east-1 for CloudFront); saved queries over every log group; GET /health and the
// scheduled health check.
import test from "ava";
import type { StackRecord } from "./harness/record";
import { GISTS_SECRET_KEYS, GISTS_SYNC_CONFIG, SKILLS_SECRET_KEYS, SKILLS_SYNC_CONFIG, TEST_SECRETS, byName, evaluateStack, ofType } from "./harness/stacks";

let dev: StackRecord;
let prod: StackRecord;
test.before(async () => {
  [dev, prod] = await Promise.all([
    evaluateStack("dev", { "switchyard:alarmEmail": "oncall@example.com" }),
    evaluateStack("prod", { ...GISTS_SYNC_CONFIG, ...SKILLS_SYNC_CONFIG, "switchyard:forwardUrl": "https://downstream.example.com/hooks" }, "tsx", [...Object.keys(TEST_SECRETS), ...GISTS_SECRET_KEYS, ...SKILLS_SECRET_KEYS]),
  ]);
});

const body = (r: StackRecord) => JSON.parse(byName(r, "aws:cloudwatch/dashboard:Dashboard", "observability").inputs.dashboardBody) as { widgets: any[] };
const widget = (r: StackRecord, title: string) => body(r).widgets.find((w) => w.properties.title === title)!;
const metricsText = (w: any) => JSON.stringify(w.properties.metrics);
const alarms = (r: StackRecord) => ofType(r, "aws:cloudwatch/metricAlarm:MetricAlarm");
const alarm = (r: StackRecord, name: string) => byName(r, "aws:cloudwatch/metricAlarm:MetricAlarm", name);
const functions = (r: StackRecord) => ofType(r, "aws:lambda/function:Function");
/** The dead-letter queues (createDeadLetterQueue names them `…-dlq`); work queues such as the events notifications are not. */
const deadLetterQueues = (r: StackRecord) => ofType(r, "aws:sqs/queue:Queue").filter((q) => q.name.endsWith("-dlq"));

for (const stack of ["dev", "prod"] as const) {
  test(`${stack}: one dashboard that shows every function, table, dead-letter queue and the API`, (t) => {
    const r = stack === "dev" ? dev : prod;
    t.is(ofType(r, "aws:cloudwatch/dashboard:Dashboard").length, 1);
    t.is(byName(r, "aws:cloudwatch/dashboard:Dashboard", "observability").inputs.dashboardName, `switchyard-${stack}`);
    for (const title of ["Invocations", "Errors", "Throttles", "Duration p99 (ms)", "Concurrent executions"]) {
      const text = metricsText(widget(r, title));
      for (const fn of functions(r)) t.true(text.includes(`"${fn.state.name}"`), `${title} shows ${fn.name}`);
      t.is(widget(r, title).properties.region, r.region);
    }
    const capacity = metricsText(widget(r, "Consumed read / write capacity"));
    const throttles = metricsText(widget(r, "Throttled requests"));
    const systemErrors = metricsText(widget(r, "System errors"));
    for (const table of ofType(r, "aws:dynamodb/table:Table")) {
      for (const text of [capacity, throttles, systemErrors]) t.true(text.includes(table.state.name), `table ${table.name}`);
    }
    for (const queue of deadLetterQueues(r)) {
      t.true(metricsText(widget(r, "Dead-letter queues: depth")).includes(queue.state.name));
      t.true(metricsText(widget(r, "Dead-letter queues: oldest message (s)")).includes(queue.state.name));
    }
    const httpApi = byName(r, "aws:apigatewayv2/api:Api", "api");
    for (const title of ["Requests, 4xx, 5xx", "Latency p50 / p99 (ms)", "Integration latency p50 / p99 (ms)"]) {
      t.true(metricsText(widget(r, title)).includes(`"ApiId","${httpApi.id}"`), title);
    }
    t.deepEqual(widget(r, "Requests, 4xx, 5xx").properties.metrics.map((m: any[]) => m[1]), ["Count", "4xx", "5xx"], "HTTP API (v2) metric names");
  });

  test(`${stack}: the website's CloudFront rows read us-east-1, whatever the stack's region`, (t) => {
    const r = stack === "dev" ? dev : prod;
    const distribution = byName(r, "aws:cloudfront/distribution:Distribution", "site");
    for (const title of ["Requests", "Error rates (%)"]) {
      const w = widget(r, title);
      t.is(w.properties.region, "us-east-1");
      t.true(metricsText(w).includes(`"DistributionId","${distribution.id}","Region","Global"`));
    }
  });
}

test("a function added to any component shows up with its alarm, without touching the dashboard", (t) => {
  // prod has the syncs (and their read function), dev has not: the same dashboard code covers both.
  const prodOnly = functions(prod).filter((f) => !functions(dev).some((d) => d.name === f.name));
  t.true(prodOnly.map((f) => f.name).includes("gists-read"));
  for (const fn of prodOnly) {
    t.true(metricsText(widget(prod, "Invocations")).includes(fn.state.name));
    t.truthy(alarm(prod, `${fn.name}-error-rate`));
  }
});

test("business rows come from the handlers' EMF metrics; a text widget links every log group and the saved queries", (t) => {
  const text = JSON.stringify(body(prod));
  for (const metric of ["webhooksReceived", "webhooksDuplicate", "webhooksRejected", "webhooksSpooled", "webhooksReplayed", "itemsCreated", "itemsSkipped", "itemsFailed", "messagesCreated", "healthCheckAvailable"]) {
    t.true(text.includes(`MetricName=\\"${metric}\\"`), metric);
  }
  const freshness = widget(prod, "Sync freshness (minutes since last success)").properties.metrics;
  t.deepEqual(freshness.map((m: any[]) => [m[1], m[3], m[4].label]), [["freshnessMinutes", "gists-run", "gists"], ["freshnessMinutes", "skills-run", "skills"]]);
  const logs = body(prod).widgets.find((w) => w.type === "text" && w.properties.markdown.startsWith("## Logs"))!.properties.markdown as string;
  for (const group of Object.values(prod.outputs.logGroups as Record<string, string>)) t.true(logs.includes(encodeURIComponent(encodeURIComponent(group))), group);
  for (const q of ofType(prod, "aws:cloudwatch/queryDefinition:QueryDefinition")) t.true(logs.includes(q.inputs.name));
});

test("widgets tile the 24-column grid without overlapping", (t) => {
  const cells = new Set<string>();
  for (const w of body(prod).widgets) {
    t.true(w.x + w.width <= 24);
    for (let x = w.x; x < w.x + w.width; x++) for (let y = w.y; y < w.y + w.height; y++) {
      t.false(cells.has(`${x},${y}`), `overlap at ${x},${y}`);
      cells.add(`${x},${y}`);
    }
  }
});

test("error rates are metric math (errors / requests, 0 when idle), never raw counts; thresholds differ per stack", (t) => {
  for (const [r, api, fn] of [[dev, 5, 5], [prod, 1, 1]] as const) {
    const api5xx = alarm(r, "api-5xx-rate").inputs;
    t.like(api5xx, { threshold: api, evaluationPeriods: 5, datapointsToAlarm: 3, treatMissingData: "notBreaching", comparisonOperator: "GreaterThanThreshold" });
    t.deepEqual(api5xx.metricQueries.map((q: any) => q.expression ?? q.metric.metricName), ["5xx", "Count", "IF(total > 0, 100 * errors / total, 0)"]);
    t.true(api5xx.metricQueries.every((q: any) => q.expression || q.metric.period === 60));
    for (const f of functions(r)) {
      const a = alarm(r, `${f.name}-error-rate`).inputs;
      t.is(a.threshold, fn);
      t.is(a.treatMissingData, "notBreaching");
      t.deepEqual(a.metricQueries.slice(0, 2).map((q: any) => [q.metric.metricName, q.metric.dimensions.FunctionName]), [["Errors", f.state.name], ["Invocations", f.state.name]]);
    }
  }
  t.like(alarm(prod, "api-latency-p99").inputs, { extendedStatistic: "p99", period: 60, threshold: 1500, treatMissingData: "notBreaching" });
  t.is(alarm(dev, "api-latency-p99").inputs.threshold, 3000);
});

test("dead-letter queues alarm on one message; sync staleness after two intervals; spool age; health check; CloudFront in us-east-1", (t) => {
  for (const queue of deadLetterQueues(prod)) {
    t.like(alarm(prod, `${queue.name}-not-empty`).inputs, { metricName: "ApproximateNumberOfMessagesVisible", threshold: 0, dimensions: { QueueName: queue.state.name }, treatMissingData: "notBreaching" });
  }
  t.like(alarm(prod, "gists-stale").inputs, { metricName: "freshnessMinutes", dimensions: { service: "gists-run" }, period: 1800, evaluationPeriods: 2, threshold: 60, treatMissingData: "breaching" });
  t.like(alarm(prod, "skills-stale").inputs, { period: 21_600, threshold: 720, treatMissingData: "breaching" });
  t.like(alarm(prod, "spool-age").inputs, { metricName: "spoolOldestAgeSeconds", threshold: 30 * 60, dimensions: { service: "calendly-replay" } });
  for (const target of ["website", "api"]) {
    t.like(alarm(prod, `health-${target}`).inputs, { metricName: "healthCheckAvailable", dimensions: { service: "health-check", target }, comparisonOperator: "LessThanThreshold", threshold: 1, treatMissingData: "breaching" });
  }
  const site = alarm(dev, "site-5xx-rate");
  t.like(site.inputs, { namespace: "AWS/CloudFront", metricName: "5xxErrorRate", dimensions: { Region: "Global", DistributionId: byName(dev, "aws:cloudfront/distribution:Distribution", "site").id } });
  const usEast1 = dev.resources.find((r) => r.type === "pulumi:providers:aws" && r.name === "us-east-1")!;
  t.is(usEast1.inputs.region, "us-east-1");
  const topicEast = byName(dev, "aws:sns/topic:Topic", "observability-alarms-us-east-1");
  t.deepEqual(site.inputs.alarmActions, [topicEast.state.arn], "a us-east-1 alarm notifies a us-east-1 topic");
  t.regex(site.provider ?? "", /::us-east-1::/);
  t.regex(topicEast.provider ?? "", /::us-east-1::/);
  t.regex(alarm(dev, "api-5xx-rate").provider ?? "", /::aws::/);
});

test("every alarm notifies the stack's topic (and says when it is OK again); the email comes from config", (t) => {
  const topics = ofType(dev, "aws:sns/topic:Topic").map((x) => x.state.arn);
  for (const a of alarms(dev)) {
    t.is(a.inputs.alarmActions.length, 1);
    t.true(topics.includes(a.inputs.alarmActions[0]), a.name);
    t.deepEqual(a.inputs.okActions, a.inputs.alarmActions);
  }
  const subs = ofType(dev, "aws:sns/topicSubscription:TopicSubscription");
  t.deepEqual(subs.map((s) => [s.inputs.protocol, s.inputs.endpoint]), [["email", "oncall@example.com"], ["email", "oncall@example.com"]]);
  t.deepEqual(ofType(prod, "aws:sns/topicSubscription:TopicSubscription"), [], "no email configured, no subscription");
  t.is(byName(dev, "aws:sns/topic:Topic", "observability-alarms").state.arn, dev.outputs.alarmTopic);
});

test("three saved Logs Insights queries over every log group of the stack", (t) => {
  const queries = ofType(prod, "aws:cloudwatch/queryDefinition:QueryDefinition");
  t.deepEqual(queries.map((q) => q.inputs.name).sort(), ["Switchyard/prod/Everything about one id (replace PASTE-THE-ID-HERE)", "Switchyard/prod/Recent errors by function", "Switchyard/prod/Slowest requests"]);
  const groups = Object.values(prod.outputs.logGroups as Record<string, string>).sort();
  t.is(groups.length, functions(prod).length);
  for (const q of queries) t.deepEqual([...q.inputs.logGroupNames].sort(), groups);
});

test("GET /health is on the API; the health check runs every 5 minutes against the website and /health", (t) => {
  const route = byName(prod, "aws:apigatewayv2/route:Route", "health-api");
  t.is(route.inputs.routeKey, "GET /health");
  const healthApi = byName(prod, "aws:lambda/function:Function", "health-api");
  t.is(byName(prod, "aws:apigatewayv2/integration:Integration", "health-api").inputs.integrationUri, healthApi.state.arn);
  const syncs = JSON.parse(healthApi.inputs.environment.variables.SYNCS);
  t.deepEqual(syncs, {
    gists: { table: byName(prod, "aws:dynamodb/table:Table", "gists-state").state.name, schedule: "rate(30 minutes)" },
    skills: { table: byName(prod, "aws:dynamodb/table:Table", "skills-state").state.name, schedule: "rate(6 hours)" },
  });
  t.deepEqual(JSON.parse(byName(dev, "aws:lambda/function:Function", "health-api").inputs.environment.variables.SYNCS), {}, "no syncs, still a health route");
  const check = byName(prod, "aws:lambda/function:Function", "health-check");
  t.deepEqual(JSON.parse(check.inputs.environment.variables.TARGETS), [
    { name: "website", url: `${prod.outputs.websiteUrl}/` },
    { name: "api", url: `${prod.outputs.apiUrl}/health` },
  ]);
  t.is(byName(prod, "aws:cloudwatch/eventRule:EventRule", "health-check").inputs.scheduleExpression, "rate(5 minutes)");
  t.is(byName(prod, "aws:cloudwatch/eventTarget:EventTarget", "health-check").inputs.arn, check.state.arn);
  const config = JSON.parse(byName(prod, "aws:s3/bucketObjectv2:BucketObjectv2", "site-config").inputs.content);
  t.is(config.dashboardUrl, prod.outputs.dashboardUrl, "the website links the dashboard");
});

