import { CreateTableCommand, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import type { TableDefinition } from "../../handlers/shared/table-definition";

/** Creates a table from the same definition the Pulumi component uses; an existing table is left as is. */
export async function createTable(client: DynamoDBClient, tableName: string, def: TableDefinition): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: def.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
        KeySchema: [{ AttributeName: def.hashKey, KeyType: "HASH" }, ...(def.rangeKey ? [{ AttributeName: def.rangeKey, KeyType: "RANGE" as const }] : [])],
        GlobalSecondaryIndexes: def.globalSecondaryIndexes?.map((index) => ({
          IndexName: index.name,
          KeySchema: [{ AttributeName: index.hashKey, KeyType: "HASH" }, ...(index.rangeKey ? [{ AttributeName: index.rangeKey, KeyType: "RANGE" as const }] : [])],
          Projection: { ProjectionType: index.projection },
        })),
        StreamSpecification: def.stream ? { StreamEnabled: true, StreamViewType: def.stream } : undefined,
      }),
    );
    if (def.ttlAttribute) {
      await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true } }));
    }
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}
