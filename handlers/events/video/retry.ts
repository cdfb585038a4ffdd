import { jsonResponse, validate, type HttpHandler } from "../../shared/http";
import { HttpProblem } from "../../shared/problem";
import { signedInUser } from "../claims";
import { dispatch } from "../dispatch";
import { EventStore } from "../event-store";
import { eventSchemas } from "../schemas";
import { startJob, type JobRunner, type StartJobDeps } from "./jobs";
import { transcodeDeps, type TranscodeValues } from "./transcode";

export interface VideoRetryDeps extends StartJobDeps {
  store: EventStore;
}

/** The same clients as the transcode function's (one cold start's worth): the retry starts the same kind of job. */
export function videoRetryDeps(service: string, values: TranscodeValues, runner?: JobRunner): VideoRetryDeps {
  return transcodeDeps(service, values, runner);
}

/**
 * `POST /events/{id}/video/retry` (the organizer, signed in): a failed rendition of the event's
 * current video gets a new attempt from the same upload (202, the job runs). Anything else — no
 * video, still processing, ready, or a rendition of a replaced upload — is a 409 and changes nothing.
 */
export function videoRetryHandler(deps: VideoRetryDeps): HttpHandler {
  const { store, renditions, obs, now } = deps;
  const schemas = eventSchemas();
  return dispatch("video", obs, {
    async retryVideoTranscode(event) {
      const organizer = signedInUser(event);
      const id = validate(schemas.EventId, event.pathParameters?.id, "path");
      validate(schemas.NoQuery, event.queryStringParameters ?? {}, "query");
      const current = await store.getOwned(id, organizer);
      const failed = current.videoRendition;
      if (!current.media.video) throw new HttpProblem("conflict", "The event has no video.");
      if (failed?.state !== "failed" || failed.source !== current.media.video.key) throw new HttpProblem("conflict", `Only a failed video can be retried; it is ${failed && failed.source === current.media.video.key ? failed.state : "not transcoded yet"}.`);
      const next = await renditions.startRetry(id, failed, organizer.id, now());
      if (!next) throw new HttpProblem("conflict", "The video changed meanwhile; read the event and try again.");
      const started = await startJob(deps, id, next);
      return jsonResponse(202, { state: started.state, attempt: started.attempt, at: started.at, ...(started.error ? { error: started.error } : {}) });
    },
  });
}
