import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface LambdaRouteArgs {
  /** The HTTP API. Example: `messageApi.api`. */
  api: aws.apigatewayv2.Api;
  /** Example: `"GET /messages/{id}"` or `"$default"`. */
  routeKey: string;
  /** The function that serves the route. Example: `fn.function`. */
  fn: aws.lambda.Function;
  /** A JWT authorizer the route requires (no authorization when unset). Example: `{ id: authorizer.id }`. */
  authorizer?: { id: pulumi.Input<string> };
}

/** The execute-api ARN pattern for one route: `{id}` path segments become `*`. */
function routeSourceArn(api: aws.apigatewayv2.Api, routeKey: string) {
  if (routeKey === "$default") return pulumi.interpolate`${api.executionArn}/*/$default`;
  const [method, path] = routeKey.split(" ") as [string, string];
  return pulumi.interpolate`${api.executionArn}/*/${method}${path.replace(/\{[^}]+\}/g, "*")}`;
}

/**
 * Integration + route + invoke permission for one Lambda-backed HTTP API route. The permission is
 * scoped to this route's method and path, so a function cannot be invoked through another route.
 * Later components call this to put their routes on the shared API.
 */
export function addLambdaRoute(name: string, args: LambdaRouteArgs, parent: pulumi.Resource, aliases?: pulumi.CustomResourceOptions["aliases"]) {
  const opts: pulumi.CustomResourceOptions = { parent, ...(aliases ? { aliases } : {}) };
  const integration = new aws.apigatewayv2.Integration(
    name,
    { apiId: args.api.id, integrationType: "AWS_PROXY", integrationUri: args.fn.arn, payloadFormatVersion: "2.0", timeoutMilliseconds: 29_000 },
    opts,
  );
  const route = new aws.apigatewayv2.Route(
    name,
    {
      apiId: args.api.id,
      routeKey: args.routeKey,
      target: pulumi.interpolate`integrations/${integration.id}`,
      ...(args.authorizer ? { authorizationType: "JWT", authorizerId: args.authorizer.id } : {}),
    },
    opts,
  );
  const permission = new aws.lambda.Permission(
    name,
    { action: "lambda:InvokeFunction", function: args.fn.name, principal: "apigateway.amazonaws.com", sourceArn: routeSourceArn(args.api, args.routeKey) },
    opts,
  );
  return { integration, route, permission };
}
