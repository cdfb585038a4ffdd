import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import { httpHandler, jsonResponse, validate, type HttpHandler } from "../shared/http";
import { createObservability, type Observability } from "../shared/observability";
import { PAGE_DEFAULT_LIMIT, pageQuerySchema } from "../shared/paging";
import { HttpProblem } from "../shared/problem";
import { EventStore } from "./event-store";
import { MeetingStore } from "./meeting-store";
import { eventView, meetingView } from "./views";

export interface ReadDeps {
  events: EventStore;
  meetings: MeetingStore;
  obs: Observability;
  schemas: { PageQuery: ReturnType<typeof pageQuerySchema>; MeetingPath: z.ZodType<{ id: string }> };
}

/** The tables the read routes use. Example: `{ eventsTable: "calendly-events-9617299", meetingsTable: "calendly-meetings-68b7bbb" }`. */
export interface ReadSettings {
  eventsTable: string;
  meetingsTable: string;
}

export function readDeps(service: string, settings: ReadSettings): ReadDeps {
  return {
    events: new EventStore(new DynamoDBClient({}), settings.eventsTable),
    meetings: new MeetingStore(new DynamoDBClient({}), settings.meetingsTable),
    obs: createObservability(service),
    schemas: { PageQuery: pageQuerySchema(), MeetingPath: z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, "a meeting id") }) },
  };
}

/** `GET /meetings`: latest status per meeting, latest start first, paged. */
export function listMeetingsHandler({ meetings, obs, schemas }: ReadDeps): HttpHandler {
  return httpHandler(obs, async (event) => {
    const query = validate(schemas.PageQuery, event.queryStringParameters ?? {}, "query");
    const page = await meetings.list(query.limit ?? PAGE_DEFAULT_LIMIT, query.cursor);
    return jsonResponse(200, { items: page.items.map(meetingView), nextCursor: page.nextCursor });
  });
}

/** `GET /meetings/{id}/events`: the meeting's status and its event history, newest first, paged. */
export function meetingEventsHandler({ events, meetings, obs, schemas }: ReadDeps): HttpHandler {
  return httpHandler(obs, async (event) => {
    const { id } = validate(schemas.MeetingPath, event.pathParameters ?? {}, "path");
    const query = validate(schemas.PageQuery, event.queryStringParameters ?? {}, "query");
    const [meeting, page] = await Promise.all([meetings.get(id), events.history(id, query.limit ?? PAGE_DEFAULT_LIMIT, query.cursor)]);
    if (!meeting && page.items.length === 0) throw new HttpProblem("not-found", `No meeting has id ${id}.`);
    return jsonResponse(200, { meeting: meeting ? meetingView(meeting) : null, items: page.items.map(eventView), nextCursor: page.nextCursor });
  });
}
