// Kept hand-written (#17): nodemailer's MailComposer adds 112 KB zipped to events-notify (431 → 543 KB, over the 512 KB target) and ~34 ms CPU to load on the first mail; mimetext's CommonJS build loads as an empty module, and it writes LF line ends and labels 8-bit UTF-8 bodies 7bit.
// RFC 5322 / MIME encoding of a MailMessage, shared by SES (SendEmail with Content.Raw) and the
// local outbox, so the mail sent in the cloud is byte-for-byte the local .eml apart from Date and
// Message-ID. No dependencies: UTF-8 everywhere, base64 bodies in 76-character lines, RFC 2047
// encoded-words for non-ASCII header text, CRLF line endings. Mails are read back with
// parse-mime.ts (postal-mime).
import { createHash, randomUUID } from "node:crypto";
import type { MailMessage } from "./message";

const CRLF = "\r\n";

/** Headers toMime writes itself; `message.headers` may not set them. */
// An array, not a Set: Pulumi's closure serialization turns a captured Set into a plain object.
const RESERVED_HEADERS: readonly string[] = ["from", "to", "subject", "date", "message-id", "mime-version", "content-type", "content-transfer-encoding"];

/** RFC 5322 field-name: printable ASCII except colon. */
const FIELD_NAME = /^[!-9;-~]+$/;
const NON_ASCII_OR_CONTROL = /[^\x20-\x7e]/;

export class HeaderInjectionError extends Error {}

function assertHeaderValue(name: string, value: string): string {
  if (typeof value !== "string") throw new TypeError(`Mail header ${name} must be a string`);
  if (/[\r\n]/.test(value)) throw new HeaderInjectionError(`Mail header ${name} contains a line break (CR or LF): refused`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(value)) throw new HeaderInjectionError(`Mail header ${name} contains a control character: refused`);
  return value;
}

/** Base64 of `bytes` in lines of at most 76 characters, each ended by CRLF (RFC 2045 §6.8). */
export function base64Lines(bytes: Buffer): string {
  const b64 = bytes.toString("base64");
  let out = "";
  for (let i = 0; i < b64.length; i += 76) out += b64.slice(i, i + 76) + CRLF;
  return out;
}

/**
 * Unstructured header text (RFC 5322 §3.2.5) as it goes on the wire, after `Name: `. ASCII text is
 * folded at spaces to keep lines near 78 characters; text with non-ASCII characters (or that
 * looks like an encoded-word) becomes RFC 2047 `=?UTF-8?B?…?=` words of at most 75 characters,
 * split on character boundaries, one per folded line.
 */
export function encodeHeaderText(text: string, nameLength: number): string {
  const needsEncoding = NON_ASCII_OR_CONTROL.test(text) || text.includes("=?");
  if (!needsEncoding) {
    if (nameLength + 2 + text.length <= 78) return text;
    // Fold at spaces; a single word longer than a line stays whole (allowed up to 998 characters).
    const words = text.split(" ");
    const lines: string[] = [];
    let line = words.shift() ?? "";
    let budget = 78 - nameLength - 2;
    for (const word of words) {
      if (line.length + 1 + word.length > budget && line.trim() !== "") {
        lines.push(line);
        line = word;
        budget = 77; // continuation lines start with the space that was folded
      } else line += ` ${word}`;
    }
    lines.push(line);
    if (lines.every((l) => l.length <= 997)) return lines.join(`${CRLF} `);
  }
  // 75 − "=?UTF-8?B?".length − "?=".length = 63 base64 characters: at most 45 bytes per word.
  const words: string[] = [];
  let chunk = "";
  let chunkBytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, "utf8");
    if (chunkBytes + size > 45) {
      words.push(chunk);
      chunk = "";
      chunkBytes = 0;
    }
    chunk += ch;
    chunkBytes += size;
  }
  if (chunk || words.length === 0) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, "utf8").toString("base64")}?=`).join(`${CRLF} `);
}

/** An address or `Display Name <address>`; a non-ASCII display name is encoded, the address must be ASCII. */
function encodeAddress(header: string, value: string): string {
  assertHeaderValue(header, value);
  const trimmed = value.trim();
  // dotAll: a display name may hold U+2028/U+2029, which `.` alone does not match.
  const angle = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$/s.exec(trimmed);
  const address = angle ? angle[2]! : trimmed;
  if (!/^[^\s<>@",;]+@[^\s<>@",;]+$/.test(address) || NON_ASCII_OR_CONTROL.test(address)) {
    throw new TypeError(`Mail header ${header} is not one ASCII address: ${JSON.stringify(value)}`);
  }
  const name = angle?.[1]?.trim().replace(/^"(.*)"$/s, "$1") ?? "";
  if (!name) return angle ? `<${address}>` : address;
  if (NON_ASCII_OR_CONTROL.test(name) || name.includes("=?")) return `${encodeHeaderText(name, header.length).replace(/\r\n /g, " ")} <${address}>`;
  // Plain ASCII names: atoms as they are, anything with specials quoted (RFC 5322 §3.2.4).
  const phrase = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/.test(name) ? name : `"${name.replace(/(["\\])/g, "\\$1")}"`;
  return `${phrase} <${address}>`;
}

/** The bare address in `from` (for the Message-ID's domain). */
function addressOf(value: string): string {
  return /<([^<>]+)>\s*$/.exec(value)?.[1] ?? value.trim();
}

/** A fresh Message-ID (without angle brackets) in the sender's domain. */
export function newMessageId(from: string): string {
  const domain = addressOf(from).split("@")[1] ?? "switchyard.local";
  return `${randomUUID()}@${domain}`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/** RFC 5322 §3.3 date-time in UTC: `Thu, 26 Nov 2026 01:10:42 +0000`. */
export function rfc5322Date(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError("Invalid mail date");
  return `${DAYS[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** Text in MIME canonical form: CRLF line breaks (RFC 2045 §6.8 encodes the canonical form). */
const canonical = (text: string) => text.replace(/\r\n|\r|\n/g, CRLF);

function textPartHeaders(subtype: "plain" | "html") {
  return `Content-Type: text/${subtype}; charset=UTF-8${CRLF}Content-Transfer-Encoding: base64${CRLF}`;
}

/**
 * The mail as an RFC 5322 message with CRLF line endings: From, To, Subject, Date, Message-ID,
 * MIME-Version, the extra headers, then a single text/plain body or, with `html`, a
 * multipart/alternative of text/plain and text/html. Bodies are UTF-8 in base64 (76-character
 * lines). Throws HeaderInjectionError when a header value holds CR or LF (or another control
 * character), and TypeError for a bad header name, a reserved extra header or a bad address.
 * `opts.messageId` is without angle brackets (they are accepted too); default: a new UUID in the
 * sender's domain. The multipart boundary is derived from the bodies, so the same message encodes
 * to the same bytes given the same date and Message-ID.
 */
export function toMime(message: MailMessage, opts: { date?: Date; messageId?: string } = {}): string {
  const from = encodeAddress("From", message.from);
  const to = encodeAddress("To", message.to);
  assertHeaderValue("Subject", message.subject);
  const messageId = (opts.messageId ?? newMessageId(message.from)).replace(/^<(.*)>$/, "$1");
  if (!/^[!-;=?-~]+@[!-;=?-~]+$/.test(messageId)) throw new TypeError(`Not a Message-ID: ${JSON.stringify(messageId)}`);
  const lines = [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${encodeHeaderText(message.subject, "Subject".length)}`,
    `Date: ${rfc5322Date(opts.date ?? new Date())}`,
    `Message-ID: <${messageId}>`,
    "MIME-Version: 1.0",
  ];
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!FIELD_NAME.test(name)) throw new TypeError(`Not a mail header name: ${JSON.stringify(name)}`);
    if (RESERVED_HEADERS.includes(name.toLowerCase())) throw new TypeError(`Mail header ${name} is set by toMime; do not pass it in headers`);
    lines.push(`${name}: ${encodeHeaderText(assertHeaderValue(name, value), name.length)}`);
  }
  const text = Buffer.from(canonical(message.text), "utf8");
  if (message.html === undefined) {
    return `${lines.join(CRLF)}${CRLF}${textPartHeaders("plain")}${CRLF}${base64Lines(text)}`;
  }
  const html = Buffer.from(canonical(message.html), "utf8");
  // "=_" never occurs in base64 text, so the boundary cannot collide with a body line.
  const boundary = `=_switchyard_${createHash("sha256").update(text).update("\0").update(html).digest("hex").slice(0, 32)}`;
  return [
    `${lines.join(CRLF)}${CRLF}Content-Type: multipart/alternative; boundary="${boundary}"${CRLF}`,
    `--${boundary}${CRLF}${textPartHeaders("plain")}${CRLF}${base64Lines(text)}`,
    `--${boundary}${CRLF}${textPartHeaders("html")}${CRLF}${base64Lines(html)}`,
    `--${boundary}--${CRLF}`,
  ].join(CRLF);
}
