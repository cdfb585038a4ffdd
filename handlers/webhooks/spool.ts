import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { StoredEvent } from "./event-store";

/** A spooled event: what failed to reach the downstream, and why. */
export interface SpoolEntry {
  event: StoredEvent;
  reason: string;
  spooledAt: string;
}

export const SPOOL_PREFIX = "spool/";
export const DEAD_LETTER_PREFIX = "dead-letter/";

/**
 * The key of an event in the spool: `spool/<receivedAt>/<event id>.json`. The time part makes
 * S3's lexical listing oldest-first; the event id makes it unique, so two events received in the
 * same millisecond can never overwrite each other (the original app keyed by time alone and lost
 * one of two same-timestamp events), while spooling the same event twice stays one object.
 */
export const spoolKey = (event: Pick<StoredEvent, "receivedAt" | "id">, prefix = SPOOL_PREFIX) => `${prefix}${event.receivedAt}/${event.id}.json`;

/**
 * The durable spool in S3 (private, encrypted, versioned bucket). An S3 client for local mode
 * needs path-style addressing: set when AWS_ENDPOINT_URL_S3 points at an emulator.
 */
export class Spool {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  static client(env: NodeJS.ProcessEnv = process.env): S3Client {
    return new S3Client({ forcePathStyle: env.AWS_ENDPOINT_URL_S3 !== undefined });
  }

  async put(event: StoredEvent, reason: string, prefix = SPOOL_PREFIX): Promise<string> {
    const key = spoolKey(event, prefix);
    const entry: SpoolEntry = { event, reason, spooledAt: new Date().toISOString() };
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: JSON.stringify(entry), ContentType: "application/json" }));
    return key;
  }

  /** Keys under the prefix, oldest first, at most `limit`. */
  async list(limit: number, prefix = SPOOL_PREFIX): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: Math.min(1000, limit - keys.length) }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && keys.length < limit);
    return keys.sort();
  }

  async get(key: string): Promise<SpoolEntry> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return JSON.parse(await object.Body!.transformToString()) as SpoolEntry;
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}
