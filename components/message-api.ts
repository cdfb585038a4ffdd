import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { apiCors } from "../handlers/shared/cors";
import { messageTopology } from "../handlers/messages/topology";
import { describeFunction, kebab } from "../handlers/shared/topology";
import { definedFunction, linkTable } from "./defined-function";
import type { HandlerFunction } from "./lambda";
import { addLambdaRoute } from "./http-route";
import { createDataTable } from "./table";

type MessageFunction = keyof typeof messageTopology.functions;

export interface MessageApiArgs {
  /** Browser origins allowed by CORS; never `*`. Example: `["https://d111111abcdef8.cloudfront.net"]`. */
  corsOrigins: pulumi.Input<pulumi.Input<string>[]>;
  /** Stage-wide throttling in requests per second. Example: `{ rateLimit: 50, burstLimit: 100 }`. */
  throttle: { rateLimit: number; burstLimit: number };
  /** Deletion protection and point-in-time recovery on the table. Example: `true` in prod. */
  protectData: boolean;
  /** Retention of function and access logs, in days. Example: `14`. */
  logRetentionDays: number;
  /** Last-chance edits of the underlying resources' args. */
  transform?: {
    table?: (args: aws.dynamodb.TableArgs) => void;
    api?: (args: aws.apigatewayv2.ApiArgs) => void;
    stage?: (args: aws.apigatewayv2.StageArgs) => void;
  };
}

/**
 * The message REST API: an HTTP API (v2) with a DynamoDB message store behind it.
 *
 * One function per route rather than one for the API: each gets exactly the table actions its
 * route needs (the reader cannot write, the writer cannot query), its own metrics and alarms, and
 * its own concurrency; the cost is a cold start per route, which at this size is a few hundred ms
 * once in a while, and nothing at idle. Later components add their routes to `api` with
 * `addLambdaRoute`.
 */
export class MessageApi extends pulumi.ComponentResource {
  readonly api: aws.apigatewayv2.Api;
  readonly stage: aws.apigatewayv2.Stage;
  readonly table: aws.dynamodb.Table;
  readonly accessLogGroup: aws.cloudwatch.LogGroup;
  readonly functions: Record<MessageFunction, HandlerFunction<any, any>>;
  /** Base URL of the API, no trailing slash. */
  readonly url: pulumi.Output<string>;
  /** `<url>/messages`. */
  readonly messagesUrl: pulumi.Output<string>;

  constructor(name: string, args: MessageApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("switchyard:api:MessageApi", name, {}, opts);
    this.table = createDataTable(`${name}-messages`, { definition: messageTopology.tables.messages, protectData: args.protectData, transform: args.transform?.table }, { parent: this });
    this.functions = this.createFunctions(name, args);
    this.api = this.createApi(name, args);
    this.accessLogGroup = this.createAccessLogGroup(name, args);
    this.stage = this.createStage(name, args);
    this.createRoutes(name);
    this.url = this.api.apiEndpoint;
    this.messagesUrl = pulumi.interpolate`${this.api.apiEndpoint}/messages`;
    this.registerOutputs({ url: this.url, messagesUrl: this.messagesUrl, tableName: this.table.name });
  }

  get nodes() {
    return { api: this.api, stage: this.stage, table: this.table, accessLogGroup: this.accessLogGroup, functions: this.functions };
  }

  /** One function per entry of the topology (handlers/messages/topology.ts), its grants resolved against the table. */
  private createFunctions(name: string, args: MessageApiArgs) {
    const links = { resources: { messages: linkTable(this.table) } };
    const entries = Object.entries(messageTopology.functions).map(
      ([kind, fn]) =>
        [kind, definedFunction(`${name}-${kebab(kind)}`, { definition: fn.definition, links, description: describeFunction(fn), logRetentionDays: args.logRetentionDays }, { parent: this })] as const,
    );
    return Object.fromEntries(entries) as Record<MessageFunction, HandlerFunction<any, any>>;
  }

  private createApi(name: string, args: MessageApiArgs) {
    const apiArgs: aws.apigatewayv2.ApiArgs = {
      protocolType: "HTTP",
      description: `Switchyard ${pulumi.getStack()} HTTP API`,
      corsConfiguration: {
        allowOrigins: args.corsOrigins,
        allowMethods: [...apiCors.allowMethods],
        allowHeaders: [...apiCors.allowHeaders],
        exposeHeaders: [...apiCors.exposeHeaders],
        maxAge: apiCors.maxAgeSeconds,
        allowCredentials: apiCors.allowCredentials,
      },
    };
    args.transform?.api?.(apiArgs);
    return new aws.apigatewayv2.Api(name, apiArgs, { parent: this });
  }

  private createAccessLogGroup(name: string, args: MessageApiArgs) {
    return new aws.cloudwatch.LogGroup(
      `${name}-access`,
      { name: `/switchyard/${pulumi.getStack()}/${name}-access`, retentionInDays: args.logRetentionDays },
      { parent: this },
    );
  }

  /** The `$default` stage: auto-deployed, throttled, access-logged as JSON. */
  private createStage(name: string, args: MessageApiArgs) {
    const stageArgs: aws.apigatewayv2.StageArgs = {
      apiId: this.api.id,
      name: "$default",
      autoDeploy: true,
      defaultRouteSettings: { throttlingRateLimit: args.throttle.rateLimit, throttlingBurstLimit: args.throttle.burstLimit },
      accessLogSettings: {
        destinationArn: this.accessLogGroup.arn,
        format: JSON.stringify({
          requestId: "$context.requestId",
          routeKey: "$context.routeKey",
          status: "$context.status",
          latencyMs: "$context.responseLatency",
          integrationLatencyMs: "$context.integrationLatency",
          ip: "$context.identity.sourceIp",
          error: "$context.integrationErrorMessage",
        }),
      },
    };
    args.transform?.stage?.(stageArgs);
    return new aws.apigatewayv2.Stage(name, stageArgs, { parent: this });
  }

  private createRoutes(name: string) {
    for (const [kind, fn] of Object.entries(messageTopology.functions) as [MessageFunction, (typeof messageTopology.functions)[MessageFunction]][]) {
      for (const routeKey of fn.routes) {
        const slug = routeKey === "$default" ? "default" : routeKey.replace(" ", "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/-+$/, "");
        addLambdaRoute(`${name}-${slug}`, { api: this.api, routeKey, fn: this.functions[kind].function }, this);
      }
    }
  }
}
