// docs/openapi.json as a contract, checked over HTTP against local mode: for every documented
// operation, requests generated from its parameter and body schemas (valid and invalid, with valid,
// missing and bad credentials), and every answer checked against the operation's documented
// responses: the status is listed, the content type and body are the documented ones, errors are
// problem+json, nothing is a 5xx, and what the document calls invalid gets a 4xx.
import test from "ava";
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signCalendlyBody } from "../../handlers/webhooks/calendly";
import { LOCAL_REPLAY_TOKEN, LOCAL_SIGNING_KEY } from "../../local/webhooks";
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

  // Things that exist, so valid requests reach more than 404s.
  const messages = [await json("POST", "/messages", { message: "contract" }), await json("POST", "/messages", { message: "test" })].map((m) => m.id as string);
  const booking = newBooking();
  const delivery = JSON.stringify(inviteeEvent("invitee.created", booking));
  await fetch(`${api}/webhooks/calendly`, { method: "POST", headers: { "content-type": "application/json", "calendly-webhook-signature": signCalendlyBody(delivery, LOCAL_SIGNING_KEY, Math.floor(Date.now() / 1000)) }, body: delivery });
  const startsAt = () => new Date(Date.now() + 30 * 24 * 3600_000).toISOString();
  const events: string[] = [];
  for (const visibility of ["public", "private", "public"]) {
    const created = await json("POST", "/events", { title: `Contract ${visibility}`, startsAt: startsAt(), durationMinutes: 60, visibility }, organizer);
    events.push(created.id);
  }
  await json("POST", `/events/${events[0]}/publish`, {}, organizer);

  const eventId = { "path:id": fc.constantFrom(...events) };
  hints = {
    getMessage: { "path:id": fc.constantFrom(...messages) },
    meetingEvents: { "path:id": fc.constant(booking.meetingId) },
    receive_calendly_webhook: { body: fc.tuple(fc.uuid(), fc.uuid(), fc.constantFrom("invitee.created" as const, "invitee.canceled" as const)).map(([meetingId, inviteeId, type]) => inviteeEvent(type, { meetingId, inviteeId })) },
    ...Object.fromEntries(["getPublicEvent", "updateEvent", "getMyEvent", "publishEvent", "cancelEvent", "inviteToEvent", "listInvitations", "requestMediaUpload"].map((op) => [op, eventId])),
  };
  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
  // The authorizer takes the token alone or after "Bearer " (as API Gateway does), so a bare token is not bad.
  const tampered = `${organizer.slice(0, -4)}AAAA`;
  const now = () => Math.floor(Date.now() / 1000);
  credentials = {
    cognitoIdToken: {
      valid: () => fc.constantFrom(organizer, stranger).map(bearer),
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
  };
});

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
      const requests = operationRequests(doc, method, path, { credentials, hints: hints[operation.operationId], isValid: validator.isValid });
      await fc.assert(
        fc.asyncProperty(requests, async (request) => {
          const answer = await send(request);
          const problems = answerProblems(doc, method, path, answer, validator, notProblems);
          if (answer.status >= 500) problems.push("a 5xx");
          if (request.invalid && answer.status < 400) problems.push(`an invalid request was accepted with ${answer.status}`);
          if (problems.length) throw new Error(`${name}: ${problems.join("; ")}\n${describe(request, answer)}`);
        }),
        { ...propertyParameters(RUNS), includeErrorInReport: true },
      );
      t.pass();
    });
  }
}
