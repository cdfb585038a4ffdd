// The CloudWatch metrics that exist for a dashboard or an alarm to watch: those AWS publishes
// (@aws-cdk/aws-service-spec's metric definitions per resource type, plus a short cited list of what
// that spec lacks) and those the handlers publish as EMF through Powertools, read from handlers/
// source itself so no hand list can drift from the code.
import { loadAwsServiceSpecSync } from "@aws-cdk/aws-service-spec";
import specPackage from "@aws-cdk/aws-service-spec/package.json";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

/** One dimension combination a metric is published with; fixed values where AWS documents one (CloudFront's `Region: "Global"`). */
export interface DimensionSet {
  names: string[];
  values: Record<string, string>;
}

/** A metric AWS publishes: its dimension combinations, and where that is written down. */
export interface AwsMetric {
  dimensionSets: DimensionSet[];
  sources: string[];
}

/** `@aws-cdk/aws-service-spec 0.1.216`: the spec's name and version, for a finding's source. */
export const SPEC_SOURCE = `@aws-cdk/aws-service-spec ${specPackage.version}`;

const HTTP_API_METRICS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html";
const WEBSOCKET_METRICS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-logging.html";
const LAMBDA_METRICS = "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html";

/** What AWS publishes and the spec does not carry (yet): namespace, metric names, dimension combinations, the AWS page. */
const NOT_IN_SPEC: { namespace: string; names: string[]; dimensionSets: string[][]; source: string }[] = [
  // HTTP APIs publish every metric per API, per stage and per route; the spec has only some combinations.
  { namespace: "AWS/ApiGateway", names: ["4xx", "5xx", "Count", "DataProcessed", "IntegrationLatency", "Latency"], dimensionSets: [["ApiId"], ["ApiId", "Stage"], ["ApiId", "Stage", "Route"]], source: HTTP_API_METRICS },
  { namespace: "AWS/ApiGateway", names: ["ConnectCount", "MessageCount", "IntegrationError", "ClientError", "ExecutionError", "IntegrationLatency"], dimensionSets: [["ApiId"], ["ApiId", "Stage"], ["ApiId", "Stage", "Route"]], source: WEBSOCKET_METRICS },
  // Asynchronous invocation metrics (2023), per function.
  { namespace: "AWS/Lambda", names: ["AsyncEventsReceived", "AsyncEventAge", "AsyncEventsDropped"], dimensionSets: [["FunctionName"]], source: LAMBDA_METRICS },
];

const sorted = (names: string[]) => [...names].sort();

function addMetric(into: Map<string, Map<string, AwsMetric>>, namespace: string, name: string, set: DimensionSet, source: string) {
  const metrics = into.get(namespace) ?? into.set(namespace, new Map()).get(namespace)!;
  const metric = metrics.get(name) ?? metrics.set(name, { dimensionSets: [], sources: [] }).get(name)!;
  const key = JSON.stringify(set);
  if (!metric.dimensionSets.some((s) => JSON.stringify(s) === key)) metric.dimensionSets.push(set);
  if (!metric.sources.includes(source)) metric.sources.push(source);
}

let aws: Map<string, Map<string, AwsMetric>> | undefined;

/** namespace → metric name → what AWS publishes. Loaded once (the spec database takes ~2 s). */
export function awsMetrics(): Map<string, Map<string, AwsMetric>> {
  if (aws) return aws;
  const db = loadAwsServiceSpecSync();
  const result = new Map<string, Map<string, AwsMetric>>();
  for (const metric of db.all("metric")) {
    for (const { entity } of db.follow("usesDimensionSet", metric)) {
      const values: Record<string, string> = {};
      // A value equal to the dimension's name is the spec's placeholder (GlobalSecondaryIndexName), not a fixed value.
      for (const d of entity.dimensions) if (d.value !== undefined && d.value !== d.name) values[d.name] = d.value;
      addMetric(result, metric.namespace, metric.name, { names: sorted(entity.dimensions.map((d) => d.name)), values }, SPEC_SOURCE);
    }
  }
  // CDK's own additions (SQS, SNS, Lambda, …), per resource: one dimension set each.
  for (const augmentation of db.all("augmentations")) {
    if (!augmentation.metrics) continue;
    const { namespace, dimensions, metrics } = augmentation.metrics;
    for (const m of metrics) addMetric(result, namespace, m.name, { names: sorted(Object.keys(dimensions)), values: {} }, `${SPEC_SOURCE} (augmentations)`);
  }
  for (const extra of NOT_IN_SPEC) {
    for (const name of extra.names) for (const names of extra.dimensionSets) addMetric(result, extra.namespace, name, { names: sorted(names), values: {} }, extra.source);
  }
  return (aws = result);
}

/** A metric the handlers publish as EMF: its name, the extra dimensions it carries besides `service`, where it is published. */
export interface EmfMetric {
  name: string;
  /** Dimension names, `service` included. Example: `["service", "target"]`. */
  dimensions: string[];
  /** `handlers/health/check.ts:113`. */
  where: string;
}

/** An addMetric call whose name the source does not say statically. */
export interface UnresolvedMetric {
  where: string;
  expression: string;
}

export const HANDLERS_DIR = join(__dirname, "..", "handlers");
const ROOT = join(__dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sourceFiles(path);
    return /\.ts$/.test(e.name) && !/\.(test|d)\.ts$/.test(e.name) ? [path] : [];
  });
}

const callName = (call: ts.CallExpression) => (ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : undefined);
const literal = (node: ts.Node): string | undefined => (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : undefined);

/** The nearest `const <name> = <initializer>` visible from `from` (statements of enclosing blocks, then the file). */
function declaration(name: string, from: ts.Node): ts.Expression | undefined {
  for (let scope: ts.Node | undefined = from; scope; scope = scope.parent) {
    if (!ts.isBlock(scope) && !ts.isSourceFile(scope)) continue;
    for (const statement of scope.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) return d.initializer;
    }
  }
  return undefined;
}

/** The string keys of an object literal, or the strings of an array literal, possibly behind a const. */
function keysOf(node: ts.Expression, from: ts.Node): string[] | undefined {
  if (ts.isIdentifier(node)) {
    const init = declaration(node.text, from);
    return init ? keysOf(init, init) : undefined;
  }
  if (ts.isObjectLiteralExpression(node)) {
    const keys = node.properties.map((p) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined));
    return keys.every((k) => k !== undefined) ? (keys as string[]) : undefined;
  }
  if (ts.isArrayLiteralExpression(node)) {
    const values = node.elements.map(literal);
    return values.every((v) => v !== undefined) ? (values as string[]) : undefined;
  }
  return undefined;
}

/**
 * The names an addMetric argument can take: a literal, a conditional of literals, a const, or the
 * loop variable of `for (const [name] of Object.entries({...}))` / `Object.keys(...)` / `[...]`.
 */
function metricNames(node: ts.Expression): string[] | undefined {
  const text = literal(node);
  if (text !== undefined) return [text];
  if (ts.isParenthesizedExpression(node)) return metricNames(node.expression);
  if (ts.isConditionalExpression(node)) {
    const [a, b] = [metricNames(node.whenTrue), metricNames(node.whenFalse)];
    return a && b ? [...a, ...b] : undefined;
  }
  if (!ts.isIdentifier(node)) return undefined;
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (!ts.isForOfStatement(n) || !ts.isVariableDeclarationList(n.initializer)) continue;
    const bound = n.initializer.declarations[0]?.name;
    const first = bound && ts.isArrayBindingPattern(bound) ? bound.elements[0] : bound;
    if (!first || !("name" in first) || !ts.isIdentifier(first.name) || first.name.text !== node.text) continue;
    const over = n.expression;
    if (ts.isCallExpression(over) && ts.isPropertyAccessExpression(over.expression) && ["entries", "keys"].includes(over.expression.name.text) && over.arguments[0]) return keysOf(over.arguments[0], n);
    return keysOf(over, n);
  }
  const init = declaration(node.text, node);
  return init ? metricNames(init) : undefined;
}

let emf: { metrics: EmfMetric[]; unresolved: UnresolvedMetric[] } | undefined;

/**
 * Every metric the handlers publish through Powertools: `metrics.addMetric(name, …)` with the
 * default `service` dimension plus the file's `addDimension` names, and Powertools' `ColdStart` from
 * `captureColdStartMetric()` (`service` only; `function_name` too when the call passes a name).
 */
export function emfMetrics(dir = HANDLERS_DIR): { metrics: EmfMetric[]; unresolved: UnresolvedMetric[] } {
  if (emf && dir === HANDLERS_DIR) return emf;
  const metrics: EmfMetric[] = [];
  const unresolved: UnresolvedMetric[] = [];
  for (const file of sourceFiles(dir)) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const calls: ts.CallExpression[] = [];
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && ["addMetric", "addDimension", "addDimensions", "captureColdStartMetric"].includes(callName(node) ?? "")) calls.push(node);
      ts.forEachChild(node, visit);
    };
    visit(source);
    const extra = calls.flatMap((c) => {
      const arg = c.arguments[0];
      if (!arg) return [];
      if (callName(c) === "addDimension") return literal(arg) ?? [];
      return callName(c) === "addDimensions" ? (keysOf(arg, c) ?? []) : [];
    });
    const where = (node: ts.Node) => `${relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    for (const call of calls) {
      if (callName(call) === "captureColdStartMetric") {
        metrics.push({ name: "ColdStart", dimensions: sorted(call.arguments.length ? ["service", "function_name"] : ["service"]), where: where(call) });
      } else if (callName(call) === "addMetric" && call.arguments[0]) {
        const names = metricNames(call.arguments[0]);
        if (!names) unresolved.push({ where: where(call), expression: call.arguments[0].getText(source) });
        for (const name of names ?? []) metrics.push({ name, dimensions: sorted(["service", ...new Set(extra)]), where: where(call) });
      }
    }
  }
  const result = { metrics, unresolved };
  if (dir === HANDLERS_DIR) emf = result;
  return result;
}

/** Powertools' EMF output: namespace from POWERTOOLS_METRICS_NAMESPACE, the `service` dimension from POWERTOOLS_SERVICE_NAME. */
export const POWERTOOLS_SOURCE = "https://docs.powertools.aws.dev/lambda/typescript/latest/core/metrics/";
