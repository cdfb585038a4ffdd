import type * as aws from "@pulumi/aws";

/** A function as the dashboard and alarms see it: its Pulumi name (also its Powertools service) and resources. */
export interface InventoryFunction {
  name: string;
  function: aws.lambda.Function;
  logGroup: aws.cloudwatch.LogGroup;
}

/**
 * Everything the program creates through the shared helpers (HandlerFunction, createDataTable,
 * createDeadLetterQueue, createWorkQueue, FargateTask's log group), in creation order. The ObservabilityDashboard
 * covers whatever is here when it is created, so a function, table or queue added to any
 * component later appears on the dashboard and gets its alarms without editing the dashboard.
 * One program, one stack: a module-level list is the program's list.
 */
export const inventory = {
  functions: [] as InventoryFunction[],
  tables: [] as { name: string; table: aws.dynamodb.Table }[],
  deadLetterQueues: [] as { name: string; queue: aws.sqs.Queue }[],
  /** Queues that carry work to a consumer (not dead-letter queues): their backlog is on the dashboard. */
  workQueues: [] as { name: string; queue: aws.sqs.Queue }[],
  /** Log groups that are not a function's (a Fargate task's). */
  otherLogGroups: [] as { name: string; logGroup: aws.cloudwatch.LogGroup }[],
};
