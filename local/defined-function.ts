import type { AnyFunctionDefinition, EnvSpec, FunctionDefinition } from "../handlers/shared/function-definition";
import { buildHandler } from "../handlers/shared/function-environment";

/** What local mode provides to a definition, by logical name (the local twin of components' FunctionLinks). */
export interface LocalLinks {
  /** Local resource names (tables, buckets) or URLs (queues). Example: `{ messages: "switchyard-local-api-messages" }`. */
  resources?: Record<string, string>;
  /** Secret values (local mode keeps them in its own environment). Example: `{ signingKey: "local-calendly-signing-key" }`. */
  secrets?: Record<string, string | undefined>;
  /** Example: `{ source: "calendly" }`. */
  settings?: Record<string, string | undefined>;
}

/**
 * The environment a definition's handler sees locally: `base` (the process's own, for AWS endpoint
 * overrides and Powertools settings) plus each key from `links`, secrets under their own key as
 * `secretFromEnv` reads them outside AWS.
 */
export function localEnv(definition: AnyFunctionDefinition, links: LocalLinks, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const [key, spec] of Object.entries(definition.env as EnvSpec)) {
    const value = spec.kind === "setting" ? links.settings?.[spec.setting] : spec.kind === "secret" ? links.secrets?.[spec.secret] : links.resources?.[spec.on];
    if (value !== undefined) env[key] = value;
    else delete env[key];
  }
  return env;
}

/** The handler a definition describes, wired to local resources: the code the Lambda runs, in process. */
export function localHandler<E extends EnvSpec, H>(definition: FunctionDefinition<E, H>, links: LocalLinks, base?: NodeJS.ProcessEnv): H {
  return buildHandler(definition, localEnv(definition, links, base));
}
