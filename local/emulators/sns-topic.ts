// Local mode's stand-in for an SNS topic with one Lambda subscriber: each published message is
// handed to the subscriber as an SNSEvent of one record, shaped as SNS delivers it, asynchronously
// (SNS invokes Lambda asynchronously), and, like Lambda's asynchronous invocation, retried twice
// when the handler throws; after that it is reported and dropped, as a function without an
// on-failure destination would drop it.
import { randomUUID } from "node:crypto";
import type { SNSEvent } from "aws-lambda";

export interface LocalTopicOptions {
  /** The topic's name; its ARN is `arn:aws:sns:local:000000000000:<name>`. Example: `"switchyard-local-events-mail-feedback"`. */
  name: string;
  /** The subscribed function's handler. */
  subscriber: (event: SNSEvent) => Promise<unknown>;
  /** Wait before each retry. Default 200 ms (Lambda waits a minute, then two). */
  retryDelayMs?: number;
  /** Where a message dropped after its retries is reported. Default `console.error`. */
  log?: (line: string) => void;
}

export interface LocalTopic {
  /** Publishes one message (its body as SNS carries it: a string); resolves once accepted, not once handled. */
  publish(message: string): Promise<void>;
  /** Resolves when every message published so far has been handled (or dropped). */
  drained(): Promise<void>;
}

/** Lambda retries a failed asynchronous invocation twice. */
const ASYNC_RETRIES = 2;

export function createLocalTopic(options: LocalTopicOptions): LocalTopic {
  const arn = `arn:aws:sns:local:000000000000:${options.name}`;
  const log = options.log ?? ((line: string) => console.error(line));
  const pending = new Set<Promise<void>>();

  const eventOf = (message: string): SNSEvent => ({
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: `${arn}:${randomUUID()}`,
        Sns: {
          Type: "Notification",
          MessageId: randomUUID(),
          TopicArn: arn,
          Subject: "",
          Message: message,
          Timestamp: new Date().toISOString(),
          SignatureVersion: "1",
          Signature: "local",
          SigningCertUrl: "",
          UnsubscribeUrl: "",
          MessageAttributes: {},
        },
      },
    ],
  });

  async function deliver(event: SNSEvent) {
    for (let attempt = 0; ; attempt++) {
      try {
        await options.subscriber(event);
        return;
      } catch (error) {
        if (attempt === ASYNC_RETRIES) return log(`[${options.name}] message ${event.Records[0]!.Sns.MessageId} dropped after ${attempt + 1} attempts: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 200));
      }
    }
  }

  return {
    async publish(message) {
      // Handed over on a later turn, as SNS does: the publisher never waits for the subscriber.
      const delivery = new Promise<void>((resolve) => setImmediate(resolve)).then(() => deliver(eventOf(message)));
      pending.add(delivery);
      void delivery.finally(() => pending.delete(delivery));
    },
    async drained() {
      while (pending.size) await Promise.all([...pending]);
    },
  };
}
