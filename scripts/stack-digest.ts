// `npm run digest [-- --variant dev]`: every resource of the preflight variants (preflight/variants.ts),
// evaluated under mocks, as one sorted JSON document: URN → inputs. Take one before a refactor and
// one after, and diff them: an unchanged URN set means `pulumi up` replaces nothing, unchanged inputs
// mean it updates nothing. Uploaded code is left out (its closure text changes with any refactor);
// the files each upload carries are kept.
import { parseArgs } from "node:util";
import { VARIANTS, evaluateVariants } from "../preflight/variants";
import type { RecordedResource } from "../tests/harness/record";
import { ROOT } from "../tests/harness/stacks";

/** Inputs as the engine compares them; the archive as its list of files; a policy as what it allows. */
function digest(resource: RecordedResource): unknown {
  const { archive, ...rest } = resource;
  const inputs = { ...rest.inputs };
  if (typeof inputs.policy === "string" && inputs.policy.startsWith("{")) inputs.policy = allowed(inputs.policy);
  // Paths inside this checkout (built website files) as `<root>/…`, so two checkouts compare.
  return { type: rest.type, ...(rest.aliases?.length ? { aliases: rest.aliases } : {}), inputs: JSON.parse(JSON.stringify(sortKeys(inputs)).split(ROOT).join("<root>")), ...(archive ? { archiveFiles: Object.keys(archive.files).sort() } : {}) };
}

/**
 * A policy document as sorted `effect action resource condition` lines: statement order and
 * grouping do not change what a policy allows (reordering is an in-place update, never a replacement).
 */
function allowed(policy: string): string[] {
  const doc = JSON.parse(policy) as { Statement?: Record<string, unknown>[] };
  const list = (v: unknown) => (v === undefined ? [""] : Array.isArray(v) ? v : [v]).map(String);
  const lines = new Set<string>();
  for (const st of doc.Statement ?? []) {
    for (const action of list(st.Action ?? st.NotAction)) {
      for (const res of list(st.Resource ?? st.NotResource)) lines.add([st.Effect, action, res, JSON.stringify(sortKeys(st.Condition ?? null)), JSON.stringify(sortKeys(st.Principal ?? null))].join(" "));
    }
  }
  return [...lines].sort();
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  return value;
}

async function main() {
  const { values } = parseArgs({ options: { variant: { type: "string", multiple: true } } });
  const variants = values.variant?.length ? VARIANTS.filter((v) => values.variant!.includes(v.name)) : VARIANTS;
  const records = await evaluateVariants(variants);
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, record] of records) {
    out[name] = Object.fromEntries(record.resources.map((r) => [r.urn ?? `${r.type}::${r.name}`, digest(r)] as const).sort(([a], [b]) => a.localeCompare(b)));
  }
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
