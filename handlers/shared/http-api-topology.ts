import { routeNotFoundFunction } from "./route-not-found";
import { defineTopology } from "./topology";

/** The shared HTTP API itself: no tables, and a `$default` route that answers a problem+json 404. */
export const httpApiTopology = defineTopology({
  tables: {},
  functions: {
    notFound: { definition: routeNotFoundFunction, routes: ["$default"], description: "$default (unmatched routes)" },
  },
});
