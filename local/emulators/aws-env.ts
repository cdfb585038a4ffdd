import { LOCAL_CREDENTIALS } from "./dynamodb-local";

/**
 * Points the AWS SDK in this process at local emulators, through the same environment variables
 * the SDK reads in Lambda, so handler code needs no local-mode branches.
 *
 * With `s3` (an s3rver endpoint from startS3Local), S3 clients go there too. The SDK has no
 * environment variable for path-style addressing, so handler code builds its client as
 * `new S3Client({ forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined })`. Checksums are
 * limited to operations that require them because s3rver stores the aws-chunked framing of a
 * streamed upload with a default CRC32 checksum as the object itself (see local/emulators/s3-local.ts).
 */
export function useLocalAws(endpoints: { dynamodb: string; s3?: string }): void {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
  process.env.AWS_REGION = "us-east-1";
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  if (endpoints.s3 !== undefined) {
    process.env.AWS_ENDPOINT_URL_S3 = endpoints.s3;
    process.env.AWS_REQUEST_CHECKSUM_CALCULATION = "WHEN_REQUIRED";
    process.env.AWS_RESPONSE_CHECKSUM_VALIDATION = "WHEN_REQUIRED";
  }
}
