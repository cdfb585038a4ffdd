// The Pulumi policies built from rules.ts: resource rules become validateResource, stack rules
// validateStack. Kept apart from index.ts (which serves the pack, and must run under the engine)
// so tests can check what the pack registers.
import type { PolicyPackArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { DEFAULT_PROD_STACKS, rules, stackOfUrn, type Resource, type Rule } from "./rules";

interface PackConfig {
  /** Stack names that hold real data. Example: `["prod", "prod-eu"]`. */
  prodStacks?: string[];
}

/** Policy config (`--policy-pack-config`), per policy: which stacks are prod. */
const configSchema = {
  properties: {
    prodStacks: { type: "array" as const, items: { type: "string" as const }, default: DEFAULT_PROD_STACKS },
  },
};

function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
  const common = { name: rule.name, description: rule.description, enforcementLevel: "mandatory" as const, configSchema };
  if (rule.kind === "resource") {
    return {
      ...common,
      validateResource: (args, reportViolation) => {
        const ctx = { stack: stackOfUrn(args.urn), prodStacks: args.getConfig<PackConfig>().prodStacks ?? DEFAULT_PROD_STACKS, provider: args.provider?.props };
        for (const message of rule.check({ type: args.type, name: args.name, props: args.props }, ctx)) reportViolation(message, args.urn);
      },
    };
  }
  return {
    ...common,
    validateStack: (args, reportViolation) => {
      const stack = args.resources[0] ? stackOfUrn(args.resources[0].urn) : "";
      const resources: Resource[] = args.resources.map((r) => ({ type: r.type, name: r.name, props: r.props }));
      for (const message of rule.check(resources, { stack, prodStacks: args.getConfig<PackConfig>().prodStacks ?? DEFAULT_PROD_STACKS })) reportViolation(message);
    },
  };
}

export const policies = rules.map(toPolicy);

export const packArgs: PolicyPackArgs = { enforcementLevel: "mandatory", policies };
