// The cloud's mail sender: SES v2 SendEmail with the raw MIME message toMime builds, so the mail
// is byte-for-byte what local mode writes to its outbox (apart from Date and Message-ID).
import type { SESv2Client } from "@aws-sdk/client-sesv2";
import type { MailSender } from "./message";
import { toMime } from "./mime";

export interface SesSenderOptions {
  /** SES configuration set (event publishing: bounces and complaints to the feedback topic). Example: `"switchyard-dev-events-mail"`. */
  configurationSet?: string;
}

/** Sends with SESv2 SendEmail (Content.Raw); resolves to SES's MessageId; throws when SES refuses. */
export function sesSender(client: SESv2Client, opts: SesSenderOptions = {}): MailSender {
  return {
    async send(message) {
      // Loaded on the first mail (it is cached by Node): a stack that writes to the S3 outbox never loads it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see notify.ts)
      const { SendEmailCommand } = require("@aws-sdk/client-sesv2") as typeof import("@aws-sdk/client-sesv2");
      const raw = toMime(message);
      const result = await client.send(
        new SendEmailCommand({
          Content: { Raw: { Data: Buffer.from(raw, "utf8") } },
          ...(opts.configurationSet ? { ConfigurationSetName: opts.configurationSet } : {}),
          // Published back with the mail's bounces and complaints (mail.tags of the SES event).
          ...(message.tags ? { EmailTags: Object.entries(message.tags).map(([Name, Value]) => ({ Name, Value })) } : {}),
        }),
      );
      if (!result.MessageId) throw new Error("SES accepted the mail but returned no MessageId");
      return { messageId: result.MessageId };
    },
  };
}
