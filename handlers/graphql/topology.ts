import { defineTopology } from "../shared/topology";
import { graphqlFunction } from "./functions";

/** The GraphQL routes: POST for any query (under the limits), GET for persisted ones. */
export const GRAPHQL_ROUTES = ["POST /graphql", "GET /graphql"];

/**
 * The GraphQL layer (components/graphql-api.ts in the stacks, local/graphql.ts locally): one
 * function on the shared HTTP API, no tables of its own — it reads the other components' tables,
 * which the component links by their logical names. No authorizer in front: the function verifies
 * the token itself, since public fields work without one.
 */
export const graphqlTopology = defineTopology({
  tables: {},
  functions: {
    graphql: { definition: graphqlFunction, description: "GraphQL: events, invitations, messages, meetings, sync status", routes: GRAPHQL_ROUTES, timeoutSeconds: 10 },
  },
});
