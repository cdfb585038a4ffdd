// The dashboards' building blocks: widget and metric shapes, the row layout, and the widgets both
// dashboards share (./dashboard.ts, ./lean-dashboard.ts).

/** A CloudWatch dashboard widget (its JSON). */
export type Widget = Record<string, unknown>;
/** One line of a metric widget: `[namespace, metric, ...dimension pairs, options]`, or an expression. */
export type Metric = (string | Record<string, unknown>)[];

/** What the dashboards are drawn from: the stack's resources, resolved. */
export interface DashboardInputs {
  /** Example: `"us-west-2"`. */
  region: string;
  /** Example: `"a1b2c3d4e5"`. */
  apiId: string;
  /** `[name, function name, log group]`. Example: `[["api-create", "api-create-1a2b3c", "/aws/lambda/api-create-1a2b3c"]]`. */
  functions: [string, string, string][];
  /** `[name, log group]` of log groups that are not a function's. Example: `[["gists-task", "/ecs/gists-task-1a2b"]]`. */
  otherGroups: [string, string][];
  /** Table names. Example: `["messages-1a2b3c"]`. */
  tables: string[];
  /** Dead-letter queue names. Example: `["events-dlq-1a2b3c"]`. */
  queues: string[];
  /** Queues that feed a consumer (not dead-letter queues). Example: `["events-notify-1a2b3c"]`. */
  workQueues: string[];
  /** The website's CloudFront distribution. Example: `"E1ABCDEF2GHIJ"`. */
  distributionId?: string;
  /** The saved Logs Insights queries' names. Example: `["switchyard-dev/errors"]`. */
  queryNames: string[];
  /** Example: `[{ job: "gists", service: "gists-sync" }]`. */
  syncs: { job: string; service: string }[];
}

/** Widget grid: 24 columns; each row's widgets share its height. */
export const W = { full: 24, half: 12, third: 8, quarter: 6 };

/** Lays widgets out in rows: each widget says its width; a row wraps at 24 columns. */
export function layout(rows: Widget[][]): Widget[] {
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

/** A section title across the grid. Example: `header("## HTTP API")`. */
export const header = (markdown: string): Widget => ({ type: "text", width: W.full, height: 1, properties: { markdown } });

/** A time-series widget. Example: `metricWidget("Errors", lines, "us-west-2", W.third)`. */
export const metricWidget = (title: string, metrics: Metric[], region: string, width: number, extra: Record<string, unknown> = {}): Widget => ({
  type: "metric",
  width,
  height: 6,
  properties: { title, region, view: "timeSeries", stacked: false, period: 60, metrics, ...extra },
});

/** A line of the HTTP API's metric. Example: `apiMetric(v, "Latency", "p99", "p99")`. */
export const apiMetric = (v: DashboardInputs, metric: string, stat: string, label = metric): Metric => ["AWS/ApiGateway", metric, "ApiId", v.apiId, { stat, label }];

/** A line of the website's CloudFront metric (in us-east-1). Example: `cloudFrontMetric(v, "Requests", "Sum")`. */
export const cloudFrontMetric = (v: DashboardInputs, metric: string, stat: string): Metric => ["AWS/CloudFront", metric, "DistributionId", v.distributionId!, "Region", "Global", { stat, label: metric }];

/** One line per queue of an SQS metric (its maximum, labelled with the queue). Example: `queueMetrics(v.queues, "ApproximateAgeOfOldestMessage")`. */
export const queueMetrics = (queues: string[], metric: string): Metric[] => queues.map((q) => ["AWS/SQS", metric, "QueueName", q, { stat: "Maximum", label: q }] as Metric);

/** A text widget linking every log group of the stack, and naming the saved queries. */
export function logsWidget(v: DashboardInputs): Widget {
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
