// IAM's decision for one request against identity policies, as IAM evaluates them
// (@cloud-copilot/iam-simulate): the deploy and preview roles in preflight, each function's own
// role in the least-privilege test.
import { runSimulation } from "@cloud-copilot/iam-simulate";

export const ACCOUNT = "123456789012";

export interface PolicyDocument {
  Version: string;
  Statement: unknown[] | unknown;
}

export interface SimulatedRequest {
  /** Example: `"dynamodb:PutItem"`. */
  action: string;
  /** Example: `"arn:aws:dynamodb:us-east-1:123456789012:table/messages"`; `"*"` for actions with no resource type. */
  resource: string;
  /** Condition keys the request carries. Example: `{ "aws:RequestTag/project": "switchyard" }`. */
  context?: Record<string, string | string[]>;
}

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** The decision, or the simulator's validation error (an unknown action, an ARN the action has no type for, …). */
export async function simulate(policies: PolicyDocument[], request: SimulatedRequest, principal = `arn:aws:iam::${ACCOUNT}:role/preflight`): Promise<{ decision: Decision } | { error: string }> {
  const response = await runSimulation(
    {
      identityPolicies: policies.map((policy, i) => ({ name: `policy-${i}`, policy: policy as never })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: { action: request.action, principal, resource: { accountId: ACCOUNT, resource: request.resource }, contextVariables: request.context ?? {} },
    },
    {},
  );
  if (response.resultType === "error") return { error: JSON.stringify(response.errors) };
  return { decision: response.overallResult as Decision };
}
