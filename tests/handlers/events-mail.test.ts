// Mail: the RFC 5322 / MIME encoding (headers, encoded-words, multipart, base64 lines, header
// injection; any message read back by postal-mime as it was given), the local outbox (atomic .eml
// files, listed newest first), the SES sender against a stand-in of the SESv2 REST endpoint with the
// real SDK client, and the outbox page routes.
import test from "ava";
import fc from "fast-check";
import assert from "node:assert/strict";
import PostalMime, { decodeWords } from "postal-mime";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { HeaderInjectionError, toMime } from "../../handlers/events/mail/mime";
import { listOutbox, outboxSender } from "../../handlers/events/mail/outbox";
import { sesSender } from "../../handlers/events/mail/ses";
import type { MailMessage } from "../../handlers/events/mail/message";
import { escapeHtml, linkify, localOutboxRoutes } from "../../local/emulators/outbox-page";
import { startApiServer } from "../../local/emulators/api-server";
import { LOCAL_CREDENTIALS } from "../../local/emulators/dynamodb-local";
import { apiEvent } from "../harness/http";
import { anyText, propertyParameters } from "../harness/arbitraries";

const date = new Date("2026-11-26T09:05:07.000Z");
const mail: MailMessage = {
  from: "Switchyard Events <events@example.com>",
  to: "jane@example.org",
  subject: "You're invited: Launch party",
  text: "Hi Jane,\nyou are invited.\n",
  html: "<p>Hi Jane,</p><p>you are invited.</p>",
  headers: { "X-Switchyard-Notification": "0192e1#jane@example.org#invitation" },
};

// An independent reading of the wire format (not mime.ts's own parser): header block, unfolding,
// parts split at the boundary, base64 decoded by hand.
function splitMessage(raw: string) {
  const at = raw.indexOf("\r\n\r\n");
  const headerLines = raw.slice(0, at).split(/\r\n(?![ \t])/);
  const headers = new Map(headerLines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 2)]));
  return { headers, body: raw.slice(at + 4) };
}
const b64 = (s: string) => Buffer.from(s.replace(/\r\n/g, ""), "base64").toString("utf8");

test("a plain mail: the headers in order, CRLF only, base64 UTF-8 body in lines of at most 76", (t) => {
  const raw = toMime({ ...mail, html: undefined, text: "Zürich\n" + "x".repeat(200) }, { date, messageId: "m1@example.com" });
  t.false(/[^\r]\n/.test(raw), "every LF is preceded by CR");
  t.true(raw.endsWith("\r\n"));
  const { headers, body } = splitMessage(raw);
  t.deepEqual([...headers.keys()], ["from", "to", "subject", "date", "message-id", "mime-version", "x-switchyard-notification", "content-type", "content-transfer-encoding"]);
  t.is(headers.get("from"), "Switchyard Events <events@example.com>");
  t.is(headers.get("subject"), "You're invited: Launch party");
  t.is(headers.get("date"), "Thu, 26 Nov 2026 09:05:07 +0000");
  t.is(headers.get("message-id"), "<m1@example.com>");
  t.is(headers.get("mime-version"), "1.0");
  t.is(headers.get("content-type"), "text/plain; charset=UTF-8");
  t.is(headers.get("content-transfer-encoding"), "base64");
  const lines = body.split("\r\n").filter(Boolean);
  t.true(lines.every((l) => l.length <= 76 && /^[A-Za-z0-9+/=]+$/.test(l)));
  t.is(lines[0]!.length, 76);
  t.is(b64(body), "Zürich\r\n" + "x".repeat(200), "text in canonical form (CRLF), UTF-8");
});

test("a non-ASCII subject becomes RFC 2047 encoded-words of at most 75 characters that decode back, never splitting a character", (t) => {
  const subject = "Einladung: Grüße aus Zürich — ein sehr langer Betreff über mehrere Wörter 🎉🎉🎉";
  const raw = toMime({ ...mail, subject, from: "Événements <events@example.com>" }, { date, messageId: "m2@example.com" });
  const subjectLines = raw.slice(raw.indexOf("Subject: ")).split("\r\n");
  const folded = [subjectLines[0]!.slice("Subject: ".length), ...subjectLines.slice(1).filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith(" "))).map((l) => l.slice(1))];
  t.true(folded.length > 1, "folded over several lines");
  const decoded = folded.map((word) => {
    const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(word);
    t.truthy(m, `an encoded-word: ${word}`);
    t.true(word.length <= 75);
    const text = Buffer.from(m![1]!, "base64").toString("utf8");
    t.false(text.includes("\uFFFD"), "no character split across words");
    return text;
  });
  t.is(decoded.join(""), subject);
  t.regex(raw, /^From: =\?UTF-8\?B\?w4l2w6luZW1lbnRz\?= <events@example\.com>\r\n/, "a non-ASCII display name is encoded; the address is not");
});

test("with html: multipart/alternative with a text/plain then a text/html part, the boundary absent from the bodies", (t) => {
  const raw = toMime(mail, { date, messageId: "m3@example.com" });
  const { headers, body } = splitMessage(raw);
  const boundary = /^multipart\/alternative; boundary="([^"]+)"$/.exec(headers.get("content-type")!)?.[1];
  t.truthy(boundary);
  t.false(headers.has("content-transfer-encoding"));
  const sections = body.split(`--${boundary}`);
  t.is(sections.length, 4, "two delimiters and the close delimiter");
  t.is(sections[0], "", "no preamble");
  t.true(sections[3]!.startsWith("--\r\n"), "closed with --boundary--");
  const parts = sections.slice(1, 3).map((s) => splitMessage(s.replace(/^\r\n/, "")));
  t.is(parts[0]!.headers.get("content-type"), "text/plain; charset=UTF-8");
  t.is(parts[1]!.headers.get("content-type"), "text/html; charset=UTF-8");
  t.true(parts.every((p) => p.headers.get("content-transfer-encoding") === "base64"));
  t.is(b64(parts[0]!.body), "Hi Jane,\r\nyou are invited.\r\n");
  t.is(b64(parts[1]!.body), mail.html!);
  t.is(toMime(mail, { date, messageId: "m3@example.com" }), raw, "the same message, date and id encode to the same bytes");
});

test("header injection: CR or LF in any header value throws, as do reserved or malformed extra header names", (t) => {
  t.throws(() => toMime({ ...mail, subject: "Hi\r\nBcc: victim@example.net" }), { instanceOf: HeaderInjectionError });
  t.throws(() => toMime({ ...mail, subject: "Hi\nBcc: victim@example.net" }), { instanceOf: HeaderInjectionError });
  t.throws(() => toMime({ ...mail, to: "jane@example.org\r\nBcc: victim@example.net" }), { instanceOf: HeaderInjectionError });
  t.throws(() => toMime({ ...mail, from: "Events <events@example.com>\rBcc: x@example.net" }), { instanceOf: HeaderInjectionError });
  t.throws(() => toMime({ ...mail, headers: { "X-Note": "a\r\n\r\n<html>" } }), { instanceOf: HeaderInjectionError });
  t.throws(() => toMime({ ...mail, headers: { "X-Bad Name": "a" } }), { instanceOf: TypeError });
  t.throws(() => toMime({ ...mail, headers: { "Bcc: x@example.net\r\nX": "a" } }), { instanceOf: TypeError });
  t.throws(() => toMime({ ...mail, headers: { "content-type": "text/html" } }), { instanceOf: TypeError });
  t.throws(() => toMime({ ...mail, to: "jane@example.org, victim@example.net" }), { instanceOf: TypeError }, "one recipient");
  t.throws(() => toMime(mail, { messageId: "x>\r\nBcc: y" }), { instanceOf: TypeError });
});

/** What toMime refuses in a header value: CR, LF and the other controls except tab. */
// eslint-disable-next-line no-control-regex
const REFUSED_IN_HEADERS = /[\x00-\x08\x0a-\x1f\x7f]/;
/** Text as it comes out of UTF-8: lone surrogates become U+FFFD. */
const wellFormed = (text: string) => Buffer.from(text, "utf8").toString("utf8");
/** Header text as a reader decodes it: UTF-8's decoder reads a BOM that starts an encoded-word as a BOM, not text. */
const headerAsRead = (text: string) => wellFormed(text).replace(/\ufeff/g, "");
/** A body as a reader sees it: well-formed, CRLF line breaks (MIME's canonical form); a leading BOM is read as a BOM, not text. */
const canonicalBody = (text: string) => wellFormed(text).replace(/\r\n|\r|\n/g, "\r\n").replace(/^\ufeff/, "");
/** ASCII words, some longer than a header line, so folding (and the unfoldable long word) is exercised. */
const asciiWords = fc.array(fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 90 }), { minLength: 1, maxLength: 12 }).map((w) => w.join(" "));
const headerText = fc.oneof(anyText({ maxLength: 120 }), asciiWords);
/** Bodies with long lines and every kind of line break. */
const body = fc.oneof(anyText({ maxLength: 400 }), fc.array(fc.oneof(anyText({ maxLength: 200 }), fc.constantFrom("\n", "\r\n", "\r", "x".repeat(1000))), { maxLength: 8 }).map((p) => p.join("")));

test("any message is either refused (a control character in a header) or read back by postal-mime as it was given, in lines of at most 998 characters", async (t) => {
  // node:assert inside the property, so fast-check sees a failure, shrinks it and prints its seed.
  await t.notThrowsAsync(fc.assert(
    fc.asyncProperty(headerText, headerText, headerText, body, fc.option(body, { nil: undefined }), async (subject, name, note, text, html) => {
      const message: MailMessage = { from: `${name} <events@example.com>`, to: "jane@example.org", subject, text, html, headers: { "X-Note": note } };
      const encode = () => toMime(message, { date, messageId: "p@example.com" });
      if ([subject, name, note].some((v) => REFUSED_IN_HEADERS.test(v))) {
        assert.throws(encode, HeaderInjectionError);
        return;
      }
      const raw = encode();
      assert.equal(encode(), raw, "the same message, date and id: the same bytes");
      assert.ok(!/[^\r]\n|\r(?!\n)/.test(raw), "CRLF line breaks only");
      assert.ok(raw.split("\r\n").every((line) => line.length <= 998), "no line longer than RFC 5322 allows");
      const read = await PostalMime.parse(raw);
      assert.equal(read.subject?.replace(/\ufeff/g, "").trim() ?? "", headerAsRead(subject).trim());
      assert.deepEqual({ ...read.from, name: read.from?.name.replace(/\ufeff/g, "") }, { address: "events@example.com", name: headerAsRead(name).trim().replace(/^"(.*)"$/s, "$1").trim() });
      assert.deepEqual(read.to?.map((a) => a.address), ["jane@example.org"]);
      // Exactly as given, but for the spaces around ASCII text, which header unfolding does not keep.
      const asciiTrim = (text: string) => text.replace(/^[ \t]+|[ \t]+$/g, "");
      assert.equal(asciiTrim(decodeWords(read.headers.find((h) => h.key === "x-note")?.value ?? "").replace(/\ufeff/g, "")), asciiTrim(headerAsRead(note)));
      assert.equal(read.messageId, "<p@example.com>");
      assert.equal(read.date, date.toISOString());
      assert.equal(read.text ?? "", canonicalBody(text));
      assert.equal(read.html ?? "", canonicalBody(html ?? ""));
    }),
    { ...propertyParameters(150), includeErrorInReport: true },
  ));
});

async function tempDir() {
  return mkdtemp(join(tmpdir(), "switchyard-outbox-"));
}

test("the outbox writes one .eml per mail (no temp files left) and lists them newest first with their headers", async (t) => {
  const dir = join(await tempDir(), "outbox"); // created on first send
  t.deepEqual(await listOutbox(dir), []);
  const sender = outboxSender(dir);
  const first = await sender.send(mail);
  await new Promise((r) => setTimeout(r, 5));
  const second = await sender.send({ ...mail, to: "ann@example.org", subject: "Abgesagt: Grüße", headers: { "X-Switchyard-Notification": "0192e1#ann@example.org#cancellation" } });
  await new Promise((r) => setTimeout(r, 5));
  const third = await sender.send({ ...mail, headers: undefined });
  const files = await readdir(dir);
  t.is(files.length, 3);
  t.true(files.every((f) => /^\d{4}-\d\d-\d\dT\d{6}\.\d{3}Z-[0-9a-f]{12}\.eml$/.test(f)), files.join(" "));
  const listed = await listOutbox(dir);
  t.deepEqual(listed.map((e) => e.messageId), [third.messageId, second.messageId, first.messageId]);
  t.like(listed[1], { to: "ann@example.org", from: "Switchyard Events <events@example.com>", subject: "Abgesagt: Grüße", kind: "cancellation" });
  t.is(listed[2]!.kind, "invitation");
  t.is(listed[0]!.kind, undefined);
  t.regex(first.messageId, /^[0-9a-f-]{36}@example\.com$/);
  t.true(Math.abs(Date.parse(listed[0]!.date) - Date.now()) < 60_000);
  const raw = await readFile(join(dir, listed[2]!.file), "utf8");
  t.is(raw.replace(/\r\nDate: [^\r]+\r\nMessage-ID: [^\r]+/, ""), toMime(mail, { date, messageId: "x@example.com" }).replace(/\r\nDate: [^\r]+\r\nMessage-ID: [^\r]+/, ""), "the file is toMime's bytes");
});

test("the outbox ignores files that are not its mails, and 50 concurrent sends give 50 distinct complete files", async (t) => {
  const dir = await tempDir();
  await writeFile(join(dir, "notes.txt"), "x");
  await writeFile(join(dir, ".2026-11-26T000000.000Z-000000000000.eml.1234.tmp"), "partial");
  const sender = outboxSender(dir);
  const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => sender.send({ ...mail, to: `p${i}@example.org` })));
  const listed = await listOutbox(dir);
  t.is(listed.length, 50);
  t.deepEqual(listed.map((e) => e.messageId).sort(), ids.map((r) => r.messageId).sort());
  t.deepEqual(new Set(listed.map((e) => e.to)).size, 50);
});

test("the outbox lists and shows a mail written elsewhere: LF line ends, Latin-1 quoted-printable, RFC 2047 Q words", async (t) => {
  const dir = await tempDir();
  const file = "2026-11-26T000000.000Z-0123456789ab.eml";
  const foreign = [
    "From: =?ISO-8859-1?Q?J=FCrg_M=FCller?= <juerg@example.ch>",
    "To: jane@example.org",
    "Subject: =?ISO-8859-1?Q?Gr=FC=DFe_aus_?=",
    " =?UTF-8?B?WsO8cmljaA==?=",
    "Date: Thu, 26 Nov 2026 09:05:07 +0100",
    "Message-ID: <foreign@example.ch>",
    "X-Switchyard-Notification: e1#jane@example.org#reminder",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=ISO-8859-1",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "Gr=FC=DFe, this line is folded by a soft line b=",
    "reak.",
    "",
  ].join("\n");
  await writeFile(join(dir, file), Buffer.from(foreign, "latin1"));
  t.deepEqual(await listOutbox(dir), [
    { file, from: "Jürg Müller <juerg@example.ch>", to: "jane@example.org", subject: "Grüße aus Zürich", date: "2026-11-26T08:05:07.000Z", messageId: "foreign@example.ch", kind: "reminder" },
  ]);
  const html = String((await localOutboxRoutes(dir)[0]!.handler(pageEvent())).body);
  t.true(html.includes("<pre>Grüße, this line is folded by a soft line break.\n</pre>"), "the text part, decoded from Latin-1 quoted-printable");
});

interface SesRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: { Content?: { Raw?: { Data?: string } }; ConfigurationSetName?: string };
}

/** The SESv2 REST endpoint SendEmail uses; `answer` sets what it replies. */
async function startSesStandIn() {
  const requests: SesRequest[] = [];
  const state = { status: 200, errorType: "" };
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: JSON.parse(text || "{}") });
      if (req.method !== "POST" || req.url !== "/v2/email/outbound-emails") return res.writeHead(404, { "x-amzn-errortype": "NotFoundException", "content-type": "application/json" }).end(JSON.stringify({ message: "no route" }));
      if (state.status >= 400) {
        return res.writeHead(state.status, { "x-amzn-errortype": state.errorType, "content-type": "application/json" }).end(JSON.stringify({ message: `${state.errorType} from the stand-in` }));
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ MessageId: `0100019a-ses-${requests.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const client = (maxAttempts = 1) => new SESv2Client({ endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS, maxAttempts });
  return { requests, state, client, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test("SES: SendEmail carries the raw MIME message (base64 in JSON) and the configuration set; SES's MessageId is returned", async (t) => {
  const ses = await startSesStandIn();
  const client = ses.client();
  const result = await sesSender(client, { configurationSet: "switchyard-dev" }).send(mail);
  t.deepEqual(result, { messageId: "0100019a-ses-1" });
  t.is(ses.requests.length, 1);
  const request = ses.requests[0]!;
  t.is(request.headers["content-type"], "application/json");
  t.regex(String(request.headers.authorization), /^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/us-east-1\/ses\/aws4_request/);
  t.is(request.body.ConfigurationSetName, "switchyard-dev");
  const raw = Buffer.from(request.body.Content!.Raw!.Data!, "base64").toString("utf8");
  const { headers } = splitMessage(raw);
  const sentDate = new Date(Date.parse(headers.get("date")!));
  t.is(raw, toMime(mail, { date: sentDate, messageId: headers.get("message-id")! }), "byte for byte toMime's message");
  t.is(headers.get("to"), "jane@example.org");
  await sesSender(client).send(mail);
  t.false("ConfigurationSetName" in ses.requests[1]!.body, "no configuration set unless given");
  client.destroy();
  await ses.close();
});

test("SES: a 4xx (MessageRejected) or a 5xx from SES makes send throw", async (t) => {
  const ses = await startSesStandIn();
  ses.state.status = 400;
  ses.state.errorType = "MessageRejected";
  const client = ses.client();
  const rejected = await t.throwsAsync(sesSender(client).send(mail));
  t.is(rejected!.name, "MessageRejected");
  ses.state.status = 503;
  ses.state.errorType = "ServiceUnavailable";
  const retrying = ses.client(2);
  await t.throwsAsync(sesSender(retrying).send(mail));
  t.is(ses.requests.length, 3, "the SDK's own retry, then the error");
  ses.state.status = 200;
  t.deepEqual(await sesSender(client).send(mail), { messageId: "0100019a-ses-4" });
  client.destroy();
  retrying.destroy();
  await ses.close();
});

const pageEvent = () => apiEvent("GET", "/_local/outbox", { routeKey: "GET /_local/outbox" });
const fileEvent = (file: string) => apiEvent("GET", `/_local/outbox/${encodeURIComponent(file)}`, { routeKey: "GET /_local/outbox/{file}", pathParameters: { file } });

test("outbox routes: the page lists mails newest first with escaped fields and the text part; the raw link serves message/rfc822", async (t) => {
  const dir = await tempDir();
  const routes = localOutboxRoutes(dir);
  t.deepEqual(routes.map((r) => r.routeKey), ["GET /_local/outbox", "GET /_local/outbox/{file}"]);
  const [page, raw] = routes.map((r) => r.handler) as [typeof routes[0]["handler"], typeof routes[0]["handler"]];
  const empty = await page(pageEvent());
  t.is(empty.statusCode, 200);
  t.regex(String(empty.body), /No mail yet/);

  const sender = outboxSender(dir);
  await sender.send({ ...mail, subject: "First <script>alert(1)</script>" });
  await new Promise((r) => setTimeout(r, 5));
  await sender.send({ ...mail, to: "bob@example.org", subject: "Second & last", text: "Hello <b>Bob</b>\nline two" });
  const result = await page(pageEvent());
  t.is(result.statusCode, 200);
  t.regex(String(result.headers!["content-type"]), /^text\/html; charset=utf-8$/);
  t.regex(String(result.headers!["content-security-policy"]), /default-src 'none'/);
  const html = String(result.body);
  t.false(html.includes("<script>"), "nothing from a mail is markup");
  t.true(html.includes("First &lt;script&gt;alert(1)&lt;/script&gt;"));
  t.true(html.includes("Second &amp; last"));
  t.true(html.indexOf("Second &amp; last") < html.indexOf("First &lt;script"), "newest first");
  t.true(html.includes("<pre>Hello &lt;b&gt;Bob&lt;/b&gt;\nline two</pre>"), "the text part, decoded and escaped");
  t.true(html.includes("<dd>bob@example.org</dd>"));
  t.regex(html, /<html lang="en">/);

  const [newest] = await listOutbox(dir);
  t.true(html.includes(`href="/_local/outbox/${newest!.file}"`));
  const served = await raw(fileEvent(newest!.file));
  t.is(served.statusCode, 200);
  t.is(served.headers!["content-type"], "message/rfc822");
  const bytes = served.isBase64Encoded ? Buffer.from(String(served.body), "base64") : Buffer.from(String(served.body));
  t.deepEqual(bytes, await readFile(join(dir, newest!.file)));
});

test("outbox page: the text's http(s) links are links (escaped, sentence punctuation left out); nothing else becomes one", (t) => {
  const yes = "http://127.0.0.1:3002/events/rsvp?token=abc.def_ghi-jkl&x=1";
  t.is(
    linkify(`Yes:\n${yes}\nMore at https://example.org/a.\n"https://example.org/b"<b>\njavascript:alert(1)`),
    `Yes:\n<a href="${escapeHtml(yes)}">${escapeHtml(yes)}</a>\nMore at <a href="https://example.org/a">https://example.org/a</a>.\n&quot;<a href="https://example.org/b">https://example.org/b</a>&quot;&lt;b&gt;\njavascript:alert(1)`,
  );
});

test("outbox routes: path traversal, other files and unknown names are 404", async (t) => {
  const parent = await tempDir();
  const dir = join(parent, "outbox");
  await outboxSender(dir).send(mail);
  await writeFile(join(parent, "2026-11-26T000000.000Z-aaaaaaaaaaaa.eml"), "secret outside the outbox");
  await writeFile(join(dir, "notes.eml"), "not an outbox mail");
  const raw = localOutboxRoutes(dir)[1]!.handler;
  for (const file of ["../2026-11-26T000000.000Z-aaaaaaaaaaaa.eml", "..", "../../etc/passwd", "/etc/passwd", "notes.eml", "2026-11-26T000000.000Z-bbbbbbbbbbbb.eml", "..%2f2026-11-26T000000.000Z-aaaaaaaaaaaa.eml", "2026-11-26T000000.000Z-aaaaaaaaaaaa.eml/../x.eml"]) {
    const result = await raw(fileEvent(file));
    t.is(result.statusCode, 404, file);
    t.is(JSON.parse(String(result.body)).status, 404);
    t.false(String(result.body).includes("secret"));
  }
});

test("outbox routes on the local API server: the page and the raw mail over HTTP; an encoded traversal is 404", async (t) => {
  const parent = await tempDir();
  const dir = join(parent, "outbox");
  await outboxSender(dir).send(mail);
  await writeFile(join(parent, "2026-11-26T000000.000Z-aaaaaaaaaaaa.eml"), "secret outside the outbox");
  const api = await startApiServer({ routes: localOutboxRoutes(dir), corsOrigins: [] });
  try {
    const page = await fetch(`${api.url}/_local/outbox`);
    t.is(page.status, 200);
    const [entry] = await listOutbox(dir);
    t.true((await page.text()).includes(entry!.file));
    const rawMail = await fetch(`${api.url}/_local/outbox/${entry!.file}`);
    t.is(rawMail.headers.get("content-type"), "message/rfc822");
    t.is(await rawMail.text(), await readFile(join(dir, entry!.file), "utf8"));
    for (const path of ["..%2F2026-11-26T000000.000Z-aaaaaaaaaaaa.eml", "%2E%2E%2F2026-11-26T000000.000Z-aaaaaaaaaaaa.eml"]) {
      const res = await fetch(`${api.url}/_local/outbox/${path}`);
      t.is(res.status, 404, path);
      t.false((await res.text()).includes("secret"));
    }
  } finally {
    await api.close();
  }
});
