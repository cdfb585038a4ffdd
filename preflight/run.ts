// npm run preflight [-- --variant <name>] [--rule <name>]: evaluates every stack variant under
// mocks and checks what it would send to AWS against AWS's own rules. Prints one line per finding
// (stack, resource, input, rule, source) and exits 1 if there is any; 2 on a usage error.
import { parseArgs } from "node:util";
import { formatFinding, type Finding } from "./finding";
import { rules } from "./rules";
import { VARIANTS, evaluateVariants } from "./variants";

const USAGE = `usage: npm run preflight [-- --variant <${VARIANTS.map((v) => v.name).join("|")}>] [--rule <${rules.map((r) => r.name).join("|")}>]`;

/** Every finding of `ruleNames` (all when empty) on `variantNames` (all when empty). */
export async function preflight(variantNames: string[] = [], ruleNames: string[] = []): Promise<{ findings: Finding[]; checked: { variant: string; resources: number }[] }> {
  const variants = VARIANTS.filter((v) => variantNames.length === 0 || variantNames.includes(v.name));
  const selected = rules.filter((r) => ruleNames.length === 0 || ruleNames.includes(r.name));
  const records = await evaluateVariants(variants);
  const findings: Finding[] = [];
  for (const [variant, record] of records) {
    for (const rule of selected) findings.push(...(await rule.check(record, variant)));
  }
  return { findings, checked: [...records].map(([variant, record]) => ({ variant, resources: record.resources.length })) };
}

async function main() {
  let values: { variant?: string[]; rule?: string[]; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { variant: { type: "string", multiple: true }, rule: { type: "string", multiple: true }, help: { type: "boolean", short: "h" } } }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = [...(values.variant ?? []).filter((v) => !VARIANTS.some((x) => x.name === v)), ...(values.rule ?? []).filter((r) => !rules.some((x) => x.name === r))];
  if (unknown.length) {
    process.stderr.write(`unknown: ${unknown.join(", ")}\n${USAGE}\n`);
    return 2;
  }
  const { findings, checked } = await preflight(values.variant, values.rule);
  for (const finding of findings) process.stdout.write(`${formatFinding(finding)}\n`);
  const perRule = rules.filter((r) => !values.rule || values.rule.includes(r.name)).map((r) => `${r.name} ${findings.filter((f) => f.rule === r.name).length}`);
  process.stdout.write(`preflight: ${checked.map((c) => `${c.variant} (${c.resources} resources)`).join(", ")}; findings per rule: ${perRule.join(", ")}\n`);
  process.stdout.write(findings.length ? `preflight: ${findings.length} finding(s): AWS would refuse these at pulumi up.\n` : "preflight: clean.\n");
  return findings.length ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
      process.exit(1);
    },
  );
}
