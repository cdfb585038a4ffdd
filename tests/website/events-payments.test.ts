// A paid event in a real headless Chromium against `npm start` (issue #19): the invitee opens the
// yes link from the mail, sees the price and that they will be sent to Stripe and that tickets are
// non-refundable, presses the button, lands on the Stripe stand-in's hosted checkout page, pays,
// comes back to the RSVP page, which waits for Stripe's signed webhook (stand-in → POST
// /webhooks/stripe → the Stripe events table → its stream → the payments function) and then says
// "Payment received — you're in" with the join link. Under the site's Content-Security-Policy.
import test from "ava";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { listOutbox } from "../../handlers/events/mail/outbox";
import { parseMime } from "../../handlers/events/mail/parse-mime";
import { startSiteInChromium, type SiteInChromium } from "../harness/site-in-chromium";

const WAIT_MS = 30_000;
let site: SiteInChromium | undefined;

test.before(async () => {
  site = await startSiteInChromium("payments");
});
test.after.always(async () => site?.stop());

async function mailTo(to: string, subject: string): Promise<string> {
  const dir = join(site!.dataDir, "outbox");
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const entry = (await listOutbox(dir)).find((e) => e.to.includes(to) && e.subject.includes(subject));
    if (entry) return (await parseMime(await readFile(join(dir, entry.file)))).text ?? "";
  }
  throw new Error(`no mail to ${to} about ${subject}`);
}

test("say yes to a paid event → Stripe's checkout page → Pay → back on the RSVP page: payment received, you're in", async (t) => {
  const { apiUrl, signInUrl, siteUrl, browser } = site!;
  const token = ((await (await fetch(`${signInUrl}/_local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "olga@example.com" }) })).json()) as { id_token: string }).id_token;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${apiUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return (await response.json()) as Record<string, unknown>;
  };
  const title = `Paid masterclass ${Date.now()}`;
  const created = await call("POST", "/events", { title, startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(), durationMinutes: 60, joinUrl: "https://meet.example.com/masterclass", price: { amount: 1500, currency: "eur" } });
  const id = created.id as string;
  t.deepEqual(created.price, { amount: 1500, currency: "eur" });
  await call("POST", `/events/${id}/invitations`, { emails: ["ann@example.com"] });
  await call("POST", `/events/${id}/publish`);
  const yesLink = /^(https?:\/\/\S+\/events\/rsvp\?token=\S+)$/m.exec(await mailTo("ann@example.com", `Invitation: ${title}`))![1]!;
  t.true(yesLink.startsWith(`${siteUrl}/events/rsvp?token=`));

  const context = await browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => void (m.type() === "error" && /Content[- ]Security[- ]Policy/i.test(m.text()) && problems.push(m.text())));
  await page.goto(yesLink);
  await page.locator("#event-price").waitFor({ timeout: WAIT_MS });
  t.regex(await page.locator("#event-price").innerText(), /€15\.00.*non-refundable/);
  t.regex(await page.locator("#rsvp-pay-notice").innerText(), /You will be sent to Stripe to pay; tickets are non-refundable/);
  await page.locator("#rsvp-confirm").click();
  await page.waitForURL(/\/c\/pay\/cs_/, { timeout: WAIT_MS });
  t.regex(await page.locator("#total").innerText(), /15\.00 EUR/);
  await page.locator("#pay").click();
  await page.waitForURL((url) => url.href.startsWith(`${siteUrl}/events/rsvp?`) && url.searchParams.get("checkout") === "success", { timeout: WAIT_MS });
  await page.getByText("Payment received — you're in.").waitFor({ timeout: WAIT_MS });
  t.true(await page.locator("#rsvp-current .badge", { hasText: "Attending" }).isVisible());
  t.true(await page.locator("#rsvp-join").getByRole("link", { name: "https://meet.example.com/masterclass" }).isVisible(), "the join link, now that they are in");
  const youreIn = await mailTo("ann@example.com", `You're in: ${title}`);
  t.regex(youreIn, /meet\.example\.com\/masterclass/);
  const list = await call("GET", `/events/${id}/invitations`);
  t.like(list.counts, { yes: 1, paid: 1, paymentPending: 0 });
  t.deepEqual(problems, []);
  await context.close();
});
