/**
 * The streaming rendition of an event's uploaded video (issue #19): the event item's
 * `videoRendition` attribute, written by the video pipeline (VIDEO-PIPELINE owns how; this is the
 * shared contract) and read by the views and the stream route (video-stream.ts).
 * Layout in the media bucket: `events/<eventId>/hls/<uploadId>/` holds the master playlist (≥ 2
 * variants, relative URIs), the variant playlists and segments beside it, and the poster.
 */
export interface VideoRendition {
  state: "processing" | "ready" | "failed";
  /** The upload's S3 key it was made from. Example: `"events/0199…/video/0199…"`. */
  source: string;
  /** The transcoding job (MediaConvert's id, or the local ffmpeg run's). */
  jobId: string;
  /** 1 for the first job, +1 per retry. */
  attempt: number;
  /** When the state was last set (ISO). */
  at: string;
  /** When ready: the S3 key of the HLS master playlist. Example: `"events/0199…/hls/0199…/index.m3u8"`. */
  playlist?: string;
  /** When ready: the S3 key of the poster JPEG. Example: `"events/0199…/hls/0199…/poster.jpg"`. */
  poster?: string;
  /** When failed: a short reason, no personal data. */
  error?: string;
}

export type VideoState = VideoRendition["state"];
