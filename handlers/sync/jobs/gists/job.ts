// The gists job: each configured GitHub user's public gists → one Pipedrive deal per new gist,
// with a read API over what it synced (`/users/scanned`, `/users/current`, `/gists`).
import { join } from "node:path";
import { z } from "zod";
import { defineSyncJob } from "../../job-definition";
import { gistsReadRouteKeys } from "../../gists-routes";
import { runsPerHour } from "../../schedule";
import { sessionsTable } from "../../tables";
import { gistsReadFunction, gistsRunFunction } from "./functions";

/** GitHub's hourly request budget without a token. */
const UNAUTHENTICATED_REQUESTS_PER_HOUR = 60;

export const gistsJob = defineSyncJob({
  name: "gists",
  title: "Gists → Pipedrive",
  run: gistsRunFunction,
  /** `switchyard:syncs.gists`: the job exists when it is set. Each setting's `description` is its row in docs/operations.md (`npm run docs:config`). */
  settings: z.strictObject({
    users: z.array(z.string().regex(/^[A-Za-z0-9-]{1,39}$/, "a GitHub login")).min(1).max(50).meta({ description: "GitHub logins (1 to 50) whose public gists become Pipedrive deals", example: "octocat" }),
    githubToken: z.string().min(10).optional().meta({ description: "GitHub token: 5000 requests/h instead of 60", example: "ghp_…" }),
    pipedriveBaseUrl: z.url({ protocol: /^https?$/ }).meta({ description: "`https://<company>.pipedrive.com`", example: "https://yourcompany.pipedrive.com" }),
    pipedriveApiToken: z.string().min(10).meta({ description: "Pipedrive API token", example: "<token>" }),
    pipedriveGistUrlField: z.string().regex(/^[A-Za-z0-9_]{1,64}$/).meta({ description: "key of the deal custom field that keeps the gist URL (Pipedrive → Settings → Data fields)", example: "abc123_gist_url" }),
  }),
  schedule: "rate(30 minutes)",
  read: { definition: gistsReadFunction, routeKeys: gistsReadRouteKeys().map((r) => r.routeKey), tables: { sessions: sessionsTable } },
  standIn: join(__dirname, "stand-in"),
  warnings: (settings, schedule) => {
    const users = (settings.users as string[] | undefined)?.length ?? 0;
    const perHour = runsPerHour(schedule);
    if (settings.githubToken || perHour === undefined || users * perHour <= UNAUTHENTICATED_REQUESTS_PER_HOUR) return [];
    return [
      `${users} users × ${perHour} runs/h = ${users * perHour} GitHub requests/h exceeds the ${UNAUTHENTICATED_REQUESTS_PER_HOUR}/h unauthenticated budget: set switchyard:syncs.gists.githubToken or slow switchyard:syncs.gists.schedule.`,
    ];
  },
});
