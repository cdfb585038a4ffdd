// Local mode's bounces and complaints: the addresses SES's mailbox simulator answers for (they work
// against a real SES too, from any account, sandbox included:
// https://docs.aws.amazon.com/ses/latest/dg/send-an-email-from-console.html),
// and any address on the reserved `.invalid` top-level domain (RFC 2606), "bounce" after being
// sent: an SES event record of the shape SES publishes is handed to the feedback topic, so the
// same feedback code runs as in a stack. Local mode only: no Lambda sends this code.
import { randomUUID } from "node:crypto";
import type { MailMessage, MailSender } from "./message";

/** SES's mailbox simulator: a permanent bounce, and a complaint (after delivery). */
export const SIMULATOR_ADDRESSES = { bounce: "bounce@simulator.amazonses.com", complaint: "complaint@simulator.amazonses.com" } as const;

/** What SES would report for a mail to `to`, if anything: the simulator's answer, or a bounce for a `.invalid` domain. */
export function simulatedFeedback(to: string): "bounce" | "complaint" | undefined {
  const address = (/<([^<>]+)>\s*$/.exec(to)?.[1] ?? to).trim().toLowerCase();
  if (address === SIMULATOR_ADDRESSES.complaint) return "complaint";
  const domain = address.slice(address.lastIndexOf("@") + 1);
  if (address === SIMULATOR_ADDRESSES.bounce || domain === "invalid" || domain.endsWith(".invalid")) return "bounce";
  return undefined;
}

/** The SES event record (event publishing) SES would publish for `message`, sent as `messageId`. */
export function sesFeedbackRecord(outcome: "bounce" | "complaint", message: MailMessage, messageId: string, at = new Date()) {
  const to = (/<([^<>]+)>\s*$/.exec(message.to)?.[1] ?? message.to).trim();
  const timestamp = at.toISOString();
  const mail = {
    timestamp,
    source: message.from,
    messageId,
    destination: [to],
    headersTruncated: false,
    headers: [
      { name: "From", value: message.from },
      { name: "To", value: message.to },
      { name: "Subject", value: message.subject },
      ...Object.entries(message.headers ?? {}).map(([name, value]) => ({ name, value })),
    ],
    tags: { "ses:configuration-set": ["local"], ...Object.fromEntries(Object.entries(message.tags ?? {}).map(([name, value]) => [name, [value]])) },
  };
  const feedbackId = `local-${randomUUID()}`;
  if (outcome === "complaint") {
    return { eventType: "Complaint", complaint: { complainedRecipients: [{ emailAddress: to }], timestamp, feedbackId, complaintFeedbackType: "abuse", arrivalDate: timestamp }, mail };
  }
  return {
    eventType: "Bounce",
    bounce: {
      bounceType: "Permanent",
      bounceSubType: "General",
      bouncedRecipients: [{ emailAddress: to, action: "failed", status: "5.1.1", diagnosticCode: "smtp; 550 5.1.1 user unknown (simulated by local mode)" }],
      timestamp,
      feedbackId,
      reportingMTA: "dsn; switchyard.local",
    },
    mail,
  };
}

/**
 * Sends through `inner` (the outbox), then, for a simulated address, publishes what SES would
 * report to `publish` (the feedback topic's stand-in). The mail is sent either way, as SES sends
 * to the simulator.
 */
export function simulatedFeedbackSender(inner: MailSender, publish: (message: string) => Promise<void>): MailSender {
  return {
    async send(message) {
      const sent = await inner.send(message);
      const outcome = simulatedFeedback(message.to);
      if (outcome) await publish(JSON.stringify(sesFeedbackRecord(outcome, message, sent.messageId)));
      return sent;
    },
  };
}
