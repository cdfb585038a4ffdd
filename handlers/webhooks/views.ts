import { maskEmail } from "../shared/mask";
import type { Meeting } from "./meeting-state";
import type { StoredEvent } from "./event-store";

/**
 * What the read API and the live view show. The API is public to the website, so emails are
 * masked and join links left out; the full bodies stay in the table for whoever runs the stack.
 */
export function meetingView(meeting: Meeting) {
  const invitees = Object.entries(meeting.invitees).map(([id, i]) => ({
    id,
    name: i.name,
    email: maskEmail(i.email),
    status: i.status,
    rescheduledTo: i.rescheduledTo,
    rescheduledFrom: i.rescheduledFrom,
  }));
  return {
    id: meeting.id,
    name: meeting.name,
    startTime: meeting.startTime,
    endTime: meeting.endTime,
    status: meeting.status,
    rescheduledTo: invitees.find((i) => i.rescheduledTo)?.rescheduledTo,
    invitees,
    updatedAt: meeting.updatedAt,
  };
}

export function eventView(event: StoredEvent) {
  const payload = (event.body as { payload?: { name?: string; email?: string; rescheduled?: boolean } } | undefined)?.payload;
  return {
    id: event.id,
    source: event.source,
    type: event.type,
    occurredAt: event.occurredAt,
    receivedAt: event.receivedAt,
    meetingId: event.meetingId,
    invitee: payload?.email ? { name: payload.name, email: maskEmail(payload.email) } : undefined,
    rescheduled: payload?.rescheduled,
  };
}

export type MeetingView = ReturnType<typeof meetingView>;
export type EventView = ReturnType<typeof eventView>;
