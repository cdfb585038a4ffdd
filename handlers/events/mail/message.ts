/** One outgoing mail, before it is encoded (RFC 5322) and handed to SES or the local outbox. */
export interface MailMessage {
  /** `"Switchyard Events <events@example.com>"` or a bare address. */
  from: string;
  /** One recipient address. */
  to: string;
  subject: string;
  /** The plain-text body (always present). */
  text: string;
  /** An HTML alternative. */
  html?: string;
  /** Extra headers, e.g. `{ "X-Switchyard-Notification": "<event>#<recipient>#<kind>" }`. */
  headers?: Record<string, string>;
  /**
   * Tags SES publishes back with the mail's bounces and complaints (SendEmail `EmailTags`; the
   * local outbox ignores them). Names and values: ASCII letters, digits, `_` and `-`, ≤ 256.
   * Example: `{ eventId: "0199…", kind: "invitation" }`.
   */
  tags?: Record<string, string>;
}

/** The header that names a notification (`<event>#<recipient>#<kind>`; templates.ts sets it). */
export const NOTIFICATION_HEADER = "X-Switchyard-Notification";

/** Sends a mail; resolves to the provider's message id. Throws when the mail was not accepted. */
export interface MailSender {
  send(message: MailMessage): Promise<{ messageId: string }>;
}
