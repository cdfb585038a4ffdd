import type { S3Client } from "@aws-sdk/client-s3";
import { randomUUID } from "node:crypto";
import type { MailSender } from "./message";
import { toMime } from "./mime";

/** The cloud outbox's prefix in the media bucket. */
export const OUTBOX_PREFIX = "outbox/";

/**
 * A stack without a configured sender (no `switchyard:eventsSender`) still "sends": each mail is
 * written as an .eml object under `outbox/` in the media bucket, exactly what SES would have sent,
 * so the whole flow works in a fresh account before SES is set up (`aws s3 cp` to read them).
 */
export function s3OutboxSender(s3: S3Client, bucket: string): MailSender {
  return {
    async send(message) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see notify.ts)
      const { PutObjectCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
      const at = new Date();
      const messageId = `${randomUUID()}@switchyard.local`;
      const key = `${OUTBOX_PREFIX}${at.toISOString().replace(/:/g, "")}-${messageId.slice(0, 8)}.eml`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: toMime(message, { date: at, messageId }), ContentType: "message/rfc822" }));
      return { messageId: key };
    },
  };
}
