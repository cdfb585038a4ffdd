// CloudWatch alarms cannot publish to an SNS topic encrypted with SNS's AWS-managed key
// (alias/aws/sns): that key's policy does not let CloudWatch use it and cannot be edited, so every
// alarm action fails with "CloudWatch Alarms does not have authorization to access the SNS topic
// encryption key". Deploys succeed; alarms then page nobody.
import { resourceLabel, type Finding, type PreflightRule } from "../finding";

const SOURCE = "https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns";
const AWS_MANAGED_SNS_KEY = /^(alias\/aws\/sns|arn:aws[\w-]*:kms:[^:]+:\d+:alias\/aws\/sns)$/;

export const alarmTopics: PreflightRule = {
  name: "alarm-topic-key",
  description: "Topics that alarms notify are not encrypted with the AWS-managed SNS key, which CloudWatch cannot use.",
  check(record, variant) {
    const managedKeyTopics = new Map(
      record.resources.filter((r) => r.type === "aws:sns/topic:Topic" && AWS_MANAGED_SNS_KEY.test(String(r.inputs.kmsMasterKeyId ?? ""))).map((r) => [r.state.arn as string, r]),
    );
    const findings: Finding[] = [];
    for (const alarm of record.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")) {
      for (const key of ["alarmActions", "okActions", "insufficientDataActions"] as const) {
        for (const [i, arn] of ((alarm.inputs[key] ?? []) as string[]).entries()) {
          const topic = managedKeyTopics.get(arn);
          if (!topic) continue;
          findings.push({
            stack: variant,
            resource: resourceLabel(topic),
            input: "kmsMasterKeyId",
            rule: this.name,
            message: `is ${topic.inputs.kmsMasterKeyId}, and alarm "${alarm.name}" notifies it (${key}[${i}]): CloudWatch cannot use that key, so the notification fails; use a customer-managed key whose policy allows cloudwatch.amazonaws.com, or no key`,
            source: SOURCE,
          });
        }
      }
    }
    // One finding per topic is enough to act on.
    return findings.filter((f, i) => findings.findIndex((g) => g.resource === f.resource) === i);
  },
};
