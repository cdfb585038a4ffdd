// A real HLS rendition in the pipeline's layout (handlers/events/video-rendition.ts), made by
// ffmpeg from its test pattern: a master playlist (index.m3u8) with two variants (640x360 and
// 320x180, H.264 + AAC in MPEG-TS, 2-second segments), and a poster JPEG. Until the pipeline's
// branch is merged, tests seed renditions with this and set `videoRendition` through the store.
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventStore } from "../../handlers/events/event-store";
import type { VideoRendition } from "../../handlers/events/video-rendition";
import { uuidv7 } from "../../handlers/shared/uuidv7";

export const FFMPEG = "/usr/bin/ffmpeg";

const TYPES: Record<string, string> = { m3u8: "application/vnd.apple.mpegurl", ts: "video/mp2t", jpg: "image/jpeg" };

/** Makes the rendition's files in a fresh temporary folder (about a second). */
export function makeHlsRendition(seconds = 6): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-hls-"));
  const ffmpeg = (args: string[]) => execFileSync(FFMPEG, ["-hide_banner", "-loglevel", "error", "-y", ...args], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  ffmpeg([
    ...["-f", "lavfi", "-i", "testsrc=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", String(seconds)],
    ...["-filter_complex", "[0:v]split=2[a][b];[b]scale=320:180[c]", "-map", "[a]", "-map", "1:a", "-map", "[c]", "-map", "1:a"],
    ...["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-g", "25", "-c:a", "aac", "-b:a", "64k", "-b:v:0", "800k", "-b:v:1", "200k"],
    ...["-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-hls_segment_filename", "v%v_%03d.ts", "-master_pl_name", "index.m3u8", "-var_stream_map", "v:0,a:0 v:1,a:1", "v%v.m3u8"],
  ]);
  ffmpeg(["-f", "lavfi", "-i", "testsrc=size=640x360", "-frames:v", "1", "poster.jpg"]);
  return { dir, files: readdirSync(dir).sort() };
}

/**
 * Uploads the rendition under `events/<eventId>/hls/<uploadId>/` and marks the event's video ready
 * through the store, as the pipeline would. Returns the rendition as stored.
 */
export async function seedReadyRendition(s3: S3Client, bucket: string, store: EventStore, eventId: string, rendition = makeHlsRendition()): Promise<VideoRendition> {
  const uploadId = uuidv7();
  const folder = `events/${eventId}/hls/${uploadId}/`;
  for (const file of rendition.files) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${folder}${file}`, Body: readFileSync(join(rendition.dir, file)), ContentType: TYPES[file.split(".").pop()!] }));
  }
  const ready: VideoRendition = { state: "ready", source: `events/${eventId}/video/${uploadId}`, jobId: `test-${uploadId}`, attempt: 1, at: new Date().toISOString(), playlist: `${folder}index.m3u8`, poster: `${folder}poster.jpg` };
  await store.setVideoRendition(eventId, ready);
  return ready;
}
