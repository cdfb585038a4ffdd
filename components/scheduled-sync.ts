import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { EnvSpec, SettingKey } from "../handlers/shared/function-definition";
import { kebab } from "../handlers/shared/topology";
import { SYNC_STATE, secretSettings, type SyncJobDefinition } from "../handlers/sync/job-definition";
import { syncStateTable } from "../handlers/sync/tables";
import { TASK_ENV } from "../handlers/sync/task-env";
import { definedFunction, linkBucket, linkDefinition, linkTable, type FunctionLinks } from "./defined-function";
import { FargateTask } from "./fargate-task";
import { addLambdaRoute } from "./http-route";
import type { HandlerFunction } from "./lambda";
import { createPrivateBucket } from "./shared/private-bucket";
import { createDeadLetterQueue } from "./shared/queue";
import { scheduledInvocation } from "./shared/scheduled-invocation";
import { secretParameter } from "./shared/secret-parameter";
import { createDataTable } from "./shared/table";

/** Where a run happens: a Lambda function (up to 15 minutes) or a Fargate task (no limit). */
export type SyncRunner = "lambda" | "fargate";

/** The container image of the Fargate runner: handlers/sync/task.ts bundled (see that Dockerfile). */
export const SYNC_TASK_DOCKERFILE = "handlers/sync/Dockerfile";

/** A job's settings as a component takes them: each value, or an output of it (secrets: `pulumi.secret(…)`). */
export type SyncSettingsInput<S extends z.ZodObject> = { [K in keyof z.output<S>]: pulumi.Input<z.output<S>[K]> };

export interface ScheduledSyncArgs<S extends z.ZodObject = z.ZodObject> {
  /** The job, written once (handlers/sync/job-definition.ts). Example: `gistsJob`. */
  job: SyncJobDefinition<S>;
  /**
   * The job's settings, as its `settings` schema has them (index.ts checks `switchyard:syncs.<job>`
   * against it). Secret ones (the job's `secret(...)` keys) become SSM SecureStrings the job reads
   * at run time; the others its environment. Example: `{ users: ["octocat"], pipedriveApiToken: pulumi.secret("…"), … }`.
   */
  settings: SyncSettingsInput<S>;
  /** EventBridge schedule. Example: `"rate(30 minutes)"` or `"cron(0 0/6 * * ? *)"`. Default: the job's. */
  schedule?: string;
  /**
   * Where each run happens: `"lambda"`, a function (runs up to 15 minutes); or `"fargate"`, the same
   * job as an ECS Fargate task built from handlers/sync/Dockerfile, for runs past 15 minutes (a VPC
   * with public subnets and no NAT gateway; the task's role gets the same permissions the function's
   * would). Example: `"fargate"`. Default `"lambda"`.
   */
  runner?: SyncRunner;
  /** Seconds a Lambda run may take (at most 900). Example: `300`. Default: the job's, else `300`. */
  timeoutSeconds?: number;
  /**
   * The Fargate runner's size and watchdog: a run still going after `timeoutSeconds` is stopped
   * and counts as failed. Example: `{ cpu: 512, memory: 1024, timeoutSeconds: 7200 }`.
   * Default `{ cpu: 256, memory: 512, timeoutSeconds: 3600 }`.
   */
  fargate?: { cpu?: number; memory?: number; timeoutSeconds?: number };
  /**
   * The HTTP API to put the job's read routes on (the gists job has `/users/scanned`,
   * `/users/current`, `/gists` and their original paths); none when omitted or the job has none.
   * Example: `http.api`.
   */
  api?: aws.apigatewayv2.Api;
  /** Days a read-API session lives after its last call (DynamoDB TTL). Example: `7`. Default `30`. */
  sessionTtlDays?: number;
  /** Deletion protection + PITR on the run state, the job's tables and the read API's session tables; buckets `pulumi destroy` will not empty. Example: `true` in prod. */
  protectData: boolean;
  /** Example: `14`. */
  logRetentionDays: number;
}

/**
 * An EventBridge-scheduled job: rule → Lambda function or Fargate task (`runner`) with a retry
 * policy and a dead-letter queue on the target, a run-state table (last start, last success,
 * per-source ETag/cursor, counts, last error, per-item intents) the job keeps between runs, and
 * the tables and buckets the job owns. Everything the run may do follows from the job's run
 * function definition: its environment and its role's policy (components/defined-function.ts).
 * The job emits items seen/created/skipped/failed and `freshnessMinutes` as Powertools metrics.
 */
export class ScheduledSync<S extends z.ZodObject = z.ZodObject> extends pulumi.ComponentResource {
  readonly stateTable: aws.dynamodb.Table;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly rule: aws.cloudwatch.EventRule;
  /** The function that runs the job (runner `"lambda"`). */
  readonly fn?: HandlerFunction<any, any>;
  /** The task that runs the job (runner `"fargate"`). */
  readonly task?: FargateTask;
  /** The read API's function and its tables (jobs with read routes, given `api`). */
  readonly read?: { fn: HandlerFunction<any, any>; tables: Record<string, aws.dynamodb.Table> };
  /** The job's own tables, by logical name. */
  readonly tables: Record<string, aws.dynamodb.Table> = {};
  /** The job's own buckets, by logical name. */
  readonly buckets: Record<string, aws.s3.Bucket> = {};
  /** The job's name, its title, its schedule, and the Powertools service its metrics carry (the function's or task's name). */
  readonly job: string;
  readonly title: string;
  readonly schedule: string;
  readonly service: string;

  constructor(name: string, args: ScheduledSyncArgs<S>, opts?: pulumi.ComponentResourceOptions) {
    super("switchyard:sync:ScheduledSync", name, {}, opts);
    const job = args.job as unknown as SyncJobDefinition;
    const runner = args.runner ?? "lambda";
    this.job = job.name;
    this.title = job.title;
    this.schedule = args.schedule ?? job.schedule;
    this.service = runner === "fargate" ? `${name}-task` : `${name}-run`;
    for (const warning of job.warnings?.(args.settings as Record<string, unknown>, this.schedule) ?? []) pulumi.log.warn(warning, this);

    this.stateTable = createDataTable(`${name}-state`, { definition: syncStateTable, protectData: args.protectData }, { parent: this });
    this.deadLetterQueue = createDeadLetterQueue(`${name}-dlq`, { parent: this });
    const links = this.createLinks(name, job, args);
    if (runner === "fargate") this.task = this.createTask(name, job, args, links);
    else this.fn = this.createFunction(name, job, args, links);
    this.rule = this.createSchedule(name);
    if (args.api && job.read) this.read = this.createReadApi(name, job, args, links, args.api);
    this.registerOutputs({ functionName: this.fn?.function.name, taskDefinitionArn: this.task?.taskDefinition.arn, stateTable: this.stateTable.name });
  }

  /**
   * A shell command that runs the job once now, outside its schedule: `aws lambda invoke …` or,
   * for the Fargate runner, `aws ecs run-task …` with the task's network settings.
   */
  get runNowCommand(): pulumi.Output<string> {
    const region = aws.getRegionOutput({}, { parent: this }).region;
    if (this.task) {
      const { cluster, taskDefinition, vpc, securityGroup } = this.task;
      return pulumi.interpolate`aws ecs run-task --region ${region} --cluster ${cluster.name} --task-definition ${taskDefinition.family} --launch-type FARGATE --network-configuration 'awsvpcConfiguration={subnets=[${vpc.publicSubnetIds.apply((ids) => ids.join(","))}],securityGroups=[${securityGroup.id}],assignPublicIp=ENABLED}'`;
    }
    return pulumi.interpolate`aws lambda invoke --region ${region} --function-name ${this.fn!.function.name} /dev/stdout`;
  }

  get nodes() {
    return { stateTable: this.stateTable, deadLetterQueue: this.deadLetterQueue, rule: this.rule, function: this.fn, task: this.task, read: this.read };
  }

  /**
   * What the job's definitions name: the run state, the job's tables and buckets (created here),
   * its secrets (an SSM SecureString each) and its settings as text.
   */
  private createLinks(name: string, job: SyncJobDefinition, args: ScheduledSyncArgs<any>): FunctionLinks {
    const settings = args.settings as Record<string, pulumi.Input<unknown> | undefined>;
    const resources: NonNullable<FunctionLinks["resources"]> = { [SYNC_STATE]: linkTable(this.stateTable) };
    for (const [logical, definition] of Object.entries(job.tables ?? {})) {
      this.tables[logical] = createDataTable(`${name}-${kebab(logical)}`, { definition, protectData: args.protectData }, { parent: this });
      resources[logical] = linkTable(this.tables[logical]);
    }
    for (const logical of Object.keys(job.buckets ?? {})) {
      this.buckets[logical] = createPrivateBucket(`${name}-${kebab(logical)}`, { versioned: false, forceDestroy: !args.protectData }, { parent: this }).bucket;
      resources[logical] = linkBucket(this.buckets[logical]);
    }
    const secrets: NonNullable<FunctionLinks["secrets"]> = {};
    const secretNames = secretSettings(job);
    for (const [key, spec] of Object.entries(job.run.env as EnvSpec)) {
      if (spec.kind !== "secret" || settings[spec.secret] === undefined || secrets[spec.secret]) continue;
      // Named after the run's environment key, as the stacks have always had them: `gists-pipedrive-api-token`, `/switchyard/<stack>/gists/pipedrive_api_token`.
      secrets[spec.secret] = secretParameter(
        { component: name, key: key.toLowerCase().replace(/_/g, "-"), value: settings[spec.secret] as pulumi.Input<string>, parameterName: `/switchyard/${pulumi.getStack()}/${name}/${key.toLowerCase()}` },
        { parent: this },
      );
    }
    const types = settingTypes(job);
    const text: Record<string, pulumi.Input<string>> = {};
    for (const [setting, value] of Object.entries(settings)) {
      if (value === undefined || secretNames.includes(setting)) continue;
      text[setting] = pulumi.Output.isInstance(value) || value instanceof Promise ? pulumi.output(value).apply((v) => settingText(v, types[setting])) : settingText(value, types[setting]);
    }
    return { resources, secrets, settings: { ...text, schedule: this.schedule, sessionTtlDays: String(args.sessionTtlDays ?? 30) } };
  }

  private createFunction(name: string, job: SyncJobDefinition, args: ScheduledSyncArgs<any>, links: FunctionLinks) {
    return definedFunction(
      `${name}-run`,
      { definition: job.run, links, description: `${job.name} sync (${this.schedule})`, logRetentionDays: args.logRetentionDays, timeout: args.timeoutSeconds ?? job.timeoutSeconds ?? 300 },
      { parent: this },
    );
  }

  /** The same job as a Fargate task: handlers/sync/task.ts in a container, with the function's environment and permissions. */
  private createTask(name: string, job: SyncJobDefinition, args: ScheduledSyncArgs<any>, links: FunctionLinks) {
    const linked = linkDefinition(`${name}-task`, job.run, links);
    return new FargateTask(
      `${name}-task`,
      {
        description: `${job.name} sync`,
        dockerfile: SYNC_TASK_DOCKERFILE,
        environment: {
          POWERTOOLS_SERVICE_NAME: `${name}-task`,
          POWERTOOLS_METRICS_NAMESPACE: "Switchyard",
          ...linked.environment,
          [TASK_ENV.job]: job.name,
          [TASK_ENV.timeoutSeconds]: String(args.fargate?.timeoutSeconds ?? 3600),
        },
        permissions: linked.permissions,
        cpu: args.fargate?.cpu,
        memory: args.fargate?.memory,
        logRetentionDays: args.logRetentionDays,
        protectData: args.protectData,
      },
      { parent: this },
    );
  }

  /**
   * The job's read routes: one function for all of them, reading the run state (never writing it)
   * and keeping its own data (browser sessions, expiring by TTL) in its own tables, protected in
   * prod like the run state: a lost session table would make every visitor's "new since your last
   * visit" start over.
   */
  private createReadApi(name: string, job: SyncJobDefinition, args: ScheduledSyncArgs<any>, links: FunctionLinks, api: aws.apigatewayv2.Api) {
    const read = job.read!;
    const tables: Record<string, aws.dynamodb.Table> = {};
    for (const [logical, definition] of Object.entries(read.tables ?? {})) {
      tables[logical] = createDataTable(`${name}-${kebab(logical)}`, { definition, protectData: args.protectData }, { parent: this });
    }
    const fn = definedFunction(
      `${name}-read`,
      {
        definition: read.definition,
        links: { ...links, resources: { [SYNC_STATE]: linkTable(this.stateTable), ...Object.fromEntries(Object.entries(tables).map(([logical, table]) => [logical, linkTable(table)])) } },
        description: `${job.name} sync: read API`,
        logRetentionDays: args.logRetentionDays,
      },
      { parent: this },
    );
    for (const routeKey of read.routeKeys) {
      const slug = routeKey.split(" ")[1]!.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase();
      addLambdaRoute(`${name}-read-${slug}`, { api, routeKey, fn: fn.function }, this);
    }
    return { fn, tables };
  }

  /** Rule → target (2 retries within an hour, then the dead-letter queue), and what the target needs to run the job and dead-letter. */
  private createSchedule(name: string) {
    const description = `Runs the ${this.job} sync`;
    let rule: aws.cloudwatch.EventRule;
    if (this.task) {
      rule = new aws.cloudwatch.EventRule(`${name}-schedule`, { scheduleExpression: this.schedule, description }, { parent: this });
      // EventBridge calls ecs:RunTask as the task's events role; no resource policy is involved.
      new aws.cloudwatch.EventTarget(
        `${name}-schedule`,
        {
          rule: rule.name,
          arn: this.task.cluster.arn,
          roleArn: this.task.eventsRole.arn,
          ecsTarget: this.task.ecsTarget,
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
          deadLetterConfig: { arn: this.deadLetterQueue.arn },
        },
        { parent: this, dependsOn: [this.task.eventsPolicy] },
      );
    } else {
      rule = scheduledInvocation(`${name}-schedule`, { schedule: this.schedule, description, fn: this.fn!.function, deadLetterArn: this.deadLetterQueue.arn }, { parent: this }).rule;
    }
    new aws.sqs.QueuePolicy(
      `${name}-dlq`,
      {
        queueUrl: this.deadLetterQueue.url,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: this.deadLetterQueue.arn,
              Condition: { ArnEquals: { "aws:SourceArn": rule.arn } },
            },
          ],
        }),
      },
      { parent: this },
    );
    return rule;
  }
}

/** The type each setting is read as, from the job's functions (a setting's first key decides). */
function settingTypes(job: SyncJobDefinition): Record<string, SettingKey["type"]> {
  const types: Record<string, SettingKey["type"]> = {};
  for (const definition of [job.run, ...(job.read ? [job.read.definition] : [])]) {
    for (const spec of Object.values(definition.env as EnvSpec)) if (spec.kind === "setting") types[spec.setting] ??= spec.type;
  }
  return types;
}

/** A setting's value as an environment variable holds it: lists comma-separated, JSON as JSON. Example: `["alice","bob"]` → `"alice,bob"`. */
function settingText(value: unknown, type: SettingKey["type"] | undefined): string {
  if (type === "list" && Array.isArray(value)) return value.join(",");
  if (type === "json" || (typeof value === "object" && value !== null)) return JSON.stringify(value);
  return String(value);
}

/** How many times an EventBridge `rate(...)` expression fires per hour (cron: undefined). */
export { runsPerHour } from "../handlers/sync/schedule";
