// Kept hand-written (#17): the failed-batch backoff mirrors Lambda's event source mapping (retry from the failed record, then the on-failure destination), which no retry library models.
// Local mode's stand-in for a Lambda event source mapping on a DynamoDB stream (StartingPosition
// TRIM_HORIZON, ReportBatchItemFailures on, an optional on-failure destination), polling DynamoDB
// Local's Streams API so stream handlers run locally as the same code Lambda would run.
//
// Like Lambda: the records of a shard reach the handler in order, one batch at a time; a child shard
// is read only once its parent is read to the end; a failed batch is retried with backoff, from the
// first failed record when the handler reports batchItemFailures, and after maxRetryAttempts
// retries goes to onFailure (or is dropped, as without a destination) so later records still flow.
// Unlike Lambda, all shards are polled in rounds: a slow batch on one shard delays the next poll of
// the others (DynamoDB Local keeps a table's stream in one shard, so this rarely matters).
import { setTimeout as delay } from "node:timers/promises";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type AttributeValue,
  type GetRecordsCommandOutput,
  type _Record,
} from "@aws-sdk/client-dynamodb-streams";
import type { AttributeValue as EventAttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";

export interface StreamPollerOptions {
  /** A client for DynamoDB Local; the stream is read with its region and credentials. */
  client: DynamoDBClient;
  /** DynamoDB Local's endpoint, which also serves the Streams API. */
  endpoint: string;
  /** A table created with a stream (TableDefinition `stream`). */
  tableName: string;
  /** The Lambda handler; a returned `batchItemFailures` names records by their SequenceNumber. */
  handler: (event: DynamoDBStreamEvent) => Promise<void | DynamoDBBatchResponse>;
  /** Most records per invocation, 1–1000 (GetRecords' limit). Default 10. */
  batchSize?: number;
  /** Pause after a round of polls that found nothing. Default 100 ms. */
  pollIntervalMs?: number;
  /** Retries of a failed batch before it goes to onFailure. Default 3. */
  maxRetryAttempts?: number;
  /**
   * The on-failure destination: gets the records still failing after the last retry and the last
   * error. If it throws, the poller stops (records would otherwise be lost unseen): idle() and stop()
   * then reject with that error.
   */
  onFailure?: (records: DynamoDBRecord[], error: unknown) => Promise<void> | void;
}

export interface StreamPoller {
  streamArn: string;
  /** Ends polling after the batch in flight; rejects with the error that stopped the poller, if any. */
  stop(): Promise<void>;
  /**
   * Resolves once every record written before the call has been handled or sent to onFailure: a
   * round of polls that began after the call found every shard at its end and nothing in flight.
   */
  idle(): Promise<void>;
}

interface Shard {
  id: string;
  parentId: string | undefined;
  iterator: string | undefined;
  /** Of the last record read, to resume after it with a new iterator. */
  lastSequenceNumber: string | undefined;
  /** Read to its end and closed: its children may be read. */
  done: boolean;
}

/** Starts polling the table's stream from the oldest record still in it. */
export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const batchSize = options.batchSize ?? 10;
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const maxRetryAttempts = options.maxRetryAttempts ?? 3;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) throw new RangeError(`batchSize must be an integer from 1 to 1000, not ${batchSize}`);
  if (!Number.isInteger(maxRetryAttempts) || maxRetryAttempts < 0) throw new RangeError(`maxRetryAttempts must be a whole number, not ${maxRetryAttempts}`);

  const streamArn = await enabledStreamArn(options.client, options.tableName);
  // DynamoDB Local names its own region ("ddblocal") in records; events carry the client's, as in AWS.
  const region = await options.client.config.region();
  const streams = new DynamoDBStreamsClient({ endpoint: options.endpoint, region, credentials: options.client.config.credentials });

  const shards = new Map<string, Shard>();
  const stopping = new AbortController();
  const pause = (ms: number) => delay(ms, undefined, { signal: stopping.signal }).catch(() => {});
  let round = 0;
  let failure: { error: unknown } | undefined;
  const idleWaiters: { after: number; resolve(): void; reject(error: unknown): void }[] = [];

  /** Adds shards not seen before; true when there were any. */
  async function discoverShards(): Promise<boolean> {
    let found = false;
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription: stream } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }));
      for (const { ShardId: id, ParentShardId: parentId } of stream?.Shards ?? []) {
        if (id === undefined || shards.has(id)) continue;
        shards.set(id, { id, parentId, iterator: undefined, lastSequenceNumber: undefined, done: false });
        found = true;
      }
      exclusiveStartShardId = stream?.LastEvaluatedShardId;
    } while (exclusiveStartShardId !== undefined);
    return found;
  }

  /** A parent that has aged out of the stream no longer holds its children back. */
  function readable(shard: Shard): boolean {
    const parent = shard.parentId === undefined ? undefined : shards.get(shard.parentId);
    return !shard.done && (parent === undefined || parent.done);
  }

  /** One GetRecords on the shard and the delivery of what it returned; true when anything changed. */
  async function pollShard(shard: Shard): Promise<boolean> {
    const page = await readPage(shard);
    shard.iterator = page.NextShardIterator;
    shard.done = page.NextShardIterator === undefined;
    const records = asJson((page.Records ?? []).map((record) => toEventRecord(record, streamArn, region)));
    shard.lastSequenceNumber = records.at(-1)?.dynamodb?.SequenceNumber ?? shard.lastSequenceNumber;
    if (records.length > 0) await deliver(records);
    return records.length > 0 || shard.done;
  }

  async function readPage(shard: Shard): Promise<GetRecordsCommandOutput> {
    shard.iterator ??= await newIterator(shard);
    try {
      return await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: batchSize }));
    } catch (error) {
      // DynamoDB Local numbers the records of all its streams from one counter, and an empty
      // shard's iterator points at the next number: once another table's write takes that number,
      // reading the iterator fails as if trimmed. An expired one (15 minutes in AWS) fails too. A
      // new iterator after the last record read resumes at exactly the same place.
      if (!(error instanceof TrimmedDataAccessException || error instanceof ExpiredIteratorException)) throw error;
      shard.iterator = await newIterator(shard);
      return await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: batchSize }));
    }
  }

  async function newIterator(shard: Shard): Promise<string | undefined> {
    const position = shard.lastSequenceNumber === undefined ? ({ ShardIteratorType: "TRIM_HORIZON" } as const) : ({ ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: shard.lastSequenceNumber } as const);
    const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.id, ...position }));
    return ShardIterator;
  }

  async function deliver(batch: DynamoDBRecord[]): Promise<void> {
    let pending = batch;
    for (let attempt = 0; !stopping.signal.aborted; attempt++) {
      let error: unknown;
      try {
        // A fresh copy per attempt: a handler that edits its event cannot change what a retry gets.
        const response = await options.handler(asJson({ Records: pending }));
        const failedFrom = resumeIndex(pending, response);
        if (failedFrom === undefined) return;
        pending = pending.slice(failedFrom);
        error = new Error(`The handler reported failed records from sequence number ${pending[0]!.dynamodb!.SequenceNumber}.`);
      } catch (thrown) {
        error = thrown;
      }
      if (attempt === maxRetryAttempts) {
        await options.onFailure?.(pending, error);
        return;
      }
      await pause(Math.min(100 * 2 ** attempt, 1000));
    }
  }

  async function run(): Promise<void> {
    while (!stopping.signal.aborted) {
      const current = ++round;
      const found = await discoverShards();
      // Settled, so that a failing shard stops the poller only once the others' batches are done.
      const polled = await Promise.allSettled([...shards.values()].filter(readable).map(pollShard));
      for (const result of polled) if (result.status === "rejected") throw result.reason;
      if (found || polled.some((result) => result.status === "fulfilled" && result.value)) continue;
      for (const waiter of idleWaiters.filter((w) => w.after < current)) {
        idleWaiters.splice(idleWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      await pause(pollIntervalMs);
    }
  }

  await discoverShards(); // fails here, not later in the background, when the stream cannot be read
  const running = run().catch((error: unknown) => {
    failure = { error };
    for (const waiter of idleWaiters.splice(0)) waiter.reject(error);
  });

  let stopped: Promise<void> | undefined;
  return {
    streamArn,
    stop: () =>
      (stopped ??= (async () => {
        stopping.abort();
        await running;
        streams.destroy();
        for (const waiter of idleWaiters.splice(0)) waiter.reject(new Error("The stream poller was stopped before it was idle."));
        if (failure) throw failure.error;
      })()),
    idle: () => {
      if (failure) return Promise.reject(failure.error);
      if (stopping.signal.aborted) return Promise.reject(new Error("The stream poller is stopped."));
      return new Promise((resolve, reject) => idleWaiters.push({ after: round, resolve, reject }));
    },
  };
}

async function enabledStreamArn(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!table?.LatestStreamArn || !table.StreamSpecification?.StreamEnabled) {
    throw new Error(`Table ${tableName} has no stream: set \`stream\` in its TableDefinition.`);
  }
  return table.LatestStreamArn;
}

/** A deep copy as Lambda would deliver it: JSON, so no undefined-valued keys. */
function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Where to resume after a ReportBatchItemFailures response, read as Lambda reads it: from the
 * lowest failed record; an identifier naming no record of the batch fails the whole batch. Undefined
 * when the batch succeeded.
 */
function resumeIndex(batch: DynamoDBRecord[], response: void | DynamoDBBatchResponse): number | undefined {
  const failures = response?.batchItemFailures ?? [];
  if (failures.length === 0) return undefined;
  const indexes = failures.map((failure) => batch.findIndex((record) => record.dynamodb?.SequenceNumber === failure.itemIdentifier));
  return indexes.includes(-1) ? 0 : Math.min(...indexes);
}

/** A Streams API record in the shape a Lambda event carries it. */
function toEventRecord(record: _Record, streamArn: string, region: string): DynamoDBRecord {
  const change = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: "aws:dynamodb",
    eventSourceARN: streamArn,
    awsRegion: region,
    dynamodb: {
      // Epoch seconds in events; the SDK turns the API's number into a Date.
      ApproximateCreationDateTime: change.ApproximateCreationDateTime && change.ApproximateCreationDateTime.getTime() / 1000,
      Keys: toEventImage(change.Keys),
      NewImage: toEventImage(change.NewImage),
      OldImage: toEventImage(change.OldImage),
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType,
    },
    userIdentity: record.userIdentity && { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId },
  };
}

function toEventImage(image: Record<string, AttributeValue> | undefined): Record<string, EventAttributeValue> | undefined {
  return image && Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toEventValue(value)]));
}

/** Binary values are base64 strings in events; the SDK hands them over as bytes. */
function toEventValue(value: AttributeValue): EventAttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString("base64") };
  if (value.BS !== undefined) return { BS: value.BS.map((bytes) => Buffer.from(bytes).toString("base64")) };
  if (value.L !== undefined) return { L: value.L.map(toEventValue) };
  if (value.M !== undefined) return { M: toEventImage(value.M)! };
  return value as EventAttributeValue;
}
