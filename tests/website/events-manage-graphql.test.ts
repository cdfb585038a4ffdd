// The manage page reads through GraphQL (issue #19): in Chromium against `npm start`, loading
// /events/manage makes one API request, the persisted ManageEvent query as a GET, where it made
// two REST reads before (GET /me/events/{id}, GET /events/{id}/invitations); it shows what those
// REST routes answer (they are still there: the test asks them). Refreshing the answers and the
// re-read after an action are that one query again; the actions themselves stay REST. A stranger's
// event and an unknown one show the API's refusal, and nothing else is asked; a refused token
// forgets the session, as a REST 401 does.
import test from "ava";
import { existsSync } from "node:fs";
import type { Page, Request } from "playwright-core";
import { PERSISTED_QUERIES } from "../../handlers/graphql/persisted";
import { CATEGORY_LABELS, type EventCategory } from "../../handlers/events/categories";
import { answer, apiCall, idToken, rsvpLinks, signInSession, withSession } from "../harness/events-seed";
import { CHROMIUM, startSiteInChromium, type SiteInChromium } from "../harness/site-in-chromium";

const WAIT_MS = 15_000;
const ORGANIZER = "graphql-organizer@example.com";
const INVITEES = ["ada@example.com", "grace@example.com", "edsger@example.com"];
const MANAGE_EVENT = PERSISTED_QUERIES.find((q) => q.name === "ManageEvent")!;

interface RestEvent {
  id: string;
  title: string;
  status: string;
  confirmedCount: number;
  joinUrl: string | null;
  category: EventCategory;
}
interface RestInvitations {
  items: { email: string; status: "yes" | "no" | "pending" }[];
  counts: { yes: number; no: number; pending: number; undeliverable: number };
}

let site: SiteInChromium | undefined;
let session = "";
let token = "";
let eventId = "";
const title = `Lantern ${Date.now().toString(36)} evening`;
const joinUrl = "https://meet.example.com/lantern-evening";
let links: { yes: string; no: string }[] = [];

/** Every request the page sends to the API (Chromium's own preflights are not the page's and are not listed). */
function apiRequests(page: Page): Request[] {
  const seen: Request[] = [];
  page.on("request", (request) => {
    if (request.url().startsWith(site!.apiUrl)) seen.push(request);
  });
  return seen;
}

const describe = (r: Request) => {
  const url = new URL(r.url());
  return `${r.method()} ${url.pathname}${url.pathname === "/graphql" ? `?id=${url.searchParams.get("id")}&variables=${url.searchParams.get("variables")}` : ""}`;
};
const manageEventCall = (id: string) => `GET /graphql?id=${MANAGE_EVENT.sha256}&variables=${JSON.stringify({ id })}`;

/** Opens the manage page signed in; resolves once it shows the invitation counts and the network is quiet. */
async function openManage(id: string, counts?: string, signedIn = session) {
  const context = await withSession(site!, signedIn, { locale: "en-US" });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  const requests = apiRequests(page);
  await page.goto(`${site!.siteUrl}/events/manage?id=${encodeURIComponent(id)}`);
  if (counts) await page.locator("#invitation-counts", { hasText: counts }).waitFor({ timeout: WAIT_MS });
  else await page.getByRole("alert").first().waitFor({ timeout: WAIT_MS });
  await page.waitForLoadState("networkidle");
  return { context, page, requests, problems };
}

if (!existsSync(CHROMIUM) && !process.env.CI) {
  console.warn(`tests/website/events-manage-graphql.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium).`);
  test.skip("the manage page through GraphQL in Chromium (needs /usr/bin/chromium)", () => undefined);
} else {
  test.before(async () => {
    site = await startSiteInChromium("manage-graphql");
    token = await idToken(site, ORGANIZER);
    const created = await apiCall<{ id: string }>(site, "POST", "/events", token, {
      title,
      description: "Bring a lantern.",
      startsAt: new Date(Date.now() + 12 * 86_400_000).toISOString(),
      durationMinutes: 90,
      visibility: "public",
      joinUrl,
      category: "social",
    });
    eventId = created.id;
    await apiCall(site, "POST", `/events/${eventId}/invitations`, token, { emails: INVITEES });
    await apiCall(site, "POST", `/events/${eventId}/publish`, token, {});
    links = await Promise.all(INVITEES.map((to) => rsvpLinks(site!, to, title)));
    await answer(site, links[0]!.yes, "yes");
    session = await signInSession(site, ORGANIZER);
  });

  test.after.always(async () => {
    await site?.stop();
  });

  test.serial("on load the manage page makes one API request, the persisted ManageEvent GET, and shows what the REST reads answer", async (t) => {
    const rest = await apiCall<RestEvent>(site!, "GET", `/me/events/${eventId}`, token);
    const invitations = await apiCall<RestInvitations>(site!, "GET", `/events/${eventId}/invitations`, token);
    t.like(invitations.counts, { yes: 1, no: 0, pending: 2 }, "the REST answer the page must agree with");
    const { context, page, requests, problems } = await openManage(eventId, "1 yes · 0 no · 2 pending");
    t.deepEqual(requests.map(describe), [manageEventCall(eventId)], "one request: the persisted query by its hash, no query text");
    t.is(requests[0]!.headers()["authorization"], `Bearer ${JSON.parse(session).idToken}`, "with the organizer's ID token");

    t.is(await page.getByRole("heading", { level: 1 }).textContent(), rest.title);
    t.is(await page.locator("#event-status .badge").textContent(), "Published");
    t.is(await page.locator("#event-confirmed").textContent(), String(rest.confirmedCount));
    t.is(await page.locator("#event-join-url").getByRole("link").getAttribute("href"), rest.joinUrl);
    t.is(await page.locator("#event-category").textContent(), CATEGORY_LABELS[rest.category]);
    const { yes, no, pending } = invitations.counts;
    t.is(await page.locator("#invitation-counts").textContent(), `${yes} yes · ${no} no · ${pending} pending`);
    const shown = await page.locator("li.invitee").evaluateAll((items: any[]) => items.map((li) => [li.querySelector(".invitee-email").textContent, li.querySelector(".badge").textContent]));
    const label = { yes: "Attending", no: "Not attending", pending: "No answer yet" };
    t.deepEqual(shown, invitations.items.map((i) => [i.email, label[i.status]]), "each invitation, in the REST order, with its answer");
    t.true(await page.getByRole("button", { name: "Save changes" }).isVisible(), "editable: the form is there");
    t.deepEqual(problems, []);
    await context.close();
  });

  test.serial("Refresh answers and an invite read through the same query; the action itself is REST", async (t) => {
    const { context, page, requests } = await openManage(eventId, "1 yes · 0 no · 2 pending");
    requests.length = 0;
    await answer(site!, links[1]!.no, "no");
    await page.getByRole("button", { name: "Refresh answers" }).click();
    await page.locator("#invitation-counts", { hasText: "1 yes · 1 no · 1 pending" }).waitFor({ timeout: WAIT_MS });
    t.deepEqual(requests.map(describe), [manageEventCall(eventId)]);
    t.is(await page.locator("li.invitee", { hasText: INVITEES[1]! }).locator(".badge").first().textContent(), "Not attending");

    requests.length = 0;
    await answer(site!, links[2]!.yes, "yes");
    await page.getByLabel("Invite by email").fill("alan@example.com");
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    await page.locator("#invitation-counts", { hasText: "2 yes · 1 no · 1 pending" }).waitFor({ timeout: WAIT_MS });
    t.deepEqual(requests.map(describe), [`POST /events/${eventId}/invitations`, manageEventCall(eventId)]);
    t.is(await page.locator("#event-confirmed").textContent(), "2", "the attending count follows the same read");
    await context.close();
  });

  test.serial("after an edit the page re-reads itself with the one query: PATCH, then ManageEvent", async (t) => {
    const { context, page, requests } = await openManage(eventId, "2 yes · 1 no · 1 pending");
    requests.length = 0;
    await page.getByLabel("Title", { exact: true }).fill(`${title} (moved)`);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Changes saved.").waitFor({ timeout: WAIT_MS });
    await page.waitForLoadState("networkidle");
    t.deepEqual(requests.map(describe), [`PATCH /events/${eventId}`, manageEventCall(eventId)]);
    t.is(await page.getByRole("heading", { level: 1 }).textContent(), `${title} (moved)`);
    t.is(await page.locator("#invitation-counts").textContent(), "2 yes · 1 no · 1 pending", "the invitations came with it");
    await context.close();
  });

  test.serial("another organizer's event and an unknown one: the page shows the refusal and asks nothing more", async (t) => {
    const other = await idToken(site!, "someone-else@example.com");
    const theirs = await apiCall<{ id: string }>(site!, "POST", "/events", other, { title: "Not yours", startsAt: new Date(Date.now() + 5 * 86_400_000).toISOString(), durationMinutes: 30 });
    for (const [id, refusal] of [
      [theirs.id, /Only the event.s organizer can see this\./],
      ["00000000-0000-7000-8000-000000000000", /No event 00000000-0000-7000-8000-000000000000\./],
    ] as const) {
      const { context, page, requests } = await openManage(id);
      t.deepEqual(requests.map(describe), [manageEventCall(id)]);
      t.is(await page.getByRole("heading", { level: 1 }).textContent(), "Manage event");
      t.regex((await page.getByRole("alert").first().textContent()) ?? "", refusal);
      t.is(await page.getByText("Not yours").count(), 0, "nothing of the other organizer's event");
      t.true(await page.getByText(`Signed in as ${ORGANIZER}`).isVisible(), "still signed in (not a 401)");
      await context.close();
    }
  });

  test.serial("a token the API refuses (UNAUTHENTICATED): the page says so and offers Sign in again, as a REST 401 does", async (t) => {
    const forged = JSON.stringify({ ...JSON.parse(session), idToken: `${JSON.parse(session).idToken.slice(0, -8)}AAAAAAAA` });
    const { context, page, requests } = await openManage(eventId, undefined, forged);
    t.deepEqual(requests.map(describe), [manageEventCall(eventId)]);
    t.is(await page.getByRole("heading", { level: 1 }).textContent(), "Manage event");
    t.true(await page.getByRole("button", { name: "Sign in" }).isVisible(), "the refused session is forgotten");
    t.is(await page.evaluate(() => (globalThis as any).sessionStorage.getItem("switchyard.events.session")), null);
    await context.close();
  });
}
