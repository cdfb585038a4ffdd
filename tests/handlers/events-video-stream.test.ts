// Playing an event's video (issue #19), in-process against DynamoDB Local and s3rver with a real
// HLS rendition made by ffmpeg: the views' `video` field (who gets a stream URL), the stream route
// (playlists rewritten: variants relative, segments presigned GETs that s3rver serves), and
// everyone else — no token, a malformed, forged, expired or foreign one, a stale rendition's, one
// signed with the RSVP key — gets a 403 problem+json with no URL in it.
import test from "ava";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PlaylistError, rewritePlaylist } from "../../handlers/events/hls-playlist";
import { organizerHandler } from "../../handlers/events/organizer";
import { publicEventsHandler } from "../../handlers/events/public-events";
import { rsvpDeps, rsvpHandler } from "../../handlers/events/rsvp";
import { signRsvpToken } from "../../handlers/events/rsvp-token";
import { eventsTable } from "../../handlers/events/tables";
import { deriveStreamKey, signStreamToken, STREAM_TOKEN_TTL_SECONDS } from "../../handlers/events/video-stream-token";
import { videoStreamDeps, videoStreamHandler } from "../../handlers/events/video-stream";
import type { HttpEvent } from "../../handlers/shared/http";
import { freshTable, useLocalEmulators } from "../harness/dynamodb";
import { makeHlsRendition, seedReadyRendition } from "../harness/hls-rendition";
import { apiEvent, parseResult } from "../harness/http";

const local = useLocalEmulators(test, { s3: true });

const RSVP_KEY = "rsvp-test-signing-key-0123456789";
const STREAM_KEY = deriveStreamKey(RSVP_KEY);
const API = "https://api.example.test";
const alice = { sub: randomUUID(), email: "alice@example.com" };
const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();
const STREAM_ROUTE = "GET /events/{id}/stream/{token}/{file}";
/** Made once: every test seeds its own copy. */
let hls: ReturnType<typeof makeHlsRendition>;
test.before(() => {
  hls = makeHlsRendition();
});

function request(method: string, path: string, routeKey: string, opts: { pathParameters?: Record<string, string>; body?: unknown; signedIn?: boolean } = {}): HttpEvent {
  const event = apiEvent(method, path, { routeKey, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}), ...(opts.pathParameters ? { pathParameters: opts.pathParameters } : {}) });
  if (opts.signedIn) (event.requestContext as any).authorizer = { jwt: { claims: { sub: alice.sub, email: alice.email, token_use: "id" }, scopes: null } };
  return event;
}

async function platform() {
  const table = await freshTable(local.ddb, eventsTable, "events");
  const bucket = `media-${randomUUID().slice(0, 8)}`;
  await local.s3.createBucket(bucket);
  const deps = rsvpDeps("test", { eventsTable: table, mediaBucket: bucket, rsvpKey: async () => RSVP_KEY, stream: { apiUrl: API, key: async () => STREAM_KEY } });
  const organizer = organizerHandler(deps);
  const pub = publicEventsHandler(deps);
  const rsvp = rsvpHandler(deps);
  const stream = videoStreamHandler(videoStreamDeps("test", { eventsTable: table, mediaBucket: bucket, key: async () => STREAM_KEY }));
  const organizerAs = { id: alice.sub, email: alice.email };
  return {
    deps,
    bucket,
    create: async (visibility: "public" | "private" = "public") => (await deps.store.create({ title: "Demo day", description: "", startsAt: inAWeek(), durationMinutes: 60, visibility }, organizerAs, new Date())).id,
    publish: (id: string) => deps.store.publish(id, organizerAs, new Date()),
    seed: (id: string) => seedReadyRendition(local.s3.client, bucket, deps.store, id, hls),
    myEvent: async (id: string) => parseResult(await organizer(request("GET", `/me/events/${id}`, "GET /me/events/{id}", { pathParameters: { id }, signedIn: true }))),
    publicEvent: async (id: string) => parseResult(await pub(request("GET", `/events/${id}`, "GET /events/{id}", { pathParameters: { id } }))),
    viewRsvp: async (token: string) => parseResult(await rsvp(request("GET", `/rsvp?token=${encodeURIComponent(token)}`, "GET /rsvp"))),
    /** The stream route for a path `/events/{id}/stream/{token}/{file}` (as API Gateway matches it). */
    stream: async (path: string) => {
      const [, , id, , token, file] = path.split("/");
      const result = await stream(request("GET", path, STREAM_ROUTE, { pathParameters: { id: id!, token: token!, file: file! } }));
      return { status: result.statusCode!, headers: result.headers as Record<string, string>, text: result.body ?? "" };
    },
    streamPathOf: (view: { video: { streamUrl: string } }) => {
      t_assertApi(view.video.streamUrl);
      return view.video.streamUrl.slice(API.length);
    },
  };
}
function t_assertApi(url: string) {
  if (!url.startsWith(`${API}/events/`)) throw new Error(`stream URL ${url} is not on the API`);
}

function assertRefused(t: any, res: { status: number; headers: Record<string, string>; text: string }, status: number, type: string, what: string) {
  t.is(res.status, status, `${what}: ${res.text}`);
  t.is(res.headers["content-type"], "application/problem+json", what);
  t.is(JSON.parse(res.text).type, `urn:switchyard:problem:${type}`, what);
  t.false(/https?:\/\//.test(res.text), `${what}: no URL in the answer`);
  t.false(res.text.includes("X-Amz-"), `${what}: no presigned URL`);
}

test("the organizer, the public and an invitee get the ready video: a presigned poster and a stream URL; the playlists come back rewritten and the segments play from S3", async (t) => {
  const p = await platform();
  const id = await p.create();
  const none = await p.myEvent(id);
  t.is(none.body.video, null, "no rendition: no video");
  await p.deps.store.invite(id, ["carol@example.com"], { id: alice.sub, email: alice.email }, new Date(), 500);
  const rendition = await p.seed(id);

  // The organizer sees the draft's video.
  const mine = await p.myEvent(id);
  t.is(mine.status, 200);
  t.is(mine.body.video.state, "ready");
  t.true(mine.body.video.streamUrl.startsWith(`${API}/events/${id}/stream/`), mine.body.video.streamUrl);
  t.true(mine.body.video.streamUrl.endsWith("/index.m3u8"));
  const poster = await fetch(mine.body.video.posterUrl);
  t.is(poster.status, 200);
  t.is(poster.headers.get("content-type"), "image/jpeg");
  t.deepEqual(Buffer.from(await poster.arrayBuffer()), readFileSync(join(hls.dir, "poster.jpg")));
  t.is(new URL(mine.body.video.posterUrl).pathname, `/${p.bucket}/${rendition.poster}`);

  // The master: its variants stay relative, to come back through the route with the same token.
  const masterPath = p.streamPathOf(mine.body);
  const master = await p.stream(masterPath);
  t.is(master.status, 200, master.text);
  t.is(master.headers["content-type"], "application/vnd.apple.mpegurl");
  t.regex(master.headers["cache-control"]!, /^private\b/);
  const variants = master.text.split("\n").filter((l) => l && !l.startsWith("#"));
  t.deepEqual(variants, ["v0.m3u8", "v1.m3u8"], "two variants, relative");
  t.true(master.text.includes("RESOLUTION=640x360") && master.text.includes("RESOLUTION=320x180"));

  // A variant: every segment an absolute presigned GET of that rendition's object, which S3 serves.
  const variantPath = masterPath.replace(/index\.m3u8$/, "v1.m3u8");
  const variant = await p.stream(variantPath);
  t.is(variant.status, 200, variant.text);
  const segments = variant.text.split("\n").filter((l) => l && !l.startsWith("#"));
  t.deepEqual(segments.map((s) => new URL(s).pathname), ["v1_000.ts", "v1_001.ts", "v1_002.ts"].map((f) => `/${p.bucket}/${rendition.playlist!.replace("index.m3u8", f)}`));
  for (const url of segments) {
    const u = new URL(url);
    t.is(u.origin, local.s3.endpoint.replace(/\/$/, ""));
    t.truthy(u.searchParams.get("X-Amz-Signature"));
    t.is(u.searchParams.get("X-Amz-Expires"), String(STREAM_TOKEN_TTL_SECONDS), "as long as a token lives");
  }
  const first = await fetch(segments[0]!);
  t.is(first.status, 200);
  t.is(first.headers.get("content-type"), "video/mp2t");
  t.deepEqual(Buffer.from(await first.arrayBuffer()), readFileSync(join(hls.dir, "v1_000.ts")));

  // Published and public: everyone's view has it; an invitee's (RSVP link) too.
  t.is((await p.publicEvent(id)).status, 404, "a draft is not public: no stream URL for strangers");
  await p.publish(id);
  const shown = await p.publicEvent(id);
  t.is(shown.body.video.state, "ready");
  t.is((await p.stream(p.streamPathOf(shown.body))).status, 200);
  const invitation = await p.deps.store.invitation(id, "carol@example.com");
  const viaLink = await p.viewRsvp(signRsvpToken({ eventId: id, email: "carol@example.com", answer: "yes", nonce: invitation!.nonce }, RSVP_KEY));
  t.is(viaLink.status, 200);
  t.is((await p.stream(p.streamPathOf(viaLink.body.event))).status, 200);
});

test("a stranger gets nothing: no, malformed, forged, expired, another event's, a replaced rendition's or an RSVP-key token is a 403 with no URL; only playlists of the rendition are served", async (t) => {
  const p = await platform();
  const id = await p.create("private");
  const other = await p.create("private");
  const rendition = await p.seed(id);
  await p.seed(other);
  const good = p.streamPathOf((await p.myEvent(id)).body);
  const token = good.split("/")[4]!;
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const otherToken = p.streamPathOf((await p.myEvent(other)).body).split("/")[4]!;
  const cases: [string, string][] = [
    ["no token", `/events/${id}/stream/-/index.m3u8`],
    ["a malformed token", `/events/${id}/stream/${token.slice(0, -1)}/index.m3u8`],
    ["a forged signature", `/events/${id}/stream/${exp}.${"A".repeat(43)}/index.m3u8`],
    ["a later expiry on a real signature", `/events/${id}/stream/${exp + 7200}.${token.split(".")[1]}/index.m3u8`],
    ["an expired token", `/events/${id}/stream/${signStreamToken({ eventId: id, source: rendition.source, expiresAt: Math.floor(Date.now() / 1000) - 1 }, STREAM_KEY)}/index.m3u8`],
    ["another event's token", `/events/${id}/stream/${otherToken}/index.m3u8`],
    ["a token for another source", `/events/${id}/stream/${signStreamToken({ eventId: id, source: `events/${id}/video/other`, expiresAt: exp }, STREAM_KEY)}/index.m3u8`],
    ["a token signed with the RSVP key", `/events/${id}/stream/${signStreamToken({ eventId: id, source: rendition.source, expiresAt: exp }, RSVP_KEY)}/index.m3u8`],
    ["a token for an event that does not exist", `/events/0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/stream/${token}/index.m3u8`],
  ];
  for (const [what, path] of cases) assertRefused(t, await p.stream(path), 403, "invalid-token", what);
  t.is((await p.stream(good)).status, 200, "the real one still works");

  // Only playlist files beside the master: no segments, no other folders, nothing missing.
  for (const file of ["v0_000.ts", "poster.jpg", "..%2Fvideo.m3u8", ".m3u8", "a/b.m3u8"]) assertRefused(t, await p.stream(`/events/${id}/stream/${token}/${file}`), 404, "not-found", file);
  assertRefused(t, await p.stream(`/events/${id}/stream/${token}/missing.m3u8`), 404, "not-found", "a playlist that does not exist");
  assertRefused(t, await p.stream(`/events/not-an-id/stream/${token}/index.m3u8`), 404, "not-found", "not an event id");

  // A new rendition (a new upload) ends the old one's tokens.
  await p.seed(id);
  assertRefused(t, await p.stream(good), 403, "invalid-token", "a replaced rendition's token");
});

test("processing and failed renditions: the state, no poster, no stream URL; the route refuses them", async (t) => {
  const p = await platform();
  const id = await p.create();
  const ready = await p.seed(id);
  const path = p.streamPathOf((await p.myEvent(id)).body);
  for (const state of ["processing", "failed"] as const) {
    await p.deps.store.setVideoRendition(id, { state, source: ready.source, jobId: "job-2", attempt: 2, at: new Date().toISOString(), ...(state === "failed" ? { error: "decode error" } : {}) });
    t.deepEqual((await p.myEvent(id)).body.video, { state, posterUrl: null, streamUrl: null });
    assertRefused(t, await p.stream(path), 403, "invalid-token", `a ${state} rendition`);
  }
});

test("the playlist rewrite: segment and map URIs presigned under the prefix, playlists kept; absolute, climbing or foreign-folder URIs refused", async (t) => {
  const presign = async (key: string) => `https://s3.example.test/${key}?sig`;
  const out = await rewritePlaylist('#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2,\nseg_1.m4s\n#EXT-X-MEDIA:TYPE=AUDIO,URI="audio.m3u8"\nsub/seg_2.m4s\n', "events/e/hls/u/", presign);
  t.is(out, '#EXTM3U\n#EXT-X-MAP:URI="https://s3.example.test/events/e/hls/u/init.mp4?sig"\n#EXTINF:2,\nhttps://s3.example.test/events/e/hls/u/seg_1.m4s?sig\n#EXT-X-MEDIA:TYPE=AUDIO,URI="audio.m3u8"\nhttps://s3.example.test/events/e/hls/u/sub/seg_2.m4s?sig\n');
  for (const bad of ["https://elsewhere.example/seg.ts", "/events/x/hls/u/seg.ts", "../other/seg.ts", "a/../../seg.ts", ".hidden.ts", "sub/v.m3u8", "seg.ts?x=1"]) {
    await t.throwsAsync(rewritePlaylist(`#EXTM3U\n${bad}\n`, "events/e/hls/u/", presign), { instanceOf: PlaylistError }, bad);
  }
  await t.throwsAsync(rewritePlaylist("<html>", "events/e/hls/u/", presign), { instanceOf: PlaylistError });
});
