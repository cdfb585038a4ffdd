// Writes the generated tables of the docs (`npm run docs:config`); `--check` fails when they are stale:
// docs/operations.md's "Every config key" and "Sync settings" from the zod schemas and the committed
// stack files, and docs/syncs.md's environment keys of a real `npm run sync` from the jobs' function
// definitions. Each sits between `<!-- config:<name> -->` and `<!-- /config:<name> -->`; the prose around them is hand-written.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { stackConfigSchema } from "../components/stack-config";
import { syncSchema } from "../components/sync-config";
import type { EnvSpec } from "../handlers/shared/function-definition";
import { secretSettings, type SyncJobDefinition } from "../handlers/sync/job-definition";
import { syncJobs } from "../handlers/sync/registry";

export const OPERATIONS_GUIDE = join(__dirname, "..", "docs", "operations.md");
export const SYNCS_GUIDE = join(__dirname, "..", "docs", "syncs.md");
/** The stacks whose committed values get a column each. */
const STACKS = ["dev", "prod"] as const;

interface KeyFacts {
  description: string;
  secret: boolean;
  /** `"yes"`, `"no"`, or when it is needed (`with \`siteDomain\``). */
  required: string;
  /** The default as the table shows it: `` `14` `` or `—`. */
  default: string;
}

/** What a schema says of one key: its meta, whether it is required, its default. */
function keyFacts(schema: z.ZodType, secret?: boolean): KeyFacts {
  const def = (schema as unknown as { _zod: { def: { type: string; defaultValue?: unknown } } })._zod.def;
  const meta = (z.globalRegistry.get(schema) ?? {}) as { description?: string; secret?: boolean; requiredWith?: string };
  if (!meta.description) throw new Error("a config key without a description: add .meta({ description }) to its schema");
  const hasDefault = def.type === "default";
  const optional = hasDefault || def.type === "optional";
  return {
    description: meta.description,
    secret: secret ?? meta.secret === true,
    required: meta.requiredWith ? `with \`${meta.requiredWith}\`` : optional ? "no" : "yes",
    default: hasDefault ? code(def.defaultValue) : "—",
  };
}

/** A value as a table cell: strings as they are, the rest as JSON, in backticks. */
const code = (value: unknown) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;

/** Each stack's committed config (`Pulumi.<stack>.yaml`). */
function stackValues(root: string): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    STACKS.map((stack) => [stack, ((parse(readFileSync(join(root, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> }).config ?? {})]),
  );
}

/** The "Every config key" table: one row per key of the stack schema, with dev's and prod's values. */
export function configKeysTable(root = join(__dirname, "..")): string {
  const values = stackValues(root);
  const header = `| key | required | default | secret | ${STACKS.join(" | ")} | what it does |\n|---|---|---|---|${STACKS.map(() => "---|").join("")}---|`;
  const rows = Object.entries(stackConfigSchema.shape).map(([key, schema]) => {
    const k = keyFacts(schema as z.ZodType);
    const perStack = STACKS.map((stack) => (k.secret ? "(secret)" : key in values[stack]! ? code(values[stack]![key]) : "—"));
    return `| \`${key}\` | ${k.required} | ${k.default} | ${k.secret ? "yes" : "no"} | ${perStack.join(" | ")} | ${k.description} |`;
  });
  return [header, ...rows].join("\n");
}

/** The "Sync settings" table: one row per setting of every job in the registry. */
export function syncSettingsTable(jobs = syncJobs): string {
  const header = "| key | required | default | secret | what it does |\n|---|---|---|---|---|";
  const rows = jobs.flatMap((job) =>
    Object.entries(syncSchema(job).shape).map(([key, schema]) => {
      const k = keyFacts(schema as z.ZodType, secretSettings(job).includes(key));
      return `| \`switchyard:syncs.${job.name}.${key}\` | ${k.required} | ${k.default} | ${k.secret ? "yes" : "no"} | ${k.description} |`;
    }),
  );
  return [header, ...rows].join("\n");
}

/**
 * The environment keys a real run of each job reads (`npm run sync -- <job>`, and `npm start` when
 * they are set): its run function's settings and secrets, described by the job's settings schema
 * or the key's own `about`. Resources (tables, buckets) are local mode's to give.
 */
export function syncEnvironmentTable(jobs = syncJobs): string {
  const header = "| job | key | required | secret | default | what it is |\n|---|---|---|---|---|---|";
  const rows = jobs.flatMap((job: SyncJobDefinition) =>
    Object.entries(job.run.env as EnvSpec).flatMap(([key, spec]) => {
      if (spec.kind === "resource") return [];
      const logical = spec.kind === "setting" ? spec.setting : spec.secret;
      const field = (syncSchema(job).shape as Record<string, z.ZodType>)[logical];
      const description = (spec.kind === "setting" ? spec.about : undefined) ?? (field ? keyFacts(field).description : undefined);
      if (!description) throw new Error(`${job.name}: ${key} has no description: add { about } to its setting or a settings schema key "${logical}"`);
      const required = !spec.optional && (spec.kind === "secret" || spec.fallback === undefined);
      const fallback = spec.kind === "setting" && spec.fallback !== undefined ? code(spec.fallback) : "—";
      const list = spec.kind === "setting" && spec.type === "list" ? " (comma-separated)" : "";
      return [`| ${job.name} | \`${key}\` | ${required ? "yes" : "no"} | ${spec.kind === "secret" ? "yes" : "no"} | ${fallback} | ${description}${list} |`];
    }),
  );
  return [header, ...rows].join("\n");
}

/** `text` with the block `<!-- config:<name> -->` … `<!-- /config:<name> -->` of each table rewritten. */
function rewrite(text: string, tables: Record<string, string>, file: string): string {
  for (const [name, table] of Object.entries(tables)) {
    const open = `<!-- config:${name} -->`;
    const close = `<!-- /config:${name} -->`;
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    if (start < 0 || end < start) throw new Error(`${file} has no ${open} … ${close} block`);
    text = `${text.slice(0, start + open.length)}\n${table}\n${text.slice(end)}`;
  }
  return text;
}

/** The guide with its generated tables rewritten. */
export const renderOperationsGuide = (guide = readFileSync(OPERATIONS_GUIDE, "utf8")) => rewrite(guide, { keys: configKeysTable(), syncs: syncSettingsTable() }, "docs/operations.md");

/** docs/syncs.md with its generated table rewritten. */
export const renderSyncsGuide = (guide = readFileSync(SYNCS_GUIDE, "utf8")) => rewrite(guide, { "sync-env": syncEnvironmentTable() }, "docs/syncs.md");

if (require.main === module) {
  let stale = false;
  for (const [file, render] of [[OPERATIONS_GUIDE, renderOperationsGuide], [SYNCS_GUIDE, renderSyncsGuide]] as const) {
    const current = readFileSync(file, "utf8");
    const text = render(current);
    if (current === text) continue;
    if (process.argv.includes("--check")) {
      console.error(`${file}'s generated tables are stale: run npm run docs:config`);
      stale = true;
    } else {
      writeFileSync(file, text);
      console.log(`wrote the generated tables of ${file}`);
    }
  }
  if (stale) process.exit(1);
}
