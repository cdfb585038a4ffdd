// A local stand-in for Badgr (Canvas Credentials; see /work/shared/contracts.md, "Badgr"): the
// password grant at POST /o/token (form body only), bearer-token reads of an issuer's badge
// classes and assertions in the { status, result } envelope, revoked/expired assertions left
// out unless asked for, and cursor pages with a Link header only when `num` is passed.
// Host-neutral: point the client's configurable Badgr host at `url`.
import { randomBytes } from "node:crypto";
import { bearer, decodeCursor, encodeCursor, json, startStandIn, type HandledRequest, type Reply, type StandIn } from "./http";

export interface BadgeClass {
  entityId: string;
  entityType: "BadgeClass";
  openBadgeId: string;
  createdAt: string;
  issuer: string;
  issuerOpenBadgeId: string;
  name: string;
  image: string;
  description: string;
  criteriaUrl: string | null;
  criteriaNarrative: string | null;
  tags: string[];
  /** How long awarded badges last, or null for never. */
  expires: { amount: number; duration: "days" | "weeks" | "months" | "years" } | null;
}

export interface Recipient {
  identity: string;
  hashed: boolean;
  type: "email" | "url" | "telephone" | "openBadgeId";
  plaintextIdentity: string | null;
}

export interface Assertion {
  entityId: string;
  entityType: "Assertion";
  openBadgeId: string;
  createdAt: string;
  badgeclass: string;
  badgeclassOpenBadgeId: string;
  issuer: string;
  issuerOpenBadgeId: string;
  image: string;
  recipient: Recipient;
  issuedOn: string;
  narrative: string | null;
  evidence: { url?: string; narrative?: string }[];
  revoked: boolean;
  revocationReason: string | null;
  /** ISO time after which the assertion is expired, or null. */
  expires: string | null;
}

export type BadgeClassInput = Partial<Omit<BadgeClass, "issuer">>;
export type AssertionInput = Partial<Omit<Assertion, "recipient" | "badgeclass" | "issuer">> & { recipient?: Partial<Recipient> };

export interface BadgrStandInOptions {
  port?: number;
  /** The account the password grant accepts. Defaults "user@example.com" / "secret". */
  username?: string;
  password?: string;
  /** `expires_in` of issued access tokens; a token older than this answers 401. Default 86400. */
  tokenTtlSeconds?: number;
}

export interface BadgrStandIn extends StandIn {
  /** Makes an issuer known (with no badge classes yet); returns its entityId. */
  addIssuer(entityId?: string): string;
  /** Adds a badge class to `issuer` (created if new), filling ids and defaults. */
  addBadgeClass(issuer: string, partial?: BadgeClassInput): BadgeClass;
  /** Awards the badge class `badgeclassEntityId`, filling ids and defaults. */
  addAssertion(badgeclassEntityId: string, partial?: AssertionInput): Assertion;
  badgeClasses(): BadgeClass[];
  assertions(): Assertion[];
  /** Every access token issued so far answers 401 from now on (refresh tokens still work). */
  expireTokens(): void;
}

const MAX_NUM = 500;
const SCOPES = ["rw:issuer", "rw:profile", "rw:backpack", "r:profile", "r:backpack", "rw:serverAdmin"];

const entityId = () => randomBytes(16).toString("base64url"); // 22 characters, like Badgr's
const envelope = (status: number, success: boolean, description: string, result: unknown[] = [], headers?: Record<string, string>): Reply =>
  json(status, { status: { success, description }, result }, headers);
const oauthError = (status: number, error: string, description: string): Reply => json(status, { error, error_description: description });

export async function startBadgrStandIn(options: BadgrStandInOptions = {}): Promise<BadgrStandIn> {
  const username = options.username ?? "user@example.com";
  const password = options.password ?? "secret";
  const ttl = options.tokenTtlSeconds ?? 86_400;
  const issuers = new Set<string>();
  const badgeClasses: BadgeClass[] = [];
  const assertions: Assertion[] = [];
  const accessTokens = new Map<string, { expiresAt: number; scope: string }>();
  const refreshTokens = new Map<string, string>(); // refresh token → scope
  let url = "";

  function issueTokens(scope: string): Reply {
    const access = randomBytes(20).toString("hex");
    const refresh = randomBytes(20).toString("hex");
    accessTokens.set(access, { expiresAt: Date.now() + ttl * 1000, scope });
    refreshTokens.set(refresh, scope);
    return json(200, { access_token: access, token_type: "Bearer", expires_in: ttl, refresh_token: refresh, scope }, { "cache-control": "no-store" });
  }

  function token(req: HandledRequest): Reply {
    if (req.method !== "POST") return json(405, { detail: `Method "${req.method}" not allowed.` });
    // Badgr refuses credentials in the URL, even alongside a proper body.
    if ([...req.params.keys()].length) return oauthError(400, "invalid_request", "URL query parameters are not allowed");
    if (!/application\/x-www-form-urlencoded/i.test(req.headers["content-type"] ?? "")) {
      return oauthError(400, "invalid_request", "The token request must be an application/x-www-form-urlencoded body");
    }
    const form = req.body as Record<string, string | string[]> | undefined;
    const field = (name: string) => (typeof form?.[name] === "string" ? form[name] : undefined);
    if (field("client_id") !== "public") return oauthError(401, "invalid_client", "Unknown client_id; use client_id=public");
    switch (field("grant_type")) {
      case "password": {
        const scope = field("scope") ?? "rw:issuer";
        const unknown = scope.split(" ").filter((s) => s && !SCOPES.includes(s));
        if (unknown.length) return oauthError(400, "invalid_scope", `Unknown scope(s): ${unknown.join(" ")}`);
        if (field("username") !== username || field("password") !== password) return oauthError(401, "invalid_grant", "Invalid credentials given.");
        return issueTokens(scope);
      }
      case "refresh_token": {
        const refresh = field("refresh_token") ?? "";
        const scope = refreshTokens.get(refresh);
        if (scope === undefined) return oauthError(401, "invalid_grant", "Invalid refresh token");
        refreshTokens.delete(refresh); // rotated, as django-oauth-toolkit does
        return issueTokens(scope);
      }
      case undefined:
        return oauthError(400, "invalid_request", "Request is missing grant_type parameter.");
      default:
        return oauthError(400, "unsupported_grant_type", `Unsupported grant_type ${field("grant_type")}`);
    }
  }

  /** One response of `items` (in insertion order): all of them, or a page of `num` with a Link to the next. */
  function listing(req: HandledRequest, items: { item: object; index: number }[]): Reply {
    const numText = req.params.get("num");
    const num = numText === null ? undefined : Number(numText);
    if (num !== undefined && (!Number.isInteger(num) || num < 1 || num > MAX_NUM)) return envelope(400, false, `num must be an integer from 1 to ${MAX_NUM}`);
    const cursor = req.params.get("cursor");
    let after = -1;
    if (cursor) {
      const decoded = decodeCursor(cursor)?.after;
      if (typeof decoded !== "number") return envelope(400, false, "Invalid cursor");
      after = decoded;
    }
    const remaining = items.filter((i) => i.index > after);
    const page = num === undefined ? remaining : remaining.slice(0, num);
    const headers: Record<string, string> = {};
    if (page.length < remaining.length) {
      const next = new URLSearchParams(req.params);
      next.set("cursor", encodeCursor({ after: page[page.length - 1]!.index }));
      headers.link = `<${req.origin}${req.path}?${next}>; rel="next"`;
    }
    return envelope(200, true, "ok", page.map((p) => p.item), headers);
  }

  function assertionListing(req: HandledRequest, keep: (a: Assertion) => boolean): Reply {
    const includeRevoked = req.params.get("include_revoked") === "true";
    const includeExpired = req.params.get("include_expired") === "true";
    const at = Date.now();
    const items = assertions
      .map((item, index) => ({ item, index }))
      .filter(({ item }) => keep(item) && (includeRevoked || !item.revoked) && (includeExpired || item.expires === null || Date.parse(item.expires) > at));
    return listing(req, items);
  }

  function route(req: HandledRequest): Reply {
    const path = req.path.replace(/\/+$/, "");
    if (path === "/o/token") return token(req);
    const access = accessTokens.get(bearer(req.headers) ?? "");
    if (!access || access.expiresAt <= Date.now()) {
      return envelope(401, false, "Authentication credentials were not provided or have expired.", [], { "www-authenticate": 'Bearer realm="api"' });
    }
    if (req.method !== "GET") return envelope(405, false, `Method "${req.method}" not allowed.`);
    const m = /^\/v2\/(issuers|badgeclasses)\/([^/]+)\/(badgeclasses|assertions)$/.exec(path);
    if (!m || (m[1] === "badgeclasses" && m[3] === "badgeclasses")) return envelope(404, false, "Not found.");
    if (!access.scope.split(" ").some((s) => s === "rw:issuer" || s === "rw:serverAdmin")) {
      return envelope(403, false, "The token's scope does not include rw:issuer.");
    }
    const id = decodeURIComponent(m[2]!);
    if (m[1] === "issuers") {
      if (!issuers.has(id)) return envelope(404, false, `Issuer ${id} not found.`);
      if (m[3] === "badgeclasses") return listing(req, badgeClasses.map((item, index) => ({ item, index })).filter(({ item }) => item.issuer === id));
      return assertionListing(req, (a) => a.issuer === id);
    }
    if (!badgeClasses.some((b) => b.entityId === id)) return envelope(404, false, `BadgeClass ${id} not found.`);
    return assertionListing(req, (a) => a.badgeclass === id);
  }

  const standIn = await startStandIn("badgr", options.port, route);
  url = standIn.url;

  return {
    ...standIn,
    addIssuer(id = entityId()) {
      issuers.add(id);
      return id;
    },
    addBadgeClass(issuer, partial = {}) {
      issuers.add(issuer);
      const id = partial.entityId ?? entityId();
      const badgeClass: BadgeClass = {
        entityType: "BadgeClass",
        openBadgeId: `${url}/public/badges/${id}`,
        createdAt: new Date().toISOString(),
        issuerOpenBadgeId: `${url}/public/issuers/${issuer}`,
        name: `Badge ${badgeClasses.length + 1}`,
        image: `${url}/public/badges/${id}/image`,
        description: "",
        criteriaUrl: null,
        criteriaNarrative: null,
        tags: [],
        expires: null,
        ...structuredClone(partial),
        entityId: id,
        issuer,
      };
      badgeClasses.push(badgeClass);
      return structuredClone(badgeClass);
    },
    addAssertion(badgeclassEntityId, partial = {}) {
      const badgeClass = badgeClasses.find((b) => b.entityId === badgeclassEntityId);
      if (!badgeClass) throw new Error(`addAssertion: no badge class ${badgeclassEntityId}; add it with addBadgeClass first`);
      const id = partial.entityId ?? entityId();
      const { recipient: recipientInput, ...rest } = structuredClone(partial);
      const identity = recipientInput?.identity ?? `recipient${assertions.length + 1}@example.com`;
      const hashed = recipientInput?.hashed ?? false;
      const assertion: Assertion = {
        entityType: "Assertion",
        openBadgeId: `${url}/public/assertions/${id}`,
        createdAt: new Date().toISOString(),
        badgeclassOpenBadgeId: badgeClass.openBadgeId,
        issuerOpenBadgeId: badgeClass.issuerOpenBadgeId,
        image: `${url}/public/assertions/${id}/image`,
        issuedOn: new Date().toISOString(),
        narrative: null,
        evidence: [],
        revoked: false,
        revocationReason: null,
        expires: null,
        ...rest,
        entityId: id,
        badgeclass: badgeClass.entityId,
        issuer: badgeClass.issuer,
        recipient: {
          identity,
          hashed,
          type: recipientInput?.type ?? "email",
          plaintextIdentity: recipientInput?.plaintextIdentity !== undefined ? recipientInput.plaintextIdentity : hashed ? null : identity,
        },
      };
      assertions.push(assertion);
      return structuredClone(assertion);
    },
    badgeClasses: () => structuredClone(badgeClasses),
    assertions: () => structuredClone(assertions),
    expireTokens() {
      for (const t of accessTokens.values()) t.expiresAt = 0;
    },
  };
}
