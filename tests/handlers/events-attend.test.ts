// Where to attend and changing an answer (issue #18), through the handlers on DynamoDB Local and
// s3rver, with the asynchronous tier wired as local mode wires it (stream → fan-out → queue with
// SQS semantics → idempotent notify → outbox): who sees the join link (a table over every view
// and mail), answers changed any number of times with confirmedCount kept exact under races, the
// "you're in" mail once per yes-answer, and the join link's validation.
import test from "ava";
import { DynamoDBClient, ScanCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { ANSWER_HISTORY_MAX, EventStore } from "../../handlers/events/event-store";
import { eventsFanoutHandler } from "../../handlers/events/fanout";
import { visibleJoinUrl, type JoinLinkViewer } from "../../handlers/events/join-link";
import { parseMime } from "../../handlers/events/mail/parse-mime";
import { outboxSender } from "../../handlers/events/mail/outbox";
import { MediaStore } from "../../handlers/events/media";
import type { NotificationJob } from "../../handlers/events/notification-job";
import { notifyDeps, notifyHandler } from "../../handlers/events/notify";
import { organizerHandler } from "../../handlers/events/organizer";
import { publicEventsHandler } from "../../handlers/events/public-events";
import { rsvpDeps, rsvpHandler } from "../../handlers/events/rsvp";
import { signRsvpToken, verifyRsvpToken } from "../../handlers/events/rsvp-token";
import { eventsTable, notificationsSentTable } from "../../handlers/events/tables";
import type { HttpEvent } from "../../handlers/shared/http";
import { createObservability } from "../../handlers/shared/observability";
import { startStreamPoller } from "../../local/emulators/dynamodb-stream-poller";
import { createLocalQueue } from "../../local/emulators/job-queue";
import { freshTable, useLocalEmulators } from "../harness/dynamodb";
import { apiEvent, parseResult } from "../harness/http";

const local = useLocalEmulators(test, { s3: true });

const KEY = "attend-test-rsvp-signing-key-0123";
const olga = { sub: randomUUID(), email: "olga@example.com" };
const JOIN = "https://meet.example.com/room-42?pwd=abc";
const DAY = 86_400_000;
const startIn = (days: number) => new Date(Date.now() + days * DAY).toISOString();

type User = { sub: string; email: string };

function request(method: string, path: string, opts: { routeKey: string; body?: unknown; user?: User; id?: string }): HttpEvent {
  const event = apiEvent(method, path, { routeKey: opts.routeKey, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}), ...(opts.id ? { pathParameters: { id: opts.id } } : {}) });
  if (opts.user) (event.requestContext as any).authorizer = { jwt: { claims: { sub: opts.user.sub, email: opts.user.email, token_use: "id" }, scopes: null } };
  return event;
}

interface Mail {
  to: string;
  subject: string;
  key: string;
  text: string;
  html: string;
}

/** The handlers, and (with `async`) the stream, queue and notify writing mails to an outbox folder. */
async function platform(t: { teardown(fn: () => Promise<void>): void }, options: { async?: boolean } = {}) {
  const table = await freshTable(local.ddb, eventsTable, "attend");
  const bucket = `media-${randomUUID().slice(0, 8)}`;
  await local.s3.createBucket(bucket);
  const deps = rsvpDeps("test", { eventsTable: table, mediaBucket: bucket, rsvpKey: async () => KEY });
  let clock = () => new Date();
  deps.now = () => clock();
  const organizer = organizerHandler(deps);
  const pub = publicEventsHandler(deps);
  const rsvp = rsvpHandler(deps);
  const call = async (h: typeof organizer, e: HttpEvent) => parseResult(await h(e));
  const dir = mkdtempSync(join(tmpdir(), "attend-outbox-"));
  let idle = async () => {};
  let queueSend: (jobs: NotificationJob[]) => Promise<void> = async () => {};
  if (options.async) {
    const sentTable = await freshTable(local.ddb, notificationsSentTable, "attend-sent");
    const notify = notifyHandler(notifyDeps("events-notify", { eventsTable: table, sentTable, siteUrl: "https://site.example", rsvpKey: async () => KEY, from: "Events <events@example.com>" }, outboxSender(dir)));
    const queue = createLocalQueue<NotificationJob>({ name: "notifications", consumer: notify, visibilityTimeoutMs: 4000, maxReceiveCount: 5 });
    const store = new EventStore(new DynamoDBClient({}), table);
    const fanout = eventsFanoutHandler({ store, media: new MediaStore(new S3Client({ forcePathStyle: true }), bucket), queue: queue.jobQueue, reminders: { upsert: async () => {}, remove: async () => {} }, obs: createObservability("events-fanout") });
    const poller = await startStreamPoller({ client: local.ddb.client, endpoint: local.ddb.endpoint, tableName: table, handler: fanout, pollIntervalMs: 50 });
    idle = async () => (await poller.idle(), await queue.drained());
    queueSend = (jobs) => queue.send(jobs);
    t.teardown(async () => (await poller.stop(), await queue.close()));
  }
  return {
    deps,
    table,
    /** Moves the handlers' clock (answers close at the start). */
    setClock: (at: () => Date) => void (clock = at),
    idle,
    queueSend,
    create: (body: unknown) => call(organizer, request("POST", "/events", { routeKey: "POST /events", body, user: olga })),
    update: (id: string, body: unknown) => call(organizer, request("PATCH", `/events/${id}`, { routeKey: "PATCH /events/{id}", id, body, user: olga })),
    publish: (id: string) => call(organizer, request("POST", `/events/${id}/publish`, { routeKey: "POST /events/{id}/publish", id, user: olga })),
    cancel: (id: string) => call(organizer, request("POST", `/events/${id}/cancel`, { routeKey: "POST /events/{id}/cancel", id, user: olga })),
    invite: (id: string, emails: string[]) => call(organizer, request("POST", `/events/${id}/invitations`, { routeKey: "POST /events/{id}/invitations", id, body: { emails }, user: olga })),
    invitations: (id: string) => call(organizer, request("GET", `/events/${id}/invitations`, { routeKey: "GET /events/{id}/invitations", id, user: olga })),
    mine: () => call(organizer, request("GET", "/me/events", { routeKey: "GET /me/events", user: olga })),
    myEvent: (id: string) => call(organizer, request("GET", `/me/events/${id}`, { routeKey: "GET /me/events/{id}", id, user: olga })),
    publicList: () => call(pub, request("GET", "/events", { routeKey: "GET /events" })),
    publicEvent: (id: string) => call(pub, request("GET", `/events/${id}`, { routeKey: "GET /events/{id}", id })),
    viewRsvp: (token: string) => call(rsvp, request("GET", `/rsvp?token=${encodeURIComponent(token)}`, { routeKey: "GET /rsvp" })),
    answer: (token: string, answer?: "yes" | "no") => call(rsvp, request("POST", "/rsvp", { routeKey: "POST /rsvp", body: { token, ...(answer ? { answer } : {}) } })),
    token: async (eventId: string, email: string, answer: "yes" | "no") => signRsvpToken({ eventId, email, answer, nonce: (await deps.store.invitation(eventId, email))!.nonce }, KEY),
    snapshot: async () => JSON.stringify(((await local.ddb.client.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? []).sort((a, b) => `${a.pk!.S}${a.sk!.S}`.localeCompare(`${b.pk!.S}${b.sk!.S}`))),
    mails: (): Promise<Mail[]> =>
      Promise.all(
        readdirSync(dir)
          .filter((f) => f.endsWith(".eml"))
          .map(async (f) => {
            const mime = await parseMime(readFileSync(join(dir, f)));
            return { to: mime.headers.to!, subject: mime.headers.subject!, key: mime.headers["x-switchyard-notification"]!, text: mime.text ?? "", html: mime.html ?? "" };
          }),
      ),
  };
}

const event = (over: Record<string, unknown> = {}) => ({ title: "Launch party", description: "Cake online", startsAt: startIn(7), durationMinutes: 60, visibility: "public", ...over });
const shows = (body: unknown, url = JOIN) => JSON.stringify(body).includes(JSON.stringify(url).slice(1, -1));

test("visibleJoinUrl: the organizer always, an invitee only while yes on a published event, the public never", (t) => {
  const viewers: [string, JoinLinkViewer][] = [
    ["public", { role: "public" }],
    ["organizer", { role: "organizer" }],
    ["invitee pending", { role: "invitee", answer: "pending" }],
    ["invitee yes", { role: "invitee", answer: "yes" }],
    ["invitee no", { role: "invitee", answer: "no" }],
  ];
  const expected: Record<string, Record<string, boolean>> = {
    draft: { public: false, organizer: true, "invitee pending": false, "invitee yes": false, "invitee no": false },
    published: { public: false, organizer: true, "invitee pending": false, "invitee yes": true, "invitee no": false },
    canceled: { public: false, organizer: true, "invitee pending": false, "invitee yes": false, "invitee no": false },
  };
  for (const status of ["draft", "published", "canceled"] as const) {
    for (const [name, viewer] of viewers) {
      t.is(visibleJoinUrl({ status, joinUrl: JOIN }, viewer), expected[status]![name] ? JOIN : null, `${status} / ${name}`);
      t.is(visibleJoinUrl({ status }, viewer), null, `${status} / ${name} without a link`);
    }
  }
});

test("who sees the join link, through every view and mail: the organizer and confirmed invitees only", async (t) => {
  const p = await platform(t, { async: true });
  const id = (await p.create(event({ joinUrl: JOIN }))).body.id as string;
  await p.invite(id, ["ann@example.com", "ben@example.com", "cid@example.com"]);
  t.is((await p.publish(id)).status, 200);
  await p.idle();
  const tokens = Object.fromEntries(
    await Promise.all(["ann", "ben", "cid"].flatMap((n) => (["yes", "no"] as const).map(async (a) => [`${n}-${a}`, await p.token(id, `${n}@example.com`, a)] as const))),
  );
  const annYes = await p.answer(tokens["ann-yes"]!);
  const benNo = await p.answer(tokens["ben-no"]!);
  await p.queueSend([{ kind: "reminder", eventId: id, recipient: olga.email }]);
  await p.idle();
  const mails = await p.mails();
  const mail = (to: string, kind: string) => mails.filter((m) => m.to === to && m.key.includes(`#${kind}`));

  const rows: [string, () => Promise<unknown>, boolean][] = [
    ["public list GET /events", async () => (await p.publicList()).body, false],
    ["public event GET /events/{id}", async () => (await p.publicEvent(id)).body, false],
    ["organizer GET /me/events/{id}", async () => (await p.myEvent(id)).body, true],
    ["invitee pending, GET /rsvp (yes link)", async () => (await p.viewRsvp(tokens["cid-yes"]!)).body, false],
    ["invitee pending, GET /rsvp (no link)", async () => (await p.viewRsvp(tokens["cid-no"]!)).body, false],
    ["invitee yes, GET /rsvp (yes link)", async () => (await p.viewRsvp(tokens["ann-yes"]!)).body, true],
    ["invitee yes, GET /rsvp (no link)", async () => (await p.viewRsvp(tokens["ann-no"]!)).body, true],
    ["invitee no, GET /rsvp (yes link)", async () => (await p.viewRsvp(tokens["ben-yes"]!)).body, false],
    ["invitee no, GET /rsvp (no link)", async () => (await p.viewRsvp(tokens["ben-no"]!)).body, false],
    ["POST /rsvp answering yes", async () => annYes.body, true],
    ["POST /rsvp answering no", async () => benNo.body, false],
    ["invitation mails (everyone)", async () => mails.filter((m) => m.key.endsWith("#invitation")), false],
    ["confirmation mail (ann, yes)", async () => mail("ann@example.com", "confirmation"), true],
    ["organizer's one-hour digest", async () => mail(olga.email, "reminder"), true],
  ];
  for (const [who, read, sees] of rows) t.is(shows(await read()), sees, who);
  // Guard the table itself: the mails it reads exist.
  t.is(mails.filter((m) => m.key.endsWith("#invitation")).length, 3);
  t.is(mail("ann@example.com", "confirmation").length, 1);
  t.is(mail(olga.email, "reminder").length, 1);
  t.deepEqual(mails.filter((m) => m.key.includes("#confirmation")).map((m) => m.to), ["ann@example.com"], "no confirmation for no or pending");
  t.is((await p.myEvent(id)).body.joinUrl, JOIN);
  t.false("joinUrl" in (await p.publicEvent(id)).body, "the public view has no such field at all");

  // Changing to no hides it again; canceling hides it from everyone but the organizer.
  t.is((await p.answer(tokens["ann-yes"]!, "no")).body.joinUrl, null);
  t.false(shows((await p.viewRsvp(tokens["ann-yes"]!)).body), "invitee who changed to no");
  await p.answer(tokens["ann-yes"]!, "yes");
  t.true(shows((await p.viewRsvp(tokens["ann-yes"]!)).body));
  await p.cancel(id);
  await p.idle();
  const cancellations = (await p.mails()).filter((m) => m.key.endsWith("#cancellation"));
  t.is(cancellations.length, 2, "ann (yes) and cid (pending); ben declined");
  t.false(shows(cancellations), "cancellation mails, the yes invitee's included");
  t.false(shows((await p.viewRsvp(tokens["ann-yes"]!)).body), "a canceled event has nowhere to go");
  t.true(shows((await p.myEvent(id)).body), "the organizer still sees it");
});

test("answers change any number of times until the start: yes → no → yes, each recorded; the current answer again changes nothing; after the start 409", async (t) => {
  const p = await platform(t);
  const id = (await p.create(event())).body.id as string;
  await p.invite(id, ["ann@example.com", "ben@example.com"]);
  await p.publish(id);
  const yes = await p.token(id, "ann@example.com", "yes");
  const no = await p.token(id, "ann@example.com", "no");

  t.like((await p.answer(yes)).body, { status: "yes", changed: true });
  t.is((await p.myEvent(id)).body.confirmedCount, 1);
  t.is((await p.publicEvent(id)).body.confirmedCount, 1, "the public view has the count");
  const before = await p.snapshot();
  const again = await p.answer(yes);
  t.is(again.status, 200);
  t.like(again.body, { status: "yes", changed: false });
  t.is(await p.snapshot(), before, "no record, no count, nothing written");

  t.like((await p.answer(no)).body, { status: "no", changed: true });
  t.is((await p.myEvent(id)).body.confirmedCount, 0);
  t.like((await p.answer(no, "yes")).body, { status: "yes", changed: true }, "the no link can answer yes");
  t.is((await p.myEvent(id)).body.confirmedCount, 1);
  // pending → no leaves the count alone.
  t.like((await p.answer(await p.token(id, "ben@example.com", "no"))).body, { status: "no", changed: true });
  t.is((await p.myEvent(id)).body.confirmedCount, 1);

  const list = (await p.invitations(id)).body;
  const ann = list.items.find((i: any) => i.email === "ann@example.com");
  t.deepEqual(ann.history.map((h: any) => h.answer), ["yes", "no", "yes"], "the organizer sees each change");
  t.is(ann.answerChanges, 3);
  t.true(ann.history.every((h: any, i: number, all: any[]) => i === 0 || h.at >= all[i - 1].at));
  t.deepEqual(list.counts, { yes: 1, no: 1, pending: 0, undeliverable: 0 });

  // A bad answer field is a 400 that changes nothing.
  const snapshot = await p.snapshot();
  const bad = await p.answer(yes, "maybe" as never);
  t.is(bad.status, 400);
  t.is(bad.body.type, "urn:switchyard:problem:validation-failed");
  t.is(await p.snapshot(), snapshot);

  // At the start answers close, the current one included.
  const startsAt = Date.parse((await p.myEvent(id)).body.startsAt);
  p.setClock(() => new Date(startsAt + 60_000));
  for (const [token, answer] of [[no, undefined], [yes, undefined], [yes, "no"]] as const) {
    const closed = await p.answer(token, answer);
    t.is(closed.status, 409);
    t.is(closed.body.type, "urn:switchyard:problem:event-closed");
  }
  const view = (await p.viewRsvp(no)).body;
  t.like(view, { current: "yes", open: false });
  t.is(await p.snapshot(), snapshot, "nothing changed after the start");
});

test("racing changes keep confirmedCount exact: many invitees at once, and both links of one invitee at once", async (t) => {
  const p = await platform(t);
  const id = (await p.create(event())).body.id as string;
  const emails = Array.from({ length: 8 }, (_, i) => `guest${i}@example.com`);
  await p.invite(id, emails);
  await p.publish(id);
  const tokens = await Promise.all(emails.map(async (e) => ({ yes: await p.token(id, e, "yes"), no: await p.token(id, e, "no") })));
  // Everyone says yes at once, each twice (a double click).
  const first = await Promise.all(tokens.flatMap((k) => [p.answer(k.yes), p.answer(k.yes)]));
  t.deepEqual([...new Set(first.map((r) => r.status))], [200], JSON.stringify(first.find((r) => r.status !== 200)?.body));
  t.is(first.filter((r) => r.body.changed).length, emails.length, "one change per invitee");
  t.is((await p.myEvent(id)).body.confirmedCount, emails.length);
  // Then each sends yes and no at the same moment, three times over: whatever wins, the count
  // must equal the yes answers.
  for (let round = 0; round < 3; round++) {
    const results = await Promise.all(tokens.flatMap((k) => [p.answer(k.no), p.answer(k.yes), p.answer(k.no)]));
    t.deepEqual([...new Set(results.map((r) => r.status))], [200]);
    const list = (await p.invitations(id)).body;
    t.is((await p.myEvent(id)).body.confirmedCount, list.counts.yes, `round ${round}`);
    for (const i of list.items) t.is(i.answerChanges, i.history.length, "each change recorded once");
  }
});

test("the answer history keeps the latest 50; the change count keeps counting", async (t) => {
  const p = await platform(t);
  const id = (await p.create(event())).body.id as string;
  await p.invite(id, ["ann@example.com"]);
  await p.publish(id);
  const { nonce } = (await p.deps.store.invitation(id, "ann@example.com"))!;
  const changes = ANSWER_HISTORY_MAX + 3;
  for (let i = 0; i < changes; i++) await p.deps.store.answer(id, "ann@example.com", i % 2 ? "no" : "yes", nonce, new Date());
  const ann = (await p.invitations(id)).body.items[0];
  t.is(ann.history.length, ANSWER_HISTORY_MAX);
  t.is(ann.answerChanges, changes);
  t.is(ann.history.at(-1).answer, changes % 2 ? "yes" : "no");
  t.is((await p.myEvent(id)).body.confirmedCount, ann.status === "yes" ? 1 : 0);
});

test("the join link: https only, bounded, no credentials; set on create or PATCH, removed by null; bad values change nothing", async (t) => {
  const p = await platform(t);
  const created = await p.create(event({ joinUrl: JOIN }));
  t.is(created.status, 201);
  t.is(created.body.joinUrl, JOIN);
  const id = created.body.id as string;
  const bad: [unknown, string][] = [
    ["http://meet.example.com/x", "plain http"],
    ["https://user:secret@meet.example.com/x", "credentials"],
    ["https://user@meet.example.com/x", "a user name"],
    ["https://meet.example.com/a b", "a space"],
    ["javascript:alert(1)", "a script"],
    ["meet.example.com/x", "not absolute"],
    [`https://meet.example.com/${"a".repeat(2048)}`, "too long"],
    ["https://localhost/x", "not a domain name"],
    ["", "empty"],
    [42, "not a string"],
  ];
  const before = await p.snapshot();
  for (const [joinUrl, why] of bad) {
    for (const res of [await p.update(id, { joinUrl }), await p.create(event({ joinUrl }))]) {
      t.is(res.status, 400, why);
      t.is(res.headers["content-type"], "application/problem+json");
      t.true(res.body.errors.some((e: any) => e.pointer === "#/joinUrl"), `${why}: ${JSON.stringify(res.body.errors)}`);
    }
  }
  t.is(await p.snapshot(), before, "refused join links wrote nothing");

  const moved = await p.update(id, { joinUrl: "https://video.example.org/Room-7" });
  t.is(moved.body.joinUrl, "https://video.example.org/Room-7");
  const removed = await p.update(id, { joinUrl: null });
  t.is(removed.status, 200);
  t.is(removed.body.joinUrl, null);
  t.is((await p.deps.store.get(id))!.joinUrl, undefined, "null removes the attribute");
  t.is((await p.create(event({ joinUrl: null }))).status, 400, "create takes a link or nothing");
  t.is((await p.create(event())).body.joinUrl, null);
});

test("the \"you're in\" mail: once per yes-answer (yes → no → yes mails twice, a replayed job never), only while still yes; without a link it says one will follow", async (t) => {
  const p = await platform(t, { async: true });
  const id = (await p.create(event())).body.id as string;
  await p.invite(id, ["ann@example.com", "ben@example.com"]);
  await p.publish(id);
  await p.idle();
  const yes = await p.token(id, "ann@example.com", "yes");
  const invitation = (await p.mails()).find((m) => m.to === "ann@example.com" && m.key.endsWith("#invitation"))!;
  t.regex(invitation.text, /change your answer with either link, as often as you like, until the event starts/);

  await p.answer(yes);
  await p.idle();
  let confirmations = (await p.mails()).filter((m) => m.key.includes("#confirmation"));
  t.deepEqual(confirmations.map((m) => [m.to, m.key, m.subject]), [["ann@example.com", `${id}#ann@example.com#confirmation#1`, "You're in: Launch party"]]);
  t.regex(confirmations[0]!.text, /has not set the link to join yet: it will follow by mail/);
  const change = confirmations[0]!.text.match(/https:\/\/site\.example\/events\/rsvp\?token=(\S+)/)![1]!;
  t.like(verifyRsvpToken(change, KEY), { eventId: id, email: "ann@example.com", answer: "no" }, "the mail's link changes the answer to no");

  // The same answer again: no change, no stream record, no mail.
  await p.answer(yes);
  await p.idle();
  t.is((await p.mails()).filter((m) => m.key.includes("#confirmation")).length, 1);

  // The organizer sets the link; ann changes her mind twice: a second yes, a second mail, with the link.
  await p.update(id, { joinUrl: JOIN });
  await p.answer(change);
  await p.idle();
  await p.answer(yes);
  await p.idle();
  confirmations = (await p.mails()).filter((m) => m.key.includes("#confirmation"));
  t.deepEqual(confirmations.map((m) => m.key).sort(), [`${id}#ann@example.com#confirmation#1`, `${id}#ann@example.com#confirmation#3`]);
  const second = confirmations.find((m) => m.key.endsWith("#3"))!;
  t.true(second.text.includes(JOIN));
  t.true(second.html.includes(`href="${JOIN}"`), "a link in the HTML part too");

  // Replayed jobs (a retried stream batch) send nothing more; a job for a yes that is no longer
  // current (ben said no) sends nothing.
  await p.queueSend([
    { kind: "confirmation", eventId: id, recipient: "ann@example.com", answerSeq: 1 },
    { kind: "confirmation", eventId: id, recipient: "ann@example.com", answerSeq: 3 },
  ]);
  await p.answer(await p.token(id, "ben@example.com", "no"));
  await p.idle();
  await p.queueSend([{ kind: "confirmation", eventId: id, recipient: "ben@example.com", answerSeq: 1 }]);
  await p.idle();
  t.is((await p.mails()).filter((m) => m.key.includes("#confirmation")).length, 2);
  t.false((await p.mails()).some((m) => m.to === "ben@example.com" && m.key.includes("#confirmation")));
});

test("a yes recorded before confirmedCount existed: changing it to no leaves the count at 0, never below", async (t) => {
  const p = await platform(t);
  const id = (await p.create(event())).body.id as string;
  await p.invite(id, ["old@example.com", "new@example.com"]);
  await p.publish(id);
  // As an answer written by the earlier code: status yes, no answerSeq, no count on the event.
  await local.ddb.client.send(new UpdateItemCommand({ TableName: p.table, Key: { pk: { S: id }, sk: { S: "invitee#old@example.com" } }, UpdateExpression: "SET #s = :yes", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":yes": { S: "yes" } } }));
  t.like((await p.answer(await p.token(id, "old@example.com", "no"))).body, { status: "no", changed: true });
  t.is((await p.myEvent(id)).body.confirmedCount, 0);
  t.like((await p.answer(await p.token(id, "new@example.com", "yes"))).body, { status: "yes", changed: true });
  t.like((await p.answer(await p.token(id, "old@example.com", "yes"))).body, { status: "yes", changed: true });
  t.is((await p.myEvent(id)).body.confirmedCount, 2, "counted from here on");
  t.like((await p.answer(await p.token(id, "old@example.com", "no"))).body, { status: "no", changed: true });
  t.is((await p.myEvent(id)).body.confirmedCount, 1);
});
