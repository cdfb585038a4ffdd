// POST /graphql and GET /graphql, following GraphQL over HTTP (https://graphql.github.io/graphql-over-http/):
// the answer is `application/graphql-response+json` unless the client accepts only `application/json`.
// With graphql-response+json, a request error (unparsable, invalid, over a limit, bad variables, an
// unknown persisted id) is a 400 with `errors` and no `data`; an answer with `data` is a 200, field
// errors included (UNAUTHENTICATED, NOT_FOUND, …). With application/json (the legacy type), every
// well-formed request gets a 200, as the spec says. What is not a GraphQL request at all (not JSON,
// another content type, too large, no query) is a 4xx in both. Nothing a client sends is a 5xx.
import { GraphQLError, NoSchemaIntrospectionCustomRule, buildSchema, execute, getOperationAST, parse, specifiedRules, validate, type DocumentNode, type ExecutionResult, type FragmentDefinitionNode, type GraphQLSchema } from "graphql";
import type { HttpEvent, HttpHandler, HttpResult } from "../shared/http";
import type { Observability } from "../shared/observability";
import type { Authenticate } from "./auth";
import { formatError, graphqlError, type ErrorCode } from "./errors";
import { GRAPHQL_LIMITS, checkCost, queryCost } from "./limits";
import { persistedQuery } from "./persisted";
import { requestContext, type rootResolvers } from "./resolvers";
import { SCHEMA_SDL } from "./schema.generated";

export const GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json";

export interface GraphqlHandlerDeps {
  obs: Observability;
  root: ReturnType<typeof rootResolvers>;
  authenticate: Authenticate;
}

/** A request that is not a GraphQL request (or one refused before execution), with its status. */
class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly error: GraphQLError,
  ) {
    super(error.message);
  }
}
const requestError = (status: number, code: ErrorCode, message: string) => new RequestError(status, graphqlError(code, message));

interface GraphqlParams {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
  /** Run by persisted id: the answer may be cached when it is public. */
  persisted: boolean;
}

const header = (event: HttpEvent, name: string) => event.headers?.[name] ?? Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];

/** A JSON object, or the error saying what `where` should be. */
function objectOrNull(value: unknown, where: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw requestError(400, "BAD_REQUEST", `${where} must be a JSON object.`);
  return value as Record<string, unknown>;
}
function stringOrNull(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw requestError(400, "BAD_REQUEST", `${where} must be a string.`);
  return value;
}

/** The GraphQL request of a POST body or a GET's query string. */
function readParams(event: HttpEvent): GraphqlParams {
  let raw: Record<string, unknown>;
  if (event.requestContext?.http?.method === "GET") {
    const q = event.queryStringParameters ?? {};
    let variables: unknown;
    if (q.variables !== undefined) {
      try {
        variables = JSON.parse(q.variables);
      } catch {
        throw requestError(400, "BAD_REQUEST", "variables must be JSON.");
      }
    }
    raw = { query: q.query, id: q.id, operationName: q.operationName, variables };
  } else {
    const mediaType = (header(event, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (mediaType !== "application/json") throw requestError(415, "BAD_REQUEST", `Send the request as application/json (got "${mediaType || "no content type"}").`);
    const bytes = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
    if (bytes.length > GRAPHQL_LIMITS.maxBodyBytes) throw requestError(413, "BAD_REQUEST", `The body is ${bytes.length} bytes; the limit is ${GRAPHQL_LIMITS.maxBodyBytes}.`);
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch {
      throw requestError(400, "BAD_REQUEST", "The body is not JSON (UTF-8).");
    }
    raw = objectOrNull(body, "The body") ?? {};
  }
  const id = stringOrNull(raw.id, "id");
  let query = stringOrNull(raw.query, "query");
  const variables = objectOrNull(raw.variables, "variables") ?? {};
  const operationName = stringOrNull(raw.operationName, "operationName");
  if (id !== undefined) {
    const known = persistedQuery(id.toLowerCase());
    if (!known) throw requestError(400, "PERSISTED_QUERY_NOT_FOUND", "No persisted query has this id (the SHA-256 of its document): send the query text with POST.");
    if (query !== undefined && query !== known.document) throw requestError(400, "BAD_REQUEST", "Send either id or query, not both.");
    query = known.document;
  }
  if (query === undefined) throw requestError(400, "BAD_REQUEST", "Send a query (or the id of a persisted one).");
  if (Buffer.byteLength(query) > GRAPHQL_LIMITS.maxQueryBytes) throw requestError(400, "BAD_REQUEST", `The query is ${Buffer.byteLength(query)} bytes; the limit is ${GRAPHQL_LIMITS.maxQueryBytes}.`);
  return { query, variables, operationName, persisted: id !== undefined };
}

/** Parsed, validated (introspection off: the SDL is published in docs/graphql.graphql) and within the limits. */
function prepare(schema: GraphQLSchema, params: GraphqlParams): DocumentNode {
  let document: DocumentNode;
  try {
    document = parse(params.query, { maxTokens: GRAPHQL_LIMITS.maxTokens });
  } catch (error) {
    throw requestError(400, "GRAPHQL_PARSE_FAILED", (error as Error).message);
  }
  const invalid = validate(schema, document, [...specifiedRules, NoSchemaIntrospectionCustomRule]);
  if (invalid.length) throw new RequestError(400, graphqlError("GRAPHQL_VALIDATION_FAILED", invalid.map((e) => e.message).join(" ")));
  const operation = getOperationAST(document, params.operationName);
  if (!operation) throw requestError(400, "BAD_REQUEST", params.operationName ? `No operation named ${params.operationName}.` : "The document has several operations: name one with operationName.");
  // graphql-js executes an operation the schema has no root for as a field error; it is the request's.
  if (operation.operation !== "query") throw requestError(400, "GRAPHQL_VALIDATION_FAILED", `This schema has no ${operation.operation}s: only queries.`);
  const fragments = Object.fromEntries(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === "FragmentDefinition").map((f) => [f.name.value, f]));
  try {
    checkCost(queryCost(schema, operation, fragments, params.variables));
  } catch (error) {
    if (error instanceof GraphQLError) throw new RequestError(400, error);
    throw error;
  }
  return document;
}

/** The GraphQL endpoint's handler: built once per cold start (the schema from the generated SDL). */
export function graphqlHandler({ obs, root, authenticate }: GraphqlHandlerDeps): HttpHandler {
  const schema = buildSchema(SCHEMA_SDL);
  return async (event, context) => {
    const started = performance.now();
    if (context?.awsRequestId) obs.logger.addContext(context as never);
    obs.logger.setCorrelationId(event.requestContext?.requestId);
    obs.metrics.captureColdStartMetric();
    const accept = (header(event, "accept") ?? "").toLowerCase();
    // The legacy type only when the client asks for it and not for the new one.
    const legacy = accept.includes("application/json") && !accept.includes(GRAPHQL_RESPONSE_TYPE);
    const contentType = `${legacy ? "application/json" : GRAPHQL_RESPONSE_TYPE}; charset=utf-8`;
    const authorization = header(event, "authorization");
    const respond = (status: number, body: object, cacheable = false): HttpResult => {
      const result = { statusCode: status, headers: { "content-type": contentType, "cache-control": cacheable ? "public, max-age=60" : "no-store", vary: "accept, authorization" }, body: JSON.stringify(body) };
      const codes = ((body as ExecutionResult).errors ?? []).map((e) => (e as { extensions?: { code?: string } }).extensions?.code);
      obs.logger.info(status < 400 ? "request handled" : "request rejected", { routeKey: event.routeKey, status, codes, durationMs: Math.round(performance.now() - started) });
      return result;
    };
    let params: GraphqlParams | undefined;
    try {
      params = readParams(event);
      const document = prepare(schema, params);
      const result = await execute({ schema, document, rootValue: root, contextValue: requestContext(authenticate, authorization), variableValues: params.variables, operationName: params.operationName });
      const errors = (result.errors ?? []).map((e) => {
        const formatted = formatError(e);
        if (formatted.internal) obs.logger.error("resolver failed", { path: e.path, error: e.originalError ?? e });
        return formatted.json;
      });
      // No data at all: the variables did not fit the operation (a request error). A null `data` (an
      // error in a non-null root field) is an executed request: 200, as the spec recommends.
      if (result.data === undefined) return respond(legacy ? 200 : 400, { errors });
      // Cacheable: a persisted query with no token and no error is the same for everyone.
      return respond(200, errors.length ? { errors, data: result.data ?? null } : { data: result.data }, params.persisted && !authorization && !errors.length);
    } catch (error) {
      if (error instanceof RequestError) {
        // Legacy clients get a 200 for a well-formed request the GraphQL layer refused; the HTTP-level refusals keep their status.
        const status = legacy && params !== undefined ? 200 : error.status;
        return respond(status, { errors: [formatError(error.error).json] });
      }
      obs.logger.error("request failed", { routeKey: event.routeKey, error: error as Error });
      return respond(500, { errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
    } finally {
      if (obs.metrics.hasStoredMetrics()) obs.metrics.publishStoredMetrics();
    }
  };
}
