import { createHash } from "node:crypto";
import type { EventRecord } from "./event-store";
import type { EventChange } from "./notification-job";

/**
 * The event fields whose change is mailed to the invitees (answer yes or pending) of a published
 * event. The store bumps the event's `revision` in the same write as a change of any of them, so
 * each such change has its own identity for the once-per-change key.
 */
export const NOTIFYING_FIELDS = ["startsAt", "joinUrl"] as const;
type NotifyingField = (typeof NOTIFYING_FIELDS)[number];

/** Whether applying `patch` to `current` changes a notifying field (a field set to undefined or null clears it). */
export function changesNotifyingField(current: Partial<Record<NotifyingField, unknown>>, patch: Partial<Record<NotifyingField, unknown>>): boolean {
  return NOTIFYING_FIELDS.some((field) => field in patch && (patch[field] ?? undefined) !== (current[field] ?? undefined));
}

/**
 * A join link's fingerprint: the first 16 hex digits of its SHA-256, "" for no link. Change jobs
 * carry this instead of the link (the link is shown only to confirmed attendees; the queue's
 * messages and dead letters should not hold it), and notify compares it with the current link's to
 * tell whether a later change replaced it.
 */
export const linkFingerprint = (url: string | undefined): string => (url ? createHash("sha256").update(url).digest("hex").slice(0, 16) : "");

/**
 * What changed between two published versions of an event (a stream record's old and new images),
 * for the invitees' change mail; undefined when nothing they are told about changed (a title or
 * description edit, a new cover). Both a moved start and a new join link in one write are one change.
 *
 * The id is the new image's `revision` when the write bumped it, else its `updatedAt` (a write path
 * that does not bump: still one id per write, the same on every redelivery of the record).
 */
export function changeBetween(old: EventRecord, next: EventRecord): EventChange | undefined {
  const startMoved = old.startsAt !== next.startsAt;
  const linkChanged = (old.joinUrl ?? "") !== (next.joinUrl ?? "");
  if (!startMoved && !linkChanged) return undefined;
  const id = next.revision !== undefined && next.revision !== old.revision ? `r${next.revision}` : `t${next.updatedAt}`;
  return {
    id,
    ...(startMoved ? { startsAt: { from: old.startsAt, to: next.startsAt } } : {}),
    ...(linkChanged ? { joinUrl: { to: linkFingerprint(next.joinUrl) } } : {}),
  };
}

/**
 * What of a change is still news when its mail is composed, from the event's current state: the
 * moved start if the start is still where this change put it, the join link if it is still the
 * one this change set. A part that a later change replaced is left out, because that later change
 * has its own mail (to every invitee whose answer is yes or pending then). Undefined when nothing
 * is left (the start moved back, or both parts were replaced): the mail is skipped.
 */
export function stillNews(change: EventChange, current: EventRecord): { movedFrom?: string; linkChanged: boolean } | undefined {
  const moved = change.startsAt !== undefined && current.startsAt === change.startsAt.to;
  const linkChanged = change.joinUrl !== undefined && linkFingerprint(current.joinUrl) === change.joinUrl.to;
  if (!moved && !linkChanged) return undefined;
  return { ...(moved ? { movedFrom: change.startsAt!.from } : {}), linkChanged };
}
