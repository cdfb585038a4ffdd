// Local stand-in for the slice of the GitHub REST API the scheduled sync uses (see the GitHub
// section of /work/shared/contracts.md): a user's public gists with Link pagination, `since`, ETags
// and 304s; the primary rate limit and its headers; a repository's latest release and its tarball
// behind a 302, as api.github.com hands it off to codeload.github.com. Tests inject throttling and
// server errors with `failNext`.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";

export interface FakeGistFile {
  filename: string;
  type?: string;
  language?: string | null;
  raw_url?: string;
  size?: number;
}

export interface FakeGist {
  id: string;
  description: string | null;
  files: Record<string, FakeGistFile>;
  created_at: string;
  updated_at: string;
  public?: boolean;
}

/** A gist as the stand-in keeps and lists it: every field filled. */
export interface StoredGist extends FakeGist {
  html_url: string;
  public: boolean;
  files: Record<string, Required<FakeGistFile>>;
  owner: { login: string; id: number; type: "User"; html_url: string };
}

export interface FakeRelease {
  tag_name: string;
  name?: string;
  /** The tarball bytes (a string is taken as UTF-8); default: a gzipped empty tar. */
  body?: Buffer | string;
}

export interface RequestInfo {
  method: string;
  path: string;
  /** The username (`/users/{u}`, `/user/{id}`) or repository owner (`/repos/{owner}`, downloads) in the path. */
  user?: string;
}

export interface InjectedResponse {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string or Buffer as is; absent: `{message}` with the status text. */
  body?: unknown;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  status: number;
}

export interface GitHubStandIn {
  /** Base URL, e.g. http://127.0.0.1:PORT: use it where code would use https://api.github.com. */
  url: string;
  /**
   * Adds a gist to the user's public listing (creating the user), or replaces the gist with the same
   * id: fills id, html_url, owner, timestamps (now, to the second) and file fields. Changes the ETag
   * of every listing of that user.
   */
  addGist(user: string, gist: Partial<FakeGist> & { description?: string | null }): StoredGist;
  /** A user with no gists yet: their listing is `[]`, where an unknown user is a 404. */
  addUser(user: string): void;
  /** The release `GET /repos/{owner}/{repo}/releases/latest` answers; null: 404 from now on. */
  setLatestRelease(owner: string, repo: string, release: FakeRelease | null): void;
  /**
   * Fault injection: the next `count` requests that `match` (default: any request) get `response`
   * instead of their answer. Rules apply in the order they were added. Rate-limit headers are
   * added unless `response.headers` sets them; an injected answer counts against the limit.
   */
  failNext(count: number, response: InjectedResponse, match?: (req: RequestInfo) => boolean): void;
  /**
   * Primary rate limit, shared by every caller (default 5000/h, reset an hour after start). Each API
   * request takes one, except an authenticated 304; at 0 the answer is 403 with
   * `x-ratelimit-remaining: 0` until `resetEpochSeconds`, when `remaining` goes back to `limit` for
   * another hour. Tests may change the fields or replace the object.
   */
  rateLimit: { limit: number; remaining: number; resetEpochSeconds: number };
  /** Every request, in arrival order, with the status answered (logged before the body is sent). */
  requests: LoggedRequest[];
  close(): Promise<void>;
}

export interface GitHubStandInOptions {
  port?: number;
  /** `per_page` when the request has none (GitHub: 30). */
  perPageDefault?: number;
  /** Initial primary rate limit (defaults: 5000 remaining of 5000, reset in an hour). */
  rateLimit?: Partial<GitHubStandIn["rateLimit"]>;
}

const MAX_PER_PAGE = 100;
const DOCS = "https://docs.github.com/rest";
const JSON_TYPE = "application/json; charset=utf-8";

interface User {
  login: string;
  id: number;
  /** Bumped by every addGist: part of each listing's ETag. */
  version: number;
  gists: Map<string, StoredGist & { seq: number }>;
}

interface Repo {
  owner: string;
  name: string;
  latest: { id: number; tag_name: string; name: string | null; created_at: string; published_at: string } | null;
  /** Tarballs of every release ever set, by tag: an old tarball_url keeps working. */
  tarballs: Map<string, Buffer>;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** JSON unless a Buffer or string. */
  body?: unknown;
  /** Goes into the ETag besides the body (a listing's version). */
  etagSeed?: string;
}

const EMPTY_TARBALL = gzipSync(Buffer.alloc(1024)); // a tar archive is ended by two zeroed 512-byte blocks
const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]); // end-of-central-directory only

/** GitHub's timestamps: ISO 8601 to the second, `Z`. */
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

function fileType(filename: string): string {
  const ext = filename.toLowerCase().split(".").pop();
  const types: Record<string, string> = { md: "text/markdown", json: "application/json", js: "application/javascript", ts: "video/MP2T", py: "application/x-python", sh: "application/x-sh", html: "text/html", css: "text/css" };
  return (ext && types[ext]) ?? "text/plain";
}

/** The credential of an Authorization header (`token X` and `Bearer X` are the same token). */
function credential(authorization: string | undefined): string | undefined {
  if (!authorization?.trim()) return undefined;
  const parts = authorization.trim().split(/\s+/);
  return parts.length > 1 ? parts.slice(1).join(" ") : parts[0];
}

/** RFC 9110 If-None-Match: a list of entity tags (or `*`), compared weakly. */
function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === opaque(etag));
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function positiveInt(value: string | null, fallback: number): number {
  const n = value === null ? NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export function startGitHubStandIn(options: GitHubStandInOptions = {}): Promise<GitHubStandIn> {
  const perPageDefault = Math.min(options.perPageDefault ?? 30, MAX_PER_PAGE);
  const users = new Map<string, User>(); // by lower-cased login: GitHub logins are case-insensitive
  const usersById = new Map<number, User>();
  const repos = new Map<string, Repo>(); // by lower-cased "owner/name"
  const faults: { left: number; response: InjectedResponse; match: (req: RequestInfo) => boolean }[] = [];
  let nextUserId = 1001;
  let nextReleaseId = 5001;
  let gistSeq = 0;
  let baseUrl = "";

  const getUser = (login: string, create: boolean): User | undefined => {
    let user = users.get(login.toLowerCase());
    if (!user && create) {
      user = { login, id: nextUserId++, version: 0, gists: new Map() };
      users.set(login.toLowerCase(), user);
      usersById.set(user.id, user);
    }
    return user;
  };

  const rateLimitHeaders = (): Record<string, string> => {
    const { limit, remaining, resetEpochSeconds } = standIn.rateLimit;
    return {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-used": String(Math.max(0, limit - remaining)),
      "x-ratelimit-reset": String(resetEpochSeconds),
      "x-ratelimit-resource": "core",
    };
  };

  const take = () => {
    if (standIn.rateLimit.remaining > 0) standIn.rateLimit.remaining--;
  };

  /** `/users/{u}/gists` and the `/user/{id}/gists` form GitHub writes in its Link headers. */
  function listGists(user: User, url: URL): Answer {
    const q = url.searchParams;
    let since: number | undefined;
    if (q.has("since")) {
      since = Date.parse(q.get("since")!);
      if (Number.isNaN(since)) return { status: 422, body: { message: "Validation Failed", errors: [{ resource: "Gist", field: "since", code: "invalid" }], documentation_url: DOCS } };
    }
    const perPage = Math.min(positiveInt(q.get("per_page"), perPageDefault), MAX_PER_PAGE);
    const page = positiveInt(q.get("page"), 1);
    // "Updated after": the contract's words; the boundary itself is kept (>=), so a client that
    // passes its last seen updated_at gets that gist again and must not count it twice.
    const all = [...user.gists.values()]
      .filter((g) => g.public && (since === undefined || Date.parse(g.updated_at) >= since))
      .sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at) || Date.parse(b.created_at) - Date.parse(a.created_at) || b.seq - a.seq);
    const lastPage = Math.max(1, Math.ceil(all.length / perPage));
    const items = all.slice((page - 1) * perPage, page * perPage).map(({ seq: _seq, ...gist }) => ({
      url: `${baseUrl}/gists/${gist.id}`,
      id: gist.id,
      html_url: gist.html_url,
      files: gist.files,
      public: gist.public,
      created_at: gist.created_at,
      updated_at: gist.updated_at,
      description: gist.description,
      comments: 0,
      user: null,
      owner: gist.owner,
      truncated: false,
    }));
    const headers: Record<string, string> = {};
    if (lastPage > 1) {
      const link = (n: number, rel: string) => {
        const target = new URL(`${baseUrl}/user/${user.id}/gists`);
        for (const [k, v] of q) if (k !== "page") target.searchParams.set(k, v);
        target.searchParams.set("page", String(n));
        return `<${target.href}>; rel="${rel}"`;
      };
      const links: string[] = [];
      if (page > 1) links.push(link(Math.min(page - 1, lastPage), "prev"));
      if (page < lastPage) links.push(link(page + 1, "next"), link(lastPage, "last"));
      if (page > 1) links.push(link(1, "first"));
      headers.link = links.join(", ");
    }
    return { status: 200, headers, body: items, etagSeed: `${user.id}:${user.version}` };
  }

  function latestRelease(owner: string, name: string): Answer {
    const repo = repos.get(`${owner}/${name}`.toLowerCase());
    const release = repo?.latest;
    if (!repo || !release) return notFound();
    const tag = encodeURIComponent(release.tag_name);
    return {
      status: 200,
      body: {
        url: `${baseUrl}/repos/${repo.owner}/${repo.name}/releases/${release.id}`,
        html_url: `https://github.com/${repo.owner}/${repo.name}/releases/tag/${tag}`,
        id: release.id,
        tag_name: release.tag_name,
        target_commitish: "main",
        name: release.name,
        draft: false,
        prerelease: false,
        created_at: release.created_at,
        published_at: release.published_at,
        assets: [],
        tarball_url: `${baseUrl}/repos/${repo.owner}/${repo.name}/tarball/${tag}`,
        zipball_url: `${baseUrl}/repos/${repo.owner}/${repo.name}/zipball/${tag}`,
        body: null,
      },
    };
  }

  const notFound = (): Answer => ({ status: 404, body: { message: "Not Found", documentation_url: DOCS } });

  /** The API routes (everything under api.github.com). */
  function route(method: string, url: URL): Answer {
    if (method !== "GET" && method !== "HEAD") return notFound();
    const parts = url.pathname.split("/").slice(1).map(safeDecode);
    if (parts.length === 3 && parts[0] === "users" && parts[2] === "gists") {
      const user = getUser(parts[1]!, false);
      return user ? listGists(user, url) : notFound();
    }
    if (parts.length === 3 && parts[0] === "user" && /^\d+$/.test(parts[1]!) && parts[2] === "gists") {
      const user = usersById.get(Number(parts[1]));
      return user ? listGists(user, url) : notFound();
    }
    if (parts.length === 5 && parts[0] === "repos" && parts[3] === "releases" && parts[4] === "latest") {
      return latestRelease(parts[1]!, parts[2]!);
    }
    if (parts.length === 5 && parts[0] === "repos" && (parts[3] === "tarball" || parts[3] === "zipball")) {
      const repo = repos.get(`${parts[1]}/${parts[2]}`.toLowerCase());
      const tag = parts[4]!;
      if (!repo?.tarballs.has(tag)) return notFound();
      const kind = parts[3] === "tarball" ? "legacy.tar.gz" : "legacy.zip";
      return { status: 302, headers: { location: `${baseUrl}/codeload/${repo.owner}/${repo.name}/${kind}/refs/tags/${encodeURIComponent(tag)}` } };
    }
    return notFound();
  }

  /** What codeload.github.com serves: the archive, no API rate limit. */
  function download(url: URL): Answer | undefined {
    const m = /^\/codeload\/([^/]+)\/([^/]+)\/(legacy\.tar\.gz|legacy\.zip)\/refs\/tags\/(.+)$/.exec(url.pathname);
    if (!m) return undefined;
    const [owner, name, kind, tag] = m.slice(1).map(safeDecode) as [string, string, string, string];
    const repo = repos.get(`${owner}/${name}`.toLowerCase());
    const bytes = repo?.tarballs.get(tag);
    if (!repo || !bytes) return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "404: Not Found" };
    const zip = kind === "legacy.zip";
    const filename = `${repo.owner}-${repo.name}-${tag.replace(/[^A-Za-z0-9._-]/g, "-")}.${zip ? "zip" : "tar.gz"}`;
    return {
      status: 200,
      headers: { "content-type": zip ? "application/zip" : "application/x-gzip", "content-disposition": `attachment; filename=${filename}` },
      body: zip ? EMPTY_ZIP : bytes,
    };
  }

  function requestInfo(method: string, path: string): RequestInfo {
    const parts = path.split("/").slice(1).map(safeDecode);
    let user: string | undefined;
    if (parts[0] === "users" || parts[0] === "repos" || parts[0] === "codeload") user = parts[1];
    else if (parts[0] === "user" && /^\d+$/.test(parts[1] ?? "")) user = usersById.get(Number(parts[1]))?.login;
    return { method, path, ...(user ? { user } : {}) };
  }

  function handle(req: IncomingMessage, res: ServerResponse) {
    req.resume();
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", baseUrl);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]));
    const token = credential(headers.authorization);

    const send = (answer: Answer, extra: Record<string, string> = {}) => {
      const out: Record<string, string> = { "x-github-request-id": randomUUID().toUpperCase(), ...extra };
      let body: Buffer | undefined;
      if (answer.body !== undefined && answer.status !== 304 && answer.status !== 204) {
        if (Buffer.isBuffer(answer.body)) body = answer.body;
        else if (typeof answer.body === "string") body = Buffer.from(answer.body);
        else {
          body = Buffer.from(JSON.stringify(answer.body));
          out["content-type"] = JSON_TYPE;
        }
        out["content-length"] = String(body.length);
      }
      for (const [k, v] of Object.entries(answer.headers ?? {})) out[k.toLowerCase()] = v;
      standIn.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, status: answer.status });
      res.writeHead(answer.status, out);
      res.end(body);
    };

    const apiHeaders = () => ({
      ...rateLimitHeaders(),
      "x-github-api-version-selected": "2022-11-28",
      "cache-control": `${token ? "private" : "public"}, max-age=60, s-maxage=60`,
      vary: "Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding",
    });

    const isDownload = url.pathname.startsWith("/codeload/");
    if (!isDownload && Date.now() / 1000 >= standIn.rateLimit.resetEpochSeconds) {
      standIn.rateLimit.remaining = standIn.rateLimit.limit;
      standIn.rateLimit.resetEpochSeconds = Math.floor(Date.now() / 1000) + 3600;
    }

    const info = requestInfo(method, url.pathname);
    const fault = faults.find((f) => f.left > 0 && f.match(info));
    if (fault) {
      fault.left--;
      if (fault.left === 0) faults.splice(faults.indexOf(fault), 1);
      const { status, headers: injected, body } = fault.response;
      if (!isDownload) take();
      send({ status, headers: injected, body: body ?? (status === 304 ? undefined : { message: STATUS_CODES[status] ?? "Error", documentation_url: DOCS }) }, isDownload ? {} : apiHeaders());
      return;
    }

    if (isDownload) {
      send(download(url) ?? { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "404: Not Found" });
      return;
    }

    if (standIn.rateLimit.remaining <= 0) {
      // Not counted: remaining stays 0 until the reset.
      const who = token ? "user ID 1" : (req.socket.remoteAddress ?? "127.0.0.1");
      const hint = token ? "" : " (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)";
      send({ status: 403, body: { message: `API rate limit exceeded for ${who}.${hint}`, documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api` } }, apiHeaders());
      return;
    }

    const answer = route(method, url);
    if (answer.status === 200) {
      // Weak ETag over the representation, the listing's version and the token: a new gist, another
      // page or another token each give another tag (GitHub's ETags also differ per token).
      const hash = createHash("sha256").update(JSON.stringify(answer.body)).update("\0").update(answer.etagSeed ?? "").update("\0").update(token ?? "").digest("hex");
      const etag = `W/"${hash}"`;
      answer.headers = { ...answer.headers, etag };
      if (etagMatches(headers["if-none-match"], etag)) {
        // The contract: an authenticated 304 is free; assume an unauthenticated one counts.
        if (!token) take();
        send({ status: 304, headers: { etag } }, apiHeaders());
        return;
      }
    }
    take();
    send(answer, apiHeaders());
  }

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      console.error(error);
      if (!res.headersSent) res.writeHead(500, { "content-type": JSON_TYPE });
      res.end(JSON.stringify({ message: "Server Error" }));
    }
  });

  const standIn: GitHubStandIn = {
    url: "",
    rateLimit: {
      limit: options.rateLimit?.limit ?? 5000,
      remaining: options.rateLimit?.remaining ?? options.rateLimit?.limit ?? 5000,
      resetEpochSeconds: options.rateLimit?.resetEpochSeconds ?? Math.floor(Date.now() / 1000) + 3600,
    },
    requests: [],

    addUser(login) {
      getUser(login, true);
    },

    addGist(login, gist) {
      const user = getUser(login, true)!;
      const id = gist.id ?? randomBytes(16).toString("hex");
      const previous = user.gists.get(id);
      const created_at = gist.created_at ?? previous?.created_at ?? isoSeconds(Date.now());
      const files: Record<string, Required<FakeGistFile>> = {};
      for (const [key, file] of Object.entries(gist.files ?? { "gistfile1.txt": { filename: "gistfile1.txt" } })) {
        const filename = file.filename ?? key;
        files[key] = {
          filename,
          type: file.type ?? fileType(filename),
          language: file.language ?? null,
          raw_url: file.raw_url ?? `https://gist.githubusercontent.com/${user.login}/${id}/raw/${encodeURIComponent(filename)}`,
          size: file.size ?? 0,
        };
      }
      const stored: StoredGist = {
        id,
        html_url: `https://gist.github.com/${user.login}/${id}`,
        description: gist.description === undefined ? null : gist.description,
        files,
        public: gist.public ?? true,
        created_at,
        updated_at: gist.updated_at ?? (previous ? isoSeconds(Date.now()) : created_at),
        owner: { login: user.login, id: user.id, type: "User", html_url: `https://github.com/${user.login}` },
      };
      user.gists.set(id, { ...stored, seq: gistSeq++ });
      user.version++;
      return stored;
    },

    setLatestRelease(owner, name, release) {
      const key = `${owner}/${name}`.toLowerCase();
      const repo = repos.get(key) ?? { owner, name, latest: null, tarballs: new Map<string, Buffer>() };
      repos.set(key, repo);
      if (!release) {
        repo.latest = null;
        return;
      }
      const body = release.body === undefined ? EMPTY_TARBALL : Buffer.isBuffer(release.body) ? release.body : Buffer.from(release.body);
      const now = isoSeconds(Date.now());
      repo.latest = { id: nextReleaseId++, tag_name: release.tag_name, name: release.name ?? null, created_at: now, published_at: now };
      repo.tarballs.set(release.tag_name, body);
    },

    failNext(count, response, match = () => true) {
      if (count > 0) faults.push({ left: count, response, match });
    },

    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      const { port } = server.address() as { port: number };
      baseUrl = `http://127.0.0.1:${port}`;
      standIn.url = baseUrl;
      resolve(standIn);
    });
  });
}
