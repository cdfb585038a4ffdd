// GraphQL reads for the pages, without a library: only the server's persisted operations, each
// sent as `GET /graphql?id=<sha256>&variables=<json>` (a short URL; the server runs the document
// it knows by that hash). The names and hashes come from the server's own list
// (handlers/graphql/persisted.ts), bundled at build time: the page never spells a query.
// Errors come back as ApiErrors with the HTTP status their stable code stands for, so the pages
// treat them as they treat the REST routes' (a 401 asks to sign in again).
import { ApiError, refusal, type Api } from "./api";
import { PERSISTED_QUERIES } from "../../handlers/graphql/persisted";

/** The operations the server has persisted, by name. */
export type OperationName = (typeof PERSISTED_QUERIES)[number]["name"];

/** An error as GraphQL sends it: clients branch on `extensions.code`, never on the message. */
interface GraphQLErrorJson {
  message: string;
  extensions?: { code?: string };
}

/** What a code means in HTTP terms (see handlers/graphql/errors.ts); anything else is the client's request. */
const STATUS_OF_CODE: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, INTERNAL_SERVER_ERROR: 500 };

/** The first error as an ApiError carrying its code's status. */
function errorOf(errors: GraphQLErrorJson[]): ApiError {
  const first = errors[0]!;
  const code = first.extensions?.code ?? "";
  return new ApiError(first.message, STATUS_OF_CODE[code] ?? 400);
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: GraphQLErrorJson[];
}

const hasErrors = (json: unknown): json is Required<Pick<GraphQLResponse<unknown>, "errors">> => Array.isArray((json as GraphQLResponse<unknown> | undefined)?.errors) && (json as { errors: unknown[] }).errors.length > 0;

/**
 * Runs the persisted operation `name` with `variables`; resolves to its `data`, or throws an
 * ApiError: the first GraphQL error (whatever the HTTP status), else the HTTP refusal.
 */
export async function runPersisted<T>(api: Api, name: OperationName, variables: Record<string, unknown>, headers: Record<string, string> = {}): Promise<T> {
  const operation = PERSISTED_QUERIES.find((q) => q.name === name);
  if (!operation) throw new Error(`No persisted GraphQL operation ${name}`);
  const query = new URLSearchParams({ id: operation.sha256, variables: JSON.stringify(variables) });
  const { response, json } = await api.exchange(`/graphql?${query}`, { method: "GET", headers });
  if (hasErrors(json)) throw errorOf(json.errors);
  if (!response.ok) throw refusal(response.status, json);
  const data = (json as GraphQLResponse<T> | undefined)?.data;
  if (!data) throw new ApiError("The API answered without data.", response.status);
  return data;
}
