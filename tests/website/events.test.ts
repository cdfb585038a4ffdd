// The Events pages in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core)
// against `npm start`: an organizer signs in through the local sign-in stand-in's form (the same
// PKCE code flow the site runs against Cognito's hosted UI), creates an event, uploads a cover to
// s3rver through a presigned PUT, invites two people and publishes; the invitation mails land in the
// local outbox; an invitee answers from the mail's link in a fresh profile (no sign-in), once; the
// organizer sees the answers; the public list and its search show the event; canceling mails every
// invitee. All under the site's Content-Security-Policy: a violation fails the test.
import test, { type ExecutionContext } from "ava";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { listOutbox, type OutboxEntry } from "../../handlers/events/mail/outbox";
import { parseMime } from "../../handlers/events/mail/parse-mime";
import { parseSiteConfig, siteContentSecurityPolicy } from "../../website/src/config";
import { CHROMIUM, startSiteInChromium, type SiteInChromium } from "../harness/site-in-chromium";
import { fieldErrorProblems, offCentre, sidewaysOverflow } from "../harness/page-checks";
import { ROOT } from "../harness/stacks";

// Callbacks passed to page.evaluate run in Chromium; the repo's Node typings have no DOM.
declare const document: any;
declare const window: any;

const ARTIFACTS = join(ROOT, "tests", "screenshots");
const WAIT_MS = 15_000;
const CONTRAST_CHECK = readFileSync(join(ROOT, "tests", "harness", "contrast.browser.js"), "utf8");
/** The browser's zone for the organizer: the page converts its datetime-local input from it. */
const ZONE = "America/New_York";

interface Site {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and Content-Security-Policy violations. */
  problems: string[];
}

let site: SiteInChromium | undefined;
let browser: Browser;
let dataDir: string;
let siteUrl: string;
let apiUrl: string;
let signInUrl: string;

async function openSite(path: string): Promise<Site> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: ZONE, locale: "en-US" });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  await page.goto(`${siteUrl}${path}`);
  return { context, page, problems };
}

async function closeSite(t: ExecutionContext, site: Site) {
  t.deepEqual(site.problems, [], "no script errors and no CSP violations");
  await site.context.close();
}

const appears = (locator: Locator, timeout = WAIT_MS) => locator.first().waitFor({ state: "visible", timeout }).then(
  () => true,
  () => false,
);
const disappears = (locator: Locator, timeout = WAIT_MS) => locator.first().waitFor({ state: "detached", timeout }).then(
  () => true,
  () => false,
);
/** Text with any run of spaces (ICU's narrow ones before AM/PM too) as one space. */
const spaced = (text: string | null) => (text ?? "").replace(/\s+/g, " ").trim();

async function screenshot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

/** A valid 2×2 PNG (signature, IHDR, IDAT, IEND with their CRCs). */
function tinyPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.from([0, 10, 85, 194, 26, 127, 55, 0, 26, 127, 55, 10, 85, 194]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

/** The outbox mails of one kind to one address for an event title (waits until they are there). */
async function mailsTo(to: string, kind: OutboxEntry["kind"], title: string, timeoutMs = 20_000): Promise<{ entry: OutboxEntry; text: string }[]> {
  const dir = join(dataDir, "outbox");
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const found = [];
    for (const entry of await listOutbox(dir)) {
      if (entry.kind !== kind || !entry.to.includes(to) || !entry.subject.includes(title)) continue;
      found.push({ entry, text: (await parseMime(await readFile(join(dir, entry.file)))).text ?? "" });
    }
    if (found.length || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const rsvpLinks = (text: string) => [...text.matchAll(/^(https?:\/\/\S+\/events\/rsvp\?token=\S+)$/gm)].map((m) => m[1]!);

async function organizerToken(email: string): Promise<string> {
  const response = await fetch(`${signInUrl}/_local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email }) });
  return ((await response.json()) as { id_token: string }).id_token;
}

/**
 * The browser PUTs covers straight to the media bucket, which needs a CORS rule for the site's
 * origin (the stack's media bucket has one). Until local mode writes it itself, the test does.
 */
test("config.json: auth and mediaOrigin are checked; the CSP lets the page reach the sign-in domain and load and upload media", (t) => {
  const config = parseSiteConfig({ apiUrl: "https://api.example", auth: { domain: "https://x.auth.us-west-2.amazoncognito.com/", clientId: "abc" }, mediaOrigin: "https://media.s3.us-west-2.amazonaws.com/" });
  t.deepEqual(config, { apiUrl: "https://api.example", auth: { domain: "https://x.auth.us-west-2.amazoncognito.com", clientId: "abc" }, mediaOrigin: "https://media.s3.us-west-2.amazonaws.com" });
  t.throws(() => parseSiteConfig({ apiUrl: "https://api.example", auth: { domain: "javascript:alert(1)", clientId: "abc" } }), { message: "config.json: auth.domain must be an http(s) URL" });
  t.throws(() => parseSiteConfig({ apiUrl: "https://api.example", auth: { domain: "https://x.example", clientId: "" } }), { message: "config.json: auth.clientId must be a non-empty string" });
  t.throws(() => parseSiteConfig({ apiUrl: "https://api.example", mediaOrigin: "ftp://x" }), { message: "config.json: mediaOrigin must be an http(s) URL" });
  const directives = Object.fromEntries(siteContentSecurityPolicy(config).split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1).join(" ")]));
  t.like(directives, {
    "connect-src": "'self' https://api.example https://x.auth.us-west-2.amazoncognito.com https://media.s3.us-west-2.amazonaws.com",
    "img-src": "'self' data: https://media.s3.us-west-2.amazonaws.com",
    "media-src": "'self' blob: https://api.example https://media.s3.us-west-2.amazonaws.com",
  });
  t.like(Object.fromEntries(siteContentSecurityPolicy({ apiUrl: "https://api.example" }).split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1).join(" ")])), { "img-src": "'self' data:", "media-src": "'self' blob: https://api.example" });
});

const missingChromium = !existsSync(CHROMIUM);
if (missingChromium && !process.env.CI) {
  console.warn(`tests/website/events.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium). CI installs it and runs these tests.`);
  test.skip("the Events pages in Chromium (needs /usr/bin/chromium)", () => undefined);
} else {
  const organizer = "organizer@example.com";
  const word = `lanterns${Date.now().toString(36)}`;
  const title = `Harbour ${word} walk`;
  const ada = "ada@example.com";
  const grace = "grace@example.com";
  let eventId = "";
  let organizerSite: Site;
  let adaYes = "";
  let graceNo = "";
  const joinUrl = `https://meet.example.com/harbour-${word}?pwd=lantern`;

  test.before(async () => {
    site = await startSiteInChromium("events");
    ({ browser, dataDir, siteUrl, apiUrl, signInUrl } = site);
  });

  test.after.always(async () => {
    await organizerSite?.context.close().catch(() => undefined);
    await site?.stop();
  });

  test.serial("signed out: the Events page lists public events and offers Sign in; the nav links to it", async (t) => {
    const site = await openSite("/");
    const { page } = site;
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Events" }).click();
    t.true(await appears(page.getByRole("heading", { level: 1, name: "Events" })));
    t.is(new URL(page.url()).pathname, "/events/");
    t.is(await page.getByRole("link", { name: "Events" }).getAttribute("aria-current"), "page");
    t.true(await appears(page.getByRole("button", { name: "Sign in" })));
    t.true(await appears(page.getByText("No public events yet.")));
    t.is(await page.getByRole("heading", { name: "My events" }).count(), 0, "no My events when signed out");
    t.is(await page.locator("#messages").isVisible(), false, "the dashboard is not shown on Events pages");
    await closeSite(t, site);
  });

  test.serial("the organizer signs in through the stand-in's form and creates an event; the start is taken in the browser's zone", async (t) => {
    organizerSite = await openSite("/events/");
    const { page } = organizerSite;
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.href.startsWith(`${signInUrl}/oauth2/authorize`));
    const authorize = new URL(page.url());
    t.like(Object.fromEntries(authorize.searchParams), { response_type: "code", client_id: authorize.searchParams.get("client_id"), redirect_uri: `${siteUrl}/events/`, scope: "openid email profile", code_challenge_method: "S256" });
    t.regex(authorize.searchParams.get("code_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
    t.true((authorize.searchParams.get("state") ?? "").length >= 20);
    await page.getByLabel("Email").fill(organizer);
    await page.getByRole("button", { name: "Sign in" }).click();
    t.true(await appears(page.getByText(`Signed in as ${organizer}`)), "back on the site, signed in");
    t.is(new URL(page.url()).search, "", "the code and state are gone from the address bar");
    t.true(await appears(page.getByText("You have no events yet")));

    // A bad form first: a sentence beside each field the API names, the alert silent, focus on the first field.
    await page.getByRole("button", { name: "Create event" }).click();
    t.true(await appears(page.getByText("Give the event a title.", { exact: true })));
    t.deepEqual(await fieldErrorProblems(page, page.getByLabel("Title", { exact: true }), "Give the event a title."), []);
    t.deepEqual(await fieldErrorProblems(page, page.getByLabel("Starts"), "Choose a start date and time."), []);
    t.is(await page.locator("#new-event-error").textContent(), "", "the alert does not repeat them");
    t.true(await page.evaluate(() => document.activeElement?.id === "new-event-title"), "focus moves to the first field named");

    const year = new Date().getUTCFullYear() + 1;
    await page.getByLabel("Title", { exact: true }).fill(title);
    await page.getByLabel("Description").fill("An evening walk along the harbour.\nBring a lantern.");
    await page.getByLabel("Starts").fill(`${year}-06-15T18:30`);
    await page.getByLabel("Duration (minutes)").fill("90");
    await page.getByLabel("Visibility").selectOption("public");
    await page.getByRole("button", { name: "Create event" }).click();
    t.true(await appears(page.getByRole("heading", { level: 1, name: title })), "the manage page opens");
    const url = new URL(page.url());
    t.is(url.pathname, "/events/manage");
    eventId = url.searchParams.get("id") ?? "";
    t.truthy(eventId);

    const stored = (await (await fetch(`${apiUrl}/me/events/${eventId}`, { headers: { authorization: `Bearer ${await organizerToken(organizer)}` } })).json()) as { startsAt: string; status: string; durationMinutes: number };
    t.is(stored.startsAt, `${year}-06-15T22:30:00.000Z`, "18:30 in New York (EDT) is 22:30 UTC");
    t.is(stored.status, "draft");
    t.is(stored.durationMinutes, 90);
    t.true(await appears(page.locator("#event-status .badge", { hasText: "Draft" })));
  });

  test.serial("the organizer uploads a PNG cover (presigned PUT to s3rver), invites two people and publishes; the invitations are mailed", async (t) => {
    const { page } = organizerSite;
    await page.getByLabel("Cover image").setInputFiles({ name: "cover.png", mimeType: "image/png", buffer: tinyPng() });
    await page.getByRole("button", { name: "Upload cover" }).click();
    const cover = page.locator("img.cover");
    const shown = await appears(cover);
    t.true(shown, `the cover shows${shown ? "" : `; the page says: ${await page.locator("#cover-error").textContent()}`}`);
    t.is(await cover.getAttribute("alt"), `Cover image of ${title}`);
    await page.waitForFunction(() => document.querySelector("img.cover")?.complete);
    t.is(await cover.evaluate((img: any) => img.naturalWidth), 2, "the image loaded from the media store");

    await page.getByLabel("Invite by email").fill(`${ada},\n${grace}`);
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    t.true(await appears(page.getByText("Invited 2 people.")));
    t.true(await appears(page.locator("#invitation-counts", { hasText: "0 yes · 0 no · 2 pending" })));

    await page.getByRole("button", { name: "Publish" }).click();
    t.true(await appears(page.locator("#event-status .badge", { hasText: "Published" })));
    t.true(await appears(page.getByText("Published: invitations are on their way.")));

    const [adaMail] = await mailsTo(ada, "invitation", title);
    const [graceMail] = await mailsTo(grace, "invitation", title);
    t.truthy(adaMail, "ada's invitation is in the outbox");
    t.truthy(graceMail, "grace's invitation is in the outbox");
    const adaLinks = rsvpLinks(adaMail!.text);
    const graceLinks = rsvpLinks(graceMail!.text);
    t.is(adaLinks.length, 2, "a yes link and a no link");
    t.true(adaLinks[0]!.startsWith(`${siteUrl}/events/rsvp?token=`));
    adaYes = adaLinks[0]!;
    graceNo = graceLinks[1]!;
    const off = await offCentre(page.locator("img.cover"), page.locator(".event-media"));
    t.true(off.across <= 1 && off.down <= 1, `the cover is ${off.across.toFixed(1)} px across and ${off.down.toFixed(1)} px down off its frame's centre`);
    await screenshot(page, "website-events-manage.png");
    // The banner is about the publish: the next action makes it go.
    await page.getByRole("button", { name: "Refresh answers" }).click();
    t.true(await disappears(page.locator("#manage-notice")), "the banner goes with the next action");
  });

  for (const width of [1280, 360]) {
    test.serial(`at ${width} px the local outbox shows RSVP links as links that wrap: no sideways scroll`, async (t) => {
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${apiUrl}/_local/outbox`);
      const links = page.locator("pre a");
      t.true(await appears(links), "the mails' links are links");
      const hrefs = await links.evaluateAll((as: any[]) => as.map((a) => [a.getAttribute("href"), a.textContent]));
      t.true(hrefs.some(([href]) => href === adaYes), "ada's yes link is there, as in the mail");
      t.deepEqual(hrefs.filter(([href, text]) => href !== text), [], "each link goes where it says");
      t.true(hrefs.filter(([href]) => href.startsWith(`${siteUrl}/events/rsvp?token=`)).length >= 4, "the yes and no links of both invitations");
      t.is(await sidewaysOverflow(page), 0, "the page does not scroll sideways");
      const outside = await page.locator("pre").evaluateAll((pres: any[]) =>
        pres.flatMap((pre) => [...pre.querySelectorAll("a")].filter((a: any) => a.getBoundingClientRect().right > pre.getBoundingClientRect().right + 1).map((a: any) => a.href)),
      );
      t.deepEqual(outside, [], "every link stays inside its box");
      await screenshot(page, `website-outbox-${width}.png`);
      await context.close();
    });
  }

  test.serial("an RSVP link is not answered on load: no POST until the button is pressed", async (t) => {
    const context = await browser.newContext({ timezoneId: ZONE });
    const page = await context.newPage();
    const posts: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST") posts.push(request.url());
    });
    await page.goto(graceNo);
    t.true(await appears(page.getByRole("button", { name: "Confirm: I will not attend" })));
    await page.waitForLoadState("networkidle");
    await page.waitForTimeout(500);
    t.deepEqual(posts, [], "loading the link sent nothing");
    t.true(await appears(page.getByText("Invitation for grace@example.com")));
    await context.close();
  });

  test.serial("the organizer sets a join link: a plain http one is refused beside the field, an https one is saved and shown", async (t) => {
    const { page } = organizerSite;
    const joinField = page.getByLabel("Join link");
    await joinField.fill("http://meet.example.com/harbour");
    await page.getByRole("button", { name: "Save changes" }).click();
    const sentence = "Give the join link as an https:// address, such as https://meet.example.com/abc.";
    t.true(await appears(page.getByText(sentence, { exact: true })));
    t.deepEqual(await fieldErrorProblems(page, page.getByLabel("Join link"), sentence), []);
    await page.getByLabel("Join link").fill(joinUrl);
    await page.getByRole("button", { name: "Save changes" }).click();
    t.true(await appears(page.getByText("Changes saved.")));
    t.true(await appears(page.locator("#event-join-url").getByRole("link", { name: joinUrl })), "the overview shows the link");
    t.is(await page.getByLabel("Join link").inputValue(), joinUrl, "and the form keeps it");
    const publicView = (await (await fetch(`${apiUrl}/events/${eventId}`)).json()) as Record<string, unknown>;
    t.false(JSON.stringify(publicView).includes("meet.example.com"), "never on the public event");
  });

  test.serial("an invitee answers yes from the mail's link without signing in and sees the join link; the same link again offers a change to no", async (t) => {
    const site = await openSite(adaYes.slice(siteUrl.length));
    const { page } = site;
    t.true(await appears(page.getByRole("heading", { level: 1, name: title })));
    t.true(await appears(page.locator("img.cover")), "the invitation shows the cover");
    t.regex(spaced(await page.locator(".event-when").textContent()), /^\w{3}, Jun 15, \d{4}, 06:30 – 08:00 PM \(90 minutes\)$/, "one day: the date once, times in the browser's zone");
    const confirm = page.getByRole("button", { name: "Confirm: I will attend" });
    t.true(await appears(confirm));
    await screenshot(page, "website-events-rsvp.png");
    await confirm.click();
    const result = page.locator("#rsvp-result");
    t.true(await appears(result.getByText(`Thank you: your answer is recorded. You will attend “${title}”.`)));
    t.true(await page.evaluate(() => document.activeElement?.id === "rsvp-result"), "focus moves to the result");
    t.true(await appears(page.locator("#rsvp-join").getByRole("link", { name: joinUrl })), "the join link shows after yes");

    // Issue #18: the link is not single-use any more; opening it again shows the answer and the way back.
    await page.goto(adaYes);
    t.true(await appears(page.getByRole("button", { name: "Change to: I will not attend" })));
    t.is(await page.getByRole("button", { name: /Confirm/ }).count(), 0, "nothing to confirm: the answer is yes");
    t.true(await appears(page.locator("#rsvp-current .badge", { hasText: "Attending" })));
    const [youreIn] = await mailsTo(ada, "confirmation", title);
    t.truthy(youreIn, "the you're-in mail is in the outbox");
    t.true(youreIn!.text.includes(joinUrl), "with the join link");

    // A broken link shows the problem's title and detail.
    await page.goto(`${siteUrl}/events/rsvp?token=${"x".repeat(40)}`);
    t.true(await appears(page.getByRole("alert").getByText(/The link is not valid\. This invitation link is not valid/)));
    await closeSite(t, site);
  });

  for (const width of [1280, 360]) {
    test.serial(`at ${width} px an invitee changes yes → no (the join link goes) → yes (it comes back)`, async (t) => {
      const site = await openSite(adaYes.slice(siteUrl.length));
      const { page } = site;
      await page.setViewportSize({ width, height: 800 });
      const join = page.locator("#rsvp-join").getByRole("link", { name: joinUrl });
      t.true(await appears(join));
      await page.getByRole("button", { name: "Change to: I will not attend" }).click();
      t.true(await appears(page.locator("#rsvp-result").getByText(`Thank you: your answer is recorded. You will not attend “${title}”.`)));
      t.true(await appears(page.locator("#rsvp-current .badge", { hasText: "Not attending" })));
      t.is(await page.locator("#rsvp-join").count(), 0, "no join link after no");
      t.false((await page.content()).includes("meet.example.com"), "not anywhere on the page");
      t.is(await sidewaysOverflow(page), 0, "no sideways scroll");
      await screenshot(page, `website-events-rsvp-no-${width}.png`);
      // Reloaded, the page agrees (the answer is stored, not just shown).
      await page.reload();
      const back = page.getByRole("button", { name: "Change to: I will attend" });
      t.true(await appears(back));
      t.is(await page.locator("#rsvp-join").count(), 0);
      await back.click();
      t.true(await appears(join), "yes again: the link is back");
      t.true(await appears(page.getByRole("button", { name: "Change to: I will not attend" })));
      const box = await join.boundingBox();
      t.true(box !== null && box.x >= 0 && box.x + box.width <= width, `the link stays on screen: ${JSON.stringify(box)}`);
      t.is(await sidewaysOverflow(page), 0, "no sideways scroll with the link shown");
      await screenshot(page, `website-events-rsvp-yes-${width}.png`);
      await closeSite(t, site);
    });
  }

  test.serial("the organizer's page shows 1 yes and 1 pending after Refresh", async (t) => {
    const { page } = organizerSite;
    await page.getByRole("button", { name: "Refresh answers" }).click();
    t.true(await appears(page.locator("#invitation-counts", { hasText: "1 yes · 0 no · 1 pending" })));
    const ada_ = page.locator("li.invitee", { hasText: ada });
    t.true(await appears(ada_.locator(".badge", { hasText: "Attending" })));
    t.true(await appears(ada_.locator(".answer-history", { hasText: "yes → no → yes → no → yes (5 answers)" })), "ada's changes in brief");
    t.true(await appears(page.locator("li.invitee", { hasText: grace }).locator(".badge", { hasText: "No answer yet" })));
  });

  test.serial("addresses that bounce or complain (SES's mailbox simulator, local mode's simulated feedback) are marked on the organizer's page, readable at 1280 and 360 px", async (t) => {
    const { page } = organizerSite;
    const bounce = "bounce@simulator.amazonses.com";
    const complaint = "complaint@simulator.amazonses.com";
    await page.getByLabel("Invite by email").fill(`${bounce}, ${complaint}`);
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    t.true(await appears(page.getByText("Invited 2 people.")));
    // Published: both are mailed at once, and the simulated feedback follows the mail.
    t.is((await mailsTo(bounce, "invitation", title)).length, 1, "the bounced address was mailed");
    const counts = page.locator("#invitation-counts", { hasText: "1 yes · 0 no · 3 pending · 2 undeliverable" });
    for (let tries = 0; tries < 20 && !(await counts.isVisible()); tries++) {
      await page.getByRole("button", { name: "Refresh answers" }).click();
      await page.waitForTimeout(300);
    }
    t.true(await appears(counts), "the counts say how many cannot be mailed");
    t.true(await appears(page.locator("li.invitee", { hasText: bounce }).locator(".badge", { hasText: "undeliverable: bounced" })));
    t.true(await appears(page.locator("li.invitee", { hasText: complaint }).locator(".badge", { hasText: "complained: will not be mailed again" })));
    t.true(await appears(page.locator("li.invitee", { hasText: bounce }).locator(".badge", { hasText: "No answer yet" })), "the answer is still shown beside it");
    t.is(await page.locator("li.invitee", { hasText: ada }).locator(".badge.undeliverable").count(), 0, "delivered invitations are not marked");
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 900 });
      t.is(await sidewaysOverflow(page), 0, `${width} px: no sideways scroll`);
      const outside = await page.locator("li.invitee .badge.undeliverable").evaluateAll((badges: any[]) =>
        badges.filter((b) => b.getBoundingClientRect().right > b.closest("li").getBoundingClientRect().right + 1).map((b) => b.textContent),
      );
      t.deepEqual(outside, [], `${width} px: each mark stays inside its row`);
      await screenshot(page, `website-events-undeliverable-${width}.png`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test.serial("the public list shows the event and search finds it by a title word; its page shows it in local time", async (t) => {
    const site = await openSite("/events/");
    const { page } = site;
    const list = page.getByRole("list", { name: "Public events" });
    t.true(await appears(list.getByRole("link", { name: title })));
    await page.getByLabel("Search public events by a title word").fill(word.toUpperCase());
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForLoadState("networkidle");
    t.true(await appears(list.getByRole("link", { name: title })));
    t.is(await list.locator("li").count(), 1, "only the matching event");
    await page.getByLabel("Search public events by a title word").fill("nosuchwordanywhere");
    await page.getByRole("button", { name: "Search" }).click();
    t.true(await appears(page.getByText("No public events yet.")));
    await page.getByLabel("Search public events by a title word").fill(word);
    await page.getByRole("button", { name: "Search" }).click();
    await list.getByRole("link", { name: title }).click();
    t.true(await appears(page.getByRole("heading", { level: 1, name: title })));
    t.is(new URL(page.url()).pathname, "/events/view");
    t.true(await page.evaluate(() => document.activeElement?.tagName === "H1"), "focus moves to the new page's heading");
    t.true(await appears(page.locator("img.cover")));
    t.true(await appears(page.getByText("Bring a lantern.")));
    await page.waitForFunction(() => document.querySelector("img.cover")?.complete);
    const off = await offCentre(page.locator("img.cover"), page.locator(".event-media"));
    t.true(off.across <= 1 && off.down <= 1, `1280 px: the cover is ${off.across.toFixed(1)} px across and ${off.down.toFixed(1)} px down off its frame's centre`);
    await page.goBack();
    t.true(await appears(page.getByRole("heading", { level: 1, name: "Events" })), "Back returns to the list");
    await closeSite(t, site);
  });

  test.serial("accessibility: labelled fields, one h1, every control reachable by Tab, text contrast ≥ AA in light and dark on the manage and RSVP pages", async (t) => {
    const { page } = organizerSite;
    for (const [name, target] of [["manage", page], ["home", null]] as const) {
      const p = target ?? page;
      if (name === "home") {
        await p.goto(`${siteUrl}/events/`);
        t.true(await appears(p.getByRole("heading", { name: "My events" })));
        t.true(await appears(p.getByRole("list", { name: "My events" }).getByRole("link", { name: title })));
      }
      await p.waitForLoadState("networkidle");
      t.is(await p.locator("h1:visible").count(), 1, `${name}: one h1`);
      const unlabelled = await p.evaluate(() =>
        [...document.querySelectorAll("input, textarea, select")].filter((el: any) => el.getClientRects().length && el.labels.length === 0 && !el.getAttribute("aria-label")).map((el: any) => el.outerHTML),
      );
      t.deepEqual(unlabelled, [], `${name}: every field labelled`);
      const tree = await p.locator("body").ariaSnapshot();
      t.deepEqual(tree.split("\n").filter((line) => /- (textbox|button|link|searchbox|combobox)( \[|:|$)/.test(line.trim())), [], `${name}: every control named`);
      // Tab through the page, marking what gets focus; every visible control must be among them.
      await p.bringToFront();
      // (A date-time field takes several presses, one per part, so this does not stop at a repeat.)
      await p.evaluate(() => document.activeElement?.blur());
      for (let i = 0; i < 80; i++) {
        await p.keyboard.press("Tab");
        await p.evaluate(() => document.activeElement?.setAttribute("data-tab-reached", ""));
      }
      const unreachable = await p.evaluate(() =>
        [...document.querySelectorAll("a[href], button, input, textarea, select")].filter((el: any) => el.getClientRects().length > 0 && !el.hasAttribute("data-tab-reached")).map((el: any) => el.outerHTML.slice(0, 120)),
      );
      t.deepEqual(unreachable, [], `${name}: every visible control is reachable with Tab`);
      for (const colorScheme of ["light", "dark"] as const) {
        await p.emulateMedia({ colorScheme, reducedMotion: "reduce" });
        t.deepEqual(await p.evaluate<string[]>(CONTRAST_CHECK), [], `${name}: text contrast in the ${colorScheme} scheme`);
      }
      await p.emulateMedia({ colorScheme: "light" });
    }
    const rsvp = await openSite(graceNo.slice(siteUrl.length));
    t.true(await appears(rsvp.page.getByRole("button", { name: "Confirm: I will not attend" })));
    for (const colorScheme of ["light", "dark"] as const) {
      await rsvp.page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
      t.deepEqual(await rsvp.page.evaluate<string[]>(CONTRAST_CHECK), [], `rsvp: text contrast in the ${colorScheme} scheme`);
    }
    await closeSite(t, rsvp);
  });

  test.serial("an ID token about to expire is refreshed with the refresh token before the API call", async (t) => {
    const { page } = organizerSite;
    const grants: string[] = [];
    const onRequest = (request: { url(): string; method(): string; postData(): string | null }) => {
      if (request.url().startsWith(`${signInUrl}/oauth2/token`)) grants.push(new URLSearchParams(request.postData() ?? "").get("grant_type") ?? "");
    };
    page.on("request", onRequest);
    await page.evaluate(() => {
      const key = "switchyard.events.session";
      const session = JSON.parse(window.sessionStorage.getItem(key));
      window.sessionStorage.setItem(key, JSON.stringify({ ...session, expiresAt: Date.now() + 30_000 }));
    });
    await page.goto(`${siteUrl}/events/`);
    t.true(await appears(page.getByRole("list", { name: "My events" }).getByRole("link", { name: title })), "My events still loads");
    t.deepEqual(grants, ["refresh_token"]);
    const expiresAt = await page.evaluate(() => JSON.parse(window.sessionStorage.getItem("switchyard.events.session")).expiresAt as number);
    t.true(expiresAt > Date.now() + 10 * 60_000, "a fresh ID token is kept");
    page.off("request", onRequest);
  });

  test.serial("at 360 px the Events pages do not scroll sideways", async (t) => {
    const { page } = organizerSite;
    await page.setViewportSize({ width: 360, height: 740 });
    for (const path of ["/events/", `/events/manage?id=${eventId}`, `/events/view?id=${eventId}`]) {
      await page.goto(`${siteUrl}${path}`);
      t.true(await appears(page.locator("h1:visible")));
      await page.waitForLoadState("networkidle");
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
      t.true(widths.scroll <= widths.viewport, `${path}: ${widths.scroll} px of content in ${widths.viewport} px`);
      if (path === "/events/") continue;
      await page.waitForFunction(() => document.querySelector("img.cover")?.complete);
      const off = await offCentre(page.locator("img.cover"), page.locator(".event-media"));
      t.true(off.across <= 1 && off.down <= 1, `${path}: the cover is ${off.across.toFixed(1)} px across and ${off.down.toFixed(1)} px down off its frame's centre`);
    }
    t.regex(spaced(await page.locator(".event-when").textContent()), /^\w{3}, Jun 15, \d{4}, 06:30 – 08:00 PM \(90 minutes\)$/, "360 px: the date once");
    await screenshot(page, "website-events-phone.png");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  for (const width of [1280, 360]) {
    test.serial(`at ${width} px every Events form puts one human sentence beside each field it is about`, async (t) => {
      const { page } = organizerSite;
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${siteUrl}/events/`);
      t.true(await appears(page.getByRole("button", { name: "Create event" })));
      await page.getByLabel("Duration (minutes)").fill("2");
      await page.getByRole("button", { name: "Create event" }).click();
      t.true(await appears(page.getByText("Give the event a title.", { exact: true })));
      for (const [label, sentence] of [
        ["Title", "Give the event a title."],
        ["Starts", "Choose a start date and time."],
        ["Duration (minutes)", "The duration is at least 5 minutes."],
      ] as const) {
        t.deepEqual(await fieldErrorProblems(page, page.getByLabel(label, { exact: true }), sentence), [], `new event: ${label}`);
      }
      t.is(await sidewaysOverflow(page), 0);
      await screenshot(page, `website-events-form-errors-${width}.png`);

      await page.goto(`${siteUrl}/events/manage?id=${eventId}`);
      t.true(await appears(page.getByRole("button", { name: "Save changes" })));
      await page.getByLabel("Starts").fill("2020-06-15T18:30");
      await page.getByRole("button", { name: "Save changes" }).click();
      t.true(await appears(page.getByText("The start must be in the future.", { exact: true })));
      t.deepEqual(await fieldErrorProblems(page, page.getByLabel("Starts"), "The start must be in the future."), [], "edit: a start in the past");

      const emails = page.getByLabel("Invite by email");
      await emails.fill("not-an-address, grace@");
      await page.getByRole("button", { name: "Invite", exact: true }).click();
      const bad = "“not-an-address” and “grace@” are not email addresses.";
      t.true(await appears(page.getByText(bad, { exact: true })));
      t.deepEqual(await fieldErrorProblems(page, emails, bad), [], "invite: the bad addresses named");
      await emails.fill("");
      await page.getByRole("button", { name: "Invite", exact: true }).click();
      t.true(await appears(page.getByText("Enter at least one email address.", { exact: true })));
      t.deepEqual(await fieldErrorProblems(page, emails, "Enter at least one email address."), [], "invite: nothing entered");

      await page.getByRole("button", { name: "Upload cover" }).click();
      t.true(await appears(page.getByText("Choose an image file first.", { exact: true })));
      t.deepEqual(await fieldErrorProblems(page, page.getByLabel("Cover image"), "Choose an image file first."), [], "upload: no file");
      t.is(await sidewaysOverflow(page), 0);
      await screenshot(page, `website-events-manage-errors-${width}.png`);
      t.is((await (await fetch(`${apiUrl}/me/events/${eventId}`, { headers: { authorization: `Bearer ${await organizerToken(organizer)}` } })).json() as { startsAt: string }).startsAt.slice(5, 10), "06-15", "nothing was saved");
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    test.serial(`at ${width} px a banner about the last action goes with the next action or a navigation`, async (t) => {
      const { page } = organizerSite;
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${siteUrl}/events/manage?id=${eventId}`);
      const upload = async () => {
        await page.getByLabel("Cover image").setInputFiles({ name: "cover.png", mimeType: "image/png", buffer: tinyPng() });
        await page.getByRole("button", { name: "Upload cover" }).click();
        return appears(page.locator("#manage-notice", { hasText: "Cover uploaded." }));
      };
      t.true(await upload(), "the banner says what was done");
      // The page re-renders after an upload; act on the settled page, not on one about to be replaced.
      await page.waitForLoadState("networkidle");
      await page.getByRole("button", { name: "Refresh answers" }).click();
      t.true(await disappears(page.locator("#manage-notice")), "the next action takes it away");

      t.true(await upload());
      await page.getByRole("link", { name: "Events", exact: true }).first().click();
      t.true(await appears(page.getByRole("heading", { level: 1, name: "Events" })));
      await page.goBack();
      t.true(await appears(page.getByRole("heading", { level: 1, name: title })));
      t.is(await page.locator("#manage-notice").count(), 0, "not there after navigating away and back");
      await page.setViewportSize({ width: 1280, height: 900 });
    });
  }

  /** Wall-clock date and time of an instant in the organizer's zone, read with Intl. */
  const inZone = (iso: string) => {
    const p = Object.fromEntries(new Intl.DateTimeFormat("en-US", { timeZone: ZONE, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
    return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
  };
  let seriesEventId = "";
  const seriesOf = async (id: string) =>
    (await (await fetch(`${apiUrl}/me/series/${id}`, { headers: { authorization: `Bearer ${await organizerToken(organizer)}` } })).json()) as { series: { id: string }; items: { id: string; startsAt: string; seriesId: string }[] };

  test.serial("a monthly series: Repeat monthly on the create form makes the events; the manage page shows the series and edits this and following", async (t) => {
    const { page } = organizerSite;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${siteUrl}/events/`);
    const seriesTitle = `Book club ${word}`;
    const now = new Date();
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 10));
    const day = `${month.getUTCFullYear()}-${String(month.getUTCMonth() + 1).padStart(2, "0")}-10`;
    await page.getByLabel("Title", { exact: true }).fill(seriesTitle);
    await page.getByLabel("Starts").fill(`${day}T19:00`);
    await page.getByLabel("Duration (minutes)").fill("60");
    t.false(await page.getByLabel("Repeats on").isVisible(), "the choices stay out of the way until asked for");
    await page.getByLabel("Repeat monthly").check();
    t.is(await page.getByLabel("Time zone").inputValue(), ZONE, "the browser's zone by default");
    const weekday = new Date(`${day}T12:00:00Z`).toLocaleDateString("en-US", { weekday: "long", timeZone: "UTC" });
    t.is(await page.getByLabel("Repeats on").locator("option:checked").textContent(), `The 2nd ${weekday} of each month`, "named from the chosen start");
    await page.getByLabel("Ends").selectOption("count");
    await page.getByLabel("How many events").fill("3");
    await page.getByRole("button", { name: "Create event" }).click();
    t.true(await appears(page.getByRole("heading", { level: 1, name: seriesTitle })), "the first event's manage page opens");
    t.regex(spaced(await page.locator("#series-rule").textContent()), new RegExp(`^Repeats monthly on the 2nd ${weekday} at 19:00 America/New_York · event 1 of 3$`));
    const firstId = new URL(page.url()).searchParams.get("id")!;
    seriesEventId = firstId;
    const list = page.getByRole("list", { name: "Events of the series" });
    t.true(await appears(list.locator("li").nth(2)));
    t.is(await list.locator("li").count(), 3);
    t.is(await list.locator("[aria-current=page]").count(), 1, "this event is marked, the others are links");
    const created = await seriesOf((await (await fetch(`${apiUrl}/me/events/${firstId}`, { headers: { authorization: `Bearer ${await organizerToken(organizer)}` } })).json() as { series: { id: string } }).series.id);
    t.deepEqual(created.items.map((i) => inZone(i.startsAt).time), ["19:00", "19:00", "19:00"]);
    t.is(inZone(created.items[0]!.startsAt).date, day);

    // The second event: move it and the third to 20:15 on their own dates.
    await list.getByRole("link").first().click();
    t.true(await appears(page.locator("#series-rule", { hasText: "event 2 of 3" })));
    const second = inZone(created.items[1]!.startsAt).date;
    await page.getByLabel("Starts").fill(`${second}T20:15`);
    await page.getByLabel("This and following events").check();
    await page.getByRole("button", { name: "Save changes" }).click();
    t.true(await appears(page.getByText("Changes saved to this and the following events.")));
    t.true(await appears(page.locator("#series-rule", { hasText: "event 1 of 2" })), "the second event now begins a series that continues the first");
    const myEvent = async (id: string) => (await (await fetch(`${apiUrl}/me/events/${id}`, { headers: { authorization: `Bearer ${await organizerToken(organizer)}` } })).json()) as { series: { id: string } };
    const after = await seriesOf((await myEvent(created.items[1]!.id)).series.id);
    t.deepEqual(after.items.map((i) => i.id), [created.items[1]!.id, created.items[2]!.id]);
    t.deepEqual(after.items.map((i) => inZone(i.startsAt)), [{ date: second, time: "20:15" }, { date: inZone(created.items[2]!.startsAt).date, time: "20:15" }], "the time moved, the dates stayed");
    t.deepEqual((await seriesOf(created.series.id)).items.map((i) => inZone(i.startsAt).time), ["19:00"], "the first event is unchanged");
    await screenshot(page, "website-events-series-1280.png");
    // The series' parts are labelled and readable like the rest of the page.
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll("input, textarea, select")].filter((el: any) => el.getClientRects().length && el.labels.length === 0 && !el.getAttribute("aria-label")).map((el: any) => el.outerHTML),
    );
    t.deepEqual(unlabelled, [], "every field labelled, the scope's radios too");
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
      t.deepEqual(await page.evaluate<string[]>(CONTRAST_CHECK), [], `series manage page: text contrast in the ${colorScheme} scheme`);
    }
    await page.emulateMedia({ colorScheme: "light" });
  });

  for (const width of [1280, 360]) {
    test.serial(`at ${width} px the Repeat monthly choices fit and say what is wrong beside Ends`, async (t) => {
      const { page } = organizerSite;
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${siteUrl}/events/`);
      t.true(await appears(page.getByRole("button", { name: "Create event" })));
      const later = new Date(Date.now() + 20 * 86_400_000);
      await page.getByLabel("Title", { exact: true }).fill(`Too long ${word}`);
      await page.getByLabel("Starts").fill(`${later.toISOString().slice(0, 10)}T18:00`);
      await page.getByLabel("Repeat monthly").check();
      await page.getByLabel("Ends").selectOption("until");
      await page.getByRole("button", { name: "Create event" }).click();
      const noDate = "Choose the date of the last event.";
      t.true(await appears(page.getByText(noDate, { exact: true })));
      t.deepEqual(await fieldErrorProblems(page, page.getByLabel("Ends"), noDate), [], "the page's own check");
      await page.getByLabel("Last date").fill(new Date(Date.now() + 3 * 365 * 86_400_000).toISOString().slice(0, 10));
      await page.getByRole("button", { name: "Create event" }).click();
      const tooMany = "A series has at most 24 occurrences; this one would have more: choose an earlier until or a count.";
      t.true(await appears(page.getByText(tooMany, { exact: true })), "the API's 400, beside the field");
      t.deepEqual(await fieldErrorProblems(page, page.getByLabel("Ends"), tooMany), []);
      t.is(await sidewaysOverflow(page), 0, "no sideways scroll");
      await screenshot(page, `website-events-repeat-${width}.png`);
      const listed = await fetch(`${apiUrl}/me/events`, { headers: { authorization: `Bearer ${await organizerToken(organizer)}` } });
      const mine = (await listed.json()) as { items: { title: string }[] };
      t.is(listed.status, 200, JSON.stringify(mine));
      t.deepEqual(mine.items.filter((i) => String(i.title).startsWith("Too long")), [], "nothing was created (the newest edited come first)");
      await page.goto(`${siteUrl}/events/manage?id=${seriesEventId}`);
      t.true(await appears(page.getByRole("list", { name: "Events of the series" }).locator("li").first()));
      t.is(await sidewaysOverflow(page), 0, "the manage page of a series event: no sideways scroll");
      await screenshot(page, `website-events-series-manage-${width}.png`);
      await page.setViewportSize({ width: 1280, height: 900 });
    });
  }

  test.serial("the organizer cancels (after confirming); each invitee gets a cancellation mail; signing out returns to the public view", async (t) => {
    const { page } = organizerSite;
    await page.goto(`${siteUrl}/events/manage?id=${eventId}`);
    t.true(await appears(page.getByRole("heading", { level: 1, name: title })));
    // Declining the confirmation changes nothing.
    page.once("dialog", (dialog) => void dialog.dismiss());
    await page.getByRole("button", { name: "Cancel event" }).click();
    await page.waitForTimeout(300);
    t.true(await appears(page.locator("#event-status .badge", { hasText: "Published" })));
    page.once("dialog", (dialog) => {
      t.regex(dialog.message(), /^Cancel "/);
      void dialog.accept();
    });
    await page.getByRole("button", { name: "Cancel event" }).click();
    t.true(await appears(page.locator("#event-status .badge", { hasText: "Canceled" })));
    t.is(await page.getByRole("button", { name: "Save changes" }).count(), 0, "a canceled event is not editable");
    for (const who of [ada, grace]) t.is((await mailsTo(who, "cancellation", title)).length, 1, `${who} is told`);

    // The RSVP link now says answers are closed.
    const rsvp = await openSite(graceNo.slice(siteUrl.length));
    t.true(await appears(rsvp.page.getByText("The event was canceled: answers are closed.")));
    await closeSite(t, rsvp);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${siteUrl}/events/`);
    t.true(await appears(page.getByRole("button", { name: "Sign in" })));
    t.is(await page.getByRole("heading", { name: "My events" }).count(), 0);
    await closeSite(t, organizerSite);
  });
}
