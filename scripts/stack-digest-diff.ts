// `npm run digest:diff -- before.json after.json`: what `pulumi up` would do after a refactor, per
// variant: URNs only before (deleted), only after (created), and resources whose inputs changed.
import { readFileSync } from "node:fs";

type Digest = Record<string, Record<string, unknown>>;
const [beforeFile, afterFile] = process.argv.slice(2);
if (!beforeFile || !afterFile) {
  console.error("usage: npm run digest:diff -- <before.json> <after.json>");
  process.exit(2);
}
const before = JSON.parse(readFileSync(beforeFile, "utf8")) as Digest;
const after = JSON.parse(readFileSync(afterFile, "utf8")) as Digest;
let differences = 0;
for (const variant of new Set([...Object.keys(before), ...Object.keys(after)])) {
  const b = before[variant] ?? {};
  const a = after[variant] ?? {};
  const lines: string[] = [];
  for (const urn of Object.keys(b)) if (!(urn in a)) lines.push(`- ${urn}`);
  for (const urn of Object.keys(a)) if (!(urn in b)) lines.push(`+ ${urn}`);
  for (const urn of Object.keys(a)) {
    if (!(urn in b)) continue;
    const x = b[urn] as { inputs: Record<string, unknown> };
    const y = a[urn] as { inputs: Record<string, unknown> };
    for (const key of new Set([...Object.keys(x.inputs), ...Object.keys(y.inputs)])) {
      const l = JSON.stringify(x.inputs[key]);
      const r = JSON.stringify(y.inputs[key]);
      if (l !== r) lines.push(`~ ${urn} ${key}\n    before: ${l}\n    after:  ${r}`);
    }
    if (JSON.stringify((x as Record<string, unknown>).archiveFiles) !== JSON.stringify((y as Record<string, unknown>).archiveFiles)) lines.push(`~ ${urn} (uploaded files)`);
  }
  differences += lines.length;
  console.log(`${variant}: ${lines.length ? `${lines.length} differences` : "no difference"}`);
  for (const line of lines) console.log(`  ${line}`);
}
process.exit(differences ? 1 : 0);
