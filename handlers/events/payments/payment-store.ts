// The payment's writes on the events table: each a conditional write on the invitation as read, so
// a retried request, a racing one or a replayed webhook never changes it twice.
import { TransactionCanceledException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ANSWER_HISTORY_MAX, EventStore, isConditionFailure, type Invitation } from "../event-store";
import { EVENT_SK, INVITEE_SK_PREFIX } from "../tables";
import { invitationRef, type Payment } from "./payment";

/** How a completed payment was taken in. */
export type PaidOutcome =
  /** Recorded paid and the answer moved to yes (+1 confirmed). */
  | "confirmed"
  /** Recorded paid; the answer was yes already. */
  | "paid"
  /** Recorded paid, not confirmed: the event is canceled (non-refundable: the organizer sees it). */
  | "paid-event-canceled"
  /** Nothing written: this payment was recorded before (a duplicate or replayed webhook). */
  | "duplicate"
  /** Nothing written: no such invitation (or event) any more. */
  | "unknown-invitation";

/** What Stripe's completed session says. */
export interface CompletedPayment {
  eventId: string;
  ref: string;
  sessionId: string;
  amount: number;
  currency: string;
  stripeEventId: string;
}

export class PaymentStore {
  private readonly doc: DynamoDBDocumentClient;
  readonly events: EventStore;
  constructor(
    db: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(db, { marshallOptions: { removeUndefinedValues: true } });
    this.events = new EventStore(db, tableName);
  }

  private key(eventId: string, email: string) {
    return { pk: eventId, sk: `${INVITEE_SK_PREFIX}${email}` };
  }

  /**
   * Reserves checkout attempt `payment.attempt` before Stripe is called (so a crash after Stripe
   * answered retries with the same key and the same `expires_at`): only if the invitation is still
   * as read (its attempt count) and not paid. False when it changed meanwhile.
   */
  async reserve(invitation: Invitation, payment: Payment): Promise<boolean> {
    const seen = invitation.paymentAttempts;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(invitation.eventId, invitation.email),
          ConditionExpression: `nonce = :nonce AND ${seen === undefined ? "attribute_not_exists(paymentAttempts)" : "paymentAttempts = :seen"} AND (attribute_not_exists(payment) OR payment.#state = :pending)`,
          UpdateExpression: "SET payment = :payment, paymentAttempts = :attempt",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":nonce": invitation.nonce, ":pending": "pending", ":payment": payment, ":attempt": payment.attempt, ...(seen === undefined ? {} : { ":seen": seen }) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Stripe's session for the reserved attempt (the same values again when a retry replays it). */
  async recordSession(invitation: Invitation, attempt: number, sessionId: string, checkoutUrl: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(invitation.eventId, invitation.email),
          ConditionExpression: "payment.attempt = :attempt AND payment.#state = :pending",
          UpdateExpression: "SET payment.sessionId = :session, payment.checkoutUrl = :url",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":attempt": attempt, ":pending": "pending", ":session": sessionId, ":url": checkoutUrl },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Stripe refused the attempt: the reservation goes, so the invitation is as before (its attempt count stays used). */
  async release(invitation: Invitation, attempt: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(invitation.eventId, invitation.email),
          ConditionExpression: "payment.attempt = :attempt AND payment.#state = :pending AND attribute_not_exists(payment.sessionId)",
          UpdateExpression: "REMOVE payment",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":attempt": attempt, ":pending": "pending" },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** The invitation Stripe's reference names (payment.ts's invitationRef), among the event's. */
  async findByRef(eventId: string, ref: string): Promise<Invitation | undefined> {
    return (await this.events.invitations(eventId)).find((i) => invitationRef(i.nonce) === ref);
  }

  /**
   * A completed payment, taken in exactly once: one transaction sets `payment.state = "paid"`
   * (with paidAt and the Stripe event's id) and, unless the event is canceled, the answer yes
   * (a new answer in the history, so the "you're in" mail follows from the stream) with
   * confirmedCount + 1. Conditioned on the payment being the one read (its session id, or none) and
   * not paid, and the answer as read: a duplicate or replayed record writes nothing; a racing
   * answer or cancel makes it read again and decide again.
   */
  async confirmPaid(paid: CompletedPayment, at: Date): Promise<PaidOutcome> {
    const now = at.toISOString();
    for (let attempt = 0; attempt < 8; attempt++) {
      const invitation = await this.findByRef(paid.eventId, paid.ref);
      const event = invitation ? await this.events.get(paid.eventId) : undefined;
      if (!invitation || !event) return "unknown-invitation";
      if (invitation.payment?.state === "paid") return "duplicate";
      const confirm = event.status !== "canceled" && invitation.status !== "yes";
      const payment: Payment = {
        ...(invitation.payment ?? { attempt: invitation.paymentAttempts ?? 0, at: now, expiresAt: now }),
        state: "paid",
        sessionId: paid.sessionId,
        amount: paid.amount,
        currency: paid.currency as Payment["currency"],
        paidAt: now,
        stripeEventId: paid.stripeEventId,
      };
      delete payment.checkoutUrl;
      const seenPayment = invitation.payment?.sessionId;
      const conditions = [
        seenPayment ? "payment.sessionId = :seenSession" : "(attribute_not_exists(payment) OR attribute_not_exists(payment.sessionId))",
        "(attribute_not_exists(payment) OR payment.#state <> :paid)",
        "#status = :previous",
        invitation.answerSeq ? "answerSeq = :seq" : "attribute_not_exists(answerSeq)",
      ];
      const values: Record<string, unknown> = { ":payment": payment, ":paid": "paid", ":previous": invitation.status, ...(seenPayment ? { ":seenSession": seenPayment } : {}), ...(invitation.answerSeq ? { ":seq": invitation.answerSeq } : {}) };
      let update = "SET payment = :payment";
      if (confirm) {
        values[":yes"] = "yes";
        values[":now"] = now;
        values[":nextSeq"] = invitation.answerSeq + 1;
        values[":history"] = [...invitation.history, { answer: "yes", at: now }].slice(-ANSWER_HISTORY_MAX);
        update += ", #status = :yes, answeredAt = :now, answerSeq = :nextSeq, history = :history";
      }
      const eventKey = { TableName: this.tableName, Key: { pk: paid.eventId, sk: EVENT_SK }, ExpressionAttributeNames: { "#status": "status" } };
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: this.key(invitation.eventId, invitation.email),
                  ConditionExpression: conditions.join(" AND "),
                  UpdateExpression: update,
                  ExpressionAttributeNames: { "#state": "state", "#status": "status" },
                  ExpressionAttributeValues: values,
                },
              },
              // The count moves with the answer; a cancel racing this makes the transaction fail and go again.
              confirm
                ? { Update: { ...eventKey, ConditionExpression: "#status = :published", UpdateExpression: "ADD confirmedCount :one", ExpressionAttributeValues: { ":published": "published", ":one": 1 } } }
                : { ConditionCheck: { ...eventKey, ConditionExpression: "#status = :seen", ExpressionAttributeValues: { ":seen": event.status } } },
            ],
          }),
        );
        return !confirm ? (event.status === "canceled" ? "paid-event-canceled" : "paid") : "confirmed";
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        await new Promise((r) => setTimeout(r, 10 + Math.random() * 20 * 2 ** attempt));
      }
    }
    throw new Error(`The payment of session ${paid.sessionId} kept conflicting; the stream retries it`);
  }

  /** A session that expired or whose delayed payment failed: its pending payment goes (only that session's, never a paid one). */
  async clearPending(eventId: string, ref: string, sessionId: string): Promise<boolean> {
    const invitation = await this.findByRef(eventId, ref);
    if (!invitation) return false;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(invitation.eventId, invitation.email),
          ConditionExpression: "payment.sessionId = :session AND payment.#state = :pending",
          UpdateExpression: "REMOVE payment",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":session": sessionId, ":pending": "pending" },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

