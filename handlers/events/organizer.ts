import { jsonResponse, readJsonBody, validate, type HttpEvent } from "../shared/http";
import type { HttpHandler } from "../shared/http";
import { PAGE_DEFAULT_LIMIT } from "../shared/paging";
import { HttpProblem } from "../shared/problem";
import { signedInUser } from "./claims";
import type { EventsApiDeps } from "./deps";
import { dispatch } from "./dispatch";
import type { EventRecord } from "./event-store";
import { monthlyStarts, RecurrenceError } from "./recurrence";
import { INVITES_PER_EVENT, MAX_LEAD_DAYS } from "./schemas";
import { seriesSummary } from "./series-view";
import { organizerEvent } from "./organizer-event";
import { eventSummary, invitationsView } from "./views";

/** Request bodies are small JSON documents. */
export const ORGANIZER_MAX_BODY_BYTES = 16 * 1024;

/**
 * The organizer's routes (all behind the JWT authorizer): create, edit, publish, cancel, invite,
 * the attendee list, media uploads, and their own events. Only the organizer of an event may
 * change it or see its invitations; anyone else gets a 403 and nothing changes.
 */
export function organizerHandler(deps: EventsApiDeps): HttpHandler {
  const { store, series, media, obs, schemas, now } = deps;
  const eventId = (event: HttpEvent) => validate(schemas.EventId, event.pathParameters?.id, "path");
  const noQuery = (event: HttpEvent) => validate(schemas.NoQuery, event.queryStringParameters ?? {}, "query");
  const body = <S extends Parameters<typeof validate>[0]>(schema: S, event: HttpEvent) => validate(schema, readJsonBody(event, ORGANIZER_MAX_BODY_BYTES), "body");
  /** A start must be ahead of now and within the planning horizon. */
  const checkStart = (startsAt: string | undefined, at: Date) => {
    if (startsAt === undefined) return;
    const t = Date.parse(startsAt);
    const problem = t <= at.getTime() ? "must be in the future" : t > at.getTime() + MAX_LEAD_DAYS * 86_400_000 ? `must be within ${MAX_LEAD_DAYS} days` : undefined;
    if (problem) throw new HttpProblem("validation-failed", `The body has 1 problem(s): #/startsAt ${problem}`, [{ pointer: "#/startsAt", detail: problem }]);
  };
  const latestStart = (at: Date) => at.getTime() + MAX_LEAD_DAYS * 86_400_000;
  /** `?scope=this|following` (default this). */
  const scopeOf = (event: HttpEvent) => validate(schemas.ScopeQuery, event.queryStringParameters ?? {}, "query").scope ?? "this";
  /** "following" is about an occurrence of a series and the later ones: true when it applies to `e`. */
  const following = (scope: string, e: EventRecord) => {
    if (scope === "following" && !e.seriesId) throw new HttpProblem("validation-failed", "The query has 1 problem(s): #/scope following needs an occurrence of a series", [{ pointer: "#/scope", detail: "following needs an occurrence of a series" }]);
    return scope === "following";
  };
  const withMedia = (e: EventRecord) => organizerEvent(deps, e);

  return dispatch("organizer", obs, {
    async createEvent(event) {
      const organizer = signedInUser(event);
      noQuery(event);
      const { recurrence, ...input } = body(schemas.CreateEvent, event);
      const at = now();
      checkStart(input.startsAt, at);
      if (recurrence) {
        let starts: string[];
        try {
          starts = monthlyStarts(input.startsAt, recurrence, { latest: latestStart(at) });
        } catch (error) {
          if (!(error instanceof RecurrenceError)) throw error;
          const pointer = `#/recurrence/${error.field}`;
          throw new HttpProblem("validation-failed", `The body has 1 problem(s): ${pointer} ${error.message}`, [{ pointer, detail: error.message }]);
        }
        // The first occurrence, with the series summary: the organizer goes on from it.
        const { occurrences } = await series.create(input, recurrence, starts, organizer, at);
        const first = occurrences[0]!;
        return jsonResponse(201, await withMedia(first), { location: `/me/events/${first.id}` });
      }
      const created = await store.create(input, organizer, at);
      return jsonResponse(201, await withMedia(created), { location: `/me/events/${created.id}` });
    },

    async listMyEvents(event) {
      const organizer = signedInUser(event);
      const { limit = PAGE_DEFAULT_LIMIT, cursor } = validate(schemas.PageQuery, event.queryStringParameters ?? {}, "query");
      const page = await store.listByOrganizer(organizer.id, limit, cursor);
      return jsonResponse(200, { items: page.items.map(eventSummary), nextCursor: page.nextCursor });
    },

    async getMyEvent(event) {
      const organizer = signedInUser(event);
      const id = eventId(event);
      noQuery(event);
      return jsonResponse(200, await withMedia(await store.getOwned(id, organizer)));
    },

    async getMySeries(event) {
      const organizer = signedInUser(event);
      const id = validate(schemas.SeriesId, event.pathParameters?.id, "path");
      noQuery(event);
      const found = await series.getOwned(id, organizer);
      const occurrences = await series.occurrences(found);
      return jsonResponse(200, { series: seriesSummary(found), items: occurrences.map(eventSummary) });
    },

    async updateEvent(event) {
      const organizer = signedInUser(event);
      const id = eventId(event);
      const scope = scopeOf(event);
      const patch = body(schemas.UpdateEvent, event);
      const at = now();
      checkStart(patch.startsAt, at);
      const current = await store.getOwned(id, organizer);
      const updated = following(scope, current) ? await series.updateFollowing(current, patch, organizer, at, latestStart(at)) : await store.update(id, patch, organizer, at);
      return jsonResponse(200, await withMedia(updated));
    },

    async publishEvent(event) {
      const organizer = signedInUser(event);
      const id = eventId(event);
      const scope = scopeOf(event);
      const current = await store.getOwned(id, organizer);
      const published = following(scope, current) ? await series.publishFollowing(current, organizer, now()) : await store.publish(id, organizer, now());
      return jsonResponse(200, await withMedia(published));
    },

    async cancelEvent(event) {
      const organizer = signedInUser(event);
      const id = eventId(event);
      const scope = scopeOf(event);
      const current = await store.getOwned(id, organizer);
      const canceled = following(scope, current) ? await series.cancelFollowing(current, organizer, now()) : await store.cancel(id, organizer, now());
      return jsonResponse(200, await withMedia(canceled));
    },

    async inviteToEvent(event) {
      const organizer = signedInUser(event);
      const id = eventId(event);
      noQuery(event);
      const { emails } = body(schemas.Invite, event);
      const current = await store.getOwned(id, organizer);
      // An occurrence's invitations go to the series (every occurrence not started or canceled).
      const result = current.seriesId ? await series.invite(current, emails, organizer, now(), INVITES_PER_EVENT) : await store.invite(id, emails, organizer, now(), INVITES_PER_EVENT);
      return jsonResponse(result.added.length ? 201 : 200, result);
    },

    async listInvitations(event) {
      const organizer = signedInUser(event);
      const id = eventId(event);
      noQuery(event);
      const owned = await store.getOwned(id, organizer);
      // Mail that cannot reach them (SES bounced it, or they complained) is counted besides their
      // answer; a paid event's (or one that was) paid, paying and collected too.
      return jsonResponse(200, invitationsView(await store.invitations(id), owned));
    },

    async requestMediaUpload(event) {
      const organizer = signedInUser(event);
      const id = eventId(event);
      noQuery(event);
      const request = body(schemas.MediaUpload, event);
      const at = now();
      // Checked before presigning, so a stranger never gets a URL; setMedia re-checks atomically.
      await store.getOwned(id, organizer);
      const { ticket, ref } = await media.uploadTicket(id, request.kind, request.contentType, request.size, at);
      await store.setMedia(id, request.kind, ref, organizer, at);
      return jsonResponse(201, ticket);
    },
  });
}
