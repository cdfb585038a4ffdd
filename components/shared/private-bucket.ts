import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface PrivateBucketArgs {
  /** Keep old versions of overwritten and deleted objects. Example: `true` for a spool. */
  versioned: boolean;
  /** Days before an old version is removed (only with `versioned`). Example: `30`. */
  noncurrentVersionDays?: number;
  /** Days before an object is removed, counted from its upload (logs). Example: `90`. */
  expireAfterDays?: number;
  /** Let `pulumi destroy` delete a bucket that still holds objects (dev). Example: `true`. */
  forceDestroy?: boolean;
  /**
   * Leave the bucket policy for later: the caller adds its own statements (CloudFront's read,
   * which needs a distribution that needs this bucket first) with `attachPolicy`. Example: `true`.
   */
  deferPolicy?: boolean;
}

/**
 * An S3 bucket nobody outside the account can reach: all public access blocked, ACLs disabled,
 * encrypted at rest (SSE-S3), TLS-only by bucket policy, optionally versioned with a lifecycle for
 * old versions, optionally emptied of objects past an age. Shared by the webhook spool, the
 * website, its access logs and the jobs' and events' buckets.
 */
export function createPrivateBucket(name: string, args: PrivateBucketArgs, opts: pulumi.CustomResourceOptions) {
  const bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy ?? false }, opts);
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
    name,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opts,
  );
  const ownership = new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
  const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
    name,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    opts,
  );
  const versioning = args.versioned
    ? new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, opts)
    : undefined;
  const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
    ...(args.versioned && args.noncurrentVersionDays
      ? [{ id: "expire-old-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays } }]
      : []),
    ...(args.expireAfterDays ? [{ id: "expire-objects", status: "Enabled", filter: {}, expiration: { days: args.expireAfterDays } }] : []),
  ];
  const lifecycle = rules.length
    ? new aws.s3.BucketLifecycleConfiguration(name, { bucket: bucket.id, rules }, { ...opts, dependsOn: versioning ? [versioning] : [] })
    : undefined;
  /** The TLS-only policy plus `statements`. */
  const attachPolicy = (statements: pulumi.Input<object>[] = []) =>
    new aws.s3.BucketPolicy(
      name,
      {
        bucket: bucket.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "TlsOnly",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            ...statements,
          ],
        }),
      },
      { ...opts, dependsOn: [publicAccessBlock] },
    );
  const policy = args.deferPolicy ? undefined : attachPolicy();
  return { bucket, publicAccessBlock, ownership, encryption, versioning, lifecycle, policy, attachPolicy };
}
