import * as pulumi from "@pulumi/pulumi";

/** Powertools for AWS Lambda (TypeScript) 2.x: `true` makes every `Metrics` instance publish nothing. */
export const METRICS_DISABLED_VARIABLE = "POWERTOOLS_METRICS_DISABLED";

const FUNCTION_TYPE = "aws:lambda/function:Function";
const TASK_DEFINITION_TYPE = "aws:ecs/taskDefinition:TaskDefinition";

type Environment = { variables?: pulumi.Input<Record<string, pulumi.Input<string>>> } | undefined;
interface ContainerDefinition {
  environment?: { name: string; value: string }[];
  [key: string]: unknown;
}

/** A function's `environment` with the variable added (whatever else it holds is kept). */
function withVariable(environment: pulumi.Input<Environment>): pulumi.Output<NonNullable<Environment>> {
  return pulumi.output(environment).apply((env) => ({ ...env, variables: { ...env?.variables, [METRICS_DISABLED_VARIABLE]: "true" } }));
}

/** A task definition's `containerDefinitions` (JSON text) with the variable in every container's environment. */
export function containerDefinitionsWithVariable(json: string): string {
  const containers = JSON.parse(json) as ContainerDefinition[];
  return JSON.stringify(
    containers.map((c) => ({
      ...c,
      environment: [...(c.environment ?? []).filter((e) => e.name !== METRICS_DISABLED_VARIABLE), { name: METRICS_DISABLED_VARIABLE, value: "true" }].sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    })),
  );
}

/**
 * Registers a stack transform that sets `POWERTOOLS_METRICS_DISABLED=true` on every Lambda function
 * (`environment.variables`) and every ECS task definition (each container's `environment` in
 * `containerDefinitions`) the program creates from then on, so the handlers' Embedded Metric Format
 * metrics (business counters, cold starts, the health check's) are never published and no custom
 * metric exists at idle. Because it is a stack transform, a function or task added later by any
 * component is covered without edits. Logs are unaffected. Register it before the components; the
 * lean observability profile does (`applyObservabilityProfile("lean")`, components/observability/profile.ts).
 */
export function disableCustomMetrics(): void {
  pulumi.runtime.registerResourceTransform((args) => {
    if (!args.custom) return undefined;
    if (args.type === FUNCTION_TYPE) {
      return { props: { ...args.props, environment: withVariable(args.props.environment) }, opts: args.opts };
    }
    if (args.type === TASK_DEFINITION_TYPE && args.props.containerDefinitions !== undefined) {
      const containerDefinitions = pulumi.output(args.props.containerDefinitions as pulumi.Input<string>).apply(containerDefinitionsWithVariable);
      return { props: { ...args.props, containerDefinitions }, opts: args.opts };
    }
    return undefined;
  });
}
