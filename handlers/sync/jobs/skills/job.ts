// The skill-app job: Airtable assessments, the latest release archive of a repository and the
// Badgr badges of an issuer, each mirrored into the job's own tables and bucket.
import { join } from "node:path";
import { z } from "zod";
import { defineSyncJob } from "../../job-definition";
import { assertionsTable, assessmentsTable, badgeClassesTable } from "../../tables";
import { RELEASES_PREFIX, skillsRunFunction } from "./functions";

export const skillsJob = defineSyncJob({
  name: "skills",
  title: "Skill-app sync",
  run: skillsRunFunction,
  /** `switchyard:syncs.skills`: the job exists when it is set. Each setting's `description` is its row in docs/operations.md (`npm run docs:config`). */
  settings: z.strictObject({
    airtableBaseId: z.string().regex(/^app[A-Za-z0-9]{14}$/, "an Airtable base id (app…)").meta({ description: "the Airtable base (`app…`)", example: "appXXXXXXXXXXXXXX" }),
    airtableTable: z.string().min(1).max(100).meta({ description: "the assessments table", example: "Assessments" }),
    airtableToken: z.string().min(10).meta({ description: "Airtable personal access token", example: "pat…" }),
    releaseRepo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "owner/repo").meta({ description: "`owner/repo` whose latest release archive is kept", example: "owner/repo" }),
    githubToken: z.string().min(10).optional().meta({ description: "GitHub token: 5000 requests/h instead of 60", example: "ghp_…" }),
    badgrBaseUrl: z.url({ protocol: /^https?$/ }).default("https://api.badgr.io").meta({ description: "Badgr host (regional: `https://api.{eu,au,ca,sg}.badgr.io`)", example: "https://api.eu.badgr.io" }),
    badgrUsername: z.string().min(1).meta({ description: "Badgr account", example: "you@example.com" }),
    badgrPassword: z.string().min(1).meta({ description: "Badgr password (password grant)", example: "<password>" }),
    badgrIssuer: z.string().min(1).meta({ description: "Badgr issuer entityId", example: "<issuer entityId>" }),
  }),
  schedule: "rate(6 hours)",
  // Airtable's 30 s penalty can hit a few times in one run (on Fargate the watchdog is 1 h).
  timeoutSeconds: 600,
  tables: { assessments: assessmentsTable, badgeClasses: badgeClassesTable, assertions: assertionsTable },
  buckets: { releases: { prefix: RELEASES_PREFIX } },
  standIn: join(__dirname, "stand-in"),
});
