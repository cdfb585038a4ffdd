// Local mode's mail "provider": each mail becomes one .eml file (the exact bytes SES would get,
// see toMime) in a folder, written atomically, and listed back newest first.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { NOTIFICATION_KINDS, type NotificationKind } from "../notification-job";
import { NOTIFICATION_HEADER, type MailSender } from "./message";
import { newMessageId, toMime } from "./mime";
import { parseMime } from "./parse-mime";

/** What an outbox file name looks like: `2026-11-26T011042.123Z-1a2b3c4d5e6f.eml`. */
export const OUTBOX_FILE = /^\d{4}-\d{2}-\d{2}T\d{6}\.\d{3}Z-[0-9a-f]{12}\.eml$/;

/** The header that names a notification; its kind is listed. */
export { NOTIFICATION_HEADER };

/** Writes each mail to `<dir>/<ISO time without colons>-<12 hex>.eml`; resolves to its Message-ID (without angle brackets). */
export function outboxSender(dir: string): MailSender {
  return {
    async send(message) {
      const date = new Date();
      const messageId = newMessageId(message.from);
      const raw = toMime(message, { date, messageId });
      const file = `${date.toISOString().replace(/:/g, "")}-${randomBytes(6).toString("hex")}.eml`;
      await mkdir(dir, { recursive: true });
      // Atomic: a reader sees no file or the whole file (rename within one folder).
      const temp = join(dir, `.${file}.${randomBytes(4).toString("hex")}.tmp`);
      try {
        await writeFile(temp, raw, { flag: "wx" });
        await rename(temp, join(dir, file));
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return { messageId };
    },
  };
}

export interface OutboxEntry {
  /** The file name in the outbox folder. */
  file: string;
  from: string;
  to: string;
  /** Decoded. */
  subject: string;
  /** The Date header as an ISO timestamp (the header as written if it does not parse). */
  date: string;
  /** Without angle brackets. */
  messageId: string;
  /** From the X-Switchyard-Notification header, when the mail is a notification. */
  kind?: NotificationKind;
}

/** Reads a mail's header fields for listing. */
export async function outboxEntry(file: string, raw: Uint8Array): Promise<OutboxEntry> {
  const { headers } = await parseMime(raw);
  const parsedDate = Date.parse(headers.date ?? "");
  const entry: OutboxEntry = {
    file,
    from: headers.from ?? "",
    to: headers.to ?? "",
    subject: headers.subject ?? "",
    date: Number.isNaN(parsedDate) ? (headers.date ?? "") : new Date(parsedDate).toISOString(),
    messageId: (headers["message-id"] ?? "").replace(/^<(.*)>$/, "$1"),
  };
  // The last part that names a kind: some keys go on after it (a confirmation's answer number).
  const kind = headers[NOTIFICATION_HEADER.toLowerCase()]?.split("#").findLast((part) => (NOTIFICATION_KINDS as readonly string[]).includes(part));
  if (kind) entry.kind = kind as NotificationKind;
  return entry;
}

/** The outbox's mails, newest first (by file name, which starts with the time written); [] when the folder does not exist. */
export async function listOutbox(dir: string): Promise<OutboxEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const files = names.filter((name) => OUTBOX_FILE.test(name)).sort().reverse();
  const entries = await Promise.all(
    files.map(async (file) => {
      try {
        return await outboxEntry(file, await readFile(join(dir, file)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined; // removed meanwhile
        throw error;
      }
    }),
  );
  return entries.filter((e): e is OutboxEntry => e !== undefined);
}
