import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { uploadStream, type StreamUploadResult } from "./s3-stream-upload";

/** Where a release's tarball is kept: one object per tag, so a new release never replaces an old one. */
export const releaseKey = (owner: string, repo: string, tag: string) => `releases/${owner}/${repo}/${tag}.tar.gz`;

/**
 * Release tarballs in S3 under `releases/<owner>/<repo>/<tag>.tar.gz`. An object is written once,
 * streamed, and never overwritten by the sync (a tag's archive does not change).
 */
export class ReleaseArchive {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  /**
   * Whether the object exists (HeadObject). In AWS a missing object answers 404 only to a caller
   * allowed `s3:ListBucket` on the bucket; without it the answer is 403, which is an error here.
   */
  async has(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === "NotFound" || e.$metadata?.httpStatusCode === 404) return false;
      throw error;
    }
  }

  store(key: string, tarball: AsyncIterable<Uint8Array>, metadata: Record<string, string>): Promise<StreamUploadResult> {
    return uploadStream(this.s3, { Bucket: this.bucket, Key: key, ContentType: "application/gzip", Metadata: metadata }, tarball);
  }
}
