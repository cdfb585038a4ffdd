// Writes the config tables of docs/operations.md ("Every config key", "Sync settings") from the zod
// schemas and the committed stack files (`npm run docs:config`); `--check` fails when they are stale.
// The tables sit between `<!-- config:<name> -->` and `<!-- /config:<name> -->`; the prose around them is hand-written.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { stackConfigSchema } from "../components/stack-config";
import { syncSchema } from "../components/sync-config";
import { secretSettings } from "../handlers/sync/job-definition";
import { syncJobs } from "../handlers/sync/registry";

export const OPERATIONS_GUIDE = join(__dirname, "..", "docs", "operations.md");
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

/** The guide with its generated tables rewritten. */
export function renderOperationsGuide(guide = readFileSync(OPERATIONS_GUIDE, "utf8")): string {
  const tables: Record<string, string> = { keys: configKeysTable(), syncs: syncSettingsTable() };
  let text = guide;
  for (const [name, table] of Object.entries(tables)) {
    const open = `<!-- config:${name} -->`;
    const close = `<!-- /config:${name} -->`;
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    if (start < 0 || end < start) throw new Error(`docs/operations.md has no ${open} … ${close} block`);
    text = `${text.slice(0, start + open.length)}\n${table}\n${text.slice(end)}`;
  }
  return text;
}

if (require.main === module) {
  const current = readFileSync(OPERATIONS_GUIDE, "utf8");
  const text = renderOperationsGuide(current);
  if (process.argv.includes("--check")) {
    if (current !== text) {
      console.error("docs/operations.md's config tables are stale: run npm run docs:config");
      process.exit(1);
    }
  } else {
    writeFileSync(OPERATIONS_GUIDE, text);
    console.log(`wrote the config tables of ${OPERATIONS_GUIDE}`);
  }
}
