import type { S3Event } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createObservability } from "../../shared/observability";
import { EventStore } from "../event-store";
import { parseVideoKey, VideoRenditionStore } from "../video-rendition";
import { startJob, type JobRunner, type StartJobDeps, type TranscodeSettings } from "./jobs";
import { mediaConvertRunner } from "./mediaconvert";

export interface TranscodeDeps extends StartJobDeps {
  store: EventStore;
}

/** Where the transcode function's data lives (handlers/events/functions.ts reads them from the environment). */
export interface TranscodeValues extends TranscodeSettings {
  /** Example: `"events-events-1a2b3c4"`. */
  eventsTable: string;
}

/** Builds the clients once per cold start; local mode passes its own runner (the ffmpeg one). */
export function transcodeDeps(service: string, values: TranscodeValues, runner?: JobRunner): TranscodeDeps {
  const db = new DynamoDBClient({});
  return {
    store: new EventStore(db, values.eventsTable),
    renditions: new VideoRenditionStore(db, values.eventsTable),
    runner: runner ?? mediaConvertRunner(),
    settings: { mediaBucket: values.mediaBucket, roleArn: values.roleArn, queue: values.queue },
    obs: createObservability(service),
    now: () => new Date(),
  };
}

/** S3 keys in event notifications are URL-encoded, spaces as `+` (S3's documented event structure). */
const decodeKey = (key: string) => decodeURIComponent(key.replace(/\+/g, " "));

/**
 * The media bucket's ObjectCreated notifications (filtered to `events/` by S3) → one transcoding job
 * per new video upload. Only a key that is an event's *current* video starts anything (a replaced
 * upload, a cover image, an HLS output are ignored), and only once per upload (S3 may notify twice:
 * the rendition write is conditional). A failed write throws, so Lambda retries the invocation.
 */
export function transcodeHandler(deps: TranscodeDeps) {
  const { store, renditions, obs, now } = deps;
  return async (event: S3Event): Promise<void> => {
    for (const record of event.Records ?? []) {
      if (!record.eventName?.startsWith("ObjectCreated:") || record.s3?.bucket?.name !== deps.settings.mediaBucket) continue;
      const key = decodeKey(record.s3.object.key);
      const parsed = parseVideoKey(key);
      if (!parsed) continue; // covers, HLS outputs, outbox mail: not ours
      const current = await store.get(parsed.eventId);
      if (current?.media.video?.key !== key) {
        obs.logger.info("upload ignored: not the event's current video", { eventId: parsed.eventId, uploadId: parsed.uploadId });
        continue;
      }
      const rendition = await renditions.startUpload(parsed.eventId, key, now());
      if (!rendition) {
        obs.logger.info("upload ignored: already transcoding or replaced", { eventId: parsed.eventId, uploadId: parsed.uploadId });
        continue;
      }
      await startJob(deps, parsed.eventId, rendition);
    }
    if (obs.metrics.hasStoredMetrics()) obs.metrics.publishStoredMetrics();
  };
}
