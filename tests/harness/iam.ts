import type { RecordedResource, StackRecord } from "./record";
import { ofType } from "./stacks";

export interface Statement {
  Effect: string;
  Action: string[];
  Resource: string[];
}

/** The inline policy statements of every role, keyed by role resource name. */
export function policiesByRole(record: StackRecord): Map<string, Statement[]> {
  const roles = ofType(record, "aws:iam/role:Role");
  const map = new Map<string, Statement[]>();
  for (const policy of ofType(record, "aws:iam/rolePolicy:RolePolicy")) {
    const role = roles.find((r) => r.state.name === policy.inputs.role);
    if (!role) throw new Error(`policy ${policy.name} names unknown role ${policy.inputs.role}`);
    const doc = JSON.parse(policy.inputs.policy) as { Statement: Statement[] };
    map.set(role.name, [...(map.get(role.name) ?? []), ...doc.Statement.map((s) => ({ ...s, Action: [s.Action].flat(), Resource: [s.Resource].flat() }))]);
  }
  return map;
}

/** The role a Lambda function runs as. */
export function roleOf(record: StackRecord, fn: RecordedResource): RecordedResource {
  const role = ofType(record, "aws:iam/role:Role").find((r) => r.state.arn === fn.inputs.role);
  if (!role) throw new Error(`function ${fn.name} runs as ${fn.inputs.role}, which is no role of this stack`);
  return role;
}

/** Action → resources, flattened over every statement. */
export function grants(statements: Statement[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of statements) {
    if (s.Effect !== "Allow") continue;
    for (const action of s.Action) out[action] = [...(out[action] ?? []), ...s.Resource].sort();
  }
  return out;
}
