// The reviewed table: for every resource type the stacks record, the IAM actions Pulumi's AWS
// provider (v7, Terraform's AWS provider underneath) calls to create it, read it (refresh and the
// waits after a create), update it, tag it and delete it, and on which resource. The deploy-role
// rule simulates .github/aws/deploy-policy.json against each of them; a recorded type with no
// entry here is a finding, so a new kind of resource cannot reach a deploy unreviewed.
//
// Sources: each entry names the Terraform resource file the calls come from
// (github.com/hashicorp/terraform-provider-aws, internal/service/<service>/<file>.go, whose
// create/read/update/delete functions and find* helpers make these calls) or the AWS page that
// lists the permissions an operation needs. Tag calls: the provider sends tags with the create
// call (tag-on-create, which IAM authorizes as the create action plus the tag action with
// aws:RequestTag) and reads them back (ListTags*) on every refresh.
import type { RecordedResource, StackRecord } from "./finding";

/** When the provider makes a call: what the request's tag context is follows from it. */
export type Phase = "create" | "read" | "update" | "delete";

/** One recorded resource, with what its ARN functions need to know. */
export interface Subject {
  resource: RecordedResource;
  record: StackRecord;
  /** The region of the resource's provider. Example: `"us-east-1"`. */
  region: string;
  account: string;
  /** The real ARN of another recorded resource, from a reference in an input (its mock ARN, or its id with its type); the value itself otherwise. */
  ref(value: string, type?: string): string;
}

/** A set of API calls that all act on the same resource. */
export interface Call {
  phase: Phase;
  /** Only for resources with this setting; default: every resource of the type. */
  when?: (s: Subject) => boolean;
  actions: string[];
  /**
   * The ARN(s) IAM authorizes the calls on; default: the resource's own. Actions that take no
   * resource type are simulated on `"*"` whatever this says.
   */
  on?: (s: Subject) => string | string[];
  /** The resource's own policy, where the service requires one to allow (a KMS key's key policy). */
  resourcePolicy?: (s: Subject) => Record<string, unknown>;
  /** Condition keys the request carries besides the tags. Example: `{ "iam:PassedToService": "lambda.amazonaws.com" }`. */
  context?: (s: Subject) => Record<string, string>;
}

/** What deploying one resource type takes. */
export interface Entry {
  /** Where the calls are taken from: the provider's resource source or an AWS documentation page. */
  source: string;
  /** The resource's ARN as AWS has it (the mocks give most types a placeholder); default: the record's `state.arn`. */
  arn?: (s: Subject) => string;
  calls: Call[];
}

/** A type that makes no AWS call of its own (components, and the provider, whose configure calls are in `PROGRAM_CALLS`). */
export interface NoCalls {
  noAwsCalls: string;
}

const TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/";

// ARN builders. Every ARN is in the partition "aws": the stacks deploy to commercial regions.
const arnIn = (service: string, s: Subject, resource: string, global = false) => `arn:aws:${service}:${global ? "" : s.region}:${s.account}:${resource}`;
const apiGateway = (s: Subject, path: string) => `arn:aws:apigateway:${s.region}::${path}`;
const inputs = (s: Subject) => s.resource.inputs;
const state = (s: Subject) => s.resource.state;
const role = (s: Subject, nameOrArn: string) => (nameOrArn.startsWith("arn:") ? nameOrArn : `arn:aws:iam::${s.account}:role/${nameOrArn}`);
const functionArn = (s: Subject, nameOrArn: string) => (s.ref(nameOrArn).startsWith("arn:") ? s.ref(nameOrArn) : arnIn("lambda", s, `function:${nameOrArn}`));
const bucketArn = (s: Subject) => s.ref(inputs(s).bucket, "aws:s3/bucket:Bucket");
/**
 * A KMS call a service makes on the caller's behalf, with an AWS-managed key: its key policy
 * (which no one can change) lets every principal of the account use it through that service
 * (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key; the
 * statement as `aws kms get-key-policy` shows it for alias/aws/<service>).
 */
const throughService = (service: string, phase: Phase, actions: string[]): Call => ({
  phase,
  actions,
  on: (s) => arnIn("kms", s, `key/aws-managed-${service}`),
  context: (s) => ({ "kms:ViaService": `${service}.${s.region}.amazonaws.com`, "kms:CallerAccount": s.account }),
  resourcePolicy: (s) => ({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: `Allow access through ${service} for all principals in the account that are authorized to use ${service}`,
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:CallerAccount": s.account, "kms:ViaService": `${service}.${s.region}.amazonaws.com` } },
      },
    ],
  }),
});
const passRole = (service: string, phase: Phase, roles: (s: Subject) => (string | undefined)[]): Call => ({
  phase,
  actions: ["iam:PassRole"],
  on: (s) => roles(s).filter((r): r is string => !!r).map((r) => role(s, r)),
  context: () => ({ "iam:PassedToService": service }),
});

/** The tag calls of a type whose tags the provider sets on create and reads on refresh. */
const tagCalls = (tag: string[], untag: string[], list: string[], on?: Call["on"]): Call[] => [
  { phase: "create", actions: tag, on },
  { phase: "read", actions: list, on },
  { phase: "update", actions: [...tag, ...untag], on },
];

/** API Gateway v2: one action per HTTP verb of its REST API, on the path of the object (AWS's "Amazon API Gateway Management V2" authorization reference). */
const apiGatewayV2 = (collection: string, source: string): Entry => ({
  source,
  arn: (s) => apiGateway(s, `/apis/${inputs(s).apiId}/${collection}/${collection === "stages" ? inputs(s).name : s.resource.id}`),
  calls: [
    { phase: "create", actions: ["apigateway:POST"], on: (s) => apiGateway(s, `/apis/${inputs(s).apiId}/${collection}`) },
    { phase: "read", actions: ["apigateway:GET"] },
    { phase: "update", actions: ["apigateway:PATCH"] },
    { phase: "delete", actions: ["apigateway:DELETE"] },
  ],
});

/** Every recorded type → the calls deploying it makes. */
export const DEPLOY_ACTIONS: Record<string, Entry | NoCalls> = {
  "pulumi:providers:aws": { noAwsCalls: "the provider's own calls (configure) are in PROGRAM_CALLS" },
  "switchyard:api:HttpApi": { noAwsCalls: "component" },
  "switchyard:api:MessageApi": { noAwsCalls: "component" },
  "switchyard:ecs:FargateTask": { noAwsCalls: "component" },
  "switchyard:events:EventsApi": { noAwsCalls: "component" },
  "switchyard:graphql:GraphqlApi": { noAwsCalls: "component" },
  "switchyard:lambda:HandlerFunction": { noAwsCalls: "component" },
  "switchyard:observability:ObservabilityDashboard": { noAwsCalls: "component" },
  "switchyard:site:StaticSite": { noAwsCalls: "component" },
  "switchyard:sync:ScheduledSync": { noAwsCalls: "component" },
  "switchyard:webhooks:WebhookIngest": { noAwsCalls: "component" },

  "aws:acm/certificate:Certificate": {
    source: `${TF}acm/certificate.go`,
    arn: (s) => arnIn("acm", s, `certificate/${s.resource.id}`),
    calls: [
      { phase: "create", actions: ["acm:RequestCertificate"] },
      { phase: "read", actions: ["acm:DescribeCertificate"] },
      ...tagCalls(["acm:AddTagsToCertificate"], ["acm:RemoveTagsFromCertificate"], ["acm:ListTagsForCertificate"]),
      { phase: "delete", actions: ["acm:DeleteCertificate"] },
    ],
  },
  "aws:acm/certificateValidation:CertificateValidation": {
    source: `${TF}acm/certificate_validation.go (waits on DescribeCertificate until ISSUED)`,
    arn: (s) => s.ref(inputs(s).certificateArn),
    calls: [{ phase: "create", actions: ["acm:DescribeCertificate"] }, { phase: "read", actions: ["acm:DescribeCertificate"] }],
  },

  "aws:apigatewayv2/api:Api": {
    source: `${TF}apigatewayv2/api.go; tags: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-tagging-iam-policy.html`,
    arn: (s) => apiGateway(s, `/apis/${s.resource.id}`),
    calls: [
      { phase: "create", actions: ["apigateway:POST"], on: (s) => apiGateway(s, "/apis") },
      { phase: "read", actions: ["apigateway:GET"] },
      { phase: "update", actions: ["apigateway:PATCH", "apigateway:PUT"] },
      { phase: "delete", actions: ["apigateway:DELETE"] },
      // Tags live under /tags/<api arn>: POST adds, DELETE removes.
      { phase: "update", actions: ["apigateway:POST", "apigateway:DELETE"], on: (s) => apiGateway(s, `/tags/${encodeURIComponent(apiGateway(s, `/apis/${s.resource.id}`))}`) },
    ],
  },
  "aws:apigatewayv2/authorizer:Authorizer": apiGatewayV2("authorizers", `${TF}apigatewayv2/authorizer.go`),
  "aws:apigatewayv2/integration:Integration": apiGatewayV2("integrations", `${TF}apigatewayv2/integration.go`),
  "aws:apigatewayv2/route:Route": apiGatewayV2("routes", `${TF}apigatewayv2/route.go`),
  "aws:apigatewayv2/stage:Stage": {
    ...apiGatewayV2("stages", `${TF}apigatewayv2/stage.go; access logging: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html`),
    calls: [
      ...apiGatewayV2("stages", "").calls,
      // Access logs go through CloudWatch Logs' vended log delivery, which API Gateway sets up with
      // the caller's permissions (the "Permissions to activate logging" list; none takes a resource).
      {
        phase: "create",
        when: (s) => !!inputs(s).accessLogSettings,
        actions: ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies"],
        on: () => "*",
      },
    ],
  },

  "aws:cloudfront/distribution:Distribution": {
    source: `${TF}cloudfront/distribution.go (CreateDistributionWithTags is authorized as CreateDistribution + TagResource; waits on GetDistribution until Deployed)`,
    calls: [
      { phase: "create", actions: ["cloudfront:CreateDistribution"] },
      { phase: "read", actions: ["cloudfront:GetDistribution"] },
      { phase: "update", actions: ["cloudfront:GetDistributionConfig", "cloudfront:UpdateDistribution"] },
      ...tagCalls(["cloudfront:TagResource"], ["cloudfront:UntagResource"], ["cloudfront:ListTagsForResource"]),
      { phase: "delete", actions: ["cloudfront:GetDistributionConfig", "cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution"] },
    ],
  },
  "aws:cloudfront/function:Function": {
    source: `${TF}cloudfront/function.go`,
    arn: (s) => arnIn("cloudfront", s, `function/${state(s).name}`, true),
    calls: [
      { phase: "create", actions: ["cloudfront:CreateFunction", "cloudfront:PublishFunction"] },
      { phase: "read", actions: ["cloudfront:DescribeFunction", "cloudfront:GetFunction"] },
      { phase: "update", actions: ["cloudfront:UpdateFunction", "cloudfront:PublishFunction"] },
      ...tagCalls(["cloudfront:TagResource"], ["cloudfront:UntagResource"], ["cloudfront:ListTagsForResource"]),
      { phase: "delete", actions: ["cloudfront:DeleteFunction"] },
    ],
  },
  "aws:cloudfront/keyValueStore:KeyValueStore": {
    source: `${TF}cloudfront/key_value_store.go`,
    arn: (s) => arnIn("cloudfront", s, `key-value-store/${s.resource.id}`, true),
    calls: [
      { phase: "create", actions: ["cloudfront:CreateKeyValueStore"] },
      { phase: "read", actions: ["cloudfront:DescribeKeyValueStore"] },
      { phase: "update", actions: ["cloudfront:UpdateKeyValueStore"] },
      ...tagCalls(["cloudfront:TagResource"], ["cloudfront:UntagResource"], ["cloudfront:ListTagsForResource"]),
      { phase: "delete", actions: ["cloudfront:DeleteKeyValueStore"] },
    ],
  },
  "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey": {
    source: `${TF}cloudfrontkeyvaluestore/key.go (every write sends the store's ETag from DescribeKeyValueStore)`,
    arn: (s) => s.ref(inputs(s).keyValueStoreArn),
    calls: [
      { phase: "create", actions: ["cloudfront-keyvaluestore:DescribeKeyValueStore", "cloudfront-keyvaluestore:PutKey"] },
      { phase: "read", actions: ["cloudfront-keyvaluestore:GetKey"] },
      { phase: "update", actions: ["cloudfront-keyvaluestore:DescribeKeyValueStore", "cloudfront-keyvaluestore:PutKey"] },
      { phase: "delete", actions: ["cloudfront-keyvaluestore:DescribeKeyValueStore", "cloudfront-keyvaluestore:DeleteKey"] },
    ],
  },
  "aws:cloudfront/originAccessControl:OriginAccessControl": {
    source: `${TF}cloudfront/origin_access_control.go`,
    arn: (s) => arnIn("cloudfront", s, `origin-access-control/${s.resource.id}`, true),
    calls: [
      { phase: "create", actions: ["cloudfront:CreateOriginAccessControl"] },
      { phase: "read", actions: ["cloudfront:GetOriginAccessControl"] },
      { phase: "update", actions: ["cloudfront:UpdateOriginAccessControl"] },
      { phase: "delete", actions: ["cloudfront:DeleteOriginAccessControl"] },
    ],
  },
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": {
    source: `${TF}cloudfront/response_headers_policy.go`,
    arn: (s) => arnIn("cloudfront", s, `response-headers-policy/${s.resource.id}`, true),
    calls: [
      { phase: "create", actions: ["cloudfront:CreateResponseHeadersPolicy"] },
      { phase: "read", actions: ["cloudfront:GetResponseHeadersPolicy"] },
      { phase: "update", actions: ["cloudfront:UpdateResponseHeadersPolicy"] },
      { phase: "delete", actions: ["cloudfront:DeleteResponseHeadersPolicy"] },
    ],
  },

  "aws:cloudwatch/dashboard:Dashboard": {
    source: `${TF}cloudwatch/dashboard.go`,
    arn: (s) => arnIn("cloudwatch", s, `dashboard/${state(s).name}`, true),
    calls: [
      { phase: "create", actions: ["cloudwatch:PutDashboard"] },
      { phase: "read", actions: ["cloudwatch:GetDashboard"] },
      { phase: "update", actions: ["cloudwatch:PutDashboard"] },
      { phase: "delete", actions: ["cloudwatch:DeleteDashboards"] },
    ],
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    source: `${TF}cloudwatch/metric_alarm.go`,
    arn: (s) => arnIn("cloudwatch", s, `alarm:${state(s).name}`),
    calls: [
      { phase: "create", actions: ["cloudwatch:PutMetricAlarm"] },
      { phase: "read", actions: ["cloudwatch:DescribeAlarms"] },
      { phase: "update", actions: ["cloudwatch:PutMetricAlarm"] },
      ...tagCalls(["cloudwatch:TagResource"], ["cloudwatch:UntagResource"], ["cloudwatch:ListTagsForResource"]),
      { phase: "delete", actions: ["cloudwatch:DeleteAlarms"] },
    ],
  },
  "aws:cloudwatch/queryDefinition:QueryDefinition": {
    source: `${TF}logs/query_definition.go`,
    calls: [
      { phase: "create", actions: ["logs:PutQueryDefinition"], on: () => "*" },
      { phase: "read", actions: ["logs:DescribeQueryDefinitions"], on: () => "*" },
      { phase: "update", actions: ["logs:PutQueryDefinition"], on: () => "*" },
      { phase: "delete", actions: ["logs:DeleteQueryDefinition"], on: () => "*" },
    ],
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    source: `${TF}logs/group.go`,
    calls: [
      { phase: "create", actions: ["logs:CreateLogGroup", "logs:PutRetentionPolicy"] },
      { phase: "read", actions: ["logs:DescribeLogGroups"] },
      { phase: "update", actions: ["logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy"] },
      ...tagCalls(["logs:TagResource"], ["logs:UntagResource"], ["logs:ListTagsForResource"]),
      { phase: "delete", actions: ["logs:DeleteLogGroup"] },
    ],
  },
  "aws:cloudwatch/eventRule:EventRule": {
    source: `${TF}events/rule.go`,
    calls: [
      { phase: "create", actions: ["events:PutRule"] },
      { phase: "read", actions: ["events:DescribeRule"] },
      { phase: "update", actions: ["events:PutRule"] },
      ...tagCalls(["events:TagResource"], ["events:UntagResource"], ["events:ListTagsForResource"]),
      { phase: "delete", actions: ["events:DeleteRule"] },
    ],
  },
  "aws:cloudwatch/eventTarget:EventTarget": {
    source: `${TF}events/target.go; iam:PassRole for the target's role: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html`,
    arn: (s) => arnIn("events", s, `rule/${inputs(s).rule}`),
    calls: [
      { phase: "create", actions: ["events:PutTargets"] },
      { phase: "read", actions: ["events:ListTargetsByRule"] },
      { phase: "update", actions: ["events:PutTargets"] },
      { phase: "delete", actions: ["events:RemoveTargets"] },
      passRole("events.amazonaws.com", "create", (s) => [inputs(s).roleArn]),
      passRole("events.amazonaws.com", "update", (s) => [inputs(s).roleArn]),
    ],
  },

  // CloudWatch Logs' vended-log delivery (CloudFront's standard logging v2): a source (the
  // distribution), a destination (the log bucket) and the delivery between them, made in us-east-1.
  // User permissions: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-S3.html
  "aws:cloudwatch/logDeliverySource:LogDeliverySource": {
    source: `${TF}logs/delivery_source.go; CloudFront's part: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html#permissions-standard-logging`,
    arn: (s) => arnIn("logs", s, `delivery-source:${state(s).name}`),
    calls: [
      { phase: "create", actions: ["logs:PutDeliverySource"] },
      // The service whose resource sends the logs lets the caller vend them (CloudFront: the distribution).
      { phase: "create", actions: ["cloudfront:AllowVendedLogDeliveryForResource"], on: (s) => s.ref(inputs(s).resourceArn) },
      { phase: "read", actions: ["logs:GetDeliverySource"] },
      ...tagCalls(["logs:TagResource"], ["logs:UntagResource"], ["logs:ListTagsForResource"]),
      // The service authorization reference gives DeleteDeliverySource the delivery-destination
      // resource type: simulated on that form (the deploy role grants both).
      { phase: "delete", actions: ["logs:DeleteDeliverySource"], on: (s) => arnIn("logs", s, `delivery-destination:${state(s).name}`) },
    ],
  },
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": {
    source: `${TF}logs/delivery_destination.go`,
    arn: (s) => arnIn("logs", s, `delivery-destination:${state(s).name}`),
    calls: [
      { phase: "create", actions: ["logs:PutDeliveryDestination"] },
      // When the delivery is made, CloudWatch Logs reads the bucket's policy with the caller's
      // permissions (and would add its statement; the stack's policy already has it).
      { phase: "create", actions: ["s3:GetBucketPolicy", "s3:PutBucketPolicy"], on: (s) => s.ref(inputs(s).deliveryDestinationConfiguration.destinationResourceArn) },
      { phase: "read", actions: ["logs:GetDeliveryDestination"] },
      { phase: "update", actions: ["logs:PutDeliveryDestination"] },
      ...tagCalls(["logs:TagResource"], ["logs:UntagResource"], ["logs:ListTagsForResource"]),
      { phase: "delete", actions: ["logs:DeleteDeliveryDestination"] },
    ],
  },
  "aws:cloudwatch/logDelivery:LogDelivery": {
    source: `${TF}logs/delivery.go (reads back with GetDelivery; UpdateDeliveryConfiguration for field or S3 path changes)`,
    arn: (s) => arnIn("logs", s, `delivery:${s.resource.id}`),
    calls: [
      // CreateDelivery is authorized on the delivery, its source and its destination.
      {
        phase: "create",
        actions: ["logs:CreateDelivery"],
        on: (s) => {
          const source = s.record.resources.find((r) => r.type === "aws:cloudwatch/logDeliverySource:LogDeliverySource" && r.state.name === inputs(s).deliverySourceName);
          const destination = s.record.resources.find((r) => r.type === "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination" && r.state.arn === inputs(s).deliveryDestinationArn);
          return [arnIn("logs", s, `delivery:${s.resource.id}`), arnIn("logs", s, `delivery-source:${source?.state.name}`), arnIn("logs", s, `delivery-destination:${destination?.state.name}`)];
        },
      },
      { phase: "create", actions: ["logs:GetDelivery"] },
      { phase: "read", actions: ["logs:GetDelivery"] },
      { phase: "update", actions: ["logs:UpdateDeliveryConfiguration"] },
      ...tagCalls(["logs:TagResource"], ["logs:UntagResource"], ["logs:ListTagsForResource"]),
      { phase: "delete", actions: ["logs:DeleteDelivery"] },
    ],
  },
  "aws:cognito/userPool:UserPool": {
    source: `${TF}cognitoidp/user_pool.go (SetUserPoolMfaConfig after the create, with MFA optional or on)`,
    arn: (s) => arnIn("cognito-idp", s, `userpool/${s.resource.id}`),
    calls: [
      { phase: "create", actions: ["cognito-idp:CreateUserPool"] },
      { phase: "create", when: (s) => (inputs(s).mfaConfiguration ?? "OFF") !== "OFF", actions: ["cognito-idp:SetUserPoolMfaConfig"] },
      { phase: "read", actions: ["cognito-idp:DescribeUserPool", "cognito-idp:GetUserPoolMfaConfig"] },
      { phase: "update", actions: ["cognito-idp:UpdateUserPool", "cognito-idp:SetUserPoolMfaConfig"] },
      ...tagCalls(["cognito-idp:TagResource"], ["cognito-idp:UntagResource"], ["cognito-idp:ListTagsForResource"]),
      { phase: "delete", actions: ["cognito-idp:DeleteUserPool"] },
    ],
  },
  "aws:cognito/userPoolClient:UserPoolClient": {
    source: `${TF}cognitoidp/user_pool_client.go`,
    arn: (s) => arnIn("cognito-idp", s, `userpool/${inputs(s).userPoolId}`),
    calls: [
      { phase: "create", actions: ["cognito-idp:CreateUserPoolClient"] },
      { phase: "read", actions: ["cognito-idp:DescribeUserPoolClient"] },
      { phase: "update", actions: ["cognito-idp:UpdateUserPoolClient"] },
      { phase: "delete", actions: ["cognito-idp:DeleteUserPoolClient"] },
    ],
  },
  "aws:cognito/userPoolDomain:UserPoolDomain": {
    source: `${TF}cognitoidp/user_pool_domain.go (waits on DescribeUserPoolDomain until ACTIVE)`,
    arn: (s) => arnIn("cognito-idp", s, `userpool/${inputs(s).userPoolId}`),
    calls: [
      { phase: "create", actions: ["cognito-idp:CreateUserPoolDomain", "cognito-idp:DescribeUserPoolDomain"] },
      { phase: "read", actions: ["cognito-idp:DescribeUserPoolDomain"] },
      { phase: "update", actions: ["cognito-idp:UpdateUserPoolDomain"] },
      { phase: "delete", actions: ["cognito-idp:DeleteUserPoolDomain", "cognito-idp:DescribeUserPoolDomain"] },
    ],
  },
  "aws:cognito/identityProvider:IdentityProvider": {
    source: `${TF}cognitoidp/identity_provider.go`,
    arn: (s) => arnIn("cognito-idp", s, `userpool/${inputs(s).userPoolId}`),
    calls: [
      { phase: "create", actions: ["cognito-idp:CreateIdentityProvider"] },
      { phase: "read", actions: ["cognito-idp:DescribeIdentityProvider"] },
      { phase: "update", actions: ["cognito-idp:UpdateIdentityProvider"] },
      { phase: "delete", actions: ["cognito-idp:DeleteIdentityProvider"] },
    ],
  },

  "aws:dynamodb/table:Table": {
    source: `${TF}dynamodb/table.go; KMS through DynamoDB: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html`,
    calls: [
      { phase: "create", actions: ["dynamodb:CreateTable", "dynamodb:UpdateContinuousBackups", "dynamodb:UpdateTimeToLive"] },
      { phase: "read", actions: ["dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTimeToLive"] },
      { phase: "update", actions: ["dynamodb:UpdateTable", "dynamodb:UpdateContinuousBackups", "dynamodb:UpdateTimeToLive"] },
      ...tagCalls(["dynamodb:TagResource"], ["dynamodb:UntagResource"], ["dynamodb:ListTagsOfResource"]),
      { phase: "delete", actions: ["dynamodb:DeleteTable", "dynamodb:DescribeTable"] },
      throughService("dynamodb", "create", ["kms:DescribeKey", "kms:CreateGrant"]),
    ],
  },

  "aws:ec2/securityGroup:SecurityGroup": {
    source: `${TF}ec2/vpc_security_group.go (the default egress rule is revoked, the given ones authorized; deletes wait for network interfaces)`,
    arn: (s) => arnIn("ec2", s, `security-group/${s.resource.id}`),
    calls: [
      { phase: "create", actions: ["ec2:CreateSecurityGroup"], on: (s) => arnIn("ec2", s, `vpc/${inputs(s).vpcId}`) },
      { phase: "create", actions: ["ec2:CreateSecurityGroup", "ec2:CreateTags", "ec2:RevokeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupEgress"] },
      { phase: "read", actions: ["ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"] },
      { phase: "update", actions: ["ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:CreateTags", "ec2:DeleteTags"] },
      { phase: "delete", actions: ["ec2:DescribeNetworkInterfaces", "ec2:DeleteSecurityGroup"] },
    ],
  },

  "aws:ecs/cluster:Cluster": {
    source: `${TF}ecs/cluster.go; the ECS service-linked role: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html`,
    calls: [
      { phase: "create", actions: ["ecs:CreateCluster"] },
      { phase: "read", actions: ["ecs:DescribeClusters"] },
      { phase: "update", actions: ["ecs:UpdateCluster"] },
      ...tagCalls(["ecs:TagResource"], ["ecs:UntagResource"], ["ecs:ListTagsForResource"]),
      { phase: "delete", actions: ["ecs:DeleteCluster", "ecs:DescribeClusters"] },
      {
        phase: "create",
        actions: ["iam:CreateServiceLinkedRole"],
        on: (s) => `arn:aws:iam::${s.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
        context: () => ({ "iam:AWSServiceName": "ecs.amazonaws.com" }),
      },
    ],
  },
  "aws:ecs/taskDefinition:TaskDefinition": {
    source: `${TF}ecs/task_definition.go; iam:PassRole for the task and execution roles: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html`,
    calls: [
      { phase: "create", actions: ["ecs:RegisterTaskDefinition"] },
      { phase: "read", actions: ["ecs:DescribeTaskDefinition"] },
      ...tagCalls(["ecs:TagResource"], ["ecs:UntagResource"], ["ecs:ListTagsForResource"]),
      { phase: "delete", actions: ["ecs:DeregisterTaskDefinition"] },
      passRole("ecs-tasks.amazonaws.com", "create", (s) => [inputs(s).executionRoleArn, inputs(s).taskRoleArn]),
    ],
  },

  "aws:iam/role:Role": {
    source: `${TF}iam/role.go (deleting first lists and removes inline and attached policies and instance profiles)`,
    calls: [
      { phase: "create", actions: ["iam:CreateRole"] },
      { phase: "read", actions: ["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"] },
      { phase: "update", actions: ["iam:UpdateRole", "iam:UpdateAssumeRolePolicy"] },
      ...tagCalls(["iam:TagRole"], ["iam:UntagRole"], ["iam:ListRoleTags"]),
      { phase: "delete", actions: ["iam:ListInstanceProfilesForRole", "iam:ListRolePolicies", "iam:DeleteRolePolicy", "iam:ListAttachedRolePolicies", "iam:DetachRolePolicy", "iam:DeleteRole"] },
    ],
  },
  "aws:iam/rolePolicy:RolePolicy": {
    source: `${TF}iam/role_policy.go`,
    arn: (s) => role(s, inputs(s).role),
    calls: [
      { phase: "create", actions: ["iam:PutRolePolicy"] },
      { phase: "read", actions: ["iam:GetRolePolicy"] },
      { phase: "update", actions: ["iam:PutRolePolicy"] },
      { phase: "delete", actions: ["iam:DeleteRolePolicy"] },
    ],
  },

  "aws:lambda/function:Function": {
    source: `${TF}lambda/function.go (waits on GetFunction until Active and the last update Successful)`,
    calls: [
      { phase: "create", actions: ["lambda:CreateFunction"] },
      { phase: "read", actions: ["lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:ListVersionsByFunction", "lambda:GetRuntimeManagementConfig"] },
      { phase: "update", actions: ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency"] },
      ...tagCalls(["lambda:TagResource"], ["lambda:UntagResource"], ["lambda:ListTags"]),
      { phase: "delete", actions: ["lambda:DeleteFunction"] },
      passRole("lambda.amazonaws.com", "create", (s) => [inputs(s).role]),
      passRole("lambda.amazonaws.com", "update", (s) => [inputs(s).role]),
    ],
  },
  "aws:lambda/permission:Permission": {
    source: `${TF}lambda/permission.go (reads the function's policy back with GetPolicy)`,
    arn: (s) => functionArn(s, inputs(s).function),
    calls: [
      { phase: "create", actions: ["lambda:AddPermission", "lambda:GetPolicy"] },
      { phase: "read", actions: ["lambda:GetPolicy"] },
      { phase: "delete", actions: ["lambda:RemovePermission", "lambda:GetPolicy"] },
    ],
  },
  "aws:lambda/eventSourceMapping:EventSourceMapping": {
    source: `${TF}lambda/event_source_mapping.go`,
    arn: (s) => arnIn("lambda", s, `event-source-mapping:${s.resource.id}`),
    calls: [
      { phase: "create", actions: ["lambda:CreateEventSourceMapping"] },
      { phase: "read", actions: ["lambda:GetEventSourceMapping"] },
      { phase: "update", actions: ["lambda:UpdateEventSourceMapping"] },
      ...tagCalls(["lambda:TagResource"], ["lambda:UntagResource"], ["lambda:ListTags"]),
      { phase: "delete", actions: ["lambda:DeleteEventSourceMapping", "lambda:GetEventSourceMapping"] },
    ],
  },
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": {
    source: `${TF}lambda/function_event_invoke_config.go`,
    arn: (s) => functionArn(s, inputs(s).functionName),
    calls: [
      { phase: "create", actions: ["lambda:PutFunctionEventInvokeConfig"] },
      { phase: "read", actions: ["lambda:GetFunctionEventInvokeConfig"] },
      { phase: "update", actions: ["lambda:PutFunctionEventInvokeConfig"] },
      { phase: "delete", actions: ["lambda:DeleteFunctionEventInvokeConfig"] },
    ],
  },

  "aws:route53/record:Record": {
    source: `${TF}route53/record.go (looks the zone up, then changes the record set and waits on GetChange)`,
    arn: (s) => `arn:aws:route53:::hostedzone/${inputs(s).zoneId}`,
    calls: [
      { phase: "create", actions: ["route53:GetHostedZone", "route53:ChangeResourceRecordSets"] },
      { phase: "create", actions: ["route53:GetChange"], on: () => "arn:aws:route53:::change/C0000000000000000000" },
      { phase: "read", actions: ["route53:ListResourceRecordSets"] },
      { phase: "update", actions: ["route53:ChangeResourceRecordSets"] },
      { phase: "delete", actions: ["route53:ChangeResourceRecordSets"] },
    ],
  },

  "aws:s3/bucket:Bucket": {
    source: `${TF}s3/bucket.go (the read fetches every bucket sub-configuration; IAM names: https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html)`,
    calls: [
      { phase: "create", actions: ["s3:CreateBucket", "s3:ListBucket"] },
      {
        phase: "read",
        actions: [
          "s3:ListBucket",
          "s3:GetBucketPolicy",
          "s3:GetBucketAcl",
          "s3:GetBucketCORS",
          "s3:GetBucketWebsite",
          "s3:GetBucketVersioning",
          "s3:GetAccelerateConfiguration",
          "s3:GetBucketRequestPayment",
          "s3:GetBucketLogging",
          "s3:GetLifecycleConfiguration",
          "s3:GetReplicationConfiguration",
          "s3:GetEncryptionConfiguration",
          "s3:GetBucketObjectLockConfiguration",
          "s3:GetBucketLocation",
        ],
      },
      ...tagCalls(["s3:PutBucketTagging"], [], ["s3:GetBucketTagging"]),
      { phase: "delete", actions: ["s3:DeleteBucket"] },
    ],
  },
  "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": {
    source: `${TF}s3/bucket_cors_configuration.go (DeleteBucketCors is authorized as PutBucketCORS)`,
    arn: bucketArn,
    calls: [{ phase: "create", actions: ["s3:PutBucketCORS"] }, { phase: "read", actions: ["s3:GetBucketCORS"] }, { phase: "delete", actions: ["s3:PutBucketCORS"] }],
  },
  "aws:s3/bucketNotification:BucketNotification": {
    source: `${TF}s3/bucket_notification.go (the delete puts an empty configuration)`,
    arn: bucketArn,
    calls: [{ phase: "create", actions: ["s3:PutBucketNotification"] }, { phase: "read", actions: ["s3:GetBucketNotification"] }, { phase: "delete", actions: ["s3:PutBucketNotification"] }],
  },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
    source: `${TF}s3/bucket_lifecycle_configuration.go (DeleteBucketLifecycle is authorized as PutLifecycleConfiguration)`,
    arn: bucketArn,
    calls: [{ phase: "create", actions: ["s3:PutLifecycleConfiguration"] }, { phase: "read", actions: ["s3:GetLifecycleConfiguration"] }, { phase: "delete", actions: ["s3:PutLifecycleConfiguration"] }],
  },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
    source: `${TF}s3/bucket_ownership_controls.go`,
    arn: bucketArn,
    calls: [{ phase: "create", actions: ["s3:PutBucketOwnershipControls"] }, { phase: "read", actions: ["s3:GetBucketOwnershipControls"] }, { phase: "delete", actions: ["s3:PutBucketOwnershipControls"] }],
  },
  "aws:s3/bucketPolicy:BucketPolicy": {
    source: `${TF}s3/bucket_policy.go`,
    arn: bucketArn,
    calls: [{ phase: "create", actions: ["s3:PutBucketPolicy"] }, { phase: "read", actions: ["s3:GetBucketPolicy"] }, { phase: "delete", actions: ["s3:DeleteBucketPolicy"] }],
  },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
    source: `${TF}s3/bucket_public_access_block.go (DeletePublicAccessBlock is authorized as PutBucketPublicAccessBlock)`,
    arn: bucketArn,
    calls: [{ phase: "create", actions: ["s3:PutBucketPublicAccessBlock"] }, { phase: "read", actions: ["s3:GetBucketPublicAccessBlock"] }, { phase: "delete", actions: ["s3:PutBucketPublicAccessBlock"] }],
  },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
    source: `${TF}s3/bucket_server_side_encryption_configuration.go`,
    arn: bucketArn,
    calls: [{ phase: "create", actions: ["s3:PutEncryptionConfiguration"] }, { phase: "read", actions: ["s3:GetEncryptionConfiguration"] }, { phase: "delete", actions: ["s3:PutEncryptionConfiguration"] }],
  },
  "aws:s3/bucketVersioning:BucketVersioning": {
    source: `${TF}s3/bucket_versioning.go`,
    arn: bucketArn,
    calls: [{ phase: "create", actions: ["s3:PutBucketVersioning"] }, { phase: "read", actions: ["s3:GetBucketVersioning"] }, { phase: "delete", actions: ["s3:PutBucketVersioning"] }],
  },
  "aws:s3/bucketObjectv2:BucketObjectv2": {
    source: `${TF}s3/object.go`,
    arn: (s) => `${bucketArn(s)}/${inputs(s).key}`,
    calls: [
      { phase: "create", actions: ["s3:PutObject", "s3:PutObjectTagging"] },
      { phase: "read", actions: ["s3:GetObject", "s3:GetObjectTagging"] },
      { phase: "update", actions: ["s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObjectTagging"] },
      { phase: "delete", actions: ["s3:DeleteObject", "s3:DeleteObjectVersion"] },
      { phase: "delete", actions: ["s3:ListBucketVersions"], on: bucketArn },
    ],
  },

  "aws:scheduler/scheduleGroup:ScheduleGroup": {
    source: `${TF}scheduler/schedule_group.go (deletes wait on GetScheduleGroup until gone)`,
    arn: (s) => arnIn("scheduler", s, `schedule-group/${state(s).name}`),
    calls: [
      { phase: "create", actions: ["scheduler:CreateScheduleGroup"] },
      { phase: "read", actions: ["scheduler:GetScheduleGroup"] },
      ...tagCalls(["scheduler:TagResource"], ["scheduler:UntagResource"], ["scheduler:ListTagsForResource"]),
      { phase: "delete", actions: ["scheduler:DeleteScheduleGroup", "scheduler:GetScheduleGroup"] },
    ],
  },

  "aws:sesv2/configurationSet:ConfigurationSet": {
    source: `${TF}sesv2/configuration_set.go (suppression options are sent with the create and changed with PutConfigurationSetSuppressionOptions)`,
    arn: (s) => arnIn("ses", s, `configuration-set/${inputs(s).configurationSetName}`),
    calls: [
      { phase: "create", actions: ["ses:CreateConfigurationSet"] },
      { phase: "read", actions: ["ses:GetConfigurationSet"] },
      { phase: "update", actions: ["ses:PutConfigurationSetSuppressionOptions"] },
      ...tagCalls(["ses:TagResource"], ["ses:UntagResource"], ["ses:ListTagsForResource"]),
      { phase: "delete", actions: ["ses:DeleteConfigurationSet"] },
    ],
  },
  "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination": {
    source: `${TF}sesv2/configuration_set_event_destination.go (every call is on the configuration set; SES itself checks that the topic's policy lets it publish)`,
    arn: (s) => arnIn("ses", s, `configuration-set/${inputs(s).configurationSetName}`),
    calls: [
      { phase: "create", actions: ["ses:CreateConfigurationSetEventDestination", "ses:GetConfigurationSetEventDestinations"] },
      { phase: "read", actions: ["ses:GetConfigurationSetEventDestinations"] },
      { phase: "update", actions: ["ses:UpdateConfigurationSetEventDestination"] },
      { phase: "delete", actions: ["ses:DeleteConfigurationSetEventDestination"] },
    ],
  },
  "aws:sesv2/emailIdentity:EmailIdentity": {
    source: `${TF}sesv2/email_identity.go (SES v2 actions have the prefix ses)`,
    arn: (s) => arnIn("ses", s, `identity/${inputs(s).emailIdentity}`),
    calls: [
      { phase: "create", actions: ["ses:CreateEmailIdentity"] },
      { phase: "read", actions: ["ses:GetEmailIdentity"] },
      { phase: "update", actions: ["ses:PutEmailIdentityDkimSigningAttributes", "ses:PutEmailIdentityConfigurationSetAttributes"] },
      ...tagCalls(["ses:TagResource"], ["ses:UntagResource"], ["ses:ListTagsForResource"]),
      { phase: "delete", actions: ["ses:DeleteEmailIdentity"] },
    ],
  },

  "aws:sns/topic:Topic": {
    source: `${TF}sns/topic.go`,
    arn: (s) => arnIn("sns", s, state(s).name),
    calls: [
      { phase: "create", actions: ["sns:CreateTopic", "sns:SetTopicAttributes"] },
      { phase: "read", actions: ["sns:GetTopicAttributes"] },
      { phase: "update", actions: ["sns:SetTopicAttributes"] },
      ...tagCalls(["sns:TagResource"], ["sns:UntagResource"], ["sns:ListTagsForResource"]),
      { phase: "delete", actions: ["sns:DeleteTopic"] },
    ],
  },
  "aws:sns/topicPolicy:TopicPolicy": {
    source: `${TF}sns/topic_policy.go (the policy is the topic's Policy attribute; deleting it restores the default policy)`,
    arn: (s) => s.ref(inputs(s).arn),
    calls: [
      { phase: "create", actions: ["sns:SetTopicAttributes", "sns:GetTopicAttributes"] },
      { phase: "read", actions: ["sns:GetTopicAttributes"] },
      { phase: "update", actions: ["sns:SetTopicAttributes"] },
      { phase: "delete", actions: ["sns:SetTopicAttributes", "sns:GetTopicAttributes"] },
    ],
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    source: `${TF}sns/topic_subscription.go (an email subscription stays pending until confirmed)`,
    arn: (s) => s.ref(inputs(s).topic),
    calls: [
      { phase: "create", actions: ["sns:Subscribe", "sns:GetSubscriptionAttributes"] },
      { phase: "read", actions: ["sns:GetSubscriptionAttributes"] },
      { phase: "update", actions: ["sns:SetSubscriptionAttributes"] },
      { phase: "delete", actions: ["sns:Unsubscribe"] },
    ],
  },

  "aws:sqs/queue:Queue": {
    source: `${TF}sqs/queue.go`,
    calls: [
      { phase: "create", actions: ["sqs:CreateQueue"] },
      { phase: "read", actions: ["sqs:GetQueueAttributes"] },
      { phase: "update", actions: ["sqs:SetQueueAttributes"] },
      ...tagCalls(["sqs:TagQueue"], ["sqs:UntagQueue"], ["sqs:ListQueueTags"]),
      { phase: "delete", actions: ["sqs:DeleteQueue"] },
    ],
  },
  "aws:sqs/queuePolicy:QueuePolicy": {
    source: `${TF}sqs/queue_policy.go`,
    arn: (s) => {
      // https://sqs.<region>.amazonaws.com/<account>/<name>
      const url = new URL(inputs(s).queueUrl);
      const [account, name] = url.pathname.split("/").slice(1);
      return `arn:aws:sqs:${url.hostname.split(".")[1]}:${account}:${name}`;
    },
    calls: [
      { phase: "create", actions: ["sqs:SetQueueAttributes", "sqs:GetQueueAttributes"] },
      { phase: "read", actions: ["sqs:GetQueueAttributes"] },
      { phase: "delete", actions: ["sqs:SetQueueAttributes"] },
    ],
  },

  "aws:ssm/parameter:Parameter": {
    source: `${TF}ssm/parameter.go (reads with decryption, then DescribeParameters); SecureString and KMS: https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html`,
    calls: [
      { phase: "create", actions: ["ssm:PutParameter"] },
      { phase: "read", actions: ["ssm:GetParameter"] },
      { phase: "read", actions: ["ssm:DescribeParameters"], on: () => "*" },
      { phase: "update", actions: ["ssm:PutParameter"] },
      ...tagCalls(["ssm:AddTagsToResource"], ["ssm:RemoveTagsFromResource"], ["ssm:ListTagsForResource"]),
      { phase: "delete", actions: ["ssm:DeleteParameter"] },
      throughService("ssm", "create", ["kms:Encrypt"]),
      throughService("ssm", "read", ["kms:Decrypt"]),
    ],
  },

  // awsx registers these remotely: the record holds the component only, so its entry lists the
  // calls of the children awsx creates (github.com/pulumi/pulumi-awsx, awsx/ec2/vpc.ts: a VPC,
  // per zone a subnet, route table, route to the internet gateway and association).
  "awsx:ec2:Vpc": {
    source: `https://github.com/pulumi/pulumi-awsx/blob/master/awsx/ec2/vpc.ts; ${TF}ec2/vpc_.go, vpc_subnet.go, vpc_internet_gateway.go, vpc_route_table.go, vpc_route.go, vpc_route_table_association.go`,
    arn: (s) => arnIn("ec2", s, `vpc/${state(s).vpcId}`),
    calls: [
      { phase: "create", actions: ["ec2:CreateVpc", "ec2:CreateTags", "ec2:ModifyVpcAttribute", "ec2:CreateSubnet", "ec2:AttachInternetGateway", "ec2:CreateRouteTable"] },
      { phase: "read", actions: ["ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:DescribeRouteTables", "ec2:DescribeNetworkAcls", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeInternetGateways"] },
      { phase: "delete", actions: ["ec2:DeleteVpc", "ec2:DetachInternetGateway"] },
      { phase: "create", actions: ["ec2:CreateSubnet", "ec2:CreateTags", "ec2:ModifySubnetAttribute", "ec2:AssociateRouteTable"], on: (s) => (state(s).publicSubnetIds as string[]).map((id) => arnIn("ec2", s, `subnet/${id}`)) },
      { phase: "delete", actions: ["ec2:DeleteSubnet", "ec2:DisassociateRouteTable"], on: (s) => (state(s).publicSubnetIds as string[]).map((id) => arnIn("ec2", s, `subnet/${id}`)) },
      { phase: "create", actions: ["ec2:CreateInternetGateway", "ec2:CreateTags", "ec2:AttachInternetGateway"], on: (s) => arnIn("ec2", s, `internet-gateway/igw-${s.resource.name}`) },
      { phase: "delete", actions: ["ec2:DetachInternetGateway", "ec2:DeleteInternetGateway"], on: (s) => arnIn("ec2", s, `internet-gateway/igw-${s.resource.name}`) },
      { phase: "create", actions: ["ec2:CreateRouteTable", "ec2:CreateTags", "ec2:CreateRoute", "ec2:AssociateRouteTable"], on: (s) => arnIn("ec2", s, `route-table/rtb-${s.resource.name}`) },
      { phase: "delete", actions: ["ec2:DeleteRoute", "ec2:DisassociateRouteTable", "ec2:DeleteRouteTable"], on: (s) => arnIn("ec2", s, `route-table/rtb-${s.resource.name}`) },
      { phase: "delete", actions: ["ec2:DescribeNetworkInterfaces"], on: () => "*" },
    ],
  },
  // awsx/ecr/repository.ts: an aws.ecr.Repository and its aws.ecr.LifecyclePolicy.
  "awsx:ecr:Repository": {
    source: `https://github.com/pulumi/pulumi-awsx/blob/master/awsx/ecr/repository.ts; ${TF}ecr/repository.go, lifecycle_policy.go`,
    arn: (s) => arnIn("ecr", s, `repository/${inputs(s).name}`),
    calls: [
      { phase: "create", actions: ["ecr:CreateRepository", "ecr:PutLifecyclePolicy"] },
      { phase: "read", actions: ["ecr:DescribeRepositories", "ecr:GetLifecyclePolicy"] },
      { phase: "update", actions: ["ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability", "ecr:PutLifecyclePolicy"] },
      ...tagCalls(["ecr:TagResource"], ["ecr:UntagResource"], ["ecr:ListTagsForResource"]),
      { phase: "delete", actions: ["ecr:DeleteLifecyclePolicy", "ecr:DeleteRepository"] },
    ],
  },
  // awsx/ecr/image.ts: an ECR token (awsx/ecr/auth.ts) and a docker-build Image that pushes to
  // the repository (and pulls it as the build cache); the push is the registry API's layer upload.
  "awsx:ecr:Image": {
    source: `https://github.com/pulumi/pulumi-awsx/blob/master/awsx/ecr/image.ts; push permissions: https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html`,
    arn: (s) => arnIn("ecr", s, `repository/${String(inputs(s).repositoryUrl).split("/").slice(1).join("/")}`),
    calls: [
      { phase: "create", actions: ["ecr:GetAuthorizationToken"], on: () => "*" },
      {
        phase: "create",
        actions: ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      },
    ],
  },
};

/** One call the program makes whatever the resources do: the provider's configure, and invokes. */
export interface ProgramCall {
  /** The Pulumi invoke (`aws.getRegion`, `aws.ecr.getAuthorizationToken`), or what makes the call. */
  what: string;
  actions: string[];
  source: string;
}

/**
 * What every `pulumi preview` and `pulumi up` calls before and besides the resources: the
 * provider checks its credentials (skipCredentialsValidation is false), the program's invokes, and
 * the invokes awsx components make while they construct.
 */
export const PROGRAM_CALLS: ProgramCall[] = [
  { what: "provider configure", actions: ["sts:GetCallerIdentity"], source: "https://registry.terraform.io/providers/hashicorp/aws/latest/docs#skip_credentials_validation-1" },
  { what: "aws.getCallerIdentity", actions: ["sts:GetCallerIdentity"], source: `${TF}sts/caller_identity_data_source.go` },
  { what: "aws.getRegion", actions: [], source: `${TF}meta/region_data_source.go (from the provider's configuration, no call)` },
  { what: "aws.getPartition", actions: [], source: `${TF}meta/partition_data_source.go (from the provider's configuration, no call)` },
  {
    what: "awsx:ec2:Vpc (aws.getAvailabilityZones)",
    actions: ["ec2:DescribeAvailabilityZones"],
    source: "https://github.com/pulumi/pulumi-awsx/blob/master/awsx/ec2/vpc.ts (getDefaultAzs, when no zone names are given)",
  },
  {
    what: "awsx:ecr:Image (aws.ecr.getAuthorizationToken)",
    actions: ["ecr:GetAuthorizationToken"],
    source: "https://github.com/pulumi/pulumi-awsx/blob/master/awsx/ecr/auth.ts (runs once the repository URL is known, so on every preview after the first up)",
  },
];

/** The program-call entries a type's presence in a record brings in (awsx constructs at preview too). */
export const PROGRAM_CALLS_OF_TYPE: Record<string, string> = {
  "awsx:ec2:Vpc": "awsx:ec2:Vpc (aws.getAvailabilityZones)",
  "awsx:ecr:Image": "awsx:ecr:Image (aws.ecr.getAuthorizationToken)",
};

/** Every action an entry names, sorted, once each. */
export function actionsOf(entry: Entry | NoCalls): string[] {
  return "noAwsCalls" in entry ? [] : [...new Set(entry.calls.flatMap((c) => c.actions))].sort();
}

/** The table as Markdown (type or program call → actions), as docs/operations.md embeds it. */
export function deployActionsMarkdown(): string {
  const rows = Object.entries(DEPLOY_ACTIONS)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, entry]) => `| \`${type}\` | ${"noAwsCalls" in entry ? `none (${entry.noAwsCalls})` : actionsOf(entry).map((a) => `\`${a}\``).join(", ")} |`);
  const program = PROGRAM_CALLS.filter((c) => c.actions.length).map((c) => `| ${c.what} | ${c.actions.map((a) => `\`${a}\``).join(", ")} |`);
  return ["| resource type or call | IAM actions |", "|---|---|", ...program, ...rows].join("\n");
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** A role document's statements as a Markdown table (what docs/operations.md shows of each role). */
export function policyMarkdown(document: { Statement: unknown }): string {
  const code = (values: string | string[]) => [values].flat().map((v) => `\`${v}\``).join(", ");
  const rows = ([document.Statement].flat() as Statement[]).map((s) => {
    const conditions = Object.entries(s.Condition ?? {}).flatMap(([operator, keys]) => Object.entries(keys).map(([key, value]) => `${operator} \`${key}\`: ${code(value)}`));
    return `| ${s.Sid ?? ""} | ${s.Effect} | ${code(s.Action)} | ${code(s.Resource)} | ${conditions.join("; ")} |`;
  });
  return ["| statement | effect | actions | resources | condition |", "|---|---|---|---|---|", ...rows].join("\n");
}
