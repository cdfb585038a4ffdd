/**
 * A DynamoDB table's shape as plain data: the Pulumi components turn it into `aws.dynamodb.Table`
 * args and local mode into a CreateTable call, so the cloud and local tables cannot drift apart.
 */
export interface TableDefinition {
  /** Partition key attribute. */
  hashKey: string;
  /** Sort key attribute, if any. */
  rangeKey?: string;
  /** Every key attribute of the table and its indexes, with its DynamoDB scalar type. */
  attributes: { name: string; type: "S" | "N" | "B" }[];
  globalSecondaryIndexes?: { name: string; hashKey: string; rangeKey?: string; projection: "ALL" | "KEYS_ONLY" }[];
  /** Attribute holding an epoch-seconds expiry, if items expire. */
  ttlAttribute?: string;
  /**
   * Stream view type, when the table's changes feed a consumer (a Lambda event source mapping; in
   * local mode local/emulators/dynamodb-stream-poller.ts); no stream when omitted.
   */
  stream?: "NEW_AND_OLD_IMAGES" | "NEW_IMAGE" | "KEYS_ONLY";
}
