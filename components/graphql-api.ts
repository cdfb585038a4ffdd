import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { graphqlTopology } from "../handlers/graphql/topology";
import { describeFunction } from "../handlers/shared/topology";
import { definedFunction, linkBucket, linkTable, type FunctionLinks } from "./defined-function";
import { addLambdaRoute } from "./http-route";
import type { HandlerFunction } from "./lambda";

export interface GraphqlApiArgs {
  /** The shared HTTP API to put `POST /graphql` and `GET /graphql` on. Example: `messages.api`. */
  api: aws.apigatewayv2.Api;
  /**
   * What the HTTP API's JWT authorizer checks, from the same place: the function verifies the
   * same tokens itself (public fields need none, and an authorizer cannot be optional).
   * Example: `events.jwt`.
   */
  jwt: { issuer: pulumi.Input<string>; audiences: pulumi.Input<pulumi.Input<string>[]> };
  /** The EventsApi's events table, media bucket (presigned GETs) and the key of videos' stream URLs. Example: `{ table: events.eventsTable, media: events.media.bucket, videoStreamKey: events.videoStreamKeyParameter }`. */
  events: { table: aws.dynamodb.Table; media: aws.s3.Bucket; videoStreamKey: aws.ssm.Parameter };
  /** The MessageApi's table. Example: `messages.table`. */
  messages: aws.dynamodb.Table;
  /** The Calendly WebhookIngest's meetings table. Example: `calendly.meetingsTable`. */
  meetings: aws.dynamodb.Table;
  /** The run-state table of each sync job the stack runs, by job. Example: `{ gists: syncs.gists.stateTable }`. */
  syncStates?: Record<string, aws.dynamodb.Table>;
  /** Example: `14`. */
  logRetentionDays: number;
}

/**
 * The GraphQL layer (issue #19): one function behind `POST /graphql` (any query, under the limits)
 * and `GET /graphql` (persisted queries, cacheable) on the shared HTTP API, composing the events,
 * invitations, messages, meetings and sync status from the other components' tables through the
 * same store modules as their REST routes. It reads only: its role may get and query those tables
 * (their indexes it reads by name) and get media objects for presigned URLs, nothing else.
 */
export class GraphqlApi extends pulumi.ComponentResource {
  readonly fn: HandlerFunction<any, any>;
  readonly routes: ReturnType<typeof addLambdaRoute>[] = [];

  constructor(name: string, args: GraphqlApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("switchyard:graphql:GraphqlApi", name, {}, opts);
    const { graphql } = graphqlTopology.functions;
    const links: FunctionLinks = {
      resources: {
        events: linkTable(args.events.table),
        media: linkBucket(args.events.media),
        messages: linkTable(args.messages),
        meetings: linkTable(args.meetings),
        ...Object.fromEntries(Object.entries(args.syncStates ?? {}).map(([job, table]) => [`${job}SyncState`, linkTable(table)])),
      },
      secrets: { videoStreamKey: args.events.videoStreamKey },
      settings: { jwtIssuer: args.jwt.issuer, jwtAudience: pulumi.output(args.jwt.audiences).apply((a) => a.join(",")), apiUrl: args.api.apiEndpoint },
    };
    this.fn = definedFunction(name, { definition: graphql.definition, links, description: describeFunction(graphql), logRetentionDays: args.logRetentionDays, timeout: graphql.timeoutSeconds }, { parent: this });
    for (const routeKey of graphql.routes) {
      this.routes.push(addLambdaRoute(`${name}-${routeKey.split(" ")[0]!.toLowerCase()}`, { api: args.api, routeKey, fn: this.fn.function }, this));
    }
    this.registerOutputs({ functionName: this.fn.function.name });
  }
}
