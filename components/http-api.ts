import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { apiCors } from "../handlers/shared/cors";
import { httpApiTopology } from "../handlers/shared/http-api-topology";
import { describeFunction } from "../handlers/shared/topology";
import { definedFunction } from "./defined-function";
import type { HandlerFunction } from "./lambda";
import { addLambdaRoute } from "./http-route";

export interface HttpApiArgs {
  /** Browser origins allowed by CORS; never `*`. Example: `["https://d111111abcdef8.cloudfront.net"]`. */
  corsOrigins: pulumi.Input<pulumi.Input<string>[]>;
  /** Stage-wide throttling in requests per second. Example: `{ rateLimit: 50, burstLimit: 100 }`. */
  throttle: { rateLimit: number; burstLimit: number };
  /** Retention of the access logs and the `$default` function's logs, in days. Example: `14`. */
  logRetentionDays: number;
  /**
   * The URN of the component these resources were children of before this one existed, so `pulumi up`
   * moves them instead of replacing them (a replaced API gets a new URL). Switchyard's own stacks pass
   * the MessageApi's; a new program leaves it unset. Example: `pulumi.createUrn("api", "switchyard:api:MessageApi")`.
   */
  formerParent?: pulumi.Input<string>;
  /** Last-chance edits of the underlying resources' args. Example: `{ stage: (a) => { a.description = "v2"; } }`. */
  transform?: {
    api?: (args: aws.apigatewayv2.ApiArgs) => void;
    stage?: (args: aws.apigatewayv2.StageArgs) => void;
  };
}

/**
 * The HTTP API (v2) every component hangs its routes on (`addLambdaRoute`): CORS for the given
 * origins only, the `$default` stage auto-deployed, throttled and access-logged as JSON, and a
 * `$default` route answering a problem+json 404 instead of API Gateway's bare `{"message":"Not Found"}`.
 */
export class HttpApi extends pulumi.ComponentResource {
  readonly api: aws.apigatewayv2.Api;
  readonly stage: aws.apigatewayv2.Stage;
  readonly accessLogGroup: aws.cloudwatch.LogGroup;
  readonly notFound: HandlerFunction<any, any>;
  /** Base URL of the API, no trailing slash. Example: `https://abc123.execute-api.us-west-2.amazonaws.com`. */
  readonly url: pulumi.Output<string>;

  private readonly childOpts: pulumi.CustomResourceOptions;

  constructor(name: string, args: HttpApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("switchyard:api:HttpApi", name, {}, opts);
    this.childOpts = { parent: this, ...(args.formerParent ? { aliases: [{ parent: args.formerParent }] } : {}) };
    this.notFound = this.createNotFound(name, args);
    this.api = this.createApi(name, args);
    this.accessLogGroup = this.createAccessLogGroup(name, args);
    this.stage = this.createStage(name, args);
    this.createDefaultRoute(name);
    this.url = this.api.apiEndpoint;
    this.registerOutputs({ url: this.url });
  }

  get nodes() {
    return { api: this.api, stage: this.stage, accessLogGroup: this.accessLogGroup, notFound: this.notFound };
  }

  private createNotFound(name: string, args: HttpApiArgs) {
    const fn = httpApiTopology.functions.notFound;
    return definedFunction(`${name}-not-found`, { definition: fn.definition, links: {}, description: describeFunction(fn), logRetentionDays: args.logRetentionDays }, this.childOpts);
  }

  private createApi(name: string, args: HttpApiArgs) {
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
    return new aws.apigatewayv2.Api(name, apiArgs, this.childOpts);
  }

  private createAccessLogGroup(name: string, args: HttpApiArgs) {
    return new aws.cloudwatch.LogGroup(`${name}-access`, { name: `/switchyard/${pulumi.getStack()}/${name}-access`, retentionInDays: args.logRetentionDays }, this.childOpts);
  }

  /** The `$default` stage: auto-deployed, throttled, access-logged as JSON. */
  private createStage(name: string, args: HttpApiArgs) {
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
    return new aws.apigatewayv2.Stage(name, stageArgs, this.childOpts);
  }

  private createDefaultRoute(name: string) {
    addLambdaRoute(`${name}-default`, { api: this.api, routeKey: "$default", fn: this.notFound.function }, this, this.childOpts.aliases);
  }
}
