import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { apiHealthDeps, apiHealthHandler } from "../handlers/health/api-health";
import { healthCheckDeps, healthCheckHandler } from "../handlers/health/check";
import { API_HEALTH_ROUTE_KEY } from "../handlers/health/routes";
import { savedLogQueries } from "../handlers/shared/log-queries";
import { runsPerHour } from "../handlers/sync/schedule";
import { addLambdaRoute } from "./http-route";
import { inventory } from "./inventory";
import { HandlerFunction } from "./lambda";
import type { ScheduledSync } from "./scheduled-sync";
import type { AlarmThresholds, ObservabilityLevel } from "./stack-config";
import type { StaticSite } from "./static-site";

/** The health functions' factories (module level: Pulumi serializes what they capture). */
const factories = {
  api: () => apiHealthHandler(apiHealthDeps("health-api")),
  check: () => healthCheckHandler(healthCheckDeps("health-check")),
};

/** A work queue's oldest message may wait this long before its backlog alarm fires (full level). */
export const WORK_QUEUE_MAX_AGE_MINUTES = 15;

/** How often the health check requests the website and `GET /health` (full observability). */
export const HEALTH_CHECK_SCHEDULE = "rate(5 minutes)";
/** How often it does with lean observability: its failures are Lambda errors there, not custom metrics. */
export const LEAN_HEALTH_CHECK_SCHEDULE = "rate(15 minutes)";

export interface ObservabilityDashboardArgs {
  /** The HTTP API: its metrics, its alarms, and `GET /health` on it. Example: `{ api: messageApi.api, url: messageApi.url }`. */
  api: { api: aws.apigatewayv2.Api; url: pulumi.Input<string> };
  /** The scheduled syncs: freshness rows, staleness alarms, and their state in `GET /health`. Example: `[gistsSync]`. */
  syncs: ScheduledSync[];
  /** The website: CloudFront rows and alarm (us-east-1), and a health-check target. Example: `site`. */
  site?: StaticSite;
  /**
   * Functions, tables, work and dead-letter queues to cover. Example: `inventory` (the default: everything
   * the program made through the shared helpers, so what is added later is covered without edits).
   */
  resources?: typeof inventory;
  /** Alarm thresholds. Example: `{ apiErrorRatePercent: 1, apiLatencyP99Ms: 1500, functionErrorRatePercent: 1, siteErrorRatePercent: 1, spoolAgeMinutes: 30 }`. */
  thresholds: AlarmThresholds;
  /**
   * A provider for us-east-1, where CloudFront's metrics (so its alarm, and that alarm's topic)
   * live. Example: `new aws.Provider("us-east-1", { region: "us-east-1", defaultTags })`.
   */
  usEast1: aws.Provider;
  /** Who the alarm topic emails; no subscription when unset. Example: `"oncall@example.com"`. */
  alarmEmail?: string;
  /** Example: `14`. */
  logRetentionDays: number;
  /**
   * How much CloudWatch to use (config `switchyard:observability`).
   *
   * - `"full"` (the default; prod): the dashboard described above, error-rate alarms per function by
   *   metric math, API latency, spool age, sync staleness, health-target and CloudFront alarms, and a
   *   health check every 5 minutes publishing availability and latency as EMF custom metrics.
   * - `"lean"` (dev): sized for CloudWatch's always-free tier (10 custom metrics, 10 alarm metrics,
   *   3 dashboards of up to 50 metrics per account). No custom metrics (register
   *   `disableCustomMetrics()` from `./custom-metrics` too, so no handler publishes EMF); alarms on
   *   the region-wide `AWS/Lambda` `Errors` metric, the API's 5xx count and each dead-letter queue;
   *   a dashboard of at most 50 metrics without SEARCH expressions; a health check every 15
   *   minutes that publishes nothing and fails its invocation (a Lambda error, so the errors alarm
   *   fires) when a target is down. No us-east-1 topic.
   *
   * @default `"full"`
   * @example
   * ```ts
   * if (config.observability === "lean") disableCustomMetrics();
   * new ObservabilityDashboard("observability", { ...args, level: config.observability });
   * ```
   */
  level?: ObservabilityLevel;
}

type Widget = Record<string, unknown>;
type Metric = (string | Record<string, unknown>)[];

/** Widget grid: 24 columns; each row's widgets share its height. */
const W = { full: 24, half: 12, third: 8, quarter: 6 };

/**
 * One CloudWatch dashboard for the stack, its alarms, and its health check. The dashboard covers
 * the HTTP API, every function, table and dead-letter queue the program made, the website
 * (CloudFront metrics live in us-east-1), and business rows from the handlers' Embedded Metric
 * Format metrics; a text widget links the log groups and saved queries. Alarms use metric math
 * for error rates, 60 s periods with M-of-N datapoints and `treatMissingData` chosen per metric,
 * and notify one SNS topic (a second one in us-east-1 for CloudFront's). The health check is a
 * scheduled function requesting the website and `GET /health` (added here) every 5 minutes.
 * With `level: "lean"` (dev) all of it is cut down to CloudWatch's always-free tier: see `level`.
 */
export class ObservabilityDashboard extends pulumi.ComponentResource {
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly topic: aws.sns.Topic;
  readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
  readonly queries: aws.cloudwatch.QueryDefinition[];
  readonly healthApi: HandlerFunction<any, any>;
  readonly healthCheck: HandlerFunction<any, any>;
  /** The console URL of the dashboard. */
  readonly dashboardUrl: pulumi.Output<string>;
  /** Every log group of the stack, by function (or task) name. */
  readonly logGroups: pulumi.Output<Record<string, string>>;

  private readonly name: string;
  private readonly level: ObservabilityLevel;
  private readonly region: pulumi.Output<string>;
  private usEast1Alarms?: { provider: aws.Provider; topic: aws.sns.Topic };

  constructor(name: string, args: ObservabilityDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("switchyard:observability:ObservabilityDashboard", name, {}, opts);
    this.name = name;
    this.level = args.level ?? "full";
    this.region = aws.getRegionOutput({}, { parent: this }).region;
    this.healthApi = this.createHealthApi(args);
    this.healthCheck = this.createHealthCheck(args);
    // Read after the health functions exist, so they are covered too.
    const resources = args.resources ?? inventory;
    this.topic = this.createTopic(`${name}-alarms`, args.alarmEmail);
    if (this.level === "lean") {
      this.createLeanAlarms(resources, args);
    } else {
      this.createApiAlarms(args);
      this.createFunctionAlarms(resources, args.thresholds);
      this.createQueueAlarms(resources, args);
      this.createSyncAlarms(args.syncs);
      this.createHealthAlarms(args);
      if (args.site) this.createSiteAlarm(args.site, args);
    }
    this.logGroups = pulumi
      .all([...resources.functions, ...resources.otherLogGroups].map((f) => f.logGroup.name.apply((group) => [f.name, group] as const)))
      .apply((pairs) => Object.fromEntries(pairs));
    this.queries = this.createQueries(resources);
    this.dashboard = this.createDashboard(`switchyard-${pulumi.getStack()}`, args, resources);
    this.dashboardUrl = pulumi.interpolate`https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards/dashboard/${this.dashboard.dashboardName}`;
    this.registerOutputs({ dashboardUrl: this.dashboardUrl, topicArn: this.topic.arn });
  }

  /** The console URL the stack's dashboard has (known before it exists: the site's config.json carries it). */
  static urlFor(region: string): string {
    return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/switchyard-${pulumi.getStack()}`;
  }

  get nodes() {
    return { dashboard: this.dashboard, topic: this.topic, alarms: this.alarms, queries: this.queries, healthApi: this.healthApi, healthCheck: this.healthCheck };
  }

  // ── health ────────────────────────────────────────────────────────────────────────────────

  /** `GET /health`: the API answers, and each sync's last run and freshness from its run state. */
  private createHealthApi(args: ObservabilityDashboardArgs) {
    const syncs = pulumi.all(args.syncs.map((s) => s.stateTable.name.apply((table) => [s.job, { table, schedule: s.schedule }] as const)));
    const fn = new HandlerFunction<any, any>(
      "health-api",
      {
        factory: factories.api as never,
        description: API_HEALTH_ROUTE_KEY,
        permissions: args.syncs.length ? [{ actions: ["dynamodb:GetItem"], resources: args.syncs.map((s) => s.stateTable.arn) }] : [],
        environment: { SYNCS: syncs.apply((pairs) => JSON.stringify(Object.fromEntries(pairs))) },
        logRetentionDays: args.logRetentionDays,
      },
      { parent: this },
    );
    addLambdaRoute("health-api", { api: args.api.api, routeKey: API_HEALTH_ROUTE_KEY, fn: fn.function }, this);
    return fn;
  }

  /**
   * Every 5 minutes: the website and `GET /health`, as availability and latency metrics per target.
   * Lean: every 15 minutes, and a target down fails the invocation (FAIL_WHEN_UNHEALTHY), with no
   * retry of the failed invocation (its failure is the signal; the next run is the retry).
   */
  private createHealthCheck(args: ObservabilityDashboardArgs) {
    const lean = this.level === "lean";
    const schedule = lean ? LEAN_HEALTH_CHECK_SCHEDULE : HEALTH_CHECK_SCHEDULE;
    const targets = pulumi.all([args.api.url, args.site?.url]).apply(([api, site]) =>
      JSON.stringify([...(site ? [{ name: "website", url: `${site}/` }] : []), { name: "api", url: `${api}/health` }]),
    );
    const fn = new HandlerFunction<any, any>(
      "health-check",
      {
        factory: factories.check as never,
        description: `Requests the website and GET /health (${schedule})`,
        permissions: [],
        environment: { TARGETS: targets, TIMEOUT_MS: "5000", ...(lean ? { FAIL_WHEN_UNHEALTHY: "true" } : {}) },
        logRetentionDays: args.logRetentionDays,
        timeout: 30,
        packages: ["got", "zod", "@aws-lambda-powertools/logger", "@aws-lambda-powertools/metrics"],
      },
      { parent: this },
    );
    const rule = new aws.cloudwatch.EventRule("health-check", { scheduleExpression: schedule, description: "Runs the health check" }, { parent: this });
    new aws.cloudwatch.EventTarget("health-check", { rule: rule.name, arn: fn.function.arn, retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 300 } }, { parent: this });
    new aws.lambda.Permission("health-check", { action: "lambda:InvokeFunction", function: fn.function.name, principal: "events.amazonaws.com", sourceArn: rule.arn }, { parent: this });
    // A failed asynchronous invocation is retried twice by default: one failed check, one error.
    if (lean) new aws.lambda.FunctionEventInvokeConfig("health-check", { functionName: fn.function.name, maximumRetryAttempts: 0 }, { parent: this });
    return fn;
  }

  // ── alarms ────────────────────────────────────────────────────────────────────────────────

  private createTopic(name: string, email: string | undefined, provider?: aws.Provider) {
    // No server-side encryption with SNS's AWS-managed key: its key policy does not let CloudWatch
    // alarms use it, so every alarm action would fail (preflight's alarm-topic-key rule). A
    // customer-managed key would need kms:CreateKey, which the deploy role deliberately lacks, and
    // alarm notifications carry alarm names and metric values, no personal data.
    const topic = new aws.sns.Topic(name, {}, { parent: this, provider });
    if (email) new aws.sns.TopicSubscription(name, { topic: topic.arn, protocol: "email", endpoint: email }, { parent: this, provider });
    return topic;
  }

  /** CloudFront's metrics (and so its alarms, and their topic) exist only in us-east-1. */
  private usEast1Topic(args: ObservabilityDashboardArgs) {
    this.usEast1Alarms ??= { provider: args.usEast1, topic: this.createTopic(`${this.name}-alarms-us-east-1`, args.alarmEmail, args.usEast1) };
    return this.usEast1Alarms;
  }

  private alarm(name: string, args: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions">, topic = this.topic, provider?: aws.Provider) {
    const alarm = new aws.cloudwatch.MetricAlarm(name, { ...args, alarmActions: [topic.arn], okActions: [topic.arn] }, { parent: this, provider });
    this.alarms.push(alarm);
    return alarm;
  }

  /** 60 s periods, alarm on 3 of the last 5: a blip does not page, a trend does. */
  private static readonly M_OF_N = { period: 60, evaluationPeriods: 5, datapointsToAlarm: 3 };

  /** An error rate by metric math (`errors / total`, 0 when idle), so a quiet minute with one error is 100%, not a count. */
  private rateQueries(namespace: string, errors: string, total: string, dimensions: Record<string, pulumi.Input<string>>, label: string) {
    return [
      { id: "errors", metric: { namespace, metricName: errors, dimensions, period: 60, stat: "Sum" }, returnData: false },
      { id: "total", metric: { namespace, metricName: total, dimensions, period: 60, stat: "Sum" }, returnData: false },
      { id: "rate", expression: "IF(total > 0, 100 * errors / total, 0)", label, returnData: true },
    ];
  }

  private createApiAlarms(args: ObservabilityDashboardArgs) {
    const t = args.thresholds;
    const dims = { ApiId: args.api.api.id };
    this.alarm("api-5xx-rate", {
      alarmDescription: `HTTP API: more than ${t.apiErrorRatePercent}% of requests answered 5xx in 3 of 5 minutes`,
      metricQueries: this.rateQueries("AWS/ApiGateway", "5xx", "Count", dims, "5xx %"),
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.apiErrorRatePercent,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: "notBreaching",
    });
    this.alarm("api-latency-p99", {
      alarmDescription: `HTTP API: p99 latency above ${t.apiLatencyP99Ms} ms in 3 of 5 minutes`,
      namespace: "AWS/ApiGateway",
      metricName: "Latency",
      dimensions: dims,
      extendedStatistic: "p99",
      ...ObservabilityDashboard.M_OF_N,
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.apiLatencyP99Ms,
      treatMissingData: "notBreaching",
    });
  }

  private createFunctionAlarms(resources: typeof inventory, thresholds: AlarmThresholds) {
    for (const f of resources.functions) {
      this.alarm(`${f.name}-error-rate`, {
        alarmDescription: `${f.name}: more than ${thresholds.functionErrorRatePercent}% of invocations failed in 3 of 5 minutes`,
        metricQueries: this.rateQueries("AWS/Lambda", "Errors", "Invocations", { FunctionName: f.function.name }, `${f.name} error %`),
        comparisonOperator: "GreaterThanThreshold",
        threshold: thresholds.functionErrorRatePercent,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: "notBreaching",
      });
    }
  }

  /** One alarm per dead-letter queue: a single message is something that failed past its retries. */
  private createDeadLetterAlarms(resources: typeof inventory) {
    for (const q of resources.deadLetterQueues) {
      this.alarm(`${q.name}-not-empty`, {
        alarmDescription: `${q.name}: a message is in the dead-letter queue (something failed past its retries)`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: q.queue.name },
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        treatMissingData: "notBreaching",
      });
    }
  }

  private createQueueAlarms(resources: typeof inventory, args: ObservabilityDashboardArgs) {
    this.createDeadLetterAlarms(resources);
    // A work queue whose oldest message keeps aging: its consumer is failing, throttled or gone.
    for (const q of resources.workQueues) {
      this.alarm(`${q.name}-backlog`, {
        alarmDescription: `${q.name}: the oldest message has waited more than ${WORK_QUEUE_MAX_AGE_MINUTES} minutes (the consumer is failing, throttled or stopped)`,
        namespace: "AWS/SQS",
        metricName: "ApproximateAgeOfOldestMessage",
        dimensions: { QueueName: q.queue.name },
        statistic: "Maximum",
        period: 300,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        comparisonOperator: "GreaterThanThreshold",
        threshold: WORK_QUEUE_MAX_AGE_MINUTES * 60,
        treatMissingData: "notBreaching",
      });
    }
    // The webhook spool: the replay reports how long the oldest spooled event has waited. Without
    // forwarding there is no replay and nothing publishes the metric: no alarm that can never fire.
    const replay = resources.functions.find((f) => f.name.endsWith("-replay"));
    if (replay) this.alarm("spool-age", {
      alarmDescription: `Webhook spool: an event has waited more than ${args.thresholds.spoolAgeMinutes} minutes for the downstream`,
      namespace: "Switchyard",
      metricName: "spoolOldestAgeSeconds",
      dimensions: { service: replay.name },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: "GreaterThanThreshold",
      threshold: args.thresholds.spoolAgeMinutes * 60,
      // A period without a replay run has no datapoint: no problem.
      treatMissingData: "notBreaching",
    });
  }

  /**
   * Stale when no successful run reported freshness within two intervals: the job's metric is
   * sparse (one datapoint per run), so the period is the interval and missing data breaches.
   */
  private createSyncAlarms(syncs: ScheduledSync[]) {
    for (const sync of syncs) {
      const intervalMinutes = 60 / (runsPerHour(sync.schedule) ?? 1 / 24);
      const period = Math.min(86_400, Math.max(60, Math.round(intervalMinutes) * 60));
      this.alarm(`${sync.job}-stale`, {
        alarmDescription: `${sync.job} sync: no successful run for two intervals (${sync.schedule})`,
        namespace: "Switchyard",
        metricName: "freshnessMinutes",
        dimensions: { service: sync.service },
        statistic: "Minimum",
        period,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 2 * intervalMinutes,
        treatMissingData: "breaching",
      });
    }
  }

  private createHealthAlarms(args: ObservabilityDashboardArgs) {
    for (const target of [...(args.site ? ["website"] : []), "api"]) {
      this.alarm(`health-${target}`, {
        alarmDescription: `Health check: ${target} unavailable in 2 of 3 checks (every 5 minutes)`,
        namespace: "Switchyard",
        metricName: "healthCheckAvailable",
        dimensions: { service: "health-check", target },
        statistic: "Minimum",
        period: 300,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        // The check itself not running is a failure too.
        treatMissingData: "breaching",
      });
    }
  }

  private createSiteAlarm(site: StaticSite, args: ObservabilityDashboardArgs) {
    const { provider, topic } = this.usEast1Topic(args);
    this.alarm(
      "site-5xx-rate",
      {
        alarmDescription: `Website: more than ${args.thresholds.siteErrorRatePercent}% of requests answered 5xx by CloudFront in 3 of 5 minutes`,
        namespace: "AWS/CloudFront",
        metricName: "5xxErrorRate",
        dimensions: { DistributionId: site.distribution.id, Region: "Global" },
        statistic: "Average",
        ...ObservabilityDashboard.M_OF_N,
        comparisonOperator: "GreaterThanThreshold",
        threshold: args.thresholds.siteErrorRatePercent,
        treatMissingData: "notBreaching",
      },
      topic,
      provider,
    );
  }

  /**
   * Lean (CloudWatch's free tier: 10 alarm metrics): one alarm per metric read. Lambda publishes
   * `Errors` without dimensions too (every function of the region), so one alarm covers every
   * function, including the health check, whose failed invocation is a down target.
   */
  private createLeanAlarms(resources: typeof inventory, args: ObservabilityDashboardArgs) {
    this.alarm("functions-errors", {
      alarmDescription:
        "Lambda: an invocation failed in the last 15 minutes. Reads the region-wide AWS/Lambda Errors metric, so it covers every function in this account's region (not only this stack's), the health check included (it fails when the website or GET /health is down); the log groups say which.",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      statistic: "Sum",
      period: 900,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "notBreaching",
    });
    this.alarm("api-5xx", {
      alarmDescription: "HTTP API: a request was answered 5xx in the last 5 minutes",
      namespace: "AWS/ApiGateway",
      metricName: "5xx",
      dimensions: { ApiId: args.api.api.id },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "notBreaching",
    });
    this.createDeadLetterAlarms(resources);
  }

  // ── logs ──────────────────────────────────────────────────────────────────────────────────

  private createQueries(resources: typeof inventory) {
    const groups = [...resources.functions, ...resources.otherLogGroups].map((f) => f.logGroup.name);
    return savedLogQueries(pulumi.getStack()).map(
      (q) => new aws.cloudwatch.QueryDefinition(`${this.name}-${q.kind}`, { name: q.name, queryString: q.queryString, logGroupNames: groups }, { parent: this }),
    );
  }

  // ── dashboard ─────────────────────────────────────────────────────────────────────────────

  private createDashboard(dashboardName: string, args: ObservabilityDashboardArgs, resources: typeof inventory) {
    const inputs = pulumi.output({
      region: this.region,
      apiId: args.api.api.id,
      functions: resources.functions.map((f) => [f.name, f.function.name, f.logGroup.name]),
      otherGroups: resources.otherLogGroups.map((g) => [g.name, g.logGroup.name]),
      tables: resources.tables.map((t) => t.table.name),
      queues: resources.deadLetterQueues.map((q) => q.queue.name),
      workQueues: resources.workQueues.map((q) => q.queue.name),
      distributionId: args.site?.distribution.id,
      queryNames: this.queries.map((q) => q.name),
    });
    const widgets = this.level === "lean" ? leanDashboardWidgets : dashboardWidgets;
    const body = inputs
      .apply((v) => JSON.stringify({ widgets: layout(widgets({ ...(v as unknown as Omit<DashboardInputs, "syncs">), syncs: args.syncs.map((s) => ({ job: s.job, service: s.service })) })) }));
    return new aws.cloudwatch.Dashboard(this.name, { dashboardName, dashboardBody: body }, { parent: this });
  }
}

interface DashboardInputs {
  region: string;
  apiId: string;
  functions: [string, string, string][];
  otherGroups: [string, string][];
  tables: string[];
  queues: string[];
  /** Queues that feed a consumer (not dead-letter queues). */
  workQueues: string[];
  distributionId?: string;
  queryNames: string[];
  syncs: { job: string; service: string }[];
}

/** Lays widgets out in rows: each widget says its width; a row wraps at 24 columns. */
function layout(rows: Widget[][]): Widget[] {
  const placed: Widget[] = [];
  let y = 0;
  for (const row of rows) {
    let x = 0;
    let height = 0;
    for (const widget of row) {
      const width = widget.width as number;
      if (x + width > W.full) {
        y += height;
        x = 0;
        height = 0;
      }
      placed.push({ ...widget, x, y });
      x += width;
      height = Math.max(height, widget.height as number);
    }
    y += height;
  }
  return placed;
}

const metricWidget = (title: string, metrics: Metric[], region: string, width: number, extra: Record<string, unknown> = {}): Widget => ({
  type: "metric",
  width,
  height: 6,
  properties: { title, region, view: "timeSeries", stacked: false, period: 60, metrics, ...extra },
});

/**
 * A SEARCH over the handlers' EMF metrics: one line per service emitting `metric`. `dimensions`
 * is the metric's exact dimension set (SEARCH matches it exactly): Powertools adds `service`;
 * ColdStart also has `function_name`; the health check adds `target`.
 */
const emf = (metric: string, stat = "Sum", period = 300, dimensions = "service"): Metric[] => [
  [{ expression: `SEARCH('{Switchyard,${dimensions}} MetricName="${metric}"', '${stat}', ${period})`, label: metric, id: metric.replace(/[^A-Za-z0-9]/g, "").replace(/^./, (c) => c.toLowerCase()) }],
];

/** The dashboard's rows, from the stack's resources (exported for tests through the body). */
export function dashboardWidgets(v: DashboardInputs): Widget[][] {
  const { region } = v;
  const header = (markdown: string): Widget => ({ type: "text", width: W.full, height: 1, properties: { markdown } });
  const fn = (metric: string, stat: string) => v.functions.map(([name, physical]) => ["AWS/Lambda", metric, "FunctionName", physical, { stat, label: name }] as Metric);
  const api = (metric: string, stat: string, label = metric) => ["AWS/ApiGateway", metric, "ApiId", v.apiId, { stat, label }] as Metric;

  const rows: Widget[][] = [
    [header("## HTTP API")],
    [
      metricWidget("Requests, 4xx, 5xx", [api("Count", "Sum", "requests"), api("4xx", "Sum"), api("5xx", "Sum")], region, W.third),
      metricWidget("Latency p50 / p99 (ms)", [api("Latency", "p50", "p50"), api("Latency", "p99", "p99")], region, W.third),
      metricWidget("Integration latency p50 / p99 (ms)", [api("IntegrationLatency", "p50", "p50"), api("IntegrationLatency", "p99", "p99")], region, W.third),
    ],
    [header("## Functions")],
    [
      metricWidget("Invocations", fn("Invocations", "Sum"), region, W.third),
      metricWidget("Errors", fn("Errors", "Sum"), region, W.third),
      metricWidget("Throttles", fn("Throttles", "Sum"), region, W.third),
      metricWidget("Duration p99 (ms)", fn("Duration", "p99"), region, W.third),
      metricWidget("Concurrent executions", fn("ConcurrentExecutions", "Maximum"), region, W.third),
      metricWidget("Cold starts (Powertools)", emf("ColdStart", "Sum", 300, "service"), region, W.third),
    ],
    [header("## Tables and queues")],
    [
      metricWidget("Consumed read / write capacity", v.tables.flatMap((t) => [["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", t, { stat: "Sum", label: `${t} read` }], ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", t, { stat: "Sum", label: `${t} write` }]] as Metric[]), region, W.third),
      metricWidget("Throttled requests", v.tables.flatMap((t) => [["AWS/DynamoDB", "ReadThrottleEvents", "TableName", t, { stat: "Sum", label: `${t} read` }], ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", t, { stat: "Sum", label: `${t} write` }]] as Metric[]), region, W.third),
      metricWidget("System errors", v.tables.map((t, i) => [{ expression: `SEARCH('{AWS/DynamoDB,TableName,Operation} MetricName="SystemErrors" TableName="${t}"', 'Sum', 60)`, id: `sys${i}`, label: t }] as Metric), region, W.third),
      metricWidget("Dead-letter queues: depth", v.queues.map((q) => ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q, { stat: "Maximum", label: q }] as Metric), region, W.half),
      metricWidget("Dead-letter queues: oldest message (s)", v.queues.map((q) => ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", q, { stat: "Maximum", label: q }] as Metric), region, W.half),
      ...(v.workQueues.length
        ? [
            metricWidget("Work queues: waiting / in flight", v.workQueues.flatMap((q) => [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q, { stat: "Maximum", label: `${q} waiting` }], ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", q, { stat: "Maximum", label: `${q} in flight` }]] as Metric[]), region, W.half),
            metricWidget("Work queues: oldest message (s)", v.workQueues.map((q) => ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", q, { stat: "Maximum", label: q }] as Metric), region, W.half),
          ]
        : []),
    ],
  ];
  if (v.distributionId) {
    const cf = (metric: string, stat: string) => ["AWS/CloudFront", metric, "DistributionId", v.distributionId!, "Region", "Global", { stat, label: metric }] as Metric;
    rows.push(
      [header("## Website (CloudFront metrics are in us-east-1)")],
      [
        metricWidget("Requests", [cf("Requests", "Sum")], "us-east-1", W.half),
        metricWidget("Error rates (%)", [cf("4xxErrorRate", "Average"), cf("5xxErrorRate", "Average")], "us-east-1", W.half),
      ],
    );
  }
  rows.push(
    [header("## Business (Embedded Metric Format)")],
    [
      metricWidget("Webhooks: received / duplicate / rejected", [...emf("webhooksReceived"), ...emf("webhooksDuplicate"), ...emf("webhooksRejected")], region, W.third),
      metricWidget("Webhooks: forwarded / spooled / replayed / dead-lettered", [...emf("webhooksForwarded"), ...emf("webhooksSpooled"), ...emf("webhooksReplayed"), ...emf("webhooksDeadLettered")], region, W.third),
      metricWidget("Messages created", emf("messagesCreated"), region, W.third),
      metricWidget("Sync items created / skipped / failed", [...emf("itemsCreated"), ...emf("itemsSkipped"), ...emf("itemsFailed")], region, W.third),
      metricWidget(
        "Sync freshness (minutes since last success)",
        v.syncs.map((s) => ["Switchyard", "freshnessMinutes", "service", s.service, { stat: "Maximum", label: s.job }] as Metric),
        region,
        W.third,
      ),
      metricWidget("Health check: availability and latency", [...emf("healthCheckAvailable", "Minimum", 300, "service,target"), ...emf("healthCheckLatencyMs", "Maximum", 300, "service,target")], region, W.third),
    ],
  );
  rows.push([logsWidget(v)]);
  return rows;
}

/** A text widget linking every log group of the stack, and naming the saved queries. */
function logsWidget(v: DashboardInputs): Widget {
  const { region } = v;
  const consoleLink = (hash: string) => `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#${hash}`;
  // The console's log-group paths encode "/" twice ($252F).
  const groupLink = (group: string) => consoleLink(`logsV2:log-groups/log-group/${encodeURIComponent(encodeURIComponent(group))}`);
  const groups = [...v.functions.map(([name, , group]) => [name, group] as const), ...v.otherGroups];
  return {
    type: "text",
    width: W.full,
    height: Math.min(18, 4 + Math.ceil(groups.length / 3)),
    properties: {
      markdown: [
        "## Logs",
        `Saved Logs Insights queries (Logs → Logs Insights → Saved queries): ${v.queryNames.map((q) => `**${q}**`).join(", ")}. From a terminal: \`npm run logs -- --stack <stack> [--errors | --slow | --id <id>]\`.`,
        "",
        groups.map(([name, group]) => `[${name}](${groupLink(group)})`).join(" · "),
      ].join("\n"),
    },
  };
}

/**
 * The lean dashboard's rows (`level: "lean"`): at most 50 metrics for a stack of dev's size (the
 * always-free dashboard size), no SEARCH and no EMF. Functions as a whole from Lambda's region-wide
 * metrics (no dimensions), plus one line per function for errors; reads and writes per table;
 * dead-letter queue depth; CloudFront requests and 5xx rate; the same logs widget.
 */
export function leanDashboardWidgets(v: DashboardInputs): Widget[][] {
  const { region } = v;
  const header = (markdown: string): Widget => ({ type: "text", width: W.full, height: 1, properties: { markdown } });
  const api = (metric: string, stat: string, label = metric) => ["AWS/ApiGateway", metric, "ApiId", v.apiId, { stat, label }] as Metric;
  const lambda = (metric: string, stat: string, label: string) => ["AWS/Lambda", metric, { stat, label }] as Metric;
  const rows: Widget[][] = [
    [header("## HTTP API")],
    [
      metricWidget("Requests, 4xx, 5xx", [api("Count", "Sum", "requests"), api("4xx", "Sum"), api("5xx", "Sum")], region, W.half),
      metricWidget("Latency p50 / p99 (ms)", [api("Latency", "p50", "p50"), api("Latency", "p99", "p99")], region, W.half),
    ],
    [header("## Functions (invocations, errors, throttles and duration: every function in the region)")],
    [
      metricWidget("All functions: invocations, errors, throttles", [lambda("Invocations", "Sum", "invocations"), lambda("Errors", "Sum", "errors"), lambda("Throttles", "Sum", "throttles")], region, W.third),
      metricWidget("All functions: duration p99 (ms)", [lambda("Duration", "p99", "p99")], region, W.third),
      metricWidget("Errors by function", v.functions.map(([name, physical]) => ["AWS/Lambda", "Errors", "FunctionName", physical, { stat: "Sum", label: name }] as Metric), region, W.third),
    ],
    // No per-table rows: two metrics a table would outgrow the free tier's 50 as components are added,
    // and a failing table call shows up as its function's errors above.
    [header("## Queues")],
    [
      metricWidget("Dead-letter queues: depth", v.queues.map((q) => ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q, { stat: "Maximum", label: q }] as Metric), region, W.half),
      ...(v.workQueues.length ? [metricWidget("Work queues: oldest message (s)", v.workQueues.map((q) => ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", q, { stat: "Maximum", label: q }] as Metric), region, W.half)] : []),
    ],
  ];
  if (v.distributionId) {
    const cf = (metric: string, stat: string) => ["AWS/CloudFront", metric, "DistributionId", v.distributionId!, "Region", "Global", { stat, label: metric }] as Metric;
    rows.push(
      [header("## Website (CloudFront metrics are in us-east-1)")],
      [metricWidget("Requests", [cf("Requests", "Sum")], "us-east-1", W.half), metricWidget("5xx error rate (%)", [cf("5xxErrorRate", "Average")], "us-east-1", W.half)],
    );
  }
  rows.push([logsWidget(v)]);
  return rows;
}
