import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createPrivateBucket } from "./shared/private-bucket";

export interface SiteAccessLogsArgs {
  /** The distribution whose requests are logged. Example: `site.distribution`. */
  distribution: aws.cloudfront.Distribution;
  /** Days a log file is kept (the bucket's lifecycle removes it after). Example: `90`. */
  retentionDays: number;
  /** Keeps the bucket when the stack is destroyed with logs in it. Example: `true` in prod. */
  protectData: boolean;
  /**
   * A provider for us-east-1: CloudFront's log deliveries are made there, whatever the stack's
   * region, and the bucket sits beside them. Example: `usEast1Provider`.
   */
  usEast1: aws.Provider;
}

/** The account's log-delivery service: the only writer of the log bucket. */
const LOG_DELIVERY = "delivery.logs.amazonaws.com";

/**
 * CloudFront access logs (standard logging v2, through CloudWatch Logs' vended-log delivery) into
 * a private bucket of their own: public access blocked, ACLs disabled (v2 needs no ACL grant, unlike
 * legacy logging's awslogsdelivery account), SSE-S3, TLS only, each file removed after
 * `retentionDays`. The bucket policy lets the log-delivery service write under
 * `AWSLogs/<account>/` only, and only for this account's delivery sources in us-east-1, the
 * statement AWS would otherwise add itself
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-S3.html).
 */
export function createSiteAccessLogs(name: string, args: SiteAccessLogsArgs, opts: pulumi.CustomResourceOptions) {
  const inUsEast1 = { ...opts, provider: args.usEast1 };
  const accountId = aws.getCallerIdentityOutput({}, { parent: opts.parent }).accountId;
  const storage = createPrivateBucket(name, { versioned: false, expireAfterDays: args.retentionDays, forceDestroy: !args.protectData, deferPolicy: true }, inUsEast1);
  const policy = storage.attachPolicy([
    {
      Sid: "CloudFrontLogDelivery",
      Effect: "Allow",
      Principal: { Service: LOG_DELIVERY },
      Action: "s3:PutObject",
      Resource: pulumi.interpolate`${storage.bucket.arn}/AWSLogs/${accountId}/*`,
      Condition: {
        StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": accountId },
        ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:aws:logs:us-east-1:${accountId}:delivery-source:*` },
      },
    },
  ]);
  const source = new aws.cloudwatch.LogDeliverySource(name, { logType: "ACCESS_LOGS", resourceArn: args.distribution.arn }, inUsEast1);
  const destination = new aws.cloudwatch.LogDeliveryDestination(name, { deliveryDestinationConfiguration: { destinationResourceArn: storage.bucket.arn } }, inUsEast1);
  // After the policy: CreateDelivery checks the bucket lets the service write (and would add the
  // statement itself, leaving the stack's policy drifted).
  const delivery = new aws.cloudwatch.LogDelivery(
    name,
    { deliverySourceName: source.name, deliveryDestinationArn: destination.arn },
    { ...inUsEast1, dependsOn: [policy, storage.publicAccessBlock, storage.encryption, storage.ownership] },
  );
  return { bucket: storage.bucket, lifecycle: storage.lifecycle!, policy, source, destination, delivery };
}
