import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, QueryCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { decodeCursor } from "../shared/cursor";
import { pageOf, type Page } from "../shared/page";
import type { MeetingChange } from "./meeting-state";
import type { NormalizedEvent } from "./source";
import { EVENT_SORT_KEY } from "./tables";

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

/** The events table: every accepted event once, history per meeting. */
export class EventStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
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
      await this.db.send(new PutItemCommand({ TableName: this.table, Item: toEventItem(stored), ConditionExpression: "attribute_not_exists(pk)" }));
      return "stored";
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return "duplicate";
      throw error;
    }
  }

  /** One meeting's events, newest first. */
  async history(meetingId: string, limit: number, cursor?: string): Promise<Page<StoredEvent>> {
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: "pk = :m",
        ExpressionAttributeValues: { ":m": { S: meetingId } },
        ScanIndexForward: false,
        Limit: limit + 1,
        ExclusiveStartKey: cursor === undefined ? undefined : { pk: { S: meetingId }, sk: { S: decodeCursor(cursor, EVENT_SORT_KEY) } },
      }),
    );
    const page = pageOf(Items, limit, LastEvaluatedKey !== undefined, (item) => item.sk!.S!);
    return { items: page.items.map(fromEventItem), nextCursor: page.nextCursor };
  }
}
