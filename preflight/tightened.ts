// Where AWS's rules differ from the late-2022 botocore model preflight/models/aws-constraints.json
// comes from, each with the AWS page that states the current rule. Most are tightenings (the
// model accepts what AWS now rejects); a few are values AWS added since (the model would reject
// what the program rightly uses). Only what a page states is listed.
//
// Not listed, on purpose: IAM policy documents (PutRolePolicy PolicyDocument, CreateRole
// AssumeRolePolicyDocument). Their character set, [\u0009\u000A\u000D\u0020-\u00FF]+, is already
// in the model and unchanged (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html),
// so "→" (U+2192) in a policy is caught from the model itself.
import { constraintKey } from "./models/extract";

/** One member whose rule changed after the model. */
export interface ModelChange {
  /** The member, as aws-constraints.json keys it. */
  key: string;
  change: "tightened" | "added values";
  /** The current pattern (Java syntax, like the model's). */
  pattern?: string;
  max?: number;
  /** Values AWS accepts now that the model's enum lacks. */
  addEnum?: string[];
  /** The AWS page that states the current rule. */
  url: string;
  /** What changed, in a line. */
  note: string;
}

export const MODEL_CHANGES: ModelChange[] = [
  {
    key: constraintKey("iam", "CreateRoleRequest", "Description"),
    change: "tightened",
    pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*",
    url: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
    note: "the model allows any letter, mark, space, symbol, number or punctuation; IAM now takes tab, LF, CR, printable ASCII and Latin-1 only (the AWS CLI reference, https://docs.aws.amazon.com/cli/latest/reference/iam/create-role.html, prints the pattern)",
  },
  {
    key: constraintKey("cloudfront", "CreateFunctionRequest", "FunctionConfig.Comment"),
    change: "tightened",
    max: 128,
    url: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_FunctionConfig.html",
    note: "the model gives no length; the API reference: the comment cannot be longer than 128 characters",
  },
  {
    key: constraintKey("cloudfront", "CreateFunctionRequest", "FunctionConfig.Runtime"),
    change: "added values",
    addEnum: ["cloudfront-js-2.0"],
    url: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_FunctionConfig.html",
    note: "the model knows cloudfront-js-1.0 only; cloudfront-js-2.0 came in November 2023",
  },
  {
    key: constraintKey("lambda", "CreateFunctionRequest", "Runtime"),
    change: "added values",
    addEnum: ["nodejs20.x", "nodejs22.x"],
    url: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
    note: "the model's newest Node.js runtime is nodejs18.x; nodejs20.x (November 2023) and nodejs22.x (November 2024) are supported runtimes",
  },
  {
    key: constraintKey("sesv2", "CreateConfigurationSetRequest", "ConfigurationSetName"),
    change: "tightened",
    pattern: "[A-Za-z0-9_-]+",
    max: 64,
    url: "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_CreateConfigurationSet.html",
    note: "the model states the rule only in the member's documentation: up to 64 letters, numbers, hyphens and underscores",
  },
];
