// The Stripe WebhookIngest's events table stream → paid invitations. Each Stripe event is stored
// once by the ingest (deduped on its `evt_…` id); this consumer makes its effect happen once too:
// the writes are conditional on the payment's state (payment-store.ts), so a replayed stream record
// or a second delivery Stripe made under a new id changes nothing.
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createObservability, type Observability } from "../../shared/observability";
import { insertedEvents } from "../../webhooks/stream-records";
import { PaymentStore } from "./payment-store";

/** Stripe event types that confirm a paid session, and those that end one unpaid. */
export const PAYMENT_SUCCEEDED = ["checkout.session.completed", "checkout.session.async_payment_succeeded"] as const;
export const PAYMENT_ENDED_UNPAID = ["checkout.session.expired", "checkout.session.async_payment_failed"] as const;

export interface PaymentsDeps {
  payments: PaymentStore;
  obs: Observability;
  now: () => Date;
}

/** Where the payments live (handlers/events/functions.ts reads it from the environment). */
export interface PaymentsValues {
  /** Example: `"events-events-1a2b3c4"`. */
  eventsTable: string;
}

export function paymentsDeps(service: string, values: PaymentsValues): PaymentsDeps {
  return { payments: new PaymentStore(new DynamoDBClient({}), values.eventsTable), obs: createObservability(service), now: () => new Date() };
}

/** The part of a Checkout Session this reads (https://docs.stripe.com/api/checkout/sessions/object). */
interface SessionObject {
  id?: string;
  object?: string;
  client_reference_id?: string | null;
  metadata?: Record<string, string> | null;
  payment_status?: string;
  amount_total?: number | null;
  currency?: string | null;
}

interface StripeEvent {
  id?: string;
  type?: string;
  data?: { object?: SessionObject };
}

export function paymentsHandler(deps: PaymentsDeps) {
  const { payments, obs, now } = deps;
  const succeeded: readonly string[] = PAYMENT_SUCCEEDED;
  const endedUnpaid: readonly string[] = PAYMENT_ENDED_UNPAID;

  async function onStripeEvent(body: StripeEvent) {
    const type = body.type ?? "";
    if (!succeeded.includes(type) && !endedUnpaid.includes(type)) return;
    const session = body.data?.object ?? {};
    const eventId = session.metadata?.eventId;
    const ref = session.client_reference_id ?? session.metadata?.invitation;
    // A session some other integration of this Stripe account made: not ours.
    if (session.object !== "checkout.session" || !session.id || !eventId || !ref) {
      obs.logger.info("stripe event not for a ticket; skipped", { stripeEvent: body.id, type });
      return;
    }
    if (endedUnpaid.includes(type)) {
      const cleared = await payments.clearPending(eventId, ref, session.id);
      obs.logger.info("checkout ended unpaid", { stripeEvent: body.id, type, eventId, session: session.id, cleared });
      return;
    }
    // A completed session paid later (bank debits): async_payment_succeeded confirms it.
    if (type === "checkout.session.completed" && session.payment_status !== "paid") {
      obs.logger.info("checkout completed, payment not yet received", { stripeEvent: body.id, eventId, session: session.id, paymentStatus: session.payment_status });
      return;
    }
    const outcome = await payments.confirmPaid(
      { eventId, ref, sessionId: session.id, amount: session.amount_total ?? 0, currency: session.currency ?? "", stripeEventId: body.id ?? "" },
      now(),
    );
    const log = outcome === "unknown-invitation" ? obs.logger.warn.bind(obs.logger) : obs.logger.info.bind(obs.logger);
    log("ticket payment", { stripeEvent: body.id, type, eventId, session: session.id, outcome });
  }

  return async (event: DynamoDBStreamEvent, context?: Partial<Context>): Promise<DynamoDBBatchResponse> => {
    if (context?.awsRequestId) obs.logger.addContext(context as Context);
    for (const { sequence, event: stored } of insertedEvents(event)) {
      if (stored.source !== "stripe") continue;
      try {
        await onStripeEvent(stored.body as StripeEvent);
      } catch (error) {
        obs.logger.error("stripe event failed; retrying from it", { sequence, stripeEvent: stored.id, error: error as Error });
        return { batchItemFailures: [{ itemIdentifier: sequence }] };
      }
    }
    return { batchItemFailures: [] };
  };
}
