// Dashboards and alarms watch metrics that exist. CloudWatch accepts a dashboard or an alarm on any
// namespace, name and dimensions, and then shows an empty graph or an alarm stuck in
// INSUFFICIENT_DATA. Every metric on the dashboards (rows with the "." / "..." shorthand expanded,
// SEARCH expressions) and in alarms (the metric, and each metric query) must be one AWS publishes
// (metric-spec.ts: @aws-cdk/aws-service-spec and a cited list) or one the handlers publish as EMF.
//
// Dimensions are compared as exact sets of names: CloudWatch stores every dimension combination as
// a metric of its own, so a query with one dimension more or fewer than the combination AWS
// publishes finds no data (the dimension-combinations section of
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#dimension-combinations);
// a SEARCH schema `{Namespace,A,B}` likewise matches only metrics with exactly A and B. Values are
// compared where AWS fixes one (CloudFront's Region=Global), and a value naming a resource
// (FunctionName, QueueName, TableName, ApiId, DistributionId, …) must name one in the same stack;
// for EMF metrics, `service` must be a POWERTOOLS_SERVICE_NAME of a function or task in the stack.
import { resourceLabel, type Finding, type PreflightRule, type RecordedResource, type StackRecord } from "../finding";
import { awsMetrics, emfMetrics, POWERTOOLS_SOURCE, SPEC_SOURCE } from "../metric-spec";

/** A dimension whose value names a resource: the type, and how the resource's name reads in the record. */
const RESOURCE_DIMENSIONS: Record<string, { type: string; name: (r: RecordedResource) => string }> = {
  FunctionName: { type: "aws:lambda/function:Function", name: (r) => r.state.name },
  QueueName: { type: "aws:sqs/queue:Queue", name: (r) => r.state.name },
  TableName: { type: "aws:dynamodb/table:Table", name: (r) => r.state.name },
  ApiId: { type: "aws:apigatewayv2/api:Api", name: (r) => r.id },
  DistributionId: { type: "aws:cloudfront/distribution:Distribution", name: (r) => r.id },
  LogGroupName: { type: "aws:cloudwatch/logGroup:LogGroup", name: (r) => r.state.name },
  TopicName: { type: "aws:sns/topic:Topic", name: (r) => r.state.name },
  RuleName: { type: "aws:cloudwatch/eventRule:EventRule", name: (r) => r.state.name },
  ClusterName: { type: "aws:ecs/cluster:Cluster", name: (r) => r.state.name },
};

const DASHBOARD_SOURCE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html";
const SEARCH_SOURCE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html";

/** One metric a dashboard or alarm refers to. A value is undefined where a SEARCH leaves it open. */
export interface WatchedMetric {
  input: string;
  namespace: string;
  name?: string;
  dimensions: Record<string, string | undefined>;
  /** Came from a SEARCH expression (its source is the search syntax page). */
  search?: boolean;
}

/** The metrics of a metric-math expression's SEARCH calls: `SEARCH('{Ns,A,B} MetricName="m" A="v"', 'Sum', 300)`. */
export function searchedMetrics(expression: string, input: string): WatchedMetric[] {
  const found: WatchedMetric[] = [];
  for (const [, query = ""] of expression.matchAll(/SEARCH\(\s*'((?:[^'\\]|\\.)*)'/g)) {
    const schema = /\{([^}]*)\}/.exec(query);
    if (!schema) continue; // a free-text search names no namespace or dimension set to check
    const [namespace = "", ...names] = schema[1]!.split(",").map((s) => s.trim().replace(/^"|"$/g, ""));
    const terms = Object.fromEntries([...query.slice(schema.index + schema[0].length).matchAll(/([\w.:-]+)\s*=\s*"([^"]*)"/g)].map(([, k, v]) => [k!, v!]));
    const dimensions: Record<string, string | undefined> = Object.fromEntries(names.map((n) => [n, terms[n]]));
    found.push({ input, namespace, ...(terms.MetricName === undefined ? {} : { name: terms.MetricName }), dimensions, search: true });
  }
  return found;
}

type MetricRow = unknown[];
interface DashboardBody {
  widgets?: { properties?: { metrics?: MetricRow[] } }[];
}
/** A metric as an alarm or a metric query names it. */
interface AlarmMetric {
  namespace?: string;
  metricName?: string;
  dimensions?: Record<string, string>;
}
interface AlarmInputs extends AlarmMetric {
  metricQueries?: { metric?: AlarmMetric; expression?: string }[];
}

/** Every metric of a dashboard body, with the "." (same as the row above) and "..." (the rest of the row above) shorthand expanded. */
export function dashboardMetrics(body: unknown): WatchedMetric[] {
  const parsed = (typeof body === "string" ? JSON.parse(body) : body) as DashboardBody | undefined;
  const found: WatchedMetric[] = [];
  (parsed?.widgets ?? []).forEach((widget, w) => {
    const rows = Array.isArray(widget?.properties?.metrics) ? widget.properties.metrics : [];
    let previous: unknown[] = [];
    rows.forEach((row, i) => {
      const input = `dashboardBody.widgets[${w}].properties.metrics[${i}]`;
      const last = row[row.length - 1];
      const options = last !== null && typeof last === "object" ? (last as Record<string, unknown>) : undefined;
      let values = options ? row.slice(0, -1) : [...row];
      if (values.length === 0) {
        if (typeof options?.expression === "string") found.push(...searchedMetrics(options.expression, `${input}.expression`));
        return;
      }
      const ellipsis = values.indexOf("...");
      if (ellipsis >= 0) {
        const after = values.slice(ellipsis + 1);
        values = [...values.slice(0, ellipsis), ...previous.slice(ellipsis, previous.length - after.length), ...after];
      }
      values = values.map((v, j) => (v === "." ? previous[j] : v));
      previous = values;
      const [namespace, name, ...pairs] = values.map(String);
      const dimensions: Record<string, string> = {};
      for (let j = 0; j + 1 < pairs.length; j += 2) dimensions[pairs[j]!] = pairs[j + 1]!;
      found.push({ input, namespace: namespace ?? "", ...(name === undefined ? {} : { name }), dimensions });
    });
  });
  return found;
}

/** The metrics an alarm watches: its own metric, and each metric query's metric or SEARCH. */
export function alarmMetrics(inputs: AlarmInputs): WatchedMetric[] {
  const found: WatchedMetric[] = [];
  if (inputs.metricName !== undefined || inputs.namespace !== undefined) found.push({ input: "metricName", namespace: inputs.namespace ?? "", name: inputs.metricName, dimensions: inputs.dimensions ?? {} });
  (inputs.metricQueries ?? []).forEach((q, i) => {
    if (q.metric) found.push({ input: `metricQueries[${i}].metric`, namespace: q.metric.namespace ?? "", name: q.metric.metricName, dimensions: q.metric.dimensions ?? {} });
    if (typeof q.expression === "string") found.push(...searchedMetrics(q.expression, `metricQueries[${i}].expression`));
  });
  return found;
}

const setText = (names: string[]) => (names.length ? `{${names.join(", ")}}` : "{} (no dimensions)");

/** POWERTOOLS_METRICS_NAMESPACE → the POWERTOOLS_SERVICE_NAMEs publishing into it, from functions' and tasks' environments. */
function emfPublishers(record: StackRecord): Map<string, Set<string>> {
  const publishers = new Map<string, Set<string>>();
  const add = (env: Record<string, string | undefined>) => {
    const namespace = env.POWERTOOLS_METRICS_NAMESPACE;
    if (!namespace) return;
    const services = publishers.get(namespace) ?? publishers.set(namespace, new Set()).get(namespace)!;
    if (env.POWERTOOLS_SERVICE_NAME) services.add(env.POWERTOOLS_SERVICE_NAME);
  };
  for (const r of record.resources) {
    if (r.type === "aws:lambda/function:Function") add(r.inputs.environment?.variables ?? {});
    if (r.type === "aws:ecs/taskDefinition:TaskDefinition") {
      const containers = typeof r.inputs.containerDefinitions === "string" ? JSON.parse(r.inputs.containerDefinitions) : (r.inputs.containerDefinitions ?? []);
      for (const c of containers) add(Object.fromEntries((c.environment ?? []).map((e: { name: string; value: string }) => [e.name, e.value])));
    }
  }
  return publishers;
}

type Problem = Pick<Finding, "input" | "message" | "source">;

function checkAws(m: WatchedMetric, record: StackRecord): Problem[] {
  const spec = (source: string) => ({ input: m.input, source: m.search ? `${source}; ${SEARCH_SOURCE}` : source });
  const namespace = awsMetrics().get(m.namespace);
  if (!namespace) return [{ ...spec(SPEC_SOURCE), message: `AWS publishes no namespace ${m.namespace}` }];
  if (m.name === undefined) return [];
  const metric = namespace.get(m.name);
  if (!metric) {
    const other = [...namespace.keys()].find((n) => n.toLowerCase() === m.name!.toLowerCase());
    const elsewhere = [...awsMetrics()].filter(([, ms]) => ms.has(m.name!)).map(([ns]) => ns);
    const hint = other ? ` (did you mean ${other}?)` : elsewhere.length ? ` (${m.name} is in ${elsewhere.join(", ")})` : "";
    return [{ ...spec(SPEC_SOURCE), message: `${m.namespace} has no metric ${m.name}${hint}` }];
  }
  const source = metric.sources.join("; ");
  const names = Object.keys(m.dimensions).sort();
  const sameNames = metric.dimensionSets.filter((s) => s.names.join() === names.join());
  if (sameNames.length === 0) {
    return [{ ...spec(source), message: `${m.namespace} ${m.name} with dimensions ${setText(names)}: AWS publishes it with ${metric.dimensionSets.map((s) => setText(s.names)).join(" | ")}` }];
  }
  const problems: Problem[] = [];
  const fixedOk = sameNames.some((s) => Object.entries(s.values).every(([k, v]) => m.dimensions[k] === undefined || m.dimensions[k] === v));
  if (!fixedOk) {
    const documented = sameNames.map((s) => Object.entries(s.values).map(([k, v]) => `${k}=${v}`).join(", ")).join(" | ");
    problems.push({ ...spec(source), message: `${m.namespace} ${m.name}: ${names.map((n) => `${n}=${m.dimensions[n]}`).join(", ")}; AWS publishes it with ${documented}` });
  }
  for (const [dimension, value] of Object.entries(m.dimensions)) {
    const named = RESOURCE_DIMENSIONS[dimension];
    if (!named || value === undefined) continue;
    if (record.resources.some((r) => r.type === named.type && named.name(r) === value)) continue;
    problems.push({ ...spec(source), message: `${dimension}=${value} names no ${named.type} in this stack` });
  }
  return problems;
}

function checkEmf(m: WatchedMetric, services: Set<string>): Problem[] {
  const { metrics } = emfMetrics();
  const published = metrics.filter((e) => e.name === m.name);
  const source = (where: string[]) => [...where, POWERTOOLS_SOURCE, ...(m.search ? [SEARCH_SOURCE] : [])].join("; ");
  if (m.name === undefined) return [];
  if (published.length === 0) {
    const other = [...new Set(metrics.map((e) => e.name))].find((n) => n.toLowerCase() === m.name!.toLowerCase());
    return [{ input: m.input, source: source(["handlers/ (addMetric calls)"]), message: `no handler publishes ${m.name} in ${m.namespace}${other ? ` (did you mean ${other}?)` : ""}` }];
  }
  const problems: Problem[] = [];
  const names = Object.keys(m.dimensions).sort();
  if (!published.some((e) => e.dimensions.join() === names.join())) {
    const sets = [...new Set(published.map((e) => setText(e.dimensions)))];
    problems.push({ input: m.input, source: source([...new Set(published.map((e) => e.where))]), message: `${m.namespace} ${m.name} with dimensions ${setText(names)}: the handlers publish it with ${sets.join(" | ")}` });
  }
  const service = m.dimensions.service;
  if (service !== undefined && !services.has(service)) {
    problems.push({ input: m.input, source: source(["POWERTOOLS_SERVICE_NAME of the stack's functions and tasks"]), message: `service=${service} is no function's or task's POWERTOOLS_SERVICE_NAME in ${m.namespace} (${[...services].sort().join(", ")})` });
  }
  return problems;
}

/** What is wrong with the metrics one dashboard or alarm watches. */
export function checkWatchedMetrics(watched: WatchedMetric[], record: StackRecord): Problem[] {
  const publishers = emfPublishers(record);
  return watched.flatMap((m) => {
    const services = publishers.get(m.namespace);
    if (services) return checkEmf(m, services);
    if (m.namespace.startsWith("AWS/") || awsMetrics().has(m.namespace)) return checkAws(m, record);
    return [{ input: m.input, source: `${SPEC_SOURCE}; ${DASHBOARD_SOURCE}`, message: `namespace ${JSON.stringify(m.namespace)} is neither AWS's nor one the stack's functions publish to (${[...publishers.keys()].join(", ") || "none"})` }];
  });
}

export const metricsExist: PreflightRule = {
  name: "metrics-exist",
  description: "Every dashboard and alarm metric is one AWS publishes (namespace, name, dimension set) or one the handlers publish as EMF.",
  check(record, variant) {
    const findings: Finding[] = [];
    const report = (r: RecordedResource, problems: Problem[]) => findings.push(...problems.map((p) => ({ stack: variant, resource: resourceLabel(r), rule: this.name, ...p })));
    for (const r of record.resources) {
      if (r.type === "aws:cloudwatch/dashboard:Dashboard") report(r, checkWatchedMetrics(dashboardMetrics(r.inputs.dashboardBody), record));
      if (r.type === "aws:cloudwatch/metricAlarm:MetricAlarm") report(r, checkWatchedMetrics(alarmMetrics(r.inputs), record));
    }
    for (const u of emfMetrics().unresolved) {
      findings.push({ stack: variant, resource: u.where, input: "addMetric name", rule: this.name, message: `the metric name ${u.expression} is not a literal, a conditional of literals or a loop over literal keys, so preflight cannot tell what is published`, source: POWERTOOLS_SOURCE });
    }
    return findings;
  },
};
