import { Readable } from "node:stream";
import { AbortMultipartUploadCommand, type ChecksumAlgorithm, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

/** S3's smallest part (every part but the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

/** Parts in flight at once: one, so a function holds one part in memory and parts go up in order. */
const PARTS_IN_FLIGHT = 1;

export interface StreamUploadTarget {
  Bucket: string;
  Key: string;
  ContentType?: string;
  Metadata?: Record<string, string>;
}

export interface StreamUploadOptions {
  /** Bytes per part; at least 5 MiB (the default). At most 10,000 parts: 5 MiB parts carry ~48 GiB. */
  partSize?: number;
  /**
   * Checksum S3 checks on each part and the completed object (`"CRC32"`, the default); `"none"`
   * names none (a newer SDK may still add its own default).
   */
  checksumAlgorithm?: ChecksumAlgorithm | "none";
}

export interface StreamUploadResult {
  bytes: number;
  /** Parts uploaded; 0 when the stream fit in one part and went up as one PutObject. */
  parts: number;
  etag?: string;
}

/**
 * Uploads a stream to S3 with `@aws-sdk/lib-storage`'s `Upload`, one part in memory at a time: a
 * stream of at most one part is a single PutObject; anything longer is a multipart upload
 * (CreateMultipartUpload, UploadPart of exactly `partSize` bytes each but the last,
 * CompleteMultipartUpload), read one part ahead, so the source is paused (backpressure) while a
 * part goes up. On a failure of the source or of S3 the multipart upload is aborted (no orphaned
 * parts billed), the source stream is destroyed and the error rethrown.
 *
 * The abort is sent here, not by `Upload` (`leavePartsOnError: true`): `Upload` lets a failed abort
 * replace the error that caused it (s3rver answers every abort 405), and the runtime's 3.632.0
 * does not abort when CompleteMultipartUpload fails.
 */
export async function uploadStream(s3: S3Client, target: StreamUploadTarget, body: AsyncIterable<Uint8Array | string>, options: StreamUploadOptions = {}): Promise<StreamUploadResult> {
  const partSize = options.partSize ?? MIN_PART_SIZE;
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE) throw new Error(`uploadStream: partSize must be at least ${MIN_PART_SIZE} bytes`);
  const algorithm = options.checksumAlgorithm === "none" ? undefined : (options.checksumAlgorithm ?? "CRC32");

  let bytes = 0;
  async function* counted() {
    for await (const chunk of body) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      bytes += buffer.byteLength;
      yield buffer;
    }
  }
  const upload = new Upload({
    client: s3,
    params: { ...target, Body: Readable.from(counted(), { highWaterMark: 1 }), ...(algorithm ? { ChecksumAlgorithm: algorithm } : {}) },
    partSize,
    queueSize: PARTS_IN_FLIGHT,
    leavePartsOnError: true,
  });
  try {
    const done = await upload.done();
    // Upload cuts a part only once more than `partSize` bytes are read: at most one part is a PutObject.
    return { bytes, parts: bytes > partSize ? Math.ceil(bytes / partSize) : 0, ...(done.ETag ? { etag: done.ETag } : {}) };
  } catch (error) {
    const destroy = (body as { destroy?: (error?: Error) => void }).destroy;
    if (typeof destroy === "function") destroy.call(body);
    if (upload.uploadId !== undefined) {
      try {
        await s3.send(new AbortMultipartUploadCommand({ Bucket: target.Bucket, Key: target.Key, UploadId: upload.uploadId }));
      } catch {
        // The original error matters more; a bucket lifecycle rule should clean up what is left.
      }
    }
    throw error;
  }
}
