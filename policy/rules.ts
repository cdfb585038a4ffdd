/* eslint-disable @typescript-eslint/no-explicit-any -- rules read provider properties, untyped JSON like @pulumi/policy's own `props: Record<string, any>` */
// Switchyard's policy rules as plain functions over plain resource shapes (@pulumi/aws v7 type
// tokens and property names). policy/index.ts wires them into a PolicyPack for `pulumi preview
// --policy-pack policy`; tests/infra/policy.test.ts runs them on the resources recorded from index.ts
// under mocks, without the engine. Each returns the violation messages (none: compliant).
import { TAGGABLE_TYPES } from "../components/component-tags";

/** One resource as a rule sees it: its type token, logical name and properties. */
export interface Resource {
  type: string;
  name: string;
  /** Resource rules get the inputs; stack rules get the outputs (which hold `id`). */
  props: Record<string, any>;
}

export interface RuleContext {
  /** The stack being checked (in the pack: read from the resource URN). */
  stack: string;
  /** Stacks that hold real data: prod-only rules apply there, dev-only limits everywhere else. */
  prodStacks: readonly string[];
  /** The explicit provider's properties (resource rules only). */
  provider?: Record<string, any>;
}

export interface ResourceRule {
  name: string;
  description: string;
  kind: "resource";
  check(resource: Resource, ctx: RuleContext): string[];
}

export interface StackRule {
  name: string;
  description: string;
  kind: "stack";
  check(resources: readonly Resource[], ctx: RuleContext): string[];
}

export type Rule = ResourceRule | StackRule;

export const DEFAULT_PROD_STACKS = ["prod"];
export const isProd = (ctx: RuleContext) => ctx.prodStacks.includes(ctx.stack);

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → `<stack>`. */
export const stackOfUrn = (urn: string) => urn.replace(/^urn:pulumi:/, "").split("::")[0] ?? "";

export const T = {
  bucket: "aws:s3/bucket:Bucket",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  table: "aws:dynamodb/table:Table",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  function: "aws:lambda/function:Function",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  api: "aws:apigatewayv2/api:Api",
  stage: "aws:apigatewayv2/stage:Stage",
  distribution: "aws:cloudfront/distribution:Distribution",
  natGateway: "aws:ec2/natGateway:NatGateway",
  awsxVpc: "awsx:ec2:Vpc",
  provider: "pulumi:providers:aws",
} as const;

const label = (r: Resource) => `${r.type.startsWith("pulumi:providers:") ? "provider" : r.type.split(":").pop()} "${r.name}"`;
const parseJson = (value: unknown): any => (typeof value === "string" ? JSON.parse(value) : value);
const list = <V>(value: V | V[] | undefined | null): V[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);
const ofType = (resources: readonly Resource[], type: string) => resources.filter((r) => r.type === type);
/** A sub-resource's `bucket`/`apiId`/… refers to `target` by its id (S3: also by its bucket name). */
const refersTo = (value: unknown, target: Resource) => value !== undefined && (value === target.props.id || value === target.props.bucket);

// ---------------------------------------------------------------------------------------------
// S3

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export const s3PublicAccessBlocked: ResourceRule = {
  name: "s3-public-access-blocked",
  description: "Every bucket public access block turns all four settings on.",
  kind: "resource",
  check(r) {
    if (r.type !== T.publicAccessBlock) return [];
    const off = PUBLIC_ACCESS_FLAGS.filter((flag) => r.props[flag] !== true);
    return off.length ? [`${label(r)} must block all public access: ${off.join(", ")} not true.`] : [];
  },
};

export const s3EncryptionOn: ResourceRule = {
  name: "s3-encryption-on",
  description: "Every bucket encryption configuration sets a default algorithm (AES256 or aws:kms).",
  kind: "resource",
  check(r) {
    if (r.type !== T.encryption) return [];
    const algorithms = list<any>(r.props.rules).map((rule) => rule?.applyServerSideEncryptionByDefault?.sseAlgorithm);
    return algorithms.some((a) => a === "AES256" || a === "aws:kms" || a === "aws:kms:dsse") ? [] : [`${label(r)} must set a default encryption algorithm (AES256 or aws:kms).`];
  },
};

export const s3BucketsProtected: StackRule = {
  name: "s3-buckets-protected",
  description: "Every bucket has a public access block and a server-side encryption configuration of its own.",
  kind: "stack",
  check(resources) {
    const blocks = ofType(resources, T.publicAccessBlock);
    const encryption = ofType(resources, T.encryption);
    return ofType(resources, T.bucket).flatMap((bucket) => [
      ...(blocks.some((b) => refersTo(b.props.bucket, bucket)) ? [] : [`${label(bucket)} has no BucketPublicAccessBlock: public access must be blocked.`]),
      ...(encryption.some((e) => refersTo(e.props.bucket, bucket)) ? [] : [`${label(bucket)} has no BucketServerSideEncryptionConfiguration: encryption must be on.`]),
    ]);
  },
};

// ---------------------------------------------------------------------------------------------
// DynamoDB

export const tablesProtected: ResourceRule = {
  name: "dynamodb-tables-protected",
  description: "Every table is encrypted (KMS); in prod stacks it also has point-in-time recovery and deletion protection, unless tagged ephemeral.",
  kind: "resource",
  check(r, ctx) {
    if (r.type !== T.table) return [];
    const out: string[] = [];
    if (r.props.serverSideEncryption?.enabled !== true) out.push(`${label(r)} must be encrypted: serverSideEncryption.enabled must be true.`);
    // A table whose loss nobody notices (components/shared/table.ts `ephemeral`: the live WebSocket
    // connections) needs no backups or protection; short-lived data that changes behaviour when lost does.
    if (isProd(ctx) && r.props.tags?.ephemeral !== "true") {
      if (r.props.pointInTimeRecovery?.enabled !== true) out.push(`${label(r)} must have point-in-time recovery in stack "${ctx.stack}": pointInTimeRecovery.enabled must be true.`);
      if (r.props.deletionProtectionEnabled !== true) out.push(`${label(r)} must have deletion protection in stack "${ctx.stack}": deletionProtectionEnabled must be true.`);
    }
    return out;
  },
};

// ---------------------------------------------------------------------------------------------
// IAM

/** Services that hold data: a `*` resource on their actions reaches every table, bucket, queue, … */
export const DATA_SERVICES = ["dynamodb", "s3", "sqs", "sns", "ssm", "secretsmanager", "kms", "kinesis", "rds", "elasticfilesystem"];

/**
 * Data-service actions IAM authorizes only on `*`: the service authorization reference gives them
 * no resource type, so naming a resource grants nothing (a Lambda stream consumer's
 * `dynamodb:ListStreams`). `tests/preflight/iam.test.ts` checks each against that reference.
 */
export const ACTIONS_ONLY_ON_ANY_RESOURCE = ["dynamodb:ListStreams"];

interface PolicyStatement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
}

/** Problems of one identity policy document (a JSON string or an object). */
export function policyDocumentViolations(where: string, document: unknown): string[] {
  let doc: { Statement?: PolicyStatement | PolicyStatement[] };
  try {
    doc = parseJson(document) ?? {};
  } catch {
    return [`${where}: the policy is not valid JSON.`];
  }
  const out: string[] = [];
  for (const s of list(doc.Statement)) {
    if (s.Effect !== "Allow") continue;
    if (s.NotAction !== undefined) out.push(`${where}: Allow with NotAction grants everything else; name the actions.`);
    if (s.NotResource !== undefined) out.push(`${where}: Allow with NotResource grants every other resource; name the resources.`);
    const actions = list(s.Action);
    const resources = list(s.Resource);
    const wild = actions.filter((a) => a.includes("*"));
    if (wild.length) out.push(`${where}: wildcard action(s) ${wild.join(", ")}; name each action.`);
    const scoped = actions.filter((a) => !ACTIONS_ONLY_ON_ANY_RESOURCE.some((x) => x.toLowerCase() === a.toLowerCase()));
    const services = [...new Set(scoped.map((a) => (a === "*" ? "*" : a.split(":")[0]!.toLowerCase())))];
    const data = services.filter((svc) => svc === "*" || DATA_SERVICES.includes(svc));
    const wildResources = resources.filter((res) => isWildcardResource(res));
    if (data.length && wildResources.length) out.push(`${where}: ${data.join(", ")} actions on wildcard resource(s) ${wildResources.join(", ")}; name the tables, buckets, queues, … .`);
  }
  return out;
}

/** `*`, `arn:aws:s3:::*`, `arn:aws:dynamodb:us-east-1:123:table/*`: resources that match everything of a kind. */
function isWildcardResource(resource: string): boolean {
  if (resource === "*") return true;
  const parts = resource.split(":");
  const rest = parts.slice(5).join(":");
  return parts.length >= 6 && (rest === "*" || /^[^/*]*\/\*$/.test(rest) || (parts[2] === "s3" && rest.startsWith("*")));
}

export const iamNoWildcards: ResourceRule = {
  name: "iam-no-wildcards",
  description: "No IAM policy grants `*` actions, or actions of a data service on `*` resources.",
  kind: "resource",
  check(r) {
    if (r.type === T.rolePolicy || r.type === T.policy) return policyDocumentViolations(label(r), r.props.policy);
    if (r.type === T.role) return list<any>(r.props.inlinePolicies).flatMap((p) => policyDocumentViolations(`${label(r)} inline policy ${p?.name ?? ""}`.trim(), p?.policy));
    return [];
  },
};

// ---------------------------------------------------------------------------------------------
// Lambda

export const MIN_NODE_MAJOR = 22;

export const functionRuntime: ResourceRule = {
  name: "lambda-node22-runtime",
  description: `Every function runs Node.js ${MIN_NODE_MAJOR} or later and logs to a named log group.`,
  kind: "resource",
  check(r) {
    if (r.type !== T.function) return [];
    const out: string[] = [];
    const major = /^nodejs(\d+)\.x$/.exec(String(r.props.runtime ?? ""))?.[1];
    if (major === undefined || Number(major) < MIN_NODE_MAJOR) out.push(`${label(r)} runs ${r.props.runtime ?? "no runtime (container image?)"}: use nodejs${MIN_NODE_MAJOR}.x or later.`);
    if (!r.props.loggingConfig?.logGroup) out.push(`${label(r)} must name its own log group in loggingConfig.logGroup.`);
    return out;
  },
};

export const logGroupRetention: ResourceRule = {
  name: "log-group-retention",
  description: "Every log group sets retentionInDays (never keep logs forever).",
  kind: "resource",
  check(r) {
    if (r.type !== T.logGroup) return [];
    const days = r.props.retentionInDays;
    return typeof days === "number" && days > 0 ? [] : [`${label(r)} must set retentionInDays (it keeps logs forever otherwise).`];
  },
};

export const functionsOwnRoleAndLogGroup: StackRule = {
  name: "lambda-own-role-and-log-group",
  description: "No two functions share a role, and each logs to a log group of the stack that has a retention.",
  kind: "stack",
  check(resources) {
    const functions = ofType(resources, T.function);
    const groups = ofType(resources, T.logGroup);
    const out: string[] = [];
    const byRole = new Map<string, string[]>();
    for (const fn of functions) {
      const role = String(fn.props.role ?? "");
      byRole.set(role, [...(byRole.get(role) ?? []), fn.name]);
      const groupName = fn.props.loggingConfig?.logGroup;
      const group = groups.find((g) => g.props.name === groupName);
      if (!group) out.push(`${label(fn)} logs to ${groupName ? `"${groupName}", which is no log group of this stack` : "the default /aws/lambda group"}: give it its own log group.`);
      else if (!(typeof group.props.retentionInDays === "number" && group.props.retentionInDays > 0)) out.push(`${label(fn)} logs to ${label(group)}, which has no retentionInDays.`);
    }
    for (const [role, names] of byRole) {
      if (names.length > 1) out.push(`Functions ${names.map((n) => `"${n}"`).join(", ")} share the role ${role}: each function needs its own role.`);
    }
    return out;
  },
};

// ---------------------------------------------------------------------------------------------
// API Gateway

export const apiStagesThrottledAndLogged: StackRule = {
  name: "http-api-stages-throttled-and-logged",
  description: "Every API Gateway v2 stage sets default throttling; every HTTP API stage also writes access logs.",
  kind: "stack",
  check(resources) {
    const apis = ofType(resources, T.api);
    return ofType(resources, T.stage).flatMap((stage) => {
      const out: string[] = [];
      const route = stage.props.defaultRouteSettings ?? {};
      if (!(route.throttlingRateLimit > 0) || !(route.throttlingBurstLimit > 0)) out.push(`${label(stage)} must be throttled: set defaultRouteSettings.throttlingRateLimit and throttlingBurstLimit.`);
      const api = apis.find((a) => refersTo(stage.props.apiId, a));
      // A stage whose API is not in the stack is held to the HTTP API's standard.
      const http = api === undefined || api.props.protocolType === "HTTP";
      if (http && !stage.props.accessLogSettings?.destinationArn) out.push(`${label(stage)} of an HTTP API must be access-logged: set accessLogSettings.destinationArn and format.`);
      return out;
    });
  },
};

// ---------------------------------------------------------------------------------------------
// CloudFront

export const cloudFrontHttpsAndOac: ResourceRule = {
  name: "cloudfront-https-and-oac",
  description: "Every CloudFront cache behavior redirects to or requires HTTPS; S3 origins read through an origin access control.",
  kind: "resource",
  check(r) {
    if (r.type !== T.distribution) return [];
    const out: string[] = [];
    const behaviors = [{ where: "defaultCacheBehavior", b: r.props.defaultCacheBehavior }, ...list<any>(r.props.orderedCacheBehaviors).map((b) => ({ where: `cache behavior ${b?.pathPattern}`, b }))];
    for (const { where, b } of behaviors) {
      if (b && !["redirect-to-https", "https-only"].includes(b.viewerProtocolPolicy)) out.push(`${label(r)} ${where} allows HTTP (viewerProtocolPolicy ${b.viewerProtocolPolicy}): use redirect-to-https or https-only.`);
    }
    for (const origin of list<any>(r.props.origins)) {
      if (origin?.customOriginConfig) {
        if (origin.customOriginConfig.originProtocolPolicy !== "https-only") out.push(`${label(r)} origin "${origin.originId}" must be reached over HTTPS (originProtocolPolicy https-only).`);
      } else if (!origin?.originAccessControlId) {
        out.push(`${label(r)} origin "${origin?.originId}" must read the bucket through an origin access control (originAccessControlId), not a public bucket or a legacy OAI.`);
      }
    }
    return out;
  },
};

// ---------------------------------------------------------------------------------------------
// Network

export const noNatOutsideProd: ResourceRule = {
  name: "no-nat-gateway-outside-prod",
  description: "Stacks other than prod create no NAT gateway (about 32 USD a month each, idle).",
  kind: "resource",
  check(r, ctx) {
    if (isProd(ctx)) return [];
    if (r.type === T.natGateway) return [`${label(r)}: no NAT gateway in stack "${ctx.stack}"; use public subnets or VPC endpoints.`];
    if (r.type === T.awsxVpc && r.props.natGateways?.strategy !== "None") {
      return [`${label(r)} creates NAT gateways in stack "${ctx.stack}" (natGateways.strategy ${r.props.natGateways?.strategy ?? "unset, OneAz by default"}): set natGateways.strategy "None".`];
    }
    return [];
  },
};

// ---------------------------------------------------------------------------------------------
// Tags

/** The provider's default tags (`defaultTags` may arrive as JSON text). */
export function defaultTagsOf(provider: Record<string, any> | undefined): Record<string, string> {
  try {
    return parseJson(provider?.defaultTags)?.tags ?? {};
  } catch {
    return {};
  }
}

export const taggedWithStackAndComponent: ResourceRule = {
  name: "tagged-with-stack-and-component",
  description: "Every taggable AWS resource has a component tag and comes from a provider whose default tags name the stack.",
  kind: "resource",
  check(r, ctx) {
    if (!TAGGABLE_TYPES.has(r.type)) return [];
    const out: string[] = [];
    if (!r.props.tags?.component) out.push(`${label(r)} has no "component" tag (index.ts tags every resource below a component; create it inside one).`);
    const stack = defaultTagsOf(ctx.provider).stack;
    if (stack !== ctx.stack) out.push(`${label(r)} comes from a provider whose default tags ${stack ? `name stack "${stack}"` : "have no stack tag"}: use the explicit provider of index.ts (default tags project and stack "${ctx.stack}").`);
    return out;
  },
};

export const providersTagStack: StackRule = {
  name: "providers-tag-stack",
  description: "Every AWS provider sets default tags project and stack (the stack's own name).",
  kind: "stack",
  check(resources, ctx) {
    return ofType(resources, T.provider).flatMap((p) => {
      const tags = defaultTagsOf(p.props);
      return tags.stack === ctx.stack && tags.project ? [] : [`${label(p)} must set defaultTags.tags project and stack "${ctx.stack}" (has ${JSON.stringify(tags)}).`];
    });
  },
};

/** Every rule, in the order the pack registers them. */
export const rules: readonly Rule[] = [
  s3PublicAccessBlocked,
  s3EncryptionOn,
  s3BucketsProtected,
  tablesProtected,
  iamNoWildcards,
  functionRuntime,
  logGroupRetention,
  functionsOwnRoleAndLogGroup,
  apiStagesThrottledAndLogged,
  cloudFrontHttpsAndOac,
  noNatOutsideProd,
  taggedWithStackAndComponent,
  providersTagStack,
];
