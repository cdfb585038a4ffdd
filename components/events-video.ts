// The EventsApi's video pipeline in AWS (issue #19): the role AWS Elemental MediaConvert runs the
// transcoding jobs as, the media bucket's notification of new objects to the transcode function,
// and the EventBridge rule taking MediaConvert's state changes of this stack's jobs to the status
// function. The functions themselves are the topology's (handlers/events/topology.ts); their
// grants are in their definitions (handlers/events/functions.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { jobStateChangePattern } from "../handlers/events/video/status";
import { inlinePolicy, serviceRole } from "./shared/iam";

export interface TranscodeRoleArgs {
  /** The media bucket: the role reads uploads from it and writes renditions to it. Example: `media.bucket`. */
  bucket: aws.s3.Bucket;
  /** Jobs of this account only may use the role (confused-deputy protection). Example: `aws.getCallerIdentityOutput().accountId`. */
  accountId: pulumi.Input<string>;
}

/**
 * The role MediaConvert runs jobs as: assumable by MediaConvert only, for this account's jobs only;
 * it may read video uploads (`events/<id>/video/…`) and write renditions (`events/<id>/hls/…`) of the
 * media bucket, and nothing else (no listing, no other prefix, no other bucket).
 */
export function createTranscodeRole(name: string, args: TranscodeRoleArgs, opts: { parent: pulumi.Resource }) {
  const role = serviceRole(
    name,
    { service: "mediaconvert.amazonaws.com", description: "Transcodes event videos (MediaConvert jobs)", conditions: { StringEquals: { "aws:SourceAccount": args.accountId } } },
    opts,
  );
  const policy = inlinePolicy(
    name,
    role,
    [
      { actions: ["s3:GetObject"], resources: [pulumi.interpolate`${args.bucket.arn}/events/*/video/*`] },
      { actions: ["s3:PutObject"], resources: [pulumi.interpolate`${args.bucket.arn}/events/*/hls/*`] },
    ],
    opts,
  );
  return { role, policy };
}

/** The queue jobs go to: MediaConvert's on-demand Default queue of the region (every account has it; nothing to create). */
export const defaultQueueArn = (region: pulumi.Input<string>, accountId: pulumi.Input<string>) => pulumi.interpolate`arn:aws:mediaconvert:${region}:${accountId}:queues/Default`;

export interface UploadNotificationArgs {
  bucket: aws.s3.Bucket;
  fn: aws.lambda.Function;
  /** S3 filters by prefix and suffix only: the function picks the video uploads out. Example: `"events/"`. */
  prefix: string;
  accountId: pulumi.Input<string>;
}

/** New objects under `prefix` → the function (S3 may invoke it for this bucket of this account only). */
export function notifyOnUploads(name: string, args: UploadNotificationArgs, opts: { parent: pulumi.Resource }) {
  const permission = new aws.lambda.Permission(
    name,
    { action: "lambda:InvokeFunction", function: args.fn.name, principal: "s3.amazonaws.com", sourceArn: args.bucket.arn, sourceAccount: args.accountId },
    opts,
  );
  // S3 checks it may invoke the function when the notification is set: after the permission.
  const notification = new aws.s3.BucketNotification(
    name,
    { bucket: args.bucket.id, lambdaFunctions: [{ lambdaFunctionArn: args.fn.arn, events: ["s3:ObjectCreated:*"], filterPrefix: args.prefix }] },
    { ...opts, dependsOn: [permission] },
  );
  return { permission, notification };
}

/** MediaConvert's COMPLETE and ERROR state changes of jobs writing to `bucketName` → the function (retried for up to a day). */
export function routeJobStateChanges(name: string, args: { fn: aws.lambda.Function; bucketName: pulumi.Input<string> }, opts: { parent: pulumi.Resource }) {
  const rule = new aws.cloudwatch.EventRule(
    name,
    { description: "Transcoding jobs of this stack that completed or failed", eventPattern: pulumi.output(args.bucketName).apply((bucket) => JSON.stringify(jobStateChangePattern(bucket))) },
    opts,
  );
  const target = new aws.cloudwatch.EventTarget(name, { rule: rule.name, arn: args.fn.arn, retryPolicy: { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 86_400 } }, opts);
  const permission = new aws.lambda.Permission(name, { action: "lambda:InvokeFunction", function: args.fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn }, opts);
  return { rule, target, permission };
}
