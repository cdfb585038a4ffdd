import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { randomUUID } from "node:crypto";
import type { TableDefinition } from "../../handlers/shared/table-definition";
import { startDynamoDbLocal, type DynamoDbLocal } from "../../local/emulators/dynamodb-local";
import { createTable } from "../../local/emulators/tables";

export { startDynamoDbLocal, type DynamoDbLocal };

/** A fresh table with a unique name (DynamoDB Local wants at least 3 characters). */
export async function freshTable(ddb: DynamoDbLocal, def: TableDefinition, prefix = "test"): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await createTable(ddb.client, name, def);
  return name;
}

export async function dropTable(ddb: DynamoDbLocal, name: string): Promise<void> {
  await ddb.client.send(new DeleteTableCommand({ TableName: name }));
}
