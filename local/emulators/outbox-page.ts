// Local mode's view of the mail outbox, as two routes on the local HTTP API:
//   GET /_local/outbox         an HTML page: the mails, newest first (date, from, to, subject, kind,
//                              the text part decoded with its links clickable, a link to the raw message)
//   GET /_local/outbox/{file}  one mail as written (message/rfc822); 404 for anything but an
//                              outbox file name (no paths, no traversal)
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { HttpProblem } from "../../handlers/shared/problem";
import { problemResponse, type HttpEvent, type HttpResult } from "../../handlers/shared/http";
import { OUTBOX_FILE, listOutbox } from "../../handlers/events/mail/outbox";
import { parseMime } from "../../handlers/events/mail/parse-mime";
import type { LocalRoute } from "./api-server";

/** Mails shown on the page (the newest). */
export const OUTBOX_PAGE_LIMIT = 200;

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Text with its http(s) URLs as links (the RSVP links), everything escaped; nothing else becomes markup. */
export function linkify(text: string): string {
  let html = "";
  let at = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    // A sentence's closing punctuation is not part of the URL.
    const url = match[0].replace(/[.,;:!?)\]]+$/, "");
    html += `${escapeHtml(text.slice(at, match.index))}<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
    at = match.index! + url.length;
  }
  return html + escapeHtml(text.slice(at));
}

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
};

const notFound = (event: HttpEvent) => problemResponse(new HttpProblem("not-found", "No such mail in the local outbox.").toDocument(event.rawPath));

async function readMail(dir: string, file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(join(dir, file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

export async function outboxPageHtml(dir: string): Promise<string> {
  const entries = (await listOutbox(dir)).slice(0, OUTBOX_PAGE_LIMIT);
  const items = await Promise.all(
    entries.map(async (entry) => {
      const raw = await readMail(dir, entry.file);
      const text = raw === undefined ? "" : ((await parseMime(raw)).text ?? "");
      const href = `/_local/outbox/${encodeURIComponent(entry.file)}`;
      return [
        "<li><article>",
        `<h2>${escapeHtml(entry.subject || "(no subject)")}</h2>`,
        "<dl>",
        `<dt>Date</dt><dd><time datetime="${escapeHtml(entry.date)}">${escapeHtml(entry.date)}</time></dd>`,
        `<dt>To</dt><dd>${escapeHtml(entry.to)}</dd>`,
        `<dt>From</dt><dd>${escapeHtml(entry.from)}</dd>`,
        entry.kind ? `<dt>Kind</dt><dd>${escapeHtml(entry.kind)}</dd>` : "",
        "</dl>",
        `<pre>${linkify(text)}</pre>`,
        `<p><a href="${escapeHtml(href)}">Raw message (${escapeHtml(entry.file)})</a></p>`,
        "</article></li>",
      ].join("");
    }),
  );
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>Local outbox — Switchyard</title>",
    "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#111;background:#fff}",
    "ol{list-style:none;padding:0}li{border-top:1px solid #888;padding:.5rem 0}dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.1rem 1rem}",
    // Long tokens (RSVP links, addresses, file names) wrap anywhere: a phone never scrolls sideways.
    "dt{font-weight:bold}dd{margin:0}pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem}a{color:#0645ad}h2,dd,pre,a{overflow-wrap:anywhere}</style>",
    "</head><body><main>",
    "<h1>Local outbox</h1>",
    `<p>Mails local mode would have sent, newest first (${entries.length}${entries.length === OUTBOX_PAGE_LIMIT ? ", the newest only" : ""}).</p>`,
    items.length ? `<ol>${items.join("")}</ol>` : "<p>No mail yet.</p>",
    "</main></body></html>",
  ].join("\n");
}

/** The outbox routes for the local HTTP API (mount them before `$default`). */
export function localOutboxRoutes(dir: string): LocalRoute[] {
  return [
    {
      routeKey: "GET /_local/outbox",
      handler: async (): Promise<HttpResult> => ({ statusCode: 200, headers: PAGE_HEADERS, body: await outboxPageHtml(dir) }),
    },
    {
      routeKey: "GET /_local/outbox/{file}",
      handler: async (event): Promise<HttpResult> => {
        const file = event.pathParameters?.file ?? "";
        // Only names the outbox writes: no separators, no dot segments, no hidden temp files.
        if (!OUTBOX_FILE.test(file)) return notFound(event);
        const raw = await readMail(dir, file);
        if (raw === undefined) return notFound(event);
        return {
          statusCode: 200,
          headers: {
            "content-type": "message/rfc822",
            "content-disposition": `inline; filename="${file}"`,
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
          },
          body: raw.toString("base64"),
          isBase64Encoded: true,
        };
      },
    },
  ];
}
