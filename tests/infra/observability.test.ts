// ObservabilityDashboard under mocks. Full (prod, the default): the dashboard covers every function,
// table, queue and API of the stack (CloudFront in us-east-1); alarms by metric math with per-stack
// thresholds; one topic (plus one in us-east-1 for CloudFront); saved queries over every log group;
// GET /health and the scheduled health check. Lean (dev): no custom metrics (every function and task
// definition has POWERTOOLS_METRICS_DISABLED), at most 10 alarm metrics, a dashboard of at most 50
// metrics, a health check every 15 minutes that fails when a target is down.
import test from "ava";
import type { StackRecord } from "../harness/record";
import { GISTS_SYNC, SKILLS_SYNC, SYNCS_CONFIG, SYNC_SECRET_KEYS, TEST_SECRETS, byName, evaluateStack, ofType, syncsConfig } from "../harness/stacks";

const SYNC_SECRETS = [...Object.keys(TEST_SECRETS), ...SYNC_SECRET_KEYS];
const SYNCS = { ...SYNCS_CONFIG, "switchyard:forwardUrl": "https://downstream.example.com/hooks" };

/** dev as committed (lean). */
let dev: StackRecord;
/** dev (lean) with config that adds functions, queues and a Fargate task definition through the components. */
let devSyncs: StackRecord;
/** dev switched to full observability: the full mode with dev's (default) thresholds. */
let devFull: StackRecord;
let prod: StackRecord;
test.before(async () => {
  [dev, devSyncs, devFull, prod] = await Promise.all([
    evaluateStack("dev", { "switchyard:alarmEmail": "oncall@example.com" }),
    evaluateStack("dev", { ...SYNCS, ...syncsConfig({ gists: { ...GISTS_SYNC, runner: "fargate" }, skills: SKILLS_SYNC }) }, "tsx", SYNC_SECRETS),
    evaluateStack("dev", { "switchyard:alarmEmail": "oncall@example.com", "switchyard:observability": "full" }),
    evaluateStack("prod", SYNCS, "tsx", SYNC_SECRETS),
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
/** Queues that feed a consumer (createWorkQueue): every queue that is not a dead-letter queue. */
const workQueues = (r: StackRecord) => ofType(r, "aws:sqs/queue:Queue").filter((q) => !q.name.endsWith("-dlq"));
const taskDefinitions = (r: StackRecord) => ofType(r, "aws:ecs/taskDefinition:TaskDefinition");
const METRICS_DISABLED = "POWERTOOLS_METRICS_DISABLED";

for (const stack of ["dev (full)", "prod"] as const) {
  test(`${stack}: one dashboard that shows every function, table, dead-letter queue and the API`, (t) => {
    const r = stack === "prod" ? prod : devFull;
    t.is(ofType(r, "aws:cloudwatch/dashboard:Dashboard").length, 1);
    t.is(byName(r, "aws:cloudwatch/dashboard:Dashboard", "observability").inputs.dashboardName, `switchyard-${r.stack}`);
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
    t.true(workQueues(r).length > 0);
    for (const queue of workQueues(r)) {
      t.true(metricsText(widget(r, "Work queues: waiting / in flight")).includes(queue.state.name));
      t.true(metricsText(widget(r, "Work queues: oldest message (s)")).includes(queue.state.name));
      t.like(alarm(r, `${queue.name}-backlog`).inputs, { metricName: "ApproximateAgeOfOldestMessage", threshold: 15 * 60, dimensions: { QueueName: queue.state.name }, treatMissingData: "notBreaching" });
    }
    const httpApi = byName(r, "aws:apigatewayv2/api:Api", "api");
    for (const title of ["Requests, 4xx, 5xx", "Latency p50 / p99 (ms)", "Integration latency p50 / p99 (ms)"]) {
      t.true(metricsText(widget(r, title)).includes(`"ApiId","${httpApi.id}"`), title);
    }
    t.deepEqual(widget(r, "Requests, 4xx, 5xx").properties.metrics.map((m: any[]) => m[1]), ["Count", "4xx", "5xx"], "HTTP API (v2) metric names");
  });

  test(`${stack}: the website's CloudFront rows read us-east-1, whatever the stack's region`, (t) => {
    const r = stack === "prod" ? prod : devFull;
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
  const prodOnly = functions(prod).filter((f) => !functions(devFull).some((d) => d.name === f.name));
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
  for (const [r, api, fn] of [[devFull, 5, 5], [prod, 1, 1]] as const) {
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
  t.is(alarm(devFull, "api-latency-p99").inputs.threshold, 3000);
});

test("dead-letter queues alarm on one message; sync staleness after two intervals; spool age; health check; CloudFront in us-east-1", (t) => {
  for (const queue of deadLetterQueues(prod)) {
    t.like(alarm(prod, `${queue.name}-not-empty`).inputs, { metricName: "ApproximateNumberOfMessagesVisible", threshold: 0, dimensions: { QueueName: queue.state.name }, treatMissingData: "notBreaching" });
  }
  t.like(alarm(prod, "gists-stale").inputs, { metricName: "freshnessMinutes", dimensions: { service: "gists-run" }, period: 1800, evaluationPeriods: 2, threshold: 60, treatMissingData: "breaching" });
  t.like(alarm(prod, "skills-stale").inputs, { period: 21_600, threshold: 720, treatMissingData: "breaching" });
  t.like(alarm(prod, "spool-age").inputs, { metricName: "spoolOldestAgeSeconds", threshold: 30 * 60, dimensions: { service: "calendly-replay" } });
  t.false(alarms(devFull).some((a) => a.name === "spool-age"), "no forwarding, no replay: no alarm on a metric nothing publishes");
  for (const target of ["website", "api"]) {
    t.like(alarm(prod, `health-${target}`).inputs, { metricName: "healthCheckAvailable", dimensions: { service: "health-check", target }, comparisonOperator: "LessThanThreshold", threshold: 1, treatMissingData: "breaching" });
  }
  const site = alarm(devFull, "site-5xx-rate");
  t.like(site.inputs, { namespace: "AWS/CloudFront", metricName: "5xxErrorRate", dimensions: { Region: "Global", DistributionId: byName(devFull, "aws:cloudfront/distribution:Distribution", "site").id } });
  const usEast1 = devFull.resources.find((r) => r.type === "pulumi:providers:aws" && r.name === "us-east-1")!;
  t.is(usEast1.inputs.region, "us-east-1");
  const topicEast = byName(devFull, "aws:sns/topic:Topic", "observability-alarms-us-east-1");
  t.deepEqual(site.inputs.alarmActions, [topicEast.state.arn], "a us-east-1 alarm notifies a us-east-1 topic");
  t.regex(site.provider ?? "", /::us-east-1::/);
  t.regex(topicEast.provider ?? "", /::us-east-1::/);
  t.regex(alarm(devFull, "api-5xx-rate").provider ?? "", /::aws::/);
});

test("every alarm notifies the stack's topic (and says when it is OK again); the email comes from config", (t) => {
  for (const r of [devFull, dev]) {
    const topics = ofType(r, "aws:sns/topic:Topic").map((x) => x.state.arn);
    for (const a of alarms(r)) {
      t.is(a.inputs.alarmActions.length, 1);
      t.true(topics.includes(a.inputs.alarmActions[0]), a.name);
      t.deepEqual(a.inputs.okActions, a.inputs.alarmActions);
    }
    t.is(byName(r, "aws:sns/topic:Topic", "observability-alarms").state.arn, r.outputs.alarmTopic);
  }
  const subs = ofType(devFull, "aws:sns/topicSubscription:TopicSubscription");
  t.deepEqual(subs.map((s) => [s.inputs.protocol, s.inputs.endpoint]), [["email", "oncall@example.com"], ["email", "oncall@example.com"]]);
  t.deepEqual(ofType(prod, "aws:sns/topicSubscription:TopicSubscription"), [], "no email configured, no subscription");
  // Lean: no CloudFront alarm, so no us-east-1 topic; one topic, one subscription.
  t.deepEqual(ofType(dev, "aws:sns/topic:Topic").map((x) => x.name), ["observability-alarms"]);
  t.deepEqual(ofType(dev, "aws:sns/topicSubscription:TopicSubscription").map((s) => [s.inputs.protocol, s.inputs.endpoint]), [["email", "oncall@example.com"]]);
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


// ── lean (dev) ────────────────────────────────────────────────────────────────────────────────

/** What CloudWatch bills an alarm for: each metric it reads (metric math: each `metric` query; else one). */
const alarmMetrics = (r: StackRecord) =>
  alarms(r).reduce((sum, a) => sum + (a.inputs.metricQueries ? (a.inputs.metricQueries as { metric?: unknown }[]).filter((q) => q.metric).length : 1), 0);

/** What a dashboard is sized by: each metric line and each expression in every widget. */
const dashboardMetrics = (r: StackRecord) => body(r).widgets.reduce((sum, w) => sum + ((w.properties.metrics as unknown[] | undefined)?.length ?? 0), 0);

test("lean: every function and Fargate task definition has POWERTOOLS_METRICS_DISABLED=true, also those that only some config adds; full: none has it", (t) => {
  for (const r of [dev, devSyncs]) {
    t.true(functions(r).length >= 11);
    for (const fn of functions(r)) {
      t.is(fn.inputs.environment.variables[METRICS_DISABLED], "true", `${r.stack} ${fn.name}`);
      t.is(fn.inputs.environment.variables.POWERTOOLS_SERVICE_NAME, fn.name, "the helper's variables are kept");
    }
  }
  // gists-read, the replay, the forwarder and skills-run exist only with the sync and forwarding config.
  const added = functions(devSyncs).filter((f) => !functions(dev).some((d) => d.name === f.name)).map((f) => f.name);
  for (const name of ["gists-read", "calendly-forwarder", "calendly-replay", "skills-run"]) t.true(added.includes(name), name);
  const [task] = taskDefinitions(devSyncs);
  t.truthy(task, "the gists sync on Fargate has a task definition");
  const containers = JSON.parse(task!.inputs.containerDefinitions) as { environment: { name: string; value: string }[] }[];
  t.true(containers.length >= 1);
  for (const c of containers) {
    t.deepEqual(c.environment.filter((e) => e.name === METRICS_DISABLED), [{ name: METRICS_DISABLED, value: "true" }]);
    t.true(c.environment.some((e) => e.name === "SYNC_JOB" && e.value === "gists"), "the task's own variables are kept");
  }
  for (const r of [devFull, prod]) {
    for (const fn of functions(r)) t.false(METRICS_DISABLED in fn.inputs.environment.variables, `${r.stack} ${fn.name}`);
  }
});

test("lean: at most 10 alarm metrics — region-wide Lambda errors, the API's 5xx, one per dead-letter queue; nothing that needs EMF or a us-east-1 topic", (t) => {
  for (const r of [dev, devSyncs]) {
    const queues = deadLetterQueues(r);
    t.deepEqual(alarms(r).map((a) => a.name).sort(), ["api-5xx", "functions-errors", ...queues.map((q) => `${q.name}-not-empty`)].sort());
    t.true(alarmMetrics(r) <= 10, `${alarmMetrics(r)} alarm metrics`);
    t.is(alarmMetrics(r), alarms(r).length, "single-metric alarms only");
    for (const q of queues) {
      t.like(alarm(r, `${q.name}-not-empty`).inputs, { metricName: "ApproximateNumberOfMessagesVisible", threshold: 0, dimensions: { QueueName: q.state.name }, treatMissingData: "notBreaching" });
    }
    t.false(alarms(r).some((a) => a.inputs.namespace === "Switchyard" || a.provider?.includes("::us-east-1::")));
  }
  t.is(alarmMetrics(dev), 2 + deadLetterQueues(dev).length, "the two region-wide alarms and one per dead-letter queue");
  const errors = alarm(dev, "functions-errors").inputs;
  t.like(errors, { namespace: "AWS/Lambda", metricName: "Errors", statistic: "Sum", period: 900, evaluationPeriods: 1, datapointsToAlarm: 1, comparisonOperator: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching" });
  t.is(errors.dimensions, undefined, "no dimensions: every function of the region");
  t.regex(errors.alarmDescription, /every function in this account's region/);
  t.like(alarm(dev, "api-5xx").inputs, {
    namespace: "AWS/ApiGateway",
    metricName: "5xx",
    dimensions: { ApiId: byName(dev, "aws:apigatewayv2/api:Api", "api").id },
    statistic: "Sum",
    period: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    treatMissingData: "notBreaching",
  });
  t.true(alarmMetrics(prod) > 10, "full keeps its alarms");
});

test("lean: a dashboard of at most 50 metrics, no SEARCH; region-wide Lambda rows, errors by function, queues, CloudFront, logs", (t) => {
  t.is(ofType(dev, "aws:cloudwatch/dashboard:Dashboard").length, 1);
  t.is(byName(dev, "aws:cloudwatch/dashboard:Dashboard", "observability").inputs.dashboardName, "switchyard-dev");
  t.true(dashboardMetrics(dev) <= 50, `${dashboardMetrics(dev)} metrics`);
  t.true(dashboardMetrics(prod) > 50, "full is the big one");
  const text = JSON.stringify(body(dev));
  t.false(text.includes("SEARCH("));
  t.false(text.includes('"expression"'));
  t.false(text.includes('"Switchyard"'), "no EMF metric");
  const httpApi = byName(dev, "aws:apigatewayv2/api:Api", "api");
  t.deepEqual(widget(dev, "Requests, 4xx, 5xx").properties.metrics.map((m: any[]) => [m[1], m[3]]), [["Count", httpApi.id], ["4xx", httpApi.id], ["5xx", httpApi.id]]);
  t.true(metricsText(widget(dev, "Latency p50 / p99 (ms)")).includes(`"ApiId","${httpApi.id}"`));
  // Region-wide: namespace, metric name, then the options (no dimension pairs).
  t.deepEqual(widget(dev, "All functions: invocations, errors, throttles").properties.metrics.map((m: any[]) => [m.length, m[0], m[1]]), [[3, "AWS/Lambda", "Invocations"], [3, "AWS/Lambda", "Errors"], [3, "AWS/Lambda", "Throttles"]]);
  t.deepEqual(widget(dev, "All functions: duration p99 (ms)").properties.metrics, [["AWS/Lambda", "Duration", { stat: "p99", label: "p99" }]]);
  const byFunction = widget(dev, "Errors by function").properties.metrics as any[][];
  t.deepEqual(byFunction.map((m) => m[3]).sort(), functions(dev).map((f) => f.state.name).sort(), "one line per function");
  t.false(text.includes("AWS/DynamoDB"), "no per-table rows (they would outgrow 50 metrics)");
  for (const queue of deadLetterQueues(dev)) t.true(metricsText(widget(dev, "Dead-letter queues: depth")).includes(queue.state.name));
  for (const queue of workQueues(dev)) t.true(metricsText(widget(dev, "Work queues: oldest message (s)")).includes(queue.state.name));
  t.true(workQueues(dev).length > 0, "the events notifications queue");
  const distribution = byName(dev, "aws:cloudfront/distribution:Distribution", "site");
  for (const [title, metric] of [["Requests", "Requests"], ["5xx error rate (%)", "5xxErrorRate"]] as const) {
    const w = widget(dev, title);
    t.is(w.properties.region, "us-east-1");
    t.deepEqual(w.properties.metrics.map((m: any[]) => m.slice(0, 6)), [["AWS/CloudFront", metric, "DistributionId", distribution.id, "Region", "Global"]]);
  }
  const logs = body(dev).widgets.find((w) => w.type === "text" && w.properties.markdown.startsWith("## Logs"))!.properties.markdown as string;
  for (const group of Object.values(dev.outputs.logGroups as Record<string, string>)) t.true(logs.includes(encodeURIComponent(encodeURIComponent(group))), group);
  t.is(ofType(dev, "aws:cloudwatch/queryDefinition:QueryDefinition").length, 3, "the saved queries stay (they are free)");
  t.is(dev.outputs.dashboardUrl, `https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#dashboards/dashboard/switchyard-dev`);
  // Grows by one per function and queue only: every optional component on still fits.
  t.is(dashboardMetrics(devSyncs), dashboardMetrics(dev) + (functions(devSyncs).length - functions(dev).length) + (deadLetterQueues(devSyncs).length - deadLetterQueues(dev).length) + (workQueues(devSyncs).length - workQueues(dev).length));
  t.true(dashboardMetrics(devSyncs) <= 50, `with the syncs and forwarding: ${dashboardMetrics(devSyncs)} metrics`);
  const cells = new Set<string>();
  for (const w of body(dev).widgets) {
    t.true(w.x + w.width <= 24);
    for (let x = w.x; x < w.x + w.width; x++) for (let y = w.y; y < w.y + w.height; y++) {
      t.false(cells.has(`${x},${y}`), `overlap at ${x},${y}`);
      cells.add(`${x},${y}`);
    }
  }
});

test("lean: the health check runs every 15 minutes and fails its invocation when a target is down (no retry); full: every 5 minutes, no such variable", (t) => {
  const check = byName(dev, "aws:lambda/function:Function", "health-check");
  t.is(check.inputs.environment.variables.FAIL_WHEN_UNHEALTHY, "true");
  t.is(check.inputs.environment.variables[METRICS_DISABLED], "true");
  t.is(byName(dev, "aws:cloudwatch/eventRule:EventRule", "health-check").inputs.scheduleExpression, "rate(15 minutes)");
  t.regex(check.inputs.description, /\(rate\(15 minutes\)\)$/);
  t.like(byName(dev, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "health-check").inputs, { functionName: check.state.name, maximumRetryAttempts: 0 });
  for (const r of [devFull, prod]) {
    t.false("FAIL_WHEN_UNHEALTHY" in byName(r, "aws:lambda/function:Function", "health-check").inputs.environment.variables);
    t.is(byName(r, "aws:cloudwatch/eventRule:EventRule", "health-check").inputs.scheduleExpression, "rate(5 minutes)");
    t.deepEqual(ofType(r, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"), []);
  }
});

