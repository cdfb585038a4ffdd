import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { uuidv7 } from "../shared/uuidv7";
import type { EventRecord, MediaRef } from "./event-store";
import type { MediaKind } from "./schemas";
import { videoView, type StreamSettings, type VideoView } from "./video-playback";

export interface UploadTicket {
  method: "PUT";
  url: string;
  /** Send exactly these headers: both are signed, so another type or size is refused by S3. */
  headers: { "content-type": string; "content-length": string };
  key: string;
  expiresAt: string;
}

/**
 * Cover images and videos in a private bucket, reached only through short-lived presigned URLs:
 * a PUT signed for one key, content type and exact size (the API checked both against the
 * limits), and GETs handed only to people allowed to see the event.
 */
export class MediaStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly expiresInSeconds = 900,
    /** Where a ready video's stream URL points and the key that signs it (the API's HTTP functions; video-playback.ts). */
    private readonly stream?: StreamSettings,
  ) {}

  static prefixOf(eventId: string) {
    return `events/${eventId}/`;
  }

  async uploadTicket(eventId: string, kind: MediaKind, contentType: string, size: number, at: Date): Promise<{ ticket: UploadTicket; ref: MediaRef }> {
    const key = `${MediaStore.prefixOf(eventId)}${kind}/${uuidv7(at.getTime())}`;
    const url = await getSignedUrl(this.s3, new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType, ContentLength: size }), {
      expiresIn: this.expiresInSeconds,
      signableHeaders: new Set(["content-type", "content-length"]),
      // Keep them as headers (not query parameters), so the browser must send exactly them.
      unhoistableHeaders: new Set(["content-type", "content-length"]),
    });
    return {
      ticket: { method: "PUT", url, headers: { "content-type": contentType, "content-length": String(size) }, key, expiresAt: new Date(at.getTime() + this.expiresInSeconds * 1000).toISOString() },
      ref: { key, contentType, size },
    };
  }

  /** Presigned GETs for the event's media (null where none was announced), and the video's rendition to play (`playback`, null without one). */
  async viewUrls(event: EventRecord, now = new Date()): Promise<Record<MediaKind, string | null> & { playback: VideoView | null }> {
    const url = async (ref: MediaRef | undefined) =>
      ref ? getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucket, Key: ref.key, ResponseContentType: ref.contentType }), { expiresIn: this.expiresInSeconds }) : null;
    const [cover, video, playback] = await Promise.all([
      url(event.media.cover),
      url(event.media.video),
      videoView(event, { s3: this.s3, bucket: this.bucket, stream: this.stream, now, posterTtlSeconds: this.expiresInSeconds }),
    ]);
    return { cover, video, playback };
  }

  /** Removes every object of an event (its data was removed). */
  async deleteAll(eventId: string): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: MediaStore.prefixOf(eventId), ContinuationToken: token }));
      const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length) {
        const result = await this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }));
        if (result.Errors?.length) throw new Error(`Could not delete ${result.Errors.length} media objects of ${eventId}: ${result.Errors[0]!.Message}`);
        deleted += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }
}
