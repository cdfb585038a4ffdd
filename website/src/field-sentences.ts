// One human sentence per field from a validation problem's errors[] (pointer, detail). The API's
// details are for developers ("Too big: expected string to have <=1000 characters"); a form says
// what to do instead ("A message is at most 1,000 characters."). No DOM here: unit tests run it in
// Node against the API's own details.

/** How sentences name one field of a form. */
export interface FieldWording {
  /** The field as a sentence names it: "a message", "the title". */
  noun: string;
  /** Said when the field is missing or blank: "Write a message first." */
  empty?: string;
  /** Said when the value is not of the expected form: "Choose a start date and time." */
  invalid?: string;
  /** Units of a number field: "minutes". */
  unit?: string;
  /** For a list field: what its items are ("addresses") and the text of item `i` as sent. */
  items?: string;
  itemValue?: (index: number) => string | undefined;
  /** Said about items whose values are not valid: (["x@", "y"]) → "“x@” and “y” are not email addresses." */
  invalidItems?: (values: string[]) => string;
}

export interface FieldProblem {
  pointer: string;
  detail: string;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const sentence = (s: string) => capital(/[.!?]$/.test(s) ? s : `${s}.`);
const number = (n: string) => Number(n).toLocaleString("en-US");
/** `5242880 bytes` → `5 MB`: sizes as people read them. */
const bytes = (text: string) => text.replace(/(\d+) bytes/g, (_, n: string) => (Number(n) >= 1024 * 1024 ? `${+(Number(n) / 1024 / 1024).toFixed(1)} MB` : `${number(n)} bytes`));

/** The field a pointer names: `#/message` → `message`, `#/path/id` → `id`, `#/emails/2` → `emails`. */
export function fieldOf(pointer: string): { field: string; index?: number } {
  const [first, second, third] = pointer.replace(/^#\/?/, "").split("/");
  const [field, item] = first === "path" || first === "query" ? [second ?? "", third] : [first ?? "", second];
  return item !== undefined && /^\d+$/.test(item) ? { field, index: Number(item) } : { field };
}

type Kind = "empty" | "tooLong" | "tooShort" | "below" | "above" | "tooMany" | "whole" | "invalid" | "choice" | "unknown" | "other";

/** What a zod (or handler) detail says, whatever its wording around the number. */
function kindOf(detail: string): { kind: Kind; n?: string } {
  let m: RegExpMatchArray | null;
  if (/received undefined|must not be (blank|empty)|>=1 (characters|items)/.test(detail)) return { kind: "empty" };
  // zod's own wording, or the shared text rule's (handlers/shared/text.ts).
  if ((m = detail.match(/string to have <=(\d+)|must be at most (\d+) characters/))) return { kind: "tooLong", n: m[1] ?? m[2] };
  if ((m = detail.match(/string to have >=(\d+)/))) return { kind: "tooShort", n: m[1] };
  if ((m = detail.match(/array to have <=(\d+)/))) return { kind: "tooMany", n: m[1] };
  if ((m = detail.match(/number to be >=?(-?\d+)/))) return { kind: "below", n: m[1] };
  if ((m = detail.match(/number to be <=?(-?\d+)/))) return { kind: "above", n: m[1] };
  if (/expected int|expected number/.test(detail)) return { kind: "whole" };
  if (/^Invalid option/.test(detail)) return { kind: "choice" };
  if (/^unknown field$/.test(detail)) return { kind: "unknown" };
  if (/^Invalid/.test(detail)) return { kind: "invalid" };
  return { kind: "other" };
}

/** One sentence for one field's problems (the first that says something; the rest repeat it). */
export function describe(problems: FieldProblem[], spec: FieldWording): string {
  const noun = capital(spec.noun);
  const unit = spec.unit ? ` ${spec.unit}` : "";
  const items = fieldOf(problems[0]!.pointer).index === undefined ? [] : problems.map((p) => spec.itemValue?.(fieldOf(p.pointer).index!));
  if (items.length && spec.invalidItems && items.every((v): v is string => v !== undefined)) return spec.invalidItems([...new Set(items)]);
  const { kind, n = "" } = kindOf(problems[0]!.detail);
  switch (kind) {
    case "empty":
      return spec.empty ?? `Fill in ${spec.noun}.`;
    case "tooLong":
      return `${noun} is at most ${number(n)} characters.`;
    case "tooShort":
      return `${noun} is at least ${number(n)} characters.`;
    case "tooMany":
      return `At most ${number(n)} ${spec.items ?? "items"} at a time.`;
    case "below":
      return `${noun} is at least ${number(n)}${unit}.`;
    case "above":
      return `${noun} is at most ${number(n)}${unit}.`;
    case "whole":
      return `${noun} must be a whole number${unit ? ` of${unit}` : ""}.`;
    case "choice":
      return `Choose ${spec.noun}.`;
    case "invalid":
      return spec.invalid ?? `${noun} is not valid.`;
    case "unknown":
      return "The page sent something the API does not take: reload the page and try again.";
    default:
      // Handler checks read as a predicate ("must be in the future") or a whole clause.
      return sentence(bytes(/^(must|is|are|may) /.test(problems[0]!.detail) ? `${noun} ${problems[0]!.detail}` : problems[0]!.detail));
  }
}

/** A field's name as a noun when a form has no spec for it: `startsAt` → "the starts at". */
export const genericWording = (field: string): FieldWording => ({ noun: field ? `the ${field.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()}` : "the request" });

/** Groups problems by field, in the order the API listed them. */
export function byField(problems: FieldProblem[]): Map<string, FieldProblem[]> {
  const groups = new Map<string, FieldProblem[]>();
  for (const p of problems) {
    const { field } = fieldOf(p.pointer);
    groups.set(field, [...(groups.get(field) ?? []), p]);
  }
  return groups;
}

/** Sentences for problems no form field shows (the whole body, or a field the form lacks). */
export const sentences = (problems: FieldProblem[]) => [...byField(problems)].map(([field, group]) => describe(group, genericWording(field)));
