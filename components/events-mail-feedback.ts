import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FEEDBACK_EVENT_TYPES } from "../handlers/events/mail/ses-feedback";

export interface MailFeedbackArgs {
  /** The SES configuration set's name: unique per account and region; letters, digits, `_` and `-`, ≤ 64. Example: `"switchyard-dev-events-mail"`. */
  configurationSetName: pulumi.Input<string>;
  /** The account SES publishes from (the topic policy admits no other). Example: `"123456789012"`. */
  accountId: pulumi.Input<string>;
}

/**
 * Where SES reports what became of the mail (issue #18): a configuration set every mail is sent
 * through, whose event destination publishes bounces and complaints (only those) to an SNS topic
 * that only SES, for this account and this configuration set, may publish to. The set also keeps
 * SES's account-level suppression list for bounces and complaints on: SES drops a send to a listed
 * address and reports it as a (permanent) bounce, so such invitations are marked as well.
 *
 * The topic is not KMS-encrypted: SES can publish to an encrypted topic only through a customer
 * managed key whose policy admits it (not alias/aws/sns), which would cost a key per stack.
 */
export function createMailFeedback(name: string, args: MailFeedbackArgs, opts: { parent: pulumi.Resource }) {
  const configurationSet = new aws.sesv2.ConfigurationSet(
    name,
    { configurationSetName: args.configurationSetName, suppressionOptions: { suppressedReasons: ["BOUNCE", "COMPLAINT"] } },
    opts,
  );
  const topic = new aws.sns.Topic(`${name}-feedback`, {}, opts);
  // Confused-deputy protection: SES publishing for this account's configuration set only.
  const topicPolicy = new aws.sns.TopicPolicy(
    `${name}-feedback`,
    {
      arn: topic.arn,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "SesPublishesMailFeedback",
            Effect: "Allow",
            Principal: { Service: "ses.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topic.arn,
            Condition: { StringEquals: { "aws:SourceAccount": args.accountId, "aws:SourceArn": configurationSet.arn } },
          },
        ],
      }),
    },
    opts,
  );
  const eventDestination = new aws.sesv2.ConfigurationSetEventDestination(
    `${name}-feedback`,
    {
      configurationSetName: configurationSet.configurationSetName,
      eventDestinationName: "bounces-and-complaints",
      eventDestination: { enabled: true, matchingEventTypes: [...FEEDBACK_EVENT_TYPES], snsDestination: { topicArn: topic.arn } },
    },
    // SES checks that it may publish when the destination is created.
    { ...opts, dependsOn: [topicPolicy] },
  );
  return { configurationSet, topic, topicPolicy, eventDestination };
}

/** The topic → a function: its subscription and the invoke permission scoped to that topic. */
export function subscribeFunction(name: string, topic: aws.sns.Topic, fn: aws.lambda.Function, opts: { parent: pulumi.Resource }) {
  const permission = new aws.lambda.Permission(name, { action: "lambda:InvokeFunction", function: fn.name, principal: "sns.amazonaws.com", sourceArn: topic.arn }, opts);
  const subscription = new aws.sns.TopicSubscription(name, { topic: topic.arn, protocol: "lambda", endpoint: fn.arn }, { ...opts, dependsOn: [permission] });
  return { subscription, permission };
}
