import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { TableDefinition } from "../../handlers/shared/table-definition";
import { inventory } from "./inventory";

export interface DataTableArgs {
  /** The table's keys and indexes, shared with the handlers and local mode. Example: `messageTable`. */
  definition: TableDefinition;
  /** Deletion protection + point-in-time recovery (prod). Example: `true`. */
  protectData: boolean;
  /**
   * Holds only data whose loss nobody would notice (live WebSocket connections, which reconnect):
   * never protected, and tagged `ephemeral: "true"` so the policy pack's prod table rule knows it
   * is on purpose. Not for data that changes behaviour when lost, however short-lived (dedupe
   * records, sessions): those follow `protectData`. Example: `true`.
   */
  ephemeral?: boolean;
  /** Last-chance edits. Example: `(a) => { a.tableClass = "STANDARD_INFREQUENT_ACCESS"; }`. */
  transform?: (args: aws.dynamodb.TableArgs) => void;
}

/** An on-demand, KMS-encrypted DynamoDB table built from a shared TableDefinition. */
export function createDataTable(name: string, args: DataTableArgs, opts: pulumi.CustomResourceOptions): aws.dynamodb.Table {
  const def = args.definition;
  const tableArgs: aws.dynamodb.TableArgs = {
    billingMode: "PAY_PER_REQUEST",
    hashKey: def.hashKey,
    rangeKey: def.rangeKey,
    attributes: def.attributes.map((a) => ({ name: a.name, type: a.type })),
    globalSecondaryIndexes: def.globalSecondaryIndexes?.map((index) => ({
      name: index.name,
      projectionType: index.projection,
      keySchemas: [
        { attributeName: index.hashKey, keyType: "HASH" },
        ...(index.rangeKey ? [{ attributeName: index.rangeKey, keyType: "RANGE" }] : []),
      ],
    })),
    ttl: def.ttlAttribute ? { attributeName: def.ttlAttribute, enabled: true } : undefined,
    streamEnabled: def.stream ? true : undefined,
    streamViewType: def.stream,
    serverSideEncryption: { enabled: true },
    pointInTimeRecovery: { enabled: args.protectData && !args.ephemeral },
    deletionProtectionEnabled: args.protectData && !args.ephemeral,
    tags: args.ephemeral ? { ephemeral: "true" } : undefined,
  };
  args.transform?.(tableArgs);
  const table = new aws.dynamodb.Table(name, tableArgs, opts);
  inventory.tables.push({ name, table });
  return table;
}
