import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildHandlerWithoutSecrets, grantsOf, hasSecrets, packagesOf, type EnvSpec, type FunctionDefinition } from "../handlers/shared/function-definition";
import { buildHandler } from "../handlers/shared/function-environment";
import { HandlerFunction, type HandlerFunctionArgs } from "./lambda";
import type { Permission } from "./shared/iam";

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
  // Resources an optional key names that the component leaves out: no key, no grants on them.
  const absent = new Set<string>();
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
    } else if (spec.optional && !links.resources?.[spec.on]) {
      absent.add(spec.on);
    } else {
      const linked = find(key, spec.on);
      const value = spec.holds === "arn" ? linked.arn : linked.value;
      if (value === undefined) throw new MissingLinkError(`${label}: ${key} names "${spec.on}", which has no value to hold`);
      environment[key] = value;
    }
  }
  const permissions: Permission[] = grantsOf(definition)
    .filter((grant) => !absent.has(grant.on))
    .map((grant) => {
      if (grant.on === "*") return { actions: grant.actions, resources: ["*"] };
      const linked = find(`a grant of ${grant.actions.join(", ")}`, grant.on);
      const base = grant.attribute ? linked.attributes?.[grant.attribute] : linked.arn;
      if (base === undefined) throw new MissingLinkError(`${label}: "${grant.on}" has no ${grant.attribute} ARN`);
      const conditions: NonNullable<Permission["conditions"]> = Object.fromEntries(Object.entries(grant.conditions ?? {}).map(([operator, keys]) => [operator, { ...keys }]));
      for (const [operator, contextKey] of Object.entries(grant.valueConditions ?? {})) {
        if (linked.value === undefined) throw new MissingLinkError(`${label}: a condition on "${grant.on}"'s value, which it has none of`);
        conditions[operator] = { ...conditions[operator], [contextKey]: linked.value };
      }
      return { actions: grant.actions, resources: [grant.path ? pulumi.interpolate`${base}${grant.path}` : base], ...(Object.keys(conditions).length ? { conditions } : {}) };
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
      // Only a function with a secret uploads the secret reader (and the SSM package it requires).
      factory: (hasSecrets(definition) ? () => buildHandler(definition) : () => buildHandlerWithoutSecrets(definition)) as never,
      permissions: [...linked.permissions, ...permissions],
      environment: linked.environment,
      packages: packagesOf(definition),
    },
    opts,
  );
}
