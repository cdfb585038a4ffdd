// The skill-app job's run function, written once: Airtable assessments, the latest release archive
// and Badgr badges. ScheduledSync deploys it (a Lambda function, or a Fargate task), local mode and
// `npm run sync` run it in process. See handlers/shared/function-definition.ts.
import { defineFunction, resource, secret, setting, type EnvValues } from "../../../shared/function-definition";
import { POWERTOOLS_PACKAGES } from "../../../shared/packages";
import { skillsSyncHandler } from "../../skills";

/** Where in the releases bucket the job writes: `releases/<owner>/<repo>/<tag>.tar.gz`. */
export const RELEASES_PREFIX = "releases/";

/** A mirror the job only upserts into: it reads what is stored to skip unchanged records, and puts. */
const mirror = (table: string) => resource(table, [{ actions: ["dynamodb:BatchGetItem", "dynamodb:PutItem"] }]);

const runEnv = {
  SYNC_STATE_TABLE: resource("state", [{ actions: ["dynamodb:GetItem", "dynamodb:PutItem"] }]),
  ASSESSMENTS_TABLE: mirror("assessments"),
  BADGE_CLASSES_TABLE: mirror("badgeClasses"),
  ASSERTIONS_TABLE: mirror("assertions"),
  RELEASES_BUCKET: resource("releases", [
    // ListBucket so a missing object is a 404 to HeadObject, not a 403.
    { actions: ["s3:ListBucket"] },
    { actions: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], path: `/${RELEASES_PREFIX}*` },
  ]),
  AIRTABLE_BASE_URL: setting("airtableBaseUrl", "text", { fallback: "https://api.airtable.com", about: "Airtable's API base URL: another endpoint for a run (a stand-in, a proxy); local mode's stand-ins set it" }),
  /** A personal access token with data.records:read on the base. */
  AIRTABLE_TOKEN: secret("airtableToken"),
  /** `app…` */
  AIRTABLE_BASE_ID: setting("airtableBaseId"),
  /** The assessments table: id or name. */
  AIRTABLE_TABLE: setting("airtableTable"),
  AIRTABLE_PENALTY_MS: setting("airtablePenaltyMs", "number", { optional: true, about: "how long an Airtable 429 is waited out, in ms (Airtable documents 30 s; default 30000)" }),
  GITHUB_API_URL: setting("githubApiUrl", "text", { fallback: "https://api.github.com", about: "GitHub's API base URL: another endpoint for a run (GitHub Enterprise `https://HOST/api/v3`, a stand-in)" }),
  GITHUB_TOKEN: secret("githubToken", { optional: true }),
  /** `owner/repo` whose latest release archive is kept. */
  RELEASE_REPO: setting("releaseRepo"),
  /** Regional: https://api.eu.badgr.io, … */
  BADGR_BASE_URL: setting("badgrBaseUrl", "text", { fallback: "https://api.badgr.io" }),
  BADGR_USERNAME: setting("badgrUsername"),
  BADGR_PASSWORD: secret("badgrPassword"),
  /** The issuer's entityId. */
  BADGR_ISSUER: setting("badgrIssuer"),
};
/** What a skills run is built from (handlers/sync/skills-job.ts). */
export type SkillsRunEnv = EnvValues<typeof runEnv>;

/** One run of the skill-app job. */
export const skillsRunFunction = defineFunction({
  service: "sync-skills",
  packages: [...POWERTOOLS_PACKAGES, "got"],
  env: runEnv,
  create: (env, service) => skillsSyncHandler(service, env),
});
