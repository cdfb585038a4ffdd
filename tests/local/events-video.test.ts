// Local mode's video pipeline end to end (issue #19), over HTTP as the site uses it: the organizer
// asks for an upload ticket, PUTs an MP4 made here by ffmpeg to s3rver through the presigned URL;
// s3rver's event notification reaches the transcode function, the ffmpeg runner carries out the
// MediaConvert job description, and its state change marks the video ready (the HLS master and
// the poster in s3rver). A corrupt upload ends failed with a reason, and the retry route starts
// another attempt.
import test from "ava";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventStore } from "../../handlers/events/event-store";
import type { VideoRendition } from "../../handlers/events/video-rendition";
import { startApiServer, type RunningApiServer } from "../../local/emulators/api-server";
import { LOCAL_MEDIA_BUCKET, startLocalEvents, type LocalEvents } from "../../local/events";
import { localTableName } from "../../local/topology";
import { useLocalEmulators } from "../harness/dynamodb";

const local = useLocalEmulators(test, { s3: true });
const DAY = 86_400_000;

let events: LocalEvents;
let api: RunningApiServer;
let dataDir: string;
let token: string;

async function start() {
  dataDir = mkdtempSync(join(tmpdir(), "switchyard-video-"));
  events = await startLocalEvents({ dynamodb: { client: local.ddb.client, endpoint: local.ddb.endpoint }, s3: local.s3, dataDir, siteUrl: "http://127.0.0.1:3002", signInPort: 0 });
  api = await startApiServer({ routes: events.routes, corsOrigins: [], port: 0 });
  const signIn = await fetch(`${events.signInUrl}/_local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "olga@example.com" }) });
  token = ((await signIn.json()) as { id_token: string }).id_token;
}

test.after.always(async () => {
  await api?.close();
  await events?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}

/** Uploads `bytes` as the event's video the way the site does: a ticket from the API, then the presigned PUT with exactly its headers. */
async function uploadVideo(id: string, bytes: Buffer, contentType = "video/mp4") {
  const ticket = await call("POST", `/events/${id}/media`, { kind: "video", contentType, size: bytes.length });
  if (ticket.status !== 201) throw new Error(JSON.stringify(ticket));
  const put = await fetch(ticket.body.url, { method: "PUT", headers: ticket.body.headers, body: bytes });
  if (put.status !== 200) throw new Error(`PUT ${put.status}: ${await put.text()}`);
  return ticket.body.key as string;
}

/** The event's rendition once it is no longer processing (the store: the views' fields are VIDEO-PLAYBACK's). */
async function settled(id: string): Promise<VideoRendition> {
  const store = new EventStore(new DynamoDBClient({}), localTableName("events", "events"));
  const deadline = Date.now() + 120_000;
  for (;;) {
    await events.idle();
    const rendition = (await store.get(id))?.videoRendition;
    if (rendition && rendition.state !== "processing") return rendition;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(rendition)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test.serial("an MP4 uploaded through the presigned PUT becomes HLS (a master with two variants) and a poster in s3rver; the event's video is ready and plays through its stream URL", async (t) => {
  await start();
  const created = await call("POST", "/events", { title: "Demo day", startsAt: new Date(Date.now() + 3 * DAY).toISOString(), durationMinutes: 30 });
  const id = created.body.id as string;
  const file = join(dataDir, "talk.mp4");
  execFileSync("/usr/bin/ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=4", "-f", "lavfi", "-i", "sine=frequency=440:duration=4", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", file]);
  const started = Date.now();
  const key = await uploadVideo(id, readFileSync(file));
  const rendition = await settled(id);
  t.log(`ready ${Date.now() - started} ms after the upload`);
  t.like(rendition, { state: "ready", source: key, attempt: 1 });
  const { Body } = await local.s3.client.send(new GetObjectCommand({ Bucket: LOCAL_MEDIA_BUCKET, Key: rendition.playlist! }));
  const master = await Body!.transformToString();
  t.is(master.split("\n").filter((l) => l.startsWith("#EXT-X-STREAM-INF:")).length, 2, master);
  const poster = await local.s3.client.send(new GetObjectCommand({ Bucket: LOCAL_MEDIA_BUCKET, Key: rendition.poster! }));
  t.is(poster.ContentType, "image/jpeg");
  // Nothing to retry: it did not fail.
  t.is((await call("POST", `/events/${id}/video/retry`)).status, 409);

  // And it plays: the organizer's view hands out the poster and the stream URL, whose playlists lead
  // to segments s3rver serves; a forged token gets nothing.
  const view = await call("GET", `/me/events/${id}`);
  t.like(view.body.video, { state: "ready" });
  t.is((await fetch(view.body.video.posterUrl)).status, 200);
  const streamPath = new URL(view.body.video.streamUrl as string).pathname; // on this test's API server (the URL names local mode's port)
  const served = await fetch(`${api.url}${streamPath}`);
  t.is(served.status, 200);
  const variant = (await served.text()).split("\n").find((l) => l && !l.startsWith("#"))!;
  const variantPlaylist = await fetch(new URL(variant, `${api.url}${streamPath}`));
  t.is(variantPlaylist.status, 200);
  const segmentUrl = (await variantPlaylist.text()).split("\n").find((l) => l.startsWith("http"))!;
  const segment = await fetch(segmentUrl);
  t.is(segment.status, 200);
  t.true((await segment.arrayBuffer()).byteLength > 0);
  const forged = streamPath.replace(/\/stream\/[^/]+\//, `/stream/${Math.floor(Date.now() / 1000) + 3600}.${"A".repeat(43)}/`);
  t.is((await fetch(`${api.url}${forged}`)).status, 403);
});

test.serial("a corrupt upload (a MOV that is not one) ends failed with a reason, never a crash; the organizer's retry starts attempt 2", async (t) => {
  const created = await call("POST", "/events", { title: "Broken clip", startsAt: new Date(Date.now() + 3 * DAY).toISOString(), durationMinutes: 30 });
  const id = created.body.id as string;
  await uploadVideo(id, Buffer.from("not a QuickTime movie, just bytes ".repeat(20)), "video/quicktime");
  const failed = await settled(id);
  t.like(failed, { state: "failed", attempt: 1 });
  t.regex(failed.error!, /could not be read as video/);
  const retried = await call("POST", `/events/${id}/video/retry`);
  t.is(retried.status, 202);
  t.like(retried.body, { state: "processing", attempt: 2 });
  t.like(await settled(id), { state: "failed", attempt: 2 });
  // The API still answers (no crash): the event reads as before.
  t.is((await call("GET", `/me/events/${id}`)).status, 200);
});
