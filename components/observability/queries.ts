// The stack's log groups and its saved Logs Insights queries over all of them (the dashboard's logs
// widget names the queries; `npm run logs` reads the `logGroups` output).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { savedLogQueries } from "../../handlers/shared/log-queries";
import type { inventory } from "../shared/inventory";

/** Every log group of the stack, by function (or task) name. Example: `{ "api-create": "/aws/lambda/api-create-1a2b3c" }`. */
export function logGroupsByName(resources: typeof inventory): pulumi.Output<Record<string, string>> {
  return pulumi
    .all([...resources.functions, ...resources.otherLogGroups].map((f) => f.logGroup.name.apply((group) => [f.name, group] as const)))
    .apply((pairs) => Object.fromEntries(pairs));
}

/**
 * The saved queries (handlers/shared/log-queries.ts), each over every log group, named
 * `<name>-<kind>` and parented to the component. Example: `createSavedQueries(component, "observability", inventory)`.
 */
export function createSavedQueries(parent: pulumi.Resource, name: string, resources: typeof inventory): aws.cloudwatch.QueryDefinition[] {
  const groups = [...resources.functions, ...resources.otherLogGroups].map((f) => f.logGroup.name);
  return savedLogQueries(pulumi.getStack()).map(
    (q) => new aws.cloudwatch.QueryDefinition(`${name}-${q.kind}`, { name: q.name, queryString: q.queryString, logGroupNames: groups }, { parent }),
  );
}
