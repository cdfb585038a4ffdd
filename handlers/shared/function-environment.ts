// The typed environment of a function definition, secrets included, and the handler built from it.
// Apart from function-definition.ts because a secret is read through secret.ts (Powertools' SSM
// client in AWS): only a function with a secret captures this module in its upload.
import { readKey, type EnvSpec, type EnvValues, type FunctionDefinition } from "./function-definition";
import { secretFromEnv } from "./secret";

/**
 * The typed environment of a definition, read from `env` (`process.env` in a function). A missing
 * required key fails the cold start loudly: it is a deploy bug, never a request's fault.
 */
export function readEnv<E extends EnvSpec>(spec: E, env: NodeJS.ProcessEnv = process.env): EnvValues<E> {
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(spec)) {
    const value = entry.kind === "secret" ? (entry.optional && !env[key] && !env[`${key}_PARAMETER`] ? undefined : secretFromEnv(key, env)) : readKey(key, entry, env);
    if (value !== undefined) out[key] = value;
  }
  return out as EnvValues<E>;
}

/**
 * The handler a definition describes, built from `env`: what every magic function's factory and
 * every local handler call.
 */
export function buildHandler<E extends EnvSpec, H>(definition: FunctionDefinition<E, H>, env: NodeJS.ProcessEnv = process.env): H {
  return definition.create(readEnv(definition.env, env), definition.service);
}

