// Kept hand-written (#17): the optimistic-version retry (ConditionalCheckFailed → re-read, merge, write) is 4 lines the SDK's retry strategy does not do; p-retry is ESM-only.
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { decodeCursor } from "../shared/cursor";
import { pageOf, type Page } from "../shared/page";
import { applyChange, type Meeting, type MeetingChange } from "./meeting-state";
import { MEETING_LIST_KEY, MEETING_LIST_PARTITION } from "./tables";

const MAX_MEETING_ATTEMPTS = 10;

/** The meetings table: the latest state per meeting, projected from the events. */
export class MeetingStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  /**
   * Merges each change into its meeting with optimistic concurrency (read, merge, put if the
   * version is unchanged; retry on a lost race). The merge is order-free and idempotent, so
   * re-applying after a crash or a duplicate delivery is always safe.
   */
  async applyChanges(changes: MeetingChange[]): Promise<Meeting[]> {
    const out: Meeting[] = [];
    for (const change of changes) out.push(await this.applyChange(change));
    return out;
  }

  private async applyChange(change: MeetingChange): Promise<Meeting> {
    for (let attempt = 1; ; attempt++) {
      const { meeting: current, version } = await this.readMeeting(change.meetingId, true);
      const next = applyChange(current, change);
      if (current && JSON.stringify(current) === JSON.stringify(next)) return current;
      try {
        await this.db.send(
          new PutItemCommand({
            TableName: this.table,
            Item: {
              pk: { S: next.id },
              state: { S: JSON.stringify(next) },
              version: { N: String(version + 1) },
              ...(next.startTime ? { listPk: { S: MEETING_LIST_PARTITION }, listSk: { S: `${next.startTime}#${next.id}` } } : {}),
            },
            ConditionExpression: version === 0 ? "attribute_not_exists(pk)" : "version = :v",
            ExpressionAttributeValues: version === 0 ? undefined : { ":v": { N: String(version) } },
          }),
        );
        return next;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) || attempt >= MAX_MEETING_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  private async readMeeting(id: string, consistent = false): Promise<{ meeting?: Meeting; version: number }> {
    const { Item } = await this.db.send(new GetItemCommand({ TableName: this.table, Key: { pk: { S: id } }, ConsistentRead: consistent }));
    return Item ? { meeting: JSON.parse(Item.state!.S!) as Meeting, version: Number(Item.version!.N) } : { version: 0 };
  }

  async get(id: string): Promise<Meeting | undefined> {
    return (await this.readMeeting(id)).meeting;
  }

  /** Meetings with a known start time, latest start first. */
  async list(limit: number, cursor?: string): Promise<Page<Meeting>> {
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: "byStart",
        KeyConditionExpression: "listPk = :p",
        ExpressionAttributeValues: { ":p": { S: MEETING_LIST_PARTITION } },
        ScanIndexForward: false,
        Limit: limit + 1,
        ExclusiveStartKey: cursor === undefined ? undefined : meetingListKey(decodeCursor(cursor, MEETING_LIST_KEY)),
      }),
    );
    const page = pageOf(Items, limit, LastEvaluatedKey !== undefined, (item) => item.listSk!.S!);
    return { items: page.items.map((i) => JSON.parse(i.state!.S!) as Meeting), nextCursor: page.nextCursor };
  }
}

function meetingListKey(listSk: string): Record<string, AttributeValue> {
  const id = listSk.slice(listSk.indexOf("#") + 1);
  return { pk: { S: id }, listPk: { S: MEETING_LIST_PARTITION }, listSk: { S: listSk } };
}
