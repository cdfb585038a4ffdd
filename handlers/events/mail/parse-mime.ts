// Reading mails back (the local outbox page, listOutbox, the tests) with postal-mime, a maintained
// parser without dependencies, rather than a hand-written one: it reads any mail (every charset,
// quoted-printable, nested multiparts), and the tests read what mime.ts writes with a parser that
// mime.ts's author did not write. Local mode only: no Lambda sends this code.
import PostalMime, { decodeWords } from "postal-mime";

export interface ParsedMime {
  /** Header names lower-cased; values unfolded and decoded (RFC 2047). Repeated headers: the first one. */
  headers: Record<string, string>;
  /** The text/plain body, decoded, with LF line breaks (undefined if the mail has none). */
  text?: string;
  /** The text/html body, decoded, with LF line breaks. */
  html?: string;
}

const lf = (text: string) => text.replace(/\r\n/g, "\n");

/** Reads a mail: decoded headers and the text and HTML bodies. */
export async function parseMime(raw: string | Uint8Array): Promise<ParsedMime> {
  const email = await PostalMime.parse(raw);
  // No prototype: a header named `__proto__` or `constructor` is a header like any other.
  const headers = Object.create(null) as Record<string, string>;
  for (const { key, value } of email.headers) if (!Object.hasOwn(headers, key)) headers[key] = decodeWords(value.trim());
  const parsed: ParsedMime = { headers };
  if (email.text !== undefined) parsed.text = lf(email.text);
  if (email.html !== undefined) parsed.html = lf(email.html);
  return parsed;
}
