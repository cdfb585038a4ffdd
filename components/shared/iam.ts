import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * IAM accepts only tab, line breaks, printable ASCII and Latin-1 in a role's description
 * (CreateRole: `[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`, at most 1000 characters),
 * while function descriptions here use arrows and dashes: spell those in ASCII, drop the rest.
 */
export function iamDescription(text: string): string {
  const ascii = text.replace(/[→⟶]/g, "->").replace(/[←]/g, "<-").replace(/[–—]/g, "-").replace(/…/g, "...").replace(/[‘’]/g, "'").replace(/[“”]/g, '"');
  return ascii.replace(/[^\t\n\r\u0020-\u007E\u00A1-\u00FF]/g, "").slice(0, 1000);
}

/** One IAM statement: exactly these actions on exactly these resources. */
export interface Permission {
  /** Example: `["dynamodb:GetItem"]`. Never `*`. */
  actions: string[];
  /** Example: `[table.arn]`. Never `*` for data services. */
  resources: pulumi.Input<string>[];
  /** Narrows the statement further. Example: `{ ArnEquals: { "ecs:cluster": cluster.arn } }`. */
  conditions?: Record<string, Record<string, pulumi.Input<string> | string[]>>;
}

/** An identity policy document allowing exactly `permissions`, one statement each. */
export function policyDocument(permissions: Permission[]): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: permissions.map((p) => ({ Effect: "Allow", Action: p.actions, Resource: p.resources, ...(p.conditions ? { Condition: p.conditions } : {}) })),
  });
}

/** The role's one inline policy: `permissions` and nothing else (no managed policies anywhere). */
export function inlinePolicy(name: string, role: aws.iam.Role, permissions: Permission[], opts: pulumi.CustomResourceOptions): aws.iam.RolePolicy {
  return new aws.iam.RolePolicy(name, { role: role.name, policy: policyDocument(permissions) }, opts);
}

export interface ServiceRoleArgs {
  /** The AWS service that assumes the role. Example: `"ecs-tasks.amazonaws.com"`. */
  service: string;
  /** Example: `"Runs the gists sync task"`. */
  description: string;
  /** Conditions on the assumption (confused-deputy protection). Example: `{ StringEquals: { "aws:SourceAccount": accountId } }`. */
  conditions?: Record<string, Record<string, pulumi.Input<string>>>;
}

/** A role only `service` may assume; give it permissions with `inlinePolicy`. */
export function serviceRole(name: string, args: ServiceRoleArgs, opts: pulumi.CustomResourceOptions): aws.iam.Role {
  return new aws.iam.Role(
    name,
    {
      description: iamDescription(args.description),
      assumeRolePolicy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: args.service }, Action: "sts:AssumeRole", ...(args.conditions ? { Condition: args.conditions } : {}) }],
      }),
    },
    opts,
  );
}
