import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { messageTopology } from "../handlers/messages/topology";
import { describeFunction, kebab } from "../handlers/shared/topology";
import { definedFunction, linkTable } from "./defined-function";
import type { HandlerFunction } from "./lambda";
import { addLambdaRoute } from "./http-route";
import { createDataTable } from "./shared/table";

type MessageFunction = keyof typeof messageTopology.functions;

export interface MessageApiArgs {
  /** The HTTP API to put `/messages` on. Example: `httpApi.api`. */
  api: aws.apigatewayv2.Api;
  /** Deletion protection and point-in-time recovery on the table. Example: `true` in prod. */
  protectData: boolean;
  /** Retention of function logs, in days. Example: `14`. */
  logRetentionDays: number;
  /** Last-chance edits of the underlying resources' args. Example: `{ table: (a) => { a.tableClass = "STANDARD_INFREQUENT_ACCESS"; } }`. */
  transform?: {
    table?: (args: aws.dynamodb.TableArgs) => void;
  };
}

/**
 * The message REST API on a shared HTTP API: a DynamoDB message store and one function per route
 * (handlers/messages/topology.ts). One function per route rather than one for the API: each gets
 * exactly the table actions its route needs (the reader cannot write, the writer cannot query),
 * its own metrics and alarms, and its own concurrency; the cost is a cold start per route, which
 * at this size is a few hundred ms once in a while, and nothing at idle.
 */
export class MessageApi extends pulumi.ComponentResource {
  /** The HTTP API the routes are on (the one given). */
  readonly api: aws.apigatewayv2.Api;
  readonly table: aws.dynamodb.Table;
  readonly functions: Record<MessageFunction, HandlerFunction<any, any>>;
  /** Base URL of the API the routes are on, no trailing slash. */
  readonly url: pulumi.Output<string>;
  /** `<api>/messages`. */
  readonly messagesUrl: pulumi.Output<string>;

  constructor(name: string, args: MessageApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("switchyard:api:MessageApi", name, {}, opts);
    this.api = args.api;
    this.table = createDataTable(`${name}-messages`, { definition: messageTopology.tables.messages, protectData: args.protectData, transform: args.transform?.table }, { parent: this });
    this.functions = this.createFunctions(name, args);
    this.createRoutes(name);
    this.url = args.api.apiEndpoint;
    this.messagesUrl = pulumi.interpolate`${args.api.apiEndpoint}/messages`;
    this.registerOutputs({ messagesUrl: this.messagesUrl, tableName: this.table.name });
  }

  get nodes() {
    return { table: this.table, functions: this.functions };
  }

  /** One function per entry of the topology, its grants resolved against the table. */
  private createFunctions(name: string, args: MessageApiArgs) {
    const links = { resources: { messages: linkTable(this.table) } };
    const entries = Object.entries(messageTopology.functions).map(
      ([kind, fn]) =>
        [kind, definedFunction(`${name}-${kebab(kind)}`, { definition: fn.definition, links, description: describeFunction(fn), logRetentionDays: args.logRetentionDays }, { parent: this })] as const,
    );
    return Object.fromEntries(entries) as Record<MessageFunction, HandlerFunction<any, any>>;
  }

  private createRoutes(name: string) {
    for (const [kind, fn] of Object.entries(messageTopology.functions) as [MessageFunction, (typeof messageTopology.functions)[MessageFunction]][]) {
      for (const routeKey of fn.routes) {
        const slug = routeKey.replace(" ", "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/-+$/, "");
        addLambdaRoute(`${name}-${slug}`, { api: this.api, routeKey, fn: this.functions[kind].function }, this);
      }
    }
  }
}
