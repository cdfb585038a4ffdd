// Kept hand-written (#17): the BatchGet UnprocessedKeys backoff is 3 lines; neither the SDK nor lib-dynamodb re-reads unprocessed keys.
import { BatchGetItemCommand, PutItemCommand, type BatchGetItemCommandOutput, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { setTimeout as sleep } from "node:timers/promises";

/** One record of another system as it goes into a mirror table. */
export interface MirrorItem {
  /** The record's id in its system: the item's `pk`. */
  pk: string;
  /** The record itself: stored as canonical JSON in the table's content attribute, and what "changed" means. */
  content: unknown;
  /** Top-level attributes for queries and readers (derived from the record: they change with it). */
  attributes?: Record<string, AttributeValue>;
}

export interface UpsertResult {
  /** Distinct items offered. */
  seen: number;
  created: number;
  updated: number;
  /** Stored exactly as offered: not written. */
  unchanged: number;
  failed: number;
  /** The first write errors, for the run's report. */
  errors: string[];
}

/** JSON with object keys sorted at every level, so the same record always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

const BATCH_GET_LIMIT = 100;
const WRITE_CONCURRENCY = 8;

/**
 * A DynamoDB table that mirrors records kept elsewhere, keyed `pk` = the record's id: upserted,
 * never deleted. Each upsert first reads what is stored (BatchGetItem, 100 keys a call, consistent)
 * and writes (PutItem) only the records that are new or differ, so a run over unchanged data makes
 * no writes; `syncedAt` therefore says when the record last changed here.
 */
export class MirrorTable {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
    /** Attribute holding the record's canonical JSON. */
    private readonly contentAttribute: string,
  ) {}

  async upsert(items: MirrorItem[], syncedAt: Date): Promise<UpsertResult> {
    const byPk = new Map(items.map((item) => [item.pk, item])); // the last copy of a repeated id wins
    const result: UpsertResult = { seen: byPk.size, created: 0, updated: 0, unchanged: 0, failed: 0, errors: [] };
    const stored = await this.read([...byPk.keys()]);
    const writes: { item: Record<string, AttributeValue>; isNew: boolean }[] = [];
    for (const item of byPk.values()) {
      const wanted: Record<string, AttributeValue> = { [this.contentAttribute]: { S: canonicalJson(item.content) }, ...item.attributes };
      const current = stored.get(item.pk);
      if (current && Object.entries(wanted).every(([name, value]) => sameValue(current[name], value))) {
        result.unchanged++;
        continue;
      }
      writes.push({ item: { ...wanted, pk: { S: item.pk }, syncedAt: { S: syncedAt.toISOString() } }, isNew: !current });
    }
    for (let i = 0; i < writes.length; i += WRITE_CONCURRENCY) {
      await Promise.all(
        writes.slice(i, i + WRITE_CONCURRENCY).map(async ({ item, isNew }) => {
          try {
            await this.db.send(new PutItemCommand({ TableName: this.table, Item: item }));
            if (isNew) result.created++;
            else result.updated++;
          } catch (error) {
            // One record DynamoDB refuses (too large, say) must not keep every other one out.
            result.failed++;
            if (result.errors.length < 3) result.errors.push(`${item.pk!.S}: ${(error as Error).message}`);
          }
        }),
      );
    }
    return result;
  }

  /** The stored items of these keys. */
  private async read(pks: string[]): Promise<Map<string, Record<string, AttributeValue>>> {
    const found = new Map<string, Record<string, AttributeValue>>();
    for (let i = 0; i < pks.length; i += BATCH_GET_LIMIT) {
      let keys: Record<string, AttributeValue>[] | undefined = pks.slice(i, i + BATCH_GET_LIMIT).map((pk) => ({ pk: { S: pk } }));
      for (let attempt = 0; keys?.length; attempt++) {
        if (attempt > 0) await sleep(Math.min(50 * 2 ** attempt, 2000));
        const answer: BatchGetItemCommandOutput = await this.db.send(new BatchGetItemCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of answer.Responses?.[this.table] ?? []) found.set(item.pk!.S!, item);
        keys = answer.UnprocessedKeys?.[this.table]?.Keys;
        if (keys?.length && attempt >= 8) throw new Error(`DynamoDB left ${keys.length} keys of ${this.table} unprocessed`);
      }
    }
    return found;
  }
}

/** Compares two attribute values as DynamoDB returns and takes them (one type key each). */
function sameValue(a: AttributeValue | undefined, b: AttributeValue): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
