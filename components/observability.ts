// The ObservabilityDashboard: the stack's dashboard, alarms, saved queries and health check, as
// one component. Each concern is its own module under ./observability/ (alarms, dashboards, saved
// queries, the health check); what the observability level changes is one profile
// (./observability/profile.ts). This file wires them and keeps `GET /health`.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { apiHealthFactory } from "../handlers/health/api-health";
import { API_HEALTH_ROUTE_KEY } from "../handlers/health/routes";
import { addLambdaRoute } from "./http-route";
import { inventory } from "./shared/inventory";
import { HandlerFunction } from "./lambda";
import { alarmScope, createAlarms } from "./observability/alarms";
import { createDashboard } from "./observability/dashboard";
import { createHealthCheck } from "./observability/health-check";
import { observabilityProfile } from "./observability/profile";
import { createSavedQueries, logGroupsByName } from "./observability/queries";
import type { ScheduledSync } from "./scheduled-sync";
import type { AlarmThresholds, ObservabilityLevel } from "./stack-config";
import type { StaticSite } from "./static-site";

// What other modules imported from here before the split.
export { WORK_QUEUE_MAX_AGE_MINUTES } from "./observability/alarms";
export { dashboardWidgets } from "./observability/dashboard";
export { leanDashboardWidgets } from "./observability/lean-dashboard";
export { HEALTH_CHECK_SCHEDULE, LEAN_HEALTH_CHECK_SCHEDULE, applyObservabilityProfile, observabilityProfile, type ObservabilityProfile } from "./observability/profile";

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
   * How much CloudWatch to use (config `switchyard:observability`): the level's profile
   * (./observability/profile.ts) decides the alarms, the dashboard and the health check.
   *
   * - `"full"` (the default; prod): the dashboard described above, error-rate alarms per function by
   *   metric math, API latency, spool age, sync staleness, health-target and CloudFront alarms, and a
   *   health check every 5 minutes publishing availability and latency as EMF custom metrics.
   * - `"lean"` (dev): sized for CloudWatch's always-free tier (10 custom metrics, 10 alarm metrics,
   *   3 dashboards of up to 50 metrics per account). No custom metrics (apply the profile with
   *   `applyObservabilityProfile` at the top of the program too, so no handler publishes EMF); alarms
   *   on the region-wide `AWS/Lambda` `Errors` metric, the API's 5xx count and each dead-letter
   *   queue; a dashboard of at most 50 metrics without SEARCH expressions; a health check every 15
   *   minutes that publishes nothing and fails its invocation (a Lambda error, so the errors alarm
   *   fires) when a target is down. No us-east-1 topic.
   *
   * @default `"full"`
   * @example
   * ```ts
   * applyObservabilityProfile(config.observability); // first, before any component
   * new ObservabilityDashboard("observability", { ...args, level: config.observability });
   * ```
   */
  level?: ObservabilityLevel;
}

/**
 * One CloudWatch dashboard for the stack, its alarms, and its health check. The dashboard covers
 * the HTTP API, every function, table and dead-letter queue the program made, the website
 * (CloudFront metrics live in us-east-1), and business rows from the handlers' Embedded Metric
 * Format metrics; a text widget links the log groups and saved queries. Alarms use metric math
 * for error rates, 60 s periods with M-of-N datapoints and `treatMissingData` chosen per metric,
 * and notify one SNS topic (a second one in us-east-1 for CloudFront's). The health check is a
 * scheduled function requesting the website and `GET /health` (added here) every 5 minutes.
 * With `level: "lean"` (dev) all of it is cut down to CloudWatch's always-free tier: see `level`.
 * Every resource is a direct child of the component.
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

  constructor(name: string, args: ObservabilityDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("switchyard:observability:ObservabilityDashboard", name, {}, opts);
    const profile = observabilityProfile(args.level ?? "full");
    const region = aws.getRegionOutput({}, { parent: this }).region;
    this.healthApi = this.createHealthApi(args);
    this.healthCheck = createHealthCheck(this, { api: args.api, site: args.site, logRetentionDays: args.logRetentionDays, profile: profile.healthCheck });
    // Read after the health functions exist, so they are covered too.
    const resources = args.resources ?? inventory;
    const alarms = alarmScope(this, { name, alarmEmail: args.alarmEmail, usEast1: args.usEast1, alarms: this.alarms });
    this.topic = alarms.target.topic;
    createAlarms(alarms, profile.alarms, { api: args.api, syncs: args.syncs, site: args.site, resources, thresholds: args.thresholds });
    this.logGroups = logGroupsByName(resources);
    this.queries = createSavedQueries(this, name, resources);
    this.dashboard = createDashboard(this, name, `switchyard-${pulumi.getStack()}`, { region, api: args.api, site: args.site, syncs: args.syncs, resources, queries: this.queries, variant: profile.dashboard });
    this.dashboardUrl = pulumi.interpolate`https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${this.dashboard.dashboardName}`;
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
        // The syncs' titles travel in the upload (SYNCS holds where each run state is).
        factory: apiHealthFactory(Object.fromEntries(args.syncs.map((s) => [s.job, s.title]))) as never,
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
}
