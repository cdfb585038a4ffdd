// Child process: evaluates index.ts (or PULUMI_PROGRAM, an absolute path) for one stack under Pulumi's mock runtime and writes every
// resource (type, name, resolved inputs, mock outputs) plus the stack outputs to a JSON file.
// Usage: node --import tsx tests/harness/evaluate-stack.ts <stack> <out.json>
// Config arrives in PULUMI_CONFIG (set by stacks.ts from Pulumi.<stack>.yaml).
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import type { RecordedArchive, RecordedResource, StackRecord } from "./record";

const [stack, outFile] = process.argv.slice(2) as [string, string];
const config = JSON.parse(process.env.PULUMI_CONFIG ?? "{}") as Record<string, string>;
const region = config["aws:region"] ?? "us-east-1";
const ACCOUNT = "123456789012";
const resources: { type: string; name: string; id: string; inputs: Record<string, any>; state: Record<string, any>; provider?: string; urn: string; aliases?: string[] }[] = [];

const shortHash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 7);

/** Plausible computed outputs, so ARNs and URLs flow through the program like in a real deploy. */
function mockState(type: string, name: string, inputs: Record<string, any>, id: string): Record<string, any> {
  const physical = inputs.name ?? `${name}-${shortHash(name)}`;
  const state: Record<string, any> = { ...inputs, name: physical };
  switch (type) {
    case "aws:dynamodb/table:Table":
      state.arn = `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${physical}`;
      if (inputs.streamEnabled) state.streamArn = `${state.arn}/stream/2026-11-25T00:00:00.000`;
      break;
    case "aws:cloudwatch/logGroup:LogGroup":
      state.arn = `arn:aws:logs:${region}:${ACCOUNT}:log-group:${physical}`;
      break;
    case "aws:iam/role:Role":
      state.arn = `arn:aws:iam::${ACCOUNT}:role/${physical}`;
      break;
    case "aws:lambda/function:Function":
      state.arn = `arn:aws:lambda:${region}:${ACCOUNT}:function:${physical}`;
      state.invokeArn = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${state.arn}/invocations`;
      break;
    case "aws:apigatewayv2/api:Api":
      state.apiEndpoint = `${inputs.protocolType === "WEBSOCKET" ? "wss" : "https"}://${id}.execute-api.${region}.amazonaws.com`;
      state.executionArn = `arn:aws:execute-api:${region}:${ACCOUNT}:${id}`;
      break;
    case "aws:cognito/userPool:UserPool":
      state.arn = `arn:aws:cognito-idp:${region}:${ACCOUNT}:userpool/${id}`;
      break;
    case "aws:ssm/parameter:Parameter":
      state.arn = `arn:aws:ssm:${region}:${ACCOUNT}:parameter${physical}`;
      break;
    case "aws:sqs/queue:Queue":
      state.arn = `arn:aws:sqs:${region}:${ACCOUNT}:${physical}`;
      state.url = `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${physical}`;
      break;
    case "aws:s3/bucket:Bucket":
      state.bucket = physical;
      state.arn = `arn:aws:s3:::${physical}`;
      state.bucketRegionalDomainName = `${physical}.s3.${region}.amazonaws.com`;
      break;
    case "aws:cloudfront/distribution:Distribution":
      state.domainName = `d${shortHash(name)}abcdef.cloudfront.net`;
      state.hostedZoneId = "Z2FDTNDATAQYW2";
      state.arn = `arn:aws:cloudfront::${ACCOUNT}:distribution/E${shortHash(name).toUpperCase()}`;
      break;
    case "aws:cloudwatch/eventRule:EventRule":
      state.arn = `arn:aws:events:${region}:${ACCOUNT}:rule/${physical}`;
      break;
    case "aws:ecs/cluster:Cluster":
      state.arn = `arn:aws:ecs:${region}:${ACCOUNT}:cluster/${physical}`;
      break;
    case "aws:sesv2/emailIdentity:EmailIdentity":
      state.arn = `arn:aws:ses:${region}:${ACCOUNT}:identity/${inputs.emailIdentity}`;
      break;
    case "aws:sesv2/configurationSet:ConfigurationSet":
      state.arn = `arn:aws:ses:${region}:${ACCOUNT}:configuration-set/${inputs.configurationSetName}`;
      break;
    case "aws:sns/topic:Topic":
      state.arn = `arn:aws:sns:${region}:${ACCOUNT}:${physical}`;
      break;
    case "aws:ecs/taskDefinition:TaskDefinition":
      state.revision = 1;
      state.arnWithoutRevision = `arn:aws:ecs:${region}:${ACCOUNT}:task-definition/${inputs.family}`;
      state.arn = `${state.arnWithoutRevision}:1`;
      break;
    // awsx components are remote: the mock gets the component itself, never its children, so it
    // answers with the outputs awsx would register.
    case "awsx:ec2:Vpc": {
      const zones = inputs.numberOfAvailabilityZones ?? inputs.availabilityZoneNames?.length ?? 3;
      const specs: { type: string }[] = inputs.subnetSpecs ?? [{ type: "Public" }, { type: "Private" }];
      const subnetIds = (type: string) =>
        specs.filter((s) => s.type === type).flatMap((_, i) => Array.from({ length: zones }, (_, az) => `subnet-${shortHash(`${name}-${type}-${i}-${az}`)}`));
      state.vpcId = `vpc-${shortHash(name)}`;
      state.publicSubnetIds = subnetIds("Public");
      state.privateSubnetIds = subnetIds("Private");
      state.isolatedSubnetIds = subnetIds("Isolated");
      break;
    }
    case "awsx:ecr:Repository":
      state.url = `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${physical}`;
      break;
    case "awsx:ecr:Image":
      state.imageUri = `${inputs.repositoryUrl}@sha256:${createHash("sha256").update(name).digest("hex")}`;
      break;
    default:
      state.arn ??= `arn:aws:mock:${region}:${ACCOUNT}:${type}/${physical}`;
  }
  return state;
}

// The mock monitor does not run stack transforms (registerResourceTransform); the engine would,
// before registering each resource, with its parent's URN. This runs them the same way on what
// the mock records (the program itself sees the untransformed registration: only recorded inputs
// and state change, which is all a transform that edits tags affects).
const stackTransforms: pulumi.ResourceTransform[] = [];
let registeringParent = "";
let registeringAliases: string[] = [];
/** Each resource's aliases as URNs (its own, and those its parent's aliases give it, as the engine derives them). */
const aliasesByUrn = new Map<string, string[]>();
interface AliasProto {
  hasUrn(): boolean;
  getUrn(): string;
  getSpec(): { getName(): string; getType(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
}
{
  type Request = { getParent(): string; getType(): string; getName(): string; getAliasesList?(): AliasProto[] };
  const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: { prototype: { registerResource(req: Request, callback: unknown): unknown } } };
  const registerResource = MockMonitor.prototype.registerResource;
  MockMonitor.prototype.registerResource = function (req, callback) {
    // newResource is called synchronously from here, before the monitor's first await.
    registeringParent = req.getParent();
    const type = req.getType();
    const name = req.getName();
    const own = (req.getAliasesList?.() ?? []).map((alias) => {
      if (alias.hasUrn()) return alias.getUrn();
      const spec = alias.getSpec()!;
      const parent = spec.getNoparent() ? "" : spec.getParenturn() || registeringParent;
      return mockUrn(parent, spec.getType() || type, spec.getName() || name);
    });
    const inherited = (aliasesByUrn.get(registeringParent) ?? []).map((parentAlias) => mockUrn(parentAlias, type, name));
    registeringAliases = [...own, ...inherited];
    aliasesByUrn.set(mockUrn(registeringParent, type, name), registeringAliases);
    return registerResource.call(this, req, callback);
  };
}

/** The URN the engine gives a resource (its parent's type chain, its type and name): what `pulumi up` matches state by. */
function mockUrn(parent: string, type: string, name: string): string {
  const parentType = parent ? parent.split("::")[2]! : "";
  return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${parentType ? `${parentType}$` : ""}${type}::${name}`;
}

async function transformed(args: { type: string; name: string; inputs: Record<string, any>; custom?: boolean }, parent: string): Promise<Record<string, any>> {
  let props: pulumi.Inputs = args.inputs;
  let opts: pulumi.ResourceOptions = parent ? { parent: new pulumi.DependencyResource(parent) } : {};
  for (const transform of stackTransforms) {
    const result = await transform({ custom: args.custom ?? true, type: args.type, name: args.name, props, opts });
    if (result) ({ props, opts } = result);
  }
  return props === args.inputs ? props : new Promise((resolve) => pulumi.output(props).apply((p) => resolve(p as Record<string, any>)));
}

pulumi.runtime.setMocks(
  {
    async newResource(args) {
      const parent = registeringParent;
      const aliases = registeringAliases;
      const urn = mockUrn(parent, args.type, args.name);
      const inputs = await transformed(args, parent);
      const id = args.type === "aws:apigatewayv2/api:Api" ? shortHash(args.name).slice(0, 10) : `${args.name}-id`;
      const state = mockState(args.type, args.name, inputs, id);
      resources.push({ type: args.type, name: args.name, urn, ...(aliases.length ? { aliases } : {}), id, inputs, state, provider: args.provider });
      return { id, state };
    },
    registerTransform(transform) {
      stackTransforms.push(transform);
    },
    call(args) {
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { id: ACCOUNT, accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/deployer`, userId: "AIDAEXAMPLE" };
        case "aws:index/getPartition:getPartition":
          return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
        case "aws:index/getRegion:getRegion":
          return { id: region, region, name: region, endpoint: `ec2.${region}.amazonaws.com`, description: "" };
        default:
          return args.inputs;
      }
    },
  },
  "switchyard",
  stack,
  false,
);

/** Resolves a CallbackFunction's code archive: the generated __index.js and the files it carries. */
async function recordArchive(code: any): Promise<RecordedArchive> {
  const assets = (await code.assets) as Record<string, any>;
  const files: Record<string, string> = {};
  let index = "";
  for (const [archivePath, asset] of Object.entries(assets)) {
    if (archivePath === "__index.js") index = await asset.text;
    else files[archivePath] = await asset.path;
  }
  return { index, files };
}

/** A FileAsset input (an S3 object's `source`) holds its path as a promise: record the path itself. */
async function resolveAssets(inputs: Record<string, any>): Promise<Record<string, any>> {
  const out: Record<string, any> = { ...inputs };
  for (const [key, value] of Object.entries(inputs)) {
    if (pulumi.asset.FileAsset.isInstance(value)) out[key] = { path: await (value as unknown as { path: Promise<string> }).path };
  }
  return out;
}

async function main() {
  let program: Record<string, unknown> = {};
  try {
    program = require(process.env.PULUMI_PROGRAM ?? "../../index");
  } catch (error) {
    // A program error (bad config, for one) exits 3 with just its message, like `pulumi up` shows it.
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(3);
  }
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(program)) {
    outputs[key] = await new Promise((resolve) => (pulumi.output(value) as unknown as pulumi.Output<unknown>).apply(resolve));
  }
  // Registrations finish asynchronously (closure serialization takes a while): wait until the
  // runtime has none pending and no new resource has shown up. (getPendingResourceRegistrations
  // is the SDK-internal map behind its "program exited before registrations completed" check.)
  const { getPendingResourceRegistrations } = require("@pulumi/pulumi/runtime/state") as { getPendingResourceRegistrations(): Map<unknown, unknown> };
  for (let seen = -1, quiet = 0; quiet < 3; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    quiet = getPendingResourceRegistrations().size === 0 && seen === resources.length ? quiet + 1 : 0;
    seen = resources.length;
  }
  const recorded: RecordedResource[] = [];
  for (const r of resources) {
    // A Lambda's `code` is an archive (recorded apart); a CloudFront Function's is plain text.
    const isArchive = r.inputs.code !== undefined && typeof r.inputs.code !== "string";
    const { code, ...rest } = r.inputs;
    const inputs = await resolveAssets(isArchive ? rest : r.inputs);
    recorded.push({ type: r.type, name: r.name, urn: r.urn, aliases: r.aliases, id: r.id, provider: r.provider, inputs, state: isArchive ? { ...r.state, code: undefined } : r.state, archive: isArchive ? await recordArchive(code) : undefined });
  }
  const record: StackRecord = { stack, region, outputs, resources: recorded };
  writeFileSync(outFile, JSON.stringify(record, null, 1));
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
