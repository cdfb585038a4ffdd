// Starting one attempt's transcoding job (the upload's S3 event and the organizer's retry share it):
// the job description (transcode-job.ts) goes to whatever runs jobs — MediaConvert in the stacks,
// the ffmpeg runner locally — and the job's id is recorded on the rendition. A job that cannot be
// started marks the attempt failed (the organizer can retry), so nothing stays "processing" forever.
import type { CreateJobCommandInput } from "@aws-sdk/client-mediaconvert";
import type { Observability } from "../../shared/observability";
import { parseVideoKey, type VideoRendition, type VideoRenditionStore } from "../video-rendition";
import { transcodeJob } from "./transcode-job";

/** What runs a job description: MediaConvert's CreateJob, or local/emulators/mediaconvert-ffmpeg.ts. */
export interface JobRunner {
  createJob(job: CreateJobCommandInput): Promise<{ jobId: string }>;
}

/** The settings every job of this stack shares. */
export interface TranscodeSettings {
  /** Example: `"events-media-1a2b3c4"`. */
  mediaBucket: string;
  /** The role MediaConvert runs jobs as. Example: `"arn:aws:iam::123456789012:role/events-transcode-…"`. */
  roleArn: string;
  /** The queue jobs go to (its ARN). Example: `"arn:aws:mediaconvert:us-west-2:123456789012:queues/Default"`. */
  queue: string;
}

export interface StartJobDeps {
  renditions: VideoRenditionStore;
  runner: JobRunner;
  settings: TranscodeSettings;
  obs: Observability;
  now: () => Date;
}

/** Creates the job of a rendition just written as processing; resolves to the rendition as it now is. */
export async function startJob(deps: StartJobDeps, eventId: string, rendition: VideoRendition): Promise<VideoRendition> {
  const { uploadId } = parseVideoKey(rendition.source)!;
  const job = transcodeJob({ bucket: deps.settings.mediaBucket, eventId, uploadId, key: rendition.source, attempt: rendition.attempt, roleArn: deps.settings.roleArn, queue: deps.settings.queue });
  let jobId: string;
  try {
    ({ jobId } = await deps.runner.createJob(job));
  } catch (error) {
    deps.obs.logger.error("transcoding job not created", { eventId, attempt: rendition.attempt, error: error as Error });
    const failed = await deps.renditions.finish(eventId, { ...rendition }, { state: "failed", error: "The transcoding job could not be started." }, deps.now());
    return failed ?? rendition;
  }
  await deps.renditions.recordJob(eventId, rendition, jobId);
  deps.obs.logger.info("transcoding job created", { eventId, attempt: rendition.attempt, jobId });
  return { ...rendition, jobId };
}
