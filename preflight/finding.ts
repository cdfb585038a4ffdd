// What a preflight rule reports, and what every rule is: a pure function of one recorded stack.
import type { RecordedResource, StackRecord } from "../tests/harness/record";

export type { RecordedResource, StackRecord };

/** One thing AWS would refuse (or a gap that makes a deploy fail), named precisely enough to fix. */
export interface Finding {
  /** The variant the record came from. Example: `"prod-everything"`. */
  stack: string;
  /** `<type> "<name>"`, or a file for the roles' documents. Example: `aws:iam/role:Role "calendly-project"`. */
  resource: string;
  /** The input's path. Example: `"description"`, `"policy.Statement[0].Action[1]"`. */
  input: string;
  /** The rule's name. Example: `"field-constraints"`. */
  rule: string;
  /** What is wrong, with the value. */
  message: string;
  /** Where the constraint comes from: a service model shape, a data package, a documentation page. */
  source: string;
}

/** A check run on every variant's record. */
export interface PreflightRule {
  /** Example: `"field-constraints"`. */
  name: string;
  /** One line: what the rule checks. */
  description: string;
  check(record: StackRecord, variant: string): Finding[] | Promise<Finding[]>;
}

/** `aws:iam/role:Role "calendly-project"`: how a finding names a recorded resource. */
export const resourceLabel = (r: Pick<RecordedResource, "type" | "name">): string => `${r.type} "${r.name}"`;

/** One line per finding, the way `npm run preflight` prints it. */
export function formatFinding(f: Finding): string {
  return `[${f.rule}] ${f.stack}: ${f.resource} ${f.input}: ${f.message} (source: ${f.source})`;
}
