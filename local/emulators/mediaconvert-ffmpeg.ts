// MediaConvert for local mode and tests: runs the transcode job description the stacks send to AWS
// Elemental MediaConvert (handlers/events/video/transcode-job.ts) with ffmpeg instead. It reads the
// job's own settings (input, HLS destination, each output's name modifier, box, bitrates, GOP,
// segment length, audio, the frame capture) and refuses what it does not understand, downloads the
// input from s3rver, transcodes in a temporary folder, uploads the files under the names
// MediaConvert gives them, and reports the outcome as MediaConvert's "MediaConvert Job State
// Change" EventBridge event (COMPLETE or ERROR, with the job's userMetadata and, when complete,
// the outputGroupDetails with the S3 paths MediaConvert reports). ffmpeg is spawned without a shell.
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { CreateJobCommandInput, Output, OutputGroup } from "@aws-sdk/client-mediaconvert";

/** The EventBridge event MediaConvert sends on a job's state change (the part the status handler reads). */
export interface JobStateChangeEvent {
  version: "0";
  id: string;
  "detail-type": "MediaConvert Job State Change";
  source: "aws.mediaconvert";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    timestamp: number;
    accountId: string;
    queue: string;
    jobId: string;
    status: "COMPLETE" | "ERROR";
    userMetadata: Record<string, string>;
    errorCode?: number;
    errorMessage?: string;
    outputGroupDetails?: { type: string; playlistFilePaths?: string[]; outputDetails: { outputFilePaths: string[]; durationInMs: number; videoDetails?: { widthInPx: number; heightInPx: number } }[] }[];
  };
}

export interface FfmpegMediaConvertOptions {
  /** A client of the s3rver holding the input and receiving the outputs. */
  s3: S3Client;
  /** Where each job's state change goes (the status handler). */
  deliver: (event: JobStateChangeEvent) => Promise<unknown>;
  /** Example: `"/usr/bin/ffmpeg"` (ffprobe beside it). */
  ffmpeg?: string;
  /** x264 preset: `ultrafast` keeps tests fast. */
  preset?: string;
  log?: (line: string) => void;
}

export interface FfmpegMediaConvert {
  /** Starts a job as CreateJob would: resolves with its id at once, runs it in the background. */
  createJob(job: CreateJobCommandInput): Promise<{ jobId: string }>;
  /** Resolves when every job started so far has run and its event was delivered. */
  idle(): Promise<void>;
}

/** A job setting the runner cannot carry out: the job is refused as MediaConvert refuses a bad one. */
class UnsupportedJob extends Error {}

const ACCOUNT = "000000000000";
const REGION = "us-east-1";
const CONTENT_TYPES: Record<string, string> = { m3u8: "application/vnd.apple.mpegurl", ts: "video/MP2T", jpg: "image/jpeg" };

const s3Url = (url: string) => {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw new UnsupportedJob(`not an s3:// URL: ${url}`);
  return { bucket: match[1]!, key: match[2]! };
};

/** MediaConvert's ids look like `1671476818694-phptj0`. */
const newJobId = () => `${Date.now()}-${randomBytes(3).toString("hex")}`;

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${command.split("/").at(-1)} exited ${code}: ${err.trim().split("\n").slice(-2).join(" ").slice(0, 300)}`))));
  });
}

interface Probe {
  width: number;
  height: number;
  hasAudio: boolean;
  durationMs: number;
}

async function probe(ffprobe: string, file: string): Promise<Probe> {
  const out = JSON.parse(await run(ffprobe, ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", file])) as { streams?: { codec_type: string; width?: number; height?: number }[]; format?: { duration?: string } };
  const video = out.streams?.find((s) => s.codec_type === "video" && s.width && s.height);
  if (!video) throw new Error("no video stream");
  const durationMs = Math.round(Number(out.format?.duration ?? "0") * 1000);
  return { width: video.width!, height: video.height!, hasAudio: Boolean(out.streams?.some((s) => s.codec_type === "audio")), durationMs };
}

/** The box a `FIT_NO_UPSCALE` output fits in, as ffmpeg's scale filter (aspect kept, never above the source, even sizes for H.264). */
function fitNoUpscale(output: Output): string {
  const v = output.VideoDescription;
  if (!v?.Width || !v.Height || v.ScalingBehavior !== "FIT_NO_UPSCALE") throw new UnsupportedJob("outputs need Width, Height and ScalingBehavior FIT_NO_UPSCALE");
  return `scale=w='min(iw,${v.Width})':h='min(ih,${v.Height})':force_original_aspect_ratio=decrease:force_divisible_by=2`;
}

/** The size ffmpeg's scale above gives (for the event's videoDetails). */
function fittedSize(source: Probe, output: Output) {
  const { Width = source.width, Height = source.height } = output.VideoDescription ?? {};
  const scale = Math.min(1, Width / source.width, Height / source.height);
  const even = (n: number) => Math.max(2, Math.floor((n * scale) / 2) * 2);
  return { widthInPx: even(source.width), heightInPx: even(source.height) };
}

function groupOf(job: CreateJobCommandInput, type: string): OutputGroup {
  const group = job.Settings?.OutputGroups?.find((g) => g.OutputGroupSettings?.Type === type);
  if (!group) throw new UnsupportedJob(`the job has no ${type} output group`);
  return group;
}

/** Runs MediaConvert jobs with ffmpeg (see the top of this file). */
export function ffmpegMediaConvert(options: FfmpegMediaConvertOptions): FfmpegMediaConvert {
  const ffmpeg = options.ffmpeg ?? "/usr/bin/ffmpeg";
  const ffprobe = join(ffmpeg, "..", "ffprobe");
  const preset = options.preset ?? "ultrafast";
  const log = options.log ?? ((line: string) => console.error(line));
  const running = new Set<Promise<void>>();

  async function transcode(job: CreateJobCommandInput, dir: string) {
    const input = job.Settings?.Inputs?.[0]?.FileInput;
    if (!input || job.Settings!.Inputs!.length !== 1) throw new UnsupportedJob("one input, by FileInput");
    const hls = groupOf(job, "HLS_GROUP_SETTINGS");
    const poster = groupOf(job, "FILE_GROUP_SETTINGS");
    const hlsSettings = hls.OutputGroupSettings!.HlsGroupSettings!;
    const destination = s3Url(hlsSettings.Destination ?? "");
    const posterDestination = s3Url(poster.OutputGroupSettings!.FileGroupSettings!.Destination ?? "");
    const base = destination.key.split("/").at(-1)!;
    const posterBase = posterDestination.key.split("/").at(-1)!;
    const prefix = destination.key.slice(0, -base.length);
    if (posterDestination.bucket !== destination.bucket || posterDestination.key.slice(0, -posterBase.length) !== prefix) throw new UnsupportedJob("the poster goes beside the playlists");

    const source = s3Url(input);
    const inFile = join(dir, "input");
    const object = await options.s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key }));
    await pipeline(object.Body as Readable, createWriteStream(inFile));
    const out = join(dir, "out");
    await mkdir(out);
    let media: Probe;
    try {
      media = await probe(ffprobe, inFile);
    } catch (error) {
      return { error: { code: 1010, message: `The input could not be read as video: ${(error as Error).message.replaceAll(`${inFile}: `, "")}` } };
    }

    // HLS: one ffmpeg run, the input split into each output's box; silence where the input has no audio (MediaConvert does the same).
    const outputs = hls.Outputs ?? [];
    if (outputs.length < 1) throw new UnsupportedJob("the HLS group has no outputs");
    const filters = [`[0:v]split=${outputs.length}${outputs.map((_, i) => `[s${i}]`).join("")}`, ...outputs.map((o, i) => `[s${i}]${fitNoUpscale(o)}[v${i}]`)];
    const audioInput = media.hasAudio ? "0:a:0" : "1:a:0";
    const args = ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", inFile];
    if (!media.hasAudio) args.push("-f", "lavfi", "-t", String(Math.max(media.durationMs, 1000) / 1000), "-i", "anullsrc=channel_layout=stereo:sample_rate=48000");
    args.push("-filter_complex", filters.join(";"));
    const streamMap: string[] = [];
    let gop: number | undefined;
    outputs.forEach((o, i) => {
      const h264 = o.VideoDescription?.CodecSettings?.H264Settings;
      const aac = o.AudioDescriptions?.[0]?.CodecSettings?.AacSettings;
      if (o.VideoDescription?.CodecSettings?.Codec !== "H_264" || !h264?.Bitrate || o.AudioDescriptions?.[0]?.CodecSettings?.Codec !== "AAC" || !aac?.Bitrate) throw new UnsupportedJob("HLS outputs are H_264 with a Bitrate and AAC with a Bitrate");
      if (h264.GopSizeUnits !== "SECONDS" || !h264.GopSize) throw new UnsupportedJob("GopSize in SECONDS");
      gop = h264.GopSize;
      const maxrate = h264.MaxBitrate ?? h264.Bitrate;
      args.push("-map", `[v${i}]`, "-map", audioInput);
      args.push(`-b:v:${i}`, String(h264.Bitrate), `-maxrate:v:${i}`, String(maxrate), `-bufsize:v:${i}`, String(2 * maxrate));
      args.push(`-b:a:${i}`, String(aac.Bitrate), `-ar:a:${i}`, String(aac.SampleRate ?? 48_000));
      streamMap.push(`v:${i},a:${i},name:${o.NameModifier ?? `_${i}`}`);
    });
    args.push("-c:v", "libx264", "-preset", preset, "-pix_fmt", "yuv420p", "-force_key_frames", `expr:gte(t,n_forced*${gop})`, "-c:a", "aac", "-ac", "2", "-shortest");
    args.push("-f", "hls", "-hls_time", String(hlsSettings.SegmentLength ?? 10), "-hls_playlist_type", "vod", "-hls_flags", "independent_segments", "-start_number", "1");
    args.push("-hls_segment_filename", join(out, `${base}%v_%05d.ts`), "-master_pl_name", `${base}.m3u8`, "-var_stream_map", streamMap.join(" "), join(out, `${base}%v.m3u8`));
    try {
      await run(ffmpeg, args);
    } catch (error) {
      return { error: { code: 1030, message: `Transcoding failed: ${(error as Error).message.replaceAll(dir, "")}` } };
    }

    // The frame capture: FramerateNumerator/FramerateDenominator frames a second, at most MaxCaptures, named `<base>.<7 digits>.jpg` from 0.
    const capture = poster.Outputs?.[0];
    const frame = capture?.VideoDescription?.CodecSettings?.FrameCaptureSettings;
    if (capture?.VideoDescription?.CodecSettings?.Codec !== "FRAME_CAPTURE" || !frame?.FramerateNumerator || !frame.FramerateDenominator) throw new UnsupportedJob("the file group is one FRAME_CAPTURE output");
    const quality = Math.round(2 + ((100 - (frame.Quality ?? 80)) * 29) / 99);
    await run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", inFile, "-vf", `fps=${frame.FramerateNumerator}/${frame.FramerateDenominator},${fitNoUpscale(capture)}`, "-frames:v", String(frame.MaxCaptures ?? 1), "-q:v", String(quality), "-start_number", "0", join(out, `${posterBase}.%07d.jpg`)]);

    const files = (await readdir(out)).sort();
    for (const name of files) {
      const ext = name.split(".").at(-1)!;
      await options.s3.send(new PutObjectCommand({ Bucket: destination.bucket, Key: `${prefix}${name}`, Body: await readFile(join(out, name)), ContentType: CONTENT_TYPES[ext] ?? "application/octet-stream" }));
    }
    const url = (name: string) => `s3://${destination.bucket}/${prefix}${name}`;
    const posters = files.filter((f) => f.startsWith(`${posterBase}.`) && f.endsWith(".jpg"));
    if (!posters.length) return { error: { code: 1030, message: "The frame capture produced no image." } };
    return {
      outputGroupDetails: [
        {
          type: "HLS_GROUP",
          playlistFilePaths: [url(`${base}.m3u8`)],
          outputDetails: outputs.map((o) => ({ outputFilePaths: [url(`${base}${o.NameModifier}.m3u8`)], durationInMs: media.durationMs, videoDetails: fittedSize(media, o) })),
        },
        // MediaConvert reports a frame capture output's final captured image.
        { type: "FILE_GROUP", outputDetails: [{ outputFilePaths: [url(posters.at(-1)!)], durationInMs: media.durationMs, videoDetails: fittedSize(media, capture) }] },
      ],
    };
  }

  async function runJob(jobId: string, job: CreateJobCommandInput) {
    const dir = await mkdtemp(join(tmpdir(), "switchyard-transcode-"));
    const started = Date.now();
    let result: Awaited<ReturnType<typeof transcode>>;
    try {
      result = await transcode(job, dir);
    } catch (error) {
      result = { error: { code: error instanceof UnsupportedJob ? 1040 : 1999, message: (error as Error).message } };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const queue = job.Queue ?? `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:queues/Default`;
    const event: JobStateChangeEvent = {
      version: "0",
      id: randomUUID(),
      "detail-type": "MediaConvert Job State Change",
      source: "aws.mediaconvert",
      account: ACCOUNT,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      region: REGION,
      resources: [`arn:aws:mediaconvert:${REGION}:${ACCOUNT}:jobs/${jobId}`],
      detail: {
        timestamp: Date.now(),
        accountId: ACCOUNT,
        queue,
        jobId,
        userMetadata: { ...(job.UserMetadata ?? {}) },
        ...("error" in result ? { status: "ERROR", errorCode: result.error!.code, errorMessage: result.error!.message } : { status: "COMPLETE", outputGroupDetails: result.outputGroupDetails }),
      },
    };
    log(`mediaconvert (ffmpeg): job ${jobId} ${event.detail.status} in ${Date.now() - started} ms${event.detail.errorMessage ? `: ${event.detail.errorMessage}` : ""}`);
    await options.deliver(event);
  }

  return {
    async createJob(job) {
      if (!job.Role || !job.Settings) throw new Error("BadRequestException: Role and Settings are required");
      const jobId = newJobId();
      const done: Promise<void> = runJob(jobId, job)
        .catch((error: Error) => log(`mediaconvert (ffmpeg): job ${jobId}: delivering its event failed: ${error.message}`))
        .finally(() => running.delete(done));
      running.add(done);
      return { jobId };
    },
    async idle() {
      while (running.size) await Promise.all([...running]);
    },
  };
}
