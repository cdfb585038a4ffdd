import { z } from "zod";
import { pageQuerySchema } from "../shared/paging";
import { userText } from "../shared/text";

export const MESSAGE_MAX_LENGTH = 1000;
/** Largest request body accepted by POST /messages. */
export const MESSAGE_MAX_BODY_BYTES = 16 * 1024;

/**
 * The MessageApi's request and response shapes: the one source for validation and for the OpenAPI
 * document. Built by a function (once per cold start) rather than at module level because Pulumi
 * serializes the module values a Lambda captures, and zod schemas hold bound native functions
 * that cannot be serialized.
 */
export function messageSchemas() {
  const MessageId = z.uuid().describe("Message id (UUID)");
  const NewMessage = z
    .strictObject({
      // Kept as typed (no trim), on several lines if need be; see handlers/shared/text.ts.
      message: userText({ max: MESSAGE_MAX_LENGTH, multiline: true, trim: false }).describe("The message text"),
    })
    .describe("A message to store");
  const Message = z
    .object({ id: MessageId, message: z.string(), createdAt: z.iso.datetime().describe("When the message was stored (UTC)") })
    .describe("A stored message");
  const MessageCount = z.object({ count: z.int().nonnegative().describe("Exact number of stored messages") });
  const ListQuery = pageQuerySchema();
  const MessagePage = z.object({
    items: z.array(Message),
    nextCursor: z.string().nullable().describe("Pass as ?cursor= for the next page; null on the last page"),
  });
  const PathParams = z.strictObject({ id: MessageId });
  const Problem = z
    .object({
      type: z.string(),
      title: z.string(),
      status: z.int(),
      detail: z.string(),
      instance: z.string().optional(),
      errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
    })
    .describe("RFC 9457 problem details");
  return { MessageId, NewMessage, Message, MessageCount, ListQuery, MessagePage, PathParams, Problem };
}

export type MessageSchemas = ReturnType<typeof messageSchemas>;
export type Message = z.output<MessageSchemas["Message"]>;
