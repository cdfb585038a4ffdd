// An event's streamed video in a real headless Chromium (Debian's, through playwright-core) against
// `npm start`, at 1280 and 360 px: a rendition made by ffmpeg (two HLS variants, a poster) in
// s3rver under the event's hls/ folder with `videoRendition` set through the store, as the
// pipeline would. The page shows the poster and a Play button; pressing it plays the stream —
// natively (this Chromium has HLS playback) and, with native HLS hidden from the page, through
// hls.js, whose chunk is fetched only then. Playing is asserted on the element: currentTime
// advances, readyState ≥ 2, videoWidth > 0. A stranger's page of a private event shows no video
// and a forged stream URL is refused; "processing" says so; "failed" says so to the organizer,
// whose Retry sends POST /events/{id}/video/retry. All under the site's CSP (a violation fails).
import test, { type ExecutionContext } from "ava";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { existsSync, rmSync } from "node:fs";
import { type Page, type Request } from "playwright-core";
import { EventStore } from "../../handlers/events/event-store";
import { LOCAL_MEDIA_BUCKET } from "../../local/events";
import { LOCAL_CREDENTIALS } from "../../local/emulators/dynamodb-local";
import { localTableName } from "../../local/topology";
import { FFMPEG, makeHlsRendition, seedReadyRendition } from "../harness/hls-rendition";
import { CHROMIUM, startSiteInChromium, type SiteInChromium } from "../harness/site-in-chromium";

declare const document: any;
declare const HTMLMediaElement: any;

const WAIT_MS = 20_000;
const VIEWPORTS = [
  { name: "1280 px", width: 1280, height: 900 },
  { name: "360 px", width: 360, height: 740 },
];

let site: SiteInChromium | undefined;
let store: EventStore;
let s3: S3Client;
let hls: ReturnType<typeof makeHlsRendition>;
const ids = { ready: "", private: "", processing: "", failed: "" };
const organizer = "video-organizer@example.com";

async function token(email: string): Promise<string> {
  const response = await fetch(`${site!.signInUrl}/_local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email }) });
  return ((await response.json()) as { id_token: string }).id_token;
}

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${site!.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${await token(organizer)}`, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function event(title: string, visibility: "public" | "private"): Promise<string> {
  const created = await api("POST", "/events", { title, startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(), durationMinutes: 60, visibility });
  await api("POST", `/events/${created.id}/publish`);
  return created.id as string;
}

interface Opened {
  page: Page;
  requests: string[];
  problems: string[];
  close(t: ExecutionContext): Promise<void>;
}

async function open(path: string, viewport: { width: number; height: number }, options: { hideNativeHls?: boolean } = {}): Promise<Opened> {
  const context = await site!.browser.newContext({ viewport, locale: "en-US" });
  // A browser without native HLS (Firefox, older Chrome): the page must take hls.js.
  if (options.hideNativeHls) {
    await context.addInitScript(() => {
      const canPlayType = HTMLMediaElement.prototype.canPlayType;
      HTMLMediaElement.prototype.canPlayType = function (type: string) {
        return /mpegurl/i.test(type) ? "" : canPlayType.call(this, type);
      };
    });
  }
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on("request", (r: Request) => requests.push(r.url()));
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  await page.goto(`${site!.siteUrl}${path}`);
  return {
    page,
    requests,
    problems,
    async close(t) {
      t.deepEqual(problems, [], "no script errors and no CSP violations");
      await context.close();
    },
  };
}

/** Waits until the element has played a while; returns what it reports. */
async function played(page: Page) {
  await page.waitForFunction(() => {
    const v = document.querySelector("#video-player video");
    return v && v.currentTime > 1 && v.readyState >= 2 && v.videoWidth > 0;
  }, undefined, { timeout: WAIT_MS }).catch(() => undefined);
  return page.locator("#video-player video").evaluate((v: any) => ({ currentTime: v.currentTime, readyState: v.readyState, videoWidth: v.videoWidth, paused: v.paused, error: v.error?.message ?? null }));
}

const missing = [CHROMIUM, FFMPEG].filter((p) => !existsSync(p));
if (missing.length && !process.env.CI) {
  console.warn(`tests/website/events-video.test.ts skipped: ${missing.join(", ")} missing (.ci/run installs them).`);
  test.skip("streamed video in Chromium (needs chromium and ffmpeg)", () => undefined);
} else {
  test.before(async () => {
    site = await startSiteInChromium("video");
    const outputs = site.mode.outputs;
    store = new EventStore(new DynamoDBClient({ endpoint: outputs.dynamodbEndpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS }), localTableName("events", "events"));
    s3 = new S3Client({ endpoint: outputs.s3Endpoint, region: "us-east-1", forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
    hls = makeHlsRendition();
    ids.ready = await event("Harbour film night", "public");
    ids.private = await event("Private screening", "private");
    ids.processing = await event("Film still processing", "public");
    ids.failed = await event("Film that failed", "public");
    for (const id of [ids.ready, ids.private]) await seedReadyRendition(s3, LOCAL_MEDIA_BUCKET, store, id, hls);
    const base = { source: `events/${ids.processing}/video/x`, jobId: "job-1", attempt: 1, at: new Date().toISOString() };
    await store.setVideoRendition(ids.processing, { ...base, state: "processing" });
    await store.setVideoRendition(ids.failed, { ...base, source: `events/${ids.failed}/video/x`, state: "failed", error: "the input could not be decoded" });
  });

  test.after.always(async () => {
    await site?.stop();
    if (hls) rmSync(hls.dir, { recursive: true, force: true });
  });

  for (const viewport of VIEWPORTS) {
    for (const way of ["native HLS", "hls.js"] as const) {
      test.serial(`${viewport.name}, ${way}: the public page shows the poster and a Play button; pressed, the stream plays`, async (t) => {
        const opened = await open(`/events/view?id=${ids.ready}`, viewport, { hideNativeHls: way === "hls.js" });
        const { page, requests } = opened;
        const player = page.locator("#video-player");
        await player.waitFor({ state: "visible", timeout: WAIT_MS });
        const poster = await page.locator("#video-player video").getAttribute("poster");
        t.truthy(poster, "the poster is set");
        t.is((await fetch(poster!)).status, 200, "and loads");
        const play = page.getByRole("button", { name: "Play the video of Harbour film night" });
        t.true(await play.isVisible());
        const box = await player.boundingBox();
        t.true(box !== null && box.width <= viewport.width, `the player fits the viewport (${box?.width} px)`);
        t.false(requests.some((u) => /hls\.light/.test(u)), "hls.js is not loaded before Play");
        t.false(requests.some((u) => /\/stream\//.test(u)), "nor the stream");

        await play.click();
        const state = await played(page);
        t.true(state.currentTime > 1, `currentTime advances (${JSON.stringify(state)}; the player says "${await page.locator("#video-player").textContent()}")`);
        t.true(state.readyState >= 2, "readyState ≥ 2");
        t.true(state.videoWidth > 0, "videoWidth > 0");
        t.is(await player.getAttribute("data-player"), way === "hls.js" ? "hls.js" : "native");
        t.is(requests.some((u) => /hls\.light/.test(u)), way === "hls.js", way === "hls.js" ? "hls.js is loaded on Play" : "hls.js is never loaded");
        if (way === "hls.js") t.true(requests.some((u) => u.includes(`/${LOCAL_MEDIA_BUCKET}/events/${ids.ready}/hls/`) && u.includes("X-Amz-Signature")), "segments come presigned from the media bucket");
        t.is(await play.count(), 0, "the Play button gives way to the video's controls");
        await opened.close(t);
      });
    }
  }

  test.serial("a stranger: the private event's page shows no video, its stream is refused; a forged stream URL gets a 403 without URLs", async (t) => {
    const opened = await open(`/events/view?id=${ids.private}`, VIEWPORTS[1]!);
    const { page, requests } = opened;
    await page.getByRole("heading", { name: "Event not found" }).waitFor({ timeout: WAIT_MS });
    t.is(await page.locator("video").count(), 0);
    t.false(requests.some((u) => /\/stream\/|\/hls\//.test(u)), "nothing of the video was fetched");
    await opened.close(t);

    const publicView = await fetch(`${site!.apiUrl}/events/${ids.private}`);
    t.is(publicView.status, 404, "no public view: no stream URL");
    const organizers = await api("GET", `/me/events/${ids.private}`);
    const real = new URL(organizers.video.streamUrl);
    const forged = real.pathname.replace(/\/stream\/(\d+)\.[^/]+\//, (_m, exp) => `/stream/${exp}.${"x".repeat(43)}/`);
    for (const path of [forged, real.pathname.replace(/\/stream\/[^/]+\//, "/stream/none/"), real.pathname.replace(ids.private, ids.ready)]) {
      const refused = await fetch(`${site!.apiUrl}${path}`, { headers: { origin: site!.siteUrl } });
      const text = await refused.text();
      t.is(refused.status, 403, `${path}: ${text}`);
      t.is(refused.headers.get("content-type"), "application/problem+json");
      t.false(/https?:\/\//.test(text), "no URL in the answer");
    }
    const allowed = await fetch(real, { headers: { origin: site!.siteUrl } });
    t.is(allowed.status, 200, "the organizer's own URL plays");
    t.is(allowed.headers.get("access-control-allow-origin"), site!.siteUrl, "readable by the site (CORS)");
  });

  test.serial("processing says so; a failed video says nothing to visitors and tells the organizer, whose Retry asks the API", async (t) => {
    const processing = await open(`/events/view?id=${ids.processing}`, VIEWPORTS[1]!);
    t.is(await processing.page.locator("#video-state").textContent({ timeout: WAIT_MS }), "Processing the video…");
    t.is(await processing.page.locator("video").count(), 0);
    await processing.close(t);

    const visitor = await open(`/events/view?id=${ids.failed}`, VIEWPORTS[0]!);
    await visitor.page.getByRole("heading", { name: "Film that failed" }).waitFor({ timeout: WAIT_MS });
    t.is(await visitor.page.locator("#video-state").count(), 0, "visitors are not told");
    t.false(/could not be processed/.test((await visitor.page.locator("main").textContent()) ?? ""));
    await visitor.close(t);

    // The organizer signs in through the stand-in's form, as a person does.
    const manage = await open(`/events/manage?id=${ids.failed}`, VIEWPORTS[0]!);
    const { page } = manage;
    await page.getByRole("button", { name: "Sign in" }).first().click();
    await page.waitForURL((url) => url.href.startsWith(`${site!.signInUrl}/oauth2/authorize`), { timeout: WAIT_MS });
    await page.getByLabel("Email").fill(organizer);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText(`Signed in as ${organizer}`).first().waitFor({ timeout: WAIT_MS });
    if (!new URL(page.url()).pathname.endsWith("/manage")) await page.goto(`${site!.siteUrl}/events/manage?id=${ids.failed}`);
    await page.locator("#video-state").waitFor({ timeout: WAIT_MS });
    t.regex((await page.locator("#video-state").textContent()) ?? "", /The video could not be processed\./);
    const sent = page.waitForRequest((r) => r.method() === "POST" && r.url() === `${site!.apiUrl}/events/${ids.failed}/video/retry`, { timeout: WAIT_MS });
    await page.getByRole("button", { name: "Retry" }).click();
    const request = await sent;
    t.regex((await request.allHeaders()).authorization ?? "", /^Bearer /, "signed in");
    // Until the pipeline's route is merged the API answers 404, and the page says the retry did not start.
    const answer = await request.response();
    if (answer?.status() === 404) t.true(await page.getByText(/The retry did not start/).waitFor({ timeout: WAIT_MS }).then(() => true, () => false), "a refused retry is said");
    await manage.close(t);
  });
}
