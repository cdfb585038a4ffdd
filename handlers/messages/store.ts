// Kept hand-written (#17): the TransactionConflict retry is 4 lines; the SDK's retry strategy does not retry TransactionCanceledException, and p-retry is ESM-only (a Pulumi-serialized CommonJS closure cannot require it).
import {
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { decodeCursor } from "../shared/cursor";
import { pageOf, type Page } from "../shared/page";
import { UUID_V7_PATTERN, uuidv7 } from "../shared/uuidv7";
import { COUNTER_KEY, MESSAGE_PARTITION } from "./table";
import type { Message } from "./schemas";

export type MessagePage = Page<Message>;

const MAX_TRANSACTION_ATTEMPTS = 10;

function toMessage(item: Record<string, AttributeValue>): Message {
  return { id: item.sk!.S!, message: item.message!.S!, createdAt: item.createdAt!.S! };
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
    const at = now();
    const id = uuidv7(at.getTime());
    const createdAt = at.toISOString();
    const command = new TransactWriteItemsCommand({
      ClientRequestToken: id,
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              pk: { S: MESSAGE_PARTITION },
              sk: { S: id },
              message: { S: text },
              createdAt: { S: createdAt },
            },
            ConditionExpression: "attribute_not_exists(sk)",
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: { pk: { S: COUNTER_KEY.pk }, sk: { S: COUNTER_KEY.sk } },
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
    const { Item } = await this.db.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: MESSAGE_PARTITION }, sk: { S: id } } }));
    return Item ? toMessage(Item) : undefined;
  }

  /** Exact count from the counter item (a strongly consistent single-item read, never a Scan). */
  async count(): Promise<number> {
    const { Item } = await this.db.send(
      new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: COUNTER_KEY.pk }, sk: { S: COUNTER_KEY.sk } }, ConsistentRead: true }),
    );
    return Item?.count?.N ? Number(Item.count.N) : 0;
  }

  /** One page, newest first. The cursor is the last id, base64url-wrapped so clients treat it as opaque. */
  async list(limit: number, cursor?: string): Promise<MessagePage> {
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": { S: MESSAGE_PARTITION } },
        ScanIndexForward: false,
        Limit: limit + 1,
        ExclusiveStartKey: cursor === undefined ? undefined : { pk: { S: MESSAGE_PARTITION }, sk: { S: decodeCursor(cursor, UUID_V7_PATTERN) } },
      }),
    );
    const page = pageOf(Items, limit, LastEvaluatedKey !== undefined, (item) => item.sk!.S!);
    return { items: page.items.map(toMessage), nextCursor: page.nextCursor };
  }
}
