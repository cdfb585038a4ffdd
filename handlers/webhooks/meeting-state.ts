/**
 * Latest status per meeting, merged so that arrival order never matters.
 *
 * A meeting is a scheduled event; its invitees each move one way only: active → canceled, or
 * active → rescheduled (canceled, with a link to the new booking). Merging keeps the furthest
 * state per invitee, so `invitee.canceled` before `invitee.created`, duplicates, or a reschedule's
 * two events in either order all end in the same meeting state. (Calendly sends a reschedule as
 * `invitee.canceled` with `new_invitee` on the old meeting and `invitee.created` with
 * `old_invitee` on the new one; either one alone is enough to mark the old meeting rescheduled.)
 */
export type InviteeStatus = "active" | "canceled" | "rescheduled";
export type MeetingStatus = "active" | "canceled" | "rescheduled";

const RANK: Record<InviteeStatus, number> = { active: 0, canceled: 1, rescheduled: 2 };

export interface MeetingLink {
  meetingId: string;
  inviteeId: string;
}

export interface InviteeState {
  status: InviteeStatus;
  name?: string;
  email?: string;
  /** For a rescheduled invitee: the booking that replaced it. */
  rescheduledTo?: MeetingLink;
  /** For an invitee that replaced another: the booking it replaced. */
  rescheduledFrom?: MeetingLink;
}

export interface MeetingDetails {
  name?: string;
  startTime?: string;
  endTime?: string;
  joinUrl?: string;
}

/** One event's effect on one meeting. */
export interface MeetingChange {
  meetingId: string;
  /** Known when the event carries the meeting itself; absent when only a link names it. */
  details?: MeetingDetails;
  inviteeId: string;
  invitee: InviteeState;
  /** The event's time, for `updatedAt`. */
  at: string;
  eventId: string;
}

export interface Meeting extends MeetingDetails {
  id: string;
  status: MeetingStatus;
  invitees: Record<string, InviteeState>;
  /** Newest event time merged in. */
  updatedAt: string;
  /** Ids of the events merged in (for idempotent re-application and debugging). */
  eventIds: string[];
}

function mergeInvitee(current: InviteeState | undefined, next: InviteeState): InviteeState {
  if (!current) return next;
  const winner = RANK[next.status] > RANK[current.status] ? next : current;
  return {
    status: winner.status,
    name: current.name ?? next.name,
    email: current.email ?? next.email,
    rescheduledTo: current.rescheduledTo ?? next.rescheduledTo,
    rescheduledFrom: current.rescheduledFrom ?? next.rescheduledFrom,
  };
}

/** A meeting is active while anyone is still coming; otherwise rescheduled if any booking moved; else canceled. */
export function meetingStatus(invitees: Record<string, InviteeState>): MeetingStatus {
  const states = Object.values(invitees).map((i) => i.status);
  if (states.length === 0 || states.includes("active")) return "active";
  return states.includes("rescheduled") ? "rescheduled" : "canceled";
}

/** Applies one change; applying the same change twice, or changes in any order, gives the same meeting. */
export function applyChange(current: Meeting | undefined, change: MeetingChange): Meeting {
  const invitees = { ...(current?.invitees ?? {}) };
  invitees[change.inviteeId] = mergeInvitee(invitees[change.inviteeId], change.invitee);
  const details: MeetingDetails = {
    name: current?.name ?? change.details?.name,
    startTime: current?.startTime ?? change.details?.startTime,
    endTime: current?.endTime ?? change.details?.endTime,
    joinUrl: current?.joinUrl ?? change.details?.joinUrl,
  };
  const eventIds = current?.eventIds.includes(change.eventId) ? current.eventIds : [...(current?.eventIds ?? []), change.eventId].sort();
  const updatedAt = current && current.updatedAt > change.at ? current.updatedAt : change.at;
  return { id: change.meetingId, ...stripUndefined(details), status: meetingStatus(invitees), invitees, updatedAt, eventIds };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
