// The video pipeline (issue #19) through the serialized functions (as ts-node-evaluated index.ts
// would upload them), each in a fresh Node process: DynamoDB Local, s3rver holding the media bucket,
// and MediaConvert stood in by a small HTTP server that records CreateJob (the SDK reaches it through
// AWS_ENDPOINT_URL_MEDIACONVERT). The recorded job is carried out by the ffmpeg runner, and its state
// change goes to the uploaded status function: ready. An ERROR makes it failed, and the uploaded
// retry function starts attempt 2. Every AWS call is checked against the function's own role.
import test from "ava";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventStore } from "../../handlers/events/event-store";
import { eventsTable } from "../../handlers/events/tables";
import { transcodeJob } from "../../handlers/events/video/transcode-job";
import { uuidv7 } from "../../handlers/shared/uuidv7";
import { ffmpegMediaConvert, type JobStateChangeEvent } from "../../local/emulators/mediaconvert-ffmpeg";
import { LOCAL_CREDENTIALS } from "../../local/emulators/dynamodb-local";
import { startS3Local, type S3Local } from "../../local/emulators/s3-local";
import { createTable } from "../../local/emulators/tables";
import { removeDir, startFunction, unpackFunction, type RunningFunction } from "../harness/artifact";
import { startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";
import type { StackRecord } from "../harness/record";
import { byName, evaluateStack } from "../harness/stacks";

const FUNCTIONS = ["transcode", "video-status", "video"] as const;
const ORGANIZER = { id: "6f1c2d3e-0000-4000-8000-000000000001", email: "olga@example.com" };
const DAY = 86_400_000;

let ddb: DynamoDbLocal;
let s3: S3Local;
let record: StackRecord;
let mediaConvert: { server: Server; endpoint: string; jobs: { path: string; body: any }[] };
let store: EventStore;
let bucket: string;
const fns: Partial<Record<(typeof FUNCTIONS)[number], RunningFunction>> = {};
const dirs: string[] = [];
const work = mkdtempSync(join(tmpdir(), "video-artifacts-"));

/** MediaConvert's CreateJob, as its REST API answers it (201, the job with its id), recording each request. */
async function startMediaConvert() {
  const jobs: { path: string; body: any }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      jobs.push({ path: req.url!, body });
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ job: { id: `${Date.now()}-${jobs.length}abcde`, role: body.role, queue: body.queue, settings: body.settings, userMetadata: body.userMetadata, status: "SUBMITTED" } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, jobs };
}

test.before(async () => {
  [ddb, s3, record, mediaConvert] = await Promise.all([startDynamoDbLocal(), startS3Local(), evaluateStack("dev", {}, "ts-node"), startMediaConvert()]);
  const table = byName(record, "aws:dynamodb/table:Table", "events-events").state.name as string;
  await createTable(ddb.client, table, eventsTable);
  bucket = byName(record, "aws:s3/bucket:Bucket", "events-media").state.bucket as string;
  await s3.createBucket(bucket);
  store = new EventStore(new DynamoDBClient({ endpoint: ddb.endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS }), table);
  const endpoints = { AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint, AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ENDPOINT_URL_MEDIACONVERT: mediaConvert.endpoint };
  await Promise.all(
    FUNCTIONS.map(async (kind) => {
      const fn = byName(record, "aws:lambda/function:Function", `events-${kind}`);
      const dir = unpackFunction(fn);
      dirs.push(dir);
      fns[kind] = await startFunction(dir, { ...fn.inputs.environment.variables, ...endpoints, AWS_LAMBDA_FUNCTION_NAME: fn.name });
    }),
  );
});

test.after.always(async () => {
  await Promise.all(Object.values(fns).map((fn) => fn.stop()));
  dirs.forEach(removeDir);
  rmSync(work, { recursive: true, force: true });
  await new Promise<void>((resolve) => (mediaConvert?.server.closeAllConnections(), mediaConvert?.server.close(() => resolve())));
  await Promise.all([ddb?.stop(), s3?.stop()]);
});

/** An event whose video is uploaded: the item as the organizer's upload route leaves it, the object in s3rver. */
async function uploaded(body: Buffer) {
  const event = await store.create({ title: "Talk", description: "", startsAt: new Date(Date.now() + 3 * DAY).toISOString(), durationMinutes: 30, visibility: "public" }, ORGANIZER, new Date());
  const uploadId = uuidv7();
  const key = `events/${event.id}/video/${uploadId}`;
  await store.setMedia(event.id, "video", { key, contentType: "video/mp4", size: body.length }, ORGANIZER, new Date());
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return { id: event.id, uploadId, key };
}

/** S3's notification of a new object, as the bucket notification delivers it. */
const objectCreated = (key: string) => ({ Records: [{ eventVersion: "2.1", eventSource: "aws:s3", awsRegion: record.region, eventName: "ObjectCreated:Put", s3: { s3SchemaVersion: "1.0", bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key, size: 1 } } }] });

test.serial("an upload's notification → the uploaded transcode function creates the job description's CreateJob (role, queue, metadata); the ffmpeg run's COMPLETE → the uploaded status function: ready", async (t) => {
  const clip = join(work, "talk.mp4");
  execFileSync("/usr/bin/ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25:duration=3", "-f", "lavfi", "-i", "sine=duration=3", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip]);
  const { id, uploadId, key } = await uploaded(readFileSync(clip));
  await fns.transcode!.invoke(objectCreated(key));
  t.is(mediaConvert.jobs.length, 1);
  const [{ path, body }] = mediaConvert.jobs as [{ path: string; body: any }];
  t.is(path, "/2017-08-29/jobs");
  const env = byName(record, "aws:lambda/function:Function", "events-transcode").inputs.environment.variables;
  const expected = transcodeJob({ bucket, eventId: id, uploadId, key, attempt: 1, roleArn: env.TRANSCODE_ROLE_ARN, queue: env.TRANSCODE_QUEUE_ARN });
  t.like(body, { role: expected.Role, queue: expected.Queue, clientRequestToken: expected.ClientRequestToken, userMetadata: expected.UserMetadata });
  t.is(body.settings.inputs[0].fileInput, expected.Settings!.Inputs![0]!.FileInput);
  t.deepEqual(body.settings.outputGroups.map((g: any) => g.outputGroupSettings.type), expected.Settings!.OutputGroups!.map((g) => g.OutputGroupSettings!.Type));
  const processing = (await store.get(id))!.videoRendition!;
  t.like(processing, { state: "processing", attempt: 1, source: key });
  t.regex(processing.jobId, /^\d+-1abcde$/);

  // MediaConvert runs the job (here: ffmpeg, the same description) and EventBridge delivers its state change.
  const events: JobStateChangeEvent[] = [];
  const runner = ffmpegMediaConvert({ s3: s3.client, deliver: async (e) => void events.push(e), log: () => {} });
  await runner.createJob(expected);
  await runner.idle();
  const complete = { ...events[0]!, detail: { ...events[0]!.detail, jobId: processing.jobId } };
  await fns["video-status"]!.invoke(complete);
  t.like((await store.get(id))!.videoRendition, { state: "ready", jobId: processing.jobId, playlist: `events/${id}/hls/${uploadId}/index.m3u8` });
  // The notification again, and the state change again: nothing new.
  await fns.transcode!.invoke(objectCreated(key));
  await fns["video-status"]!.invoke(complete);
  t.is(mediaConvert.jobs.length, 1);
  t.is((await store.get(id))!.videoRendition!.state, "ready");
});

test.serial("MediaConvert's ERROR → the uploaded status function: failed with a short reason; the uploaded retry function: 409 for another organizer's, 202 with attempt 2 and a second CreateJob", async (t) => {
  const { id, key } = await uploaded(Buffer.from("not a video"));
  await fns.transcode!.invoke(objectCreated(key));
  const job = mediaConvert.jobs.at(-1)!.body;
  const jobId = (await store.get(id))!.videoRendition!.jobId;
  await fns["video-status"]!.invoke({
    version: "0",
    id: "7c0e9d0c-0000-4000-8000-000000000000",
    "detail-type": "MediaConvert Job State Change",
    source: "aws.mediaconvert",
    account: "123456789012",
    time: new Date().toISOString(),
    region: record.region,
    resources: [`arn:aws:mediaconvert:${record.region}:123456789012:jobs/${jobId}`],
    detail: { timestamp: Date.now(), accountId: "123456789012", queue: job.queue, jobId, status: "ERROR", errorCode: 1010, errorMessage: `Demuxer: [ReadPacketData File read failed - end of file hit at length [11]. Is file truncated?] in ${job.settings.inputs[0].fileInput}`, userMetadata: job.userMetadata },
  });
  const failed = (await store.get(id))!.videoRendition!;
  t.like(failed, { state: "failed", attempt: 1 });
  t.is(failed.error, "Transcoding failed (MediaConvert error 1010): Demuxer: [ReadPacketData File read failed - end of file hit at length [11]. Is file truncated?] in the input");

  const retry = (sub: string) => {
    const event = apiEvent("POST", `/events/${id}/video/retry`, { routeKey: "POST /events/{id}/video/retry", pathParameters: { id } });
    (event.requestContext as any).authorizer = { jwt: { claims: { sub, email: ORGANIZER.email, token_use: "id" }, scopes: null } };
    return fns.video!.invoke(event).then(parseResult);
  };
  const jobs = mediaConvert.jobs.length;
  t.is((await retry("00000000-0000-4000-8000-00000000000b")).status, 403);
  const answer = await retry(ORGANIZER.id);
  t.is(answer.status, 202);
  t.like(answer.body, { state: "processing", attempt: 2 });
  t.is(mediaConvert.jobs.length, jobs + 1);
  t.is(mediaConvert.jobs.at(-1)!.body.userMetadata.attempt, "2");
  t.is((await retry(ORGANIZER.id)).status, 409, "attempt 2 is processing");
});
