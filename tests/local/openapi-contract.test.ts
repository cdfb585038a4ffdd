// docs/openapi.json as a contract, checked over HTTP against local mode: for every documented
// operation, requests generated from its parameter and body schemas (valid and invalid, with valid,
// missing and bad credentials), and every answer checked against the operation's documented
// responses: the status is listed, the content type and body are the documented ones, errors are
// problem+json, nothing is a 5xx, and what the document calls invalid gets a 4xx.
import test from "ava";
import fc from "fast-check";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EVENT_CATEGORIES } from "../../handlers/events/categories";
import { parseMime } from "../../handlers/events/mail/parse-mime";
import { MEDIA_KINDS, MEDIA_LIMITS } from "../../handlers/events/schemas";
import { PAGE_MAX_LIMIT } from "../../handlers/shared/paging";
import { signCalendlyBody } from "../../handlers/webhooks/calendly";
import { LOCAL_REPLAY_TOKEN, LOCAL_SIGNING_KEY } from "../../local/webhooks";
import { signStripeBody } from "../../handlers/webhooks/stripe";
import { LOCAL_STRIPE_WEBHOOK_SECRET } from "../../local/stripe";
import { OPENAPI_FILE } from "../../scripts/openapi";
import { propertyParameters } from "../harness/arbitraries";
import { inviteeEvent, newBooking } from "../harness/calendly";
import { startDownstream, type TestDownstream } from "../harness/downstream";
import { startLocalMode, stopLocalMode, type LocalMode } from "../harness/local-mode";
import { answerProblems, schemaValidator, type Answer } from "../harness/openapi-answers";
import { operationRequests, type Credentials, type GeneratedRequest, type Hints, type OpenApiDocument } from "../harness/openapi-requests";
import { freeLocalModePort } from "../harness/ports";

const RUNS = 30;
const doc = JSON.parse(readFileSync(OPENAPI_FILE, "utf8")) as OpenApiDocument;
const validator = schemaValidator(doc);
/** Documented error answers API Gateway writes itself (its JWT authorizer), in its own JSON shape. */
const GATEWAY_ANSWERS = ["401"];

let mode: LocalMode | undefined;
let downstream: TestDownstream | undefined;
let dataDir = "";
let api = "";
let hints: Record<string, Hints> = {};
let credentials: Record<string, Credentials> = {};

async function send(request: GeneratedRequest): Promise<Answer> {
  const response = await fetch(`${api}${request.url}`, { method: request.method, headers: request.headers, body: request.body, redirect: "manual", signal: AbortSignal.timeout(10_000) });
  return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() };
}

async function json(method: string, path: string, body: unknown, token?: string) {
  const response = await fetch(`${api}${path}`, { method, headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, any>;
}

test.before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "switchyard-contract-"));
  downstream = await startDownstream();
  const port = await freeLocalModePort();
  // FORWARD_URL: the replay route exists only with forwarding on.
  mode = await startLocalMode({ PORT: String(port), SWITCHYARD_LOCAL_DIR: dataDir, FORWARD_URL: downstream.url });
  api = mode.outputs.apiUrl!;
  const signIn = mode.outputs.eventsSignInUrl ?? `http://127.0.0.1:${port + 3}`;
  const token = async (email: string) => {
    const response = await fetch(`${signIn}/_local/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email }) });
    return ((await response.json()) as { id_token: string }).id_token;
  };
  const organizer = await token("organizer@example.com");
  const stranger = await token("stranger@example.com");

  // Things that exist, so valid requests reach more than 404s: messages, two meetings (one with two
  // events), five events (one published), and a real cursor for every list.
  const messages = [await json("POST", "/messages", { message: "contract" }), await json("POST", "/messages", { message: "test" })].map((m) => m.id as string);
  const booking = newBooking();
  for (const [type, b] of [["invitee.created", booking], ["invitee.canceled", booking], ["invitee.created", newBooking()]] as const) {
    const delivery = JSON.stringify(inviteeEvent(type, b));
    await fetch(`${api}/webhooks/calendly`, { method: "POST", headers: { "content-type": "application/json", "calendly-webhook-signature": signCalendlyBody(delivery, LOCAL_SIGNING_KEY, Math.floor(Date.now() / 1000)) }, body: delivery });
  }
  const startsAt = () => new Date(Date.now() + 30 * 24 * 3600_000).toISOString();
  const events: string[] = [];
  for (const visibility of ["public", "private", "public", "public", "private"]) {
    const created = await json("POST", "/events", { title: `Contract ${visibility}`, startsAt: startsAt(), durationMinutes: 60, visibility }, organizer);
    events.push(created.id);
  }
  for (const id of [events[0], events[3]]) await json("POST", `/events/${id}/publish`, {}, organizer);
  const rsvpTokens = await invitationTokens(events[0]!, organizer);
  // A monthly series, so GET /me/series/{id} has one to show.
  const series = (await json("POST", "/events", { title: "Contract series", startsAt: startsAt(), durationMinutes: 60, recurrence: { frequency: "monthly", by: "dayOfMonth", timeZone: "Europe/Berlin", count: 2 } }, organizer)).series.id as string;
  // An event whose uploaded video failed to transcode (not a video at all), so the retry route has one to retry:
  // local mode's MediaConvert stand-in says when the job ended (its status handler records it right after).
  const videoEvent = (await json("POST", "/events", { title: "Contract video", startsAt: startsAt(), durationMinutes: 60 }, organizer)).id as string;
  const garbage = "not a video, so the transcoding fails";
  const ticket = await json("POST", `/events/${videoEvent}/media`, { kind: "video", contentType: "video/mp4", size: garbage.length }, organizer);
  await fetch(ticket.url, { method: "PUT", headers: ticket.headers, body: garbage });
  for (const deadline = Date.now() + 60_000; !/mediaconvert \(ffmpeg\): job \S+ ERROR/.test(mode.output()); await new Promise((r) => setTimeout(r, 200))) {
    if (Date.now() > deadline) throw new Error("the video's transcoding never ended");
  }
  await new Promise((r) => setTimeout(r, 1000));
  // An event whose video is ready (a real clip, transcoded by local mode's ffmpeg), so the stream route has playlists to serve.
  const clip = join(dataDir, "contract.mp4");
  execFileSync("/usr/bin/ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip]);
  const playable = (await json("POST", "/events", { title: "Contract stream", startsAt: startsAt(), durationMinutes: 60 }, organizer)).id as string;
  const bytes = readFileSync(clip);
  const clipTicket = await json("POST", `/events/${playable}/media`, { kind: "video", contentType: "video/mp4", size: bytes.length }, organizer);
  await fetch(clipTicket.url, { method: "PUT", headers: clipTicket.headers, body: bytes });
  let streamUrl = "";
  for (const deadline = Date.now() + 90_000; !streamUrl; await new Promise((r) => setTimeout(r, 300))) {
    if (Date.now() > deadline) throw new Error("the contract clip never became ready");
    streamUrl = ((await json("GET", `/me/events/${playable}`, undefined, organizer)) as { video?: { streamUrl?: string | null } }).video?.streamUrl ?? "";
  }
  const [, , , streamToken, streamFile] = new URL(streamUrl).pathname.split("/").slice(1);
  /** A first page's nextCursor (meetings are projected from the stream, so they may take a moment). */
  const cursorOf = async (path: string, token?: string) => {
    for (const deadline = Date.now() + 15_000; ; await new Promise((r) => setTimeout(r, 200))) {
      const page = (await (await fetch(`${api}${path}?limit=1`, { headers: token ? { authorization: `Bearer ${token}` } : {} })).json()) as { nextCursor?: string | null };
      if (page.nextCursor) return { "query:cursor": fc.constant(page.nextCursor) };
      if (Date.now() > deadline) throw new Error(`${path} has no second page`);
    }
  };

  // The last two are the cancel route's own: the others stay open for invitations and uploads.
  const eventId = { "path:id": fc.constantFrom(...events.slice(0, 3)) };
  // `limit`'s range (1 to 100) is in its description only: the zod schema turns text into a number.
  const limit = { "query:limit": fc.integer({ min: 1, max: PAGE_MAX_LIMIT }).map(String) };
  // A range must end after it starts (a rule across two parameters): "after"s in the past, "before"s ahead.
  const day = 86_400_000;
  const daysFromNow = (min: number, max: number) => fc.integer({ min, max }).map((d) => new Date(Date.now() + d * day).toISOString());
  const discoveryRanges = {
    "query:createdAfter": daysFromNow(-400, -1),
    "query:createdBefore": daysFromNow(1, 400),
    "query:startsAfter": daysFromNow(-400, -1),
    "query:startsBefore": daysFromNow(1, 400),
    "query:minConfirmed": fc.integer({ min: 0, max: 3 }).map(String),
    // A search sends many filters at once here: plain words, so some searches succeed.
    "query:q": fc.constantFrom("contract", "public", "c"),
  };
  // Which content types and sizes a kind takes is a rule across fields the schema cannot state.
  const media = fc.constantFrom(...MEDIA_KINDS).chain((kind) => fc.record({ kind: fc.constant(kind), contentType: fc.constantFrom(...MEDIA_LIMITS[kind].contentTypes), size: fc.integer({ min: 1, max: MEDIA_LIMITS[kind].maxBytes }) }));
  hints = {
    countOrListMessages: { ...limit, ...(await cursorOf("/messages")) },
    listMeetings: { ...limit, ...(await cursorOf("/meetings")) },
    meetingEvents: { ...limit, ...(await cursorOf(`/meetings/${booking.meetingId}/events`)), "path:id": fc.constant(booking.meetingId) },
    newGists: limit,
    newGistsOriginal: limit,
    // A cursor goes on only with the search it came from (another search's cursor is a 400): whole parameter sets.
    listPublicEvents: {
      ...limit,
      ...discoveryRanges,
      params: fc.oneof(
        fc.record({ limit: limit["query:limit"], cursor: (await cursorOf("/events"))["query:cursor"]! }),
        fc.record(
          { limit: limit["query:limit"], createdAfter: discoveryRanges["query:createdAfter"], startsBefore: discoveryRanges["query:startsBefore"], q: discoveryRanges["query:q"], sort: fc.constantFrom("published", "created", "start", "popularity"), category: fc.constantFrom("talk", "meetup", "other") },
          { requiredKeys: [] },
        ),
      ),
    },
    listMyEvents: { ...limit, ...(await cursorOf("/me/events", organizer)) },
    getMessage: { "path:id": fc.constantFrom(...messages) },
    receive_calendly_webhook: { body: fc.tuple(fc.uuid(), fc.uuid(), fc.constantFrom("invitee.created" as const, "invitee.canceled" as const)).map(([meetingId, inviteeId, type]) => inviteeEvent(type, { meetingId, inviteeId })) },
    ...Object.fromEntries(["getPublicEvent", "updateEvent", "getMyEvent", "publishEvent", "inviteToEvent", "listInvitations"].map((op) => [op, eventId])),
    // Rules the document cannot state (a start in the future, an https join link): edits that keep them.
    updateEvent: {
      ...eventId,
      body: fc.record(
        {
          title: fc.constantFrom("Contract event, edited", "Renamed"),
          startsAt: fc.integer({ min: 1, max: 200 }).map((days) => new Date(Date.now() + days * day).toISOString()),
          durationMinutes: fc.integer({ min: 5, max: 1440 }),
          category: fc.constantFrom(...EVENT_CATEGORIES),
          joinUrl: fc.constantFrom("https://meet.example.com/contract", null),
        },
        { requiredKeys: ["title"] },
      ),
    },
    requestMediaUpload: { ...eventId, body: media },
    cancelEvent: { "path:id": fc.constantFrom(...events.slice(3)) },
    retryVideoTranscode: { "path:id": fc.constant(videoEvent) },
    streamVideoPlaylist: { "path:id": fc.constant(playable), "path:token": fc.constant(streamToken!), "path:file": fc.constant(streamFile!) },
    getMySeries: { "path:id": fc.constant(series) },
    // The schema's rules across fields (until or count; a start in the future) are not in the document: valid events, some repeating.
    createEvent: {
      body: fc.record({
        title: fc.constantFrom("Contract event", "Monthly contract"),
        startsAt: fc.integer({ min: 1, max: 200 }).map((days) => new Date(Date.now() + days * 24 * 3600_000).toISOString()),
        durationMinutes: fc.integer({ min: 5, max: 1440 }),
        recurrence: fc.option(fc.record({ frequency: fc.constant("monthly"), by: fc.constantFrom("weekday", "dayOfMonth"), timeZone: fc.constantFrom("Europe/Berlin", "America/New_York", "UTC"), count: fc.integer({ min: 1, max: 4 }) }), { nil: undefined }),
      }),
    },
    viewInvitation: { "query:token": fc.constantFrom(...rsvpTokens) },
    answerInvitation: { body: fc.constantFrom(...rsvpTokens).map((token) => ({ token })) },
  };
  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
  // The authorizer takes the token alone or after "Bearer " (as API Gateway does), so a bare token is not bad.
  const tampered = `${organizer.slice(0, -4)}AAAA`;
  const now = () => Math.floor(Date.now() / 1000);
  credentials = {
    cognitoIdToken: {
      // Mostly the organizer of the hinted events (their success path), sometimes someone else (403).
      valid: () => fc.oneof({ weight: 3, arbitrary: fc.constant(organizer) }, { weight: 1, arbitrary: fc.constant(stranger) }).map(bearer),
      bad: () => fc.constantFrom(bearer("not-a-jwt"), bearer(tampered), bearer(""), { authorization: "Basic b3JnYW5pemVy" }),
    },
    replayToken: {
      valid: () => fc.constant(bearer(LOCAL_REPLAY_TOKEN)),
      bad: () => fc.constantFrom(bearer("wrong-token"), { authorization: LOCAL_REPLAY_TOKEN }, bearer(`${LOCAL_REPLAY_TOKEN}x`)),
    },
    calendlySignature: {
      valid: (body) => fc.constant(null).map(() => ({ "calendly-webhook-signature": signCalendlyBody(body, LOCAL_SIGNING_KEY, now()) })),
      bad: (body) =>
        fc.constantFrom("wrong key", "stale", "other body", "malformed").map((how) => ({
          "calendly-webhook-signature":
            how === "wrong key" ? signCalendlyBody(body, "not-the-key", now()) : how === "stale" ? signCalendlyBody(body, LOCAL_SIGNING_KEY, now() - 3600) : how === "other body" ? signCalendlyBody(`${body} `, LOCAL_SIGNING_KEY, now()) : "t=now,v1=",
        })),
    },
    stripeSignature: {
      valid: (body) => fc.constant(null).map(() => ({ "stripe-signature": signStripeBody(body, LOCAL_STRIPE_WEBHOOK_SECRET, now()) })),
      bad: (body) =>
        fc.constantFrom("wrong key", "stale", "future", "other body", "v0 only").map((how) => ({
          "stripe-signature":
            how === "wrong key"
              ? signStripeBody(body, "whsec_not_the_secret", now())
              : how === "stale"
                ? signStripeBody(body, LOCAL_STRIPE_WEBHOOK_SECRET, now() - 3600)
                : how === "future"
                  ? signStripeBody(body, LOCAL_STRIPE_WEBHOOK_SECRET, now() + 3600)
                  : how === "other body"
                    ? signStripeBody(`${body} `, LOCAL_STRIPE_WEBHOOK_SECRET, now())
                    : signStripeBody(body, LOCAL_STRIPE_WEBHOOK_SECRET, now()).replace("v1=", "v0="),
        })),
    },
  };
});

/** Invites two people to a published event and reads their yes/no links' tokens from local mode's outbox. */
async function invitationTokens(eventId: string, organizer: string): Promise<string[]> {
  await json("POST", `/events/${eventId}/invitations`, { emails: ["ada@example.org", "grace@example.org"] }, organizer);
  const outbox = join(dataDir, "outbox");
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const files = existsSync(outbox) ? readdirSync(outbox).filter((f) => f.endsWith(".eml")) : [];
    const texts = await Promise.all(files.map(async (f) => (await parseMime(readFileSync(join(outbox, f)))).text ?? ""));
    const tokens = texts.flatMap((text) => [...text.matchAll(/\/events\/rsvp\?token=([^\s&]+)/g)].map((m) => decodeURIComponent(m[1]!)));
    if (tokens.length >= 4) return tokens;
  }
  throw new Error(`no invitation mails in ${outbox}`);
}

test.after.always(async () => {
  if (mode) await stopLocalMode(mode);
  await downstream?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const describe = (request: GeneratedRequest, answer: Answer) =>
  `request: ${request.method} ${request.url}${request.invalid ? ` (invalid: ${request.invalid})` : " (valid)"}\n  headers: ${JSON.stringify(Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, v.length > 60 ? `${v.slice(0, 60)}…` : v])))}\n  body: ${request.body?.slice(0, 600) ?? "(none)"}\nanswer: ${answer.status} ${answer.contentType}\n  ${answer.body.slice(0, 600)}`;

for (const [path, operations] of Object.entries(doc.paths)) {
  for (const [method, operation] of Object.entries(operations)) {
    const name = `${method.toUpperCase()} ${path}`;
    test.serial(`${name} (${operation.operationId}) answers as the document says, for valid and invalid requests`, async (t) => {
      const notProblems = operation.security?.some((s) => "cognitoIdToken" in s) ? GATEWAY_ANSWERS : [];
      const seen = new Map<number, number>();
      const requests = operationRequests(doc, method, path, { credentials, hints: hints[operation.operationId], isValid: validator.isValid });
      await fc.assert(
        fc.asyncProperty(requests, async (request) => {
          const answer = await send(request);
          seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
          if (process.env.DEBUG_CONTRACT && !request.invalid && answer.status >= 400) t.log(describe(request, answer));
          const problems = answerProblems(doc, method, path, answer, validator, notProblems);
          if (answer.status >= 500) problems.push("a 5xx");
          if (request.invalid && answer.status < 400) problems.push(`an invalid request was accepted with ${answer.status}`);
          if (problems.length) throw new Error(`${name}: ${problems.join("; ")}\n${describe(request, answer)}`);
        }),
        { ...propertyParameters(RUNS), includeErrorInReport: true },
      );
      const tally = [...seen].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(" ");
      t.log(tally);
      // The valid requests reach the handler's success path, not only its refusals.
      t.true([...seen.keys()].some((status) => status < 300), `no 2xx answer: ${tally}`);
    });
  }
}
