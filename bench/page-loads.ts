// Requests and bytes per page load of the Events pages: local mode (`npm start`) and Debian's
// Chromium (playwright-core), each page opened in a fresh browser context (cold HTTP and preflight
// caches, as a first visit), counted until the page shows its content and the network is idle.
// Counted: every request to the API's origin (not the site's own files, not media, not sign-in),
// CORS preflights included and shown apart; bytes are the response bodies as received (decoded
// length; local mode does not compress) and, apart, the transfer size with headers, both from
// Chromium's own network events (DevTools protocol), which also report the preflights.
//
// `npx tsx bench/page-loads.ts` runs just this (30 s to a minute); `--record <file>` writes the figures
// (how bench/page-loads-before-19.json was made). `npm run bench` adds these rows to its table.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { answer, apiCall, idToken, rsvpLinks, signInSession, withSession } from "../tests/harness/events-seed";
import { startSiteInChromium, type SiteInChromium } from "../tests/harness/site-in-chromium";

/** One page load's API traffic. */
export interface PageLoad {
  /** Requests to the API origin, preflights included. */
  requests: number;
  /** Of which CORS preflights (OPTIONS). */
  preflights: number;
  /** Response bodies, decoded, summed. */
  bodyBytes: number;
  /** Bytes received for them: headers and (encoded) bodies, preflights included. */
  transferBytes: number;
  /** What was asked, in order, with its bytes: `GET /me/events/{id}: 542 B (945 B transferred)`. */
  calls: string[];
}

export interface PageLoadFigures {
  about: string;
  pages: Record<string, PageLoad>;
}

/** The pages measured, by the name the table shows. */
export const PAGES = ["events home (signed out)", "events home (signed in)", "public event page", "RSVP page (mailed link)", "manage page (3 invitations)"] as const;
export type PageName = (typeof PAGES)[number];

const WAIT_MS = 20_000;
const ORGANIZER = "bench-organizer@example.com";
const INVITEES = ["ada@example.com", "grace@example.com", "edsger@example.com"];

/** The figures recorded from the REST-only site, before the pages read through GraphQL. */
export const PAGE_LOADS_BEFORE: PageLoadFigures = JSON.parse(readFileSync(join(__dirname, "page-loads-before-19.json"), "utf8"));

/** Three public events and one to manage (public, published, three invitees, one of whom said yes). */
async function seed(site: SiteInChromium) {
  const token = await idToken(site, ORGANIZER);
  const day = 86_400_000;
  for (const [i, title] of ["Harbour walk", "Rust reading group", "Letterpress workshop"].entries()) {
    const { id } = await apiCall<{ id: string }>(site, "POST", "/events", token, { title, description: "A bench event.", startsAt: new Date(Date.now() + (i + 3) * day).toISOString(), durationMinutes: 60, visibility: "public" });
    await apiCall(site, "POST", `/events/${id}/publish`, token, {});
  }
  const title = "Bench evening";
  const managed = await apiCall<{ id: string }>(site, "POST", "/events", token, {
    title,
    description: "The event the bench manages.\nBring a lantern.",
    startsAt: new Date(Date.now() + 10 * day).toISOString(),
    durationMinutes: 90,
    visibility: "public",
    joinUrl: "https://meet.example.com/bench-evening",
  });
  await apiCall(site, "POST", `/events/${managed.id}/invitations`, token, { emails: INVITEES });
  await apiCall(site, "POST", `/events/${managed.id}/publish`, token, {});
  await answer(site, (await rsvpLinks(site, INVITEES[0]!, title)).yes, "yes");
  const pending = new URL((await rsvpLinks(site, INVITEES[1]!, title)).yes);
  return { eventId: managed.id, rsvpPath: pending.pathname + pending.search };
}

/** A call as the table shows it: no RSVP token, event ids as {id}, a hash by its first 8 digits, variables decoded. */
const readable = (call: string) =>
  decodeURIComponent(call.replace(/token=[^&]+/, "token=…"))
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{id}")
    .replace(/\b([0-9a-f]{8})[0-9a-f]{56}\b/g, "$1…");

/**
 * Opens `path` in a fresh context (with `session` in sessionStorage when given), waits for `ready`
 * and for the network to go quiet, and returns the API traffic of that load.
 */
async function measure(site: SiteInChromium, path: string, ready: (page: Page) => Locator, session?: string): Promise<PageLoad> {
  const context = await withSession(site, session, { locale: "en-US" });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const apiOrigin = new URL(site.apiUrl).origin;
    const requests = new Map<string, { call: string; preflight: boolean; body: number; transfer: number }>();
    cdp.on("Network.requestWillBeSent", (e) => {
      const url = new URL(e.request.url);
      if (url.origin !== apiOrigin) return;
      requests.set(e.requestId, { call: `${e.request.method} ${url.pathname}${url.search}`, preflight: e.type === "Preflight" || e.request.method === "OPTIONS", body: 0, transfer: 0 });
    });
    // A preflight's loadingFinished says 0 bytes: its headers are counted from responseReceived.
    cdp.on("Network.responseReceived", (e) => {
      const r = requests.get(e.requestId);
      if (r) r.transfer = Math.max(r.transfer, e.response.encodedDataLength);
    });
    cdp.on("Network.dataReceived", (e) => {
      const r = requests.get(e.requestId);
      if (r) r.body += e.dataLength;
    });
    cdp.on("Network.loadingFinished", (e) => {
      const r = requests.get(e.requestId);
      if (r) r.transfer = Math.max(r.transfer, e.encodedDataLength);
    });
    await cdp.send("Network.enable");
    await page.goto(`${site.siteUrl}${path}`);
    await ready(page).first().waitFor({ state: "visible", timeout: WAIT_MS });
    await page.waitForLoadState("networkidle");
    const all = [...requests.values()];
    return {
      requests: all.length,
      preflights: all.filter((r) => r.preflight).length,
      bodyBytes: all.reduce((sum, r) => sum + r.body, 0),
      transferBytes: all.reduce((sum, r) => sum + r.transfer, 0),
      calls: all.map((r) => `${readable(r.call)}: ${r.body} B (${r.transfer} B transferred)`),
    };
  } finally {
    await context.close();
  }
}

/** Starts local mode and Chromium, seeds the events, and measures each page's load. */
export async function measurePageLoads(): Promise<Record<PageName, PageLoad>> {
  const site = await startSiteInChromium("page-loads");
  try {
    const { eventId, rsvpPath } = await seed(site);
    const session = await signInSession(site, ORGANIZER);
    const publicItem = (page: Page) => page.getByRole("list", { name: "Public events" }).getByRole("link", { name: "Bench evening" });
    return {
      "events home (signed out)": await measure(site, "/events/", publicItem),
      "events home (signed in)": await measure(site, "/events/", (page) => page.getByRole("list", { name: "My events" }).getByRole("link", { name: "Bench evening" }), session),
      "public event page": await measure(site, `/events/view?id=${eventId}`, (page) => page.getByText("Bring a lantern.")),
      "RSVP page (mailed link)": await measure(site, rsvpPath, (page) => page.getByRole("button", { name: "Confirm: I will attend" })),
      "manage page (3 invitations)": await measure(site, `/events/manage?id=${eventId}`, (page) => page.locator("#invitation-counts", { hasText: "1 yes · 0 no · 2 pending" }), session),
    };
  } finally {
    await site.stop();
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
/** "4 requests (2 preflights), 1.1 KB bodies, 2.7 KB transferred". */
export const describeLoad = (load: PageLoad) =>
  `${load.requests} request${load.requests === 1 ? "" : "s"} (${load.preflights} preflight${load.preflights === 1 ? "" : "s"}), ${kb(load.bodyBytes)} bodies, ${kb(load.transferBytes)} transferred`;
/** "4 req (2 pre), 1.1 / 2.7 KB": the bench table's column. */
export const briefLoad = (load: PageLoad) => `${load.requests} req (${load.preflights} pre), ${(load.bodyBytes / 1024).toFixed(1)} / ${kb(load.transferBytes)}`;

async function main() {
  const now = await measurePageLoads();
  const recordTo = process.argv.includes("--record") ? process.argv[process.argv.indexOf("--record") + 1] : undefined;
  if (recordTo) {
    writeFileSync(recordTo, `${JSON.stringify({ about: "npx tsx bench/page-loads.ts --record", pages: now } satisfies PageLoadFigures, null, 2)}\n`);
    console.log(`recorded to ${recordTo}`);
  }
  for (const page of PAGES) {
    const before = PAGE_LOADS_BEFORE.pages[page];
    console.log(`${page}\n  now:    ${describeLoad(now[page])}\n          ${now[page].calls.join("\n          ")}`);
    if (before) console.log(`  before: ${describeLoad(before)}\n          ${before.calls.join("\n          ")}`);
  }
  console.log(`("before" is ${PAGE_LOADS_BEFORE.about}.)`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
