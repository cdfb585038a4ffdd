import { z } from "zod";
import { jsonContent, jsonSchema, pathsOf, problem, queryParameters, type OpenApiFragment } from "../shared/openapi";
import { GISTS_SESSION_COOKIE, gistsReadRoutes } from "./gists-routes";
import { gistsReadSchemas } from "./gists-read";

/** Response shapes of the gists read API (documentation; gists-read.ts builds them). */
function responseSchemas() {
  const Counts = z.object({ seen: z.int(), created: z.int(), skipped: z.int(), failed: z.int() });
  return {
    ScannedUsers: z.object({
      items: z.array(z.object({ user: z.string(), lastSuccess: z.string().nullable(), lastError: z.string().nullable(), counts: Counts.nullable() })),
    }),
    CurrentUsers: z.object({ items: z.array(z.string()), schedule: z.string() }),
    NewGists: z.object({
      items: z.array(
        z.object({
          id: z.string(),
          user: z.string(),
          title: z.string().describe("The deal title: the gist's description, else its first file name"),
          url: z.string(),
          dealId: z.int().nullable(),
          createdAt: z.string(),
          syncedAt: z.string(),
        }),
      ),
      more: z.boolean().describe("More gists are waiting: call again"),
    }),
  };
}

/**
 * The gists sync's part of the OpenAPI document. These routes exist when the stack sets
 * `switchyard:syncs.gists`; each original Flask path is documented as a deprecated alias.
 */
export function gistsApiFragment(): OpenApiFragment {
  const schemas = gistsReadSchemas();
  const noQuery = { "400": problem("Unknown query parameter") };
  const operations: Record<string, object> = {
    scannedUsers: { responses: { "200": { description: "By user name", content: jsonContent("ScannedUsers") }, ...noQuery } },
    currentUsers: { responses: { "200": { description: "As configured", content: jsonContent("CurrentUsers") }, ...noQuery } },
    newGists: {
      description: `Oldest first. Without a live \`${GISTS_SESSION_COOKIE}\` cookie a new session starts and sees every gist synced so far. Sessions expire after SESSION_TTL_DAYS (30) without a call.`,
      parameters: [...queryParameters(schemas.GistsQuery), { name: GISTS_SESSION_COOKIE, in: "cookie", required: false, schema: { type: "string" } }],
      responses: {
        "200": {
          description: "What is new for this session",
          headers: { "Set-Cookie": { description: `${GISTS_SESSION_COOKIE}=…; HttpOnly; Secure; SameSite=None; Partitioned`, schema: { type: "string" } } },
          content: jsonContent("NewGists"),
        },
        "400": problem("Bad limit or unknown parameter"),
      },
    },
  };
  const aliases = gistsReadRoutes.flatMap((r) =>
    r.alias ? [{ method: r.method, path: r.alias, operationId: `${r.operationId}Original`, summary: `${r.summary} (original path of ${r.path})` }] : [],
  );
  for (const alias of aliases) operations[alias.operationId] = { deprecated: true, ...operations[alias.operationId.replace(/Original$/, "")] };
  return {
    paths: pathsOf([...gistsReadRoutes, ...aliases], operations),
    schemas: Object.fromEntries(Object.entries(responseSchemas()).map(([name, schema]) => [name, jsonSchema(schema, "output")])),
  };
}
