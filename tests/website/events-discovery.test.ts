// Finding events in a real headless Chromium against `npm start`, at 1280 and 360 px: the public
// list's category filter, sort select and start-date range narrow and order what is listed; the
// organizer's create form offers the category select, and the public list shows the category
// chosen. No sideways scroll on a phone; no script errors or CSP violations.
import test from "ava";
import { existsSync } from "node:fs";
import { type Browser, type Locator, type Page } from "playwright-core";
import { CHROMIUM, startSiteInChromium, type SiteInChromium } from "../harness/site-in-chromium";
import { sidewaysOverflow } from "../harness/page-checks";


const WAIT_MS = 15_000;
const DAY = 86_400_000;

let site: SiteInChromium | undefined;
let browser: Browser;
let siteUrl = "";
let apiUrl = "";
let signInUrl = "";
/** Title word of this run's events, so the list shows only them. */
const word = `disc${Date.now().toString(36)}`;
const titles = { talk: `Rust ${word} talk`, workshop: `Deno ${word} workshop`, social: `Harbour ${word} social` };

async function token(email: string): Promise<string> {
  const response = await fetch(`${signInUrl}/_local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email }) });
  return ((await response.json()) as { id_token: string }).id_token;
}

async function call(method: string, path: string, body: unknown, bearer: string) {
  const response = await fetch(`${apiUrl}${path}`, { method, headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string };
}

/** The titles the public list shows, top to bottom, once they are `expected` (or what they are after a wait). */
async function listed(page: Page, expected: string[]): Promise<string[]> {
  const items = page.locator('[aria-label="Public events"] li .event-title a');
  let shown: string[] = [];
  for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline; await page.waitForTimeout(100)) {
    shown = await items.allTextContents();
    if (JSON.stringify(shown) === JSON.stringify(expected)) break;
  }
  return shown;
}

/** The public list's own controls: signed out, the page also shows the draft form (its own "Category"). */
const publicList = (page: Page) => page.getByRole("region", { name: "Public events" });

const appears = (locator: Locator) => locator.first().waitFor({ state: "visible", timeout: WAIT_MS }).then(() => true, () => false);
/** A date field's value for a day `days` from today, in the browser's zone. */
const dayValue = (days: number) => new Date(Date.now() + days * DAY).toLocaleDateString("en-CA");

if (!existsSync(CHROMIUM) && !process.env.CI) {
  test.skip("finding events in Chromium (needs /usr/bin/chromium)", () => undefined);
} else {
  test.before(async () => {
    site = await startSiteInChromium("discovery");
    ({ browser, siteUrl, apiUrl, signInUrl } = site);
    // Created (and published) talk, then workshop, then social; starting social, talk, workshop.
    const organizer = await token("planner@example.com");
    const starts = { talk: 5, workshop: 12, social: 2 };
    for (const category of ["talk", "workshop", "social"] as const) {
      const { id } = await call("POST", "/events", { title: titles[category], startsAt: new Date(Date.now() + starts[category] * DAY).toISOString(), durationMinutes: 60, visibility: "public", category }, organizer);
      await call("POST", `/events/${id}/publish`, {}, organizer);
    }
  });

  test.after.always(async () => {
    await site?.stop();
  });

  for (const width of [1280, 360]) {
    test.serial(`at ${width} px the public list filters by category and start dates and sorts as chosen`, async (t) => {
      const context = await browser.newContext({ viewport: { width, height: 900 }, locale: "en-US" });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("console", (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
      });
      await page.goto(`${siteUrl}/events/`);
      t.true(await appears(page.getByRole("heading", { level: 1, name: "Events" })));
      await publicList(page).getByLabel("Search public events by a title word").fill(word);
      await page.getByRole("button", { name: "Search" }).click();
      t.deepEqual(await listed(page, [titles.social, titles.workshop, titles.talk]), [titles.social, titles.workshop, titles.talk], "newest published first by default");
      t.true(await appears(page.getByText("Social · 0 going")), "each entry names its category and how many are going");

      await publicList(page).getByLabel("Sort by").selectOption({ label: "Starting soonest" });
      t.deepEqual(await listed(page, [titles.social, titles.talk, titles.workshop]), [titles.social, titles.talk, titles.workshop]);
      await publicList(page).getByLabel("Sort by").selectOption({ label: "Newest created" });
      t.deepEqual(await listed(page, [titles.social, titles.workshop, titles.talk]), [titles.social, titles.workshop, titles.talk]);

      await publicList(page).getByLabel("Category").selectOption({ label: "Workshop" });
      t.deepEqual(await listed(page, [titles.workshop]), [titles.workshop]);
      await publicList(page).getByLabel("Category").selectOption({ label: "Conference" });
      t.deepEqual(await listed(page, []), []);
      t.true(await appears(page.getByText("No public events yet.")));
      await publicList(page).getByLabel("Category").selectOption({ label: "Any category" });

      // From 3 days ahead until 6 days ahead (that last day included): only the talk (day 5).
      await publicList(page).getByLabel("Starting from").fill(dayValue(3));
      await publicList(page).getByLabel("Until (including)").fill(dayValue(6));
      t.deepEqual(await listed(page, [titles.talk]), [titles.talk]);
      await publicList(page).getByLabel("Until (including)").fill("");
      t.deepEqual(await listed(page, [titles.workshop, titles.talk]), [titles.workshop, titles.talk], "from day 3 on, newest created first");
      await publicList(page).getByLabel("Sort by").selectOption({ label: "Most confirmed" });
      t.deepEqual(await listed(page, [titles.workshop, titles.talk]), [titles.workshop, titles.talk], "no answers yet: a tie, newest first");

      t.is(await sidewaysOverflow(page), 0, "the page does not scroll sideways");
      t.deepEqual(problems, [], "no script errors and no CSP violations");
      await context.close();
    });
  }

  test.serial("the organizer picks a category on the create form; the public list shows it", async (t) => {
    const context = await browser.newContext({ viewport: { width: 360, height: 900 }, locale: "en-US" });
    const page = await context.newPage();
    await page.goto(`${siteUrl}/events/`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.href.startsWith(`${signInUrl}/oauth2/authorize`));
    await page.getByLabel("Email").fill("host@example.com");
    await page.getByRole("button", { name: "Sign in" }).click();
    t.true(await appears(page.getByText("Signed in as host@example.com")));
    const form = page.locator("#new-event");
    t.deepEqual(await form.getByLabel("Category").locator("option").allTextContents(), ["Talk", "Workshop", "Meetup", "Conference", "Social", "Other"]);
    t.is(await form.getByLabel("Category").inputValue(), "other", "other unless chosen");
    const title = `Board games ${word}`;
    await form.getByLabel("Title", { exact: true }).fill(title);
    await form.getByLabel("Starts").fill(`${new Date().getFullYear() + 1}-03-10T19:00`);
    await form.getByLabel("Duration (minutes)").fill("120");
    await form.getByLabel("Category").selectOption("meetup");
    await form.getByRole("button", { name: "Create event" }).click();
    t.true(await appears(page.getByRole("heading", { level: 1, name: title })));
    t.is(await page.locator("#event-category").textContent(), "Meetup");
    t.is(await page.locator("#edit-event").getByLabel("Category").inputValue(), "meetup", "the edit form shows it");
    await page.getByRole("button", { name: "Publish" }).click();
    t.true(await appears(page.locator("#event-status .badge", { hasText: "Published" })));
    await page.goto(`${siteUrl}/events/`);
    await page.locator("#event-category-filter").selectOption("meetup");
    t.deepEqual(await listed(page, [title]), [title]);
    t.is(await sidewaysOverflow(page), 0);
    await context.close();
  });
}
