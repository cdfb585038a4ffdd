import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { jsonResponse, readJsonBody, validate, type HttpHandler } from "../shared/http";
import { HttpProblem } from "../shared/problem";
import type { SecretProvider } from "../shared/secret";
import { eventsApiDeps, type EventsApiDeps, type EventsApiValues } from "./deps";
import { dispatch } from "./dispatch";
import { answersClosed } from "./event-store";
import { startPaidYes, type CheckoutConfig } from "./payments/paid-answer";
import { paymentView } from "./payments/payment";
import { PaymentStore } from "./payments/payment-store";
import { visibleJoinUrl } from "./join-link";
import { verifyRsvpToken } from "./rsvp-token";
import { eventView } from "./views";

export interface RsvpDeps extends EventsApiDeps {
  /** The key that signs invitation links (SSM in AWS, the value itself locally). */
  rsvpKey: SecretProvider;
  /** A paid event's checkouts (payments/). */
  payments: PaymentStore;
  /** Stripe, when this stack takes payments; without it a paid event's yes is a 424. */
  checkout?: CheckoutConfig;
}

/** An answer's body is one token. */
export const RSVP_MAX_BODY_BYTES = 4096;

/**
 * Answering an invitation without an account: the link's token names the invitation and the
 * answer, signed by the stack. `GET /rsvp?token=` shows the event (with its media: holding a valid
 * link is being allowed to see it) and, while the answer is yes, the join link; `POST /rsvp`
 * records the link's answer (or the one in the body): any number of changes until the start.
 */
export function rsvpHandler(deps: RsvpDeps): HttpHandler {
  const { store, media, obs, schemas, now, rsvpKey } = deps;
  const claimsOf = async (token: string) => {
    const claims = verifyRsvpToken(token, await rsvpKey());
    const invitation = await store.invitation(claims.eventId, claims.email);
    // Signed, but for an invitation that no longer exists (or was re-issued): as good as forged.
    if (!invitation || invitation.nonce !== claims.nonce) throw new HttpProblem("invalid-token", "This invitation link is no longer valid.");
    return { claims, invitation };
  };
  return dispatch("rsvp", obs, {
    async viewInvitation(event) {
      const { token } = validate(schemas.RsvpQuery, event.queryStringParameters ?? {}, "query");
      const { claims, invitation } = await claimsOf(token);
      const found = await store.get(claims.eventId);
      if (!found || found.status === "draft") throw new HttpProblem("not-found", "The event no longer exists.");
      return jsonResponse(200, {
        event: eventView(found, await media.viewUrls(found)),
        invitee: invitation.email,
        answer: claims.answer,
        current: invitation.status,
        answeredAt: invitation.answeredAt ?? null,
        open: found.status === "published" && found.startsAt > now().toISOString(),
        joinUrl: visibleJoinUrl(found, { role: "invitee", answer: invitation.status }),
        payment: paymentView(invitation.payment),
      });
    },

    async answerInvitation(event) {
      validate(schemas.NoQuery, event.queryStringParameters ?? {}, "query");
      const body = validate(schemas.Rsvp, readJsonBody(event, RSVP_MAX_BODY_BYTES), "body");
      const { claims, invitation: read } = await claimsOf(body.token);
      const answer = body.answer ?? claims.answer;
      // A paid event: yes goes to Stripe Checkout first (unless already yes, or paid before).
      const paidEvent = answer === "yes" && read.status !== "yes" ? await store.get(claims.eventId) : undefined;
      if (paidEvent?.price) {
        const closed = answersClosed(paidEvent, now().toISOString());
        if (closed) throw new HttpProblem("event-closed", closed);
        const reread = async () => (await claimsOf(body.token)).invitation;
        const started = await startPaidYes({ payments: deps.payments, checkout: deps.checkout, logger: obs.logger }, { ...paidEvent, price: paidEvent.price }, reread, body.token, now());
        if (started.kind === "checkout") {
          return jsonResponse(200, {
            eventId: claims.eventId,
            invitee: read.email,
            status: read.status,
            answeredAt: read.answeredAt ?? null,
            changed: false,
            joinUrl: visibleJoinUrl(paidEvent, { role: "invitee", answer: read.status }),
            payment: paymentView(started.payment),
            checkoutUrl: started.checkoutUrl,
          });
        }
      }
      const { invitation, changed } = await store.answer(claims.eventId, claims.email, answer, claims.nonce, now());
      // Read after the answer: the link shown is the event's current one.
      const found = await store.get(claims.eventId);
      return jsonResponse(200, {
        eventId: claims.eventId,
        invitee: invitation.email,
        status: invitation.status,
        answeredAt: invitation.answeredAt,
        changed,
        joinUrl: found ? visibleJoinUrl(found, { role: "invitee", answer: invitation.status }) : null,
        payment: paymentView(invitation.payment),
        checkoutUrl: null,
      });
    },
  });
}

/** eventsApiDeps plus the signing key. */
export function rsvpDeps(service: string, values: EventsApiValues & { rsvpKey: SecretProvider; checkout?: CheckoutConfig }): RsvpDeps {
  const deps = eventsApiDeps(service, values);
  return { ...deps, rsvpKey: values.rsvpKey, payments: new PaymentStore(new DynamoDBClient({}), values.eventsTable), ...(values.checkout ? { checkout: values.checkout } : {}) };
}
