// The local DynamoDB Streams event source mapping against DynamoDB Local: order, batching, retries,
// ReportBatchItemFailures, the on-failure path, idle() and stop(), and the Lambda event shape.
import test, { type ExecutionContext } from "ava";
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { CreateTableCommand, DeleteItemCommand, DescribeTableCommand, PutItemCommand, UpdateItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { TableDefinition } from "../../handlers/shared/table-definition";
import { startStreamPoller, type StreamPoller, type StreamPollerOptions } from "../../local/emulators/dynamodb-stream-poller";
import { startDynamoDbLocal, type DynamoDbLocal } from "../../local/emulators/dynamodb-local";
import { createTable } from "../../local/emulators/tables";

const streamedTable: TableDefinition = { hashKey: "pk", attributes: [{ name: "pk", type: "S" }], stream: "NEW_AND_OLD_IMAGES" };

let ddb: DynamoDbLocal;
test.before(async () => {
  ddb = await startDynamoDbLocal();
});
test.after.always(async () => ddb?.stop());

/** A fresh table with a stream, made by createTable from a TableDefinition as local mode makes it. */
async function freshTable(): Promise<string> {
  const name = `stream-${randomUUID().slice(0, 8)}`;
  await createTable(ddb.client, name, streamedTable);
  return name;
}

async function putItems(table: string, from: number, count: number, extra: Record<string, AttributeValue> = {}): Promise<void> {
  for (let n = from; n < from + count; n++) {
    await ddb.client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: `item-${n}` }, n: { N: String(n) }, ...extra } }));
  }
}

/** The `n` attribute of each record's new image: which writes a batch carried, in order. */
const numbers = (records: DynamoDBRecord[]) => records.map((r) => Number(r.dynamodb!.NewImage!.n!.N));

type Handler = StreamPollerOptions["handler"];

/** A poller over `table` that records every invocation's records and is stopped after the test. */
async function poll(t: ExecutionContext, table: string, handler: Handler = async () => {}, options: Partial<StreamPollerOptions> = {}) {
  const invocations: DynamoDBRecord[][] = [];
  const failures: { records: DynamoDBRecord[]; error: unknown }[] = [];
  const poller: StreamPoller = await startStreamPoller({
    client: ddb.client,
    endpoint: ddb.endpoint,
    tableName: table,
    handler: async (event: DynamoDBStreamEvent) => {
      invocations.push(event.Records);
      return handler(event);
    },
    onFailure: (records, error) => {
      failures.push({ records, error });
    },
    ...options,
  });
  t.teardown(() => poller.stop());
  return { poller, invocations, failures };
}

test("25 writes are delivered once each, in order, in batches of at most batchSize, with their new images", async (t) => {
  const table = await freshTable();
  await putItems(table, 0, 15); // before the poller starts: TRIM_HORIZON delivers them too
  const { poller, invocations, failures } = await poll(t, table, undefined, { batchSize: 10 });
  await putItems(table, 15, 10);
  await poller.idle();

  t.is(invocations[0]?.length, 10);
  t.true(invocations.every((batch) => batch.length >= 1 && batch.length <= 10), `batch sizes ${invocations.map((b) => b.length)}`);
  const records = invocations.flat();
  t.deepEqual(numbers(records), Array.from({ length: 25 }, (_, n) => n));
  t.is(new Set(records.map((r) => r.eventID)).size, 25);
  const sequence = records.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
  t.true(sequence.every((s, i) => i === 0 || s > sequence[i - 1]!));

  const { Table } = await ddb.client.send(new DescribeTableCommand({ TableName: table }));
  t.is(poller.streamArn, Table!.LatestStreamArn!);
  for (const record of records) {
    t.like(record, { eventName: "INSERT", eventSource: "aws:dynamodb", eventSourceARN: poller.streamArn, awsRegion: "us-east-1", eventVersion: "1.1" });
    t.like(record.dynamodb, { StreamViewType: "NEW_AND_OLD_IMAGES", Keys: { pk: record.dynamodb!.NewImage!.pk! } });
    t.false("OldImage" in record.dynamodb!);
    const seconds = record.dynamodb!.ApproximateCreationDateTime!;
    t.true(Math.abs(seconds - Date.now() / 1000) < 120, `ApproximateCreationDateTime ${seconds} is epoch seconds`);
  }
  t.deepEqual(failures, []);
});

test("MODIFY and REMOVE carry old images; binary values arrive base64-encoded as in Lambda", async (t) => {
  const table = await freshTable();
  const { poller, invocations } = await poll(t, table);
  const bytes = Buffer.from([0, 1, 2, 250]);
  await ddb.client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "a" }, blob: { B: bytes }, nested: { M: { list: { L: [{ B: bytes }, { N: "1" }] } } } } }));
  await ddb.client.send(new UpdateItemCommand({ TableName: table, Key: { pk: { S: "a" } }, UpdateExpression: "SET v = :v", ExpressionAttributeValues: { ":v": { S: "two" } } }));
  await ddb.client.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: "a" } } }));
  await poller.idle();

  const [insert, modify, remove] = invocations.flat();
  const base64 = bytes.toString("base64");
  t.deepEqual(insert?.dynamodb?.NewImage, { pk: { S: "a" }, blob: { B: base64 }, nested: { M: { list: { L: [{ B: base64 }, { N: "1" }] } } } });
  t.is(modify?.eventName, "MODIFY");
  t.deepEqual(modify?.dynamodb?.OldImage, insert?.dynamodb?.NewImage);
  t.deepEqual(modify?.dynamodb?.NewImage?.v, { S: "two" });
  t.is(remove?.eventName, "REMOVE");
  t.deepEqual(remove?.dynamodb?.OldImage?.v, { S: "two" });
  t.false("NewImage" in remove!.dynamodb!);
});

test("a handler that throws twice gets the same batch again, then nothing is lost or repeated", async (t) => {
  const table = await freshTable();
  await putItems(table, 0, 3);
  let calls = 0;
  const { poller, invocations, failures } = await poll(t, table, async () => {
    if (++calls <= 2) throw new Error(`transient failure ${calls}`);
  });
  await poller.idle();
  t.is(invocations.length, 3);
  t.deepEqual(invocations.map(numbers), [[0, 1, 2], [0, 1, 2], [0, 1, 2]]);
  t.deepEqual(invocations[1]!.map((r) => r.eventID), invocations[0]!.map((r) => r.eventID));

  await putItems(table, 3, 2);
  await poller.idle();
  t.deepEqual(invocations.slice(3).map(numbers), [[3, 4]]);
  t.deepEqual(failures, []);
});

test("a batch that always fails goes to onFailure after maxRetryAttempts + 1 attempts; later records still flow", async (t) => {
  const table = await freshTable();
  await putItems(table, 0, 1, { poison: { BOOL: true } });
  const { poller, invocations, failures } = await poll(
    t,
    table,
    async (event) => {
      if (event.Records.some((r) => r.dynamodb?.NewImage?.poison)) throw new Error("cannot handle poison");
    },
    { maxRetryAttempts: 2 },
  );
  await poller.idle();
  t.deepEqual(invocations.map(numbers), [[0], [0], [0]]);
  t.is(failures.length, 1);
  t.deepEqual(numbers(failures[0]!.records), [0]);
  t.is((failures[0]!.error as Error).message, "cannot handle poison");

  await putItems(table, 1, 2);
  await poller.idle();
  t.deepEqual(invocations.slice(3).map(numbers), [[1, 2]]);
  t.is(failures.length, 1);
});

test("batchItemFailures retries from the lowest failed record only", async (t) => {
  const table = await freshTable();
  await putItems(table, 0, 5);
  let calls = 0;
  const { poller, invocations, failures } = await poll(t, table, async (event): Promise<DynamoDBBatchResponse> => {
    if (++calls > 1) return { batchItemFailures: [] };
    const failed = [event.Records[4]!, event.Records[2]!];
    return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber! })) };
  });
  await poller.idle();
  t.deepEqual(invocations.map(numbers), [[0, 1, 2, 3, 4], [2, 3, 4]]);
  t.deepEqual(invocations[1]!.map((r) => r.eventID), invocations[0]!.slice(2).map((r) => r.eventID));
  t.deepEqual(failures, []);
});

test("a batchItemFailures identifier that names no record fails the whole batch; exhausted retries send the rest to onFailure", async (t) => {
  const table = await freshTable();
  await putItems(table, 0, 3);
  let calls = 0;
  const { poller, invocations, failures } = await poll(
    t,
    table,
    async (event) => ({ batchItemFailures: [{ itemIdentifier: ++calls === 1 ? "not-a-sequence-number" : event.Records.at(-1)!.dynamodb!.SequenceNumber! }] }),
    { maxRetryAttempts: 2 },
  );
  await poller.idle();
  t.deepEqual(invocations.map(numbers), [[0, 1, 2], [0, 1, 2], [2]]);
  t.is(failures.length, 1);
  t.deepEqual(numbers(failures[0]!.records), [2]);
  t.regex((failures[0]!.error as Error).message, /reported failed records from sequence number \d+/);
});

test("idle() resolves once writes are delivered; stop() ends polling", async (t) => {
  const table = await freshTable();
  const { poller, invocations } = await poll(t, table);
  await poller.idle(); // nothing written yet
  t.deepEqual(invocations, []);

  await putItems(table, 0, 1);
  await poller.idle();
  t.deepEqual(invocations.map(numbers), [[0]]);

  await poller.stop();
  await putItems(table, 1, 1);
  await delay(500);
  t.deepEqual(invocations.map(numbers), [[0]]);
  await t.throwsAsync(poller.idle(), { message: "The stream poller is stopped." });
  await poller.stop(); // a second stop is harmless
});

test("the first write to a polled, still-empty stream arrives even after other tables' writes took its sequence number", async (t) => {
  // DynamoDB Local numbers all streams' records from one counter; an empty shard's iterator goes stale.
  const table = await freshTable();
  const other = await freshTable();
  const { poller, invocations } = await poll(t, table);
  await poller.idle();
  await putItems(other, 0, 3);
  await putItems(table, 7, 1);
  await poller.idle();
  t.deepEqual(invocations.map(numbers), [[7]]);
});

test("an onFailure that throws stops the poller: idle() and stop() reject with its error", async (t) => {
  const table = await freshTable();
  await putItems(table, 0, 1);
  const poller = await startStreamPoller({
    client: ddb.client,
    endpoint: ddb.endpoint,
    tableName: table,
    maxRetryAttempts: 0,
    handler: async () => {
      throw new Error("handler failed");
    },
    onFailure: () => {
      throw new Error("dead-letter queue unreachable");
    },
  });
  await t.throwsAsync(poller.idle(), { message: "dead-letter queue unreachable" });
  await t.throwsAsync(poller.stop(), { message: "dead-letter queue unreachable" });
});

test("a table without a stream is refused with the fix", async (t) => {
  const table = `plain-${randomUUID().slice(0, 8)}`;
  await ddb.client.send(
    new CreateTableCommand({ TableName: table, BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }] }),
  );
  await t.throwsAsync(startStreamPoller({ client: ddb.client, endpoint: ddb.endpoint, tableName: table, handler: async () => {} }), {
    message: `Table ${table} has no stream: set \`stream\` in its TableDefinition.`,
  });
});
