import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, NoSuchKey, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { HttpHandler } from "../shared/http";
import { createObservability, type Observability } from "../shared/observability";
import { HttpProblem } from "../shared/problem";
import type { SecretProvider } from "../shared/secret";
import { UUID_V7_PATTERN } from "../shared/uuidv7";
import { dispatch } from "./dispatch";
import { EventStore } from "./event-store";
import { PLAYLIST_FILE_PATTERN, rewritePlaylist } from "./hls-playlist";
import { MediaStore } from "./media";
import { s3ForcePathStyle } from "./s3-path-style";
import { streamTokenExpiry, STREAM_TOKEN_TTL_SECONDS, verifyStreamToken } from "./video-stream-token";

export interface VideoStreamDeps {
  store: EventStore;
  s3: S3Client;
  bucket: string;
  /** The stream key (video-stream-token.ts). */
  key: SecretProvider;
  obs: Observability;
  now: () => Date;
}

/** Content types S3 is asked to answer segments with (by extension): what players expect whatever the upload said. */
const SEGMENT_TYPES: Record<string, string> = { ts: "video/mp2t", m4s: "video/iso.segment", mp4: "video/mp4", aac: "audio/aac", vtt: "text/vtt", key: "application/octet-stream" };

/**
 * `GET /events/{id}/stream/{token}/{file}` (no sign-in: the token is the capability): a playlist
 * of the event's ready rendition, read from that rendition's folder only, with every segment URI
 * a presigned S3 GET valid as long as a token is (so a stream started late in the token's life
 * still plays to the end) and playlists left relative (they come back through this route). A
 * missing, malformed, expired, forged or foreign token — or one for a rendition that is not the
 * event's current one — is a 403 with no URL in it; a file that is no playlist of it, a 404.
 */
export function videoStreamHandler(deps: VideoStreamDeps): HttpHandler {
  const { store, s3, bucket, key, obs, now } = deps;
  const refused = (detail: string) => new HttpProblem("invalid-token", detail);
  return dispatch("stream", obs, {
    async streamVideoPlaylist(event) {
      const { id, token, file } = event.pathParameters ?? {};
      if (!id || !UUID_V7_PATTERN.test(id)) throw new HttpProblem("not-found", "No such event.");
      const expiresAt = streamTokenExpiry(token);
      if (expiresAt === undefined) throw refused("This video link is not valid: reload the event's page.");
      if (!file || !PLAYLIST_FILE_PATTERN.test(file)) throw new HttpProblem("not-found", "Only the rendition's playlists (.m3u8 files beside the master) are served here.");
      if (expiresAt * 1000 <= now().getTime()) throw refused("This video link has expired: reload the event's page.");
      const found = await store.get(id);
      const rendition = found?.videoRendition;
      // No event, no ready rendition, or a token for another event or rendition: all look alike.
      if (!rendition || rendition.state !== "ready" || !rendition.playlist || !verifyStreamToken(token!, { eventId: id, source: rendition.source }, await key())) {
        throw refused("This video link is not valid: reload the event's page.");
      }
      const folder = rendition.playlist.slice(0, rendition.playlist.lastIndexOf("/") + 1);
      // The pipeline's layout (video-rendition.ts); anything else is not served.
      if (!folder.startsWith(`${MediaStore.prefixOf(id)}hls/`)) throw new Error(`events: rendition of ${id} outside its hls/ folder`);
      let text: string;
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${folder}${file}` }));
        text = await object.Body!.transformToString("utf-8");
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey") throw new HttpProblem("not-found", `No playlist ${file} in this video.`);
        throw error;
      }
      const body = await rewritePlaylist(text, folder, (segment) => {
        const type = SEGMENT_TYPES[segment.slice(segment.lastIndexOf(".") + 1).toLowerCase()];
        return getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: segment, ...(type ? { ResponseContentType: type } : {}) }), { expiresIn: STREAM_TOKEN_TTL_SECONDS });
      });
      // Private: the playlist carries URLs for this viewer; a few minutes of reuse by the same browser is fine.
      return { statusCode: 200, headers: { "content-type": "application/vnd.apple.mpegurl", "cache-control": "private, max-age=300" }, body };
    },
  });
}

/** The clients, built once per cold start. */
export function videoStreamDeps(service: string, values: { eventsTable: string; mediaBucket: string; key: SecretProvider }): VideoStreamDeps {
  return {
    store: new EventStore(new DynamoDBClient({}), values.eventsTable),
    s3: new S3Client({ forcePathStyle: s3ForcePathStyle() }),
    bucket: values.mediaBucket,
    key: values.key,
    obs: createObservability(service),
    now: () => new Date(),
  };
}
