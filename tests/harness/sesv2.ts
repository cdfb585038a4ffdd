// A stand-in for SES v2's SendEmail on loopback: `POST /v2/email/outbound-emails` as the SDK's
// SESv2Client sends it (REST-JSON, a raw message's bytes base64 in Content.Raw.Data), answering
// `{ MessageId }` like SES and recording every mail it accepted. Point a function at it with
// AWS_ENDPOINT_URL_SESV2.
import { randomUUID } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One mail the stand-in accepted. */
export interface SentEmail {
  messageId: string;
  /** The raw MIME message (Content.Raw), decoded; undefined for simple or templated content. */
  raw?: string;
  /** The request body as sent (Content.Raw.Data still base64). */
  request: Record<string, any>;
}

export interface SesV2StandIn {
  /** For AWS_ENDPOINT_URL_SESV2. */
  endpoint: string;
  /** Every accepted mail, in arrival order. */
  sent: SentEmail[];
  close(): Promise<void>;
}

// SES v2 errors: the type in X-Amzn-ErrorType, the message in the JSON body.
const fail = (res: ServerResponse, status: number, type: string, message: string) => {
  res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type }).end(JSON.stringify({ message }));
};

/** Starts the stand-in on a free loopback port. */
export async function startSesV2(): Promise<SesV2StandIn> {
  const sent: SentEmail[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://local").pathname;
      if (req.method !== "POST" || path !== "/v2/email/outbound-emails") return fail(res, 404, "NotFoundException", `${req.method} ${path} is not SendEmail`);
      let request: Record<string, any>;
      try {
        request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return fail(res, 400, "BadRequestException", "The body is not JSON");
      }
      const content = request.Content ?? {};
      if (!content.Raw && !content.Simple && !content.Template) return fail(res, 400, "BadRequestException", "Content needs one of Raw, Simple, Template");
      if (content.Raw && typeof content.Raw.Data !== "string") return fail(res, 400, "BadRequestException", "Content.Raw.Data is required");
      const messageId = `0100${randomUUID().replace(/-/g, "")}-000000`;
      sent.push({ messageId, request, ...(content.Raw ? { raw: Buffer.from(content.Raw.Data, "base64").toString("utf8") } : {}) });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ MessageId: messageId }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
