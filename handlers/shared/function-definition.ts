// A Lambda function's contract, written once next to its handler: what it is called outside AWS,
// the packages it loads, its typed environment (settings, secrets, the resources it touches and
// with which actions), and how its handler is built from that environment. Both runtimes read it:
// components/function.ts turns it into a function, a role, a policy and SSM parameters;
// local/topology.ts into an in-process handler with the same environment. The handler reads its
// environment only through `create`'s typed argument; no environment key is spelled anywhere else.
//
// Plain data and plain functions only: Pulumi serializes a definition into the upload. The parsing
// below is deliberately not zod: several functions do not load zod at all (it is most of an upload),
// and the vocabulary is five kinds.
import type { SecretProvider } from "./secret";

/** An IAM condition block. Example: `{ StringEquals: { "ses:FromAddress": "events@example.com" } }`. */
export type GrantConditions = Record<string, Record<string, string | string[]>>;

/**
 * Access to one of the topology's resources, by its logical name.
 * Example: `{ on: "events", actions: ["dynamodb:Query"], path: "/index/byStart" }`.
 */
export interface Grant {
  /** Logical name of the resource (a table, bucket, queue, …) the component provides. Example: `"events"`. */
  on: string;
  /** Example: `["dynamodb:GetItem"]`. */
  actions: string[];
  /** Appended to the resource's ARN. Example: `"/index/byStart"` (an index), `"/spool/*"` (objects under a prefix). */
  path?: string;
  /** One of the resource's other ARNs instead of its own. Example: `"stream"` (a table's stream). */
  attribute?: string;
  /** Example: `{ StringLike: { "s3:prefix": "media/*" } }`. */
  conditions?: GrantConditions;
  /**
   * Conditions comparing a request's context key with the resource's own value (what a key naming
   * it holds), by operator. Example: `{ StringEquals: "ses:FromAddress" }` on an SES identity whose
   * value is its address: mail from that address only.
   */
  valueConditions?: Record<string, string>;
}

/** The types a setting is parsed to. */
export interface SettingTypes {
  text: string;
  number: number;
  /** Comma-separated. */
  list: string[];
  json: unknown;
}

export interface SettingKey<T extends keyof SettingTypes = keyof SettingTypes, Optional extends boolean = boolean> {
  kind: "setting";
  /** Logical name of the setting the component or local mode provides. Example: `"toleranceSeconds"`. */
  setting: string;
  type: T;
  optional: Optional;
  /** Used when the setting is unset (an optional setting without one is `undefined`). */
  fallback?: string;
  /** What it is, for the docs, when no stack setting of the same name describes it. Example: `"GitHub's API base URL"`. */
  about?: string;
}

export interface SecretKey<Optional extends boolean = boolean> {
  kind: "secret";
  /** Logical name of the secret. In AWS an SSM SecureString (`<KEY>_PARAMETER` names it); locally the value itself. Example: `"signingKey"`. */
  secret: string;
  optional: Optional;
}

export interface ResourceKey<Optional extends boolean = boolean> {
  kind: "resource";
  /** Logical name of the resource whose name (or URL) the key holds. Example: `"messages"`. */
  on: string;
  /** What the function may do to it (paths and attributes as in {@link Grant}). */
  grants: Omit<Grant, "on">[];
  /** What the key holds: the resource's value (its name or URL; the default) or its ARN. Example: `"arn"`. */
  holds?: "value" | "arn";
  /**
   * The component may leave the resource out: the key is then unset and its grants are not given.
   * Example: the sender identity a function mails from, when the stack configures one.
   */
  optional?: Optional;
}

export type EnvKey = SettingKey | SecretKey | ResourceKey;
export type EnvSpec = Record<string, EnvKey>;

type KeyValue<K> = K extends SettingKey<infer T, infer O>
  ? O extends true
    ? SettingTypes[T] | undefined
    : SettingTypes[T]
  : K extends SecretKey<infer O>
    ? O extends true
      ? SecretProvider | undefined
      : SecretProvider
    : K extends ResourceKey<true>
      ? string | undefined
      : string;
/** What `create` receives: each key parsed to its type; secrets as providers (fetched and cached at run time). */
export type EnvValues<E extends EnvSpec> = { [K in keyof E]: KeyValue<E[K]> };

export interface FunctionDefinition<E extends EnvSpec = EnvSpec, H = unknown> {
  /** Powertools service name outside AWS (in AWS the function's own name). Example: `"messages-create"`. */
  service: string;
  /** npm packages the handler loads at run time (SSM's is added when a key is a secret). Example: `["zod", "@aws-lambda-powertools/logger"]`. */
  packages: readonly string[];
  /** The environment, by key. Example: `{ MESSAGES_TABLE: resource("messages", ["dynamodb:GetItem"]) }`. */
  env: E;
  /** Access not tied to an environment key. Example: `[{ on: "events", attribute: "stream", actions: ["dynamodb:GetRecords"] }]`. */
  grants?: Grant[];
  /** Builds the handler once per cold start. Example: `(env, service) => getMessageHandler(...)`. */
  create: (env: EnvValues<E>, service: string) => H;
}

/** Any definition, whatever its keys and handler (`create`'s parameter makes a narrower type not fit). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunctionDefinition = FunctionDefinition<any, any>;

/** Identity with inference: `defineFunction({ ... })` keeps `env`'s key types for `create`. */
export function defineFunction<const E extends EnvSpec, H>(definition: FunctionDefinition<E, H>): FunctionDefinition<E, H> {
  return definition;
}

/** A setting. Example: `setting("toleranceSeconds", "number", { fallback: "180" })`. */
export function setting<T extends keyof SettingTypes = "text">(name: string, type?: T, options?: { fallback?: string; about?: string }): SettingKey<T, false>;
export function setting<T extends keyof SettingTypes = "text">(name: string, type: T | undefined, options: { optional: true; fallback?: undefined; about?: string }): SettingKey<T, true>;
export function setting(name: string, type: keyof SettingTypes = "text", options: { optional?: boolean; fallback?: string; about?: string } = {}): SettingKey {
  return {
    kind: "setting",
    setting: name,
    type,
    optional: options.optional ?? false,
    ...(options.fallback !== undefined ? { fallback: options.fallback } : {}),
    ...(options.about !== undefined ? { about: options.about } : {}),
  };
}

/** A secret. Example: `secret("signingKey")`; `secret("githubToken", { optional: true })`. */
export function secret(name: string): SecretKey<false>;
export function secret(name: string, options: { optional: true }): SecretKey<true>;
export function secret(name: string, options: { optional?: boolean } = {}): SecretKey {
  return { kind: "secret", secret: name, optional: options.optional ?? false };
}

/**
 * The name of a resource and what the function may do to it. Example: `resource("messages", [{ actions: ["dynamodb:GetItem"] }])`;
 * its ARN: `resource("reminderRole", [], { holds: "arn" })`; one the component may leave out: `resource("outbox", [...], { optional: true })`.
 */
export function resource(on: string, grants: Omit<Grant, "on">[], options?: { holds?: "value" | "arn"; optional?: false }): ResourceKey<false>;
export function resource(on: string, grants: Omit<Grant, "on">[], options: { holds?: "value" | "arn"; optional: true }): ResourceKey<true>;
export function resource(on: string, grants: Omit<Grant, "on">[], options: { holds?: "value" | "arn"; optional?: boolean } = {}): ResourceKey {
  return { kind: "resource", on, grants, ...(options.holds && options.holds !== "value" ? { holds: options.holds } : {}), ...(options.optional ? { optional: true } : {}) };
}

/** The SSM client package every function with a secret loads. */
export const SECRET_PACKAGE = "@aws-lambda-powertools/parameters/ssm";

/** The packages to upload: the definition's, plus SSM's when a key is a secret. */
export function packagesOf(definition: AnyFunctionDefinition): string[] {
  const packages = [...definition.packages];
  if (hasSecrets(definition) && !packages.includes(SECRET_PACKAGE)) packages.push(SECRET_PACKAGE);
  return packages;
}

/** Every grant of a definition, its keys' and its own. */
export function grantsOf(definition: AnyFunctionDefinition): Grant[] {
  const keyGrants = Object.values(definition.env as EnvSpec).flatMap((key) => (key.kind === "resource" ? key.grants.map((g) => ({ ...g, on: key.on })) : []));
  return [...keyGrants, ...(definition.grants ?? [])];
}

export class EnvironmentError extends Error {}

function parseSetting(key: string, spec: SettingKey, raw: string): unknown {
  switch (spec.type) {
    case "number": {
      const value = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(value)) throw new EnvironmentError(`Environment variable ${key} must be a number, not "${raw}"`);
      return value;
    }
    case "list":
      return raw.split(",").map((s) => s.trim()).filter(Boolean);
    case "json":
      try {
        return JSON.parse(raw);
      } catch {
        throw new EnvironmentError(`Environment variable ${key} must be JSON`);
      }
    default:
      return raw;
  }
}

/** One setting or resource key read from `env`; `undefined` when an optional key is absent. */
function readKey(key: string, entry: SettingKey | ResourceKey, env: NodeJS.ProcessEnv): unknown {
  const raw = env[key] || (entry.kind === "setting" ? entry.fallback : undefined);
  if (raw === undefined || raw === "") {
    if (entry.optional) return undefined;
    throw new EnvironmentError(`Environment variable ${key} is not set`);
  }
  return entry.kind === "setting" ? parseSetting(key, entry, raw) : raw;
}

/** How a secret key is read; `undefined` when an optional secret is absent. */
export type SecretReader = (key: string, entry: SecretKey, env: NodeJS.ProcessEnv) => SecretProvider | undefined;

const noSecrets: SecretReader = (key) => {
  throw new EnvironmentError(`${key} is a secret: build this function with buildHandler (function-environment.ts)`);
};

/**
 * The typed environment of a spec, read from `env`, secrets through `readSecret` (function-environment.ts
 * passes the SSM/environment reader; without one a secret key is refused). A missing required key
 * fails the cold start loudly: it is a deploy bug, never a request's fault.
 */
export function readEnvWith<E extends EnvSpec>(spec: E, env: NodeJS.ProcessEnv, readSecret: SecretReader = noSecrets): EnvValues<E> {
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(spec)) {
    const value = entry.kind === "secret" ? readSecret(key, entry, env) : readKey(key, entry, env);
    if (value !== undefined) out[key] = value;
  }
  return out as EnvValues<E>;
}

/**
 * `buildHandler` (function-environment.ts) for a definition without secrets. This module never
 * imports the secret reader, so the code Pulumi uploads for such a function does not name the SSM
 * package it does not carry (Pulumi captures a module's every export, not only the one used).
 */
export function buildHandlerWithoutSecrets<E extends EnvSpec, H>(definition: FunctionDefinition<E, H>, env: NodeJS.ProcessEnv = process.env): H {
  return definition.create(readEnvWith(definition.env, env), definition.service);
}

/** Whether any key of a definition is a secret. */
export const hasSecrets = (definition: AnyFunctionDefinition): boolean => Object.values(definition.env as EnvSpec).some((key) => key.kind === "secret");
