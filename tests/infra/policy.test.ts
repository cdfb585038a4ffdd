// The policy pack (policy/) without the Pulumi CLI: every rule against the resources recorded from
// index.ts under mocks (dev, prod, prod with both syncs on Lambda and on Fargate, prod with the
// site's access logs) must pass, and
// against a deliberately bad copy of a recorded resource each rule must fire.
import test from "ava";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TAGGABLE_TYPES } from "../../components/component-tags";
import { policies } from "../../policy/policies";
import * as R from "../../policy/rules";
import type { RecordedResource, StackRecord } from "../harness/record";
import { GISTS_SYNC, ROOT, SKILLS_SYNC, SYNCS_CONFIG, SYNC_SECRET_KEYS, TEST_SECRETS, byName, evaluateStack, ofType, syncsConfig } from "../harness/stacks";

const SECRET_KEYS = [...Object.keys(TEST_SECRETS), ...SYNC_SECRET_KEYS];
const SYNCS = SYNCS_CONFIG;

const stacks: Record<"dev" | "prod" | "prodSyncs" | "prodFargate" | "prodAccessLogs", StackRecord> = {} as never;
test.before(async () => {
  [stacks.dev, stacks.prod, stacks.prodSyncs, stacks.prodFargate, stacks.prodAccessLogs] = await Promise.all([
    evaluateStack("dev"),
    evaluateStack("prod"),
    evaluateStack("prod", SYNCS, "tsx", SECRET_KEYS),
    evaluateStack("prod", syncsConfig({ gists: { ...GISTS_SYNC, runner: "fargate" }, skills: { ...SKILLS_SYNC, runner: "fargate" } }), "tsx", SECRET_KEYS),
    evaluateStack("prod", { "switchyard:siteAccessLogs": "true" }),
  ]);
});

/** What the pack's validateResource sees: inputs, and the explicit provider's inputs. */
const asInputs = (r: RecordedResource): R.Resource => ({ type: r.type, name: r.name, props: r.inputs });
/** What validateStack sees: outputs, which hold the id. */
const asOutputs = (r: RecordedResource): R.Resource => ({ type: r.type, name: r.name, props: { ...r.state, id: r.id } });

function violations(rule: R.Rule, record: StackRecord, options: { stack?: string; prodStacks?: string[] } = {}): string[] {
  const ctx = { stack: options.stack ?? record.stack, prodStacks: options.prodStacks ?? R.DEFAULT_PROD_STACKS };
  if (rule.kind === "stack") return rule.check(record.resources.map(asOutputs), ctx);
  const providers = ofType(record, "pulumi:providers:aws");
  return record.resources.flatMap((r) => rule.check(asInputs(r), { ...ctx, provider: providers.find((p) => r.provider?.endsWith(`::${p.id}`))?.inputs }));
}

/** A copy of `record` where the resource `type`/`name` has `edit` applied to its inputs and its state. */
function edited(record: StackRecord, type: string, name: string, edit: (props: Record<string, any>) => void): StackRecord {
  const copy = structuredClone(record);
  const target = byName(copy, type, name);
  edit(target.inputs);
  edit(target.state);
  return copy;
}

const without = (record: StackRecord, type: string, name: string): StackRecord => ({ ...record, resources: record.resources.filter((r) => !(r.type === type && r.name === name)) });
const withResource = (record: StackRecord, resource: RecordedResource): StackRecord => ({ ...record, resources: [...record.resources, resource] });

for (const key of ["dev", "prod", "prodSyncs", "prodFargate", "prodAccessLogs"] as const) {
  for (const rule of R.rules) {
    test(`${key}: ${rule.name} passes`, (t) => {
      t.deepEqual(violations(rule, stacks[key]), []);
    });
  }
}

test("the stacks cover what the rules look at", (t) => {
  t.true(ofType(stacks.prodFargate, "awsx:ec2:Vpc").length > 0);
  t.true(ofType(stacks.prodSyncs, R.T.bucket).length >= 2, "the site and the release bucket");
  t.true(ofType(stacks.prodAccessLogs, R.T.bucket).some((b) => b.name === "site-access-logs"), "the access-log bucket");
  t.true(ofType(stacks.prod, R.T.stage).length === 2, "the HTTP API and the WebSocket API");
});

// ---------------------------------------------------------------------------------------------
// Each rule fires on a bad resource.

test("s3-public-access-blocked fires when a public access block is off", (t) => {
  const bad = edited(stacks.dev, R.T.publicAccessBlock, "site", (p) => {
    p.blockPublicPolicy = false;
    delete p.restrictPublicBuckets;
  });
  t.deepEqual(violations(R.s3PublicAccessBlocked, bad), ['BucketPublicAccessBlock "site" must block all public access: blockPublicPolicy, restrictPublicBuckets not true.']);
});

test("s3-encryption-on fires on an encryption configuration without an algorithm", (t) => {
  const bad = edited(stacks.dev, R.T.encryption, "site", (p) => {
    p.rules = [{ bucketKeyEnabled: true }];
  });
  t.deepEqual(violations(R.s3EncryptionOn, bad), ['BucketServerSideEncryptionConfiguration "site" must set a default encryption algorithm (AES256 or aws:kms).']);
});

test("s3-buckets-protected fires for a bucket without a public access block or encryption", (t) => {
  const bad = without(without(stacks.prodSyncs, R.T.publicAccessBlock, "skills-releases"), R.T.encryption, "skills-releases");
  t.deepEqual(violations(R.s3BucketsProtected, bad), [
    'Bucket "skills-releases" has no BucketPublicAccessBlock: public access must be blocked.',
    'Bucket "skills-releases" has no BucketServerSideEncryptionConfiguration: encryption must be on.',
  ]);
  // A block of another bucket does not count.
  const other = edited(stacks.dev, R.T.publicAccessBlock, "site", (p) => (p.bucket = "some-other-bucket"));
  t.deepEqual(violations(R.s3BucketsProtected, other), ['Bucket "site" has no BucketPublicAccessBlock: public access must be blocked.']);
});

test("dynamodb-tables-protected: encryption everywhere; PITR and deletion protection in prod stacks only", (t) => {
  const unencrypted = edited(stacks.dev, R.T.table, "api-messages", (p) => (p.serverSideEncryption = { enabled: false }));
  t.deepEqual(violations(R.tablesProtected, unencrypted), ['Table "api-messages" must be encrypted: serverSideEncryption.enabled must be true.']);
  const unprotected = edited(stacks.prod, R.T.table, "api-messages", (p) => {
    p.pointInTimeRecovery = { enabled: false };
    delete p.deletionProtectionEnabled;
  });
  t.deepEqual(violations(R.tablesProtected, unprotected), [
    'Table "api-messages" must have point-in-time recovery in stack "prod": pointInTimeRecovery.enabled must be true.',
    'Table "api-messages" must have deletion protection in stack "prod": deletionProtectionEnabled must be true.',
  ]);
  // dev's tables are unprotected on purpose, until config calls dev a prod stack.
  t.deepEqual(violations(R.tablesProtected, stacks.dev), []);
  t.true(violations(R.tablesProtected, stacks.dev, { prodStacks: ["prod", "dev"] }).length > 0);
  // Only the live WebSocket connections and the public list's popularity rankings (15 minutes of
  // life; a lost one asks the reader to start again) are exempt: the sent-mail records and the read
  // API's sessions change behaviour when lost, so they carry no ephemeral tag and are protected.
  t.deepEqual(ofType(stacks.prodSyncs, R.T.table).filter((r) => r.inputs.tags?.ephemeral === "true").map((r) => r.name).sort(), ["calendly-connections", "events-list-snapshots"]);
  const exempt = edited(stacks.prodSyncs, R.T.table, "gists-sessions", (p) => {
    p.pointInTimeRecovery = { enabled: false };
    p.deletionProtectionEnabled = false;
  });
  t.is(violations(R.tablesProtected, exempt).length, 2, "an unprotected sessions table fails the rule");
  const tagged = edited(exempt, R.T.table, "gists-sessions", (p) => (p.tags = { ...p.tags, ephemeral: "true" }));
  t.deepEqual(violations(R.tablesProtected, tagged), [], "only the tag exempts a table");
});

test("iam-no-wildcards fires on wildcard actions and on data-service actions on * resources", (t) => {
  const withStatement = (statement: object) =>
    edited(stacks.prod, R.T.rolePolicy, "api-get", (p) => {
      const doc = JSON.parse(p.policy);
      doc.Statement.push(statement);
      p.policy = JSON.stringify(doc);
    });
  const table = byName(stacks.prod, R.T.table, "api-messages").state.arn;
  t.deepEqual(violations(R.iamNoWildcards, withStatement({ Effect: "Allow", Action: "dynamodb:*", Resource: table })), ['RolePolicy "api-get": wildcard action(s) dynamodb:*; name each action.']);
  t.deepEqual(violations(R.iamNoWildcards, withStatement({ Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: "*" })), [
    'RolePolicy "api-get": dynamodb actions on wildcard resource(s) *; name the tables, buckets, queues, … .',
  ]);
  t.deepEqual(violations(R.iamNoWildcards, withStatement({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::*" })), [
    'RolePolicy "api-get": s3 actions on wildcard resource(s) arn:aws:s3:::*; name the tables, buckets, queues, … .',
  ]);
  t.is(violations(R.iamNoWildcards, withStatement({ Effect: "Allow", Action: "dynamodb:Query", Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/*" })).length, 1);
  t.is(violations(R.iamNoWildcards, withStatement({ Effect: "Allow", Action: "*", Resource: "*" })).length, 2);
  // Objects under one bucket, or non-data services on `*` (ECR's auth token has no resource), are fine.
  t.deepEqual(violations(R.iamNoWildcards, withStatement({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::my-bucket/releases/*" })), []);
  t.deepEqual(violations(R.iamNoWildcards, withStatement({ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" })), []);
  t.deepEqual(violations(R.iamNoWildcards, withStatement({ Effect: "Deny", Action: "s3:*", Resource: "*" })), []);
});

test("lambda-node22-runtime fires on nodejs18.x and on a function without its log group", (t) => {
  const old = edited(stacks.dev, R.T.function, "api-get", (p) => (p.runtime = "nodejs18.x"));
  t.deepEqual(violations(R.functionRuntime, old), ['Function "api-get" runs nodejs18.x: use nodejs22.x or later.']);
  t.deepEqual(violations(R.functionRuntime, edited(stacks.dev, R.T.function, "api-get", (p) => (p.runtime = "nodejs24.x"))), []);
  const noGroup = edited(stacks.dev, R.T.function, "api-get", (p) => delete p.loggingConfig);
  t.deepEqual(violations(R.functionRuntime, noGroup), ['Function "api-get" must name its own log group in loggingConfig.logGroup.']);
});

test("log-group-retention fires on a log group without retentionInDays", (t) => {
  const bad = edited(stacks.prod, R.T.logGroup, "api-access", (p) => delete p.retentionInDays);
  t.deepEqual(violations(R.logGroupRetention, bad), ['LogGroup "api-access" must set retentionInDays (it keeps logs forever otherwise).']);
});

test("lambda-own-role-and-log-group fires on a shared role, a foreign log group and a group without retention", (t) => {
  const role = byName(stacks.prod, R.T.function, "api-get").state.role;
  const shared = edited(stacks.prod, R.T.function, "api-list", (p) => (p.role = role));
  // The two are named in the order the engine registered them, which closure serialization makes vary.
  t.deepEqual(violations(R.functionsOwnRoleAndLogGroup, shared).map((m) => m.replace('"api-get", "api-list"', '"api-list", "api-get"')), [`Functions "api-list", "api-get" share the role ${role}: each function needs its own role.`]);
  const foreign = edited(stacks.prod, R.T.function, "api-list", (p) => (p.loggingConfig = { logFormat: "JSON", logGroup: "/aws/lambda/api-list" }));
  t.deepEqual(violations(R.functionsOwnRoleAndLogGroup, foreign), ['Function "api-list" logs to "/aws/lambda/api-list", which is no log group of this stack: give it its own log group.']);
  const forever = edited(stacks.prod, R.T.logGroup, "api-list", (p) => delete p.retentionInDays);
  t.deepEqual(violations(R.functionsOwnRoleAndLogGroup, forever), ['Function "api-list" logs to LogGroup "api-list", which has no retentionInDays.']);
});

test("http-api-stages-throttled-and-logged fires on a stage without throttling or access logs", (t) => {
  const bad = edited(stacks.dev, R.T.stage, "api", (p) => {
    delete p.defaultRouteSettings;
    delete p.accessLogSettings;
  });
  t.deepEqual(violations(R.apiStagesThrottledAndLogged, bad), [
    'Stage "api" must be throttled: set defaultRouteSettings.throttlingRateLimit and throttlingBurstLimit.',
    'Stage "api" of an HTTP API must be access-logged: set accessLogSettings.destinationArn and format.',
  ]);
  // The WebSocket stage must be throttled too (access logs are asked of HTTP APIs only).
  const ws = edited(stacks.dev, R.T.stage, "calendly-live", (p) => (p.defaultRouteSettings = { throttlingBurstLimit: 10 }));
  t.deepEqual(violations(R.apiStagesThrottledAndLogged, ws), ['Stage "calendly-live" must be throttled: set defaultRouteSettings.throttlingRateLimit and throttlingBurstLimit.']);
});

test("cloudfront-https-and-oac fires when a behavior allows HTTP or an S3 origin has no OAC", (t) => {
  const http = edited(stacks.prod, R.T.distribution, "site", (p) => {
    p.defaultCacheBehavior.viewerProtocolPolicy = "allow-all";
    p.orderedCacheBehaviors[0].viewerProtocolPolicy = "allow-all";
  });
  t.deepEqual(violations(R.cloudFrontHttpsAndOac, http), [
    'Distribution "site" defaultCacheBehavior allows HTTP (viewerProtocolPolicy allow-all): use redirect-to-https or https-only.',
    'Distribution "site" cache behavior /assets/* allows HTTP (viewerProtocolPolicy allow-all): use redirect-to-https or https-only.',
  ]);
  const noOac = edited(stacks.prod, R.T.distribution, "site", (p) => delete p.origins[0].originAccessControlId);
  t.deepEqual(violations(R.cloudFrontHttpsAndOac, noOac), [
    'Distribution "site" origin "site-bucket" must read the bucket through an origin access control (originAccessControlId), not a public bucket or a legacy OAI.',
  ]);
  const plainOrigin = edited(stacks.prod, R.T.distribution, "site", (p) => p.origins.push({ originId: "api", domainName: "example.com", customOriginConfig: { originProtocolPolicy: "http-only" } }));
  t.is(violations(R.cloudFrontHttpsAndOac, plainOrigin).length, 1);
});

test("no-nat-gateway-outside-prod fires on a NAT gateway or a NAT-making VPC in dev, not in prod", (t) => {
  const fn = byName(stacks.dev, R.T.function, "api-get");
  const nat: RecordedResource = { type: R.T.natGateway, name: "nat", id: "nat-id", provider: fn.provider, inputs: { subnetId: "subnet-1", tags: { component: "api" } }, state: {} };
  t.deepEqual(violations(R.noNatOutsideProd, withResource(stacks.dev, nat)), ['NatGateway "nat": no NAT gateway in stack "dev"; use public subnets or VPC endpoints.']);
  t.deepEqual(violations(R.noNatOutsideProd, withResource(stacks.prod, nat)), []);
  // The Fargate runner's VPC has no NAT gateways; one that makes them (awsx's default) fires outside prod.
  t.deepEqual(violations(R.noNatOutsideProd, stacks.prodFargate, { stack: "dev" }), []);
  const natVpc = edited(stacks.prodFargate, "awsx:ec2:Vpc", "gists-task-vpc", (p) => delete p.natGateways);
  t.deepEqual(violations(R.noNatOutsideProd, natVpc, { stack: "dev" }), ['Vpc "gists-task-vpc" creates NAT gateways in stack "dev" (natGateways.strategy unset, OneAz by default): set natGateways.strategy "None".']);
});

test("tagged-with-stack-and-component fires on a missing component tag or a provider without the stack tag", (t) => {
  const untagged = edited(stacks.dev, R.T.function, "api-get", (p) => delete p.tags);
  t.deepEqual(violations(R.taggedWithStackAndComponent, untagged), ['Function "api-get" has no "component" tag (index.ts tags every resource below a component; create it inside one).']);
  const defaultProvider = edited(stacks.dev, R.T.table, "api-messages", () => {});
  delete byName(defaultProvider, R.T.table, "api-messages").provider;
  t.deepEqual(violations(R.taggedWithStackAndComponent, defaultProvider), [
    'Table "api-messages" comes from a provider whose default tags have no stack tag: use the explicit provider of index.ts (default tags project and stack "dev").',
  ]);
});

test("providers-tag-stack fires on a provider whose default tags miss or misname the stack", (t) => {
  const wrong = edited(stacks.dev, R.T.provider, "us-east-1", (p) => (p.defaultTags = JSON.stringify({ tags: { project: "switchyard", stack: "prod" } })));
  t.deepEqual(violations(R.providersTagStack, wrong), ['provider "us-east-1" must set defaultTags.tags project and stack "dev" (has {"project":"switchyard","stack":"prod"}).']);
  const none = edited(stacks.dev, R.T.provider, "aws", (p) => delete p.defaultTags);
  t.is(violations(R.providersTagStack, none).length, 1);
  // Resources of the misnamed provider fail the resource rule too (dev's lean observability puts
  // nothing in us-east-1 without a site domain, so misname the main provider for this).
  const wrongMain = edited(stacks.dev, R.T.provider, "aws", (p) => (p.defaultTags = JSON.stringify({ tags: { project: "switchyard", stack: "prod" } })));
  t.true(violations(R.taggedWithStackAndComponent, wrongMain).some((m) => m.includes('name stack "prod"')));
});

test("every rule has a bad-resource test above", (t) => {
  const source = readFileSync(__filename.replace(/\.js$/, ".ts"), "utf8");
  for (const rule of R.rules) t.true(source.includes(`test("${rule.name} fires`) || source.includes(`test("${rule.name}:`), rule.name);
});

// ---------------------------------------------------------------------------------------------
// The component tag and the types that take it

/** Whether @pulumi/aws v7 declares `tags` in the resource's args, read from its type definitions. */
function acceptsTags(type: string): boolean | undefined {
  const match = /^aws:([^/]+)\/([^:]+):(.+)$/.exec(type);
  if (!match) return undefined;
  const file = join(ROOT, "node_modules", "@pulumi", "aws", match[1]!, `${match[2]}.d.ts`);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, "utf8");
  const start = text.indexOf(`export interface ${match[3]}Args {`);
  if (start < 0) return undefined;
  const body = text.slice(start, text.indexOf("\n}", start));
  return /\n {4}tags\?:/.test(body);
}

test("the taggable types are exactly those whose args accept tags", (t) => {
  for (const type of TAGGABLE_TYPES) t.is(acceptsTags(type), true, `${type} accepts tags`);
  const recorded = new Set(Object.values(stacks).flatMap((s) => s.resources.map((r) => r.type)).filter((type) => type.startsWith("aws:")));
  for (const type of recorded) t.is(acceptsTags(type), TAGGABLE_TYPES.has(type), type);
});

test("every taggable resource is tagged with its top-level component", (t) => {
  const components = new Set<string>();
  for (const record of Object.values(stacks)) {
    for (const r of record.resources.filter((r) => TAGGABLE_TYPES.has(r.type))) components.add(r.inputs.tags.component);
    for (const r of record.resources.filter((r) => r.type.startsWith("aws:") && !TAGGABLE_TYPES.has(r.type))) t.is(r.inputs.tags, undefined, `${r.type} ${r.name}`);
  }
  t.deepEqual([...components].sort(), ["api", "calendly", "events", "gists", "graphql", "observability", "site", "skills"]);
  t.is(byName(stacks.prodSyncs, R.T.table, "gists-sessions").inputs.tags.component, "gists");
  t.deepEqual(byName(stacks.prodSyncs, R.T.table, "calendly-connections").inputs.tags, { ephemeral: "true", component: "calendly" }, "existing tags are kept");
  t.is(byName(stacks.prod, "aws:cloudwatch/metricAlarm:MetricAlarm", ofType(stacks.prod, "aws:cloudwatch/metricAlarm:MetricAlarm")[0]!.name).inputs.tags.component, "observability");
});

// ---------------------------------------------------------------------------------------------
// The pack

test("the pack registers one mandatory policy per rule, wired to the rule", async (t) => {
  t.is(policies.length, R.rules.length);
  t.deepEqual(policies.map((p) => p.name), R.rules.map((r) => r.name));
  t.is(new Set(policies.map((p) => p.name)).size, policies.length);
  for (const [i, policy] of policies.entries()) {
    t.is(policy.enforcementLevel, "mandatory");
    t.is(typeof (R.rules[i]!.kind === "resource" ? (policy as any).validateResource : (policy as any).validateStack), "function", policy.name);
  }
  // validateResource: the stack comes from the URN, prod stacks from the policy config.
  const nat = policies.find((p) => p.name === "no-nat-gateway-outside-prod") as any;
  const check = async (urn: string, config: object) => {
    const reported: string[] = [];
    await nat.validateResource({ type: R.T.natGateway, name: "nat", urn, props: { subnetId: "s" }, getConfig: () => config }, (message: string) => reported.push(message));
    return reported;
  };
  t.is((await check("urn:pulumi:dev::switchyard::aws:ec2/natGateway:NatGateway::nat", {})).length, 1);
  t.is((await check("urn:pulumi:prod::switchyard::aws:ec2/natGateway:NatGateway::nat", {})).length, 0);
  t.is((await check("urn:pulumi:staging::switchyard::aws:ec2/natGateway:NatGateway::nat", { prodStacks: ["staging"] })).length, 0);
  // validateStack gets outputs; the recorded stack passes, a shared role does not.
  const own = policies.find((p) => p.name === "lambda-own-role-and-log-group") as any;
  const run = async (record: StackRecord) => {
    const reported: string[] = [];
    const resources = record.resources.map((r) => ({ ...asOutputs(r), urn: `urn:pulumi:${record.stack}::switchyard::${r.type}::${r.name}` }));
    await own.validateStack({ resources, getConfig: () => ({}) }, (message: string) => reported.push(message));
    return reported;
  };
  t.deepEqual(await run(stacks.prod), []);
  t.is((await run(edited(stacks.prod, R.T.function, "api-list", (p) => (p.role = byName(stacks.prod, R.T.function, "api-get").state.role)))).length, 1);
});

test("policy/index.ts serves the pack (the analyzer prints its port) and PulumiPolicy.yaml is nodejs", async (t) => {
  t.regex(readFileSync(join(ROOT, "policy", "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
  const child = spawn(process.execPath, ["--import", "tsx", "index.ts"], { cwd: join(ROOT, "policy"), stdio: ["ignore", "pipe", "pipe"] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes("\n")) resolve(out.trim());
      });
      child.stderr.on("data", (d) => (err += d));
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
      setTimeout(() => reject(new Error(`no port after 30 s: ${out} ${err}`)), 30_000);
    });
    t.regex(port, /^\d+$/);
  } finally {
    child.kill();
  }
});
