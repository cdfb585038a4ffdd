// The website in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core)
// against `npm start`: the site local mode builds and serves, talking to the local API and live
// WebSocket from its own origin under the same Content-Security-Policy the cloud sends.
// Screenshots land in tests/screenshots/ (git-ignored).
import test, { type ExecutionContext } from "ava";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type WebSocketRoute } from "playwright-core";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { apiHealthDeps, apiHealthHandler } from "../../handlers/health/api-health";
import { syncJobs } from "../../handlers/sync/registry";
import { RunStateStore, zeroCounts } from "../../handlers/sync/run-state";
import { syncStateTable } from "../../handlers/sync/tables";
import { signCalendlyBody } from "../../handlers/webhooks/calendly";
import { createObservability } from "../../handlers/shared/observability";
import { routeNotFoundHandler } from "../../handlers/shared/route-not-found";
import { startApiServer } from "../../local/emulators/api-server";
import { useLocalAws } from "../../local/emulators/aws-env";
import { freePort } from "../../local/emulators/dynamodb-local";
import { startStaticSite } from "../../local/emulators/static-site";
import { createTable } from "../../local/emulators/tables";
import { LOCAL_SIGNING_KEY } from "../../local/webhooks";
import { resolveTarget, runChecks } from "../../scripts/smoke";
import { buildWebsite } from "../../website/build";
import { inviteeEvent, newBooking, type InviteeEventOptions, type Booking } from "../harness/calendly";
import { startLocalMode, stopLocalMode, type LocalMode } from "../harness/local-mode";
import { fieldErrorProblems, offTheFirstRow, sidewaysOverflow } from "../harness/page-checks";
import { freeLocalModePort } from "../harness/ports";
import { ROOT } from "../harness/stacks";

// Callbacks passed to page.evaluate run in Chromium; the repo's Node typings have no DOM.
declare const document: any;
declare const window: any;

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "tests", "screenshots");
const WAIT_MS = 15_000;
const CONTRAST_CHECK = readFileSync(join(ROOT, "tests", "harness", "contrast.browser.js"), "utf8");

interface Site {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and Content-Security-Policy violations. */
  problems: string[];
}

let mode: LocalMode;
let browser: Browser;
let dataDir: string;
let siteUrl: string;
let apiUrl: string;

/** A fresh browser profile (its own cookies, so its own gists session) with the site open. */
async function openSite(options: { width?: number; height?: number; url?: string; before?: (page: Page) => Promise<void> } = {}): Promise<Site> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  await options.before?.(page);
  await page.goto(options.url ?? siteUrl);
  return { context, page, problems };
}

async function closeSite(t: ExecutionContext, site: Site) {
  t.deepEqual(site.problems, [], "no script errors and no CSP violations");
  await site.context.close();
}

/** Waits until the locator matches; false (not a throw) on timeout, so the assertion says what was expected. */
const appears = (locator: Locator, timeout = WAIT_MS) => locator.first().waitFor({ state: "visible", timeout }).then(
  () => true,
  () => false,
);
const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);

const apiCount = async () => ((await (await fetch(`${apiUrl}/messages`)).json()) as { count: number }).count;

function sendWebhook(type: "invitee.created" | "invitee.canceled", booking: Booking, options: InviteeEventOptions = {}) {
  const body = JSON.stringify(inviteeEvent(type, booking, options));
  return fetch(`${apiUrl}/webhooks/calendly`, {
    method: "POST",
    headers: { "content-type": "application/json", "calendly-webhook-signature": signCalendlyBody(body, LOCAL_SIGNING_KEY, Math.floor(Date.now() / 1000)) },
    body,
  });
}

async function screenshot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

const missingChromium = !existsSync(CHROMIUM);
if (missingChromium && !process.env.CI) {
  console.warn(`tests/website/messages.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium). CI installs it and runs these tests.`);
  test.skip("the website in Chromium (needs /usr/bin/chromium)", () => undefined);
} else {
  test.before(async () => {
    if (missingChromium) throw new Error(`${CHROMIUM} is missing; .ci/run installs it (apt-get install -y chromium)`);
    dataDir = mkdtempSync(join(tmpdir(), "switchyard-website-"));
    const port = await freeLocalModePort();
    mode = await startLocalMode({ PORT: String(port), SWITCHYARD_LOCAL_DIR: dataDir });
    siteUrl = mode.outputs.websiteUrl!;
    apiUrl = mode.outputs.apiUrl!;
    // Both syncs run once at start (against the stand-ins); the Sync section shows their results.
    const syncs = async () => Object.values(((await (await fetch(`${apiUrl}/health`)).json()) as { syncs: Record<string, { lastSuccess: string | null }> }).syncs);
    for (const deadline = Date.now() + 30_000; (await syncs()).some((s) => s.lastSuccess === null) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 200));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });

  test.after.always(async () => {
    await browser?.close();
    if (mode) await stopLocalMode(mode);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test.serial("npm start prints the website's URL, on PORT+2", (t) => {
    const port = Number(new URL(apiUrl).port);
    t.is(siteUrl, `http://127.0.0.1:${port + 2}`);
  });

  test.serial("posting a message moves the count and heads the list; lookup by id finds it; Older pages through the list", async (t) => {
    const site = await openSite();
    const { page } = site;
    const before = await apiCount();
    t.true(await appears(page.locator("#message-count", { hasText: exactly(before.toLocaleString("en-US")) })), "the page shows the API's count");

    await page.getByLabel("New message").fill("Hello from Chromium");
    await page.getByRole("button", { name: "Post message" }).click();
    t.true(await appears(page.locator("#message-count", { hasText: exactly(String(before + 1)) })), "the count moved");
    t.is(await apiCount(), before + 1);
    t.is((await page.locator("#message-list > li").first().locator(".message-text").textContent())?.trim(), "Hello from Chromium");
    t.is(await page.getByLabel("New message").inputValue(), "", "the box is cleared after posting");
    const id = (await page.locator("#post-status code").textContent())!.trim();
    t.regex(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);

    await page.getByLabel("Look up a message by id").fill(id);
    await page.getByRole("button", { name: "Look up" }).click();
    t.true(await appears(page.locator("#lookup-result .message-text", { hasText: "Hello from Chromium" })), "lookup shows the message");

    // No id, a bad id and an unknown one: one sentence beside the field each time.
    const lookup = page.getByLabel("Look up a message by id");
    for (const [wrong, sentence] of [
      ["", "Enter a message id, as shown under each message."],
      ["not-a-uuid", "That is not a message id: copy one from under a message."],
      ["0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee", "No message has id 0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee."],
    ] as const) {
      await lookup.fill(wrong);
      await page.getByRole("button", { name: "Look up" }).click();
      t.true(await appears(page.getByText(sentence, { exact: true })), `lookup of "${wrong}" says: ${sentence}`);
      t.deepEqual(await fieldErrorProblems(page, lookup, sentence), [], `lookup of "${wrong}"`);
      t.is(await page.locator("#lookup-error").textContent(), "", "nothing repeats it in the alert");
    }

    // Paging: more than a page of messages, then Older.
    for (let i = 0; i < 12; i++) await fetch(`${apiUrl}/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message: `paged ${i}` }) });
    const newest = ((await (await fetch(`${apiUrl}/messages?limit=20`)).json()) as { items: { id: string }[] }).items.map((m) => m.id);
    await page.reload();
    t.true(await appears(page.locator("#message-list > li").nth(9)));
    t.is(await page.locator("#message-list > li").count(), 10);
    await page.getByRole("button", { name: "Older messages" }).click();
    t.true(await appears(page.locator("#message-list > li").nth(10)));
    await page.waitForTimeout(200);
    const shown = await page.locator("#message-list > li").evaluateAll((items: any[]) => items.map((li) => li.dataset.messageId));
    t.deepEqual(shown, newest.slice(0, shown.length), "newest first, no gaps or repeats");
    t.is(shown.length, Math.min(20, before + 13));
    await closeSite(t, site);
  });

  for (const width of [1280, 360]) {
    test.serial(`at ${width} px an invalid message gets one human sentence beside the box, no pointer, no repeat; nothing changes`, async (t) => {
      const site = await openSite({ width });
      const { page } = site;
      const before = await apiCount();
      t.true(await appears(page.locator("#message-count", { hasText: exactly(before.toLocaleString("en-US")) })));
      const box = page.getByLabel("New message");

      for (const [bad, sentence] of [
        ["   ", "Write a message first."],
        ["", "Write a message first."],
        ["x".repeat(1001), "A message is at most 1,000 characters."],
      ] as const) {
        await box.fill(bad);
        await page.getByRole("button", { name: "Post message" }).click();
        t.true(await appears(page.getByText(sentence, { exact: true })), `"${bad.slice(0, 10)}" says: ${sentence}`);
        t.deepEqual(await fieldErrorProblems(page, box, sentence), [], `for "${bad.slice(0, 10)}"`);
        t.is(await page.locator("#post-error").textContent(), "", "the alert does not repeat it");
        t.true(await page.evaluate(() => document.activeElement?.id === "message-text"), "focus goes to the box");
        t.is(await box.inputValue(), bad, "what was typed is kept");
        t.is(await apiCount(), before, "nothing stored");
        t.is(await page.locator("#message-count").textContent(), String(before), "the count did not move");
      }
      t.is(await page.locator("#message-length").textContent(), "1,001 / 1,000 characters");
      t.is(await page.locator("#message-length").getAttribute("class"), "over");
      t.is(await sidewaysOverflow(page), 0);
      await screenshot(page, `website-invalid-message-${width}.png`);

      await box.fill("valid again");
      await page.getByRole("button", { name: "Post message" }).click();
      t.true(await appears(page.locator("#message-count", { hasText: exactly(String(before + 1)) })));
      t.is(await page.locator(".field-error").count(), 0, "the error is cleared");
      t.is(await box.getAttribute("aria-invalid"), null);
      t.is(await box.getAttribute("aria-describedby"), "message-length message-keys post-error", "the box is described as before");
      await closeSite(t, site);
    });
  }

  test.serial("keyboard only: Tab to the message box, type, Tab to the button, Enter; Ctrl+Enter posts too", async (t) => {
    const site = await openSite();
    const { page } = site;
    const before = await apiCount();
    t.true(await appears(page.locator("#message-count", { hasText: exactly(before.toLocaleString("en-US")) })));
    const focused = () => page.evaluate(() => document.activeElement?.id ?? "");
    let presses = 0;
    while ((await focused()) !== "message-text" && presses < 20) {
      await page.keyboard.press("Tab");
      presses++;
    }
    t.is(await focused(), "message-text", "Tab reaches the message box");
    t.true(presses <= 7, `in a few presses (skip link, four nav links, then the box): took ${presses}`);
    await page.keyboard.type("Typed without a mouse");
    await page.keyboard.press("Tab");
    t.is(await focused(), "post-submit");
    await page.keyboard.press("Enter");
    t.true(await appears(page.locator("#message-count", { hasText: exactly(String(before + 1)) })));
    t.is((await page.locator("#message-list > li .message-text").first().textContent())?.trim(), "Typed without a mouse");

    await page.keyboard.press("Shift+Tab");
    t.is(await focused(), "message-text");
    await page.keyboard.type("And with Ctrl+Enter");
    await page.keyboard.press("Control+Enter");
    t.true(await appears(page.locator("#message-count", { hasText: exactly(String(before + 2)) })));
    t.is((await page.locator("#message-list > li .message-text").first().textContent())?.trim(), "And with Ctrl+Enter");
    await closeSite(t, site);
  });

  test.serial("a signed webhook sent now appears without a reload: new, canceled and rescheduled meetings, live; the history opens from the keyboard", async (t) => {
    const site = await openSite();
    const { page } = site;
    t.true(await appears(page.locator("#live-text", { hasText: exactly("Live") })), "the live state reads Live");
    t.is(await page.locator("#live-state").getAttribute("data-state"), "live");
    await page.waitForLoadState("networkidle");
    await page.evaluate(() => (window.sameDocument = true));
    const listReads: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/meetings") listReads.push(request.url());
    });
    let navigations = 0;
    page.on("framenavigated", () => navigations++);

    const ada = newBooking();
    t.is((await sendWebhook("invitee.created", ada, { name: "Ada Lovelace", email: "ada@example.com", startTime: "2031-03-01T09:00:00.000000Z" })).status, 201);
    const adaItem = page.locator(`li[data-meeting-id="${ada.meetingId}"]`);
    t.true(await appears(adaItem), "the new meeting appears");
    t.is((await adaItem.locator(".badge").textContent())?.trim(), "Active");
    t.regex((await adaItem.textContent()) ?? "", /Intro call.*Ada Lovelace \(a\*\*\*@example\.com\)/s);
    t.is(await page.locator("#live-announcer").textContent(), "New meeting: Intro call.");

    t.is((await sendWebhook("invitee.canceled", ada, { name: "Ada Lovelace", email: "ada@example.com", startTime: "2031-03-01T09:00:00.000000Z" })).status, 201);
    t.true(await appears(adaItem.locator(".badge", { hasText: "Canceled" })), "the cancellation shows");

    // A reschedule: Calendly cancels the old booking (pointing at the new one) and creates the new one.
    const old = newBooking();
    const moved = newBooking();
    await sendWebhook("invitee.created", old, { name: "Grace Hopper", email: "grace@example.com", startTime: "2031-02-01T09:00:00.000000Z" });
    t.true(await appears(page.locator(`li[data-meeting-id="${old.meetingId}"] .badge`, { hasText: "Active" })));
    await sendWebhook("invitee.canceled", old, { name: "Grace Hopper", email: "grace@example.com", startTime: "2031-02-01T09:00:00.000000Z", rescheduled: true, newInvitee: moved });
    await sendWebhook("invitee.created", moved, { name: "Grace Hopper", email: "grace@example.com", startTime: "2031-02-08T09:00:00.000000Z", oldInvitee: old });
    t.true(await appears(page.locator(`li[data-meeting-id="${old.meetingId}"] .badge`, { hasText: "Rescheduled" })), "the old booking reads Rescheduled");
    t.true(await appears(page.locator(`li[data-meeting-id="${moved.meetingId}"] .badge`, { hasText: "Active" })), "the new booking appears");
    const order = await page.locator("#meeting-list > li").evaluateAll((items: any[]) => items.map((li) => li.dataset.meetingId));
    t.true(order.indexOf(ada.meetingId) < order.indexOf(moved.meetingId) && order.indexOf(moved.meetingId) < order.indexOf(old.meetingId), "latest start first");

    t.deepEqual(listReads, [], "no list reload: it all came over the WebSocket");
    t.is(navigations, 0);
    t.true(await page.evaluate(() => window.sameDocument === true), "the same document throughout");

    // The history, from the keyboard.
    const toggle = adaItem.locator("button.meeting-toggle");
    await toggle.focus();
    await page.keyboard.press("Enter");
    t.is(await toggle.getAttribute("aria-expanded"), "true");
    const events = adaItem.locator(".history-list > li .event-type");
    t.true(await appears(events.nth(1)));
    t.deepEqual((await events.allTextContents()).map((s) => s.trim()), ["Canceled", "Booked"], "newest first");
    await page.keyboard.press("Enter");
    t.is(await toggle.getAttribute("aria-expanded"), "false");
    t.true(await adaItem.locator(".history").isHidden());
    await screenshot(page, "website-meetings.png");
    await closeSite(t, site);
  });

  test.serial("a dropped live connection shows Offline with a retry countdown, reconnects by itself, reloads the list and is live again", async (t) => {
    const sockets: WebSocketRoute[] = [];
    const liveUrl = mode.outputs.liveUrl!;
    // The page's own WebSocket goes through to the real gateway; the test can cut it, like a network drop.
    const site = await openSite({
      before: (page) =>
        page.routeWebSocket(
          (url) => url.href.startsWith(liveUrl),
          (ws) => {
            sockets.push(ws);
            ws.connectToServer();
          },
        ),
    });
    const { page } = site;
    t.true(await appears(page.locator("#live-text", { hasText: exactly("Live") })));
    await page.waitForLoadState("networkidle");
    const listReads: number[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/meetings") listReads.push(Date.now());
    });

    const droppedAt = Date.now();
    await sockets[0]!.close({ code: 1001, reason: "test drops the connection" });
    t.true(await appears(page.locator("#live-text", { hasText: /^Offline — retrying in \d+ s$/ }), 5000), "Offline, with the retry countdown");
    t.true(await page.getByRole("button", { name: "Reconnect now" }).isVisible());
    t.true(await appears(page.locator("#live-text", { hasText: exactly("Live") })), "live again without a reload");
    t.is(sockets.length, 2, "a second connection");
    t.true(await page.getByRole("button", { name: "Reconnect now" }).isHidden());
    for (const deadline = Date.now() + 5000; listReads.length === 0 && Date.now() < deadline; ) await page.waitForTimeout(50);
    t.true(listReads.some((at) => at > droppedAt), "the list is reloaded on reconnect");

    const booking = newBooking();
    await sendWebhook("invitee.created", booking, { name: "Katherine Johnson", email: "kj@example.com" });
    t.true(await appears(page.locator(`li[data-meeting-id="${booking.meetingId}"]`)), "pushes arrive on the new connection");
    await closeSite(t, site);
  });

  test.serial("the Sync section shows both stand-in syncs (freshness, last run), scanned users, new gists since the last visit; Health shows the API up", async (t) => {
    const site = await openSite();
    const { page } = site;
    const gists = page.locator('.job[data-job="gists"]');
    const skills = page.locator('.job[data-job="skills"]');
    t.true(await appears(gists));
    t.true(await appears(skills));
    t.deepEqual(await page.locator(".job").evaluateAll((jobs) => jobs.map((j: any) => j.dataset.job)), syncJobs.map((job) => job.name), "every job /health reports, in its order");
    t.regex((await gists.textContent()) ?? "", /Gists → Pipedrive\s*Fresh.*Scheduleevery 30 minutes.*Last run.*(ago|just now).*Last success.*(ago|just now).*Freshness.*since the last success/s);
    t.regex((await skills.textContent()) ?? "", /Skill-app sync\s*Fresh.*Scheduleevery 6 hours.*Last run.*(ago|just now).*Last success.*(ago|just now)/s);
    t.is(await gists.getAttribute("data-stale"), "false");
    t.is(await skills.getAttribute("data-stale"), "false");
    for (const user of ["octocat", "hubot"]) {
      const row = page.locator(`tr[data-user="${user}"]`);
      t.true(await appears(row), `${user} is listed`);
      t.deepEqual((await row.locator("th, td").allTextContents()).map((s) => s.trim()).filter((_, i) => i !== 1), [user, "2", "OK"]);
    }
    t.true(await appears(page.locator("#gist-state", { hasText: "4 new gists since your last visit." })));
    const titles = await page.locator("#gist-list > li a").allTextContents();
    t.deepEqual([...titles].sort(), ["hubot's first gist", "notes.md", "notes.md", "octocat's first gist"]);
    t.regex((await page.locator("#gist-list > li a").first().getAttribute("href")) ?? "", /^https?:\/\//);

    t.true(await appears(page.locator("#health-state", { hasText: /^Up The API answered in \d+ ms\. Syncs: 2 fresh\./ })));
    t.regex((await page.locator("#health-dashboard").textContent()) ?? "", /No CloudWatch dashboard/);

    // The session cookie: the same browser, reloaded, has seen them all.
    await page.reload();
    t.true(await appears(page.locator("#gist-state", { hasText: "Nothing new since your last visit." })), "nothing new on the next visit");
    t.is(await page.locator("#gist-list > li").count(), 0);
    await closeSite(t, site);
  });

  test.serial("accessibility smoke: landmarks, one h1, labelled fields, every control reachable by Tab, text contrast ≥ AA in light and dark", async (t) => {
    const site = await openSite();
    const { page } = site;
    t.true(await appears(page.locator("#meeting-list > li")));
    t.true(await appears(page.locator("#gist-list > li")));
    t.true(await appears(page.locator(".job")));
    await page.waitForLoadState("networkidle");

    const tree = await page.locator("body").ariaSnapshot();
    for (const landmark of ["banner", 'navigation "Sections"', "main", "contentinfo", 'region "Messages"', 'region "Meetings"', 'region "Sync"', 'region "Health"']) {
      t.true(tree.includes(`- ${landmark}`), `landmark ${landmark}`);
    }
    t.deepEqual(tree.split("\n").filter((line) => /- (textbox|button|link|searchbox|combobox)( \[|:|$)/.test(line.trim())), [], "every field, button and link has an accessible name");
    t.is(await page.locator("h1").count(), 1);
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll("input, textarea, select")].filter((el: any) => el.labels.length === 0 && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby")).map((el: any) => el.outerHTML),
    );
    t.deepEqual(unlabelled, []);

    // Tab through the whole page, marking what gets focus; every visible control must be among them.
    await page.evaluate(() => document.activeElement?.blur());
    for (let i = 0; i < 200; i++) {
      await page.keyboard.press("Tab");
      const fresh = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body || el.hasAttribute("data-tab-reached")) return false;
        el.setAttribute("data-tab-reached", "");
        return true;
      });
      if (!fresh) break;
    }
    const unreachable = await page.evaluate(() =>
      [...document.querySelectorAll("a[href], button, input, textarea, select")]
        .filter((el: any) => el.getClientRects().length > 0 && !el.disabled && !el.hasAttribute("data-tab-reached"))
        .map((el: any) => el.outerHTML.slice(0, 120)),
    );
    t.deepEqual(unreachable, [], "every visible control is reachable with Tab");
    const reached = await page.locator("[data-tab-reached]").count();
    t.true(reached >= 15, `Tab visited ${reached} controls`);

    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
      const failures = await page.evaluate<string[]>(CONTRAST_CHECK);
      t.deepEqual(failures, [], `text contrast in the ${colorScheme} scheme`);
    }
    await closeSite(t, site);
  });

  test.serial("responsive: at 360 px nothing scrolls sideways; the nav links share one row at 1280 and 360 px; screenshots at desktop and phone width", async (t) => {
    const desktop = await openSite({ width: 1280, height: 900 });
    t.true(await appears(desktop.page.locator("#gist-list > li")));
    t.true(await appears(desktop.page.locator("#meeting-list > li")));
    await desktop.page.waitForLoadState("networkidle");
    t.deepEqual(await offTheFirstRow(desktop.page.getByRole("navigation", { name: "Sections" }).getByRole("link")), [], "1280 px: one row of nav links");
    await screenshot(desktop.page, "website-desktop.png");
    await closeSite(t, desktop);

    const phone = await openSite({ width: 360, height: 740 });
    const { page } = phone;
    t.true(await appears(page.locator("#gist-list > li")));
    t.true(await appears(page.locator("#meeting-list > li")));
    // Open a meeting's history too: the widest content on the page.
    await page.locator("#meeting-list button.meeting-toggle").first().click();
    t.true(await appears(page.locator(".history-list > li")));
    await page.waitForLoadState("networkidle");
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    t.true(widths.scroll <= widths.viewport, `page ${widths.scroll} px wide in a ${widths.viewport} px viewport`);
    const links = page.getByRole("navigation", { name: "Sections" }).getByRole("link");
    t.is(await links.count(), 5);
    t.deepEqual(await offTheFirstRow(links), [], "360 px: one row of nav links");
    await screenshot(page, "website-phone.png");
    await closeSite(t, phone);
  });

  test.serial("a stack with only the skills sync, gone stale: its card says Stale with the last error, Health names it; the gists parts say not configured", async (t) => {
    // The real /health handler on local mode's DynamoDB Local, with a run state 13 hours old.
    useLocalAws({ dynamodb: mode.outputs.dynamodbEndpoint! });
    const db = new DynamoDBClient({});
    const table = `website-test-state-${Date.now()}`;
    await createTable(db, table, syncStateTable);
    const state = new RunStateStore(db, table, "skills");
    const succeeded = new Date(Date.now() - 13 * 3600_000);
    const failed = new Date(Date.now() - 3600_000);
    await state.startRun("run-1", succeeded);
    await state.finishRun("run-1", succeeded, zeroCounts());
    await state.startRun("run-2", failed);
    await state.finishRun("run-2", failed, zeroCounts(), "Airtable answered 503");
    const sitePort = await freePort();
    const api = await startApiServer({
      routes: [
        // The titles as a stack's health function has them: the job definitions'.
        { routeKey: "GET /health", handler: apiHealthHandler(apiHealthDeps("api-health", { SYNCS: JSON.stringify({ skills: { table, schedule: "rate(6 hours)" } }) }, Object.fromEntries(syncJobs.map((job) => [job.name, job.title])))) },
        { routeKey: "$default", handler: routeNotFoundHandler(createObservability("api-not-found")) },
      ],
      corsOrigins: [`http://127.0.0.1:${sitePort}`],
    });
    const dir = mkdtempSync(join(tmpdir(), "switchyard-site-"));
    const files = buildWebsite({ outDir: dir });
    const skillsOnly = await startStaticSite({ root: dir, files, config: { apiUrl: api.url }, port: sitePort });
    try {
      const site = await openSite({ url: skillsOnly.url });
      const { page } = site;
      const skills = page.locator('.job[data-job="skills"]');
      t.true(await appears(skills));
      t.is(await page.locator(".job").count(), 1, "only the jobs /health reports");
      t.is(await skills.getAttribute("data-stale"), "true");
      t.regex((await skills.textContent()) ?? "", /Skill-app sync\s*Stale.*Last run.*Last success.*13 hours ago.*Freshness13 h since the last success \(more than two intervals\).*Last errorAirtable answered 503/s);
      t.true(await appears(page.locator("#health-state", { hasText: /^Up The API answered in \d+ ms\. Syncs: stale: Skill-app sync\./ })));
      t.true(await appears(page.locator("#sync-gists", { hasText: "The gists sync is not configured in this stack." })));
      t.is(await page.locator("#sync-body [role=alert]").count(), 0, "not shown as an error");
      await closeSite(t, site);
    } finally {
      await skillsOnly.close();
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.serial("an API without /health or the gists routes, and an API that is down: the page says so instead of failing", async (t) => {
    // A real API server whose only route is the $default 404 (no /health, no gists sync).
    const sitePort = await freePort();
    const api = await startApiServer({
      routes: [{ routeKey: "$default", handler: routeNotFoundHandler(createObservability("api-not-found")) }],
      corsOrigins: [`http://127.0.0.1:${sitePort}`],
    });
    const dir = mkdtempSync(join(tmpdir(), "switchyard-site-"));
    const files = buildWebsite({ outDir: dir });
    const noSync = await startStaticSite({ root: dir, files, config: { apiUrl: api.url }, port: sitePort });
    try {
      const site = await openSite({ url: noSync.url });
      const { page } = site;
      t.true(await appears(page.locator("#sync-body", { hasText: "The gists sync is not configured in this stack." })));
      t.is(await page.locator("#sync-body [role=alert]").count(), 0, "not shown as an error");
      t.true(await appears(page.locator("#health-state", { hasText: /^Up The API answered in \d+ ms \(it has no \/health route/ })));
      t.true(await appears(page.locator("#sync-jobs", { hasText: "This API has no /health route, so the syncs' status is unknown." })));
      t.true(await appears(page.locator("#live-text", { hasText: /^Live updates are off/ })));
      t.true(await appears(page.locator("#messages-error", { hasText: "No route for GET /messages." })), "the messages routes' absence is the API's own detail");
      await closeSite(t, site);

      await api.close();
      const down = await openSite({ url: noSync.url });
      t.true(await appears(down.page.locator("#messages-error", { hasText: `The API at ${api.url} cannot be reached.` })));
      t.true(await appears(down.page.locator("#health-state", { hasText: /^Down / })));
      t.true(await appears(down.page.locator("#meetings-error", { hasText: "cannot be reached" })));
      await screenshot(down.page, "website-api-down.png");
      await closeSite(t, down);
    } finally {
      await noSync.close();
      await api.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.serial("what npm run smoke writes (a message, a meeting) stays in the API but out of the page's lists", async (t) => {
    const results = await runChecks(resolveTarget({ apiUrl, timeoutMs: 10_000 }, {}), 10_000, () => undefined);
    t.true(results.every((r) => r.ok || r.skipped), JSON.stringify(results.filter((r) => !r.ok)));
    const stored = ((await (await fetch(`${apiUrl}/messages?limit=5`)).json()) as { items: { message: string }[] }).items.map((m) => m.message);
    t.true(stored.some((m) => /^smoke test /.test(m)), "the API has the smoke test's message");
    // The meeting is projected off the events stream: wait for it.
    const smokeMeeting = async () => ((await (await fetch(`${apiUrl}/meetings?limit=100`)).json()) as { items: { name?: string }[] }).items.some((m) => /^Smoke test /.test(m.name ?? ""));
    for (const deadline = Date.now() + WAIT_MS; !(await smokeMeeting()) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 200));
    t.true(await smokeMeeting(), "and its meeting");
    await fetch(`${apiUrl}/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "a real one" }) });

    const site = await openSite();
    const { page } = site;
    t.true(await appears(page.locator("#message-list .message-text", { hasText: "a real one" })));
    t.is(await page.locator("#message-list .message-text", { hasText: /^smoke test / }).count(), 0, "no smoke-test row among the messages");
    await page.waitForTimeout(300);
    t.is(await page.locator("#meetings .meeting-name", { hasText: /^Smoke test / }).count(), 0, "no smoke-test row among the meetings");
    await closeSite(t, site);
  });
}
