import { eventsApiFragment } from "./events/openapi";
import { healthApiFragment } from "./health/openapi";
import { messageApiFragment } from "./messages/openapi";
import { PROBLEM_TYPES, problemTypeUri, type ProblemSlug } from "./shared/problem";
import { gistsApiFragment } from "./sync/openapi";
import { stripeWebhookApiFragment, webhookApiFragment } from "./webhooks/openapi";
import { license } from "../package.json";

/** The HTTP API's OpenAPI 3.1 document, generated from the zod schemas and the route lists. */
export function apiDocument(serverUrl = "http://127.0.0.1:3000") {
  const fragments = [messageApiFragment(), webhookApiFragment("calendly"), stripeWebhookApiFragment(), gistsApiFragment(), healthApiFragment(), eventsApiFragment()];
  return {
    openapi: "3.1.0",
    info: {
      title: "Switchyard API",
      version: "1.0.0",
      license: { name: license, identifier: license }, // the repository's LICENSE, as package.json names it
      description: `Errors are RFC 9457 problem details. Problem types: ${Object.keys(PROBLEM_TYPES)
        .map((slug) => problemTypeUri(slug as ProblemSlug))
        .join(", ")}.`,
    },
    servers: [{ url: serverUrl, description: "Local mode (npm start); a stack's URL is its apiUrl output" }],
    paths: Object.assign({}, ...fragments.map((f) => f.paths)),
    components: {
      schemas: Object.assign({}, ...fragments.map((f) => f.schemas)),
      securitySchemes: Object.assign({}, ...fragments.map((f) => f.securitySchemes)),
    },
  };
}
