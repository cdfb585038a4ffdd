import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createObservability, type Observability } from "../../shared/observability";
import { MAX_ERROR_LENGTH, parseVideoKey, renditionPrefix, VideoRenditionStore, type RenditionOutcome } from "../video-rendition";
import { jobMetadataOf } from "./transcode-job";

/** The EventBridge rule's pattern: MediaConvert's state changes that end a job of this stack (its bucket marks them). */
export function jobStateChangePattern(mediaBucket: string) {
  return {
    source: ["aws.mediaconvert"],
    "detail-type": ["MediaConvert Job State Change"],
    detail: { status: ["COMPLETE", "ERROR"], userMetadata: { mediaBucket: [mediaBucket] } },
  };
}

/** The part of MediaConvert's "MediaConvert Job State Change" event the status handler reads. */
export interface JobStateChange {
  source?: string;
  "detail-type"?: string;
  detail?: {
    status?: string;
    jobId?: string;
    userMetadata?: unknown;
    errorCode?: number;
    errorMessage?: string;
    outputGroupDetails?: { type?: string; playlistFilePaths?: string[]; outputDetails?: { outputFilePaths?: string[] }[] }[];
  };
}

export interface VideoStatusDeps {
  renditions: VideoRenditionStore;
  mediaBucket: string;
  obs: Observability;
  now: () => Date;
}

export interface VideoStatusValues {
  /** Example: `"events-events-1a2b3c4"`. */
  eventsTable: string;
  /** Example: `"events-media-1a2b3c4"`. */
  mediaBucket: string;
}

export function videoStatusDeps(service: string, values: VideoStatusValues): VideoStatusDeps {
  return { renditions: new VideoRenditionStore(new DynamoDBClient({}), values.eventsTable), mediaBucket: values.mediaBucket, obs: createObservability(service), now: () => new Date() };
}

/** `s3://<bucket>/<key>` → key, only in our bucket and under `prefix`. */
function keyIn(url: string | undefined, bucket: string, prefix: string): string | undefined {
  const head = `s3://${bucket}/${prefix}`;
  return url?.startsWith(head) && !url.slice(head.length).includes("..") ? url.slice(`s3://${bucket}/`.length) : undefined;
}

/** A short reason without paths (MediaConvert's messages may name the input's S3 URL). */
function reasonOf(code: number | undefined, message: string | undefined): string {
  const text = (message ?? "").replace(/s3:\/\/\S+/g, "the input").replace(/\s+/g, " ").trim();
  return `Transcoding failed${code !== undefined ? ` (MediaConvert error ${code})` : ""}${text ? `: ${text}` : "."}`.slice(0, MAX_ERROR_LENGTH);
}

/**
 * MediaConvert's job state changes (EventBridge) → the event's video ready (the master playlist and
 * the poster, as MediaConvert reports them) or failed (a short reason). Only for the upload and
 * attempt the job's metadata names, and only while that attempt is processing: a late event for an
 * old upload or attempt, and a duplicate delivery, change nothing. Events that are not a finished job
 * of this stack are ignored; a failed write throws, so EventBridge's asynchronous invocation retries.
 */
export function videoStatusHandler(deps: VideoStatusDeps) {
  const { renditions, mediaBucket, obs, now } = deps;
  return async (event: JobStateChange): Promise<void> => {
    const detail = event.detail;
    const metadata = jobMetadataOf(detail?.userMetadata);
    const upload = metadata && parseVideoKey(metadata.uploadKey);
    if (event.source !== "aws.mediaconvert" || !detail || (detail.status !== "COMPLETE" && detail.status !== "ERROR") || metadata?.mediaBucket !== mediaBucket || upload?.eventId !== metadata.eventId) {
      obs.logger.info("job event ignored: not a finished job of this stack", { status: detail?.status, jobId: detail?.jobId });
      return;
    }
    let outcome: RenditionOutcome;
    if (detail.status === "ERROR") outcome = { state: "failed", error: reasonOf(detail.errorCode, detail.errorMessage) };
    else {
      const prefix = renditionPrefix(upload.eventId, upload.uploadId);
      const groups = detail.outputGroupDetails ?? [];
      const playlist = keyIn(groups.find((g) => g.type === "HLS_GROUP")?.playlistFilePaths?.[0], mediaBucket, prefix);
      const poster = keyIn(groups.find((g) => g.type === "FILE_GROUP")?.outputDetails?.[0]?.outputFilePaths?.[0], mediaBucket, prefix);
      outcome = playlist?.endsWith(".m3u8") && poster?.endsWith(".jpg") ? { state: "ready", playlist, poster } : { state: "failed", error: "The job completed without a playlist or a poster." };
    }
    const job = { source: metadata.uploadKey, attempt: Number(metadata.attempt), jobId: detail.jobId ?? "" };
    const written = await renditions.finish(upload.eventId, job, outcome, now());
    obs.logger.info(written ? `video ${outcome.state}` : "job event changed nothing: an old upload or attempt, or already applied", { eventId: upload.eventId, attempt: job.attempt, jobId: job.jobId, state: outcome.state });
  };
}
