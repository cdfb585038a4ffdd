// The one table of where each recorded Pulumi input lands in an AWS API call: per resource type,
// the service (botocore's folder name), the operation's input shape, and per input the API member
// it becomes. preflight/models/extract.ts pulls exactly these members' constraints out of
// botocore's service models; the field-constraints rule checks the recorded values against them.
//
// Paths. A Pulumi input path is dotted, with `[]` for each item of a list, `{}` for each value of
// a map and `{key}` for each key of a map: `environment.variables{key}`. An API member path uses
// the same syntax from the input shape, plus `{Name}` for the value under one fixed key of a map
// (`Attributes{VisibilityTimeout}`: SQS takes its settings as a map of named attributes). A path
// that ends on a list or map checks its number of entries.

/** Where one Pulumi input goes. */
export interface FieldMapping {
  /** Pulumi input path. Example: `"environment.variables{key}"`. */
  input: string;
  /** API member path from the input shape. Example: `"Environment.Variables{key}"`. */
  member: string;
  /** Another operation's input shape, when the provider sends this input in a second call. Example: `"PutRetentionPolicyRequest"`. */
  shape?: string;
  /**
   * When the input is unset, the provider names the resource itself (Pulumi's auto-naming: the
   * logical name, "-", 7 random hex characters); the record's state holds the mock's name of that
   * form, which is what is checked then.
   */
  autoname?: true;
  /** How the provider turns the input into the API's value: an object serialized as JSON; a boolean as ENABLED/DISABLED. */
  convert?: "json" | "enabled";
  /**
   * The model states this constraint only in its documentation text: `values` ("Possible values
   * are: 1, 3, 5, ..." on the shape), `range` ("An integer from 0 to 900" for the fixed map key,
   * in the member's documentation).
   */
  documented?: "values" | "range";
}

/** A resource type the AWS provider creates through an API botocore models. */
export interface ApiEntry {
  /** botocore's service folder. Example: `"cognito-idp"`. */
  service: string;
  /** The create operation's input shape. Example: `"CreateRoleRequest"`. */
  shape: string;
  fields: FieldMapping[];
  /** Inputs the record sets that the late-2022 model cannot check, and why. */
  unmodelled?: Record<string, string>;
}

/** A type that is not an AWS API resource (a component, a provider), or one the model predates. */
export interface OtherEntry {
  /** Why there is nothing to check against botocore. */
  none: string;
}

export type TypeEntry = ApiEntry | OtherEntry;

export const isApiEntry = (e: TypeEntry): e is ApiEntry => "service" in e;

/** One step of a path: a property, each list item, each map value, each map key, or one map key's value. */
export type Step = { prop: string } | { each: "item" | "value" | "key" } | { fixedKey: string };

/** `"Tags[].Key"` → steps. Throws on a path outside the syntax above. */
export function parsePath(path: string): Step[] {
  const steps: Step[] = [];
  const token = /([^.[\]{}]+)|\[\]|\{key\}|\{\}|\{([^{}]+)\}|\./gy;
  for (let m = token.exec(path); m && token.lastIndex <= path.length; m = token.exec(path)) {
    if (m[1] !== undefined) steps.push({ prop: m[1] });
    else if (m[0] === "[]") steps.push({ each: "item" });
    else if (m[0] === "{key}") steps.push({ each: "key" });
    else if (m[0] === "{}") steps.push({ each: "value" });
    else if (m[2] !== undefined) steps.push({ fixedKey: m[2] });
    if (token.lastIndex === path.length) return steps;
  }
  throw new Error(`field map: cannot parse path "${path}"`);
}

/** Tags as a list of `{Key, Value}`; `count` is the list member (its min/max entries). */
function listTags(list = "Tags", key = "Key", value = "Value", shape?: string): FieldMapping[] {
  const at = (m: FieldMapping): FieldMapping => (shape ? { ...m, shape } : m);
  return [at({ input: "tags", member: list.replace(/\[\]$/, "") }), at({ input: "tags{key}", member: `${list}[].${key}` }), at({ input: "tags{}", member: `${list}[].${value}` })];
}

/** Tags as a map. */
function mapTags(map = "Tags", shape?: string): FieldMapping[] {
  const at = (m: FieldMapping): FieldMapping => (shape ? { ...m, shape } : m);
  return [at({ input: "tags", member: map }), at({ input: "tags{key}", member: `${map}{key}` }), at({ input: "tags{}", member: `${map}{}` })];
}

/** `fields` with each API member under `prefix`. */
const under = (prefix: string, fields: [input: string, member: string][]): FieldMapping[] => fields.map(([input, member]) => ({ input, member: `${prefix}${member}` }));

const COMPONENT = "a component of this program (Pulumi only; its children are recorded and checked)";

/** Pulumi cache behaviour fields → DistributionConfig's (default or ordered) cache behaviour. */
const cacheBehavior = (input: string, member: string): [string, string][] => [
  [`${input}.allowedMethods[]`, `${member}.AllowedMethods.Items[]`],
  [`${input}.cachedMethods[]`, `${member}.AllowedMethods.CachedMethods.Items[]`],
  [`${input}.functionAssociations[].eventType`, `${member}.FunctionAssociations.Items[].EventType`],
  [`${input}.functionAssociations[].functionArn`, `${member}.FunctionAssociations.Items[].FunctionARN`],
  [`${input}.viewerProtocolPolicy`, `${member}.ViewerProtocolPolicy`],
  [`${input}.targetOriginId`, `${member}.TargetOriginId`],
];

/** Pulumi type → its API and, per input, the API member. */
export const FIELD_MAP: Record<string, TypeEntry> = {
  "pulumi:providers:aws": { none: "the AWS provider; its defaultTags are merged into every taggable resource's tags and checked there" },
  "switchyard:api:HttpApi": { none: COMPONENT },
  "switchyard:api:MessageApi": { none: COMPONENT },
  "switchyard:ecs:FargateTask": { none: COMPONENT },
  "switchyard:events:EventsApi": { none: COMPONENT },
  "switchyard:graphql:GraphqlApi": { none: COMPONENT },
  "switchyard:lambda:HandlerFunction": { none: COMPONENT },
  "switchyard:observability:ObservabilityDashboard": { none: COMPONENT },
  "switchyard:site:StaticSite": { none: COMPONENT },
  "switchyard:sync:ScheduledSync": { none: COMPONENT },
  "switchyard:webhooks:WebhookIngest": { none: COMPONENT },
  "awsx:ec2:Vpc": { none: "an awsx component: its VPC, subnets and routes are made inside the awsx plugin and are not in the record; its inputs (CIDR, subnet layout) have no model constraints" },
  "awsx:ecr:Image": { none: "an awsx component that builds the image with Docker and pushes it to the repository; no AWS API input" },
  "aws:acm/certificateValidation:CertificateValidation": { none: "waits for ACM to validate the certificate; makes no create call" },
  "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey": { none: "the cloudfront-keyvaluestore API (PutKey, November 2023) is newer than the late-2022 model" },
  "aws:cloudwatch/logDeliverySource:LogDeliverySource": { none: "CloudWatch Logs' delivery API (PutDeliverySource, November 2023) is newer than the late-2022 model" },
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": { none: "CloudWatch Logs' delivery API (PutDeliveryDestination, November 2023) is newer than the late-2022 model" },
  "aws:cloudwatch/logDelivery:LogDelivery": { none: "CloudWatch Logs' delivery API (CreateDelivery, November 2023) is newer than the late-2022 model" },

  "awsx:ecr:Repository": {
    service: "ecr",
    shape: "CreateRepositoryRequest",
    fields: [{ input: "name", member: "repositoryName", autoname: true }],
    unmodelled: { lifecyclePolicy: "awsx renders it to the lifecycle policy JSON, which the model does not describe" },
  },
  "aws:acm/certificate:Certificate": {
    service: "acm",
    shape: "RequestCertificateRequest",
    fields: [{ input: "domainName", member: "DomainName" }, { input: "validationMethod", member: "ValidationMethod" }, ...listTags()],
  },
  "aws:apigatewayv2/api:Api": {
    service: "apigatewayv2",
    shape: "CreateApiRequest",
    fields: [
      { input: "name", member: "Name", autoname: true },
      { input: "description", member: "Description" },
      { input: "protocolType", member: "ProtocolType" },
      { input: "routeSelectionExpression", member: "RouteSelectionExpression" },
      { input: "corsConfiguration.allowMethods[]", member: "CorsConfiguration.AllowMethods[]" },
      { input: "corsConfiguration.maxAge", member: "CorsConfiguration.MaxAge" },
      ...mapTags(),
    ],
  },
  "aws:apigatewayv2/authorizer:Authorizer": {
    service: "apigatewayv2",
    shape: "CreateAuthorizerRequest",
    fields: [
      { input: "name", member: "Name" },
      { input: "authorizerType", member: "AuthorizerType" },
      { input: "identitySources[]", member: "IdentitySource[]" },
      { input: "jwtConfiguration.issuer", member: "JwtConfiguration.Issuer" },
      { input: "jwtConfiguration.audiences[]", member: "JwtConfiguration.Audience[]" },
    ],
  },
  "aws:apigatewayv2/integration:Integration": {
    service: "apigatewayv2",
    shape: "CreateIntegrationRequest",
    fields: [
      { input: "integrationType", member: "IntegrationType" },
      { input: "integrationMethod", member: "IntegrationMethod" },
      { input: "integrationUri", member: "IntegrationUri" },
      { input: "payloadFormatVersion", member: "PayloadFormatVersion" },
      { input: "timeoutMilliseconds", member: "TimeoutInMillis" },
    ],
  },
  "aws:apigatewayv2/route:Route": {
    service: "apigatewayv2",
    shape: "CreateRouteRequest",
    fields: [
      { input: "routeKey", member: "RouteKey" },
      { input: "authorizationType", member: "AuthorizationType" },
      { input: "target", member: "Target" },
    ],
  },
  "aws:apigatewayv2/stage:Stage": {
    service: "apigatewayv2",
    shape: "CreateStageRequest",
    fields: [
      { input: "name", member: "StageName" },
      { input: "accessLogSettings.format", member: "AccessLogSettings.Format" },
      { input: "accessLogSettings.destinationArn", member: "AccessLogSettings.DestinationArn" },
      { input: "defaultRouteSettings.throttlingBurstLimit", member: "DefaultRouteSettings.ThrottlingBurstLimit" },
      { input: "defaultRouteSettings.throttlingRateLimit", member: "DefaultRouteSettings.ThrottlingRateLimit" },
      ...mapTags(),
    ],
  },
  "aws:cloudfront/distribution:Distribution": {
    service: "cloudfront",
    shape: "CreateDistributionWithTagsRequest",
    fields: [
      ...under("DistributionConfigWithTags.DistributionConfig.", [
        ["aliases[]", "Aliases.Items[]"],
        ["comment", "Comment"],
        ["defaultRootObject", "DefaultRootObject"],
        ["httpVersion", "HttpVersion"],
        ["priceClass", "PriceClass"],
        ["origins[].domainName", "Origins.Items[].DomainName"],
        ["origins[].originId", "Origins.Items[].Id"],
        ["restrictions.geoRestriction.restrictionType", "Restrictions.GeoRestriction.RestrictionType"],
        ["viewerCertificate.minimumProtocolVersion", "ViewerCertificate.MinimumProtocolVersion"],
        ["viewerCertificate.sslSupportMethod", "ViewerCertificate.SSLSupportMethod"],
        ...cacheBehavior("defaultCacheBehavior", "DefaultCacheBehavior"),
        ...cacheBehavior("orderedCacheBehaviors[]", "CacheBehaviors.Items[]"),
        ["orderedCacheBehaviors[].pathPattern", "CacheBehaviors.Items[].PathPattern"],
      ]),
      ...listTags("DistributionConfigWithTags.Tags.Items"),
    ],
  },
  "aws:cloudfront/function:Function": {
    service: "cloudfront",
    shape: "CreateFunctionRequest",
    fields: [
      { input: "name", member: "Name", autoname: true },
      { input: "comment", member: "FunctionConfig.Comment" },
      { input: "runtime", member: "FunctionConfig.Runtime" },
      { input: "code", member: "FunctionCode" },
      ...listTags("Tags.Items", "Key", "Value", "TagResourceRequest"),
    ],
    unmodelled: { keyValueStoreAssociations: "FunctionConfig.KeyValueStoreAssociations (November 2023) is newer than the model" },
  },
  "aws:cloudfront/keyValueStore:KeyValueStore": {
    service: "cloudfront",
    shape: "TagResourceRequest",
    fields: listTags("Tags.Items"),
    unmodelled: { name: "CreateKeyValueStore (November 2023) is newer than the model", comment: "CreateKeyValueStore (November 2023) is newer than the model" },
  },
  "aws:cloudfront/originAccessControl:OriginAccessControl": {
    service: "cloudfront",
    shape: "CreateOriginAccessControlRequest",
    fields: under("OriginAccessControlConfig.", [
      ["name", "Name"],
      ["description", "Description"],
      ["originAccessControlOriginType", "OriginAccessControlOriginType"],
      ["signingBehavior", "SigningBehavior"],
      ["signingProtocol", "SigningProtocol"],
    ]).map((f) => (f.input === "name" ? { ...f, autoname: true as const } : f)),
  },
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": {
    service: "cloudfront",
    shape: "CreateResponseHeadersPolicyRequest",
    fields: under("ResponseHeadersPolicyConfig.", [
      ["name", "Name"],
      ["comment", "Comment"],
      ["securityHeadersConfig.frameOptions.frameOption", "SecurityHeadersConfig.FrameOptions.FrameOption"],
      ["securityHeadersConfig.referrerPolicy.referrerPolicy", "SecurityHeadersConfig.ReferrerPolicy.ReferrerPolicy"],
      ["securityHeadersConfig.strictTransportSecurity.accessControlMaxAgeSec", "SecurityHeadersConfig.StrictTransportSecurity.AccessControlMaxAgeSec"],
    ]).map((f) => (f.input === "name" ? { ...f, autoname: true as const } : f)),
  },
  "aws:cloudwatch/dashboard:Dashboard": {
    service: "cloudwatch",
    shape: "PutDashboardInput",
    fields: [
      { input: "dashboardName", member: "DashboardName" },
      { input: "dashboardBody", member: "DashboardBody" },
    ],
  },
  "aws:cloudwatch/eventRule:EventRule": {
    service: "events",
    shape: "PutRuleRequest",
    fields: [
      { input: "name", member: "Name", autoname: true },
      { input: "description", member: "Description" },
      { input: "scheduleExpression", member: "ScheduleExpression" },
      { input: "eventPattern", member: "EventPattern" },
      { input: "state", member: "State" },
      ...listTags(),
    ],
  },
  "aws:cloudwatch/eventTarget:EventTarget": {
    service: "events",
    shape: "PutTargetsRequest",
    fields: [
      { input: "rule", member: "Rule" },
      ...under("Targets[].", [
        ["targetId", "Id"],
        ["arn", "Arn"],
        ["roleArn", "RoleArn"],
        ["input", "Input"],
        ["deadLetterConfig.arn", "DeadLetterConfig.Arn"],
        ["retryPolicy.maximumEventAgeInSeconds", "RetryPolicy.MaximumEventAgeInSeconds"],
        ["retryPolicy.maximumRetryAttempts", "RetryPolicy.MaximumRetryAttempts"],
        ["ecsTarget.launchType", "EcsParameters.LaunchType"],
        ["ecsTarget.taskCount", "EcsParameters.TaskCount"],
        ["ecsTarget.taskDefinitionArn", "EcsParameters.TaskDefinitionArn"],
        ["ecsTarget.platformVersion", "EcsParameters.PlatformVersion"],
        ["ecsTarget.networkConfiguration.subnets", "EcsParameters.NetworkConfiguration.awsvpcConfiguration.Subnets"],
      ]),
      { input: "ecsTarget.networkConfiguration.assignPublicIp", member: "Targets[].EcsParameters.NetworkConfiguration.awsvpcConfiguration.AssignPublicIp", convert: "enabled" },
    ],
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    service: "logs",
    shape: "CreateLogGroupRequest",
    fields: [
      { input: "name", member: "logGroupName", autoname: true },
      { input: "retentionInDays", member: "retentionInDays", shape: "PutRetentionPolicyRequest", documented: "values" },
      ...mapTags("tags"),
    ],
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    service: "cloudwatch",
    shape: "PutMetricAlarmInput",
    fields: [
      { input: "name", member: "AlarmName", autoname: true },
      ...under("", [
        ["alarmDescription", "AlarmDescription"],
        ["comparisonOperator", "ComparisonOperator"],
        ["datapointsToAlarm", "DatapointsToAlarm"],
        ["evaluationPeriods", "EvaluationPeriods"],
        ["extendedStatistic", "ExtendedStatistic"],
        ["metricName", "MetricName"],
        ["namespace", "Namespace"],
        ["period", "Period"],
        ["statistic", "Statistic"],
        ["treatMissingData", "TreatMissingData"],
        ["unit", "Unit"],
        ["alarmActions", "AlarmActions"],
        ["alarmActions[]", "AlarmActions[]"],
        ["okActions", "OKActions"],
        ["okActions[]", "OKActions[]"],
        ["dimensions", "Dimensions"],
        ["dimensions{key}", "Dimensions[].Name"],
        ["dimensions{}", "Dimensions[].Value"],
        ["metricQueries[].id", "Metrics[].Id"],
        ["metricQueries[].expression", "Metrics[].Expression"],
        ["metricQueries[].label", "Metrics[].Label"],
        ["metricQueries[].metric.metricName", "Metrics[].MetricStat.Metric.MetricName"],
        ["metricQueries[].metric.namespace", "Metrics[].MetricStat.Metric.Namespace"],
        ["metricQueries[].metric.period", "Metrics[].MetricStat.Period"],
        ["metricQueries[].metric.stat", "Metrics[].MetricStat.Stat"],
        ["metricQueries[].metric.dimensions{key}", "Metrics[].MetricStat.Metric.Dimensions[].Name"],
        ["metricQueries[].metric.dimensions{}", "Metrics[].MetricStat.Metric.Dimensions[].Value"],
      ]),
      ...listTags(),
    ],
  },
  "aws:cloudwatch/queryDefinition:QueryDefinition": {
    service: "logs",
    shape: "PutQueryDefinitionRequest",
    fields: [
      { input: "name", member: "name" },
      { input: "logGroupNames[]", member: "logGroupNames[]" },
      { input: "queryString", member: "queryString" },
    ],
  },
  "aws:cognito/userPool:UserPool": {
    service: "cognito-idp",
    shape: "CreateUserPoolRequest",
    fields: [
      { input: "name", member: "PoolName", autoname: true },
      ...under("", [
        ["accountRecoverySetting.recoveryMechanisms", "AccountRecoverySetting.RecoveryMechanisms"],
        ["accountRecoverySetting.recoveryMechanisms[].name", "AccountRecoverySetting.RecoveryMechanisms[].Name"],
        ["accountRecoverySetting.recoveryMechanisms[].priority", "AccountRecoverySetting.RecoveryMechanisms[].Priority"],
        ["autoVerifiedAttributes[]", "AutoVerifiedAttributes[]"],
        ["usernameAttributes[]", "UsernameAttributes[]"],
        ["deletionProtection", "DeletionProtection"],
        ["emailConfiguration.emailSendingAccount", "EmailConfiguration.EmailSendingAccount"],
        ["emailConfiguration.sourceArn", "EmailConfiguration.SourceArn"],
        ["mfaConfiguration", "MfaConfiguration"],
        ["passwordPolicy.minimumLength", "Policies.PasswordPolicy.MinimumLength"],
        ["passwordPolicy.temporaryPasswordValidityDays", "Policies.PasswordPolicy.TemporaryPasswordValidityDays"],
        ["verificationMessageTemplate.defaultEmailOption", "VerificationMessageTemplate.DefaultEmailOption"],
        ["verificationMessageTemplate.emailMessage", "VerificationMessageTemplate.EmailMessage"],
        ["verificationMessageTemplate.emailSubject", "VerificationMessageTemplate.EmailSubject"],
        ["lambdaConfig.preSignUp", "LambdaConfig.PreSignUp"],
      ]),
      ...mapTags("UserPoolTags"),
    ],
  },
  "aws:cognito/userPoolClient:UserPoolClient": {
    service: "cognito-idp",
    shape: "CreateUserPoolClientRequest",
    fields: [
      { input: "name", member: "ClientName", autoname: true },
      ...under("", [
        ["userPoolId", "UserPoolId"],
        ["accessTokenValidity", "AccessTokenValidity"],
        ["idTokenValidity", "IdTokenValidity"],
        ["refreshTokenValidity", "RefreshTokenValidity"],
        ["authSessionValidity", "AuthSessionValidity"],
        ["tokenValidityUnits.accessToken", "TokenValidityUnits.AccessToken"],
        ["tokenValidityUnits.idToken", "TokenValidityUnits.IdToken"],
        ["tokenValidityUnits.refreshToken", "TokenValidityUnits.RefreshToken"],
        ["allowedOauthFlows", "AllowedOAuthFlows"],
        ["allowedOauthFlows[]", "AllowedOAuthFlows[]"],
        ["allowedOauthScopes", "AllowedOAuthScopes"],
        ["allowedOauthScopes[]", "AllowedOAuthScopes[]"],
        ["callbackUrls", "CallbackURLs"],
        ["callbackUrls[]", "CallbackURLs[]"],
        ["logoutUrls", "LogoutURLs"],
        ["logoutUrls[]", "LogoutURLs[]"],
        ["explicitAuthFlows[]", "ExplicitAuthFlows[]"],
        ["supportedIdentityProviders[]", "SupportedIdentityProviders[]"],
        ["preventUserExistenceErrors", "PreventUserExistenceErrors"],
      ]),
    ],
  },
  "aws:cognito/identityProvider:IdentityProvider": {
    service: "cognito-idp",
    shape: "CreateIdentityProviderRequest",
    fields: [
      { input: "userPoolId", member: "UserPoolId" },
      { input: "providerName", member: "ProviderName" },
      { input: "providerType", member: "ProviderType" },
    ],
  },
  "aws:cognito/userPoolDomain:UserPoolDomain": {
    service: "cognito-idp",
    shape: "CreateUserPoolDomainRequest",
    fields: [
      { input: "domain", member: "Domain" },
      { input: "userPoolId", member: "UserPoolId" },
    ],
  },
  "aws:dynamodb/table:Table": {
    service: "dynamodb",
    shape: "CreateTableInput",
    fields: [
      { input: "name", member: "TableName", autoname: true },
      ...under("", [
        ["attributes[].name", "AttributeDefinitions[].AttributeName"],
        ["attributes[].type", "AttributeDefinitions[].AttributeType"],
        ["hashKey", "KeySchema[].AttributeName"],
        ["rangeKey", "KeySchema[].AttributeName"],
        ["billingMode", "BillingMode"],
        ["tableClass", "TableClass"],
        ["streamViewType", "StreamSpecification.StreamViewType"],
        ["globalSecondaryIndexes[].name", "GlobalSecondaryIndexes[].IndexName"],
        ["globalSecondaryIndexes[].keySchemas", "GlobalSecondaryIndexes[].KeySchema"],
        ["globalSecondaryIndexes[].keySchemas[].attributeName", "GlobalSecondaryIndexes[].KeySchema[].AttributeName"],
        ["globalSecondaryIndexes[].keySchemas[].keyType", "GlobalSecondaryIndexes[].KeySchema[].KeyType"],
        ["globalSecondaryIndexes[].projectionType", "GlobalSecondaryIndexes[].Projection.ProjectionType"],
        ["globalSecondaryIndexes[].nonKeyAttributes", "GlobalSecondaryIndexes[].Projection.NonKeyAttributes"],
      ]),
      { input: "ttl.attributeName", member: "TimeToLiveSpecification.AttributeName", shape: "UpdateTimeToLiveInput" },
      ...listTags(),
    ],
    unmodelled: { deletionProtectionEnabled: "DeletionProtectionEnabled (March 2023) is newer than the model (a boolean)" },
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    service: "ec2",
    shape: "CreateSecurityGroupRequest",
    fields: [
      { input: "name", member: "GroupName", autoname: true },
      { input: "description", member: "Description" },
      { input: "egress[].protocol", member: "IpPermissions[].IpProtocol", shape: "AuthorizeSecurityGroupEgressRequest" },
      { input: "egress[].description", member: "IpPermissions[].IpRanges[].Description", shape: "AuthorizeSecurityGroupEgressRequest" },
      ...listTags("Tags", "Key", "Value", "CreateTagsRequest"),
    ],
  },
  "aws:ecs/cluster:Cluster": {
    service: "ecs",
    shape: "CreateClusterRequest",
    fields: [
      { input: "name", member: "clusterName", autoname: true },
      { input: "settings[].name", member: "settings[].name" },
      { input: "settings[].value", member: "settings[].value" },
      ...listTags("tags", "key", "value"),
    ],
  },
  "aws:ecs/taskDefinition:TaskDefinition": {
    service: "ecs",
    shape: "RegisterTaskDefinitionRequest",
    fields: [
      ...under("", [
        ["family", "family"],
        ["cpu", "cpu"],
        ["memory", "memory"],
        ["networkMode", "networkMode"],
        ["requiresCompatibilities[]", "requiresCompatibilities[]"],
        ["runtimePlatform.cpuArchitecture", "runtimePlatform.cpuArchitecture"],
        ["runtimePlatform.operatingSystemFamily", "runtimePlatform.operatingSystemFamily"],
        ["executionRoleArn", "executionRoleArn"],
        ["taskRoleArn", "taskRoleArn"],
      ]),
      ...listTags("tags", "key", "value"),
    ],
    unmodelled: { containerDefinitions: "a JSON string the provider parses into the containerDefinitions list; the program's container settings are tested in tests/infra/sync-fargate.test.ts" },
  },
  "aws:iam/role:Role": {
    service: "iam",
    shape: "CreateRoleRequest",
    fields: [
      { input: "name", member: "RoleName", autoname: true },
      { input: "description", member: "Description" },
      { input: "path", member: "Path" },
      { input: "maxSessionDuration", member: "MaxSessionDuration" },
      { input: "assumeRolePolicy", member: "AssumeRolePolicyDocument", convert: "json" },
      ...listTags(),
    ],
  },
  "aws:iam/rolePolicy:RolePolicy": {
    service: "iam",
    shape: "PutRolePolicyRequest",
    fields: [
      { input: "name", member: "PolicyName", autoname: true },
      { input: "role", member: "RoleName" },
      { input: "policy", member: "PolicyDocument", convert: "json" },
    ],
  },
  "aws:lambda/eventSourceMapping:EventSourceMapping": {
    service: "lambda",
    shape: "CreateEventSourceMappingRequest",
    fields: [
      ...under("", [
        ["functionName", "FunctionName"],
        ["eventSourceArn", "EventSourceArn"],
        ["batchSize", "BatchSize"],
        ["maximumBatchingWindowInSeconds", "MaximumBatchingWindowInSeconds"],
        ["maximumRetryAttempts", "MaximumRetryAttempts"],
        ["maximumRecordAgeInSeconds", "MaximumRecordAgeInSeconds"],
        ["parallelizationFactor", "ParallelizationFactor"],
        ["startingPosition", "StartingPosition"],
        ["destinationConfig.onFailure.destinationArn", "DestinationConfig.OnFailure.Destination"],
        ["filterCriteria.filters[].pattern", "FilterCriteria.Filters[].Pattern"],
        ["functionResponseTypes", "FunctionResponseTypes"],
        ["functionResponseTypes[]", "FunctionResponseTypes[]"],
      ]),
      ...mapTags("Tags", "TagResourceRequest"),
    ],
    unmodelled: { "scalingConfig.maximumConcurrency": "ScalingConfig (January 2023) is newer than the model" },
  },
  "aws:lambda/function:Function": {
    service: "lambda",
    shape: "CreateFunctionRequest",
    fields: [
      { input: "name", member: "FunctionName", autoname: true },
      ...under("", [
        ["description", "Description"],
        ["handler", "Handler"],
        ["role", "Role"],
        ["runtime", "Runtime"],
        ["memorySize", "MemorySize"],
        ["timeout", "Timeout"],
        ["architectures", "Architectures"],
        ["architectures[]", "Architectures[]"],
        ["environment.variables{key}", "Environment.Variables{key}"],
        ["environment.variables{}", "Environment.Variables{}"],
        ["ephemeralStorage.size", "EphemeralStorage.Size"],
      ]),
      ...mapTags(),
    ],
    unmodelled: { loggingConfig: "LoggingConfig (November 2023) is newer than the model" },
  },
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": {
    service: "lambda",
    shape: "PutFunctionEventInvokeConfigRequest",
    fields: [
      { input: "functionName", member: "FunctionName" },
      { input: "maximumRetryAttempts", member: "MaximumRetryAttempts" },
      { input: "maximumEventAgeInSeconds", member: "MaximumEventAgeInSeconds" },
    ],
  },
  "aws:lambda/permission:Permission": {
    service: "lambda",
    shape: "AddPermissionRequest",
    fields: [
      { input: "statementId", member: "StatementId" },
      { input: "action", member: "Action" },
      { input: "function", member: "FunctionName" },
      { input: "principal", member: "Principal" },
      { input: "sourceArn", member: "SourceArn" },
      { input: "sourceAccount", member: "SourceAccount" },
    ],
  },
  "aws:route53/record:Record": {
    service: "route53",
    shape: "ChangeResourceRecordSetsRequest",
    fields: [
      { input: "zoneId", member: "HostedZoneId" },
      ...under("ChangeBatch.Changes[].ResourceRecordSet.", [
        ["name", "Name"],
        ["type", "Type"],
        ["ttl", "TTL"],
        ["records[]", "ResourceRecords[].Value"],
        ["aliases[].name", "AliasTarget.DNSName"],
        ["aliases[].zoneId", "AliasTarget.HostedZoneId"],
      ]),
    ],
  },
  "aws:s3/bucket:Bucket": {
    service: "s3",
    shape: "CreateBucketRequest",
    fields: [{ input: "bucket", member: "Bucket", autoname: true }, ...listTags("Tagging.TagSet", "Key", "Value", "PutBucketTaggingRequest")],
  },
  "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": {
    service: "s3",
    shape: "PutBucketCorsRequest",
    fields: under("CORSConfiguration.CORSRules[].", [
      ["corsRules[].allowedHeaders[]", "AllowedHeaders[]"],
      ["corsRules[].allowedMethods[]", "AllowedMethods[]"],
      ["corsRules[].allowedOrigins[]", "AllowedOrigins[]"],
      ["corsRules[].exposeHeaders[]", "ExposeHeaders[]"],
      ["corsRules[].maxAgeSeconds", "MaxAgeSeconds"],
    ]),
  },
  "aws:s3/bucketNotification:BucketNotification": {
    service: "s3",
    shape: "PutBucketNotificationConfigurationRequest",
    fields: [
      { input: "bucket", member: "Bucket" },
      ...under("NotificationConfiguration.LambdaFunctionConfigurations[].", [
        ["lambdaFunctions[].lambdaFunctionArn", "LambdaFunctionArn"],
        ["lambdaFunctions[].events[]", "Events[]"],
        ["lambdaFunctions[].filterPrefix", "Filter.Key.FilterRules[].Value"],
      ]),
    ],
  },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
    service: "s3",
    shape: "PutBucketLifecycleConfigurationRequest",
    fields: under("LifecycleConfiguration.Rules[].", [
      ["rules[].id", "ID"],
      ["rules[].status", "Status"],
      ["rules[].noncurrentVersionExpiration.noncurrentDays", "NoncurrentVersionExpiration.NoncurrentDays"],
      ["rules[].expiration.days", "Expiration.Days"],
    ]),
  },
  "aws:s3/bucketObjectv2:BucketObjectv2": {
    service: "s3",
    shape: "PutObjectRequest",
    fields: [
      { input: "key", member: "Key" },
      { input: "cacheControl", member: "CacheControl" },
      { input: "contentType", member: "ContentType" },
      ...listTags("Tagging.TagSet", "Key", "Value", "PutObjectTaggingRequest"),
    ],
  },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
    service: "s3",
    shape: "PutBucketOwnershipControlsRequest",
    fields: [{ input: "rule.objectOwnership", member: "OwnershipControls.Rules[].ObjectOwnership" }],
  },
  "aws:s3/bucketPolicy:BucketPolicy": {
    service: "s3",
    shape: "PutBucketPolicyRequest",
    fields: [{ input: "policy", member: "Policy", convert: "json" }],
  },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
    service: "s3",
    shape: "PutPublicAccessBlockRequest",
    fields: under("PublicAccessBlockConfiguration.", [
      ["blockPublicAcls", "BlockPublicAcls"],
      ["blockPublicPolicy", "BlockPublicPolicy"],
      ["ignorePublicAcls", "IgnorePublicAcls"],
      ["restrictPublicBuckets", "RestrictPublicBuckets"],
    ]),
  },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
    service: "s3",
    shape: "PutBucketEncryptionRequest",
    fields: [{ input: "rules[].applyServerSideEncryptionByDefault.sseAlgorithm", member: "ServerSideEncryptionConfiguration.Rules[].ApplyServerSideEncryptionByDefault.SSEAlgorithm" }],
  },
  "aws:s3/bucketVersioning:BucketVersioning": {
    service: "s3",
    shape: "PutBucketVersioningRequest",
    fields: [{ input: "versioningConfiguration.status", member: "VersioningConfiguration.Status" }],
  },
  "aws:scheduler/scheduleGroup:ScheduleGroup": {
    service: "scheduler",
    shape: "CreateScheduleGroupInput",
    fields: [{ input: "name", member: "Name", autoname: true }, ...listTags()],
  },
  "aws:sesv2/configurationSet:ConfigurationSet": {
    service: "sesv2",
    shape: "CreateConfigurationSetRequest",
    fields: [
      { input: "configurationSetName", member: "ConfigurationSetName" },
      { input: "suppressionOptions.suppressedReasons[]", member: "SuppressionOptions.SuppressedReasons[]" },
      ...listTags(),
    ],
  },
  "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination": {
    service: "sesv2",
    shape: "CreateConfigurationSetEventDestinationRequest",
    fields: [
      { input: "configurationSetName", member: "ConfigurationSetName" },
      { input: "eventDestinationName", member: "EventDestinationName" },
      { input: "eventDestination.matchingEventTypes[]", member: "EventDestination.MatchingEventTypes[]" },
      { input: "eventDestination.snsDestination.topicArn", member: "EventDestination.SnsDestination.TopicArn" },
    ],
  },
  "aws:sesv2/emailIdentity:EmailIdentity": {
    service: "sesv2",
    shape: "CreateEmailIdentityRequest",
    fields: [{ input: "emailIdentity", member: "EmailIdentity" }, ...listTags()],
  },
  "aws:sns/topic:Topic": {
    service: "sns",
    shape: "CreateTopicInput",
    fields: [
      { input: "name", member: "Name", autoname: true },
      { input: "kmsMasterKeyId", member: "Attributes{KmsMasterKeyId}" },
      ...listTags(),
    ],
  },
  "aws:sns/topicPolicy:TopicPolicy": {
    service: "sns",
    shape: "SetTopicAttributesInput",
    fields: [
      { input: "arn", member: "TopicArn" },
      { input: "policy", member: "AttributeValue" },
    ],
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    service: "sns",
    shape: "SubscribeInput",
    fields: [
      { input: "topic", member: "TopicArn" },
      { input: "protocol", member: "Protocol" },
      { input: "endpoint", member: "Endpoint" },
    ],
  },
  "aws:sqs/queue:Queue": {
    service: "sqs",
    shape: "CreateQueueRequest",
    fields: [
      { input: "name", member: "QueueName", autoname: true },
      { input: "delaySeconds", member: "Attributes{DelaySeconds}", documented: "range" },
      { input: "maxMessageSize", member: "Attributes{MaximumMessageSize}", documented: "range" },
      { input: "messageRetentionSeconds", member: "Attributes{MessageRetentionPeriod}", documented: "range" },
      { input: "receiveWaitTimeSeconds", member: "Attributes{ReceiveMessageWaitTimeSeconds}", documented: "range" },
      { input: "visibilityTimeoutSeconds", member: "Attributes{VisibilityTimeout}", documented: "range" },
      { input: "redrivePolicy", member: "Attributes{RedrivePolicy}", convert: "json" },
      { input: "sqsManagedSseEnabled", member: "Attributes{SqsManagedSseEnabled}" },
      ...mapTags("tags"),
    ],
  },
  "aws:sqs/queuePolicy:QueuePolicy": {
    service: "sqs",
    shape: "SetQueueAttributesRequest",
    fields: [
      { input: "queueUrl", member: "QueueUrl" },
      { input: "policy", member: "Attributes{Policy}", convert: "json" },
    ],
  },
  "aws:ssm/parameter:Parameter": {
    service: "ssm",
    shape: "PutParameterRequest",
    fields: [
      { input: "name", member: "Name", autoname: true },
      { input: "description", member: "Description" },
      { input: "type", member: "Type" },
      { input: "tier", member: "Tier" },
      { input: "value", member: "Value" },
      ...listTags(),
    ],
  },
};
