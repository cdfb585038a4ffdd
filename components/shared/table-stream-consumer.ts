import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface TableStreamConsumerArgs {
  /** A table with a stream (its TableDefinition has `stream`). Example: `eventsTable`. */
  table: aws.dynamodb.Table;
  /** The consumer. Example: `projector.function`. */
  fn: aws.lambda.Function;
  /** Its role's policy: the mapping waits for it (the first poll needs the stream grants). Example: `projector.policy`. */
  policy: aws.iam.RolePolicy;
  /** Where batches that failed every retry go (the consumer's role needs `sqs:SendMessage` on it). Example: `dlq.arn`. */
  deadLetterArn: pulumi.Input<string>;
  /** Retries of a failing batch before it is dead-lettered. Example: `5`. */
  maxRetries: number;
  /** Records per invocation. Example: `10` (the default). */
  batchSize?: number;
  /** Which changes reach the function. Example: `["INSERT"]` (the default), `["INSERT", "MODIFY", "REMOVE"]`. */
  eventNames?: ("INSERT" | "MODIFY" | "REMOVE")[];
  /** Last-chance edits. Example: `{ mapping: (a) => { a.parallelizationFactor = 2; } }`. */
  transform?: { mapping?: (args: aws.lambda.EventSourceMappingArgs) => void };
}

/**
 * A Lambda consuming a table's stream: in order from the oldest record, partial-batch retries
 * (ReportBatchItemFailures, bisecting a failing batch), only the named change types, and the
 * failures past the retry limit to a dead-letter queue. A plain resource parented to the caller.
 */
export function tableStreamConsumer(name: string, args: TableStreamConsumerArgs, opts: { parent: pulumi.Resource }): aws.lambda.EventSourceMapping {
  const mappingArgs: aws.lambda.EventSourceMappingArgs = {
    eventSourceArn: args.table.streamArn,
    functionName: args.fn.arn,
    startingPosition: "TRIM_HORIZON",
    batchSize: args.batchSize ?? 10,
    maximumRetryAttempts: args.maxRetries,
    bisectBatchOnFunctionError: true,
    functionResponseTypes: ["ReportBatchItemFailures"],
    filterCriteria: { filters: [{ pattern: JSON.stringify({ eventName: args.eventNames ?? ["INSERT"] }) }] },
    destinationConfig: { onFailure: { destinationArn: args.deadLetterArn } },
  };
  args.transform?.mapping?.(mappingArgs);
  return new aws.lambda.EventSourceMapping(name, mappingArgs, { ...opts, dependsOn: [args.policy] });
}
