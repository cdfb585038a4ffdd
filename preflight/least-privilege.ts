// Least privilege, proven by running the code: what each function's own role grants (from the
// records), what the artifact tests saw the uploaded code do (committed per test file in
// exercised-calls.json, which each artifact test checks against what it observed), and the reviewed
// justifications for the rest; rendered as docs/least-privilege.md.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { grants, policiesByRole, roleOf } from "../tests/harness/iam";
import { ofType, ROOT } from "../tests/harness/stacks";
import type { StackRecord } from "./finding";
import { ACCOUNT } from "./simulate";

/** Where each artifact test file's observed calls are committed. */
export const EXERCISED_FILE = join(ROOT, "preflight", "exercised-calls.json");
/** The generated table. */
export const TABLE_FILE = join(ROOT, "docs", "least-privilege.md");

/** Test file → function → `"<action> <resource>"` entries (resources as `resourceLabel` writes them), sorted. */
export type ExercisedCalls = Record<string, Record<string, string[]>>;

export const readExercised = (): ExercisedCalls => JSON.parse(readFileSync(EXERCISED_FILE, "utf8")) as ExercisedCalls;

/** `"dynamodb:PutItem api-messages"` → action and resource. */
export function splitEntry(entry: string): { action: string; resource: string } {
  const space = entry.indexOf(" ");
  return { action: entry.slice(0, space), resource: entry.slice(space + 1) };
}

/** ARN prefix → logical name, for every resource of the record an ARN can name (longest first). */
function arnLabels(record: StackRecord): [string, string][] {
  const labels: [string, string][] = [];
  for (const r of record.resources) {
    if (typeof r.state.arn === "string" && !r.state.arn.startsWith("arn:aws:mock:")) labels.push([r.state.arn, r.name]);
    if (typeof r.state.executionArn === "string") labels.push([r.state.executionArn, r.name]);
  }
  // Schedules are named under their group, whose (mocked) ARN is no prefix of theirs.
  for (const group of ofType(record, "aws:scheduler/scheduleGroup:ScheduleGroup")) labels.push([`arn:aws:scheduler:${record.region}:${ACCOUNT}:schedule/${group.state.name}`, group.name]);
  return labels.sort((a, b) => b[0].length - a[0].length);
}
const labelCache = new WeakMap<StackRecord, [string, string][]>();

// Identifiers a run makes up (UUIDs, v7 or not): the same call on another run names another one.
const GENERATED_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * A resource ARN as the committed data and the table name it, the same on every run and stack:
 * the logical name of the recorded resource it is (or is under) plus the rest of the ARN; S3 object
 * keys cut to their first segment (`events-media/outbox/*`), connection ids and generated ids as `*`.
 */
export function resourceLabel(arn: string, record: StackRecord): string {
  if (arn === "*") return "*";
  let labels = labelCache.get(record);
  if (!labels) labelCache.set(record, (labels = arnLabels(record)));
  const match = labels.find(([prefix]) => arn === prefix || (arn.startsWith(prefix) && "/:".includes(arn[prefix.length]!)));
  let rest = match ? arn.slice(match[0].length) : arn.replace(`:${record.region}:`, ":{region}:").replace(`:${ACCOUNT}:`, ":{account}:");
  if (match && arn.startsWith("arn:aws:s3:::") && rest.startsWith("/")) {
    const segments = rest.slice(1).split("/");
    rest = segments.length > 1 || segments[0] === "*" ? `/${segments[0]}/*` : "/*";
  }
  rest = rest.replace(/(\/@connections\/)[^/]+$/, "$1*").replace(GENERATED_ID, "*");
  return `${match ? match[1] : ""}${rest}`;
}

/** Function → action → the resources its role grants it on (labelled), for one record. */
export function functionGrants(record: StackRecord): Map<string, Map<string, Set<string>>> {
  const byRole = policiesByRole(record);
  const out = new Map<string, Map<string, Set<string>>>();
  for (const fn of ofType(record, "aws:lambda/function:Function")) {
    const actions = new Map<string, Set<string>>();
    for (const [action, resources] of Object.entries(grants(byRole.get(roleOf(record, fn).name) ?? []))) {
      actions.set(action, new Set(resources.map((arn) => resourceLabel(arn, record))));
    }
    out.set(fn.name, actions);
  }
  return out;
}

/** Function → action → why it is granted though no test exercises it; `"*"` holds what every function's role grants for the same reason. */
export type Justifications = Record<string, Record<string, string>>;

/** The justification for one function's grant, its own or the one for every function. */
export const justification = (justified: Justifications, fn: string, action: string): string | undefined => justified[fn]?.[action] ?? justified["*"]?.[action];

/** One function's row set in the table. */
export interface FunctionPrivileges {
  function: string;
  /** Variants whose record has the function. */
  variants: string[];
  rows: { action: string; granted: string[]; exercised: string[]; justified?: string }[];
}

/**
 * Every function of every variant: each granted action (union over the variants), the calls the
 * artifact tests made with it (`<resource> (<test file>)`), and its justification if any.
 */
export function privileges(records: Map<string, StackRecord>, exercised: ExercisedCalls, justified: Justifications): FunctionPrivileges[] {
  const byFunction = new Map<string, Omit<FunctionPrivileges, "rows"> & { granted: Map<string, Set<string>> }>();
  for (const [variant, record] of records) {
    for (const [fn, actions] of functionGrants(record)) {
      const entry = byFunction.get(fn) ?? { function: fn, variants: [] as string[], granted: new Map<string, Set<string>>() };
      entry.variants.push(variant);
      for (const [action, resources] of actions) entry.granted.set(action, new Set([...(entry.granted.get(action) ?? []), ...resources]));
      byFunction.set(fn, entry);
    }
  }
  const calls = (fn: string, action: string) =>
    Object.entries(exercised).flatMap(([file, byFn]) => (byFn[fn] ?? []).map(splitEntry).filter((c) => c.action === action).map((c) => `${c.resource} (${file})`));
  return [...byFunction.values()]
    .sort((a, b) => a.function.localeCompare(b.function))
    .map(({ granted, ...entry }) => ({
      ...entry,
      rows: [...granted.keys()].sort().map((action) => ({ action, granted: [...granted.get(action)!].sort(), exercised: calls(entry.function, action), justified: justification(justified, entry.function, action) })),
    }));
}

const cell = (items: string[]) => (items.length ? items.map((i) => `\`${i}\``).join("<br>") : "—");

/** docs/least-privilege.md: per function, every granted action, where it was exercised, or why it is granted anyway. */
export function renderTable(functions: FunctionPrivileges[]): string {
  const lines = [
    "# Least privilege, per function",
    "",
    "Generated by `tests/preflight/least-privilege.test.ts` (`UPDATE_EXERCISED=1 npx ava tests/preflight/least-privilege.test.ts` rewrites it); do not edit.",
    "**Granted**: the function's own role (its inline policy), over the dev, prod and \"everything on\" records. **Exercised**: calls the",
    "uploaded code made in the artifact tests (recorded by a proxy in front of every AWS endpoint, each allowed by the role under",
    "`@cloud-copilot/iam-simulate`; committed in `preflight/exercised-calls.json`). **Justified**: `preflight/justified-grants.ts`.",
    "",
    "| Function | Granted | Exercised | Justified |",
    "| --- | ---: | ---: | ---: |",
    ...functions.map((f) => `| [${f.function}](#${f.function}) | ${f.rows.length} | ${f.rows.filter((r) => r.exercised.length).length} | ${f.rows.filter((r) => !r.exercised.length && r.justified).length} |`),
    "",
  ];
  for (const f of functions) {
    lines.push(`## ${f.function}`, "", `In: ${f.variants.join(", ")}.`, "", "| Action | Granted on | Exercised on | Justified |", "| --- | --- | --- | --- |");
    for (const r of f.rows) lines.push(`| \`${r.action}\` | ${cell(r.granted)} | ${cell(r.exercised)} | ${r.exercised.length ? "" : (r.justified ?? "**no**")} |`);
    lines.push("");
  }
  return lines.join("\n");
}
