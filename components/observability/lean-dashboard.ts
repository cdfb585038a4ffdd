// The lean dashboard's rows (profile `lean`): at most 50 metrics for a stack of dev's size (the
// always-free dashboard size), no SEARCH and no EMF.
import { W, apiMetric, cloudFrontMetric, header, logsWidget, metricWidget, queueMetrics, type DashboardInputs, type Metric, type Widget } from "./widgets";

/**
 * Functions as a whole from Lambda's region-wide metrics (no dimensions), plus one line per
 * function for errors; dead-letter queue depth and work queues' oldest message; CloudFront
 * requests and 5xx rate; the same logs widget as the full dashboard.
 */
export function leanDashboardWidgets(v: DashboardInputs): Widget[][] {
  const { region } = v;
  const api = (metric: string, stat: string, label = metric) => apiMetric(v, metric, stat, label);
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
      metricWidget("Dead-letter queues: depth", queueMetrics(v.queues, "ApproximateNumberOfMessagesVisible"), region, W.half),
      ...(v.workQueues.length ? [metricWidget("Work queues: oldest message (s)", queueMetrics(v.workQueues, "ApproximateAgeOfOldestMessage"), region, W.half)] : []),
    ],
  ];
  if (v.distributionId) {
    const cf = (metric: string, stat: string) => cloudFrontMetric(v, metric, stat);
    rows.push(
      [header("## Website (CloudFront metrics are in us-east-1)")],
      [metricWidget("Requests", [cf("Requests", "Sum")], "us-east-1", W.half), metricWidget("5xx error rate (%)", [cf("5xxErrorRate", "Average")], "us-east-1", W.half)],
    );
  }
  rows.push([logsWidget(v)]);
  return rows;
}
