// field-constraints: every recorded input AWS constrains (length, character set, allowed values,
// numeric range, number of entries) against the constraint botocore's model states for the API
// member it becomes (preflight/field-map.ts → preflight/models/aws-constraints.json), corrected
// where AWS has changed the rule since (preflight/tightened.ts).
import { readFileSync } from "node:fs";
import { FIELD_MAP, isApiEntry, parsePath, type FieldMapping, type Step } from "../field-map";
import { resourceLabel, type Finding, type PreflightRule, type RecordedResource, type StackRecord } from "../finding";
import { CONSTRAINTS_FILE, constraintKey, type ConstraintsFile, type MemberConstraint } from "../models/extract";
import { MODEL_CHANGES } from "../tightened";

const RULE = "field-constraints";

/** Pulumi's marker of a secret value in a serialized input (`{ <sig>: <secret sig>, value }`). */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** Pulumi's stand-in for a value not known until the resource exists. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

let loaded: ConstraintsFile | undefined;
const constraintsFile = (): ConstraintsFile => (loaded ??= JSON.parse(readFileSync(CONSTRAINTS_FILE, "utf8")) as ConstraintsFile);

/** A Java regular expression as AWS applies it: to the whole value. */
export function javaPattern(pattern: string): RegExp {
  const whole = (p: string, flags: string) => new RegExp(`^(?:${p})$`, flags);
  try {
    // Unicode mode: \p{L} and friends, and \uXXXX as code points.
    return whole(pattern, "u");
  } catch {
    // Java allows escaping any punctuation (`\_`, `\#`); Unicode-mode JS only syntax characters.
    const relaxed = pattern.replace(/\\([^A-Za-z0-9^$\\.*+?()[\]{}|/-])/g, "$1");
    return whole(relaxed, "u");
  }
}
const compiled = new Map<string, RegExp>();
const regex = (pattern: string): RegExp => compiled.get(pattern) ?? compiled.set(pattern, javaPattern(pattern)).get(pattern)!;

/** Where a finding's constraint comes from. */
type Cited = MemberConstraint & { citedFrom: Partial<Record<"pattern" | "max" | "enum", string>> };

/** The model's constraint for `key`, with this file's corrections applied. */
function constraintFor(key: string): Cited {
  const model = constraintsFile().constraints[key];
  if (!model) throw new Error(`${key} is not in preflight/models/aws-constraints.json: run npm run preflight:models`);
  const cited: Cited = { ...model, citedFrom: {} };
  for (const change of MODEL_CHANGES.filter((c) => c.key === key)) {
    if (change.pattern !== undefined) Object.assign(cited, { pattern: change.pattern }, { citedFrom: { ...cited.citedFrom, pattern: change.url } });
    if (change.max !== undefined) Object.assign(cited, { max: change.max }, { citedFrom: { ...cited.citedFrom, max: change.url } });
    if (change.addEnum) Object.assign(cited, { enum: [...(cited.enum ?? []), ...change.addEnum] }, { citedFrom: { ...cited.citedFrom, enum: change.url } });
  }
  return cited;
}

function source(c: Cited, what: "min" | "max" | "pattern" | "enum"): string {
  const url = what === "min" ? undefined : c.citedFrom[what];
  if (url) return url;
  const kind = c.fromDocumentation ? (what === "enum" ? "documented values" : "documented range") : what;
  return `botocore ${constraintsFile().botocore} ${c.service} ${c.apiVersion} ${c.shape}.${c.member} ${kind}`;
}

/** One value found at a Pulumi input path. */
interface Located {
  path: string;
  value: unknown;
  secret: boolean;
}

/** Secret wrappers opened (and remembered), everything else as recorded. */
function unwrap(value: unknown): { value: unknown; secret: boolean } {
  if (value && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) return { value: (value as { value: unknown }).value, secret: true };
  return { value, secret: false };
}

/** Every value at `steps` under `value`, with its concrete path (`tags.component`, `tags{component}` for a key). */
function locate(value: unknown, steps: Step[], path: string, secret: boolean): Located[] {
  const opened = unwrap(value);
  const inSecret = secret || opened.secret;
  if (steps.length === 0) return [{ path, value: opened.value, secret: inSecret }];
  const [step, ...rest] = steps as [Step, ...Step[]];
  const v = opened.value;
  if ("prop" in step) return v && typeof v === "object" && !Array.isArray(v) ? locate((v as Record<string, unknown>)[step.prop], rest, path ? `${path}.${step.prop}` : step.prop, inSecret) : [];
  if ("fixedKey" in step) return [];
  if (step.each === "item") return Array.isArray(v) ? v.flatMap((item, i) => locate(item, rest, `${path}[${i}]`, inSecret)) : [];
  if (!v || typeof v !== "object" || Array.isArray(v)) return [];
  const entries = Object.entries(v as Record<string, unknown>);
  if (step.each === "key") return entries.map(([k]) => ({ path: `${path}{${k}}`, value: k, secret: inSecret }));
  return entries.flatMap(([k, x]) => locate(x, rest, `${path}.${k}`, inSecret));
}

/** The value the provider sends for `value`, in the model's type. */
function asApiValue(value: unknown, field: FieldMapping, type: string): unknown {
  if (field.convert === "json" && value && typeof value === "object") return JSON.stringify(value);
  if (field.convert === "enabled" && typeof value === "boolean") return value ? "ENABLED" : "DISABLED";
  if (type === "string" && (typeof value === "number" || typeof value === "boolean")) return String(value);
  if (["integer", "long", "double", "float"].includes(type) && typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  return value;
}

/** A pattern that is one character class, repeated: `[\u0020-\u007E]*`. Its rejected characters can be named. */
const ONE_CLASS = /^\^?\(?\[(?:\\.|[^\]\\])*\][*+]\)?\$?$/;

/** `; not allowed: U+2192 "→"`, for a one-class pattern. */
function rejectedCharacters(text: string, pattern: string): string {
  if (!ONE_CLASS.test(pattern)) return "";
  const bad = [...new Set([...text].filter((ch) => !regex(pattern).test(ch)))];
  return bad.length ? `; not allowed: ${bad.map((ch) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} ${JSON.stringify(ch)}`).join(", ")}` : "";
}

/** The value as a finding prints it: quoted, shortened, or `(secret)`. */
function shown(value: unknown, secret: boolean): string {
  if (secret) return "(secret)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

/** What is wrong with `value` under `c`, each with the part of the constraint it breaks. */
function violations(value: unknown, c: Cited): { what: "min" | "max" | "pattern" | "enum"; message: string }[] {
  const out: { what: "min" | "max" | "pattern" | "enum"; message: string }[] = [];
  if (c.type === "list" || c.type === "map") {
    const count = Array.isArray(value) ? value.length : value && typeof value === "object" ? Object.keys(value).length : undefined;
    if (count === undefined) return out;
    if (c.min !== undefined && count < c.min) out.push({ what: "min", message: `has ${count} entries; at least ${c.min}` });
    if (c.max !== undefined && count > c.max) out.push({ what: "max", message: `has ${count} entries; at most ${c.max}` });
    return out;
  }
  if (typeof value === "number" || (c.fromDocumentation && typeof value === "string")) {
    if (typeof value === "string") return [{ what: "min", message: "is not an integer" }];
    if (c.min !== undefined && value < c.min) out.push({ what: "min", message: `is below the minimum ${c.min}` });
    if (c.max !== undefined && value > c.max) out.push({ what: "max", message: `is above the maximum ${c.max}` });
    if (c.enum && !c.enum.includes(value)) out.push({ what: "enum", message: `is not one of ${c.enum.join(", ")}` });
    return out;
  }
  if (typeof value !== "string") return out;
  const length = c.type === "blob" ? Buffer.byteLength(value) : [...value].length;
  const unit = c.type === "blob" ? "bytes" : "characters";
  if (c.min !== undefined && length < c.min) out.push({ what: "min", message: `is ${length} ${unit}; at least ${c.min}` });
  if (c.max !== undefined && length > c.max) out.push({ what: "max", message: `is ${length} ${unit}; at most ${c.max}` });
  if (c.pattern !== undefined && c.type === "string" && !regex(c.pattern).test(value)) {
    out.push({ what: "pattern", message: `does not match ${c.pattern}${rejectedCharacters(value, c.pattern)}` });
  }
  if (c.enum && !c.enum.includes(value)) out.push({ what: "enum", message: `is not one of ${c.enum.join(", ")}` });
  return out;
}

/**
 * Values the mocks made up: resource ids and outputs (state the inputs did not set). AWS gets the
 * real ones, which follow its own formats, so the mock's are not checked.
 */
function mockOutputs(record: StackRecord): (value: string) => boolean {
  const outputs = new Set<string>();
  for (const r of record.resources) {
    outputs.add(r.id);
    for (const [k, v] of Object.entries(r.state)) if (typeof v === "string" && !(k in r.inputs)) outputs.add(v);
  }
  return (value) => outputs.has(value) || value.includes("arn:aws:mock:");
}

/** The provider's default tags, which the provider adds to the tags of every taggable resource. */
function defaultTags(record: StackRecord, r: RecordedResource): Record<string, unknown> {
  const provider = record.resources.find((p) => p.type === "pulumi:providers:aws" && r.provider?.endsWith(`::${p.id}`));
  const raw = provider?.inputs.defaultTags;
  const parsed = typeof raw === "string" ? (JSON.parse(raw) as { tags?: Record<string, unknown> }) : (raw as { tags?: Record<string, unknown> } | undefined);
  return parsed?.tags ?? {};
}

/** Findings for one resource. */
function checkResource(record: StackRecord, variant: string, r: RecordedResource, isMock: (v: string) => boolean): Finding[] {
  const entry = FIELD_MAP[r.type];
  const finding = (input: string, message: string, src: string): Finding => ({ stack: variant, resource: resourceLabel(r), input, rule: RULE, message, source: src });
  if (!entry) return [finding("(type)", `${r.type} has no entry in the field map: add its API and inputs`, "preflight/field-map.ts")];
  if (!isApiEntry(entry)) return [];
  const taggable = entry.fields.some((f) => f.input.startsWith("tags"));
  const defaults = taggable ? defaultTags(record, r) : {};
  const inputs: Record<string, unknown> = taggable && Object.keys(defaults).length ? { ...r.inputs, tags: { ...defaults, ...(unwrap(r.inputs.tags).value as object) } } : r.inputs;
  const fromProvider = (path: string) => taggable && /^tags[.{]/.test(path) && !(path.replace(/^tags[.{]([^}]*)}?$/, "$1") in (r.inputs.tags ?? {}));
  const findings: Finding[] = [];
  for (const field of entry.fields) {
    const c = constraintFor(constraintKey(entry.service, field.shape ?? entry.shape, field.member));
    let located = locate(inputs, parsePath(field.input), "", false);
    if (field.autoname && inputs[field.input] === undefined) {
      // Pulumi names it: the mock's name has the same form (logical name, "-", 7 hex characters).
      const physical = r.state[field.input] ?? r.state.name;
      located = physical === undefined ? [] : [{ path: `${field.input} (auto-named)`, value: physical, secret: false }];
    }
    for (const at of located) {
      if (at.value === null || at.value === undefined || at.value === UNKNOWN) continue;
      if (typeof at.value === "string" && isMock(at.value) && !at.path.endsWith("(auto-named)")) continue;
      // A documented range is of the integer the map's string value holds (SQS attributes).
      const value = asApiValue(at.value, field, c.fromDocumentation ? "integer" : c.type);
      const input = fromProvider(at.path) ? `${at.path} (the provider's defaultTags)` : at.path;
      for (const v of violations(value, c)) findings.push(finding(input, `${shown(value, at.secret)} ${v.message} (${c.operation} ${c.member})`, source(c, v.what)));
    }
  }
  return findings;
}

/** Lengths, character sets, allowed values, ranges and counts AWS's service models state, on every recorded input. */
export const fieldConstraints: PreflightRule = {
  name: RULE,
  description: "every constrained input (names, descriptions, enums, ranges, tags) against botocore's service models and the changes AWS made since",
  check(record: StackRecord, variant: string): Finding[] {
    const isMock = mockOutputs(record);
    return record.resources.flatMap((r) => checkResource(record, variant, r, isMock));
  },
};
