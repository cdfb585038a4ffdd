// Kept hand-written (#17): the BatchGet UnprocessedKeys resend is a few lines; neither the SDK nor lib-dynamodb resends unprocessed keys.
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createHash, randomUUID } from "node:crypto";
import { decodeCursor, encodeCursor } from "../shared/cursor";
import type { Page } from "../shared/page";
import { HttpProblem } from "../shared/problem";
import { DEFAULT_CATEGORY } from "./categories";
import type { EventRecord } from "./event-store";
import { POPULARITY_SNAPSHOT_MAX, POPULARITY_SNAPSHOT_MINUTES, PUBLIC_SORTS, type PublicSearch } from "./public-search";
import { MAX_DURATION_MINUTES } from "./limits";
import { EVENT_SK, PUBLIC_LIST } from "./tables";

/** Where the public list reads: the events table's public indexes, and the popularity snapshots. */
export interface PublicListTables {
  /** Example: `"events-events-1a2b3c4"`. */
  eventsTable: string;
  /** Example: `"events-list-snapshots-1a2b3c4"`; only the popularity sort needs it, from its second page on. */
  snapshotsTable?: string;
}

type Item = Record<string, unknown>;

/** Query calls per page of a keyset sort (filters can leave reads short); the cursor then goes on from the last read. */
const KEYSET_MAX_READS = 10;
/** The popularity snapshot looks at this many of the most-confirmed public events at most (10 reads of 500). */
const SNAPSHOT_READ = { pages: 10, perPage: 500 };

const ISO = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z`;
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const FINGERPRINT = "[A-Za-z0-9_-]{16}";
/** `k.<search>.<as of>.<sort key value>.<event id>`: where a keyset sort goes on. */
const KEYSET_CURSOR = new RegExp(`^k\\.(${FINGERPRINT})\\.(${ISO})\\.(${ISO})\\.(${UUID})$`);
/** `s.<search>.<snapshot id>.<offset>`: how far into a popularity snapshot. */
const SNAPSHOT_CURSOR = new RegExp(`^s\\.(${FINGERPRINT})\\.(${UUID})\\.(\\d{1,4})$`);

/**
 * What a cursor is bound to: the sort, the order and every filter (not the page size). A cursor
 * handed back with another search is refused, so a page never mixes two searches.
 */
export function searchFingerprint(s: PublicSearch): string {
  const parts = [s.sort, s.order, s.q?.toLowerCase(), s.category, s.createdAfter, s.createdBefore, s.startsAfter, s.startsBefore, s.minConfirmed, s.ended];
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 16);
}

/** Whether an event belongs in the list of `s` at `asOf`: the one definition every read applies. */
export function matchesSearch(e: EventRecord, s: PublicSearch, asOf: string): boolean {
  if (e.status !== "published" || e.visibility !== "public") return false;
  if (s.q && !e.title.toLowerCase().includes(s.q.toLowerCase())) return false;
  if (s.category && (e.category ?? DEFAULT_CATEGORY) !== s.category) return false;
  if ((s.createdAfter && e.createdAt < s.createdAfter) || (s.createdBefore && e.createdAt >= s.createdBefore)) return false;
  if ((s.startsAfter && e.startsAt < s.startsAfter) || (s.startsBefore && e.startsAt >= s.startsBefore)) return false;
  if (s.minConfirmed !== undefined && (e.confirmedCount ?? 0) < s.minConfirmed) return false;
  if (s.ended === "exclude" && Date.parse(e.startsAt) + e.durationMinutes * 60_000 <= Date.parse(asOf)) return false;
  return true;
}

const wrongSearch = () => new HttpProblem("invalid-cursor", "The cursor belongs to another search (sort, order or filters); start again without one.");

/**
 * A page of public, published events for `search`. The sorts over immutable keys (published,
 * created) and start page by keyset: the cursor names the last event's key, so a page goes on
 * exactly where the last one stopped whatever is answered meanwhile. Popularity changes with every
 * answer, so its first page ranks the matching events once and keeps that order (a snapshot of
 * ids, POPULARITY_SNAPSHOT_MINUTES long); later pages walk it, each event once.
 */
export async function listPublicEvents(doc: DynamoDBDocumentClient, tables: PublicListTables, search: PublicSearch, at: Date, toEvent: (item: Item) => EventRecord): Promise<Page<EventRecord>> {
  const fingerprint = searchFingerprint(search);
  const reader = { doc, tables, search, fingerprint, toEvent };
  if (search.sort === "popularity") {
    if (!search.cursor) return firstPopularityPage(reader, at.toISOString());
    const [, fp, snapshotId, offset] = SNAPSHOT_CURSOR.exec(decodeCursor(search.cursor, SNAPSHOT_CURSOR))!;
    if (fp !== fingerprint) throw wrongSearch();
    return snapshotPage(reader, snapshotId!, Number(offset), at);
  }
  if (!search.cursor) return keysetPage(reader, at.toISOString());
  const [, fp, asOf, value, id] = KEYSET_CURSOR.exec(decodeCursor(search.cursor, KEYSET_CURSOR))!;
  if (fp !== fingerprint) throw wrongSearch();
  return keysetPage(reader, asOf!, { value: value!, id: id! });
}

interface Reader {
  doc: DynamoDBDocumentClient;
  tables: PublicListTables;
  search: PublicSearch;
  fingerprint: string;
  toEvent: (item: Item) => EventRecord;
}

/** The part of a filter the index's own sort key can narrow (the rest is matchesSearch's). */
function keyRange(s: PublicSearch, asOf: string): { low?: string; high?: string } {
  if (s.sort === "created") return { low: s.createdAfter, high: s.createdBefore };
  if (s.sort !== "start") return {};
  // Not ended: started at most the longest duration ago.
  const notEnded = s.ended === "exclude" ? new Date(Date.parse(asOf) - MAX_DURATION_MINUTES * 60_000).toISOString() : undefined;
  const low = [s.startsAfter, notEnded].filter((t): t is string => t !== undefined).sort().at(-1);
  return { low, high: s.startsBefore };
}

async function keysetPage(r: Reader, asOf: string, after?: { value: string; id: string }): Promise<Page<EventRecord>> {
  const { search } = r;
  const { index, key } = PUBLIC_SORTS[search.sort];
  const { low, high } = keyRange(search, asOf);
  // A cursor outside the range was not issued for this search (DynamoDB would refuse the start key).
  if (after && ((low && after.value < low) || (high && after.value > high))) throw wrongSearch();
  const condition = low && high ? " AND #key BETWEEN :low AND :high" : low ? " AND #key >= :low" : high ? " AND #key < :high" : "";
  // Filters the key cannot apply leave reads short of the page: read more per call then.
  const filtering = Boolean(search.q || search.category || search.minConfirmed !== undefined || search.ended === "exclude" || search.createdAfter || search.createdBefore || search.startsAfter || search.startsBefore);
  let start: Item | undefined = after ? { publicList: PUBLIC_LIST, [key]: after.value, pk: after.id, sk: EVENT_SK } : undefined;
  const found: EventRecord[] = [];
  for (let reads = 0; reads < KEYSET_MAX_READS && found.length <= search.limit; reads++) {
    const page = await r.doc.send(
      new QueryCommand({
        TableName: r.tables.eventsTable,
        IndexName: index,
        KeyConditionExpression: `publicList = :list${condition}`,
        ExpressionAttributeNames: condition ? { "#key": key } : undefined,
        ExpressionAttributeValues: { ":list": PUBLIC_LIST, ...(low ? { ":low": low } : {}), ...(high ? { ":high": high } : {}) },
        ScanIndexForward: search.order === "asc",
        // One past the page: only that extra match proves a next page.
        Limit: Math.max(search.limit + 1 - found.length, filtering ? 50 : 1),
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const e = r.toEvent(item);
      if (matchesSearch(e, search, asOf)) found.push(e);
      if (found.length > search.limit) break;
    }
    start = page.LastEvaluatedKey;
    if (!start) break;
  }
  const items = found.slice(0, search.limit);
  const cursor = (value: string, id: string) => encodeCursor(`k.${r.fingerprint}.${asOf}.${value}.${id}`);
  const last = items.at(-1);
  if (found.length > search.limit) return { items, nextCursor: cursor(last![key as "publishedAt"]!, last!.id) };
  // The reads ran out before the page filled: the next page goes on from the last item read.
  if (start) return { items, nextCursor: cursor(start[key] as string, start.pk as string) };
  return { items, nextCursor: null };
}

/** A popularity snapshot: the ranked ids of one search at one moment. */
interface Snapshot {
  id: string;
  fingerprint: string;
  asOf: string;
  ids: string[];
  /** Epoch seconds (the table's TTL; reads check it too, since TTL deletes late). */
  expiresAt: number;
}

/** Ranks the matching events by confirmed count (ties: newest published first); keeps the ranking when there is a next page. */
async function firstPopularityPage(r: Reader, asOf: string): Promise<Page<EventRecord>> {
  const { search } = r;
  const ranked: EventRecord[] = [];
  let start: Item | undefined;
  // Read in the index's order (most or least confirmed first), so what is read is the true top.
  for (let reads = 0; reads < SNAPSHOT_READ.pages && ranked.length < POPULARITY_SNAPSHOT_MAX; reads++) {
    const page = await r.doc.send(
      new QueryCommand({
        TableName: r.tables.eventsTable,
        IndexName: PUBLIC_SORTS.popularity.index,
        KeyConditionExpression: `publicList = :list${search.minConfirmed !== undefined ? " AND confirmedCount >= :min" : ""}`,
        ExpressionAttributeValues: { ":list": PUBLIC_LIST, ...(search.minConfirmed !== undefined ? { ":min": search.minConfirmed } : {}) },
        ScanIndexForward: search.order === "asc",
        Limit: SNAPSHOT_READ.perPage,
        ExclusiveStartKey: start,
      }),
    );
    ranked.push(...(page.Items ?? []).map(r.toEvent).filter((e) => matchesSearch(e, search, asOf)));
    start = page.LastEvaluatedKey;
    if (!start) break;
  }
  const direction = search.order === "asc" ? 1 : -1;
  ranked.sort((a, b) => direction * ((a.confirmedCount ?? 0) - (b.confirmedCount ?? 0)) || (b.publishedAt ?? "").localeCompare(a.publishedAt ?? "") || b.id.localeCompare(a.id));
  const ids = ranked.slice(0, POPULARITY_SNAPSHOT_MAX);
  const items = ids.slice(0, search.limit);
  if (ids.length <= search.limit) return { items, nextCursor: null };
  const snapshot: Snapshot = {
    id: randomUUID(),
    fingerprint: r.fingerprint,
    asOf,
    ids: ids.map((e) => e.id),
    expiresAt: Math.floor(Date.parse(asOf) / 1000) + POPULARITY_SNAPSHOT_MINUTES * 60,
  };
  await r.doc.send(new PutCommand({ TableName: snapshotsTable(r), Item: snapshot, ConditionExpression: "attribute_not_exists(id)" }));
  return { items, nextCursor: snapshotCursor(r, snapshot, search.limit) };
}

const snapshotCursor = (r: Reader, snapshot: Snapshot, offset: number) => (offset < snapshot.ids.length ? encodeCursor(`s.${r.fingerprint}.${snapshot.id}.${offset}`) : null);

function snapshotsTable(r: Reader): string {
  if (!r.tables.snapshotsTable) throw new Error("The popularity sort needs the list snapshots table (PublicListTables.snapshotsTable)");
  return r.tables.snapshotsTable;
}

/** The next page of a snapshot: its events as they are now, those that no longer match left out. */
async function snapshotPage(r: Reader, snapshotId: string, offset: number, at: Date): Promise<Page<EventRecord>> {
  const { Item } = await r.doc.send(new GetCommand({ TableName: snapshotsTable(r), Key: { id: snapshotId }, ConsistentRead: true }));
  const snapshot = Item as Snapshot | undefined;
  if (!snapshot || snapshot.expiresAt * 1000 <= at.getTime()) {
    throw new HttpProblem("cursor-expired", `This ranking by popularity is more than ${POPULARITY_SNAPSHOT_MINUTES} minutes old (counts change with every answer); start again from the first page.`);
  }
  if (snapshot.fingerprint !== r.fingerprint) throw wrongSearch();
  if (offset > snapshot.ids.length || offset === 0) throw new HttpProblem("invalid-cursor", "The cursor was not issued by this API; start again without one.");
  const items: EventRecord[] = [];
  let next = offset;
  while (items.length < r.search.limit && next < snapshot.ids.length) {
    const ids = snapshot.ids.slice(next, next + r.search.limit - items.length);
    const byId = await batchGet(r, ids);
    for (const id of ids) {
      const e = byId.get(id);
      if (e && matchesSearch(e, r.search, snapshot.asOf)) items.push(e);
    }
    next += ids.length;
  }
  return { items, nextCursor: snapshotCursor(r, snapshot, next) };
}

/** The events of `ids` (at most 100), by id; missing ones (deleted meanwhile) are absent. */
async function batchGet(r: Reader, ids: string[]): Promise<Map<string, EventRecord>> {
  const found = new Map<string, EventRecord>();
  let keys: Item[] = ids.map((id) => ({ pk: id, sk: EVENT_SK }));
  for (let attempt = 0; keys.length; attempt++) {
    if (attempt === 8) throw new Error(`Could not read ${keys.length} events of a popularity snapshot`);
    const { Responses, UnprocessedKeys } = await r.doc.send(new BatchGetCommand({ RequestItems: { [r.tables.eventsTable]: { Keys: keys } } }));
    for (const item of Responses?.[r.tables.eventsTable] ?? []) found.set(item.pk as string, r.toEvent(item));
    keys = (UnprocessedKeys?.[r.tables.eventsTable]?.Keys ?? []) as Item[];
    if (keys.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
  }
  return found;
}
