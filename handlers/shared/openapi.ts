import { z } from "zod";

export type JsonSchema = Record<string, unknown>;

/** Part of the API's OpenAPI document: some paths, the component schemas they refer to, and the security schemes their operations name. */
export interface OpenApiFragment {
  paths: Record<string, Record<string, object>>;
  schemas: Record<string, JsonSchema>;
  securitySchemes?: Record<string, object>;
}

/** A zod schema as an OpenAPI 3.1 (JSON Schema 2020-12) schema object. */
export function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" }) as JsonSchema;
  return rest;
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const jsonContent = (name: string) => ({ "application/json": { schema: ref(name) } });
export const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ref("Problem") } } });

/** What `readJsonBody` refuses: malformed JSON or a schema violation, a body over `maxBytes`, a body not sent as JSON. */
export const jsonBodyProblems = (maxBytes: number, invalid = "Malformed JSON or a schema violation (missing, extra or mistyped fields)") => ({
  "400": problem(invalid),
  "413": problem(`Body larger than ${maxBytes} bytes`),
  "415": problem("Body is not application/json"),
});

/** Query parameters from a zod object schema. */
export function queryParameters(schema: z.ZodType) {
  return Object.entries((jsonSchema(schema, "input").properties ?? {}) as Record<string, JsonSchema>).map(([name, s]) => ({
    name,
    in: "query",
    required: false,
    description: s.description,
    schema: s,
  }));
}

/** Puts route operations under their paths. An operation that names no security scheme is public: `security: []` says so. */
export function pathsOf(routes: readonly { method: string; path: string; operationId: string; summary: string }[], operations: Record<string, object>) {
  const paths: OpenApiFragment["paths"] = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = { operationId: route.operationId, summary: route.summary, security: [], ...operations[route.operationId] };
  }
  return paths;
}
