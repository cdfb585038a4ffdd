// Local stand-in for the StaticSite component: serves the built website the way the cloud does
// (content types, Cache-Control: a year and immutable for hashed assets, no-cache for index.html
// and config.json; ETags; the same Content-Security-Policy) plus the config.json a deploy writes,
// here pointing at the local API and live endpoint. Paths without an extension fall back to
// index.html (the page's own links are #fragments, but a shared deep link should still open it).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type OutgoingHttpHeaders, type Server } from "node:http";
import { join } from "node:path";
import { siteContentSecurityPolicy, type SiteConfig } from "../../website/src/config";
import { CACHE_CONTROL, type WebsiteFile } from "../../website/build";

export interface StaticSiteOptions {
  /** The folder `buildWebsite` wrote. */
  root: string;
  /** What `buildWebsite` returned. */
  files: WebsiteFile[];
  /** Served as /config.json. */
  config: SiteConfig;
  host?: string;
  /** 0 or undefined: any free port. */
  port?: number;
}

export interface RunningStaticSite {
  url: string;
  server: Server;
  close(): Promise<void>;
}

interface Served {
  body: Buffer;
  contentType: string;
  cacheControl: string;
  etag: string;
}

const etagOf = (body: Buffer) => `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;

export function startStaticSite(options: StaticSiteOptions): Promise<RunningStaticSite> {
  const served = new Map<string, Served>();
  for (const file of options.files) {
    const body = readFileSync(join(options.root, file.path));
    served.set(`/${file.path}`, { body, contentType: file.contentType, cacheControl: file.cacheControl, etag: etagOf(body) });
  }
  const configBody = Buffer.from(JSON.stringify(options.config));
  served.set("/config.json", { body: configBody, contentType: "application/json", cacheControl: CACHE_CONTROL.revalidate, etag: etagOf(configBody) });
  const index = served.get("/index.html");
  if (!index) throw new Error("the website build has no index.html");
  const security: OutgoingHttpHeaders = {
    "content-security-policy": siteContentSecurityPolicy(options.config),
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
  };

  const server = createServer((req, res) => {
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8", ...security });
      res.end("Method not allowed\n");
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://site").pathname);
    } catch {
      path = "";
    }
    const file = path === "/" ? index : served.get(path) ?? (/\.[^/]*$/.test(path) ? undefined : index);
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", "cache-control": CACHE_CONTROL.revalidate, ...security });
      res.end(method === "HEAD" ? undefined : "Not found\n");
      return;
    }
    const headers: OutgoingHttpHeaders = { "content-type": file.contentType, "cache-control": file.cacheControl, etag: file.etag, ...security };
    if (req.headers["if-none-match"] === file.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, "content-length": file.body.length });
    res.end(method === "HEAD" ? undefined : file.body);
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const host = options.host ?? "127.0.0.1";
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      const { port } = server.address() as { port: number };
      resolve({ url: `http://${host}:${port}`, server, close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
