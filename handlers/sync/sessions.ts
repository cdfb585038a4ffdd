import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createHash, randomBytes } from "node:crypto";

/** A reader's place in a feed: where its last call stopped. */
export interface Session {
  id: string;
  /** The feed position after the last item this session was shown; none yet for a new session. */
  position?: string;
}

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Browser sessions of a read API, in a table with TTL on `expiresAt` (epoch seconds). Only a hash
 * of the session id is stored, so the table's contents cannot be replayed as cookies. DynamoDB
 * deletes expired items within days, not seconds, so reads ignore an expired session themselves.
 */
export class SessionStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
    private readonly ttlSeconds: number,
  ) {}

  private key(id: string) {
    return { pk: { S: `session#${createHash("sha256").update(id).digest("base64url")}` } };
  }

  private expiresAt(now: Date) {
    return String(Math.floor(now.getTime() / 1000) + this.ttlSeconds);
  }

  /** The live session with this id; undefined for a malformed, unknown or expired id. */
  async find(id: string | undefined, now: Date): Promise<Session | undefined> {
    if (!id || !SESSION_ID.test(id)) return undefined;
    const { Item } = await this.db.send(new GetItemCommand({ TableName: this.table, Key: this.key(id), ConsistentRead: true }));
    if (!Item || Number(Item.expiresAt?.N ?? 0) * 1000 <= now.getTime()) return undefined;
    return { id, position: Item.position?.S };
  }

  /** A new session (256 random bits, base64url), already at `position` when given: one write. */
  async create(now: Date, position?: string): Promise<Session> {
    const id = randomBytes(32).toString("base64url");
    await this.db.send(
      new PutItemCommand({
        TableName: this.table,
        Item: { ...this.key(id), createdAt: { S: now.toISOString() }, expiresAt: { N: this.expiresAt(now) }, ...(position ? { position: { S: position } } : {}) },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
    return { id, position };
  }

  /**
   * Moves the session to `position` and extends its life. Positions only move forward: of two
   * concurrent calls with one cookie, the one that read less does not wind the other back.
   */
  async advance(session: Session, position: string | undefined, now: Date): Promise<void> {
    const moving = position !== undefined && position !== session.position;
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.key(session.id),
          UpdateExpression: moving ? "SET expiresAt = :exp, #position = :position" : "SET expiresAt = :exp",
          ConditionExpression: moving ? "attribute_exists(pk) AND (attribute_not_exists(#position) OR #position < :position)" : "attribute_exists(pk)",
          ExpressionAttributeNames: moving ? { "#position": "position" } : undefined,
          ExpressionAttributeValues: { ":exp": { N: this.expiresAt(now) }, ...(moving ? { ":position": { S: position } } : {}) },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/**
 * How many new sessions one client (by source IP) may start per minute in this function instance.
 * A script that never sends the cookie back would otherwise write a session item per request;
 * past the budget it still gets its page, just no session (and no write). The stage's throttling
 * bounds the request rate across instances. Example: `new NewSessionBudget(20)`.
 */
export class NewSessionBudget {
  private readonly used = new Map<string, { minute: number; count: number }>();
  constructor(private readonly perMinute: number) {}

  /** True (and counted) when `client` may start another session at `now`. */
  take(client: string, now: Date): boolean {
    const minute = Math.floor(now.getTime() / 60_000);
    // Forget last minute's clients once the map grows: memory stays bounded under a flood of addresses.
    if (this.used.size > 10_000) for (const [key, entry] of this.used) if (entry.minute !== minute) this.used.delete(key);
    const entry = this.used.get(client);
    if (!entry || entry.minute !== minute) {
      this.used.set(client, { minute, count: 1 });
      return true;
    }
    if (entry.count >= this.perMinute) return false;
    entry.count++;
    return true;
  }
}
