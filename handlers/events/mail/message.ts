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
}

/** Sends a mail; resolves to the provider's message id. Throws when the mail was not accepted. */
export interface MailSender {
  send(message: MailMessage): Promise<{ messageId: string }>;
}
