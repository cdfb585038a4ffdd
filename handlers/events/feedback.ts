import type { Context, SNSEvent } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { createObservability, type Observability } from "../shared/observability";
import { EventStore } from "./event-store";
import { readMailFeedback, type MailFeedback } from "./mail/ses-feedback";
import { SuppressionStore } from "./suppressions";

export interface FeedbackDeps {
  store: EventStore;
  suppressions: SuppressionStore;
  obs: Observability;
}

/** Where the feedback function's data lives (handlers/events/functions.ts reads them from the environment). */
export interface FeedbackValues {
  /** Example: `"events-events-1a2b3c4"`. */
  eventsTable: string;
  /** Example: `"events-suppressions-1a2b3c4"`. */
  suppressionsTable: string;
}

export function feedbackDeps(service: string, values: FeedbackValues): FeedbackDeps {
  const db = new DynamoDBClient({});
  return { store: new EventStore(db, values.eventsTable), suppressions: new SuppressionStore(db, values.suppressionsTable), obs: createObservability(service) };
}

/**
 * SES's bounces and complaints (event publishing → the feedback topic → this function), applied:
 * - a permanent bounce marks the invitation `undeliverable` (reason `bounce`);
 * - a transient or undetermined bounce (a full mailbox, a greylisting server) marks nothing: SES
 *   has retried already, and the next mail may arrive; it is logged;
 * - a complaint suppresses the address for every event of this stack (notify skips it from then
 *   on) and marks the invitation (reason `complaint`).
 * The invitation is the mail's event (its tags, else its notification header) and the reported
 * address. Every step is idempotent, so SNS's at-least-once delivery changes nothing the second
 * time. A message that is not an SES bounce or complaint is logged (no content: it holds
 * addresses) and dropped, since retrying cannot fix it; a failing write throws, and Lambda retries
 * the asynchronous invocation.
 */
export function feedbackHandler(deps: FeedbackDeps) {
  const { store, suppressions, obs } = deps;

  async function apply(feedback: MailFeedback, snsMessageId: string) {
    const { outcome, eventId, kind, at, recipients } = feedback;
    const about = { snsMessageId, sesMessageId: feedback.messageId, eventId, kind, outcome };
    if (outcome === "transient") {
      obs.logger.info("transient bounce: nothing marked (SES retried; the next mail may arrive)", { ...about, recipients });
      return;
    }
    for (const email of recipients) {
      const suppressed = outcome === "complaint" ? await suppressions.suppress({ email, reason: "complaint", at, ...(eventId ? { eventId } : {}) }) : false;
      const marked = eventId ? await store.markUndeliverable(eventId, email, { reason: outcome, at }) : false;
      obs.logger.info(eventId ? "mail feedback applied" : "mail feedback for a mail that names no event", { ...about, recipient: email, suppressed, invitationMarked: marked });
      obs.metrics.addMetric(outcome === "bounce" ? "mailBounced" : "mailComplained", MetricUnit.Count, 1);
    }
  }

  return async (event: SNSEvent, context?: Partial<Context>): Promise<void> => {
    if (context?.awsRequestId) obs.logger.addContext(context as Context);
    try {
      for (const record of event.Records ?? []) {
        const snsMessageId = record.Sns?.MessageId ?? "unknown";
        let feedback: MailFeedback;
        try {
          feedback = readMailFeedback(record.Sns.Message);
        } catch (error) {
          // The issues name fields, not values: the message holds addresses.
          const issues = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [(error as Error).name];
          obs.logger.warn("mail feedback dropped: not an SES bounce or complaint", { snsMessageId, issues: issues.slice(0, 10) });
          continue;
        }
        await apply(feedback, snsMessageId);
      }
    } finally {
      if (obs.metrics.hasStoredMetrics()) obs.metrics.publishStoredMetrics();
    }
  };
}
