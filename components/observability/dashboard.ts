// The full dashboard's rows, and the Dashboard resource for either variant (the profile picks it).
// Full: the HTTP API, every function, table and queue of the stack, the website (CloudFront's
// metrics in us-east-1), business rows from the handlers' Embedded Metric Format metrics (SEARCH
// expressions), and the logs widget.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { inventory } from "../shared/inventory";
import { leanDashboardWidgets } from "./lean-dashboard";
import type { ObservabilityProfile } from "./profile";
import { W, apiMetric, cloudFrontMetric, header, layout, logsWidget, metricWidget, queueMetrics, type DashboardInputs, type Metric, type Widget } from "./widgets";

/**
 * A SEARCH over the handlers' EMF metrics: one line per service emitting `metric`. `dimensions`
 * is the metric's exact dimension set (SEARCH matches it exactly): Powertools adds `service`;
 * ColdStart also has `function_name`; the health check adds `target`.
 */
const emf = (metric: string, stat = "Sum", period = 300, dimensions = "service"): Metric[] => [
  [{ expression: `SEARCH('{Switchyard,${dimensions}} MetricName="${metric}"', '${stat}', ${period})`, label: metric, id: metric.replace(/[^A-Za-z0-9]/g, "").replace(/^./, (c) => c.toLowerCase()) }],
];

/** The full dashboard's rows, from the stack's resources (exported for tests through the body). */
export function dashboardWidgets(v: DashboardInputs): Widget[][] {
  const { region } = v;
  const fn = (metric: string, stat: string) => v.functions.map(([name, physical]) => ["AWS/Lambda", metric, "FunctionName", physical, { stat, label: name }] as Metric);
  const api = (metric: string, stat: string, label = metric) => apiMetric(v, metric, stat, label);

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
      metricWidget("Dead-letter queues: depth", queueMetrics(v.queues, "ApproximateNumberOfMessagesVisible"), region, W.half),
      metricWidget("Dead-letter queues: oldest message (s)", queueMetrics(v.queues, "ApproximateAgeOfOldestMessage"), region, W.half),
      ...(v.workQueues.length
        ? [
            metricWidget("Work queues: waiting / in flight", v.workQueues.flatMap((q) => [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q, { stat: "Maximum", label: `${q} waiting` }], ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", q, { stat: "Maximum", label: `${q} in flight` }]] as Metric[]), region, W.half),
            metricWidget("Work queues: oldest message (s)", queueMetrics(v.workQueues, "ApproximateAgeOfOldestMessage"), region, W.half),
          ]
        : []),
    ],
  ];
  if (v.distributionId) {
    const cf = (metric: string, stat: string) => cloudFrontMetric(v, metric, stat);
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

/** Each variant's rows (the profile's `dashboard`). */
export const DASHBOARD_VARIANTS: Readonly<Record<ObservabilityProfile["dashboard"], (v: DashboardInputs) => Widget[][]>> = {
  full: dashboardWidgets,
  lean: leanDashboardWidgets,
};

/** What the dashboard is drawn from, as resources (resolved into {@link DashboardInputs}). */
export interface DashboardSources {
  /** Example: `aws.getRegionOutput({}, { parent }).region`. */
  region: pulumi.Input<string>;
  /** Example: `{ api: httpApi.api }`. */
  api: { api: aws.apigatewayv2.Api };
  /** Example: `site` (its distribution's rows). */
  site?: { distribution: aws.cloudfront.Distribution };
  /** Example: `[gistsSync]`. */
  syncs: { job: string; service: string }[];
  /** Example: `inventory`. */
  resources: typeof inventory;
  /** The saved queries the logs widget names. */
  queries: aws.cloudwatch.QueryDefinition[];
  /** Example: `"lean"`. */
  variant: ObservabilityProfile["dashboard"];
}

/**
 * The stack's dashboard `dashboardName`, a Dashboard resource named `name` parented to `parent`.
 * Example: `createDashboard(component, "observability", "switchyard-dev", { ...sources, variant: profile.dashboard })`.
 */
export function createDashboard(parent: pulumi.Resource, name: string, dashboardName: string, sources: DashboardSources): aws.cloudwatch.Dashboard {
  const { resources } = sources;
  const inputs = pulumi.output({
    region: sources.region,
    apiId: sources.api.api.id,
    functions: resources.functions.map((f) => [f.name, f.function.name, f.logGroup.name]),
    otherGroups: resources.otherLogGroups.map((g) => [g.name, g.logGroup.name]),
    tables: resources.tables.map((t) => t.table.name),
    queues: resources.deadLetterQueues.map((q) => q.queue.name),
    workQueues: resources.workQueues.map((q) => q.queue.name),
    distributionId: sources.site?.distribution.id,
    queryNames: sources.queries.map((q) => q.name),
  });
  const widgets = DASHBOARD_VARIANTS[sources.variant];
  const body = inputs.apply((v) => JSON.stringify({ widgets: layout(widgets({ ...(v as unknown as Omit<DashboardInputs, "syncs">), syncs: sources.syncs.map((s) => ({ job: s.job, service: s.service })) })) }));
  return new aws.cloudwatch.Dashboard(name, { dashboardName, dashboardBody: body }, { parent });
}
