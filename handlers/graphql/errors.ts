// GraphQL errors with stable codes (`extensions.code`): clients branch on the code, never on the
// message. Store and validation failures are HttpProblems (the REST handlers' errors): each maps to
// one code; anything else is INTERNAL_SERVER_ERROR with no details (the request id is in the logs).
import { GraphQLError } from "graphql";
import { HttpProblem, type ProblemSlug } from "../shared/problem";

export const ERROR_CODES = [
  "BAD_REQUEST",
  "BAD_USER_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "QUERY_TOO_DEEP",
  "QUERY_TOO_COSTLY",
  "PERSISTED_QUERY_NOT_FOUND",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "INTERNAL_SERVER_ERROR",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const graphqlError = (code: ErrorCode, message: string) => new GraphQLError(message, { extensions: { code } });

/** An HttpProblem's code: what the REST route would answer, as GraphQL says it. */
function codeOfProblem(slug: ProblemSlug): ErrorCode {
  switch (slug) {
    case "unauthorized":
      return "UNAUTHENTICATED";
    case "forbidden":
    case "invalid-token":
      return "FORBIDDEN";
    case "not-found":
      return "NOT_FOUND";
    case "internal-error":
    case "service-unavailable":
      return "INTERNAL_SERVER_ERROR";
    default:
      return "BAD_USER_INPUT";
  }
}

/** The error as sent: a stable code, the message only when the client caused it, and where it happened. */
export function formatError(error: GraphQLError): { message: string; code: ErrorCode; internal: boolean; json: Record<string, unknown> } {
  const original = error.originalError;
  let code = error.extensions?.code as ErrorCode | undefined;
  let message = error.message;
  if (original instanceof HttpProblem) {
    code = codeOfProblem(original.slug);
    message = original.message;
  } else if (original && !(original instanceof GraphQLError)) {
    code = "INTERNAL_SERVER_ERROR";
  } else if (original instanceof GraphQLError && original.extensions?.code) {
    code = original.extensions.code as ErrorCode;
  }
  // A field error graphql-js made itself (a variable of the wrong type found while executing, say): the client's.
  code ??= "BAD_USER_INPUT";
  const internal = code === "INTERNAL_SERVER_ERROR";
  if (internal) message = "Internal server error";
  const json: Record<string, unknown> = { message };
  if (error.locations) json.locations = error.locations;
  if (error.path) json.path = error.path;
  json.extensions = { code };
  return { message, code, internal, json };
}
