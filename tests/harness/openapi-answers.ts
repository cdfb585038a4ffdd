// Checks an HTTP answer against what an OpenAPI 3.1 document promises for the operation: the status
// is listed, the content type is one documented for it, the body validates against that schema
// (ajv, JSON Schema 2020-12 with formats), and an error is application/problem+json.
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { OpenApiDocument, Schema } from "./openapi-requests";

export interface Answer {
  status: number;
  contentType: string | null;
  body: string;
}

/** Validators for the document's schemas, `$ref`s resolved against its components. */
export function schemaValidator(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const compiled = new WeakMap<Schema, ReturnType<typeof ajv.compile>>();
  const compile = (schema: Schema) => {
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile({ ...schema, components: doc.components })));
    return validate;
  };
  return {
    isValid: (schema: Schema, value: unknown) => compile(schema)(value) === true,
    /** The validator's complaints, one line each; empty when valid. */
    problems: (schema: Schema, value: unknown) => {
      const validate = compile(schema);
      return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
    },
  };
}

const PROBLEM_JSON = "application/problem+json";

/**
 * What is wrong with `answer` for the operation, one line each; empty when it keeps the contract.
 * `notProblems` lists documented error answers written by something other than the handlers
 * (the gateway's JWT authorizer), as `<status>` keys, which may be another JSON type.
 */
export function answerProblems(doc: OpenApiDocument, method: string, path: string, answer: Answer, validator: ReturnType<typeof schemaValidator>, notProblems: readonly string[] = []): string[] {
  const operation = doc.paths[path]![method.toLowerCase()]!;
  const documented = operation.responses[String(answer.status)] ?? operation.responses.default;
  if (!documented) return [`status ${answer.status} is not documented (documented: ${Object.keys(operation.responses).join(", ")})`];
  const mediaType = answer.contentType?.split(";")[0]!.trim().toLowerCase() ?? null;
  const problems: string[] = [];
  if (answer.status >= 400 && mediaType !== PROBLEM_JSON && !notProblems.includes(String(answer.status))) problems.push(`an error answered as ${mediaType ?? "no content type"}, not ${PROBLEM_JSON}`);
  const content = documented.content;
  if (!content) {
    if (answer.body !== "") problems.push(`status ${answer.status} is documented without a body, but one came (${mediaType})`);
    return problems;
  }
  const entry = mediaType ? content[mediaType] : undefined;
  if (!entry) return [...problems, `content type ${mediaType ?? "(none)"} is not documented for ${answer.status} (documented: ${Object.keys(content).join(", ")})`];
  // A documented text type (an HLS playlist: application/vnd.apple.mpegurl) is checked as the string it is.
  if (!mediaType!.endsWith("json")) return [...problems, ...validator.problems(entry.schema, answer.body).map((p) => `body breaks the ${answer.status} schema: ${p}`)];
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return [...problems, `the body is not JSON`];
  }
  problems.push(...validator.problems(entry.schema, body).map((p) => `body breaks the ${answer.status} schema: ${p}`));
  if (mediaType === PROBLEM_JSON && (body as { status?: unknown }).status !== answer.status) problems.push(`the problem's status ${(body as { status?: unknown }).status} is not the HTTP status`);
  return problems;
}
