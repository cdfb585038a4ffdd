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
  // A new URN whose aliases name an old one is that resource, moved: compare it with the old one.
  const formerOf = new Map<string, string>();
  for (const [urn, entry] of Object.entries(a)) {
    if (urn in b) continue;
    const former = ((entry as { aliases?: string[] }).aliases ?? []).find((alias) => alias in b);
    if (former) formerOf.set(urn, former);
  }
  const moved = new Set(formerOf.values());
  for (const urn of Object.keys(b)) if (!(urn in a) && !moved.has(urn)) lines.push(`- ${urn}`);
  // A new component (a `switchyard:` type) creates nothing in the cloud: listed apart, not a difference.
  const isComponent = (urn: string) => !((a[urn] ?? b[urn]) as { type: string }).type.includes("/");
  const info: string[] = [...formerOf].map(([urn, former]) => `moved by alias: ${former.split("::").slice(2).join("::")} → ${urn.split("::").slice(2).join("::")}`);
  for (const urn of Object.keys(a)) if (!(urn in b) && !formerOf.has(urn)) (isComponent(urn) ? info : lines).push(`+ ${urn}${isComponent(urn) ? " (component: nothing in the cloud)" : ""}`);
  for (const urn of Object.keys(a)) {
    const old = urn in b ? urn : formerOf.get(urn);
    if (!old) continue;
    const x = b[old] as { inputs: Record<string, unknown> };
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
  for (const line of info) console.log(`  (${line})`);
}
process.exit(differences ? 1 : 0);
