import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { inventory } from "./inventory";

/** An encrypted SQS dead-letter queue that keeps messages 14 days (the maximum), on the dashboard with its alarm. */
export function createDeadLetterQueue(name: string, opts: pulumi.CustomResourceOptions): aws.sqs.Queue {
  const queue = new aws.sqs.Queue(name, { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 }, opts);
  inventory.deadLetterQueues.push({ name, queue });
  return queue;
}
