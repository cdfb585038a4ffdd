import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type ChecksumAlgorithm,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";

/** S3's smallest part (every part but the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

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
   * Checksum of each part, declared when the multipart upload is created so S3 can check every part
   * and the completed object (`"CRC32"`, the default); `"none"` sends none.
   */
  checksumAlgorithm?: ChecksumAlgorithm | "none";
}

export interface StreamUploadResult {
  bytes: number;
  /** Parts uploaded; 0 when the stream was small enough for one PutObject. */
  parts: number;
  etag?: string;
}

/**
 * Uploads a stream to S3 without holding more than one part in memory: a stream under one part is
 * a single PutObject; anything longer is a multipart upload (CreateMultipartUpload, UploadPart of
 * exactly `partSize` bytes each but the last, CompleteMultipartUpload), read and uploaded one part
 * at a time, so the source is paused (backpressure) while a part goes up. On any failure, of the
 * source or of S3, the multipart upload is aborted (no orphaned parts billed) and the error is
 * rethrown; the source stream is destroyed.
 */
export async function uploadStream(s3: S3Client, target: StreamUploadTarget, body: AsyncIterable<Uint8Array | string>, options: StreamUploadOptions = {}): Promise<StreamUploadResult> {
  const partSize = options.partSize ?? MIN_PART_SIZE;
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE) throw new Error(`uploadStream: partSize must be at least ${MIN_PART_SIZE} bytes`);
  const algorithm = options.checksumAlgorithm === "none" ? undefined : (options.checksumAlgorithm ?? "CRC32");

  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  let uploadId: string | undefined;
  const parts: CompletedPart[] = [];

  /** Takes exactly `size` bytes (or all when fewer) off the front of the pending chunks. */
  const take = (size: number): Buffer => {
    const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    const part = all.subarray(0, size);
    const rest = all.subarray(size);
    pending = rest.length ? [rest] : [];
    pendingBytes = rest.length;
    return part;
  };

  const uploadPart = async (data: Buffer) => {
    if (parts.length >= MAX_PARTS) throw new Error(`uploadStream: more than ${MAX_PARTS} parts; use a larger partSize`);
    if (uploadId === undefined) {
      const created = await s3.send(new CreateMultipartUploadCommand({ ...target, ...(algorithm ? { ChecksumAlgorithm: algorithm } : {}) }));
      if (!created.UploadId) throw new Error("uploadStream: CreateMultipartUpload returned no UploadId");
      uploadId = created.UploadId;
    }
    const PartNumber = parts.length + 1;
    const uploaded = await s3.send(
      new UploadPartCommand({ Bucket: target.Bucket, Key: target.Key, UploadId: uploadId, PartNumber, Body: data, ContentLength: data.length, ...(algorithm ? { ChecksumAlgorithm: algorithm } : {}) }),
    );
    if (!uploaded.ETag) throw new Error(`uploadStream: part ${PartNumber} got no ETag`);
    parts.push({
      PartNumber,
      ETag: uploaded.ETag,
      ...(uploaded.ChecksumCRC32 ? { ChecksumCRC32: uploaded.ChecksumCRC32 } : {}),
      ...(uploaded.ChecksumCRC32C ? { ChecksumCRC32C: uploaded.ChecksumCRC32C } : {}),
      ...(uploaded.ChecksumCRC64NVME ? { ChecksumCRC64NVME: uploaded.ChecksumCRC64NVME } : {}),
      ...(uploaded.ChecksumSHA1 ? { ChecksumSHA1: uploaded.ChecksumSHA1 } : {}),
      ...(uploaded.ChecksumSHA256 ? { ChecksumSHA256: uploaded.ChecksumSHA256 } : {}),
    });
  };

  try {
    for await (const chunk of body) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (!buffer.length) continue;
      pending.push(buffer);
      pendingBytes += buffer.length;
      bytes += buffer.length;
      while (pendingBytes >= partSize) await uploadPart(take(partSize));
    }
    if (uploadId === undefined) {
      const whole = take(pendingBytes);
      const put = await s3.send(new PutObjectCommand({ ...target, Body: whole, ContentLength: whole.length }));
      return { bytes, parts: 0, ...(put.ETag ? { etag: put.ETag } : {}) };
    }
    if (pendingBytes > 0) await uploadPart(take(pendingBytes));
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: target.Bucket, Key: target.Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    return { bytes, parts: parts.length, ...(done.ETag ? { etag: done.ETag } : {}) };
  } catch (error) {
    const destroy = (body as { destroy?: (error?: Error) => void }).destroy;
    if (typeof destroy === "function") destroy.call(body);
    if (uploadId !== undefined) {
      try {
        await s3.send(new AbortMultipartUploadCommand({ Bucket: target.Bucket, Key: target.Key, UploadId: uploadId }));
      } catch {
        // The original error matters more; a bucket lifecycle rule should clean up what is left.
      }
    }
    throw error;
  }
}
