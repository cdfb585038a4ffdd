import { z } from "zod";
import { jsonContent, jsonSchema, pathsOf, problem, type OpenApiFragment } from "../shared/openapi";
import { apiHealthRoute } from "./routes";

/** Response shapes of `GET /health` (documentation; api-health.ts builds them). */
function responseSchemas() {
  const SyncHealth = z.object({
    title: z.string().optional().describe("What the sync is called (its job's title), e.g. Gists → Pipedrive"),
    schedule: z.string().describe("The sync's EventBridge schedule expression"),
    lastStart: z.string().nullable(),
    lastSuccess: z.string().nullable(),
    lastError: z.string().nullable(),
    minutesSinceSuccess: z.number().nullable(),
    stale: z.boolean().nullable().describe("Last success more than two intervals ago; null before the first success or for a cron schedule"),
  });
  return {
    Health: z.object({
      status: z.literal("ok"),
      syncs: z.record(z.string(), SyncHealth).describe("Every scheduled sync of the stack, by job name (gists, skills); empty when it has none"),
    }),
  };
}

/** The API's own health route: present in every stack. */
export function healthApiFragment(): OpenApiFragment {
  const operations = {
    [apiHealthRoute.operationId]: {
      responses: {
        "200": { description: "Up, with every sync's last run", content: jsonContent("Health") },
        "400": problem("Unknown query parameter"),
        "503": problem("A sync's run state cannot be read"),
      },
    },
  };
  return {
    paths: pathsOf([apiHealthRoute], operations),
    schemas: Object.fromEntries(Object.entries(responseSchemas()).map(([name, schema]) => [name, jsonSchema(schema, "output")])),
  };
}
