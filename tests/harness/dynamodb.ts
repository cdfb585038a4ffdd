import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import type { TestFn } from "ava";
import { randomUUID } from "node:crypto";
import type { TableDefinition } from "../../handlers/shared/table-definition";
import { startDynamoDbLocal, type DynamoDbLocal } from "../../local/emulators/dynamodb-local";
import { createTable } from "../../local/emulators/tables";
import { useLocalAws } from "../../local/emulators/aws-env";
import { startS3Local, type S3Local } from "../../local/emulators/s3-local";

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

/**
 * DynamoDB Local (and s3rver with `s3: true`) for one test file: started before its tests, the AWS
 * SDK pointed at them (useLocalAws), stopped after. Read `ddb` and `s3` inside tests and hooks.
 */
export function useLocalEmulators(test: TestFn, options: { s3?: boolean } = {}): { readonly ddb: DynamoDbLocal; readonly s3: S3Local } {
  const started: { ddb?: DynamoDbLocal; s3?: S3Local } = {};
  test.before(async () => {
    [started.ddb, started.s3] = await Promise.all([startDynamoDbLocal(), options.s3 ? startS3Local() : undefined]);
    useLocalAws({ dynamodb: started.ddb.endpoint, ...(started.s3 ? { s3: started.s3.endpoint } : {}) });
  });
  test.after.always(async () => {
    await Promise.all([started.ddb?.stop(), started.s3?.stop()]);
  });
  const need = <T>(value: T | undefined, what: string): T => value ?? (() => { throw new Error(`${what} is not running: use it inside a test or hook${what === "s3rver" ? ", and pass { s3: true }" : ""}`); })();
  return {
    get ddb() { return need(started.ddb, "DynamoDB Local"); },
    get s3() { return need(started.s3, "s3rver"); },
  };
}
