import { TransactionCanceledException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { HttpProblem } from "../shared/problem";
import { uuidv7 } from "../shared/uuidv7";
import { endOf, eventCancel, eventPublish, eventUpdate, expiresAt, newEventItem, type EventRecord, type EventStore, type EventUpdate, type Organizer } from "./event-store";
import { localFields, withLocalTimeOf, type MonthlyBy } from "./recurrence";
import type { CreateEventInput, RecurrenceInput, UpdateEventInput } from "./schemas";
import { SERIES_SK } from "./tables";

/**
 * A monthly series: the rule, owned by the organizer, in one item (`pk` = series id, `sk` =
 * `series`), and the ids of its occurrences in order. Each occurrence is an event item of its own
 * (own id, RSVPs, reminder, clean-up and TTL) carrying `seriesId` and `occurrence`.
 */
export interface SeriesRecord {
  id: string;
  organizerId: string;
  frequency: "monthly";
  by: MonthlyBy;
  timeZone: string;
  until?: string;
  count?: number;
  /** The first occurrence's start: the rule's local time of day and weekday-of-month come from it. */
  firstStartsAt: string;
  occurrenceIds: string[];
  createdAt: string;
  /** Named apart from events' `updatedAt`: with it the rule would be in the `byOrganizer` index, among the events. */
  changedAt: string;
  /** A "this and following" edit ended this series and continued it as `continuedBy`; the new one `continues` it. */
  continues?: string;
  continuedBy?: string;
}

type Item = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]>[number];

function toSeries(item: Item): SeriesRecord {
  return {
    id: item.pk as string,
    organizerId: item.organizerId as string,
    frequency: "monthly",
    by: item.by as MonthlyBy,
    timeZone: item.timeZone as string,
    ...(item.until ? { until: item.until as string } : {}),
    ...(item.count ? { count: item.count as number } : {}),
    firstStartsAt: item.firstStartsAt as string,
    occurrenceIds: item.occurrenceIds as string[],
    createdAt: item.createdAt as string,
    changedAt: item.changedAt as string,
    ...(item.continues ? { continues: item.continues as string } : {}),
    ...(item.continuedBy ? { continuedBy: item.continuedBy as string } : {}),
  };
}

/** The series item's TTL: the latest TTL of its occurrences, so the rule outlives none of them. */
const seriesExpiresAt = (occurrences: Pick<EventRecord, "startsAt" | "durationMinutes">[]) => Math.max(...occurrences.map(expiresAt));

/** The local date (`YYYY-MM-DD`) the day before `start` in `zone`: where an edit of "this and following" ends the old rule. */
function dayBefore(start: string, zone: string): string {
  const l = localFields(Date.parse(start), zone);
  return new Date(Date.UTC(l.year, l.month - 1, l.day - 1)).toISOString().slice(0, 10);
}

/**
 * Series in the events table. Every change that touches several items is one DynamoDB transaction
 * (a series has at most 24 occurrences, so a transaction holds the rule and all of them): it
 * happens whole or not at all, and a refused or raced one leaves every item as it was.
 */
export class SeriesStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    db: DynamoDBClient,
    private readonly tableName: string,
    private readonly events: EventStore,
  ) {
    this.doc = DynamoDBDocumentClient.from(db, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(id: string): Promise<SeriesRecord | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: id, sk: SERIES_SK }, ConsistentRead: true }));
    return Item ? toSeries(Item) : undefined;
  }

  async getOwned(id: string, organizer: Organizer): Promise<SeriesRecord> {
    const series = await this.get(id);
    if (!series) throw new HttpProblem("not-found", `No series ${id}.`);
    if (series.organizerId !== organizer.id) throw new HttpProblem("forbidden", "Only the series' organizer can see this.");
    return series;
  }

  /** The occurrences still stored (the clean-up may have removed abandoned drafts), in order. */
  async occurrences(series: SeriesRecord): Promise<EventRecord[]> {
    const found = await Promise.all(series.occurrenceIds.map((id) => this.events.get(id)));
    return found.filter((e): e is EventRecord => e !== undefined);
  }

  /** The series of `event` with its occurrences, and where `event` is among them. */
  private async context(event: EventRecord, organizer: Organizer) {
    const series = await this.getOwned(event.seriesId!, organizer);
    const all = await this.occurrences(series);
    const index = all.findIndex((o) => o.id === event.id);
    if (index < 0) throw new HttpProblem("conflict", "The series changed meanwhile; read it and try again.");
    return { series, all, index, following: all.slice(index) };
  }

  /** Creates the series and every occurrence (drafts, starting at `starts`) in one transaction. */
  async create(input: Omit<CreateEventInput, "recurrence">, rule: RecurrenceInput, starts: string[], organizer: Organizer, at: Date): Promise<{ series: SeriesRecord; occurrences: EventRecord[] }> {
    const seriesId = uuidv7(at.getTime());
    const items = starts.map((startsAt, i) => newEventItem({ ...input, startsAt }, organizer, at, uuidv7(at.getTime()), { seriesId, occurrence: i + 1 }));
    const now = at.toISOString();
    const seriesItem: Item = {
      pk: seriesId,
      sk: SERIES_SK,
      organizerId: organizer.id,
      frequency: rule.frequency,
      by: rule.by,
      timeZone: rule.timeZone,
      until: rule.until,
      count: rule.count,
      firstStartsAt: starts[0],
      occurrenceIds: items.map((i) => i.pk),
      createdAt: now,
      changedAt: now,
      expiresAt: seriesExpiresAt(starts.map((startsAt) => ({ startsAt, durationMinutes: input.durationMinutes }))),
    };
    await this.transact([seriesItem, ...items].map((Item) => ({ Put: { TableName: this.tableName, Item, ConditionExpression: "attribute_not_exists(pk)" } })));
    return { series: toSeries(seriesItem), occurrences: (await Promise.all(items.map((i) => this.events.get(i.pk as string)))) as EventRecord[] };
  }

  /**
   * "This and following": the patch applies to `event` and every later occurrence that has not
   * started and is not canceled. A new start moves `event` to it and each later one to its local
   * time of day (in the series' zone), keeping their dates. Like calendar apps, the old rule ends
   * the day before `event` and a new series (continuing it) holds the changed occurrences, renumbered
   * from 1; from the series' first occurrence, the series itself changes instead. `latest` is the
   * planning horizon (ms).
   */
  async updateFollowing(event: EventRecord, patch: UpdateEventInput, organizer: Organizer, at: Date, latest: number): Promise<EventRecord> {
    const now = at.toISOString();
    if (event.status === "canceled") throw new HttpProblem("conflict", "The event is canceled.");
    if (event.startsAt <= now) throw new HttpProblem("conflict", "The event has started; it can no longer change.");
    const { series, all, index, following } = await this.context(event, organizer);
    const moving = following.filter((o) => o.status !== "canceled" && o.startsAt > now);
    const patchOf = (o: EventRecord): UpdateEventInput => {
      if (patch.startsAt === undefined || o.id === event.id) return patch;
      return { ...patch, startsAt: withLocalTimeOf(o.startsAt, patch.startsAt, series.timeZone) };
    };
    const patches = moving.map(patchOf);
    for (const p of patches) {
      if (p.startsAt !== undefined && Date.parse(p.startsAt) > latest) {
        throw new HttpProblem("validation-failed", `The body has 1 problem(s): #/startsAt moves a later occurrence (${p.startsAt}) past the planning horizon`, [{ pointer: "#/startsAt", detail: "moves a later occurrence past the planning horizon" }]);
      }
    }
    const moved = moving.map((o, i) => ({ ...o, ...patches[i] }));
    const newFirst = moved[0]!.startsAt;
    const writes: TransactItem[] = [];
    if (index === 0) {
      // From the first occurrence: the series keeps its id; its rule now starts here.
      moving.forEach((o, i) => writes.push({ Update: { TableName: this.tableName, ...eventUpdate(o, patches[i]!, organizer.id, at) } }));
      writes.push({ Update: { TableName: this.tableName, ...this.seriesUpdate(series, { firstStartsAt: newFirst, expiresAt: seriesExpiresAt([...moved, ...all.filter((o) => !moving.includes(o))]) }, [], at) } });
    } else {
      const nextId = uuidv7(at.getTime());
      const staying = all.filter((o) => !moving.includes(o));
      moving.forEach((o, i) => writes.push({ Update: { TableName: this.tableName, ...eventUpdate(o, patches[i]!, organizer.id, at, { seriesId: nextId, occurrence: i + 1 }) } }));
      const ended = { until: dayBefore(event.startsAt, series.timeZone), occurrenceIds: staying.map((o) => o.id), continuedBy: nextId, expiresAt: seriesExpiresAt(staying) };
      writes.push({ Update: { TableName: this.tableName, ...this.seriesUpdate(series, ended, ["#count"], at) } });
      const next: Item = {
        pk: nextId,
        sk: SERIES_SK,
        organizerId: organizer.id,
        frequency: series.frequency,
        by: series.by,
        timeZone: series.timeZone,
        ...(series.count !== undefined ? { count: moving.length } : { until: series.until }),
        firstStartsAt: newFirst,
        occurrenceIds: moving.map((o) => o.id),
        continues: series.id,
        createdAt: now,
        changedAt: now,
        expiresAt: seriesExpiresAt(moved),
      };
      writes.push({ Put: { TableName: this.tableName, Item: next, ConditionExpression: "attribute_not_exists(pk)" } });
    }
    await this.transact(writes);
    return (await this.events.get(event.id))!;
  }

  /** Publishes `event` and every later draft of its series that has not started, together. */
  async publishFollowing(event: EventRecord, organizer: Organizer, at: Date): Promise<EventRecord> {
    if (event.status !== "draft") throw new HttpProblem("conflict", `The event is ${event.status}; only a draft can be published.`);
    if (event.startsAt <= at.toISOString()) throw new HttpProblem("conflict", "The start time has passed: move it before publishing.");
    const { following } = await this.context(event, organizer);
    const drafts = following.filter((o) => o.status === "draft" && o.startsAt > at.toISOString());
    await this.transact(drafts.map((o) => ({ Update: { TableName: this.tableName, ...eventPublish(o.id, o.visibility, organizer.id, at) } })));
    return (await this.events.get(event.id))!;
  }

  /** Cancels `event` and every later occurrence of its series that is not canceled or ended, together. */
  async cancelFollowing(event: EventRecord, organizer: Organizer, at: Date): Promise<EventRecord> {
    if (event.status === "canceled") throw new HttpProblem("conflict", "The event is already canceled.");
    if (endOf(event) <= at) throw new HttpProblem("conflict", "The event has ended.");
    const { following } = await this.context(event, organizer);
    const open = following.filter((o) => o.status !== "canceled" && at < endOf(o));
    await this.transact(open.map((o) => ({ Update: { TableName: this.tableName, ...eventCancel(o.id, o, organizer.id, at) } })));
    return (await this.events.get(event.id))!;
  }

  /**
   * Invitations go to the series: every occurrence of `event`'s series that has not started and is
   * not canceled gets them (existing ones stay). The limit per event is checked on all of them before
   * any is written; each invitation is an item of its own, so a retry after a failure completes the
   * rest and changes none twice. `added` are the addresses new to at least one occurrence.
   */
  async invite(event: EventRecord, emails: string[], organizer: Organizer, at: Date, max: number): Promise<{ added: string[]; existing: string[]; occurrences: number }> {
    if (event.status === "canceled") throw new HttpProblem("conflict", "The event is canceled.");
    if (event.startsAt <= at.toISOString()) throw new HttpProblem("conflict", "The event has started; no more invitations.");
    const { all } = await this.context(event, organizer);
    const open = all.filter((o) => o.status !== "canceled" && o.startsAt > at.toISOString());
    const unique = [...new Set(emails)];
    for (const o of open) {
      const current = new Set((await this.events.invitations(o.id)).map((i) => i.email));
      const fresh = unique.filter((e) => !current.has(e)).length;
      if (current.size + fresh > max) throw new HttpProblem("conflict", `An event has at most ${max} invitations (occurrence ${o.occurrence} has ${current.size} so far).`);
    }
    const added = new Set<string>();
    for (const o of open) for (const email of (await this.events.invite(o.id, unique, organizer, at, max)).added) added.add(email);
    return { added: unique.filter((e) => added.has(e)), existing: unique.filter((e) => !added.has(e)), occurrences: open.length };
  }

  /** An update of the series item on the version read (two racing edits of one series cannot both win). */
  private seriesUpdate(series: SeriesRecord, set: Record<string, unknown>, remove: string[], at: Date): EventUpdate {
    const names: Record<string, string> = { "#changedAt": "changedAt", ...(remove.length ? { "#count": "count" } : {}) };
    const values: Record<string, unknown> = { ":me": series.organizerId, ":now": at.toISOString(), ":seen": series.changedAt };
    const sets = ["#changedAt = :now"];
    for (const [field, value] of Object.entries(set)) {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    return {
      Key: { pk: series.id, sk: SERIES_SK },
      ConditionExpression: "organizerId = :me AND #changedAt = :seen",
      UpdateExpression: `SET ${sets.join(", ")}${remove.length ? ` REMOVE ${remove.join(", ")}` : ""}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  /** All or nothing; a failed condition (a racing change) is a 409 and nothing was written. */
  private async transact(items: TransactItem[]): Promise<void> {
    if (!items.length) return;
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === "ConditionalCheckFailed")) {
        throw new HttpProblem("conflict", "The series changed meanwhile (an occurrence was edited, published, canceled or has started); read it and try again.");
      }
      throw error;
    }
  }
}
