import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";

/** Why an address is never mailed again. */
export type SuppressionReason = "complaint";

export interface Suppression {
  /** Lower-cased. Example: `"ann@example.com"`. */
  email: string;
  reason: SuppressionReason;
  /** When the complaint was made (SES's time, ISO). */
  at: string;
  /** The event whose mail drew it, when known. */
  eventId?: string;
}

/**
 * The addresses this stack never mails again, for any event (tables.ts `suppressionsTable`). The
 * first complaint is kept: a redelivered or repeated one changes nothing.
 */
export class SuppressionStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    db: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(db, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** Records the address; false when it was suppressed already (left as it was). */
  async suppress(entry: Suppression): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...entry, email: entry.email.toLowerCase() }, ConditionExpression: "attribute_not_exists(email)" }));
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  /** The suppression of an address, if any. */
  async find(email: string): Promise<Suppression | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { email: email.toLowerCase() }, ConsistentRead: true }));
    return Item as Suppression | undefined;
  }
}
