// A stand-in for SQS's AWS JSON 1.0 protocol (SendMessageBatch and SendMessage), as the AWS SDK
// speaks it: the real client checks each MD5OfMessageBody, so bodies must arrive intact. Accepted
// bodies are recorded and handed to `onMessages` (to feed a local queue with SQS semantics).
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { SQSClient } from "@aws-sdk/client-sqs";
import { LOCAL_CREDENTIALS } from "../../local/emulators/dynamodb-local";

export interface SqsEntry {
  Id: string;
  MessageBody: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
}
export interface SqsCall {
  target: string;
  headers: IncomingHttpHeaders;
  body: { QueueUrl: string; Entries: SqsEntry[] };
}
export type SqsFailure = { Code: string; SenderFault: boolean };

export interface SqsStandInOptions {
  /** Per entry (seen = how many times this body was sent): undefined accepts it, otherwise the Failed entry to report. */
  fail?: (entry: SqsEntry, seen: number) => SqsFailure | undefined;
  /** Gets the bodies of each accepted request (before the response is written), in order. */
  onMessages?: (bodies: string[]) => void | Promise<void>;
  /** The queue's name in its URL. Default `notifications`. */
  queueName?: string;
}

export async function startSqs(options: SqsStandInOptions = {}) {
  const fail = options.fail ?? (() => undefined);
  const calls: SqsCall[] = [];
  const seen = new Map<string, number>();
  const accepted: string[] = [];
  const state = { refuse: false };
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      void (async () => {
        const answer = (status: number, body: unknown) => {
          res.writeHead(status, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": `req-${calls.length}` }).end(JSON.stringify(body));
        };
        const target = String(req.headers["x-amz-target"]);
        if (target !== "AmazonSQS.SendMessageBatch" && target !== "AmazonSQS.SendMessage") return answer(400, { __type: "com.amazonaws.sqs#InvalidAction", message: "only SendMessageBatch and SendMessage" });
        const raw = JSON.parse(text) as { QueueUrl: string; Entries?: SqsEntry[]; MessageBody?: string; MessageAttributes?: SqsEntry["MessageAttributes"] };
        const single = target === "AmazonSQS.SendMessage";
        const body: SqsCall["body"] = single ? { QueueUrl: raw.QueueUrl, Entries: [{ Id: "0", MessageBody: raw.MessageBody!, MessageAttributes: raw.MessageAttributes }] } : { QueueUrl: raw.QueueUrl, Entries: raw.Entries ?? [] };
        calls.push({ target, headers: req.headers, body });
        if (state.refuse) return answer(400, { __type: "com.amazonaws.sqs#QueueDoesNotExist", message: "The specified queue does not exist." });
        if (body.Entries.length > 10) return answer(400, { __type: "com.amazonaws.sqs#TooManyEntriesInBatchRequest", message: "max 10" });
        const Successful: { Id: string; MessageId: string; MD5OfMessageBody: string }[] = [];
        const Failed: unknown[] = [];
        const bodies: string[] = [];
        for (const entry of body.Entries) {
          const count = (seen.get(entry.MessageBody) ?? 0) + 1;
          seen.set(entry.MessageBody, count);
          const failure = fail(entry, count);
          if (failure) Failed.push({ Id: entry.Id, ...failure, Message: `${failure.Code} for ${entry.Id}` });
          else {
            accepted.push(entry.MessageBody);
            bodies.push(entry.MessageBody);
            // The SDK checks MD5OfMessageBody, as against real SQS.
            Successful.push({ Id: entry.Id, MessageId: `m-${accepted.length}`, MD5OfMessageBody: createHash("md5").update(entry.MessageBody).digest("hex") });
          }
        }
        if (bodies.length) await options.onMessages?.(bodies);
        if (single) {
          if (Failed.length) return answer(500, { __type: "com.amazonaws.sqs#InternalError", message: "send failed" });
          return answer(200, { MessageId: Successful[0]!.MessageId, MD5OfMessageBody: Successful[0]!.MD5OfMessageBody });
        }
        answer(200, { Successful, Failed });
      })().catch((error) => res.writeHead(500, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify({ __type: "com.amazonaws.sqs#InternalError", message: String(error) })));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const client = new SQSClient({ endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  return {
    endpoint,
    state,
    client,
    queueUrl: `${endpoint}/000000000000/${options.queueName ?? "notifications"}`,
    calls,
    accepted,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type SqsStandIn = Awaited<ReturnType<typeof startSqs>>;
