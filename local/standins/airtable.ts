// A local stand-in for Airtable's list-records endpoint (see /work/shared/contracts.md,
// "Airtable"): PAT auth, pageSize/offset paging over a snapshot taken by the first page,
// fields[] and sort, offsets that expire (422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE), and the
// rate limit: over 5 requests in 1 s for a base (or 50 for the token) answers 429, and so does
// every request to it for the next 30 s.
import { randomBytes } from "node:crypto";
import { bearer, json, startStandIn, type HandledRequest, type Reply, type StandIn } from "./http";

export interface AirtableRecord {
  id: string;
  createdTime: string;
  fields: Record<string, unknown>;
}

export interface AirtableRecordInput {
  id?: string;
  fields: Record<string, unknown>;
  createdTime?: string;
}

export interface AirtableStandInOptions {
  port?: number;
  /** The personal access token `Authorization: Bearer` must carry. Default "test-pat". */
  token?: string;
  /** Requests allowed per second per base before the penalty. Default 5. */
  perBasePerSecond?: number;
  /** Requests allowed per second for the token (all bases) before the penalty. Default 50. */
  perTokenPerSecond?: number;
  /** How long every request answers 429 once a limit is crossed. Default 30000. */
  penaltyMs?: number;
  /** Offsets older than this answer 422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE. Default: they live until `expireOffsets()`. */
  offsetTtlMs?: number;
}

export interface AirtableStandIn extends StandIn {
  /** Replaces the records of `table` (an id or a name: the path segment, URL-decoded) in `baseId`. */
  setRecords(baseId: string, table: string, records: AirtableRecordInput[]): AirtableRecord[];
  records(baseId: string, table: string): AirtableRecord[];
  /** Every offset handed out so far answers 422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE from now on. */
  expireOffsets(): void;
}

interface Iterator {
  baseId: string;
  table: string;
  /** The listing as the first page saw it (sorted); later pages read from it. */
  snapshot: AirtableRecord[];
  position: number;
  issuedAt: number;
  expired: boolean;
  /** The offset this page handed out, so a retried page hands out the same one. */
  next?: { pageSize: number; offset: string };
}

const SECOND = 1000;
const MAX_PAGE_SIZE = 100;
const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

const error = (status: number, type: string, message: string): Reply => json(status, { error: { type, message } });
const airtableId = (prefix: string) => prefix + Array.from(randomBytes(14), (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join("");

/** `sort[0][field]=Name&sort[0][direction]=desc` as a list, in index order. */
function sortSpec(params: URLSearchParams): { field: string; direction: "asc" | "desc" }[] | Reply {
  const entries = new Map<number, { field?: string; direction?: string }>();
  for (const [key, value] of params) {
    const m = /^sort\[(\d+)\]\[(field|direction)\]$/.exec(key);
    if (!m) continue;
    const entry = entries.get(Number(m[1])) ?? {};
    entry[m[2] as "field" | "direction"] = value;
    entries.set(Number(m[1]), entry);
  }
  const spec: { field: string; direction: "asc" | "desc" }[] = [];
  for (const [index, entry] of [...entries].sort((a, b) => a[0] - b[0])) {
    const direction = entry.direction ?? "asc";
    if (!entry.field || (direction !== "asc" && direction !== "desc")) {
      return error(422, "INVALID_SORT_PARAMETER", `sort[${index}] needs a field and a direction of asc or desc`);
    }
    spec.push({ field: entry.field, direction });
  }
  return spec;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1; // empty cells last
  if (b === undefined || b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

export async function startAirtableStandIn(options: AirtableStandInOptions = {}): Promise<AirtableStandIn> {
  const token = options.token ?? "test-pat";
  const perBase = options.perBasePerSecond ?? 5;
  const perToken = options.perTokenPerSecond ?? 50;
  const penaltyMs = options.penaltyMs ?? 30_000;
  const tables = new Map<string, AirtableRecord[]>(); // key: baseId + "/" + table
  const iterators = new Map<string, Iterator>();
  const windows = new Map<string, { recent: number[]; penaltyUntil: number }>();

  /** Counts the request in each window; a 429 reply when one is in its penalty or this request crosses its limit. */
  function rateLimited(limits: [key: string, limit: number][]): Reply | undefined {
    const at = Date.now();
    const counted = limits.map(([key, limit]) => {
      const w = windows.get(key) ?? { recent: [], penaltyUntil: 0 };
      windows.set(key, w);
      while (w.recent.length && w.recent[0]! <= at - SECOND) w.recent.shift();
      return { w, limit };
    });
    const refuse = () => error(429, "RATE_LIMIT_REACHED", `Rate limit exceeded: at most ${perBase} requests per second per base; wait ${penaltyMs / 1000} s`);
    if (counted.some(({ w }) => at < w.penaltyUntil)) return refuse();
    const crossed = counted.filter(({ w, limit }) => w.recent.length >= limit);
    for (const { w } of crossed) {
      w.penaltyUntil = at + penaltyMs;
      w.recent = [];
    }
    if (crossed.length) return refuse();
    for (const { w } of counted) w.recent.push(at);
    return undefined;
  }

  function list(req: HandledRequest, baseId: string, table: string): Reply {
    const stored = tables.get(`${baseId}/${table}`);
    if (!stored) return error(404, "NOT_FOUND", `Could not find table ${table} in base ${baseId}`);
    const params = req.params;
    const sizeText = params.get("pageSize");
    const pageSize = sizeText === null ? MAX_PAGE_SIZE : Number(sizeText);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      return error(422, "INVALID_REQUEST_UNKNOWN", `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    // filterByFormula and view are accepted but not evaluated: every record matches.
    let iterator: Iterator;
    const offset = params.get("offset");
    if (offset) {
      const found = iterators.get(offset);
      if (!found || found.baseId !== baseId || found.table !== table) return error(422, "INVALID_OFFSET_VALUE", `The offset ${offset} is not valid for this listing`);
      if (found.expired || (options.offsetTtlMs !== undefined && Date.now() - found.issuedAt > options.offsetTtlMs)) {
        return error(422, "LIST_RECORDS_ITERATOR_NOT_AVAILABLE", "The offset has expired; start the listing again without it");
      }
      iterator = found; // still valid afterwards: a retried page gets the same answer
    } else {
      const sort = sortSpec(params);
      if (!Array.isArray(sort)) return sort;
      const snapshot = structuredClone(stored);
      if (sort.length) {
        snapshot.sort((a, b) => {
          for (const { field, direction } of sort) {
            const order = compare(a.fields[field], b.fields[field]);
            if (order) return direction === "asc" ? order : -order;
          }
          return 0;
        });
      }
      iterator = { baseId, table, snapshot, position: 0, issuedAt: 0, expired: false };
    }
    const wanted = [...params.getAll("fields[]"), ...params.getAll("fields")];
    const pageRecords = iterator.snapshot.slice(iterator.position, iterator.position + pageSize).map((r) => ({
      id: r.id,
      createdTime: r.createdTime,
      fields: wanted.length ? Object.fromEntries(Object.entries(r.fields).filter(([name]) => wanted.includes(name))) : r.fields,
    }));
    const position = iterator.position + pageSize;
    if (position >= iterator.snapshot.length) return json(200, { records: pageRecords });
    if (iterator.next?.pageSize !== pageSize) {
      const offset = `${airtableId("itr")}/${iterator.snapshot[position]!.id}`;
      iterator.next = { pageSize, offset };
      iterators.set(offset, { baseId, table, snapshot: iterator.snapshot, position, issuedAt: Date.now(), expired: false });
    }
    const next = iterator.next.offset;
    return json(200, { records: pageRecords, offset: next });
  }

  function route(req: HandledRequest): Reply {
    const m = /^\/v0\/([^/]+)\/([^/]+)\/?$/.exec(req.path);
    if (!m || req.method !== "GET") return error(404, "NOT_FOUND", `No route for ${req.method} ${req.path}`);
    if (bearer(req.headers) !== token) return error(401, "AUTHENTICATION_REQUIRED", "Authentication required");
    const baseId = decodeURIComponent(m[1]!);
    const limited = rateLimited([
      [`token:${token}`, perToken],
      [`base:${baseId}`, perBase],
    ]);
    if (limited) return limited;
    return list(req, baseId, decodeURIComponent(m[2]!));
  }

  const standIn = await startStandIn("airtable", options.port, route);
  return {
    ...standIn,
    setRecords(baseId, table, records) {
      const created = records.map((r) => ({ id: r.id ?? airtableId("rec"), createdTime: r.createdTime ?? new Date().toISOString(), fields: structuredClone(r.fields) }));
      tables.set(`${baseId}/${table}`, created);
      return structuredClone(created);
    },
    records: (baseId, table) => structuredClone(tables.get(`${baseId}/${table}`) ?? []),
    expireOffsets() {
      for (const iterator of iterators.values()) iterator.expired = true;
    },
  };
}
