// The one description of how an uploaded video becomes a streaming rendition (issue #19): an AWS
// Elemental MediaConvert CreateJob request. The stacks send it to MediaConvert; local mode hands the
// very same object to the ffmpeg runner (local/video/ffmpeg-runner.ts), which reads its settings and
// writes the same file names. Pure: no client, no I/O (a type-only import of the SDK's shapes).
import type { CreateJobCommandInput, Output } from "@aws-sdk/client-mediaconvert";
import { renditionPrefix } from "../video-rendition";

/** The HLS ladder: a box each rendition fits in (aspect kept, never upscaled) and its video bitrate. One list: the job and the docs read it. */
export const HLS_RENDITIONS = [
  { name: "360p", maxWidth: 640, maxHeight: 360, bitrate: 800_000, maxBitrate: 1_200_000 },
  { name: "720p", maxWidth: 1280, maxHeight: 720, bitrate: 2_500_000, maxBitrate: 3_750_000 },
] as const;

/** Seconds per HLS segment (Apple's recommendation: 6); keyframes every GOP_SECONDS, so segments cut on them. */
export const SEGMENT_SECONDS = 6;
export const GOP_SECONDS = 2;
export const AUDIO = { bitrate: 96_000, sampleRate: 48_000 } as const;
/** The poster: one frame a few seconds in (the first is often black); a clip shorter than that keeps its first frame. */
export const POSTER = { everySeconds: 3, captures: 2, quality: 80, maxWidth: 1280, maxHeight: 720 } as const;

/** The master playlist's base name (MediaConvert appends `.m3u8`) and the poster's (it appends `.<7 digits>.jpg`). */
export const PLAYLIST_BASE = "index";
export const POSTER_BASE = "poster";
const AUDIO_SELECTOR = "Audio Selector 1";

/** What the status event's `userMetadata` carries back: which event, upload and attempt a job is for, and whose job it is. */
export interface TranscodeJobMetadata {
  /** The media bucket the job writes to: marks this stack's jobs (the EventBridge rule matches on it). */
  mediaBucket: string;
  eventId: string;
  /** The upload's S3 key. Example: `"events/0199…/video/0199…"`. */
  uploadKey: string;
  /** As text: MediaConvert's user metadata is a string map. Example: `"1"`. */
  attempt: string;
}

export interface TranscodeJobArgs {
  /** The media bucket (input and output). Example: `"events-media-1a2b3c4"`. */
  bucket: string;
  eventId: string;
  /** Example: `"0199…"`: the last part of the upload's key. */
  uploadId: string;
  /** The upload's key. Example: `"events/0199…/video/0199…"`. */
  key: string;
  /** Example: `1` (2 after the first retry). */
  attempt: number;
  /** The role MediaConvert runs the job as. Example: `"arn:aws:iam::123456789012:role/events-transcode-…"`. */
  roleArn: string;
  /** A queue of the stack's own; MediaConvert's Default queue when omitted. */
  queue?: string;
}

/** Where an attempt's outputs go: `s3://<bucket>/events/<eventId>/hls/<uploadId>/`. */
export const renditionDestination = (bucket: string, eventId: string, uploadId: string) => `s3://${bucket}/${renditionPrefix(eventId, uploadId)}`;

/** A rendition's H.264 + AAC output in the HLS group (segments and a variant playlist named `index_<name>`). */
function hlsOutput(r: (typeof HLS_RENDITIONS)[number]): Output {
  return {
    NameModifier: `_${r.name}`,
    ContainerSettings: { Container: "M3U8", M3u8Settings: {} },
    VideoDescription: {
      Width: r.maxWidth,
      Height: r.maxHeight,
      // Fits the box keeping the source's aspect ratio, without padding and never above the source's size.
      ScalingBehavior: "FIT_NO_UPSCALE",
      CodecSettings: {
        Codec: "H_264",
        H264Settings: {
          RateControlMode: "VBR",
          Bitrate: r.bitrate,
          MaxBitrate: r.maxBitrate,
          CodecProfile: "MAIN",
          CodecLevel: "AUTO",
          GopSize: GOP_SECONDS,
          GopSizeUnits: "SECONDS",
          SceneChangeDetect: "DISABLED",
          FramerateControl: "INITIALIZE_FROM_SOURCE",
        },
      },
    },
    AudioDescriptions: [
      {
        AudioSourceName: AUDIO_SELECTOR,
        CodecSettings: { Codec: "AAC", AacSettings: { Bitrate: AUDIO.bitrate, SampleRate: AUDIO.sampleRate, CodingMode: "CODING_MODE_2_0", CodecProfile: "LC" } },
      },
    ],
  };
}

/**
 * The CreateJob request for one attempt at an upload: HLS (master `index.m3u8`, a variant per
 * HLS_RENDITIONS entry, SEGMENT_SECONDS segments, relative URIs) and a poster JPEG, both under
 * `events/<eventId>/hls/<uploadId>/`. The same attempt of the same upload always gets the same
 * ClientRequestToken, so a retried invocation does not start a second job.
 */
export function transcodeJob(args: TranscodeJobArgs): CreateJobCommandInput & { UserMetadata: Record<keyof TranscodeJobMetadata, string> } {
  const destination = renditionDestination(args.bucket, args.eventId, args.uploadId);
  const metadata: TranscodeJobMetadata = { mediaBucket: args.bucket, eventId: args.eventId, uploadKey: args.key, attempt: String(args.attempt) };
  return {
    Role: args.roleArn,
    ...(args.queue ? { Queue: args.queue } : {}),
    ClientRequestToken: `${args.uploadId}-${args.attempt}`,
    UserMetadata: { ...metadata },
    StatusUpdateInterval: "SECONDS_60",
    Settings: {
      TimecodeConfig: { Source: "ZEROBASED" },
      Inputs: [
        {
          FileInput: `s3://${args.bucket}/${args.key}`,
          TimecodeSource: "ZEROBASED",
          VideoSelector: {},
          AudioSelectors: { [AUDIO_SELECTOR]: { DefaultSelection: "DEFAULT" } },
        },
      ],
      OutputGroups: [
        {
          Name: "HLS",
          OutputGroupSettings: {
            Type: "HLS_GROUP_SETTINGS",
            HlsGroupSettings: {
              Destination: `${destination}${PLAYLIST_BASE}`,
              SegmentLength: SEGMENT_SECONDS,
              MinSegmentLength: 0,
              SegmentControl: "SEGMENTED_FILES",
              DirectoryStructure: "SINGLE_DIRECTORY",
              OutputSelection: "MANIFESTS_AND_SEGMENTS",
              ManifestDurationFormat: "INTEGER",
              StreamInfResolution: "INCLUDE",
              CodecSpecification: "RFC_4281",
              ClientCache: "ENABLED",
              ProgramDateTime: "EXCLUDE",
            },
          },
          Outputs: HLS_RENDITIONS.map(hlsOutput),
        },
        {
          Name: "Poster",
          OutputGroupSettings: { Type: "FILE_GROUP_SETTINGS", FileGroupSettings: { Destination: `${destination}${POSTER_BASE}` } },
          Outputs: [
            {
              ContainerSettings: { Container: "RAW" },
              Extension: "jpg",
              VideoDescription: {
                Width: POSTER.maxWidth,
                Height: POSTER.maxHeight,
                ScalingBehavior: "FIT_NO_UPSCALE",
                CodecSettings: {
                  Codec: "FRAME_CAPTURE",
                  FrameCaptureSettings: { FramerateNumerator: 1, FramerateDenominator: POSTER.everySeconds, MaxCaptures: POSTER.captures, Quality: POSTER.quality },
                },
              },
            },
          ],
        },
      ],
    },
  };
}

/** The metadata a job event carries back, or undefined when it is not one of ours (or not well-formed). */
export function jobMetadataOf(userMetadata: unknown): TranscodeJobMetadata | undefined {
  if (!userMetadata || typeof userMetadata !== "object") return undefined;
  const m = userMetadata as Record<string, unknown>;
  const fields = ["mediaBucket", "eventId", "uploadKey", "attempt"] as const;
  if (!fields.every((f) => typeof m[f] === "string" && m[f] !== "")) return undefined;
  if (!/^[1-9]\d{0,5}$/.test(m.attempt as string)) return undefined;
  return Object.fromEntries(fields.map((f) => [f, m[f]])) as unknown as TranscodeJobMetadata;
}
