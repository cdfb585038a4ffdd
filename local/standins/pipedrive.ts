// A local stand-in for Pipedrive's API v2 (see /work/shared/contracts.md, "Pipedrive"): token
// auth, the { success, data, additional_data } envelope, organizations, persons and deals,
// cursor pagination, exact-match search over a search index that may lag behind the database
// (`searchLagMs`: listings see a new record at once, search only after the lag), and a burst
// window answering 429 with Retry-After.
import { bearer, decodeCursor, encodeCursor, json, startStandIn, type HandledRequest, type Reply, type StandIn } from "./http";

export interface PipedriveOrganization {
  id: number;
  name: string;
  owner_id: number;
  add_time: string;
  update_time: string;
}

export interface PipedriveEmail {
  value: string;
  primary: boolean;
  label: string;
}

export interface PipedrivePerson {
  id: number;
  name: string;
  org_id: number | null;
  emails: PipedriveEmail[];
  owner_id: number;
  add_time: string;
  update_time: string;
}

export type DealStatus = "open" | "won" | "lost";

export interface PipedriveDeal {
  id: number;
  title: string;
  person_id: number | null;
  org_id: number | null;
  value: number;
  currency: string;
  status: DealStatus;
  owner_id: number;
  pipeline_id: number;
  stage_id: number;
  custom_fields: Record<string, unknown>;
  add_time: string;
  update_time: string;
}

export interface PipedriveStandInOptions {
  port?: number;
  /** The token `x-api-token` (or `Authorization: Bearer`) must carry. Default "test-token". */
  token?: string;
  /** At most `requests` per rolling `windowMs`; more get 429 with `Retry-After` (seconds). Default: no limit. */
  burst?: { requests: number; windowMs: number };
  /** Currency of deals created without one. Default "USD". */
  defaultCurrency?: string;
  /** How long a new organization or deal stays invisible to search (Pipedrive indexes asynchronously). Default 0. */
  searchLagMs?: number;
}

export interface PipedriveStandIn extends StandIn {
  /** Changes the search index's lag from now on (records already made keep their creation time). */
  setSearchLag(ms: number): void;
  organizations(): PipedriveOrganization[];
  persons(): PipedrivePerson[];
  deals(): PipedriveDeal[];
}

const OWNER_ID = 1;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;
const DEAL_STATUSES: readonly string[] = ["open", "won", "lost"];
const DEAL_SEARCH_FIELDS = ["title", "notes", "custom_fields"];
const ORGANIZATION_SEARCH_FIELDS = ["name", "address", "notes", "custom_fields"];

const fail = (status: number, error: string, headers?: Record<string, string>): Reply => json(status, { success: false, error }, headers);
const ok = (data: unknown, nextCursor?: string | null): Reply =>
  json(200, nextCursor === undefined ? { success: true, data } : { success: true, data, additional_data: { next_cursor: nextCursor } });
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** One page of `items` by `cursor` and `limit` (1..500, default 100), or a 400. */
function page<T>(items: T[], params: URLSearchParams): { items: T[]; next: string | null } | Reply {
  const limitText = params.get("limit");
  const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return fail(400, `limit must be an integer from 1 to ${MAX_LIMIT}`);
  let start = 0;
  const cursor = params.get("cursor");
  if (cursor) {
    const offset = decodeCursor(cursor)?.offset;
    if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) return fail(400, "Invalid cursor");
    start = offset;
  }
  const end = start + limit;
  return { items: items.slice(start, end), next: end < items.length ? encodeCursor({ offset: end }) : null };
}

/** The search fields asked for (`fields=a,b`), all of `allowed` by default, or a 400. */
function searchFields(params: URLSearchParams, allowed: string[]): string[] | Reply {
  const text = params.get("fields");
  if (!text) return allowed;
  const fields = text.split(",").map((f) => f.trim()).filter(Boolean);
  const unknown = fields.filter((f) => !allowed.includes(f));
  return unknown.length ? fail(400, `Unknown search field(s): ${unknown.join(", ")}; allowed: ${allowed.join(", ")}`) : fields;
}

/** The search term, or a 400: at least 2 characters, or 1 with exact_match. */
function searchTerm(params: URLSearchParams): { term: string; exact: boolean } | Reply {
  const term = (params.get("term") ?? "").trim();
  const exact = params.get("exact_match") === "true";
  return term.length < (exact ? 1 : 2) ? fail(400, `term must be at least ${exact ? 1 : 2} character(s) long`) : { term, exact };
}

/**
 * How well `value` matches: 1 for the whole value (exact_match, not case sensitive as Pipedrive
 * documents it), the matched share of it for a substring match when not exact, 0 for none.
 */
function score(value: unknown, term: string, exact: boolean): number {
  if (value === null || value === undefined || typeof value === "object") return 0;
  const text = String(value).toLowerCase();
  const t = term.toLowerCase();
  if (text === t) return 1;
  return !exact && text.includes(t) ? t.length / text.length : 0;
}

const customFieldValues = (fields: Record<string, unknown>) => Object.values(fields).flatMap((v) => (Array.isArray(v) ? v : [v]));

export async function startPipedriveStandIn(options: PipedriveStandInOptions = {}): Promise<PipedriveStandIn> {
  const token = options.token ?? "test-token";
  const currency = options.defaultCurrency ?? "USD";
  const organizations: PipedriveOrganization[] = [];
  const persons: PipedrivePerson[] = [];
  const deals: PipedriveDeal[] = [];
  const ids = { organization: 0, person: 0, deal: 0 };
  let searchLagMs = options.searchLagMs ?? 0;
  // When each record was made (ms): search sees it only once the lag has passed.
  const madeAt = new WeakMap<object, number>();
  const indexed = (record: object) => (madeAt.get(record) ?? 0) <= Date.now() - searchLagMs;
  const recent: number[] = []; // arrival times of requests inside the burst window

  function overBurst(): Reply | undefined {
    if (!options.burst) return undefined;
    const { requests, windowMs } = options.burst;
    const at = Date.now();
    while (recent.length && recent[0]! <= at - windowMs) recent.shift();
    if (recent.length >= requests) {
      const seconds = Math.max(1, Math.ceil((recent[0]! + windowMs - at) / 1000));
      return fail(429, "Too many requests", { "retry-after": String(seconds) });
    }
    recent.push(at);
    return undefined;
  }

  /** Validates the deal fields present in `body`; `creating` requires a title. */
  function dealFields(body: Record<string, unknown>, creating: boolean): Partial<PipedriveDeal> | Reply {
    const fields: Partial<PipedriveDeal> = {};
    if (body.title !== undefined || creating) {
      if (typeof body.title !== "string" || !body.title.trim()) return fail(400, "title is required");
      fields.title = body.title;
    }
    if (body.person_id !== undefined && body.person_id !== null) {
      if (!isId(body.person_id) || !persons.some((p) => p.id === body.person_id)) return fail(400, `Person ${String(body.person_id)} not found`);
    }
    if (body.person_id !== undefined) fields.person_id = body.person_id as number | null;
    if (body.org_id !== undefined && body.org_id !== null) {
      if (!isId(body.org_id) || !organizations.some((o) => o.id === body.org_id)) return fail(400, `Organization ${String(body.org_id)} not found`);
    }
    if (body.org_id !== undefined) fields.org_id = body.org_id as number | null;
    if (body.value !== undefined) {
      if (typeof body.value !== "number" || !Number.isFinite(body.value)) return fail(400, "value must be a number");
      fields.value = body.value;
    }
    if (body.currency !== undefined) {
      if (typeof body.currency !== "string" || !/^[A-Z]{3}$/.test(body.currency)) return fail(400, "currency must be a 3-letter code");
      fields.currency = body.currency;
    }
    if (body.status !== undefined) {
      if (typeof body.status !== "string" || !DEAL_STATUSES.includes(body.status)) return fail(400, `status must be one of ${DEAL_STATUSES.join(", ")}`);
      fields.status = body.status as DealStatus;
    }
    if (body.custom_fields !== undefined) {
      if (!isObject(body.custom_fields)) return fail(400, "custom_fields must be an object");
      fields.custom_fields = { ...body.custom_fields };
    }
    return fields;
  }

  function createOrganization(body: Record<string, unknown>): Reply {
    if (typeof body.name !== "string" || !body.name.trim()) return fail(400, "name is required");
    const at = now();
    const organization: PipedriveOrganization = { id: ++ids.organization, name: body.name, owner_id: OWNER_ID, add_time: at, update_time: at };
    organizations.push(organization);
    madeAt.set(organization, Date.now());
    return ok(organization);
  }

  function createPerson(body: Record<string, unknown>): Reply {
    if (typeof body.name !== "string" || !body.name.trim()) return fail(400, "name is required");
    if (body.org_id !== undefined && body.org_id !== null && (!isId(body.org_id) || !organizations.some((o) => o.id === body.org_id))) {
      return fail(400, `Organization ${String(body.org_id)} not found`);
    }
    const emails: PipedriveEmail[] = [];
    if (body.emails !== undefined) {
      if (!Array.isArray(body.emails)) return fail(400, "emails must be an array of { value, primary?, label? }");
      for (const [i, email] of body.emails.entries()) {
        if (!isObject(email) || typeof email.value !== "string") return fail(400, `emails[${i}] must be { value, primary?, label? }`);
        emails.push({ value: email.value, primary: typeof email.primary === "boolean" ? email.primary : i === 0, label: typeof email.label === "string" ? email.label : "work" });
      }
    }
    const at = now();
    const person: PipedrivePerson = { id: ++ids.person, name: body.name, org_id: (body.org_id as number | undefined) ?? null, emails, owner_id: OWNER_ID, add_time: at, update_time: at };
    persons.push(person);
    return ok(person);
  }

  function createDeal(body: Record<string, unknown>): Reply {
    const fields = dealFields(body, true);
    if (isReply(fields)) return fields;
    const at = now();
    const deal: PipedriveDeal = {
      id: ++ids.deal,
      title: fields.title!,
      person_id: null,
      org_id: null,
      value: 0,
      currency,
      status: "open",
      owner_id: OWNER_ID,
      pipeline_id: 1,
      stage_id: 1,
      custom_fields: {},
      ...fields,
      add_time: at,
      update_time: at,
    };
    deals.push(deal);
    madeAt.set(deal, Date.now());
    return ok(deal);
  }

  function updateDeal(deal: PipedriveDeal, body: Record<string, unknown>): Reply {
    const fields = dealFields(body, false);
    if (isReply(fields)) return fields;
    // Like Pipedrive, custom fields not named in the update keep their values.
    Object.assign(deal, fields, { custom_fields: { ...deal.custom_fields, ...fields.custom_fields }, update_time: now() });
    return ok(deal);
  }

  function listDeals(params: URLSearchParams): Reply {
    let list = deals;
    for (const key of ["org_id", "person_id"] as const) {
      const wanted = params.get(key);
      if (wanted !== null) list = list.filter((d) => String(d[key]) === wanted);
    }
    const status = params.get("status");
    if (status) list = list.filter((d) => status.split(",").includes(d.status));
    const result = page(list, params);
    return isReply(result) ? result : ok(result.items, result.next);
  }

  /** `GET /organizations`: the database listing, by `sort_by` (id, add_time, update_time) and `sort_direction`. */
  function listOrganizations(params: URLSearchParams): Reply {
    const sortBy = params.get("sort_by") ?? "id";
    const direction = params.get("sort_direction") ?? "asc";
    if (!["id", "add_time", "update_time"].includes(sortBy)) return fail(400, "sort_by must be one of id, add_time, update_time");
    if (!["asc", "desc"].includes(direction)) return fail(400, "sort_direction must be asc or desc");
    const key = sortBy as "id" | "add_time" | "update_time";
    const sorted = [...organizations].sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.id - b.id) * (direction === "desc" ? -1 : 1));
    const result = page(sorted, params);
    return isReply(result) ? result : ok(result.items, result.next);
  }

  function searchDeals(params: URLSearchParams): Reply {
    const query = searchTerm(params);
    if (isReply(query)) return query;
    const fields = searchFields(params, DEAL_SEARCH_FIELDS);
    if (isReply(fields)) return fields;
    const organizationId = params.get("organization_id");
    const personId = params.get("person_id");
    const status = params.get("status");
    const hits = deals
      .filter(indexed)
      .filter((d) => (organizationId === null || String(d.org_id) === organizationId) && (personId === null || String(d.person_id) === personId) && (!status || d.status === status))
      .map((deal) => {
        const matched = fields.includes("custom_fields") ? customFieldValues(deal.custom_fields).filter((v) => score(v, query.term, query.exact) > 0) : [];
        const best = Math.max(fields.includes("title") ? score(deal.title, query.term, query.exact) : 0, ...matched.map((v) => score(v, query.term, query.exact)));
        return { deal, matched, best };
      })
      .filter((h) => h.best > 0)
      .sort((a, b) => b.best - a.best || a.deal.id - b.deal.id);
    const result = page(hits, params);
    if (isReply(result)) return result;
    const items = result.items.map(({ deal, matched, best }) => {
      const person = persons.find((p) => p.id === deal.person_id);
      const organization = organizations.find((o) => o.id === deal.org_id);
      return {
        result_score: Number(best.toFixed(4)),
        item: {
          id: deal.id,
          type: "deal",
          title: deal.title,
          value: deal.value,
          currency: deal.currency,
          status: deal.status,
          visible_to: 3,
          owner: { id: deal.owner_id },
          stage: { id: deal.stage_id, name: "Qualified" },
          person: person ? { id: person.id, name: person.name } : null,
          organization: organization ? { id: organization.id, name: organization.name } : null,
          custom_fields: matched.map(String),
          notes: [],
        },
      };
    });
    return ok({ items }, result.next);
  }

  function searchOrganizations(params: URLSearchParams): Reply {
    const query = searchTerm(params);
    if (isReply(query)) return query;
    const fields = searchFields(params, ORGANIZATION_SEARCH_FIELDS);
    if (isReply(fields)) return fields;
    const hits = organizations
      .filter(indexed)
      .map((organization) => ({ organization, best: fields.includes("name") ? score(organization.name, query.term, query.exact) : 0 }))
      .filter((h) => h.best > 0)
      .sort((a, b) => b.best - a.best || a.organization.id - b.organization.id);
    const result = page(hits, params);
    if (isReply(result)) return result;
    const items = result.items.map(({ organization, best }) => ({
      result_score: Number(best.toFixed(4)),
      item: { id: organization.id, type: "organization", name: organization.name, address: null, visible_to: 3, owner: { id: organization.owner_id }, custom_fields: [], notes: [] },
    }));
    return ok({ items }, result.next);
  }

  function route(req: HandledRequest): Reply {
    const path = req.path.replace(/\/+$/, "");
    if (!path.startsWith("/api/v2/")) return fail(404, `Unknown path ${req.path}`);
    const supplied = typeof req.headers["x-api-token"] === "string" ? req.headers["x-api-token"] : bearer(req.headers);
    if (supplied !== token) return fail(401, "unauthorized");
    const limited = overBurst();
    if (limited) return limited;

    const resource = path.slice("/api/v2".length);
    const body = () => (req.malformedJson || !isObject(req.body) ? undefined : req.body);
    const write = (create: (b: Record<string, unknown>) => Reply) => {
      const b = body();
      return b ? create(b) : fail(400, "The body must be a JSON object");
    };
    const dealId = /^\/deals\/(\d+)$/.exec(resource)?.[1];
    switch (`${req.method} ${dealId ? "/deals/{id}" : resource}`) {
      case "POST /organizations":
        return write(createOrganization);
      case "POST /persons":
        return write(createPerson);
      case "POST /deals":
        return write(createDeal);
      case "GET /deals":
        return listDeals(req.params);
      case "GET /deals/search":
        return searchDeals(req.params);
      case "GET /organizations":
        return listOrganizations(req.params);
      case "GET /organizations/search":
        return searchOrganizations(req.params);
      case "GET /deals/{id}":
      case "PATCH /deals/{id}": {
        const deal = deals.find((d) => d.id === Number(dealId));
        if (!deal) return fail(404, "Deal not found");
        return req.method === "GET" ? ok(deal) : write((b) => updateDeal(deal, b));
      }
      default:
        return fail(404, `Unknown method ${req.method} ${req.path}`);
    }
  }

  const standIn = await startStandIn("pipedrive", options.port, route);
  return {
    ...standIn,
    setSearchLag: (ms: number) => void (searchLagMs = ms),
    organizations: () => structuredClone(organizations),
    persons: () => structuredClone(persons),
    deals: () => structuredClone(deals),
  };
}

/** Replies are told from validated values by their numeric status (a deal's status is a string). */
function isReply(value: unknown): value is Reply {
  return isObject(value) && typeof value.status === "number" && "body" in value;
}
