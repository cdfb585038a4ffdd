import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ScheduledInvocationArgs {
  /** An EventBridge schedule expression. Example: `"rate(5 minutes)"` or `"cron(0 0/6 * * ? *)"`. */
  schedule: pulumi.Input<string>;
  /** The rule's description. Example: `"Replays the webhook spool"`. */
  description: pulumi.Input<string>;
  /** The function EventBridge invokes. Example: `handler.function`. */
  fn: aws.lambda.Function;
  /** How EventBridge retries a failed delivery. Example: `{ maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 }` (the default). */
  retry?: { maximumRetryAttempts: number; maximumEventAgeInSeconds: number };
  /** Where deliveries that exhausted their retries go. Example: `queue.arn` (the queue's policy must let this rule send). */
  deadLetterArn?: pulumi.Input<string>;
  /**
   * The invoke permission's logical name; `name` when unset. Stacks created before this component
   * named some of theirs `<name>-schedule`: passing that keeps them. Example: `"calendly-replay-schedule"`.
   */
  permissionName?: string;
  /** Last-chance edits of the underlying resources' args. Example: `{ rule: (a) => { a.state = "DISABLED"; } }`. */
  transform?: {
    rule?: (args: aws.cloudwatch.EventRuleArgs) => void;
    target?: (args: aws.cloudwatch.EventTargetArgs) => void;
  };
}

/** The default delivery retry: twice, within the hour. */
export const SCHEDULE_RETRY = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 };

/**
 * A function run on a schedule: EventBridge rule → target (with a retry policy and optionally a
 * dead-letter queue) → an invoke permission scoped to that rule only. Plain resources parented to
 * the caller's component (no wrapping component), so their URNs are those the components always had.
 */
export function scheduledInvocation(name: string, args: ScheduledInvocationArgs, opts: { parent: pulumi.Resource }) {
  const ruleArgs: aws.cloudwatch.EventRuleArgs = { scheduleExpression: args.schedule, description: args.description };
  args.transform?.rule?.(ruleArgs);
  const rule = new aws.cloudwatch.EventRule(name, ruleArgs, opts);
  const targetArgs: aws.cloudwatch.EventTargetArgs = {
    rule: rule.name,
    arn: args.fn.arn,
    retryPolicy: args.retry ?? SCHEDULE_RETRY,
    ...(args.deadLetterArn ? { deadLetterConfig: { arn: args.deadLetterArn } } : {}),
  };
  args.transform?.target?.(targetArgs);
  const target = new aws.cloudwatch.EventTarget(name, targetArgs, opts);
  const permission = new aws.lambda.Permission(
    args.permissionName ?? name,
    { action: "lambda:InvokeFunction", function: args.fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
    opts,
  );
  return { rule, target, permission };
}
