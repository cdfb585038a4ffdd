// The typed environment of a function definition, secrets included, and the handler built from it.
// Apart from function-definition.ts because a secret is read through secret.ts (Powertools' SSM
// client in AWS): only a function with a secret captures this module in its upload.
import { readEnvWith, type EnvSpec, type SecretReader, type EnvValues, type FunctionDefinition } from "./function-definition";
import { secretFromEnv } from "./secret";

/** A secret: its SSM parameter in AWS, its value locally (secret.ts); an absent optional one is left out. */
const readSecret: SecretReader = (key, entry, env) => (entry.optional && !env[key] && !env[`${key}_PARAMETER`] ? undefined : secretFromEnv(key, env));

/** The typed environment of a definition, secrets included, read from `env` (`process.env` in a function). */
export function readEnv<E extends EnvSpec>(spec: E, env: NodeJS.ProcessEnv = process.env): EnvValues<E> {
  return readEnvWith(spec, env, readSecret);
}

/**
 * The handler a definition describes, built from `env`: what every magic function's factory and
 * every local handler call.
 */
export function buildHandler<E extends EnvSpec, H>(definition: FunctionDefinition<E, H>, env: NodeJS.ProcessEnv = process.env): H {
  return definition.create(readEnv(definition.env, env), definition.service);
}

