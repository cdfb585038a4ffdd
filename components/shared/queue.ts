import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { inventory } from "./inventory";

/** An encrypted SQS dead-letter queue that keeps messages 14 days (the maximum), on the dashboard with its alarm. */
export function createDeadLetterQueue(name: string, opts: pulumi.CustomResourceOptions): aws.sqs.Queue {
  const queue = new aws.sqs.Queue(name, { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 }, opts);
  inventory.deadLetterQueues.push({ name, queue });
  return queue;
}

export interface WorkQueueArgs {
  /** Where a message goes after `maxReceiveCount` failed receives. Example: `createDeadLetterQueue("jobs-dlq", opts)`. */
  deadLetterQueue: aws.sqs.Queue;
  /** Example: `5`. */
  maxReceiveCount: number;
  /** At least six times the consumer's timeout (Lambda's advice), so a batch is not received twice. Example: `180`. */
  visibilityTimeoutSeconds: number;
  /** Example: `4 * 24 * 3600`. */
  messageRetentionSeconds: number;
}

/** An encrypted SQS queue that redrives to a dead-letter queue, on the dashboard with its backlog (and alarm). */
export function createWorkQueue(name: string, args: WorkQueueArgs, opts: pulumi.CustomResourceOptions): aws.sqs.Queue {
  const queue = new aws.sqs.Queue(
    name,
    {
      sqsManagedSseEnabled: true,
      visibilityTimeoutSeconds: args.visibilityTimeoutSeconds,
      messageRetentionSeconds: args.messageRetentionSeconds,
      redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: args.deadLetterQueue.arn, maxReceiveCount: args.maxReceiveCount }),
    },
    opts,
  );
  inventory.workQueues.push({ name, queue });
  return queue;
}
