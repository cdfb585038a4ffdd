import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { gistsSyncHandler } from "../handlers/sync/gists";
import { gistsReadDeps, gistsReadHandler } from "../handlers/sync/gists-read";
import { gistsReadRouteKeys } from "../handlers/sync/gists-routes";
import { skillsSyncHandler } from "../handlers/sync/skills";
import { sessionsTable, syncStateTable } from "../handlers/sync/tables";
import type { TableDefinition } from "../handlers/shared/table-definition";
import { FargateTask } from "./fargate-task";
import { addLambdaRoute } from "./http-route";
import { createDeadLetterQueue } from "./queue";
import { createPrivateBucket } from "./private-bucket";
import { DEFAULT_RUNTIME_PACKAGES, HandlerFunction, POWERTOOLS_PACKAGES, type Permission } from "./lambda";
import { createDataTable } from "./table";

/**
 * The jobs a ScheduledSync can run, each a serialized handler factory (module level: see
 * message-api.ts); a job with `read` also serves those HTTP routes from its run state.
 */
const jobs: Record<"gists" | "skills", { factory: () => unknown; packages: string[]; stateActions: string[]; read?: { factory: () => unknown; routeKeys: string[] } }> = {
  gists: {
    factory: () => gistsSyncHandler("sync-gists"),
    // UpdateItem: RunStateStore.confirm (intent → confirmed), which only the gists job uses.
    stateActions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    packages: [...POWERTOOLS_PACKAGES, "got", "@aws-lambda-powertools/parameters/ssm"],
    read: { factory: () => gistsReadHandler(gistsReadDeps("sync-gists-read")), routeKeys: gistsReadRouteKeys().map((r) => r.routeKey) },
  },
  skills: { factory: () => skillsSyncHandler("sync-skills"), packages: [...POWERTOOLS_PACKAGES, "got", "@aws-lambda-powertools/parameters/ssm"], stateActions: ["dynamodb:GetItem", "dynamodb:PutItem"] },
};
export type SyncJob = keyof typeof jobs;

/** Where a run happens: a Lambda function (up to 15 minutes) or a Fargate task (no limit). */
export type SyncRunner = "lambda" | "fargate";

/** The container image of the Fargate runner: handlers/sync/task.ts bundled (see that Dockerfile). */
export const SYNC_TASK_DOCKERFILE = "handlers/sync/Dockerfile";

export interface ScheduledSyncArgs {
  /** The job to run. Example: `"gists"`. */
  job: SyncJob;
  /** EventBridge schedule. Example: `"rate(30 minutes)"` or `"cron(0 0/6 * * ? *)"`. */
  schedule: string;
  /** Settings for the job, as environment variables. Example: `{ GIST_USERS: "octocat" }`. */
  environment: Record<string, pulumi.Input<string>>;
  /** Secret settings: each becomes an SSM SecureString the job reads at run time. Example: `{ PIPEDRIVE_API_TOKEN: config.pipedriveApiToken }`. */
  secrets?: Record<string, pulumi.Input<string>>;
  /** Extra permissions beyond the run-state table and the data below. Example: `[{ actions: ["sqs:SendMessage"], resources: [...] }]`. */
  permissions?: Permission[];
  /** Tables the job fills (upsert only), by the environment variable that names each. Example: `{ ASSESSMENTS_TABLE: assessmentsTable }`. */
  tables?: Record<string, TableDefinition>;
  /** Private buckets the job writes under one prefix, by environment variable. Example: `{ RELEASES_BUCKET: { prefix: "releases/" } }`. */
  buckets?: Record<string, { prefix: string }>;
  /** Seconds a Lambda run may take (at most 900). Example: `300`. Default `300`. */
  timeoutSeconds?: number;
  /**
   * Where each run happens: `"lambda"`, a function (runs up to 15 minutes); or `"fargate"`, the same
   * job as an ECS Fargate task built from handlers/sync/Dockerfile, for runs past 15 minutes (a VPC
   * with public subnets and no NAT gateway; the task's role gets the same permissions the function's
   * would). Example: `"fargate"`. Default `"lambda"`.
   */
  runner?: SyncRunner;
  /**
   * The Fargate runner's size and watchdog: a run still going after `timeoutSeconds` is stopped
   * and counts as failed. Example: `{ cpu: 512, memory: 1024, timeoutSeconds: 7200 }`.
   * Default `{ cpu: 256, memory: 512, timeoutSeconds: 3600 }`.
   */
  fargate?: { cpu?: number; memory?: number; timeoutSeconds?: number };
  /**
   * The HTTP API to put the job's read routes on (the gists job has `/users/scanned`,
   * `/users/current`, `/gists` and their original paths); none when omitted. Example: `messageApi.api`.
   */
  api?: aws.apigatewayv2.Api;
  /** Days a read-API session lives after its last call (DynamoDB TTL). Example: `7`. Default `30`. */
  sessionTtlDays?: number;
  /** Example: `true` in prod. */
  protectData: boolean;
  /** Example: `14`. */
  logRetentionDays: number;
}

/** What a run gets, whichever the runner: its settings and exactly its permissions. */
interface JobSetup {
  environment: Record<string, pulumi.Input<string>>;
  permissions: Permission[];
}

/**
 * An EventBridge-scheduled job: rule → Lambda function or Fargate task (`runner`) with a retry
 * policy and a dead-letter queue on the target, and a run-state table (last start, last success,
 * per-source ETag/cursor, counts, last error, per-item intents) the job keeps between runs. The
 * job emits items seen/created/skipped/failed and `freshnessMinutes` as Powertools metrics.
 */
export class ScheduledSync extends pulumi.ComponentResource {
  readonly stateTable: aws.dynamodb.Table;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly rule: aws.cloudwatch.EventRule;
  /** The function that runs the job (runner `"lambda"`). */
  readonly fn?: HandlerFunction<any, any>;
  /** The task that runs the job (runner `"fargate"`). */
  readonly task?: FargateTask;
  /** The read API's function and its sessions table (jobs with read routes, given `api`). */
  readonly read?: { fn: HandlerFunction<any, any>; sessionsTable: aws.dynamodb.Table };
  readonly tables: Record<string, aws.dynamodb.Table> = {};
  readonly buckets: Record<string, aws.s3.Bucket> = {};
  /** The job, its schedule, and the Powertools service its metrics carry (the function's or task's name). */
  readonly job: SyncJob;
  readonly schedule: string;
  readonly service: string;

  constructor(name: string, args: ScheduledSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super("switchyard:sync:ScheduledSync", name, {}, opts);
    this.job = args.job;
    this.schedule = args.schedule;
    this.service = (args.runner ?? "lambda") === "fargate" ? `${name}-task` : `${name}-run`;
    this.stateTable = createDataTable(`${name}-state`, { definition: syncStateTable, protectData: args.protectData }, { parent: this });
    this.deadLetterQueue = createDeadLetterQueue(`${name}-dlq`, { parent: this });
    const setup = this.createJobSetup(name, args, this.createData(name, args));
    if ((args.runner ?? "lambda") === "fargate") this.task = this.createTask(name, args, setup);
    else this.fn = this.createFunction(name, args, setup);
    this.rule = this.createSchedule(name, args);
    if (args.api && jobs[args.job].read) this.read = this.createReadApi(name, args, args.api);
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

  /** The job's own tables and buckets, with exactly the access an upsert-only sync needs. */
  private createData(name: string, args: ScheduledSyncArgs): { environment: Record<string, pulumi.Input<string>>; permissions: Permission[] } {
    const environment: Record<string, pulumi.Input<string>> = {};
    const permissions: Permission[] = [];
    for (const [variable, definition] of Object.entries(args.tables ?? {})) {
      const slug = variable.toLowerCase().replace(/_table$/, "").replace(/_/g, "-");
      const table = createDataTable(`${name}-${slug}`, { definition, protectData: args.protectData }, { parent: this });
      this.tables[variable] = table;
      environment[variable] = table.name;
      permissions.push({ actions: ["dynamodb:BatchGetItem", "dynamodb:PutItem"], resources: [table.arn] });
    }
    for (const [variable, { prefix }] of Object.entries(args.buckets ?? {})) {
      const slug = variable.toLowerCase().replace(/_bucket$/, "").replace(/_/g, "-");
      const { bucket } = createPrivateBucket(`${name}-${slug}`, { versioned: false, forceDestroy: !args.protectData }, { parent: this });
      this.buckets[variable] = bucket;
      environment[variable] = bucket.bucket;
      permissions.push(
        // ListBucket so a missing object is a 404 to HeadObject, not a 403.
        { actions: ["s3:ListBucket"], resources: [bucket.arn] },
        { actions: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], resources: [pulumi.interpolate`${bucket.arn}/${prefix}*`] },
      );
    }
    return { environment, permissions };
  }

  /** The secrets as SSM parameters, then the run's environment and permissions (the same for both runners). */
  private createJobSetup(name: string, args: ScheduledSyncArgs, data: JobSetup): JobSetup {
    const parameters = Object.entries(args.secrets ?? {}).map(
      ([key, value]) =>
        [
          key,
          new aws.ssm.Parameter(
            `${name}-${key.toLowerCase().replace(/_/g, "-")}`,
            { name: `/switchyard/${pulumi.getStack()}/${name}/${key.toLowerCase()}`, type: "SecureString", value: pulumi.secret(value) },
            { parent: this },
          ),
        ] as const,
    );
    return {
      permissions: [
        { actions: jobs[args.job].stateActions, resources: [this.stateTable.arn] },
        ...(parameters.length ? [{ actions: ["ssm:GetParameter"], resources: parameters.map(([, p]) => p.arn) }] : []),
        ...data.permissions,
        ...(args.permissions ?? []),
      ],
      environment: {
        ...args.environment,
        ...data.environment,
        SYNC_STATE_TABLE: this.stateTable.name,
        ...Object.fromEntries(parameters.map(([key, p]) => [`${key}_PARAMETER`, p.name])),
      },
    };
  }

  private createFunction(name: string, args: ScheduledSyncArgs, setup: JobSetup) {
    const job = jobs[args.job];
    return new HandlerFunction<any, any>(
      `${name}-run`,
      {
        factory: job.factory as never,
        description: `${args.job} sync (${args.schedule})`,
        permissions: setup.permissions,
        environment: setup.environment,
        logRetentionDays: args.logRetentionDays,
        timeout: args.timeoutSeconds ?? 300,
        packages: job.packages ?? DEFAULT_RUNTIME_PACKAGES,
      },
      { parent: this },
    );
  }

  /** The same job as a Fargate task: handlers/sync/task.ts in a container, with the function's environment and permissions. */
  private createTask(name: string, args: ScheduledSyncArgs, setup: JobSetup) {
    return new FargateTask(
      `${name}-task`,
      {
        description: `${args.job} sync`,
        dockerfile: SYNC_TASK_DOCKERFILE,
        environment: {
          POWERTOOLS_SERVICE_NAME: `${name}-task`,
          POWERTOOLS_METRICS_NAMESPACE: "Switchyard",
          ...setup.environment,
          SYNC_JOB: args.job,
          SYNC_TIMEOUT_SECONDS: String(args.fargate?.timeoutSeconds ?? 3600),
        },
        permissions: setup.permissions,
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
   * and keeping browser sessions in their own table with TTL.
   */
  private createReadApi(name: string, args: ScheduledSyncArgs, api: aws.apigatewayv2.Api) {
    const read = jobs[args.job].read!;
    const sessions = createDataTable(`${name}-sessions`, { definition: sessionsTable, protectData: false, ephemeral: true }, { parent: this });
    const fn = new HandlerFunction<any, any>(
      `${name}-read`,
      {
        factory: read.factory as never,
        description: `${args.job} sync: read API`,
        permissions: [
          { actions: ["dynamodb:GetItem", "dynamodb:Query"], resources: [this.stateTable.arn] },
          { actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], resources: [sessions.arn] },
        ],
        environment: {
          ...args.environment,
          SYNC_STATE_TABLE: this.stateTable.name,
          SESSIONS_TABLE: sessions.name,
          SYNC_SCHEDULE: args.schedule,
          SESSION_TTL_DAYS: String(args.sessionTtlDays ?? 30),
        },
        logRetentionDays: args.logRetentionDays,
      },
      { parent: this },
    );
    for (const routeKey of read.routeKeys) {
      const slug = routeKey.split(" ")[1]!.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase();
      addLambdaRoute(`${name}-read-${slug}`, { api, routeKey, fn: fn.function }, this);
    }
    return { fn, sessionsTable: sessions };
  }

  /** Rule → target (2 retries within an hour, then the dead-letter queue), and what the target needs to run the job and dead-letter. */
  private createSchedule(name: string, args: ScheduledSyncArgs) {
    const rule = new aws.cloudwatch.EventRule(`${name}-schedule`, { scheduleExpression: args.schedule, description: `Runs the ${args.job} sync` }, { parent: this });
    const delivery = { retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 }, deadLetterConfig: { arn: this.deadLetterQueue.arn } };
    if (this.task) {
      // EventBridge calls ecs:RunTask as the task's events role; no resource policy is involved.
      new aws.cloudwatch.EventTarget(
        `${name}-schedule`,
        { rule: rule.name, arn: this.task.cluster.arn, roleArn: this.task.eventsRole.arn, ecsTarget: this.task.ecsTarget, ...delivery },
        { parent: this, dependsOn: [this.task.eventsPolicy] },
      );
    } else if (this.fn) {
      const fn = this.fn.function;
      new aws.cloudwatch.EventTarget(`${name}-schedule`, { rule: rule.name, arn: fn.arn, ...delivery }, { parent: this });
      new aws.lambda.Permission(
        `${name}-schedule`,
        { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
        { parent: this },
      );
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

/** How many times an EventBridge `rate(...)` expression fires per hour (cron: undefined). */
export { runsPerHour } from "../handlers/sync/schedule";
