/**
 * Path-style S3 addressing where the S3 endpoint is overridden (s3rver in local mode and tests):
 * the SDK reads that override from the process's environment itself, so this does too. It is the
 * SDK's setting, not part of any function's contract (handlers/events/functions.ts).
 * Example: `new S3Client({ forcePathStyle: s3ForcePathStyle() })`.
 */
export const s3ForcePathStyle = (): boolean => process.env.AWS_ENDPOINT_URL_S3 !== undefined;
