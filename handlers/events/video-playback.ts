import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { SecretProvider } from "../shared/secret";
import type { EventRecord } from "./event-store";
import { PLAYLIST_FILE_PATTERN } from "./hls-playlist";
import type { VideoState } from "./video-rendition";
import { signStreamToken, STREAM_TOKEN_TTL_SECONDS } from "./video-stream-token";

/** The `video` field of an event's views: what the page needs to show and play the rendition. */
export interface VideoView {
  state: VideoState;
  /** A presigned GET of the poster (ready only). */
  posterUrl: string | null;
  /** The master playlist through the stream route, with a capability token in the path (ready only). */
  streamUrl: string | null;
}

/** Where stream URLs point and what signs them. */
export interface StreamSettings {
  /** The HTTP API's base URL, no trailing slash. Example: `"https://abc123.execute-api.us-west-2.amazonaws.com"`. */
  apiUrl: string;
  /** The stream key (video-stream-token.ts: derived from the RSVP key, a parameter of its own). */
  key: SecretProvider;
}

/** The path of a rendition's playlist on the API: `/events/{id}/stream/{token}/{file}` (routes.ts). */
export const streamPath = (eventId: string, token: string, file: string) => `/events/${eventId}/stream/${token}/${file}`;

/**
 * The `video` field for viewers the calling route has already allowed to see the event: null
 * without a rendition; its state; and, when ready, the poster (presigned) and a stream URL valid
 * STREAM_TOKEN_TTL_SECONDS. The key is read only when a ready rendition needs it.
 */
export async function videoView(e: EventRecord, deps: { s3: S3Client; bucket: string; stream?: StreamSettings; now: Date; posterTtlSeconds: number }): Promise<VideoView | null> {
  const r = e.videoRendition;
  if (!r) return null;
  if (r.state !== "ready" || !r.playlist) return { state: r.state, posterUrl: null, streamUrl: null };
  if (!deps.stream) throw new Error("events: a ready video needs the stream settings (API_URL, VIDEO_STREAM_KEY) in this function");
  const file = r.playlist.slice(r.playlist.lastIndexOf("/") + 1);
  if (!PLAYLIST_FILE_PATTERN.test(file)) throw new Error(`events: the rendition's playlist ${file.slice(0, 80)} is no playlist file name`);
  const expiresAt = Math.floor(deps.now.getTime() / 1000) + STREAM_TOKEN_TTL_SECONDS;
  const token = signStreamToken({ eventId: e.id, source: r.source, expiresAt }, await deps.stream.key());
  const posterUrl = r.poster ? await getSignedUrl(deps.s3, new GetObjectCommand({ Bucket: deps.bucket, Key: r.poster, ResponseContentType: "image/jpeg" }), { expiresIn: deps.posterTtlSeconds }) : null;
  return { state: "ready", posterUrl, streamUrl: `${deps.stream.apiUrl}${streamPath(e.id, token, file)}` };
}
