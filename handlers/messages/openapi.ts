import { jsonBodyProblems, jsonContent, jsonSchema, pathsOf, problem, queryParameters, type OpenApiFragment } from "../shared/openapi";
import { MESSAGE_MAX_BODY_BYTES, messageSchemas } from "./schemas";
import { messageRoutes } from "./routes";

/** The MessageApi's part of the OpenAPI document. */
export function messageApiFragment(): OpenApiFragment {
  const s = messageSchemas();
  const operations: Record<string, object> = {
    createMessage: {
      requestBody: { required: true, content: jsonContent("NewMessage") },
      responses: {
        "201": {
          description: "Stored",
          headers: { Location: { schema: { type: "string" }, description: "Path of the new message" } },
          content: jsonContent("Message"),
        },
        ...jsonBodyProblems(MESSAGE_MAX_BODY_BYTES),
      },
    },
    countOrListMessages: {
      parameters: queryParameters(s.ListQuery),
      responses: {
        "200": {
          description: "Without limit/cursor: the exact count. With either: one page, newest first.",
          content: { "application/json": { schema: { oneOf: [{ $ref: "#/components/schemas/MessageCount" }, { $ref: "#/components/schemas/MessagePage" }] } } },
        },
        "400": problem("Bad limit, unknown query parameter, or a cursor this API did not issue"),
      },
    },
    getMessage: {
      parameters: [{ name: "id", in: "path", required: true, schema: jsonSchema(s.MessageId, "input") }],
      responses: {
        "200": { description: "The message", content: jsonContent("Message") },
        "400": problem("The id is not a UUID"),
        "404": problem("No message has this id"),
      },
    },
  };
  return {
    paths: pathsOf(messageRoutes, operations),
    schemas: {
      NewMessage: jsonSchema(s.NewMessage, "input"),
      Message: jsonSchema(s.Message, "output"),
      MessageCount: jsonSchema(s.MessageCount, "output"),
      MessagePage: jsonSchema(s.MessagePage, "output"),
      Problem: jsonSchema(s.Problem, "output"),
    },
  };
}
