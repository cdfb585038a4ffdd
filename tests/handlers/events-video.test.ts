// The video pipeline (issue #19), in-process against DynamoDB Local, s3rver and the real ffmpeg:
// the one job description checked against MediaConvert's API model (botocore's), the ffmpeg runner
// carrying it out (an HLS master with two variants and a poster, probed), and the handlers around
// it — upload → job → ready; a replaced upload, a duplicate or late job event and a corrupt upload;
// the organizer's retry. Clips are made here by ffmpeg's lavfi sources, a few seconds long.
import test from "ava";
import * as mediaconvert from "@aws-sdk/client-mediaconvert";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import type { CreateJobCommandInput } from "@aws-sdk/client-mediaconvert";
import type { APIGatewayProxyEventV2, S3Event } from "aws-lambda";
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventStore } from "../../handlers/events/event-store";
import { eventsTable } from "../../handlers/events/tables";
import { VideoRenditionStore } from "../../handlers/events/video-rendition";
import type { JobRunner } from "../../handlers/events/video/jobs";
import { videoRetryDeps, videoRetryHandler } from "../../handlers/events/video/retry";
import { jobStateChangePattern, videoStatusDeps, videoStatusHandler, type JobStateChange } from "../../handlers/events/video/status";
import { HLS_RENDITIONS, jobMetadataOf, SEGMENT_SECONDS, transcodeJob } from "../../handlers/events/video/transcode-job";
import { transcodeDeps, transcodeHandler } from "../../handlers/events/video/transcode";
import { uuidv7 } from "../../handlers/shared/uuidv7";
import { ffmpegMediaConvert, type JobStateChangeEvent } from "../../local/emulators/mediaconvert-ffmpeg";
import { freshTable, useLocalEmulators } from "../harness/dynamodb";

const local = useLocalEmulators(test, { s3: true });
const organizer = { id: randomUUID(), email: "olga@example.com" };
const ROLE = "arn:aws:iam::123456789012:role/events-transcode";
const QUEUE = "arn:aws:mediaconvert:us-east-1:123456789012:queues/Default";
const DAY = 86_400_000;
const work = mkdtempSync(join(tmpdir(), "video-test-"));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

/** A short clip made by ffmpeg: a test pattern (with a tone unless `silent`). */
function clip(name: string, options: { size: string; seconds: number; silent?: boolean; format?: string }): Buffer {
  const file = join(work, name);
  const audio = options.silent ? [] : ["-f", "lavfi", "-i", `sine=frequency=440:duration=${options.seconds}`];
  execFileSync("/usr/bin/ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i", `testsrc=size=${options.size}:rate=25:duration=${options.seconds}`, ...audio, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", ...(options.silent ? [] : ["-c:a", "aac"]), "-f", options.format ?? "mp4", file]);
  return readFileSync(file);
}

// ---- the job description against MediaConvert's API model ----

const BOTOCORE = "/usr/lib/python3/dist-packages/botocore/data/mediaconvert/2017-08-29/service-2.json";
type Shape = { type: string; required?: string[]; members?: Record<string, { shape: string }>; member?: { shape: string }; value?: { shape: string }; enum?: string[]; min?: number; max?: number };

/**
 * Problems of `value` as `shape` of the model: unknown members, missing required ones, wrong types,
 * numbers out of range, enum values the API does not know. Enums newer than Debian's late-2022
 * botocore (FIT_NO_UPSCALE came in 2024) are checked against the SDK's own enum of the same name.
 */
function modelProblems(shapes: Record<string, Shape>, shapeName: string, value: unknown, path: string): string[] {
  const shape = shapes[shapeName]!;
  const problems: string[] = [];
  switch (shape.type) {
    case "structure": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: not an object`];
      for (const required of shape.required ?? []) if (!(required in value)) problems.push(`${path}.${required}: required`);
      for (const [key, member] of Object.entries(value)) {
        const spec = shape.members?.[key];
        if (!spec) problems.push(`${path}.${key}: not a member of ${shapeName}`);
        else problems.push(...modelProblems(shapes, spec.shape, member, `${path}.${key}`));
      }
      return problems;
    }
    case "list":
      if (!Array.isArray(value)) return [`${path}: not a list`];
      return value.flatMap((item, i) => modelProblems(shapes, shape.member!.shape, item, `${path}[${i}]`));
    case "map":
      if (typeof value !== "object" || value === null) return [`${path}: not a map`];
      return Object.entries(value).flatMap(([k, v]) => modelProblems(shapes, shape.value!.shape, v, `${path}.${k}`));
    case "string": {
      if (typeof value !== "string") return [`${path}: not a string`];
      if (shape.enum) {
        const sdkEnum = (mediaconvert as unknown as Record<string, Record<string, string> | undefined>)[shapeName];
        const known = [...shape.enum, ...Object.values(sdkEnum ?? {})];
        if (!known.includes(value)) problems.push(`${path}: ${value} is not one of ${shapeName}`);
      }
      if (shape.min !== undefined && value.length < shape.min) problems.push(`${path}: shorter than ${shape.min}`);
      return problems;
    }
    case "integer":
    case "long":
    case "double":
      if (typeof value !== "number") return [`${path}: not a number`];
      if (shape.type !== "double" && !Number.isInteger(value)) problems.push(`${path}: not an integer`);
      if (shape.min !== undefined && value < shape.min) problems.push(`${path}: below ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) problems.push(`${path}: above ${shape.max}`);
      return problems;
    case "boolean":
      return typeof value === "boolean" ? [] : [`${path}: not a boolean`];
    default:
      return [`${path}: unchecked type ${shape.type}`];
  }
}

const sampleJob = (attempt = 1) => {
  const eventId = uuidv7();
  const uploadId = uuidv7();
  return { eventId, uploadId, job: transcodeJob({ bucket: "events-media-1a2b3c4", eventId, uploadId, key: `events/${eventId}/video/${uploadId}`, attempt, roleArn: ROLE, queue: QUEUE }) };
};

test("the job description is a valid MediaConvert CreateJob request (botocore's model: members, required fields, enums, ranges)", (t) => {
  t.true(existsSync(BOTOCORE), "install python3-botocore (apt-get install -y python3-botocore)");
  const model = JSON.parse(readFileSync(BOTOCORE, "utf8")) as { operations: Record<string, { input: { shape: string } }>; shapes: Record<string, Shape> };
  const { job } = sampleJob();
  t.deepEqual(modelProblems(model.shapes, model.operations.CreateJob!.input.shape, job, "CreateJob"), []);
  // The checker catches what it should: an unknown member, a bad enum, a value out of range, a missing required field.
  const broken = structuredClone(job) as CreateJobCommandInput & { Settings: { Bogus?: number } };
  broken.Settings.Bogus = 1;
  broken.Settings.OutputGroups![0]!.Outputs![0]!.VideoDescription!.ScalingBehavior = "SHRINK" as never;
  broken.Settings.OutputGroups![0]!.OutputGroupSettings!.HlsGroupSettings!.SegmentLength = 0;
  delete (broken as Partial<CreateJobCommandInput>).Role;
  t.is(modelProblems(model.shapes, "CreateJobRequest", broken, "CreateJob").length, 4);
});

test("the job: HLS of at least two H.264/AAC renditions under events/<id>/hls/<upload>/index, 6 s segments, never upscaled, a poster beside it, metadata back to the upload", (t) => {
  const { eventId, uploadId, job } = sampleJob(3);
  const [hls, poster] = job.Settings!.OutputGroups!;
  const destination = `s3://events-media-1a2b3c4/events/${eventId}/hls/${uploadId}/`;
  t.is(job.Settings!.Inputs![0]!.FileInput, `s3://events-media-1a2b3c4/events/${eventId}/video/${uploadId}`);
  t.is(hls!.OutputGroupSettings!.HlsGroupSettings!.Destination, `${destination}index`);
  t.is(hls!.OutputGroupSettings!.HlsGroupSettings!.SegmentLength, SEGMENT_SECONDS);
  t.true(hls!.Outputs!.length >= 2);
  for (const output of hls!.Outputs!) {
    t.is(output.VideoDescription!.CodecSettings!.Codec, "H_264");
    t.is(output.AudioDescriptions![0]!.CodecSettings!.Codec, "AAC");
    t.is(output.VideoDescription!.ScalingBehavior, "FIT_NO_UPSCALE");
  }
  t.deepEqual(hls!.Outputs!.map((o) => o.VideoDescription!.CodecSettings!.H264Settings!.Bitrate), HLS_RENDITIONS.map((r) => r.bitrate));
  t.is(poster!.OutputGroupSettings!.FileGroupSettings!.Destination, `${destination}poster`);
  t.is(poster!.Outputs![0]!.VideoDescription!.CodecSettings!.Codec, "FRAME_CAPTURE");
  t.is(job.Role, ROLE);
  t.is(job.Queue, QUEUE);
  t.deepEqual(jobMetadataOf(job.UserMetadata), { mediaBucket: "events-media-1a2b3c4", eventId, uploadKey: `events/${eventId}/video/${uploadId}`, attempt: "3" });
  // The same attempt of the same upload: the same idempotency token; another attempt: another.
  t.is(transcodeJob({ bucket: "b", eventId, uploadId, key: "k", attempt: 3, roleArn: ROLE, queue: QUEUE }).ClientRequestToken, job.ClientRequestToken);
  t.not(sampleJob(4).job.ClientRequestToken, job.ClientRequestToken);
  t.true(job.ClientRequestToken!.length <= 64);
  // The rule's pattern matches what the metadata carries.
  t.deepEqual(jobStateChangePattern("events-media-1a2b3c4").detail.userMetadata, { mediaBucket: [job.UserMetadata.mediaBucket] });
});

// ---- the ffmpeg runner ----

/** Parses a master playlist's variants. */
function variantsOf(master: string) {
  const lines = master.split("\n");
  return lines.flatMap((line, i) => (line.startsWith("#EXT-X-STREAM-INF:") ? [{ attributes: line, uri: lines[i + 1]!.trim() }] : []));
}

async function readText(bucket: string, key: string) {
  const { Body } = await local.s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Body!.transformToString();
}

test("the ffmpeg runner carries out the job: master with two variants (relative URIs, never above the source), segments, a poster; a COMPLETE event as MediaConvert's", async (t) => {
  const bucket = `media-${randomUUID().slice(0, 8)}`;
  await local.s3.createBucket(bucket);
  const eventId = uuidv7();
  const uploadId = uuidv7();
  const key = `events/${eventId}/video/${uploadId}`;
  // 480x270: above the 360p box, below the 720p one (which must not upscale it); 8 s: two segments.
  await local.s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: clip("runner.mp4", { size: "480x270", seconds: 8 }), ContentType: "video/mp4" }));
  const events: JobStateChangeEvent[] = [];
  const runner = ffmpegMediaConvert({ s3: local.s3.client, deliver: async (e) => void events.push(e), log: () => {} });
  const job = transcodeJob({ bucket, eventId, uploadId, key, attempt: 1, roleArn: ROLE, queue: QUEUE });
  const started = Date.now();
  const { jobId } = await runner.createJob(job);
  await runner.idle();
  t.log(`transcoded in ${Date.now() - started} ms`);

  t.is(events.length, 1);
  const event = events[0]!;
  t.is(event.source, "aws.mediaconvert");
  t.is(event["detail-type"], "MediaConvert Job State Change");
  t.is(event.detail.status, "COMPLETE");
  t.is(event.detail.jobId, jobId);
  t.deepEqual(event.detail.userMetadata, job.UserMetadata);
  const prefix = `events/${eventId}/hls/${uploadId}/`;
  const hlsGroup = event.detail.outputGroupDetails!.find((g) => g.type === "HLS_GROUP")!;
  t.deepEqual(hlsGroup.playlistFilePaths, [`s3://${bucket}/${prefix}index.m3u8`]);
  t.deepEqual(hlsGroup.outputDetails.map((o) => o.outputFilePaths[0]), [`s3://${bucket}/${prefix}index_360p.m3u8`, `s3://${bucket}/${prefix}index_720p.m3u8`]);
  t.deepEqual(hlsGroup.outputDetails.map((o) => o.videoDetails), [{ widthInPx: 480, heightInPx: 270 }, { widthInPx: 480, heightInPx: 270 }], "the 360p box fits 480x270 as it is; the 720p box does not upscale it");
  const posterPath = event.detail.outputGroupDetails!.find((g) => g.type === "FILE_GROUP")!.outputDetails[0]!.outputFilePaths[0]!;
  // Frames at 0 s and 3 s: the last one is reported, as MediaConvert reports a frame capture's final image.
  t.is(posterPath, `s3://${bucket}/${prefix}poster.0000001.jpg`);

  const master = await readText(bucket, `${prefix}index.m3u8`);
  const variants = variantsOf(master);
  t.true(variants.length >= 2, master);
  for (const variant of variants) {
    t.regex(variant.attributes, /BANDWIDTH=\d+/);
    t.regex(variant.attributes, /CODECS="avc1\.[0-9a-f]+,mp4a\.40\.2"/);
    t.notRegex(variant.uri, /^(\/|[a-z]+:)/, "relative URIs");
    const media = await readText(bucket, `${prefix}${variant.uri}`);
    t.regex(media, /#EXT-X-TARGETDURATION:[1-7]\b/);
    t.regex(media, /#EXT-X-ENDLIST/);
    const segments = media.split("\n").filter((l) => l.endsWith(".ts"));
    t.is(segments.length, 2);
    // A segment as ffprobe sees it: H.264 at the source's size (never upscaled), AAC.
    const segment = join(work, "segment.ts");
    const { Body } = await local.s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${segments[0]}` }));
    writeFileSync(segment, await Body!.transformToByteArray());
    const probe = JSON.parse(execFileSync("/usr/bin/ffprobe", ["-v", "error", "-print_format", "json", "-show_streams", segment], { encoding: "utf8" })) as { streams: { codec_name: string; width?: number; height?: number }[] };
    t.deepEqual(probe.streams.map((s) => s.codec_name).sort(), ["aac", "h264"]);
    t.deepEqual(probe.streams.filter((s) => s.codec_name === "h264").map((s) => [s.width, s.height]), [[480, 270]]);
  }
  const poster = await local.s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: posterPath.slice(`s3://${bucket}/`.length) }));
  t.is(poster.ContentType, "image/jpeg");
  const bytes = await poster.Body!.transformToByteArray();
  t.deepEqual([...bytes.slice(0, 3)], [0xff, 0xd8, 0xff], "a JPEG");
});

// ---- the handlers ----

async function pipeline() {
  const table = await freshTable(local.ddb, eventsTable, "events");
  const bucket = `media-${randomUUID().slice(0, 8)}`;
  await local.s3.createBucket(bucket);
  const db = new DynamoDBClient({});
  const store = new EventStore(db, table);
  const events: JobStateChangeEvent[] = [];
  const ffmpeg = ffmpegMediaConvert({ s3: local.s3.client, deliver: async (e) => void events.push(e), log: () => {} });
  const created: CreateJobCommandInput[] = [];
  /** Records every job, then lets ffmpeg run it. */
  const runner: JobRunner & { fail?: boolean } = {
    async createJob(job) {
      created.push(job);
      if (runner.fail) throw new Error("ThrottlingException");
      return ffmpeg.createJob(job);
    },
  };
  const values = { eventsTable: table, mediaBucket: bucket, roleArn: ROLE, queue: QUEUE };
  const transcode = transcodeHandler(transcodeDeps("test", values, runner));
  const status = videoStatusHandler(videoStatusDeps("test", values));
  const retry = videoRetryHandler(videoRetryDeps("test", values, runner));
  /** An event with an announced video (as the upload route records it), the file PUT, and S3's notification of it. */
  const upload = async (eventId: string, body: Buffer) => {
    const uploadId = uuidv7();
    const key = `events/${eventId}/video/${uploadId}`;
    await store.setMedia(eventId, "video", { key, contentType: "video/mp4", size: body.length }, organizer, new Date());
    await local.s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "video/mp4" }));
    return key;
  };
  const notify = (key: string, bucketName = bucket) => transcode({ Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: bucketName }, object: { key: encodeURIComponent(key).replace(/%2F/g, "/") } } }] } as unknown as S3Event);
  /** Runs the jobs started so far and delivers their events to the status handler; returns them. */
  const settle = async () => {
    await ffmpeg.idle();
    const delivered = events.splice(0);
    for (const e of delivered) await status(e as JobStateChange);
    return delivered;
  };
  const newEvent = async () => (await store.create({ title: "Launch", description: "", startsAt: new Date(Date.now() + 7 * DAY).toISOString(), durationMinutes: 60, visibility: "public" }, organizer, new Date())).id;
  const retryRequest = (id: string, sub = organizer.id) =>
    retry({ routeKey: "POST /events/{id}/video/retry", rawPath: `/events/${id}/video/retry`, pathParameters: { id }, headers: {}, requestContext: { authorizer: { jwt: { claims: { sub, email: organizer.email } } } } } as unknown as APIGatewayProxyEventV2);
  return { table, bucket, store, events, created, runner, transcode, status, upload, notify, settle, newEvent, retryRequest };
}

test("an upload becomes ready: processing at once, then the master playlist and the poster recorded; the same notification twice starts one job; other keys start none", async (t) => {
  const p = await pipeline();
  const id = await p.newEvent();
  const key = await p.upload(id, clip("ready.mp4", { size: "320x180", seconds: 4 }));
  const [before] = await Promise.all([p.store.get(id)]);
  await p.notify(key);
  await p.notify(key); // S3 delivers at least once
  await p.notify(`events/${id}/cover/${uuidv7()}`);
  await p.notify(key, "another-bucket");
  t.is(p.created.length, 1);
  const processing = (await p.store.get(id))!.videoRendition!;
  t.like(processing, { state: "processing", source: key, attempt: 1 });
  t.truthy(processing.jobId);
  const delivered = await p.settle();
  t.is(delivered.length, 1);
  const ready = (await p.store.get(id))!;
  const uploadId = key.split("/").at(-1)!;
  t.like(ready.videoRendition, { state: "ready", source: key, attempt: 1, jobId: processing.jobId, playlist: `events/${id}/hls/${uploadId}/index.m3u8` });
  t.regex(ready.videoRendition!.poster!, new RegExp(`^events/${id}/hls/${uploadId}/poster\\.\\d{7}\\.jpg$`));
  t.is(ready.videoRendition!.error, undefined);
  // The pipeline's writes are not edits: the organizer's optimistic check (updatedAt) is untouched.
  t.is(ready.updatedAt, before!.updatedAt);
  const listed = await local.s3.client.send(new ListObjectsV2Command({ Bucket: p.bucket, Prefix: `events/${id}/hls/${uploadId}/` }));
  t.true(listed.Contents!.some((o) => o.Key === ready.videoRendition!.playlist));
  t.true(listed.Contents!.some((o) => o.Key === ready.videoRendition!.poster));
  // The same state change again (EventBridge delivers at least once): nothing changes.
  await p.status(delivered[0] as JobStateChange);
  t.deepEqual((await p.store.get(id))!.videoRendition, ready.videoRendition);
});

test("a replaced upload: its notification starts nothing, and its late job event does not touch the new upload's rendition", async (t) => {
  const p = await pipeline();
  const id = await p.newEvent();
  const first = await p.upload(id, clip("first.mp4", { size: "320x180", seconds: 2, silent: true }));
  await p.notify(first);
  const firstEvents = await p.settle(); // applied: the first upload is ready
  t.is((await p.store.get(id))!.videoRendition!.state, "ready");
  const second = await p.upload(id, clip("second.mp4", { size: "320x180", seconds: 2 }));
  // The first upload notified late (or again): ignored, it is no longer the event's video.
  await p.notify(first);
  t.is(p.created.length, 1);
  await p.notify(second);
  t.is(p.created.length, 2);
  t.like((await p.store.get(id))!.videoRendition, { state: "processing", source: second, attempt: 1 });
  // The first job's event arrives late again: the second's rendition stays as it is.
  await p.status(firstEvents[0] as JobStateChange);
  t.like((await p.store.get(id))!.videoRendition, { state: "processing", source: second });
  await p.settle();
  t.like((await p.store.get(id))!.videoRendition, { state: "ready", source: second });
});

test("a corrupt upload ends failed with a short reason (no crash, no paths); the organizer's retry is a 409 until it failed, then a new attempt", async (t) => {
  const p = await pipeline();
  const id = await p.newEvent();
  t.is((await p.retryRequest(id)).statusCode, 409, "no video yet");
  const key = await p.upload(id, Buffer.from("this is not a video at all, just text pretending to be an MP4"));
  await p.notify(key);
  t.is((await p.retryRequest(id)).statusCode, 409, "still processing");
  await p.settle();
  const failed = (await p.store.get(id))!.videoRendition!;
  t.like(failed, { state: "failed", source: key, attempt: 1 });
  t.regex(failed.error!, /^Transcoding failed \(MediaConvert error \d+\): /);
  t.true(failed.error!.length <= 200);
  t.false(failed.error!.includes("s3://"));
  t.is(failed.playlist, undefined);

  // Someone else's retry: 403, nothing changes.
  t.is((await p.retryRequest(id, randomUUID())).statusCode, 403);
  const answer = await p.retryRequest(id);
  t.is(answer.statusCode, 202);
  t.like(JSON.parse(answer.body as string), { state: "processing", attempt: 2 });
  t.is(p.created.length, 2);
  t.is(p.created[1]!.UserMetadata!.attempt, "2");
  t.not(p.created[1]!.ClientRequestToken, p.created[0]!.ClientRequestToken);
  // A second retry while attempt 2 runs: 409.
  t.is((await p.retryRequest(id)).statusCode, 409);
  const [late] = await p.settle();
  t.like((await p.store.get(id))!.videoRendition, { state: "failed", attempt: 2 });
  // Attempt 1's event again, late: attempt 2's outcome stays.
  await p.status({ ...late!, detail: { ...late!.detail, userMetadata: { ...late!.detail.userMetadata, attempt: "1" }, status: "COMPLETE" } } as JobStateChange);
  t.like((await p.store.get(id))!.videoRendition, { state: "failed", attempt: 2 });
});

test("a job that cannot be created marks the attempt failed (nothing stays processing); events of other stacks or shapes are ignored", async (t) => {
  const p = await pipeline();
  const id = await p.newEvent();
  const key = await p.upload(id, clip("throttled.mp4", { size: "160x90", seconds: 1 }));
  p.runner.fail = true;
  await p.notify(key);
  t.like((await p.store.get(id))!.videoRendition, { state: "failed", error: "The transcoding job could not be started.", attempt: 1 });
  p.runner.fail = false;
  t.is((await p.retryRequest(id)).statusCode, 202);
  const attempt2 = (await p.store.get(id))!.videoRendition!;
  // Not ours: another bucket's job, a progress event, a malformed one, another source.
  const metadata = p.created[1]!.UserMetadata!;
  const base = { source: "aws.mediaconvert", "detail-type": "MediaConvert Job State Change" };
  await p.status({ ...base, detail: { status: "ERROR", jobId: "x", userMetadata: { ...metadata, mediaBucket: "someone-else" }, errorCode: 1010, errorMessage: "nope" } });
  await p.status({ ...base, detail: { status: "PROGRESSING", jobId: "x", userMetadata: metadata } });
  await p.status({ ...base, detail: { status: "ERROR", jobId: "x", userMetadata: { ...metadata, attempt: "two" } } });
  await p.status({ ...base, source: "aws.s3", detail: { status: "ERROR", jobId: "x", userMetadata: metadata } });
  // A COMPLETE naming files outside the upload's rendition folder cannot make it ready.
  await p.status({ ...base, detail: { status: "COMPLETE", jobId: "x", userMetadata: metadata, outputGroupDetails: [{ type: "HLS_GROUP", playlistFilePaths: [`s3://${p.bucket}/events/${id}/cover/x.m3u8`] }] } });
  t.like((await p.store.get(id))!.videoRendition, { state: "failed", error: "The job completed without a playlist or a poster.", attempt: 2 });
  t.is(attempt2.state, "processing");
  await p.settle();
  t.like((await p.store.get(id))!.videoRendition, { state: "failed", attempt: 2 }, "the real job's late event changes nothing after it failed");
});

test("the rendition store: writes only for the event's current video, attempts move forward only", async (t) => {
  const p = await pipeline();
  const renditions = new VideoRenditionStore(new DynamoDBClient({}), p.table);
  const id = await p.newEvent();
  t.is(await renditions.startUpload(id, `events/${id}/video/${uuidv7()}`, new Date()), undefined, "no such upload on the event");
  t.is(await renditions.startUpload(uuidv7(), `events/x/video/y`, new Date()), undefined, "no such event (nothing created)");
  const key = `events/${id}/video/${uuidv7()}`;
  await p.store.setMedia(id, "video", { key, contentType: "video/webm", size: 10 }, organizer, new Date());
  const started = await renditions.startUpload(id, key, new Date());
  t.like(started, { state: "processing", attempt: 1, jobId: "" });
  t.true(await renditions.recordJob(id, started!, "job-1"));
  t.false(await renditions.recordJob(id, started!, "job-2"), "a job id is recorded once");
  t.is(await renditions.startRetry(id, { ...started!, state: "failed" }, organizer.id, new Date()), undefined, "not failed");
  t.truthy(await renditions.finish(id, { source: key, attempt: 1, jobId: "job-1" }, { state: "failed", error: "x".repeat(500) }, new Date()));
  const failed = (await p.store.get(id))!.videoRendition!;
  t.is(failed.error!.length, 200);
  t.is(await renditions.startRetry(id, failed, randomUUID(), new Date()), undefined, "someone else's");
  t.like(await renditions.startRetry(id, failed, organizer.id, new Date()), { attempt: 2, state: "processing" });
  t.is(await renditions.startRetry(id, failed, organizer.id, new Date()), undefined, "the same failed attempt retried twice: once");
});
