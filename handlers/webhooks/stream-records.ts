import type { DynamoDBStreamEvent } from "aws-lambda";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { fromEventItem, type StoredEvent } from "./event-store";

/** The new events in a stream batch, in order, with the sequence number Lambda retries by. */
export function insertedEvents(event: DynamoDBStreamEvent): { sequence: string; event: StoredEvent }[] {
  return event.Records.filter((r) => r.eventName === "INSERT" && r.dynamodb?.NewImage).map((r) => ({
    sequence: r.dynamodb!.SequenceNumber!,
    event: fromEventItem(r.dynamodb!.NewImage as Record<string, AttributeValue>),
  }));
}
