// Events made through local mode's API, as an organizer would (the sign-in stand-in's token), and
// a browser session signed in through the stand-in's form: what the page-load bench and the
// browser tests that start from a ready event share.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { listOutbox } from "../../handlers/events/mail/outbox";
import { parseMime } from "../../handlers/events/mail/parse-mime";
import type { SiteInChromium } from "./site-in-chromium";

const WAIT_MS = 20_000;
/** Where the site keeps its sign-in (website/src/events-auth.ts). */
export const SESSION_KEY = "switchyard.events.session";

// page.evaluate and addInitScript callbacks run in Chromium; the repo's Node typings have no DOM.
declare const sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };

/** An ID token for `email` from the sign-in stand-in. */
export async function idToken(site: SiteInChromium, email: string): Promise<string> {
  const response = await fetch(`${site.signInUrl}/_local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email }) });
  return ((await response.json()) as { id_token: string }).id_token;
}

/** One API call with the token; throws with the answer unless it is a 2xx. */
export async function apiCall<T>(site: SiteInChromium, method: string, path: string, token: string | undefined, body?: unknown): Promise<T> {
  const response = await fetch(`${site.apiUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The RSVP links (yes, no) of the invitation mailed to `to` for `title` (waits for the mail). */
export async function rsvpLinks(site: SiteInChromium, to: string, title: string): Promise<{ yes: string; no: string }> {
  const dir = join(site.dataDir, "outbox");
  for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    for (const entry of await listOutbox(dir)) {
      if (entry.kind !== "invitation" || !entry.to.includes(to) || !entry.subject.includes(title)) continue;
      const text = (await parseMime(await readFile(join(dir, entry.file)))).text ?? "";
      const [yes, no] = [...text.matchAll(/^(https?:\/\/\S+\/events\/rsvp\?token=\S+)$/gm)].map((m) => m[1]!);
      if (yes && no) return { yes, no };
    }
  }
  throw new Error(`no invitation mail to ${to} for ${title}`);
}

/** Answers an invitation from its mailed link, without signing in (POST /rsvp). */
export const answer = (site: SiteInChromium, link: string, value: "yes" | "no") => apiCall(site, "POST", "/rsvp", undefined, { token: new URL(link).searchParams.get("token"), answer: value });

/** Signs in through the sign-in stand-in's form, as a person does; resolves to the site's stored session (for `withSession`). */
export async function signInSession(site: SiteInChromium, email: string): Promise<string> {
  const context = await site.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${site.siteUrl}/events/`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.href.startsWith(site.signInUrl));
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText(`Signed in as ${email}`).waitFor({ timeout: WAIT_MS });
    const session = await page.evaluate((key) => sessionStorage.getItem(key), SESSION_KEY);
    if (!session) throw new Error("signed in, but the site stored no session");
    return session;
  } finally {
    await context.close();
  }
}

/** A new browser context whose pages start signed in with `session` (the tab's sessionStorage). */
export async function withSession(site: SiteInChromium, session: string | undefined, options: Parameters<SiteInChromium["browser"]["newContext"]>[0] = {}) {
  const context = await site.browser.newContext(options);
  if (session) await context.addInitScript(([key, value]) => sessionStorage.setItem(key, value), [SESSION_KEY, session] as const);
  return context;
}
