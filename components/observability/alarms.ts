// The ObservabilityDashboard's alarms, by what they watch (the groups a profile lists, see
// ./profile.ts). Every alarm is a plain MetricAlarm parented to the component and notifies one SNS
// topic (CloudFront's, in us-east-1, a second one there). Full-level alarms use 60 s periods with
// M-of-N datapoints and metric math for error rates; lean ones read one metric each (CloudWatch's
// free tier counts alarm metrics).
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { runsPerHour } from "../../handlers/sync/schedule";
import type { inventory } from "../shared/inventory";
import type { ScheduledSync } from "../scheduled-sync";
import type { AlarmThresholds } from "../stack-config";
import type { StaticSite } from "../static-site";
import type { AlarmGroup } from "./profile";

/** A work queue's oldest message may wait this long before its backlog alarm fires (full level). */
export const WORK_QUEUE_MAX_AGE_MINUTES = 15;

/** Where an alarm notifies: a topic, and the provider of its region when it is not the stack's. */
export interface AlarmTarget {
  /** Example: `new aws.sns.Topic("observability-alarms", {}, { parent })`. */
  topic: aws.sns.Topic;
  /** Example: the us-east-1 provider (CloudFront's metrics live there). */
  provider?: aws.Provider;
}

/** What every alarm group creates its alarms with. */
export interface AlarmScope {
  /** The component the alarms belong to. Example: the ObservabilityDashboard. */
  parent: pulumi.Resource;
  /** Collects every alarm created. Example: the component's `alarms`. */
  alarms: aws.cloudwatch.MetricAlarm[];
  /** The stack's topic. */
  target: AlarmTarget;
  /** The us-east-1 topic, created on first use (only CloudFront's alarm needs it). */
  usEast1: () => AlarmTarget;
}

/** What the alarm groups watch. */
export interface AlarmInputs {
  /** Example: `{ api: httpApi.api }`. */
  api: { api: aws.apigatewayv2.Api };
  /** Example: `[gistsSync]`. */
  syncs: Pick<ScheduledSync, "job" | "service" | "schedule">[];
  /** Example: `site` (its distribution's alarm, and the health check's `website` target). */
  site?: Pick<StaticSite, "distribution">;
  /** Example: `inventory`. */
  resources: typeof inventory;
  /** Example: `{ apiErrorRatePercent: 1, apiLatencyP99Ms: 1500, functionErrorRatePercent: 1, siteErrorRatePercent: 1, spoolAgeMinutes: 30 }`. */
  thresholds: AlarmThresholds;
}

/**
 * An SNS topic for alarms, with an email subscription when `email` is set.
 * Example: `createAlarmTopic(component, "observability-alarms", "oncall@example.com")`.
 */
export function createAlarmTopic(parent: pulumi.Resource, name: string, email: string | undefined, provider?: aws.Provider): aws.sns.Topic {
  // No server-side encryption with SNS's AWS-managed key: its key policy does not let CloudWatch
  // alarms use it, so every alarm action would fail (preflight's alarm-topic-key rule). A
  // customer-managed key would need kms:CreateKey, which the deploy role deliberately lacks, and
  // alarm notifications carry alarm names and metric values, no personal data.
  const topic = new aws.sns.Topic(name, {}, { parent, provider });
  if (email) new aws.sns.TopicSubscription(name, { topic: topic.arn, protocol: "email", endpoint: email }, { parent, provider });
  return topic;
}

/**
 * The scope of a component's alarms: its topic `<name>-alarms` (created now) and, on first use,
 * `<name>-alarms-us-east-1` with the us-east-1 provider.
 */
export function alarmScope(parent: pulumi.Resource, args: { name: string; alarmEmail?: string; usEast1: aws.Provider; alarms: aws.cloudwatch.MetricAlarm[] }): AlarmScope {
  const target: AlarmTarget = { topic: createAlarmTopic(parent, `${args.name}-alarms`, args.alarmEmail) };
  let usEast1: AlarmTarget | undefined;
  return {
    parent,
    alarms: args.alarms,
    target,
    usEast1: () => (usEast1 ??= { provider: args.usEast1, topic: createAlarmTopic(parent, `${args.name}-alarms-us-east-1`, args.alarmEmail, args.usEast1) }),
  };
}

/** One alarm notifying `target`'s topic on alarm and on OK, collected in the scope. */
function alarm(scope: AlarmScope, name: string, args: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions">, target: AlarmTarget = scope.target) {
  const created = new aws.cloudwatch.MetricAlarm(name, { ...args, alarmActions: [target.topic.arn], okActions: [target.topic.arn] }, { parent: scope.parent, provider: target.provider });
  scope.alarms.push(created);
  return created;
}

/** 60 s periods, alarm on 3 of the last 5: a blip does not page, a trend does. */
const M_OF_N = { period: 60, evaluationPeriods: 5, datapointsToAlarm: 3 };

/** An error rate by metric math (`errors / total`, 0 when idle), so a quiet minute with one error is 100%, not a count. */
function rateQueries(namespace: string, errors: string, total: string, dimensions: Record<string, pulumi.Input<string>>, label: string) {
  return [
    { id: "errors", metric: { namespace, metricName: errors, dimensions, period: 60, stat: "Sum" }, returnData: false },
    { id: "total", metric: { namespace, metricName: total, dimensions, period: 60, stat: "Sum" }, returnData: false },
    { id: "rate", expression: "IF(total > 0, 100 * errors / total, 0)", label, returnData: true },
  ];
}

/** The HTTP API's 5xx rate and p99 latency (full). */
export function apiAlarms(scope: AlarmScope, { api, thresholds: t }: AlarmInputs) {
  const dims = { ApiId: api.api.id };
  alarm(scope, "api-5xx-rate", {
    alarmDescription: `HTTP API: more than ${t.apiErrorRatePercent}% of requests answered 5xx in 3 of 5 minutes`,
    metricQueries: rateQueries("AWS/ApiGateway", "5xx", "Count", dims, "5xx %"),
    comparisonOperator: "GreaterThanThreshold",
    threshold: t.apiErrorRatePercent,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
  });
  alarm(scope, "api-latency-p99", {
    alarmDescription: `HTTP API: p99 latency above ${t.apiLatencyP99Ms} ms in 3 of 5 minutes`,
    namespace: "AWS/ApiGateway",
    metricName: "Latency",
    dimensions: dims,
    extendedStatistic: "p99",
    ...M_OF_N,
    comparisonOperator: "GreaterThanThreshold",
    threshold: t.apiLatencyP99Ms,
    treatMissingData: "notBreaching",
  });
}

/** Lean: one alarm on the API's 5xx count (one alarm metric). */
export function api5xxAlarm(scope: AlarmScope, { api }: AlarmInputs) {
  alarm(scope, "api-5xx", {
    alarmDescription: "HTTP API: a request was answered 5xx in the last 5 minutes",
    namespace: "AWS/ApiGateway",
    metricName: "5xx",
    dimensions: { ApiId: api.api.id },
    statistic: "Sum",
    period: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    treatMissingData: "notBreaching",
  });
}

/** Each function's error rate (full). */
export function functionAlarms(scope: AlarmScope, { resources, thresholds }: AlarmInputs) {
  for (const f of resources.functions) {
    alarm(scope, `${f.name}-error-rate`, {
      alarmDescription: `${f.name}: more than ${thresholds.functionErrorRatePercent}% of invocations failed in 3 of 5 minutes`,
      metricQueries: rateQueries("AWS/Lambda", "Errors", "Invocations", { FunctionName: f.function.name }, `${f.name} error %`),
      comparisonOperator: "GreaterThanThreshold",
      threshold: thresholds.functionErrorRatePercent,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: "notBreaching",
    });
  }
}

/**
 * Lean (CloudWatch's free tier: 10 alarm metrics): Lambda publishes `Errors` without dimensions too
 * (every function of the region), so one alarm covers every function, including the health check,
 * whose failed invocation is a down target.
 */
export function allFunctionsErrorsAlarm(scope: AlarmScope) {
  alarm(scope, "functions-errors", {
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
}

/** One alarm per dead-letter queue: a single message is something that failed past its retries. */
export function deadLetterAlarms(scope: AlarmScope, { resources }: AlarmInputs) {
  for (const q of resources.deadLetterQueues) {
    alarm(scope, `${q.name}-not-empty`, {
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

/** Work queues' backlog and the webhook spool's age (full). */
export function queueAlarms(scope: AlarmScope, { resources, thresholds }: AlarmInputs) {
  // A work queue whose oldest message keeps aging: its consumer is failing, throttled or gone.
  for (const q of resources.workQueues) {
    alarm(scope, `${q.name}-backlog`, {
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
  if (replay) alarm(scope, "spool-age", {
    alarmDescription: `Webhook spool: an event has waited more than ${thresholds.spoolAgeMinutes} minutes for the downstream`,
    namespace: "Switchyard",
    metricName: "spoolOldestAgeSeconds",
    dimensions: { service: replay.name },
    statistic: "Maximum",
    period: 300,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    comparisonOperator: "GreaterThanThreshold",
    threshold: thresholds.spoolAgeMinutes * 60,
    // A period without a replay run has no datapoint: no problem.
    treatMissingData: "notBreaching",
  });
}

/**
 * Stale when no successful run reported freshness within two intervals: the job's metric is
 * sparse (one datapoint per run), so the period is the interval and missing data breaches.
 */
export function syncAlarms(scope: AlarmScope, { syncs }: AlarmInputs) {
  for (const sync of syncs) {
    const intervalMinutes = 60 / (runsPerHour(sync.schedule) ?? 1 / 24);
    const period = Math.min(86_400, Math.max(60, Math.round(intervalMinutes) * 60));
    alarm(scope, `${sync.job}-stale`, {
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

/** Each health-check target unavailable, from the check's custom metric (full). */
export function healthAlarms(scope: AlarmScope, { site }: AlarmInputs) {
  for (const target of [...(site ? ["website"] : []), "api"]) {
    alarm(scope, `health-${target}`, {
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

/** CloudFront's 5xx rate: its metrics (so this alarm, and its topic) exist only in us-east-1. */
export function siteAlarm(scope: AlarmScope, { site, thresholds }: AlarmInputs) {
  if (!site) return;
  alarm(
    scope,
    "site-5xx-rate",
    {
      alarmDescription: `Website: more than ${thresholds.siteErrorRatePercent}% of requests answered 5xx by CloudFront in 3 of 5 minutes`,
      namespace: "AWS/CloudFront",
      metricName: "5xxErrorRate",
      dimensions: { DistributionId: site.distribution.id, Region: "Global" },
      statistic: "Average",
      ...M_OF_N,
      comparisonOperator: "GreaterThanThreshold",
      threshold: thresholds.siteErrorRatePercent,
      treatMissingData: "notBreaching",
    },
    scope.usEast1(),
  );
}

/** Each group's alarms. */
export const ALARM_GROUPS: Readonly<Record<AlarmGroup, (scope: AlarmScope, inputs: AlarmInputs) => void>> = {
  api: apiAlarms,
  api5xx: api5xxAlarm,
  functions: functionAlarms,
  allFunctionsErrors: allFunctionsErrorsAlarm,
  deadLetters: deadLetterAlarms,
  queues: queueAlarms,
  syncs: syncAlarms,
  health: healthAlarms,
  site: siteAlarm,
};

/** The alarms of `groups`, in order. Example: `createAlarms(scope, profile.alarms, inputs)`. */
export function createAlarms(scope: AlarmScope, groups: readonly AlarmGroup[], inputs: AlarmInputs): void {
  for (const group of groups) ALARM_GROUPS[group](scope, inputs);
}
