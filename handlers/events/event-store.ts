// Kept hand-written (#17): the BatchWrite UnprocessedItems backoff is 5 lines; neither the SDK nor lib-dynamodb resends unprocessed items, and p-retry is ESM-only.
import { TransactionCanceledException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { randomBytes } from "node:crypto";
import { decodeCursor, encodeCursor } from "../shared/cursor";
import type { Page } from "../shared/page";
import { HttpProblem } from "../shared/problem";
import { uuidv7 } from "../shared/uuidv7";
import { changesNotifyingField } from "./event-changes";
import { DEFAULT_CATEGORY, type EventCategory } from "./categories";
import { listPublicEvents } from "./public-list";
import type { PublicSearch } from "./public-search";
import type { CreateEventInput, EventStatus, MediaKind, UpdateEventInput } from "./schemas";
import type { Payment } from "./payments/payment";
import type { Price } from "./payments/price";
import { DRAFT_LIST, ENDED_RETENTION_DAYS, EVENT_SK, INVITEE_SK_PREFIX, PUBLIC_LIST } from "./tables";
import type { VideoRendition } from "./video-rendition";

/** An uploaded (or announced) cover image or video: where it is in the media bucket. */
export interface MediaRef {
  key: string;
  contentType: string;
  size: number;
}

export interface EventRecord {
  id: string;
  organizerId: string;
  organizerEmail: string;
  title: string;
  description: string;
  startsAt: string;
  durationMinutes: number;
  visibility: "public" | "private";
  status: EventStatus;
  createdAt: string;
  updatedAt: string;
  publishedAt?: string;
  canceledAt?: string;
  media: Partial<Record<MediaKind, MediaRef>>;
  /** Where to attend (https); shown only as join-link.ts allows. */
  joinUrl?: string;
  /** How many invitations say yes now: kept exact by the answer transaction (absent in the item = 0). */
  confirmedCount?: number;
  /** Bumped with each change of the start or the join link (event-changes.ts): names the change in its mails' once-per-change key. Absent = 0. */
  revision?: number;
  /** The organizer's pick (categories.ts); items stored before categories read as the default. */
  category?: EventCategory;
  /** The monthly series this event is an occurrence of (series-store.ts), and which one (1-based). */
  seriesId?: string;
  occurrence?: number;
  /** The uploaded video's streaming rendition (video-rendition.ts): written by the video pipeline only. */
  videoRendition?: VideoRendition;
  /** A paid event's ticket (payments/price.ts); absent: free. */
  price?: Price;
}

export type Answer = "yes" | "no";

/** One recorded answer of an invitation. */
export interface AnswerRecord {
  answer: Answer;
  at: string;
}

/** The answer history keeps this many of the latest answers (answerSeq counts them all). */
export const ANSWER_HISTORY_MAX = 50;

export interface Invitation {
  eventId: string;
  email: string;
  status: "pending" | Answer;
  invitedAt: string;
  answeredAt?: string;
  /** Part of every RSVP token of this invitation (see rsvp-token.ts). */
  nonce: string;
  /** How many times the answer changed (0: never answered); numbers each answer, e.g. for the "you're in" mail's key. */
  answerSeq: number;
  /** The latest answers, oldest first, at most ANSWER_HISTORY_MAX. */
  history: AnswerRecord[];
  /** Mail to this address cannot be delivered (SES reported it: handlers/events/feedback.ts); absent while none failed. */
  undeliverable?: Undeliverable;
  /** A paid event's payment by this invitee (payments/payment.ts): pending at Stripe Checkout, or paid. */
  payment?: Payment;
  /** Checkout attempts so far (each a Stripe Idempotency-Key of its own); kept when a pending payment is cleared. */
  paymentAttempts?: number;
}

/** Why an invitation's mail does not arrive: a permanent bounce, or the invitee complained (never mailed again). */
export interface Undeliverable {
  reason: "bounce" | "complaint";
  /** When SES reported it (ISO). */
  at: string;
}

/** An answer as recorded: `changed` is false when it was already the current one (nothing written). */
export interface AnswerOutcome {
  invitation: Invitation;
  changed: boolean;
}

/** Who acts: the signed-in organizer (from the JWT's claims). */
export interface Organizer {
  id: string;
  email: string;
}

const DAY_MS = 86_400_000;
export const endOf = (e: Pick<EventRecord, "startsAt" | "durationMinutes">) => new Date(Date.parse(e.startsAt) + e.durationMinutes * 60_000);
/** TTL: 90 days after the end, in epoch seconds. */
export const expiresAt = (e: Pick<EventRecord, "startsAt" | "durationMinutes">) => Math.floor((endOf(e).getTime() + ENDED_RETENTION_DAYS * DAY_MS) / 1000);

const LIST_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[0-9a-f-]{36}$/;

type Item = Record<string, unknown>;

function toEvent(item: Item): EventRecord {
  return {
    id: item.pk as string,
    organizerId: item.organizerId as string,
    organizerEmail: item.organizerEmail as string,
    title: item.title as string,
    description: item.description as string,
    startsAt: item.startsAt as string,
    durationMinutes: item.durationMinutes as number,
    visibility: item.visibility as EventRecord["visibility"],
    status: item.status as EventStatus,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    ...(item.publishedAt ? { publishedAt: item.publishedAt as string } : {}),
    ...(item.canceledAt ? { canceledAt: item.canceledAt as string } : {}),
    media: (item.media as EventRecord["media"]) ?? {},
    ...(item.joinUrl ? { joinUrl: item.joinUrl as string } : {}),
    confirmedCount: (item.confirmedCount as number | undefined) ?? 0,
    ...(item.revision !== undefined ? { revision: Number(item.revision) } : {}),
    category: (item.category as EventCategory | undefined) ?? DEFAULT_CATEGORY,
    ...(item.seriesId ? { seriesId: item.seriesId as string, occurrence: item.occurrence as number } : {}),
    ...(item.videoRendition ? { videoRendition: item.videoRendition as VideoRendition } : {}),
    ...(item.price ? { price: item.price as Price } : {}),
  };
}

function toInvitation(item: Item): Invitation {
  return {
    eventId: item.pk as string,
    email: (item.sk as string).slice(INVITEE_SK_PREFIX.length),
    status: item.status as Invitation["status"],
    invitedAt: item.invitedAt as string,
    ...(item.answeredAt ? { answeredAt: item.answeredAt as string } : {}),
    nonce: item.nonce as string,
    answerSeq: (item.answerSeq as number | undefined) ?? 0,
    history: (item.history as AnswerRecord[] | undefined) ?? [],
    ...(item.undeliverable ? { undeliverable: item.undeliverable as Undeliverable } : {}),
    ...(item.payment ? { payment: item.payment as Payment } : {}),
    ...(item.paymentAttempts !== undefined ? { paymentAttempts: Number(item.paymentAttempts) } : {}),
  };
}

/** The stream's images carry these shapes too (fanout.ts). */
export const itemToEvent = toEvent;
export const itemToInvitation = toInvitation;
export const isEventItem = (item: Item) => item.sk === EVENT_SK;
export const isInvitationItem = (item: Item) => typeof item.sk === "string" && item.sk.startsWith(INVITEE_SK_PREFIX);

/** Why an event takes no answers now, or undefined when it does. */
export function answersClosed(event: EventRecord, now: string): string | undefined {
  if (event.status === "canceled") return "The event was canceled.";
  if (event.status === "draft") return "The event is not published.";
  if (event.startsAt <= now) return "The event has started; answers are closed.";
  return undefined;
}

/** A new draft's item (an occurrence of a series carries `series`). */
export function newEventItem(input: Omit<CreateEventInput, "recurrence" | "category"> & { category?: EventCategory }, organizer: Organizer, at: Date, id: string, series?: { seriesId: string; occurrence: number }): Item {
  const now = at.toISOString();
  return {
    pk: id,
    sk: EVENT_SK,
    organizerId: organizer.id,
    organizerEmail: organizer.email,
    title: input.title,
    titleLower: input.title.toLowerCase(),
    description: input.description,
    startsAt: input.startsAt,
    durationMinutes: input.durationMinutes,
    visibility: input.visibility,
    category: input.category ?? DEFAULT_CATEGORY,
    status: "draft",
    draftList: DRAFT_LIST,
    createdAt: now,
    updatedAt: now,
    media: {},
    expiresAt: expiresAt(input),
    joinUrl: input.joinUrl,
    price: input.price ?? undefined,
    ...series,
  };
}

/** One conditional UpdateItem's parts (for a single write or a transaction's Update). */
export interface EventUpdate {
  Key: { pk: string; sk: string };
  ConditionExpression: string;
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * An edit of `current` by `organizerId`: allowed before the start unless canceled, and only on the
 * version seen (`updatedAt`), since the listing keys are computed from it. `extra` sets more
 * attributes in the same write (a series split re-tags its occurrences).
 */
export function eventUpdate(current: EventRecord, patch: UpdateEventInput, organizerId: string, at: Date, extra: Record<string, unknown> = {}): EventUpdate {
  const next = { ...current, ...patch };
  const names: Record<string, string> = { "#status": "status", "#updatedAt": "updatedAt" };
  const values: Record<string, unknown> = { ":me": organizerId, ":canceled": "canceled", ":now": at.toISOString(), ":seen": current.updatedAt, ":expiresAt": expiresAt(next) };
  const sets = ["#updatedAt = :now", "expiresAt = :expiresAt"];
  const remove: string[] = [];
  for (const [field, value] of Object.entries({ ...patch, ...extra })) {
    names[`#${field}`] = field;
    // null removes an optional field (the join link).
    if (value === null) {
      remove.push(`#${field}`);
      continue;
    }
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  // A change the invitees are told about gets its own revision, in the same conditional write.
  if (changesNotifyingField(current, patch)) {
    values[":zero"] = 0;
    values[":one"] = 1;
    sets.push("revision = if_not_exists(revision, :zero) + :one");
  }
  if (patch.title !== undefined) {
    values[":titleLower"] = patch.title.toLowerCase();
    sets.push("titleLower = :titleLower");
  }
  // Public listing follows visibility while published.
  if (patch.visibility !== undefined && current.status === "published") {
    if (patch.visibility === "public") {
      values[":publicList"] = PUBLIC_LIST;
      sets.push("publicList = :publicList");
      // The popularity index (tables.ts) lists only items that have a count.
      values[":zero"] = 0;
      sets.push("confirmedCount = if_not_exists(confirmedCount, :zero)");
    } else remove.push("publicList");
  }
  return {
    Key: { pk: current.id, sk: EVENT_SK },
    ConditionExpression: "organizerId = :me AND #status <> :canceled AND startsAt > :now AND #updatedAt = :seen",
    UpdateExpression: `SET ${sets.join(", ")}${remove.length ? ` REMOVE ${remove.join(", ")}` : ""}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** draft → published, before the start; public events join the public list. `visibility` as read, so the list key matches. */
export function eventPublish(id: string, visibility: string | undefined, organizerId: string, at: Date): EventUpdate {
  const isPublic = visibility === "public";
  return {
    Key: { pk: id, sk: EVENT_SK },
    ConditionExpression: "organizerId = :me AND #status = :draft AND startsAt > :now AND visibility = :visibility",
    // The popularity index (tables.ts) lists only items that have a count: 0 until the first "yes".
    UpdateExpression: `SET #status = :published, publishedAt = :now, updatedAt = :now${isPublic ? ", publicList = :public, confirmedCount = if_not_exists(confirmedCount, :zero)" : ""} REMOVE draftList`,
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: { ":me": organizerId, ":draft": "draft", ":published": "published", ":now": at.toISOString(), ":visibility": visibility ?? "", ...(isPublic ? { ":public": PUBLIC_LIST, ":zero": 0 } : {}) },
  };
}

/** → canceled, before the end, unless already canceled; leaves the public list. */
export function eventCancel(id: string, current: EventRecord | undefined, organizerId: string, at: Date): EventUpdate {
  return {
    Key: { pk: id, sk: EVENT_SK },
    ConditionExpression: "organizerId = :me AND #status <> :canceled AND :now < :endsAt",
    UpdateExpression: "SET #status = :canceled, canceledAt = :now, updatedAt = :now REMOVE publicList, draftList",
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: { ":me": organizerId, ":canceled": "canceled", ":now": at.toISOString(), ":endsAt": current ? endOf(current).toISOString() : "" },
  };
}

export const isConditionFailure = (error: unknown) => (error as { name?: string }).name === "ConditionalCheckFailedException";

/**
 * The events platform's data in one DynamoDB table (tables.ts). Every change is one conditional
 * write that checks who acts and what state the event is in, so a refused request changes nothing
 * and two racing requests cannot both win; when a condition fails the current item is read to say
 * exactly why (404, 403 or 409).
 */
export class EventStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    db: DynamoDBClient,
    private readonly tableName: string,
    /** Where popularity snapshots are kept (public-list.ts); only the public list's function names it. */
    private readonly snapshotsTable?: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(db, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(id: string): Promise<EventRecord | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: id, sk: EVENT_SK }, ConsistentRead: true }));
    return Item ? toEvent(Item) : undefined;
  }

  async create(input: Omit<CreateEventInput, "recurrence" | "category"> & { category?: EventCategory }, organizer: Organizer, at: Date): Promise<EventRecord> {
    const item = newEventItem(input, organizer, at, uuidv7(at.getTime()));
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: "attribute_not_exists(pk)" }));
    return toEvent(item);
  }

  /**
   * Why a conditional change of `id` by `organizer` was refused: the event is missing (404),
   * someone else's (403), or in a state that does not allow it (409, with `stateProblem`).
   */
  private async explain(id: string, organizer: Organizer, stateProblem: (e: EventRecord) => string | undefined): Promise<HttpProblem> {
    const event = await this.get(id);
    if (!event) return new HttpProblem("not-found", `No event ${id}.`);
    if (event.organizerId !== organizer.id) return new HttpProblem("forbidden", "Only the event's organizer can do this.");
    return new HttpProblem("conflict", stateProblem(event) ?? "The event changed meanwhile; read it and try again.");
  }

  /** Edits: any time before the start unless canceled. A new start must be in the future (checked by the caller). */
  async update(id: string, patch: UpdateEventInput, organizer: Organizer, at: Date): Promise<EventRecord> {
    const current = await this.get(id);
    if (!current) throw new HttpProblem("not-found", `No event ${id}.`);
    try {
      const { Attributes } = await this.doc.send(new UpdateCommand({ TableName: this.tableName, ...eventUpdate(current, patch, organizer.id, at), ReturnValues: "ALL_NEW" }));
      return toEvent(Attributes!);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw await this.explain(id, organizer, (e) => (e.status === "canceled" ? "The event is canceled." : e.startsAt <= at.toISOString() ? "The event has started; it can no longer change." : undefined));
    }
  }

  /** draft → published, before the start. Public events join the public list. */
  async publish(id: string, organizer: Organizer, at: Date): Promise<EventRecord> {
    const now = at.toISOString();
    const current = await this.get(id);
    try {
      const { Attributes } = await this.doc.send(new UpdateCommand({ TableName: this.tableName, ...eventPublish(id, current?.visibility, organizer.id, at), ReturnValues: "ALL_NEW" }));
      return toEvent(Attributes!);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw await this.explain(id, organizer, (e) =>
        e.status !== "draft" ? `The event is ${e.status}; only a draft can be published.` : e.startsAt <= now ? "The start time has passed: move it before publishing." : undefined,
      );
    }
  }

  /** Before the end, unless already canceled. Leaves the public list; the stream tells the invitees. */
  async cancel(id: string, organizer: Organizer, at: Date): Promise<EventRecord> {
    const current = await this.get(id);
    try {
      const { Attributes } = await this.doc.send(new UpdateCommand({ TableName: this.tableName, ...eventCancel(id, current, organizer.id, at), ReturnValues: "ALL_NEW" }));
      return toEvent(Attributes!);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw await this.explain(id, organizer, (e) => (e.status === "canceled" ? "The event is already canceled." : "The event has ended."));
    }
  }

  /** Records an announced upload (the presigned PUT's key) on the event. */
  async setMedia(id: string, kind: MediaKind, ref: MediaRef, organizer: Organizer, at: Date): Promise<void> {
    const now = at.toISOString();
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: id, sk: EVENT_SK },
          ConditionExpression: "organizerId = :me AND #status <> :canceled AND startsAt > :now",
          UpdateExpression: "SET media.#kind = :ref, updatedAt = :now",
          ExpressionAttributeNames: { "#status": "status", "#kind": kind },
          ExpressionAttributeValues: { ":me": organizer.id, ":canceled": "canceled", ":now": now, ":ref": ref },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw await this.explain(id, organizer, (e) => (e.status === "canceled" ? "The event is canceled." : "The event has started."));
    }
  }

  /** Sets the event's video rendition as the pipeline reports it (an existing event only). */
  async setVideoRendition(id: string, rendition: VideoRendition): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: id, sk: EVENT_SK },
        ConditionExpression: "attribute_exists(pk)",
        UpdateExpression: "SET videoRendition = :rendition",
        ExpressionAttributeValues: { ":rendition": rendition },
      }),
    );
  }

  /** The organizer's own view: the event if it is theirs (404/403 otherwise). */
  async getOwned(id: string, organizer: Organizer): Promise<EventRecord> {
    const event = await this.get(id);
    if (!event) throw new HttpProblem("not-found", `No event ${id}.`);
    if (event.organizerId !== organizer.id) throw new HttpProblem("forbidden", "Only the event's organizer can see this.");
    return event;
  }

  /**
   * Adds invitations (existing ones are left as they are). Allowed before the start of an event
   * that is not canceled; `max` bounds the invitations per event. Returns the newly invited.
   */
  async invite(id: string, emails: string[], organizer: Organizer, at: Date, max: number): Promise<{ added: string[]; existing: string[] }> {
    const event = await this.getOwned(id, organizer);
    if (event.status === "canceled") throw new HttpProblem("conflict", "The event is canceled.");
    if (event.startsAt <= at.toISOString()) throw new HttpProblem("conflict", "The event has started; no more invitations.");
    const current = new Set((await this.invitations(id)).map((i) => i.email));
    const unique = [...new Set(emails)];
    const fresh = unique.filter((e) => !current.has(e));
    if (current.size + fresh.length > max) throw new HttpProblem("conflict", `An event has at most ${max} invitations (${current.size} so far).`);
    const added: string[] = [];
    for (const email of fresh) {
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: id, sk: `${INVITEE_SK_PREFIX}${email}`, status: "pending", invitedAt: at.toISOString(), nonce: randomBytes(12).toString("base64url") },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        added.push(email);
      } catch (error) {
        if (!isConditionFailure(error)) throw error; // invited meanwhile by a racing request
      }
    }
    return { added, existing: unique.filter((e) => !added.includes(e)) };
  }

  async invitation(id: string, email: string): Promise<Invitation | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: id, sk: `${INVITEE_SK_PREFIX}${email}` }, ConsistentRead: true }));
    return Item ? toInvitation(Item) : undefined;
  }

  /** Every invitation of an event, by address. */
  async invitations(id: string): Promise<Invitation[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": id, ":prefix": INVITEE_SK_PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items.map(toInvitation);
  }

  /**
   * Records an answer of a verified invitation link: one answer at a time, any number of changes
   * until the start, each recorded. The answer that is already current changes nothing (no write,
   * so no stream record and no mail). A change is one transaction: the event must be published and
   * not started, and gains +1/−1 `confirmedCount` when the answer moves to or from yes; the
   * invitation must still have the answer and sequence number read here (and the link's nonce),
   * so two racing changes cannot both count: the loser re-reads and goes again.
   */
  async answer(id: string, email: string, answer: Answer, nonce: string, at: Date): Promise<AnswerOutcome> {
    const now = at.toISOString();
    for (let attempt = 0; attempt < 8; attempt++) {
      const [event, invitation] = await Promise.all([this.get(id), this.invitation(id, email)]);
      if (!invitation || invitation.nonce !== nonce) throw new HttpProblem("invalid-token", "This invitation link is no longer valid.");
      if (!event) throw new HttpProblem("not-found", "The event no longer exists.");
      const closed = answersClosed(event, now);
      if (closed) throw new HttpProblem("event-closed", closed);
      if (invitation.status === answer) return { invitation, changed: false };
      const moved = (answer === "yes" ? 1 : 0) - (invitation.status === "yes" ? 1 : 0);
      // A yes recorded before the count existed leaves a count of 0 as it is: never below 0
      // (conditioned on the count as read, so this stays exact under races too).
      const clamped = moved < 0 && (event.confirmedCount ?? 0) <= 0;
      const delta = clamped ? 0 : moved;
      const countCheck = moved >= 0 ? "" : clamped ? " AND (attribute_not_exists(confirmedCount) OR confirmedCount <= :zero)" : " AND confirmedCount > :zero";
      const eventOpen = {
        TableName: this.tableName,
        Key: { pk: id, sk: EVENT_SK },
        ConditionExpression: `#status = :published AND startsAt > :now${countCheck}`,
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":published": "published", ":now": now, ...(moved < 0 ? { ":zero": 0 } : {}) } as Item,
      };
      const seq = invitation.answerSeq + 1;
      const history = [...invitation.history, { answer, at: now }].slice(-ANSWER_HISTORY_MAX);
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              // The count moves only with a change to or from yes (pending → no leaves it).
              delta ? { Update: { ...eventOpen, UpdateExpression: "ADD confirmedCount :delta", ExpressionAttributeValues: { ...eventOpen.ExpressionAttributeValues, ":delta": delta } } } : { ConditionCheck: eventOpen },
              {
                Update: {
                  TableName: this.tableName,
                  Key: { pk: id, sk: `${INVITEE_SK_PREFIX}${email}` },
                  ConditionExpression: `nonce = :nonce AND #status = :previous AND ${invitation.answerSeq ? "answerSeq = :seen" : "attribute_not_exists(answerSeq)"}`,
                  UpdateExpression: "SET #status = :answer, answeredAt = :now, answerSeq = :seq, history = :history",
                  ExpressionAttributeNames: { "#status": "status" },
                  ExpressionAttributeValues: { ":nonce": nonce, ":previous": invitation.status, ":answer": answer, ":now": now, ":seq": seq, ":history": history, ...(invitation.answerSeq ? { ":seen": invitation.answerSeq } : {}) },
                },
              },
            ],
          }),
        );
        return { invitation: { ...invitation, status: answer, answeredAt: now, answerSeq: seq, history }, changed: true };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        // The event closed meanwhile, the answer changed meanwhile, or a racing transaction held
        // one of the items (TransactionConflict): read again and decide again.
        await new Promise((r) => setTimeout(r, 10 + Math.random() * 20 * 2 ** attempt));
      }
    }
    throw new HttpProblem("conflict", "The answer kept changing meanwhile; try again.");
  }

  /**
   * Marks an invitation's mail undeliverable (SES's feedback). Only an existing invitation (a
   * bounce for an event removed meanwhile creates nothing), and only forward: a bounce marks an
   * unmarked invitation, a complaint also replaces a bounce; the same report twice (SNS delivers at
   * least once) changes nothing. Resolves to whether it changed the invitation.
   */
  async markUndeliverable(id: string, email: string, mark: Undeliverable): Promise<boolean> {
    const replaceable = mark.reason === "complaint" ? " OR undeliverable.#reason <> :complaint" : "";
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: id, sk: `${INVITEE_SK_PREFIX}${email.toLowerCase()}` },
          ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(undeliverable)${replaceable})`,
          UpdateExpression: "SET undeliverable = :mark",
          ...(replaceable ? { ExpressionAttributeNames: { "#reason": "reason" } } : {}),
          ExpressionAttributeValues: { ":mark": { reason: mark.reason, at: mark.at }, ...(replaceable ? { ":complaint": "complaint" } : {}) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** A page of an index partition, newest first, optionally filtered by title word. */
  private async listIndex(index: string, keyName: string, keyValue: string, sortName: string, limit: number, cursor: string | undefined, titleWord?: string): Promise<Page<EventRecord>> {
    let start: Record<string, unknown> | undefined;
    if (cursor) {
      const key = decodeCursor(cursor, LIST_KEY);
      const [sort, id] = [key.slice(0, 24), key.slice(25)];
      start = { [keyName]: keyValue, [sortName]: sort, pk: id, sk: EVENT_SK };
    }
    const items: EventRecord[] = [];
    // Read one item past the page (a title filter can leave reads short: read on, bounded): only
    // that extra item proves a next page, since DynamoDB sets LastEvaluatedKey whenever Limit is hit.
    for (let reads = 0; reads < 10 && items.length <= limit; reads++) {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index,
          KeyConditionExpression: "#k = :k",
          ...(titleWord ? { FilterExpression: "contains(titleLower, :word)" } : {}),
          ExpressionAttributeNames: { "#k": keyName },
          ExpressionAttributeValues: { ":k": keyValue, ...(titleWord ? { ":word": titleWord.toLowerCase() } : {}) },
          ScanIndexForward: false,
          Limit: titleWord ? Math.max(limit + 1, 50) : limit + 1 - items.length,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []).map(toEvent));
      start = page.LastEvaluatedKey;
      if (!start) break;
    }
    const sortOf = (e: EventRecord) => (sortName === "publishedAt" ? e.publishedAt! : e.updatedAt);
    const shown = items.slice(0, limit);
    const last = shown.at(-1);
    if (items.length > limit) return { items: shown, nextCursor: encodeCursor(`${sortOf(last!)}#${last!.id}`) };
    // The reads ran out before the page filled: the next page goes on from where they stopped.
    if (start) return { items: shown, nextCursor: encodeCursor(`${start[sortName] as string}#${start.pk as string}`) };
    return { items: shown, nextCursor: null };
  }

  /** Public, published events: searched, sorted and paged as `search` says (public-list.ts). */
  listPublic(search: PublicSearch, at: Date): Promise<Page<EventRecord>> {
    return listPublicEvents(this.doc, { eventsTable: this.tableName, snapshotsTable: this.snapshotsTable }, search, at, toEvent);
  }

  /** The organizer's events in every state, last edited first. */
  listByOrganizer(organizerId: string, limit: number, cursor?: string) {
    return this.listIndex("byOrganizer", "organizerId", organizerId, "updatedAt", limit, cursor);
  }

  /** Drafts not edited since `before` (oldest first), for the clean-up. */
  async staleDrafts(before: Date, limit = 100): Promise<{ id: string; updatedAt: string }[]> {
    const { Items } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "draftsByUpdated",
        KeyConditionExpression: "draftList = :draft AND updatedAt < :before",
        ExpressionAttributeValues: { ":draft": DRAFT_LIST, ":before": before.toISOString() },
        Limit: limit,
      }),
    );
    return (Items ?? []).map((i) => ({ id: i.pk as string, updatedAt: i.updatedAt as string }));
  }

  /** Deletes a draft only if it is still a draft and untouched since the clean-up looked. */
  async deleteDraft(id: string, updatedAt: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: id, sk: EVENT_SK },
          ConditionExpression: "#status = :draft AND updatedAt = :seen",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":draft": "draft", ":seen": updatedAt },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Deletes every invitation of a removed event (the stream's REMOVE: clean-up or TTL). */
  async deleteInvitations(id: string): Promise<number> {
    const invitations = await this.invitations(id);
    for (let i = 0; i < invitations.length; i += 25) {
      let requests = invitations.slice(i, i + 25).map((inv) => ({ DeleteRequest: { Key: { pk: id, sk: `${INVITEE_SK_PREFIX}${inv.email}` } } }));
      for (let attempt = 0; requests.length; attempt++) {
        if (attempt === 8) throw new Error(`Could not delete ${requests.length} invitations of ${id}`);
        const { UnprocessedItems } = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = (UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
        if (requests.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
    return invitations.length;
  }
}
