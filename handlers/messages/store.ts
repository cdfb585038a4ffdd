import {
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { randomUUID } from "node:crypto";
import { HttpProblem } from "../shared/problem";
import { MESSAGE_COUNTER_KEY, MESSAGE_FEED, messageKey } from "./table";
import type { Message } from "./schemas";

export interface MessagePage {
  items: Message[];
  nextCursor: string | null;
}

const CURSOR_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[0-9a-f-]{36}$/;
const MAX_TRANSACTION_ATTEMPTS = 10;

function toMessage(item: Record<string, AttributeValue>): Message {
  return { id: item.id!.S!, message: item.message!.S!, createdAt: item.createdAt!.S! };
}

/** Messages in DynamoDB: insert + counter in one transaction, lookups, exact count, newest-first pages. */
export class MessageStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /**
   * Stores a message and bumps the counter atomically: either both happen or neither. Concurrent
   * inserts contend on the counter item; DynamoDB cancels the loser with TransactionConflict, which
   * is retried here with jittered backoff. The id doubles as ClientRequestToken, so an SDK-level
   * retry of a transaction that already succeeded is not applied twice.
   */
  async create(text: string, now: () => Date = () => new Date()): Promise<Message> {
    const id = randomUUID();
    const createdAt = now().toISOString();
    const command = new TransactWriteItemsCommand({
      ClientRequestToken: id,
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              pk: { S: messageKey(id) },
              id: { S: id },
              message: { S: text },
              createdAt: { S: createdAt },
              feed: { S: MESSAGE_FEED },
              feedSort: { S: `${createdAt}#${id}` },
            },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: { pk: { S: MESSAGE_COUNTER_KEY } },
            UpdateExpression: "ADD #count :one",
            ExpressionAttributeNames: { "#count": "count" },
            ExpressionAttributeValues: { ":one": { N: "1" } },
          },
        },
      ],
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.send(command);
        return { id, message: text, createdAt };
      } catch (error) {
        const conflict =
          error instanceof TransactionCanceledException &&
          (error.CancellationReasons ?? []).some((r) => r.Code === "TransactionConflict");
        if (!conflict || attempt >= MAX_TRANSACTION_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** Math.min(attempt, 6)));
      }
    }
  }

  async get(id: string): Promise<Message | undefined> {
    const { Item } = await this.db.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: messageKey(id) } } }));
    return Item ? toMessage(Item) : undefined;
  }

  /** Exact count from the counter item (a strongly consistent single-item read, never a Scan). */
  async count(): Promise<number> {
    const { Item } = await this.db.send(
      new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: MESSAGE_COUNTER_KEY } }, ConsistentRead: true }),
    );
    return Item?.count?.N ? Number(Item.count.N) : 0;
  }

  /** One page, newest first. The cursor is the last item's sort key, base64url-wrapped so clients treat it as opaque. */
  async list(limit: number, cursor?: string): Promise<MessagePage> {
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "byFeed",
        KeyConditionExpression: "feed = :feed",
        ExpressionAttributeValues: { ":feed": { S: MESSAGE_FEED } },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: cursor === undefined ? undefined : decodeCursor(cursor),
      }),
    );
    return { items: Items.map(toMessage), nextCursor: LastEvaluatedKey ? encodeCursor(LastEvaluatedKey.feedSort!.S!) : null };
  }
}

function encodeCursor(feedSort: string): string {
  return Buffer.from(feedSort, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): Record<string, AttributeValue> {
  const feedSort = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (!CURSOR_PATTERN.test(feedSort)) {
    throw new HttpProblem("invalid-cursor", "The cursor was not issued by this API; start again without one.");
  }
  const id = feedSort.slice(feedSort.indexOf("#") + 1);
  return { pk: { S: messageKey(id) }, feed: { S: MESSAGE_FEED }, feedSort: { S: feedSort } };
}
