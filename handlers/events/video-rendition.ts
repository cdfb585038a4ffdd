// The event's streaming rendition of its uploaded video (issue #19): one `videoRendition` map on the
// event item, written only by the video pipeline (transcode, video-status, retry), each write
// conditional on the upload it was made from still being the event's video and on the attempt, so a
// replaced upload, a late job event or a duplicate changes nothing. It never touches `updatedAt`:
// the rendition is the pipeline's bookkeeping, not an organizer's edit (whose optimistic check reads it).
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { EVENT_SK } from "./tables";

export const VIDEO_RENDITION_STATES = ["processing", "ready", "failed"] as const;
export type VideoRenditionState = (typeof VIDEO_RENDITION_STATES)[number];
/** What a view says of the video (the rendition's state). */
export type VideoState = VideoRenditionState;

/** The `videoRendition` attribute of an event item. */
export interface VideoRendition {
  state: VideoRenditionState;
  /** The upload's S3 key it is made from. Example: `"events/0199…/video/0199…"`. */
  source: string;
  /** The transcoding job's id ("" until the job is created). Example: `"1700000000000-abc123"`. */
  jobId: string;
  /** 1 for the upload, +1 per retry. */
  attempt: number;
  /** When the state was set (ISO). */
  at: string;
  /** S3 key of the HLS master playlist, when ready. Example: `"events/0199…/hls/0199…/index.m3u8"`. */
  playlist?: string;
  /** S3 key of the poster JPEG, when ready. Example: `"events/0199…/hls/0199…/poster.0000000.jpg"`. */
  poster?: string;
  /** Why it failed (short, no personal data), failed only. */
  error?: string;
}

/** How a job ended, as the status handler learned it. */
export type RenditionOutcome = { state: "ready"; playlist: string; poster: string } | { state: "failed"; error: string };

/** An upload's key: `events/<eventId>/video/<uploadId>` (MediaStore.uploadTicket). */
const VIDEO_KEY = /^events\/([0-9a-f-]{36})\/video\/([0-9a-f-]{36})$/;

/** The event and upload ids of a video upload's key, or undefined for any other key. */
export function parseVideoKey(key: string): { eventId: string; uploadId: string } | undefined {
  const match = VIDEO_KEY.exec(key);
  return match ? { eventId: match[1]!, uploadId: match[2]! } : undefined;
}

/** Where the rendition of an upload goes: `events/<eventId>/hls/<uploadId>/` (under the event's prefix: its clean-up and grants cover it). */
export const renditionPrefix = (eventId: string, uploadId: string) => `events/${eventId}/hls/${uploadId}/`;

/** Reason texts are kept short. */
export const MAX_ERROR_LENGTH = 200;

const isConditionFailure = (error: unknown) => (error as { name?: string }).name === "ConditionalCheckFailedException";

/** The attribute names rendition writes use (`source`, `state` and `key` are DynamoDB reserved words). */
const NAMES: Record<string, string> = { "#vr": "videoRendition", "#media": "media", "#video": "video", "#key": "key", "#source": "source", "#state": "state", "#attempt": "attempt", "#jobId": "jobId" };
/** The ones `expressions` use (DynamoDB refuses unused names). */
const namesIn = (...expressions: string[]) => Object.fromEntries(Object.entries(NAMES).filter(([name]) => expressions.some((e) => new RegExp(`${name}\\b`).test(e))));

/**
 * The `videoRendition` writes. Each resolves to the rendition written, or undefined when its
 * condition did not hold (nothing written): the caller decides whether that is a 409 or nothing.
 */
export class VideoRenditionStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    db: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(db, { marshallOptions: { removeUndefinedValues: true } });
  }

  private async write(eventId: string, condition: string, values: Record<string, unknown>, rendition: VideoRendition): Promise<VideoRendition | undefined> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: eventId, sk: EVENT_SK },
          ConditionExpression: condition,
          UpdateExpression: "SET #vr = :vr",
          ExpressionAttributeNames: namesIn(condition, "#vr"),
          ExpressionAttributeValues: { ...values, ":vr": rendition, ":source": rendition.source },
        }),
      );
      return rendition;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /**
   * Attempt 1 of a new upload: only while `source` is the event's current video and no rendition of
   * it exists yet (S3's duplicate notification of the same upload starts nothing).
   */
  startUpload(eventId: string, source: string, at: Date): Promise<VideoRendition | undefined> {
    return this.write(eventId, "#media.#video.#key = :source AND (attribute_not_exists(#vr) OR #vr.#source <> :source)", {}, { state: "processing", source, jobId: "", attempt: 1, at: at.toISOString() });
  }

  /** The next attempt after `failed` one (the organizer's retry), of the same, still current, upload; by its organizer only. */
  startRetry(eventId: string, failed: VideoRendition, organizerId: string, at: Date): Promise<VideoRendition | undefined> {
    return this.write(
      eventId,
      "organizerId = :me AND #media.#video.#key = :source AND #vr.#source = :source AND #vr.#state = :failed AND #vr.#attempt = :attempt",
      { ":me": organizerId, ":failed": "failed", ":attempt": failed.attempt },
      { state: "processing", source: failed.source, jobId: "", attempt: failed.attempt + 1, at: at.toISOString() },
    );
  }

  /** Records the job created for `rendition` (while it is still that attempt and no job is recorded). */
  async recordJob(eventId: string, rendition: VideoRendition, jobId: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: eventId, sk: EVENT_SK },
          ConditionExpression: "#vr.#source = :source AND #vr.#attempt = :attempt AND #vr.#jobId = :none",
          UpdateExpression: "SET #vr.#jobId = :jobId",
          ExpressionAttributeNames: namesIn("#vr #source #attempt #jobId"),
          ExpressionAttributeValues: { ":source": rendition.source, ":attempt": rendition.attempt, ":none": "", ":jobId": jobId },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Ends attempt `attempt` of `source`: ready or failed. Only while that upload is still the
   * event's video and that attempt is still processing: a late event of an old upload or attempt,
   * and the same event twice, change nothing (resolves to undefined).
   */
  finish(eventId: string, job: { source: string; attempt: number; jobId: string }, outcome: RenditionOutcome, at: Date): Promise<VideoRendition | undefined> {
    const rendition: VideoRendition = { source: job.source, jobId: job.jobId, attempt: job.attempt, at: at.toISOString(), ...(outcome.state === "failed" ? { ...outcome, error: outcome.error.slice(0, MAX_ERROR_LENGTH) } : outcome) };
    return this.write(eventId, "#media.#video.#key = :source AND #vr.#source = :source AND #vr.#attempt = :attempt AND #vr.#state = :processing", { ":attempt": job.attempt, ":processing": "processing" }, rendition);
  }
}
