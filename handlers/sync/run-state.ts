import type { RateLimit } from "./rate-limit";
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";

export type Counts = Record<"seen" | "created" | "skipped" | "failed", number>;
export const zeroCounts = (): Counts => ({ seen: 0, created: 0, skipped: 0, failed: 0 });

export interface SourceState {
  /** ETag of the last full answer (for If-None-Match). */
  etag?: string;
  /** Where the next run continues (an API cursor, a `since` time, …). */
  cursor?: string;
  lastSuccess?: string;
  lastError?: string;
  counts?: Counts;
  /** Anything else a job remembers per source (the user's Pipedrive organization id, say). */
  memo?: Record<string, string | number>;
}

export interface RunState {
  lastStart?: string;
  lastSuccess?: string;
  runId?: string;
  lastError?: string;
  counts?: Counts;
  /** API → when it may be called again (ISO), as a run learned it: the next run waits for it. Example: `{ github: "2026-12-03T06:00:00.000Z" }`. */
  rateLimits?: Record<string, string>;
}

/** An item's sync record: `intent` is written before the external call, `confirmed` after it. */
export interface ItemRecord<T = Record<string, unknown>> {
  status: "intent" | "confirmed";
  data: T;
  updatedAt: string;
}

/** A job's memory between runs, in the sync state table (see tables.ts). */
export class RunStateStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
    private readonly job: string,
  ) {}

  private key(sk: string) {
    return { pk: { S: this.job }, sk: { S: sk } };
  }

  private async read<T>(sk: string): Promise<T | undefined> {
    const { Item } = await this.db.send(new GetItemCommand({ TableName: this.table, Key: this.key(sk), ConsistentRead: true }));
    return Item?.state?.S ? (JSON.parse(Item.state.S) as T) : undefined;
  }

  private async write(sk: string, state: unknown): Promise<void> {
    await this.db.send(new PutItemCommand({ TableName: this.table, Item: { ...this.key(sk), state: { S: JSON.stringify(state) } } }));
  }

  async run(): Promise<RunState> {
    return (await this.read<RunState>("RUN")) ?? {};
  }

  async startRun(runId: string, at: Date): Promise<void> {
    await this.write("RUN", { ...(await this.run()), lastStart: at.toISOString(), runId });
  }

  /**
   * Ends a run. `rateLimits`: the limits it learned (a 429's retry time, or a last answer saying
   * none are left until a reset); they are kept, with earlier ones not yet over, for the next run.
   */
  async finishRun(runId: string, at: Date, counts: Counts, error?: string, rateLimits: RateLimit[] = []): Promise<void> {
    const previous = await this.run();
    const limits = Object.fromEntries(
      [...Object.entries(previous.rateLimits ?? {}), ...rateLimits.map((l) => [l.api, l.retryAt] as const)].filter(([, retryAt]) => Date.parse(retryAt) > at.getTime()),
    );
    await this.write("RUN", { ...previous, runId, counts, lastError: error, rateLimits: limits, ...(error ? {} : { lastSuccess: at.toISOString() }) });
  }

  /** The rate limits earlier runs learned that are not over at `at`, soonest first. */
  async rateLimitsInForce(at: Date): Promise<RateLimit[]> {
    const { rateLimits = {} } = await this.run();
    return Object.entries(rateLimits)
      .filter(([, retryAt]) => Date.parse(retryAt) > at.getTime())
      .map(([api, retryAt]) => ({ api, retryAt }))
      .sort((a, b) => a.retryAt.localeCompare(b.retryAt));
  }

  async source(name: string): Promise<SourceState> {
    return (await this.read<SourceState>(`SOURCE#${name}`)) ?? {};
  }

  async saveSource(name: string, state: SourceState): Promise<void> {
    await this.write(`SOURCE#${name}`, state);
  }

  async item<T>(key: string): Promise<ItemRecord<T> | undefined> {
    return this.read<ItemRecord<T>>(`ITEM#${key}`);
  }

  /** Records the intent to act on an item; false if a record already exists (a previous run got here). */
  async recordIntent<T>(key: string, data: T, at: Date): Promise<boolean> {
    const record: ItemRecord<T> = { status: "intent", data, updatedAt: at.toISOString() };
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...this.key(`ITEM#${key}`), state: { S: JSON.stringify(record) } },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Marks an item done, with what the external API answered (the deal id, say). In the same
   * transaction it appends a `LOG#<at>#<key>` entry, so readers can follow what was synced in order
   * (`confirmedAfter`) without scanning every item.
   */
  async confirm<T>(key: string, data: T, at: Date): Promise<void> {
    const record: ItemRecord<T> = { status: "confirmed", data, updatedAt: at.toISOString() };
    await this.db.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: this.key(`ITEM#${key}`),
              UpdateExpression: "SET #state = :state",
              ExpressionAttributeNames: { "#state": "state" },
              ExpressionAttributeValues: { ":state": { S: JSON.stringify(record) } },
            },
          },
          { Put: { TableName: this.table, Item: { ...this.key(`${LOG_PREFIX}${at.toISOString()}#${key}`), state: { S: JSON.stringify({ key, data }) } } } },
        ],
      }),
    );
  }

  /**
   * Confirmed items in confirmation order, after the log position `after` (a `position` this
   * returned before; from the start when omitted): at most `limit`, and whether more follow.
   */
  async confirmedAfter<T>(after: string | undefined, limit: number): Promise<{ items: ConfirmedItem<T>[]; more: boolean }> {
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: after ? "pk = :pk AND sk BETWEEN :after AND :end" : "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: after
          ? { ":pk": { S: this.job }, ":after": { S: `${after}\u0000` }, ":end": { S: `${LOG_PREFIX}\uffff` } }
          : { ":pk": { S: this.job }, ":prefix": { S: LOG_PREFIX } },
        Limit: limit + 1, // the extra item says whether more follow (LastEvaluatedKey is set whenever Limit is hit)
        ConsistentRead: true,
      }),
    );
    const items = Items.slice(0, limit).map((item) => {
      const { key, data } = JSON.parse(item.state!.S!) as { key: string; data: T };
      const position = item.sk!.S!;
      return { key, data, confirmedAt: position.slice(LOG_PREFIX.length, LOG_PREFIX.length + 24), position };
    });
    return { items, more: Items.length > limit || LastEvaluatedKey !== undefined };
  }

  /** Every source's state whose name starts with `prefix` (`"github:"`, say), by name. */
  async sources(prefix = ""): Promise<{ name: string; state: SourceState }[]> {
    const found: { name: string; state: SourceState }[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": { S: this.job }, ":prefix": { S: `SOURCE#${prefix}` } },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) found.push({ name: item.sk!.S!.slice("SOURCE#".length), state: JSON.parse(item.state!.S!) as SourceState });
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }
}

const LOG_PREFIX = "LOG#";

/** One entry of the confirmation log. `position` is where a reader continues from. */
export interface ConfirmedItem<T> {
  key: string;
  data: T;
  confirmedAt: string;
  position: string;
}
