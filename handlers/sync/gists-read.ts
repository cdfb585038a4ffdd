// Kept hand-written (#17): the cookie lookup is 6 lines over API Gateway's already split `event.cookies` (payload 2.0); the `cookie` package parses a Cookie header string, which this handler never sees.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import { httpHandler, jsonResponse, validate, type HttpEvent, type HttpHandler, type HttpResult } from "../shared/http";
import { createObservability, type Observability } from "../shared/observability";
import { limitParam } from "../shared/paging";
import { HttpProblem } from "../shared/problem";
import type { GistItem } from "./gists-job";
import { GISTS_SESSION_COOKIE, gistsReadRouteKeys, type GistsReadOperation } from "./gists-routes";
import type { GistsReadEnv } from "./jobs/gists/functions";
import { RunStateStore } from "./run-state";
import { NewSessionBudget, SessionStore } from "./sessions";

export const GISTS_PAGE_DEFAULT = 50;
export const GISTS_PAGE_MAX = 100;

export interface GistsReadDeps {
  state: RunStateStore;
  sessions: SessionStore;
  obs: Observability;
  /** The users the sync scans now (its `users` setting). */
  users: string[];
  /** The sync's schedule expression (reported by `/users/current`). */
  schedule: string;
  sessionTtlSeconds: number;
  schemas: ReturnType<typeof gistsReadSchemas>;
  /** New sessions per client per minute (this instance). Default {@link NEW_SESSIONS_PER_MINUTE}. */
  newSessions?: NewSessionBudget;
  now?: () => Date;
}

/** A browser starts one session; a person on several devices a few. More is a script that drops cookies. */
export const NEW_SESSIONS_PER_MINUTE = 20;

/** Query shapes: only `/gists` takes a parameter; anything unknown is a 400. */
export function gistsReadSchemas() {
  return {
    NoQuery: z.strictObject({}),
    GistsQuery: z.strictObject({
      limit: limitParam(GISTS_PAGE_MAX, `At most this many gists, 1 to ${GISTS_PAGE_MAX} (default ${GISTS_PAGE_DEFAULT}); the rest come with the next call`),
    }),
  };
}

/** The read API's clients and settings, from its typed environment (handlers/sync/jobs/gists/functions.ts). */
export function gistsReadDeps(service: string, env: GistsReadEnv): GistsReadDeps {
  const db = new DynamoDBClient({});
  const sessionTtlSeconds = env.SESSION_TTL_DAYS * 24 * 3600;
  return {
    state: new RunStateStore(db, env.SYNC_STATE_TABLE, "gists"),
    sessions: new SessionStore(db, env.SESSIONS_TABLE, sessionTtlSeconds),
    obs: createObservability(service),
    users: env.GIST_USERS,
    schedule: env.SYNC_SCHEDULE,
    sessionTtlSeconds,
    schemas: gistsReadSchemas(),
  };
}

function cookie(event: HttpEvent, name: string): string | undefined {
  for (const pair of event.cookies ?? []) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * The gists sync's read API, one function for all its routes (they share clients and a cold start):
 * `/users/scanned`, `/users/current`, `/gists`, and their original paths. (`/health` is the API's
 * own, for every sync: handlers/health/api-health.ts.)
 */
export function gistsReadHandler(deps: GistsReadDeps): HttpHandler {
  const { state, sessions, obs, users, schedule, sessionTtlSeconds, schemas } = deps;
  const newSessions = deps.newSessions ?? new NewSessionBudget(NEW_SESSIONS_PER_MINUTE);
  const now = deps.now ?? (() => new Date());
  const operations = new Map(gistsReadRouteKeys().map((r) => [r.routeKey, r.operationId]));

  const handlers: Record<GistsReadOperation, (event: HttpEvent) => Promise<HttpResult>> = {
    async scannedUsers() {
      const sources = await state.sources("github:");
      const items = sources
        .map(({ name, state: s }) => ({ user: name.slice("github:".length), lastSuccess: s.lastSuccess ?? null, lastError: s.lastError ?? null, counts: s.counts ?? null }))
        .sort((a, b) => a.user.localeCompare(b.user));
      return jsonResponse(200, { items });
    },

    async currentUsers() {
      return jsonResponse(200, { items: users, schedule });
    },

    /**
     * Gists confirmed since this session's last call, oldest first. A request without a live
     * session cookie (none, unknown, malformed or expired) sees every gist synced so far, and a
     * session starts only when there is something to remember (it was shown at least one gist), in
     * one write, within the client's budget of new sessions. Each call renews the cookie.
     */
    async newGists(event) {
      const { limit = GISTS_PAGE_DEFAULT } = validate(schemas.GistsQuery, event.queryStringParameters ?? {}, "query");
      const at = now();
      const found = await sessions.find(cookie(event, GISTS_SESSION_COOKIE), at);
      const page = await state.confirmedAfter<GistItem>(found?.position, limit);
      const last = page.items.at(-1)?.position;
      let session = found;
      if (found) await sessions.advance(found, last, at);
      else if (last !== undefined && newSessions.take(event.requestContext?.http?.sourceIp ?? "unknown", at)) session = await sessions.create(at, last);
      const items = page.items.map(({ key, data, confirmedAt }) => ({
        id: key.replace(/^gist:/, ""),
        user: data.user,
        title: data.title,
        url: data.url,
        dealId: data.dealId ?? null,
        createdAt: data.createdAt,
        syncedAt: confirmedAt,
      }));
      const result = jsonResponse(200, { items, more: page.more });
      // SameSite=None + Partitioned (CHIPS): the website calls from its own origin (CloudFront), and
      // browsers that block third-party cookies still keep a partitioned one for that site.
      if (session) result.cookies = [`${GISTS_SESSION_COOKIE}=${session.id}; Max-Age=${sessionTtlSeconds}; Path=/; HttpOnly; Secure; SameSite=None; Partitioned`];
      return result;
    },
  };

  return httpHandler(obs, async (event) => {
    const operation = operations.get(event.routeKey);
    if (!operation) throw new HttpProblem("route-not-found", `No route ${event.routeKey}.`);
    if (operation !== "newGists") validate(schemas.NoQuery, event.queryStringParameters ?? {}, "query");
    return handlers[operation](event);
  });
}
