import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { inventory } from "./shared/inventory";
import { iamDescription, inlinePolicy, type Permission } from "./shared/iam";
import { rootDependencies, tracePackageFiles } from "./shared/package-trace";

export type { Permission } from "./shared/iam";

import { DEFAULT_RUNTIME_PACKAGES } from "../handlers/shared/packages";

export { DEFAULT_RUNTIME_PACKAGES, POWERTOOLS_PACKAGES } from "../handlers/shared/packages";

export interface HandlerFunctionArgs<E, R> {
  /**
   * Builds the handler once per cold start (clients, schemas, logger) and returns it. Pulumi
   * serializes this closure and everything it captures into the upload.
   * Usually `() => buildHandler(definition)` (see defined-function.ts, which builds every function from its definition).
   */
  factory: aws.lambda.CallbackFactory<E, R>;
  /** Shown in the console. Example: `"GET /messages/{id}"`. */
  description: string;
  /** What the function may do besides writing its own logs. Example: `[{ actions: ["dynamodb:GetItem"], resources: [table.arn] }]`. */
  permissions: Permission[];
  /** Environment variables (from the definition's keys; see defined-function.ts). Example: `{ ITEMS_TABLE: table.name }`. */
  environment?: Record<string, pulumi.Input<string>>;
  /** Days the function's log group keeps logs. Example: `14`. */
  logRetentionDays: number;
  /** npm packages the handler requires at run time. Example: `[...DEFAULT_RUNTIME_PACKAGES, "got"]`. */
  packages?: string[];
  /** Example: `256`. */
  memorySize?: number;
  /** Seconds. Example: `10`. */
  timeout?: number;
  /** Last-chance edits of the underlying resources' args. Example: `{ function: (a) => { a.reservedConcurrentExecutions = 5; } }`. */
  transform?: {
    role?: (args: aws.iam.RoleArgs) => void;
    function?: (args: aws.lambda.CallbackFunctionArgs<E, R>) => void;
  };
}

/**
 * A Lambda magic function the way Switchyard wants every function: its own least-privilege role,
 * its own log group with retention (JSON logs), Node.js 22 on arm64, and an upload holding only the
 * traced files of the packages it uses.
 */
export class HandlerFunction<E = unknown, R = unknown> extends pulumi.ComponentResource {
  readonly function: aws.lambda.CallbackFunction<E, R>;
  readonly role: aws.iam.Role;
  readonly policy: aws.iam.RolePolicy;
  readonly logGroup: aws.cloudwatch.LogGroup;

  constructor(name: string, args: HandlerFunctionArgs<E, R>, opts?: pulumi.ComponentResourceOptions) {
    super("switchyard:lambda:HandlerFunction", name, {}, opts);
    this.logGroup = this.createLogGroup(name, args);
    this.role = this.createRole(name, args);
    this.policy = this.createPolicy(name, args);
    this.function = this.createFunction(name, args);
    inventory.functions.push({ name, function: this.function, logGroup: this.logGroup });
    this.registerOutputs({ functionName: this.function.name, roleArn: this.role.arn });
  }

  get nodes() {
    return { function: this.function, role: this.role, policy: this.policy, logGroup: this.logGroup };
  }

  private createLogGroup(name: string, args: HandlerFunctionArgs<E, R>) {
    return new aws.cloudwatch.LogGroup(
      name,
      { name: `/switchyard/${pulumi.getStack()}/${name}`, retentionInDays: args.logRetentionDays },
      { parent: this },
    );
  }

  private createRole(name: string, args: HandlerFunctionArgs<E, R>) {
    const roleArgs: aws.iam.RoleArgs = {
      description: iamDescription(`Runs ${args.description}`),
      assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
    };
    args.transform?.role?.(roleArgs);
    return new aws.iam.Role(name, roleArgs, { parent: this });
  }

  /** Logs to its own group only, plus the caller's permissions; nothing else. */
  private createPolicy(name: string, args: HandlerFunctionArgs<E, R>) {
    const statements: Permission[] = [
      { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [pulumi.interpolate`${this.logGroup.arn}:log-stream:*`] },
      ...args.permissions,
    ];
    return inlinePolicy(name, this.role, statements, { parent: this });
  }

  private createFunction(name: string, args: HandlerFunctionArgs<E, R>) {
    const packages = args.packages ?? DEFAULT_RUNTIME_PACKAGES;
    const fnArgs: aws.lambda.CallbackFunctionArgs<E, R> = {
      description: args.description,
      callbackFactory: args.factory,
      role: this.role,
      runtime: aws.lambda.Runtime.NodeJS22dX,
      architectures: ["arm64"],
      memorySize: args.memorySize ?? 256,
      timeout: args.timeout ?? 10,
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
      environment: {
        variables: {
          POWERTOOLS_SERVICE_NAME: name,
          POWERTOOLS_METRICS_NAMESPACE: "Switchyard",
          ...args.environment,
        },
      },
      // Pulumi would upload every `dependencies` folder whole; instead exclude them all and add back
      // only the traced files of the packages this function loads.
      codePathOptions: { extraExcludePackages: rootDependencies(), extraIncludePaths: tracePackageFiles(packages) },
    };
    args.transform?.function?.(fnArgs);
    return new aws.lambda.CallbackFunction(name, fnArgs, { parent: this, dependsOn: [this.policy] });
  }
}
