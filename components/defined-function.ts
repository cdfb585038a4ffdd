import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildHandler, grantsOf, packagesOf, type EnvSpec, type FunctionDefinition } from "../handlers/shared/function-definition";
import { HandlerFunction, type HandlerFunctionArgs } from "./lambda";
import type { Permission } from "./iam";

/** A resource a definition may name: the value its key holds and the ARNs its grants apply to. */
export interface LinkedResource {
  /** What an environment key naming it holds. Example: `table.name`. */
  value?: pulumi.Input<string>;
  /** Example: `table.arn`. */
  arn: pulumi.Input<string>;
  /** Other ARNs a grant may name by `attribute`. Example: `{ stream: table.streamArn }`. */
  attributes?: Record<string, pulumi.Input<string>>;
}

/** What a component provides to the definitions it builds, by logical name. */
export interface FunctionLinks {
  /** Example: `{ messages: linkTable(table) }`. */
  resources?: Record<string, LinkedResource>;
  /** SSM SecureStrings holding the secrets. Example: `{ signingKey: signingKeyParameter }`. */
  secrets?: Record<string, aws.ssm.Parameter>;
  /** Example: `{ source: "calendly", toleranceSeconds: "180" }`. */
  settings?: Record<string, pulumi.Input<string> | undefined>;
}

export const linkTable = (table: aws.dynamodb.Table): LinkedResource => ({ value: table.name, arn: table.arn, attributes: { stream: table.streamArn } });
export const linkBucket = (bucket: aws.s3.Bucket): LinkedResource => ({ value: bucket.bucket, arn: bucket.arn });
export const linkQueue = (queue: aws.sqs.Queue): LinkedResource => ({ value: queue.url, arn: queue.arn });

/** Thrown while the program runs (so `pulumi preview` fails) when a component forgot a link. */
export class MissingLinkError extends Error {}

/** The environment and permissions a definition gets from `links`, the same for a function and a Fargate task. */
export function linkDefinition(label: string, definition: FunctionDefinition<any, any>, links: FunctionLinks): { environment: Record<string, pulumi.Input<string>>; permissions: Permission[] } {
  const find = (what: string, name: string) => {
    const linked = links.resources?.[name];
    if (!linked) throw new MissingLinkError(`${label}: ${what} names resource "${name}", which the component does not provide`);
    return linked;
  };
  const environment: Record<string, pulumi.Input<string>> = {};
  const secretArns: pulumi.Input<string>[] = [];
  for (const [key, spec] of Object.entries(definition.env as EnvSpec)) {
    if (spec.kind === "setting") {
      const value = links.settings?.[spec.setting];
      if (value !== undefined) environment[key] = value;
      else if (!spec.optional && spec.fallback === undefined) throw new MissingLinkError(`${label}: ${key} needs setting "${spec.setting}"`);
    } else if (spec.kind === "secret") {
      const parameter = links.secrets?.[spec.secret];
      if (parameter) {
        environment[`${key}_PARAMETER`] = parameter.name;
        secretArns.push(parameter.arn);
      } else if (!spec.optional) throw new MissingLinkError(`${label}: ${key} needs secret "${spec.secret}"`);
    } else {
      const linked = find(key, spec.on);
      if (linked.value === undefined) throw new MissingLinkError(`${label}: ${key} names "${spec.on}", which has no value to hold`);
      environment[key] = linked.value;
    }
  }
  const permissions: Permission[] = grantsOf(definition).map((grant) => {
    if (grant.on === "*") return { actions: grant.actions, resources: ["*"] };
    const linked = find(`a grant of ${grant.actions.join(", ")}`, grant.on);
    const base = grant.attribute ? linked.attributes?.[grant.attribute] : linked.arn;
    if (base === undefined) throw new MissingLinkError(`${label}: "${grant.on}" has no ${grant.attribute} ARN`);
    return { actions: grant.actions, resources: [grant.path ? pulumi.interpolate`${base}${grant.path}` : base], ...(grant.conditions ? { conditions: grant.conditions } : {}) };
  });
  if (secretArns.length) permissions.push({ actions: ["ssm:GetParameter"], resources: secretArns });
  return { environment, permissions };
}

export interface DefinedFunctionArgs extends Omit<HandlerFunctionArgs<any, any>, "factory" | "permissions" | "environment" | "packages"> {
  /** The function, written once. Example: `messageFunctions.create`. */
  definition: FunctionDefinition<any, any>;
  /** What the definition's names refer to. Example: `{ resources: { messages: linkTable(table) } }`. */
  links: FunctionLinks;
  /** Permissions beyond the definition's (rarely needed). */
  permissions?: Permission[];
}

/**
 * A HandlerFunction built from a definition: its environment and its role's policy follow from the
 * definition's keys and grants, resolved against `links`, and its upload runs `buildHandler`.
 */
export function definedFunction(name: string, args: DefinedFunctionArgs, opts: pulumi.ComponentResourceOptions): HandlerFunction<any, any> {
  const { definition, links, permissions = [], ...rest } = args;
  const linked = linkDefinition(name, definition, links);
  return new HandlerFunction<any, any>(
    name,
    {
      ...rest,
      // The closure Pulumi serializes: the definition (plain data and its `create`) and the builder.
      factory: (() => buildHandler(definition)) as never,
      permissions: [...linked.permissions, ...permissions],
      environment: linked.environment,
      packages: packagesOf(definition),
    },
    opts,
  );
}
