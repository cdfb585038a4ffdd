import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { forwarderDeps, forwarderHandler } from "../handlers/webhooks/forwarder";
import { ingestDeps, ingestHandler } from "../handlers/webhooks/ingest";
import { connectionDeps, connectionHandler } from "../handlers/webhooks/connections";
import { broadcastDeps, projectAndBroadcastHandler } from "../handlers/webhooks/live";
import { listMeetingsHandler, meetingEventsHandler, readDeps } from "../handlers/webhooks/read";
import { replayDeps, replayHandler } from "../handlers/webhooks/replay";
import { DEAD_LETTER_PREFIX, SPOOL_PREFIX } from "../handlers/webhooks/spool";
import { connectionsTable, meetingsTable, webhookEventsTable } from "../handlers/webhooks/tables";
import type { WebhookSourceName } from "../handlers/webhooks/sources";
import { webhookRoutes, type WebhookFunction } from "../handlers/webhooks/routes";
import { addLambdaRoute } from "./http-route";
import { createDeadLetterQueue } from "./queue";
import { DEFAULT_RUNTIME_PACKAGES, HandlerFunction, POWERTOOLS_PACKAGES, type Permission } from "./lambda";

/** Functions that validate nothing with zod carry only what they load (zod is most of an upload). */
const POWERTOOLS = POWERTOOLS_PACKAGES;
import { createPrivateBucket } from "./private-bucket";
import { createDataTable } from "./table";

export interface WebhookIngestArgs {
  /** The provider: its signature scheme, schema and idempotency key. Example: `"calendly"`. */
  source: WebhookSourceName;
  /** The HTTP API to add `POST /webhooks/<source>`, the replay route and the read routes to. Example: `messageApi.api`. */
  api: aws.apigatewayv2.Api;
  /** The provider's signing key (secret). Example: `config.webhooks.calendlySigningKey`. */
  signingKey: pulumi.Input<string>;
  /** Seconds a signature's timestamp may be off. Example: `180`. */
  toleranceSeconds: number;
  /** Bearer token for the on-demand replay route (secret). Example: `config.webhooks.replayToken`. */
  replayToken: pulumi.Input<string>;
  /** Where events are forwarded; unset = no forwarding. Example: `"https://app.example.com/hooks"`. */
  forwardUrl?: string;
  /** When the spool is replayed. Example: `"rate(5 minutes)"`. */
  replaySchedule: string;
  /** Deletion protection + PITR on tables, and a spool bucket that `pulumi destroy` will not empty. Example: `true` in prod. */
  protectData: boolean;
  /** Example: `14`. */
  logRetentionDays: number;
  /** WebSocket stage throttling. Example: `{ rateLimit: 50, burstLimit: 100 }`. */
  throttle: { rateLimit: number; burstLimit: number };
}

/** Stream consumers: retried this often, then the batch goes to the dead-letter queue. */
const STREAM_MAX_RETRIES = 5;

// The serialized handlers, at module level so each closure captures only its handler module.
const factories = {
  ingest: () => ingestHandler(ingestDeps("webhooks-ingest")),
  meetings: () => listMeetingsHandler(readDeps("webhooks-meetings")),
  history: () => meetingEventsHandler(readDeps("webhooks-history")),
  forwarder: () => forwarderHandler(forwarderDeps("webhooks-forwarder")),
  replay: () => replayHandler(replayDeps("webhooks-replay")),
  connection: () => connectionHandler(connectionDeps("webhooks-connection")),
  project: () => projectAndBroadcastHandler(broadcastDeps("webhooks-project")),
};

/**
 * Signed webhooks received, validated, stored once, forwarded with a durable spool, and pushed
 * live to browsers.
 *
 * Request path: `POST /webhooks/<source>` → ingest (verify, validate, one conditional put) →
 * 201/200. Everything else runs off the events table's stream: the projector merges each event
 * into the meetings table and pushes the result to WebSocket clients; the forwarder delivers
 * downstream or spools to S3. The replay drains the spool on a schedule and on demand. Each
 * function can touch only its own data: ingest cannot read meetings or the spool, the replay
 * cannot touch any table, the read routes cannot write.
 */
export class WebhookIngest extends pulumi.ComponentResource {
  readonly eventsTable: aws.dynamodb.Table;
  readonly meetingsTable: aws.dynamodb.Table;
  readonly connectionsTable: aws.dynamodb.Table;
  readonly signingKeyParameter: aws.ssm.Parameter;
  readonly replayTokenParameter: aws.ssm.Parameter;
  readonly spool?: ReturnType<typeof createPrivateBucket>;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly liveApi: aws.apigatewayv2.Api;
  readonly liveStage: aws.apigatewayv2.Stage;
  readonly replayRule?: aws.cloudwatch.EventRule;
  readonly functions: Record<string, HandlerFunction<any, any>> = {};
  /** `<api>/webhooks/<source>`: give this to the provider. */
  readonly webhookUrl: pulumi.Output<string>;
  /** `wss://…/live`: the live view. */
  readonly liveUrl: pulumi.Output<string>;

  private readonly name: string;
  private readonly args: WebhookIngestArgs;

  constructor(name: string, args: WebhookIngestArgs, opts?: pulumi.ComponentResourceOptions) {
    super("switchyard:webhooks:WebhookIngest", name, {}, opts);
    this.name = name;
    this.args = args;
    const parent = { parent: this };
    this.eventsTable = createDataTable(`${name}-events`, { definition: webhookEventsTable, protectData: args.protectData }, parent);
    this.meetingsTable = createDataTable(`${name}-meetings`, { definition: meetingsTable, protectData: args.protectData }, parent);
    this.connectionsTable = createDataTable(`${name}-connections`, { definition: connectionsTable, protectData: false, ephemeral: true }, parent);
    this.signingKeyParameter = this.createSecretParameter("signing-key", args.signingKey);
    this.replayTokenParameter = this.createSecretParameter("replay-token", args.replayToken);
    this.deadLetterQueue = createDeadLetterQueue(`${name}-dlq`, parent);

    this.createIngest();
    this.createReadRoutes();
    if (args.forwardUrl) {
      this.spool = createPrivateBucket(`${name}-spool`, { versioned: true, noncurrentVersionDays: 30, forceDestroy: !args.protectData }, parent);
      this.createForwarder(args.forwardUrl, this.spool.bucket);
      this.replayRule = this.createReplay(args.forwardUrl, this.spool.bucket);
    }
    [this.liveApi, this.liveStage] = this.createLiveApi();
    this.createProjector();

    this.webhookUrl = pulumi.interpolate`${args.api.apiEndpoint}/webhooks/${args.source}`;
    this.liveUrl = pulumi.interpolate`${this.liveApi.apiEndpoint}/${this.liveStage.name}`;
    this.registerOutputs({ webhookUrl: this.webhookUrl, liveUrl: this.liveUrl });
  }

  get nodes() {
    return {
      eventsTable: this.eventsTable,
      meetingsTable: this.meetingsTable,
      connectionsTable: this.connectionsTable,
      spool: this.spool,
      deadLetterQueue: this.deadLetterQueue,
      liveApi: this.liveApi,
      liveStage: this.liveStage,
      replayRule: this.replayRule,
      functions: this.functions,
    };
  }

  /** A secret as an SSM SecureString: the functions read it at run time, it is never in their environment. */
  private createSecretParameter(what: string, value: pulumi.Input<string>) {
    return new aws.ssm.Parameter(
      `${this.name}-${what}`,
      { name: `/switchyard/${pulumi.getStack()}/${this.name}/${what}`, type: "SecureString", value: pulumi.secret(value) },
      { parent: this },
    );
  }

  private fn(kind: string, factory: () => unknown, description: string, permissions: Permission[], environment: Record<string, pulumi.Input<string>>, packages = DEFAULT_RUNTIME_PACKAGES) {
    const fn = new HandlerFunction<any, any>(
      `${this.name}-${kind}`,
      { factory: factory as never, description, permissions, environment, logRetentionDays: this.args.logRetentionDays, packages },
      { parent: this },
    );
    this.functions[kind] = fn;
    return fn;
  }

  /** The HTTP API routes (from the shared route list) that `fn` serves. */
  private addRoutes(kind: WebhookFunction, fn: HandlerFunction<any, any>) {
    for (const route of webhookRoutes(this.args.source).filter((r) => r.fn === kind)) {
      addLambdaRoute(`${this.name}-${kind}`, { api: this.args.api, routeKey: `${route.method} ${route.path}`, fn: fn.function }, this);
    }
  }

  private tables() {
    return { EVENTS_TABLE: this.eventsTable.name, MEETINGS_TABLE: this.meetingsTable.name };
  }

  private createIngest() {
    const { source } = this.args;
    const fn = this.fn(
      "ingest",
      factories.ingest,
      `POST /webhooks/${source}`,
      [
        { actions: ["dynamodb:PutItem"], resources: [this.eventsTable.arn] },
        { actions: ["ssm:GetParameter"], resources: [this.signingKeyParameter.arn] },
      ],
      { EVENTS_TABLE: this.eventsTable.name, SOURCE: source, SIGNING_KEY_PARAMETER: this.signingKeyParameter.name, SIGNATURE_TOLERANCE_SECONDS: String(this.args.toleranceSeconds) },
      [...DEFAULT_RUNTIME_PACKAGES, "@aws-lambda-powertools/parameters/ssm"],
    );
    this.addRoutes("ingest", fn);
  }

  private createReadRoutes() {
    const meetings = this.fn("meetings", factories.meetings, "GET /meetings", [
      { actions: ["dynamodb:Query"], resources: [pulumi.interpolate`${this.meetingsTable.arn}/index/byStart`] },
    ], this.tables());
    const history = this.fn("history", factories.history, "GET /meetings/{id}/events", [
      { actions: ["dynamodb:GetItem"], resources: [this.meetingsTable.arn] },
      { actions: ["dynamodb:Query"], resources: [this.eventsTable.arn] },
    ], this.tables());
    this.addRoutes("meetings", meetings);
    this.addRoutes("history", history);
  }

  /** What a stream consumer's role needs to read the events stream (as SAM's DynamoDBStreamReadPolicy scopes it). */
  private streamRead(): Permission[] {
    return [
      { actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], resources: [this.eventsTable.streamArn] },
      // ListStreams has no resource type in IAM: only "*" grants it (policy/rules.ts allows exactly this).
      { actions: ["dynamodb:ListStreams"], resources: ["*"] },
      { actions: ["sqs:SendMessage"], resources: [this.deadLetterQueue.arn] },
    ];
  }

  /** New events only, in order, partial-batch retries, failures past the retry limit to the DLQ. */
  private consumeStream(kind: string, fn: HandlerFunction<any, any>) {
    return new aws.lambda.EventSourceMapping(
      `${this.name}-${kind}`,
      {
        eventSourceArn: this.eventsTable.streamArn,
        functionName: fn.function.arn,
        startingPosition: "TRIM_HORIZON",
        batchSize: 10,
        maximumRetryAttempts: STREAM_MAX_RETRIES,
        bisectBatchOnFunctionError: true,
        functionResponseTypes: ["ReportBatchItemFailures"],
        filterCriteria: { filters: [{ pattern: JSON.stringify({ eventName: ["INSERT"] }) }] },
        destinationConfig: { onFailure: { destinationArn: this.deadLetterQueue.arn } },
      },
      { parent: this, dependsOn: [fn.policy] },
    );
  }

  private createForwarder(forwardUrl: string, bucket: aws.s3.Bucket) {
    const fn = this.fn(
      "forwarder",
      factories.forwarder,
      "events stream → downstream, or the spool",
      [
        ...this.streamRead(),
        { actions: ["s3:PutObject"], resources: [pulumi.interpolate`${bucket.arn}/${SPOOL_PREFIX}*`, pulumi.interpolate`${bucket.arn}/${DEAD_LETTER_PREFIX}*`] },
      ],
      { FORWARD_URL: forwardUrl, SPOOL_BUCKET: bucket.bucket },
      [...POWERTOOLS, "got"],
    );
    this.consumeStream("forwarder", fn);
  }

  private createReplay(forwardUrl: string, bucket: aws.s3.Bucket) {
    const { source, replaySchedule } = this.args;
    const fn = this.fn(
      "replay",
      factories.replay,
      `spool → downstream (${replaySchedule}, and POST /webhooks/${source}/replay)`,
      [
        { actions: ["s3:ListBucket"], resources: [bucket.arn] },
        { actions: ["s3:GetObject", "s3:DeleteObject"], resources: [pulumi.interpolate`${bucket.arn}/${SPOOL_PREFIX}*`] },
        { actions: ["s3:PutObject"], resources: [pulumi.interpolate`${bucket.arn}/${DEAD_LETTER_PREFIX}*`] },
        { actions: ["ssm:GetParameter"], resources: [this.replayTokenParameter.arn] },
      ],
      { FORWARD_URL: forwardUrl, SPOOL_BUCKET: bucket.bucket, REPLAY_TOKEN_PARAMETER: this.replayTokenParameter.name },
      [...POWERTOOLS, "got", "@aws-lambda-powertools/parameters/ssm"],
    );
    this.addRoutes("replay", fn);
    const rule = new aws.cloudwatch.EventRule(`${this.name}-replay`, { scheduleExpression: replaySchedule, description: "Replays the webhook spool" }, { parent: this });
    new aws.cloudwatch.EventTarget(
      `${this.name}-replay`,
      { rule: rule.name, arn: fn.function.arn, retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 } },
      { parent: this },
    );
    new aws.lambda.Permission(
      `${this.name}-replay-schedule`,
      { action: "lambda:InvokeFunction", function: fn.function.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
      { parent: this },
    );
    return rule;
  }

  /** The live view's WebSocket API: `$connect`/`$disconnect` remember connections; nothing else is routed. */
  private createLiveApi(): [aws.apigatewayv2.Api, aws.apigatewayv2.Stage] {
    const ws = new aws.apigatewayv2.Api(`${this.name}-live`, { protocolType: "WEBSOCKET", routeSelectionExpression: "$request.body.action" }, { parent: this });
    const fn = this.fn(
      "connection",
      factories.connection,
      "WebSocket $connect / $disconnect",
      [{ actions: ["dynamodb:PutItem", "dynamodb:DeleteItem"], resources: [this.connectionsTable.arn] }],
      { CONNECTIONS_TABLE: this.connectionsTable.name },
      POWERTOOLS,
    );
    const integration = new aws.apigatewayv2.Integration(`${this.name}-live`, { apiId: ws.id, integrationType: "AWS_PROXY", integrationMethod: "POST", integrationUri: fn.function.invokeArn }, { parent: this });
    for (const routeKey of ["$connect", "$disconnect"]) {
      const slug = routeKey.slice(1);
      new aws.apigatewayv2.Route(`${this.name}-live-${slug}`, { apiId: ws.id, routeKey, target: pulumi.interpolate`integrations/${integration.id}` }, { parent: this });
      new aws.lambda.Permission(
        `${this.name}-live-${slug}`,
        { action: "lambda:InvokeFunction", function: fn.function.name, principal: "apigateway.amazonaws.com", sourceArn: pulumi.interpolate`${ws.executionArn}/*/${routeKey}` },
        { parent: this },
      );
    }
    const stage = new aws.apigatewayv2.Stage(
      `${this.name}-live`,
      {
        apiId: ws.id,
        name: "live",
        autoDeploy: true,
        defaultRouteSettings: { throttlingRateLimit: this.args.throttle.rateLimit, throttlingBurstLimit: this.args.throttle.burstLimit },
      },
      { parent: this },
    );
    return [ws, stage];
  }

  /** Meetings projection + live push, one stream consumer (see projectAndBroadcastHandler). */
  private createProjector() {
    const managementEndpoint = pulumi.interpolate`${this.liveApi.apiEndpoint}/${this.liveStage.name}`.apply((u) => u.replace(/^wss:/, "https:"));
    const fn = this.fn(
      "project",
      factories.project,
      "events stream → meetings table → live WebSocket clients",
      [
        ...this.streamRead(),
        { actions: ["dynamodb:GetItem", "dynamodb:PutItem"], resources: [this.meetingsTable.arn] },
        { actions: ["dynamodb:Scan", "dynamodb:DeleteItem"], resources: [this.connectionsTable.arn] },
        { actions: ["execute-api:ManageConnections"], resources: [pulumi.interpolate`${this.liveApi.executionArn}/${this.liveStage.name}/POST/@connections/*`] },
      ],
      { MEETINGS_TABLE: this.meetingsTable.name, CONNECTIONS_TABLE: this.connectionsTable.name, WS_MANAGEMENT_ENDPOINT: managementEndpoint },
      POWERTOOLS,
    );
    this.consumeStream("project", fn);
  }
}
