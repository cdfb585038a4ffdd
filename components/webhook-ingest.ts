import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describeFunction, type TopologyFunction } from "../handlers/shared/topology";
import type { WebhookSourceName } from "../handlers/webhooks/sources";
import { webhookTopology, type WebhookTopology } from "../handlers/webhooks/topology";
import { definedFunction, linkBucket, linkQueue, linkTable, type FunctionLinks } from "./defined-function";
import { addLambdaRoute } from "./http-route";
import type { HandlerFunction } from "./lambda";
import { createPrivateBucket } from "./shared/private-bucket";
import { createDeadLetterQueue } from "./shared/queue";
import { scheduledInvocation } from "./shared/scheduled-invocation";
import { secretParameter } from "./shared/secret-parameter";
import { tableStreamConsumer } from "./shared/table-stream-consumer";
import { createDataTable } from "./shared/table";

type WebhookFunctionName = keyof WebhookTopology["functions"];

export interface WebhookIngestArgs {
  /** The provider: its signature scheme, schema and idempotency key. Example: `"calendly"`. */
  source: WebhookSourceName;
  /** The HTTP API to add `POST /webhooks/<source>`, the replay route and the read routes to. Example: `messageApi.api`. */
  api: aws.apigatewayv2.Api;
  /** The provider's signing key (secret). Example: `config.webhooks.calendlySigningKey`. */
  signingKey: pulumi.Input<string>;
  /** Seconds a signature's timestamp may be off. Example: `180`. */
  toleranceSeconds: number;
  /** Bearer token for the on-demand replay route (secret); needed with `forwardUrl`, otherwise its parameter is made only when given. Example: `config.webhooks.replayToken`. */
  replayToken?: pulumi.Input<string>;
  /** Where events are forwarded; unset = no forwarding. Example: `"https://app.example.com/hooks"`. */
  forwardUrl?: string;
  /** When the spool is replayed (with `forwardUrl`). Example: `"rate(5 minutes)"`. */
  replaySchedule?: string;
  /** Deletion protection + PITR on the events and meetings tables (not the live connections), and a spool bucket that `pulumi destroy` will not empty. Example: `true` in prod. */
  protectData: boolean;
  /** Example: `14`. */
  logRetentionDays: number;
  /** WebSocket stage throttling. Example: `{ rateLimit: 50, burstLimit: 100 }`. */
  throttle: { rateLimit: number; burstLimit: number };
}

/** Stream consumers: retried this often, then the batch goes to the dead-letter queue. */
const STREAM_MAX_RETRIES = 5;

/** EventBridge rules' descriptions by function (inputs of the rules: kept as they are). */
const SCHEDULE_DESCRIPTIONS: Partial<Record<WebhookFunctionName, string>> = { replay: "Replays the webhook spool" };

/**
 * Signed webhooks received, validated, stored once, forwarded with a durable spool, and pushed
 * live to browsers.
 *
 * Request path: `POST /webhooks/<source>` → ingest (verify, validate, one conditional put) →
 * 201/200. Everything else runs off the events table's stream: the projector merges each event
 * into the meetings table and pushes the result to WebSocket clients; the forwarder delivers
 * downstream or spools to S3. The replay drains the spool on a schedule and on demand. What each
 * function may touch is in its definition (handlers/webhooks/functions.ts); what runs and what
 * triggers it, in the topology (handlers/webhooks/topology.ts), which local mode runs too.
 */
export class WebhookIngest extends pulumi.ComponentResource {
  /** Every accepted event once; its stream (NEW_IMAGE) feeds the projector and forwarder, and consumers elsewhere (paid events). */
  readonly eventsTable: aws.dynamodb.Table;
  /** Only for a source whose events are about meetings (WebhookSource.meetings), as the live API below. */
  readonly meetingsTable?: aws.dynamodb.Table;
  readonly connectionsTable?: aws.dynamodb.Table;
  readonly signingKeyParameter: aws.ssm.Parameter;
  readonly replayTokenParameter?: aws.ssm.Parameter;
  readonly spool?: ReturnType<typeof createPrivateBucket>;
  /** The stream consumers' dead letters; only when the source has one (the projector, the forwarder). */
  readonly deadLetterQueue?: aws.sqs.Queue;
  readonly liveApi?: aws.apigatewayv2.Api;
  readonly liveStage?: aws.apigatewayv2.Stage;
  readonly replayRule?: aws.cloudwatch.EventRule;
  readonly functions: Record<string, HandlerFunction<any, any>> = {};
  /** `<api>/webhooks/<source>`: give this to the provider. */
  readonly webhookUrl: pulumi.Output<string>;
  /** `wss://…/live`: the live view (a source with meetings only). */
  readonly liveUrl?: pulumi.Output<string>;

  private readonly name: string;
  private readonly args: WebhookIngestArgs;
  private readonly topology: WebhookTopology;

  constructor(name: string, args: WebhookIngestArgs, opts?: pulumi.ComponentResourceOptions) {
    super("switchyard:webhooks:WebhookIngest", name, {}, opts);
    this.name = name;
    this.args = args;
    this.topology = webhookTopology(args.source);
    const parent = { parent: this };
    const { tables } = this.topology;
    this.eventsTable = createDataTable(`${name}-events`, { definition: tables.events, protectData: args.protectData }, parent);
    if (tables.meetings) this.meetingsTable = createDataTable(`${name}-meetings`, { definition: tables.meetings, protectData: args.protectData }, parent);
    // Live WebSocket connections only: a lost table drops the open live views, which reconnect and
    // are registered again; nothing else reads it. So, unlike every other table, never protected
    // (ephemeral: the policy pack's prod rule exempts it; docs/operations.md, "Tables").
    if (tables.connections) this.connectionsTable = createDataTable(`${name}-connections`, { definition: tables.connections, protectData: false, ephemeral: true }, parent);
    this.signingKeyParameter = secretParameter({ component: name, key: "signing-key", value: args.signingKey }, parent);
    if (args.forwardUrl && (!args.replayToken || !args.replaySchedule)) throw new Error(`${name}: forwarding (forwardUrl) needs replayToken and replaySchedule`);
    if (args.replayToken !== undefined) this.replayTokenParameter = secretParameter({ component: name, key: "replay-token", value: args.replayToken }, parent);
    // The functions this stack gets: a `when` setting unset leaves one out (no forwarding, no forwarder).
    const settings = this.settings();
    const present = (Object.entries(this.topology.functions) as [WebhookFunctionName, TopologyFunction | undefined][]).filter(
      (entry): entry is [WebhookFunctionName, TopologyFunction] => entry[1] !== undefined && (!entry[1].when || Boolean(settings[entry[1].when])),
    );
    if (present.some(([, fn]) => fn.stream)) this.deadLetterQueue = createDeadLetterQueue(`${name}-dlq`, parent);
    if (args.forwardUrl) {
      this.spool = createPrivateBucket(`${name}-spool`, { versioned: true, noncurrentVersionDays: 30, forceDestroy: !args.protectData }, parent);
    }
    // The live view exists for a source whose topology has a WebSocket function (the projector's clients).
    if (present.some(([, fn]) => fn.websocket)) [this.liveApi, this.liveStage] = this.createLiveApi();

    const links = this.links();
    for (const [kind, fn] of present) {
      const created = definedFunction(
        `${name}-${kind}`,
        { definition: fn.definition, links, description: this.describe(fn, links), logRetentionDays: args.logRetentionDays },
        parent,
      );
      this.functions[kind] = created;
      for (const routeKey of fn.routes ?? []) addLambdaRoute(`${name}-${kind}`, { api: args.api, routeKey, fn: created.function }, this);
      if (fn.stream) {
        tableStreamConsumer(
          `${name}-${kind}`,
          { table: this.table(fn.stream), fn: created.function, policy: created.policy, deadLetterArn: this.deadLetterQueue!.arn, maxRetries: STREAM_MAX_RETRIES },
          parent,
        );
      }
      if (fn.schedule) {
        const { rule } = scheduledInvocation(
          `${name}-${kind}`,
          { schedule: links.settings![fn.schedule]!, description: SCHEDULE_DESCRIPTIONS[kind] ?? `Runs ${name}-${kind}`, fn: created.function, permissionName: `${name}-${kind}-schedule` },
          parent,
        );
        if (kind === "replay") this.replayRule = rule;
      }
      if (fn.websocket) this.serveWebSocket(fn.websocket, created);
    }

    this.webhookUrl = pulumi.interpolate`${args.api.apiEndpoint}/webhooks/${args.source}`;
    if (this.liveApi && this.liveStage) this.liveUrl = pulumi.interpolate`${this.liveApi.apiEndpoint}/${this.liveStage.name}`;
    this.registerOutputs({ webhookUrl: this.webhookUrl, ...(this.liveUrl ? { liveUrl: this.liveUrl } : {}) });
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

  /** What the definitions' logical names (handlers/webhooks/functions.ts) refer to here. */
  private links(): FunctionLinks {
    // The projector posts to connections through the stage's management endpoint (https, not wss).
    const live = (api: aws.apigatewayv2.Api, stage: aws.apigatewayv2.Stage) => ({
      value: pulumi.interpolate`${api.apiEndpoint}/${stage.name}`.apply((u) => u.replace(/^wss:/, "https:")),
      arn: pulumi.interpolate`${api.executionArn}/${stage.name}`,
    });
    return {
      resources: {
        events: linkTable(this.eventsTable),
        ...(this.meetingsTable ? { meetings: linkTable(this.meetingsTable) } : {}),
        ...(this.connectionsTable ? { connections: linkTable(this.connectionsTable) } : {}),
        ...(this.deadLetterQueue ? { deadLetters: linkQueue(this.deadLetterQueue) } : {}),
        ...(this.liveApi && this.liveStage ? { live: live(this.liveApi, this.liveStage) } : {}),
        ...(this.spool ? { spool: linkBucket(this.spool.bucket) } : {}),
      },
      secrets: { signingKey: this.signingKeyParameter, ...(this.replayTokenParameter ? { replayToken: this.replayTokenParameter } : {}) },
      settings: this.settings(),
    };
  }

  /** The definitions' settings (handlers/webhooks/functions.ts); unset ones are absent. */
  private settings(): Record<string, string | undefined> {
    return {
      source: this.args.source,
      toleranceSeconds: String(this.args.toleranceSeconds),
      forwardUrl: this.args.forwardUrl,
      replaySchedule: this.args.replaySchedule,
    };
  }

  /** The console description: a scheduled function's also says when it runs. */
  private describe(fn: TopologyFunction, links: FunctionLinks): string {
    if (!fn.schedule) return describeFunction(fn);
    const routes = fn.routes?.length ? `, and ${fn.routes.join(", ")}` : "";
    return `${fn.description} (${links.settings![fn.schedule]}${routes})`;
  }

  private table(logical: string): aws.dynamodb.Table {
    const tables: Record<string, aws.dynamodb.Table | undefined> = { events: this.eventsTable, meetings: this.meetingsTable, connections: this.connectionsTable };
    return tables[logical]!;
  }

  /** The live view's WebSocket API: only the routes the topology names are routed (`$connect`/`$disconnect`). */
  private createLiveApi(): [aws.apigatewayv2.Api, aws.apigatewayv2.Stage] {
    const ws = new aws.apigatewayv2.Api(`${this.name}-live`, { protocolType: "WEBSOCKET", routeSelectionExpression: "$request.body.action" }, { parent: this });
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

  /** One integration for the function, a route and an invoke permission per route key. */
  private serveWebSocket(routeKeys: readonly string[], fn: HandlerFunction<any, any>) {
    // Named after the API, not the function: one function serves the live view's routes.
    const integration = new aws.apigatewayv2.Integration(
      `${this.name}-live`,
      { apiId: this.liveApi!.id, integrationType: "AWS_PROXY", integrationMethod: "POST", integrationUri: fn.function.invokeArn },
      { parent: this },
    );
    for (const routeKey of routeKeys) {
      const slug = routeKey.slice(1);
      new aws.apigatewayv2.Route(`${this.name}-live-${slug}`, { apiId: this.liveApi!.id, routeKey, target: pulumi.interpolate`integrations/${integration.id}` }, { parent: this });
      new aws.lambda.Permission(
        `${this.name}-live-${slug}`,
        { action: "lambda:InvokeFunction", function: fn.function.name, principal: "apigateway.amazonaws.com", sourceArn: pulumi.interpolate`${this.liveApi!.executionArn}/*/${routeKey}` },
        { parent: this },
      );
    }
  }
}
