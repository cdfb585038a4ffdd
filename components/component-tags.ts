import * as pulumi from "@pulumi/pulumi";

/**
 * The AWS resource types Switchyard creates (and the ones awsx's Vpc and ECR components create
 * under them) whose args accept `tags` in @pulumi/aws v7. Resources of other types — RolePolicy,
 * BucketPolicy, Permission, Integration, Route, EventTarget, … — reject `tags` and are left alone.
 * tests/infra/policy.test.ts checks this list against @pulumi/aws's type definitions.
 */
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set([
  "aws:acm/certificate:Certificate",
  "aws:apigatewayv2/api:Api",
  "aws:apigatewayv2/stage:Stage",
  "aws:cloudfront/distribution:Distribution",
  "aws:cloudfront/function:Function",
  "aws:cloudfront/keyValueStore:KeyValueStore",
  "aws:cloudwatch/eventRule:EventRule",
  "aws:cloudwatch/logDelivery:LogDelivery",
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
  "aws:cloudwatch/logDeliverySource:LogDeliverySource",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:cognito/userPool:UserPool",
  "aws:dynamodb/table:Table",
  "aws:ec2/eip:Eip",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/vpc:Vpc",
  "aws:ecr/repository:Repository",
  "aws:ecs/cluster:Cluster",
  "aws:ecs/taskDefinition:TaskDefinition",
  "aws:iam/role:Role",
  "aws:lambda/eventSourceMapping:EventSourceMapping",
  "aws:lambda/function:Function",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketObjectv2:BucketObjectv2",
  "aws:scheduler/scheduleGroup:ScheduleGroup",
  "aws:sesv2/configurationSet:ConfigurationSet",
  "aws:sesv2/emailIdentity:EmailIdentity",
  "aws:sns/topic:Topic",
  "aws:sqs/queue:Queue",
  "aws:ssm/parameter:Parameter",
]);

const STACK_TYPE = "pulumi:pulumi:Stack";

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>` → `<qualified type>::<name>`. */
const keyOfUrn = (urn: string) => urn.split("::").slice(2).join("::");

async function urnOf(resource: pulumi.Resource): Promise<string> {
  return new Promise((resolve) => resource.urn.apply(resolve));
}

/**
 * Registers a stack transform that adds `tags.component = <top-level component name>` (`site`,
 * `api`, `calendly`, `gists`, `skills`, `observability`) to every taggable AWS resource below
 * that component, including the children awsx creates (the engine runs stack transforms for
 * them too). Only `tags` changes: names, parents and options stay as they are. The provider's
 * default tags add `project` and `stack`.
 */
export function tagResourcesWithComponent(): void {
  // `<qualified type>::<name>` of each component seen → its top-level component's name.
  const topLevel = new Map<string, string>();
  pulumi.runtime.registerResourceTransform(async (args) => {
    const parentUrn = args.opts.parent ? await urnOf(args.opts.parent) : undefined;
    const parentKey = parentUrn && keyOfUrn(parentUrn);
    const parentType = parentKey?.split("::")[0];
    const atTop = parentKey === undefined || parentType === STACK_TYPE;
    if (!args.custom) {
      const qualifiedType = atTop ? args.type : `${parentType}$${args.type}`;
      const component = atTop ? args.name : topLevel.get(parentKey);
      if (component !== undefined) topLevel.set(`${qualifiedType}::${args.name}`, component);
      return undefined;
    }
    const component = parentKey === undefined ? undefined : topLevel.get(parentKey);
    if (component === undefined || !TAGGABLE_TYPES.has(args.type)) return undefined;
    const given = args.props.tags as pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
    const tags = pulumi.Output.isInstance(given) ? given.apply((t) => ({ ...t, component })) : { ...given, component };
    return { props: { ...args.props, tags }, opts: args.opts };
  });
}
