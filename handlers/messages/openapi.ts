import { z } from "zod";
import { MESSAGE_MAX_BODY_BYTES, messageSchemas } from "./schemas";
import { messageRoutes } from "./routes";
import { PROBLEM_TYPES, problemTypeUri } from "../shared/problem";

type JsonSchema = Record<string, unknown>;

/** A zod schema as an OpenAPI 3.1 (JSON Schema 2020-12) schema object. */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" }) as JsonSchema;
  return rest;
}

const problemRef = { $ref: "#/components/schemas/Problem" };
const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: problemRef } } });

/** The MessageApi's OpenAPI 3.1 document, generated from the zod schemas and the route list. */
export function messageApiDocument(serverUrl = "http://127.0.0.1:3000") {
  const s = messageSchemas();
  const operations: Record<string, object> = {
    createMessage: {
      requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/NewMessage" } } } },
      responses: {
        "201": {
          description: "Stored",
          headers: { Location: { schema: { type: "string" }, description: "Path of the new message" } },
          content: { "application/json": { schema: { $ref: "#/components/schemas/Message" } } },
        },
        "400": problem("Malformed JSON or a schema violation (missing, extra or mistyped fields)"),
        "413": problem(`Body larger than ${MESSAGE_MAX_BODY_BYTES} bytes`),
        "415": problem("Body is not application/json"),
      },
    },
    countOrListMessages: {
      parameters: Object.entries((jsonSchema(s.ListQuery, "input").properties ?? {}) as Record<string, JsonSchema>).map(([name, schema]) => ({
        name,
        in: "query",
        required: false,
        description: schema.description,
        schema,
      })),
      responses: {
        "200": {
          description: "Without limit/cursor: the exact count. With either: one page, newest first.",
          content: {
            "application/json": { schema: { oneOf: [{ $ref: "#/components/schemas/MessageCount" }, { $ref: "#/components/schemas/MessagePage" }] } },
          },
        },
        "400": problem("Bad limit, unknown query parameter, or a cursor this API did not issue"),
      },
    },
    getMessage: {
      parameters: [{ name: "id", in: "path", required: true, schema: jsonSchema(s.MessageId, "input") }],
      responses: {
        "200": { description: "The message", content: { "application/json": { schema: { $ref: "#/components/schemas/Message" } } } },
        "400": problem("The id is not a UUID"),
        "404": problem("No message has this id"),
      },
    },
  };

  const paths: Record<string, Record<string, object>> = {};
  for (const route of messageRoutes) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = { operationId: route.operationId, summary: route.summary, ...operations[route.operationId] };
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "Switchyard MessageApi",
      version: "1.0.0",
      description: `Errors are RFC 9457 problem details. Problem types: ${Object.keys(PROBLEM_TYPES)
        .map((slug) => problemTypeUri(slug as keyof typeof PROBLEM_TYPES))
        .join(", ")}.`,
    },
    servers: [{ url: serverUrl, description: "Local mode (npm start); a stack's URL is its apiUrl output" }],
    paths,
    components: {
      schemas: {
        NewMessage: jsonSchema(s.NewMessage, "input"),
        Message: jsonSchema(s.Message, "output"),
        MessageCount: jsonSchema(s.MessageCount, "output"),
        MessagePage: jsonSchema(s.MessagePage, "output"),
        Problem: jsonSchema(s.Problem, "output"),
      },
    },
  };
}
