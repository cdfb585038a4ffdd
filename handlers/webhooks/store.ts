import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { decodeCursor, encodeCursor } from "../shared/cursor";
import type { Page } from "../shared/paging";
import { applyChange, type Meeting, type MeetingChange } from "./meeting-state";
import type { NormalizedEvent } from "./source";
import { EVENT_SORT_KEY, MEETING_LIST_KEY, MEETING_LIST_PARTITION } from "./tables";

/** An accepted event as stored (and as the stream, the spool and the downstream see it). */
export interface StoredEvent {
  id: string;
  source: string;
  type: string;
  known: boolean;
  occurredAt: string;
  receivedAt: string;
  meetingId?: string;
  /** What the event does to meetings, worked out at ingest (the projector applies it). */
  changes: MeetingChange[];
  /** The body exactly as the provider sent it, parsed. */
  body: unknown;
}

const MAX_MEETING_ATTEMPTS = 10;

export const eventPartition = (event: Pick<StoredEvent, "meetingId" | "source" | "type">) => event.meetingId ?? `_${event.source}#${event.type}`;

export function toEventItem(event: StoredEvent): Record<string, AttributeValue> {
  return {
    pk: { S: eventPartition(event) },
    sk: { S: `${event.occurredAt}#${event.id}` },
    id: { S: event.id },
    source: { S: event.source },
    type: { S: event.type },
    known: { BOOL: event.known },
    occurredAt: { S: event.occurredAt },
    receivedAt: { S: event.receivedAt },
    ...(event.meetingId ? { meetingId: { S: event.meetingId } } : {}),
    changes: { S: JSON.stringify(event.changes) },
    body: { S: JSON.stringify(event.body) },
  };
}

/** Reads an event item (from a Query or a stream record's NewImage). */
export function fromEventItem(item: Record<string, AttributeValue>): StoredEvent {
  return {
    id: item.id!.S!,
    source: item.source!.S!,
    type: item.type!.S!,
    known: item.known?.BOOL ?? false,
    occurredAt: item.occurredAt!.S!,
    receivedAt: item.receivedAt!.S!,
    meetingId: item.meetingId?.S,
    changes: item.changes?.S ? (JSON.parse(item.changes.S) as MeetingChange[]) : [],
    body: JSON.parse(item.body!.S!),
  };
}

/** Events and meetings in DynamoDB. */
export class WebhookStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly eventsTable: string,
    private readonly meetingsTable: string,
  ) {}

  /** Stores the event once: a retried delivery finds its key taken and is reported as a duplicate. */
  async record(event: NormalizedEvent, receivedAt: string): Promise<"stored" | "duplicate"> {
    const stored: StoredEvent = {
      id: event.id,
      source: event.source,
      type: event.type,
      known: event.known,
      occurredAt: event.occurredAt,
      receivedAt,
      meetingId: event.meetingId,
      changes: event.changes,
      body: event.body,
    };
    try {
      await this.db.send(new PutItemCommand({ TableName: this.eventsTable, Item: toEventItem(stored), ConditionExpression: "attribute_not_exists(pk)" }));
      return "stored";
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return "duplicate";
      throw error;
    }
  }

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
            TableName: this.meetingsTable,
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
    const { Item } = await this.db.send(new GetItemCommand({ TableName: this.meetingsTable, Key: { pk: { S: id } }, ConsistentRead: consistent }));
    return Item ? { meeting: JSON.parse(Item.state!.S!) as Meeting, version: Number(Item.version!.N) } : { version: 0 };
  }

  async getMeeting(id: string): Promise<Meeting | undefined> {
    return (await this.readMeeting(id)).meeting;
  }

  /** Meetings with a known start time, latest start first. */
  async listMeetings(limit: number, cursor?: string): Promise<Page<Meeting>> {
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.meetingsTable,
        IndexName: "byStart",
        KeyConditionExpression: "listPk = :p",
        ExpressionAttributeValues: { ":p": { S: MEETING_LIST_PARTITION } },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: cursor === undefined ? undefined : meetingListKey(decodeCursor(cursor, MEETING_LIST_KEY)),
      }),
    );
    return { items: Items.map((i) => JSON.parse(i.state!.S!) as Meeting), nextCursor: LastEvaluatedKey ? encodeCursor(LastEvaluatedKey.listSk!.S!) : null };
  }

  /** One meeting's events, newest first. */
  async meetingEvents(meetingId: string, limit: number, cursor?: string): Promise<Page<StoredEvent>> {
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.eventsTable,
        KeyConditionExpression: "pk = :m",
        ExpressionAttributeValues: { ":m": { S: meetingId } },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: cursor === undefined ? undefined : { pk: { S: meetingId }, sk: { S: decodeCursor(cursor, EVENT_SORT_KEY) } },
      }),
    );
    return { items: Items.map(fromEventItem), nextCursor: LastEvaluatedKey ? encodeCursor(LastEvaluatedKey.sk!.S!) : null };
  }
}

function meetingListKey(listSk: string): Record<string, AttributeValue> {
  const id = listSk.slice(listSk.indexOf("#") + 1);
  return { pk: { S: id }, listPk: { S: MEETING_LIST_PARTITION }, listSk: { S: listSk } };
}
