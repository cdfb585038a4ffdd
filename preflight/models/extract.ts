// `npm run preflight:models`: writes preflight/models/aws-constraints.json, the constraints (min,
// max, pattern, enum) of exactly the API members preflight/field-map.ts names, taken from
// botocore's service models (Debian's python3-botocore, late 2022). The file is committed, small
// and sorted; tests/preflight/field-constraints.test.ts checks it equals a fresh extraction.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { FIELD_MAP, isApiEntry, parsePath } from "../field-map";

/** Where the committed extraction lives. */
export const CONSTRAINTS_FILE = join(__dirname, "aws-constraints.json");

/** What the tests and the rule say when botocore's models are not on the machine. */
export const INSTALL_BOTOCORE = "install python3-botocore (apt-get install -y python3-botocore)";

/** Debian's python3-botocore: the models the committed file was made from. */
const DEBIAN_BOTOCORE = "/usr/lib/python3/dist-packages/botocore";

/** One API member's constraints, as the model states them. */
export interface MemberConstraint {
  /** botocore's service folder. Example: `"iam"`. */
  service: string;
  /** Example: `"2010-05-08"`. */
  apiVersion: string;
  /** The operation whose input shape this is. Example: `"CreateRole"`. */
  operation: string;
  /** Example: `"CreateRoleRequest"`. */
  shape: string;
  /** The member path from `shape` (field-map syntax). Example: `"Description"`. */
  member: string;
  /** The shape the member path ends on. Example: `"roleDescriptionType"`. */
  target: string;
  /** The model's type: string, integer, long, double, boolean, blob, list, map, structure, timestamp. */
  type: string;
  min?: number;
  max?: number;
  /** A Java regular expression that must match the whole value. */
  pattern?: string;
  enum?: (string | number)[];
  /** Set when min/max/enum come from the model's documentation text, not its constraint fields. */
  fromDocumentation?: true;
}

/** The extraction: the botocore version and each member's constraints by `constraintKey`. */
export interface ConstraintsFile {
  botocore: string;
  constraints: Record<string, MemberConstraint>;
}

/** `"iam CreateRoleRequest.Description"`: how the file and the rule name a member. */
export const constraintKey = (service: string, shape: string, member: string): string => `${service} ${shape}.${member}`;

/** botocore's package folder: Debian's, else the one `python3` imports. Throws `INSTALL_BOTOCORE` when there is none. */
export function locateBotocore(): string {
  if (existsSync(join(DEBIAN_BOTOCORE, "data"))) return DEBIAN_BOTOCORE;
  try {
    const dir = execFileSync("python3", ["-c", "import botocore,os;print(os.path.dirname(botocore.__file__))"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    if (dir && existsSync(join(dir, "data"))) return dir;
  } catch {
    // No python3 or no botocore: the same answer as below.
  }
  throw new Error(INSTALL_BOTOCORE);
}

/** The version botocore declares in its `__init__.py`. */
export function botocoreVersion(botocore: string): string {
  const version = /__version__\s*=\s*['"]([^'"]+)['"]/.exec(readFileSync(join(botocore, "__init__.py"), "utf8"))?.[1];
  if (!version) throw new Error(`no __version__ in ${botocore}/__init__.py`);
  return version;
}

interface Shape {
  type: string;
  members?: Record<string, { shape: string; documentation?: string }>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  documentation?: string;
}
interface Model {
  metadata: { apiVersion: string };
  operations: Record<string, { name: string; input?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

/** The service's newest model (botocore loads the newest API version too); plain or gzipped JSON. */
function loadModel(botocore: string, service: string): Model {
  const dir = join(botocore, "data", service);
  const version = readdirSync(dir).sort().at(-1)!;
  const plain = join(dir, version, "service-2.json");
  const text = existsSync(plain) ? readFileSync(plain, "utf8") : gunzipSync(readFileSync(`${plain}.gz`)).toString("utf8");
  return JSON.parse(text) as Model;
}

const plainText = (html: string): string => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

/** "Possible values are: 1, 3, 5, … and 3653." in a shape's documentation. */
function documentedValues(doc: string | undefined, where: string): number[] {
  const list = /Possible values are:?([\d,\sand]+)/.exec(plainText(doc ?? ""))?.[1];
  if (!list) throw new Error(`${where}: no "Possible values are" list in the documentation`);
  return list.split(/,|\band\b/).map((s) => s.trim()).filter(Boolean).map(Number);
}

/** "<code>Key</code> – … An integer from 0 to 900 …" for one key, in a map member's documentation. */
function documentedRange(doc: string | undefined, key: string, where: string): { min: number; max: number } {
  const item = (doc ?? "").split(/<li>/).find((li) => li.includes(`<code>${key}</code>`));
  const range = item && /An integer from ([\d,]+)[^.]*? to ([\d,]+)/.exec(plainText(item));
  if (!range) throw new Error(`${where}: no "An integer from … to …" for ${key} in the documentation`);
  const num = (s: string) => Number(s.replace(/,/g, ""));
  return { min: num(range[1]!), max: num(range[2]!) };
}

/** Follows `member` from `shapeName` and returns the constraints at its end. */
function resolve(model: Model, service: string, shapeName: string, member: string, documented: "values" | "range" | undefined): MemberConstraint {
  const where = `${service} ${shapeName}.${member}`;
  const shapes = model.shapes;
  const at = (name: string): Shape => shapes[name] ?? (() => { throw new Error(`${where}: no shape ${name}`); })();
  let current = shapeName;
  let memberDoc: string | undefined;
  let fixedKey: string | undefined;
  at(current);
  for (const step of parsePath(member)) {
    const shape = at(current);
    if ("prop" in step) {
      const m = shape.type === "structure" ? shape.members?.[step.prop] : undefined;
      if (!m) throw new Error(`${where}: ${current} has no member ${step.prop}`);
      memberDoc = m.documentation;
      current = m.shape;
    } else if ("fixedKey" in step) {
      if (shape.type !== "map") throw new Error(`${where}: ${current} is not a map`);
      const keys = at(shape.key!.shape).enum;
      if (keys && !keys.includes(step.fixedKey)) throw new Error(`${where}: ${step.fixedKey} is not one of ${current}'s keys`);
      fixedKey = step.fixedKey;
      current = shape.value!.shape;
    } else {
      const next = step.each === "item" ? (shape.type === "list" ? shape.member : undefined) : shape.type === "map" ? shape[step.each] : undefined;
      if (!next) throw new Error(`${where}: ${current} is not a ${step.each === "item" ? "list" : "map"}`);
      current = next.shape;
    }
  }
  const target = at(current);
  const operation = Object.values(model.operations).find((op) => op.input?.shape === shapeName)?.name;
  if (!operation) throw new Error(`${where}: no operation takes ${shapeName}`);
  const constraint: MemberConstraint = { service, apiVersion: model.metadata.apiVersion, operation, shape: shapeName, member, target: current, type: target.type };
  if (target.min !== undefined) constraint.min = target.min;
  if (target.max !== undefined) constraint.max = target.max;
  if (target.pattern !== undefined) constraint.pattern = target.pattern;
  if (target.enum !== undefined) constraint.enum = [...target.enum];
  if (documented === "values") {
    constraint.enum = documentedValues(target.documentation ?? memberDoc, where);
    constraint.fromDocumentation = true;
  } else if (documented === "range") {
    if (!fixedKey) throw new Error(`${where}: a documented range needs a fixed map key`);
    Object.assign(constraint, documentedRange(memberDoc, fixedKey, where), { fromDocumentation: true });
  }
  return constraint;
}

/** Every field-map member's constraints from the botocore at `botocore`. */
export function extractConstraints(botocore: string = locateBotocore()): ConstraintsFile {
  const models = new Map<string, Model>();
  const constraints: Record<string, MemberConstraint> = {};
  for (const entry of Object.values(FIELD_MAP)) {
    if (!isApiEntry(entry)) continue;
    if (!models.has(entry.service)) models.set(entry.service, loadModel(botocore, entry.service));
    for (const field of entry.fields) {
      const shape = field.shape ?? entry.shape;
      constraints[constraintKey(entry.service, shape, field.member)] = resolve(models.get(entry.service)!, entry.service, shape, field.member, field.documented);
    }
  }
  return { botocore: botocoreVersion(botocore), constraints };
}

/** Every object's keys sorted, recursively. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!v || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sortKeys(x)]));
}

/** The file's text: keys sorted, one line per member, so a model change diffs as the lines it touches. */
export function constraintsJson(file: ConstraintsFile): string {
  const sorted = sortKeys(file.constraints) as Record<string, MemberConstraint>;
  const lines = Object.entries(sorted).map(([key, c]) => `    ${JSON.stringify(key)}: ${JSON.stringify(c)}`);
  return `{\n  "botocore": ${JSON.stringify(file.botocore)},\n  "constraints": {\n${lines.join(",\n")}\n  }\n}\n`;
}

if (require.main === module) {
  const botocore = locateBotocore();
  const extracted = extractConstraints(botocore);
  writeFileSync(CONSTRAINTS_FILE, constraintsJson(extracted));
  console.log(`${CONSTRAINTS_FILE}: ${Object.keys(extracted.constraints).length} members from botocore ${extracted.botocore} (${botocore})`);
}
