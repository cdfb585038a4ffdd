// Start before signing up (issue #18) in a real headless Chromium against `npm start`, at 1280
// and 360 px: a visitor drafts an event on /events/ without an account; a reload keeps the draft
// (localStorage); "Save event" goes to the local sign-in stand-in, where they continue with
// Google; back on the site the draft becomes their event (POST /events), the draft is forgotten,
// the manage page opens and publishing works. Nothing reaches the API before the sign-in: every
// request the page makes is recorded, and the organizer's own list is empty until then.
import test from "ava";
import { existsSync } from "node:fs";
import { type Browser, type Locator } from "playwright-core";
import { CHROMIUM, startSiteInChromium, type SiteInChromium } from "../harness/site-in-chromium";
import { sidewaysOverflow } from "../harness/page-checks";

declare const localStorage: any;

const WAIT_MS = 15_000;
const ZONE = "America/New_York";
const DRAFT_KEY = "switchyard.events.draft";

let site: SiteInChromium | undefined;
let browser: Browser;
let siteUrl: string;
let apiUrl: string;
let signInUrl: string;

const appears = (locator: Locator, timeout = WAIT_MS) => locator.first().waitFor({ state: "visible", timeout }).then(
  () => true,
  () => false,
);

/** A token for `email` from the stand-in, through `provider` when given (as the browser would get it). */
async function token(email: string, provider?: string): Promise<string> {
  const response = await fetch(`${signInUrl}/_local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, ...(provider ? { provider } : {}) }) });
  return ((await response.json()) as { id_token: string }).id_token;
}

const myEvents = async (idToken: string) => ((await (await fetch(`${apiUrl}/me/events`, { headers: { authorization: `Bearer ${idToken}` } })).json()) as { items: { id: string; title: string; status: string }[] }).items;

const missingChromium = !existsSync(CHROMIUM);
if (missingChromium && !process.env.CI) {
  console.warn(`tests/website/events-draft.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium).`);
  test.skip("drafting before signing in, in Chromium (needs /usr/bin/chromium)", () => undefined);
} else {
  test.before(async () => {
    site = await startSiteInChromium("draft");
    ({ browser, siteUrl, apiUrl, signInUrl } = site);
  });

  test.after.always(async () => {
    await site?.stop();
  });

  for (const width of [1280, 360]) {
    test.serial(`at ${width} px a visitor drafts an event signed out, keeps it across a reload, continues with Google, and it becomes their event`, async (t) => {
      const email = `drafter-${width}@example.com`;
      const title = `Draft ${width} ${Date.now().toString(36)} harbour talk`;
      const context = await browser.newContext({ viewport: { width, height: 900 }, timezoneId: ZONE, locale: "en-US" });
      t.teardown(() => context.close());
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("console", (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
      });
      // Every request to the API, and whether the visitor had been to the sign-in page yet.
      let signingIn = false;
      const apiRequests: { method: string; path: string; signingIn: boolean }[] = [];
      page.on("request", (request) => {
        if (request.url().startsWith(signInUrl)) signingIn = true;
        if (request.url().startsWith(apiUrl)) apiRequests.push({ method: request.method(), path: new URL(request.url()).pathname, signingIn });
      });

      await page.goto(`${siteUrl}/events/`);
      t.true(await appears(page.getByRole("heading", { name: "New event" })), "the create form is there without an account");
      t.true(await appears(page.getByText("No account needed to start")));
      const year = new Date().getUTCFullYear() + 1;
      await page.getByLabel("Title", { exact: true }).fill(title);
      await page.getByLabel("Description").fill("Drafted before signing in.");
      await page.getByLabel("Starts").fill(`${year}-07-01T19:00`);
      await page.getByLabel("Duration (minutes)").fill("45");
      await page.getByLabel("Visibility").selectOption("private");
      t.is(await sidewaysOverflow(page), 0, "no sideways scroll");

      await page.reload();
      t.true(await appears(page.getByRole("heading", { name: "New event" })));
      t.is(await page.getByLabel("Title", { exact: true }).inputValue(), title, "the reload kept the draft");
      t.is(await page.getByLabel("Description").inputValue(), "Drafted before signing in.");
      t.is(await page.getByLabel("Starts").inputValue(), `${year}-07-01T19:00`);
      t.is(await page.getByLabel("Duration (minutes)").inputValue(), "45");
      t.is(await page.getByLabel("Visibility").inputValue(), "private");
      t.like(JSON.parse(await page.evaluate((key) => localStorage.getItem(key), DRAFT_KEY)), { title, startsLocal: `${year}-07-01T19:00`, durationMinutes: "45", visibility: "private" });

      // Nothing was sent: the page only read public events, and the organizer has no event yet.
      t.deepEqual(apiRequests.filter((r) => r.method !== "GET" || !r.path.startsWith("/events")), [], "signed out, the page only reads the public list");
      t.deepEqual(await myEvents(await token(email, "Google")), []);

      await page.getByRole("button", { name: "Save event" }).click();
      await page.waitForURL((url) => url.href.startsWith(`${signInUrl}/oauth2/authorize`));
      await page.getByLabel("Email").fill(email);
      await page.getByRole("button", { name: "Continue with Google" }).click();

      t.true(await appears(page.getByRole("heading", { level: 1, name: title })), "back signed in, the draft is an event and its manage page is open");
      const url = new URL(page.url());
      t.is(url.pathname, "/events/manage");
      const id = url.searchParams.get("id")!;
      t.is(await page.evaluate((key) => localStorage.getItem(key), DRAFT_KEY), null, "the draft is forgotten");

      // It is the organizer's: through Google, and through an email sign-in of the same address (linked: one sub).
      const viaGoogle = await myEvents(await token(email, "Google"));
      t.deepEqual(viaGoogle.map((e) => [e.id, e.title, e.status]), [[id, title, "draft"]]);
      t.deepEqual((await myEvents(await token(email))).map((e) => e.id), [id]);
      const stored = (await (await fetch(`${apiUrl}/me/events/${id}`, { headers: { authorization: `Bearer ${await token(email)}` } })).json()) as Record<string, unknown>;
      t.like(stored, { description: "Drafted before signing in.", startsAt: `${year}-07-01T23:00:00.000Z`, durationMinutes: 45, visibility: "private" });
      // Every write went out after the sign-in, and the first was the create.
      const writes = apiRequests.filter((r) => r.method !== "GET" && r.method !== "OPTIONS");
      t.true(writes.length >= 1 && writes.every((r) => r.signingIn), JSON.stringify(writes));
      t.like(writes[0], { method: "POST", path: "/events" });

      await page.getByRole("button", { name: "Publish" }).click();
      t.true(await appears(page.locator("#event-status .badge", { hasText: "Published" })), "publishing works");
      t.is(await sidewaysOverflow(page), 0);

      // Back on the Events page signed in: no draft left to re-create, the form is empty.
      await page.goto(`${siteUrl}/events/`);
      t.true(await appears(page.getByRole("button", { name: "Create event" })));
      t.is(await page.getByLabel("Title", { exact: true }).inputValue(), "");
      t.is((await myEvents(await token(email))).length, 1, "one event, not two");
      t.deepEqual(problems, [], "no script errors and no CSP violations");
    });
  }

  test.serial("a draft the API refuses after sign-in stays, shown in the form with the reason beside its field", async (t) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: ZONE, locale: "en-US" });
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.goto(`${siteUrl}/events/`);
    t.true(await appears(page.getByRole("heading", { name: "New event" })));
    // No title: the API names the field.
    await page.getByLabel("Starts").fill(`${new Date().getUTCFullYear() + 1}-08-01T10:00`);
    await page.getByRole("button", { name: "Save event" }).click();
    await page.waitForURL((url) => url.href.startsWith(`${signInUrl}/oauth2/authorize`));
    await page.getByLabel("Email").fill("refused@example.com");
    await page.getByRole("button", { name: "Continue with Apple" }).click();
    t.true(await appears(page.getByText("Give the event a title.", { exact: true })), "the API's reason beside the title");
    t.is(await page.getByLabel("Starts").inputValue(), `${new Date().getUTCFullYear() + 1}-08-01T10:00`, "the draft fills the signed-in form");
    t.like(JSON.parse(await page.evaluate((key) => localStorage.getItem(key), DRAFT_KEY)), { submitted: false });
    // A reload does not send it again.
    await page.reload();
    t.true(await appears(page.getByRole("button", { name: "Create event" })));
    t.deepEqual(await myEvents(await token("refused@example.com", "SignInWithApple")), []);
  });
}
