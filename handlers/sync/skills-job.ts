import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { createObservability, type Observability } from "../shared/observability";
import { AirtableClient } from "./airtable";
import { BadgrClient } from "./badgr";
import { GitHubClient } from "./github";
import type { SkillsRunEnv } from "./jobs/skills/functions";
import { MirrorTable, type UpsertResult } from "./mirror-table";
import { ReleaseArchive, releaseKey } from "./release-archive";
import { notReached, RateLimitedError, type RateLimit } from "./rate-limit";
import { zeroCounts, RunStateStore, type Counts, type SourceState } from "./run-state";

export interface SkillsJobDeps {
  state: RunStateStore;
  db: DynamoDBClient;
  s3: S3Client;
  tables: { assessments: string; badgeClasses: string; assertions: string };
  /** Where release tarballs go (`releases/<owner>/<repo>/<tag>.tar.gz`). */
  bucket: string;
  airtable: { client: AirtableClient; baseId: string; table: string };
  github: { client: GitHubClient; owner: string; repo: string };
  badgr: { client: BadgrClient; issuer: string };
  obs: Observability;
  now?: () => Date;
}

/** The run-state counts plus `updated`: a record that was stored and changed. `skipped` = unchanged. */
export type SkillsCounts = Counts & { updated: number };

/** The job's sources, as named in the run state (`SOURCE#<name>`) and the summary. */
export const SKILLS_SOURCES = ["airtable", "github", "badgr"] as const;
export type SkillsSource = (typeof SKILLS_SOURCES)[number];

export interface SkillsRunSummary {
  runId: string;
  counts: SkillsCounts;
  /** Per source: "synced", or the error that stopped it. */
  sources: Record<SkillsSource, string>;
}

/** What one source's sync leaves for the run state besides its counts. */
type SourceOutcome = Pick<SourceState, "cursor" | "etag" | "memo">;

const zeroSkillsCounts = (): SkillsCounts => ({ ...zeroCounts(), updated: 0 });

/**
 * Builds the job from its typed environment (the definition's: handlers/sync/jobs/skills/functions.ts),
 * once per cold start. Secrets are providers, read when first needed.
 */
export function skillsDeps(service: string, env: SkillsRunEnv): SkillsJobDeps {
  const db = new DynamoDBClient({});
  const [owner, repo, ...rest] = env.RELEASE_REPO.split("/");
  if (!owner || !repo || rest.length) throw new Error(`RELEASE_REPO must be "owner/repo", not "${env.RELEASE_REPO}"`);
  return {
    state: new RunStateStore(db, env.SYNC_STATE_TABLE, "skills"),
    db,
    // Path-style against a local endpoint (s3rver); see local/emulators/aws-env.ts.
    s3: new S3Client({ forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined }),
    tables: { assessments: env.ASSESSMENTS_TABLE, badgeClasses: env.BADGE_CLASSES_TABLE, assertions: env.ASSERTIONS_TABLE },
    bucket: env.RELEASES_BUCKET,
    airtable: {
      client: new AirtableClient({ baseUrl: env.AIRTABLE_BASE_URL, token: env.AIRTABLE_TOKEN, ...(env.AIRTABLE_PENALTY_MS !== undefined ? { penaltyMs: env.AIRTABLE_PENALTY_MS } : {}) }),
      baseId: env.AIRTABLE_BASE_ID,
      table: env.AIRTABLE_TABLE,
    },
    github: { client: new GitHubClient({ baseUrl: env.GITHUB_API_URL, ...(env.GITHUB_TOKEN ? { token: env.GITHUB_TOKEN } : {}) }), owner, repo },
    badgr: { client: new BadgrClient({ baseUrl: env.BADGR_BASE_URL, username: env.BADGR_USERNAME, password: env.BADGR_PASSWORD }), issuer: env.BADGR_ISSUER },
    obs: createObservability(service),
  };
}

/**
 * One run of the skill-app sync: three independent sources, each recorded in the run state on
 * its own (last success or last error, counts, memo), so one failing never stops the others.
 * - `airtable`: every assessment record → the assessments table (upsert by record id, never delete);
 * - `github`: the repository's latest release tarball → S3 under its tag, streamed; nothing is
 *   downloaded when that tag's object already exists;
 * - `badgr`: the issuer's badge classes and assertions (revoked and expired included) → their tables.
 * Records identical to what is stored are not written, so a run with nothing new writes nothing.
 * Each source is named after the API it calls: a rate limit a run learns is kept in the run state,
 * and the next run leaves that source alone until the limit is over (saying until when).
 */
export async function runSkillsJob(deps: SkillsJobDeps, runId: string): Promise<SkillsRunSummary> {
  const { state, obs } = deps;
  const now = deps.now ?? (() => new Date());
  const summary: SkillsRunSummary = { runId, counts: zeroSkillsCounts(), sources: { airtable: "", github: "", badgr: "" } };
  await state.startRun(runId, now());

  const syncs: Record<SkillsSource, (counts: SkillsCounts) => Promise<SourceOutcome>> = {
    airtable: (counts) => syncAssessments(deps, counts, now),
    github: (counts) => syncRelease(deps, counts),
    badgr: (counts) => syncBadges(deps, counts, now),
  };
  const inForce = new Map((await state.rateLimitsInForce(now())).map((l) => [l.api, l]));
  const learned: RateLimit[] = [];
  for (const name of SKILLS_SOURCES) {
    const previous = await state.source(name);
    const counts = zeroSkillsCounts();
    const limit = inForce.get(name);
    if (limit) {
      summary.sources[name] = notReached(limit);
      continue;
    }
    try {
      const outcome = await syncs[name](counts);
      await state.saveSource(name, { ...outcome, lastSuccess: now().toISOString(), counts });
      summary.sources[name] = "synced";
    } catch (error) {
      const message = (error as Error).message;
      counts.failed = Math.max(counts.failed, 1);
      // The last success and memo stay as they were: the next run starts from what is known good.
      await state.saveSource(name, { ...previous, lastError: message, counts });
      summary.sources[name] = message;
      if (error instanceof RateLimitedError) learned.push({ api: error.api, retryAt: error.retryAt.toISOString() });
      obs.logger.warn("skills sync failed for a source", { source: name, error: error as Error });
    } finally {
      for (const k of Object.keys(counts) as (keyof SkillsCounts)[]) summary.counts[k] += counts[k];
    }
  }

  const failed = SKILLS_SOURCES.filter((name) => summary.sources[name] !== "synced");
  const githubBudget = deps.github.client.learnedLimit(now().getTime());
  if (githubBudget) learned.push(githubBudget);
  await state.finishRun(runId, now(), summary.counts, failed.length ? failed.map((name) => `${name}: ${summary.sources[name]}`).join("; ") : undefined, learned);
  const metrics = { itemsSeen: summary.counts.seen, itemsCreated: summary.counts.created, itemsUpdated: summary.counts.updated, itemsSkipped: summary.counts.skipped, itemsFailed: summary.counts.failed };
  for (const [name, value] of Object.entries(metrics)) obs.metrics.addMetric(name, MetricUnit.Count, value);
  return summary;
}

/** Adds an upsert's outcome to the source's counts; records DynamoDB refused fail the source. */
function tally(counts: SkillsCounts, result: UpsertResult, what: string): void {
  counts.seen += result.seen;
  counts.created += result.created;
  counts.updated += result.updated;
  counts.skipped += result.unchanged;
  counts.failed += result.failed;
  if (result.failed) throw new Error(`${result.failed} ${what} could not be stored (${result.errors.join("; ")})`);
}

async function syncAssessments(deps: SkillsJobDeps, counts: SkillsCounts, now: () => Date): Promise<SourceOutcome> {
  const { client, baseId, table } = deps.airtable;
  const listing = await client.listRecords(baseId, table);
  const mirror = new MirrorTable(deps.db, deps.tables.assessments, "fields");
  const result = await mirror.upsert(
    listing.records.map((r) => ({ pk: r.id, content: r.fields, attributes: { createdTime: { S: r.createdTime } } })),
    now(),
  );
  tally(counts, result, "assessment record(s)");
  return { memo: { base: baseId, table, records: result.seen, pages: listing.pages, restarts: listing.restarts } };
}

async function syncRelease(deps: SkillsJobDeps, counts: SkillsCounts): Promise<SourceOutcome> {
  const { client, owner, repo } = deps.github;
  const release = await client.latestRelease(owner, repo);
  if (!release) return { memo: { repo: `${owner}/${repo}` } };
  counts.seen++;
  const archive = new ReleaseArchive(deps.s3, deps.bucket);
  const key = releaseKey(owner, repo, release.tag_name);
  if (await archive.has(key)) {
    counts.skipped++;
    return { memo: { repo: `${owner}/${repo}`, tag: release.tag_name, key } };
  }
  const tarball = await client.tarball(release);
  const stored = await archive.store(key, tarball, { "release-id": String(release.id), ...(release.published_at ? { "published-at": release.published_at } : {}) });
  counts.created++;
  deps.obs.logger.info("release tarball stored", { key, bytes: stored.bytes, parts: stored.parts });
  return { memo: { repo: `${owner}/${repo}`, tag: release.tag_name, key, bytes: stored.bytes } };
}

async function syncBadges(deps: SkillsJobDeps, counts: SkillsCounts, now: () => Date): Promise<SourceOutcome> {
  const { client, issuer } = deps.badgr;
  // Both listings first: a failure in either writes nothing.
  const badgeClasses = await client.badgeClasses(issuer);
  const assertions = await client.assertions(issuer);
  const syncedAt = now();
  const classes = await new MirrorTable(deps.db, deps.tables.badgeClasses, "data").upsert(
    badgeClasses.map((b) => ({ pk: b.entityId, content: b, ...(b.name ? { attributes: { name: { S: b.name } } } : {}) })),
    syncedAt,
  );
  tally(counts, classes, "badge class(es)");
  const awarded = await new MirrorTable(deps.db, deps.tables.assertions, "data").upsert(
    assertions.map((a) => ({
      pk: a.entityId,
      content: a,
      attributes: {
        ...(a.badgeclass ? { badgeclass: { S: a.badgeclass } } : {}),
        ...(a.issuedOn ? { issuedOn: { S: a.issuedOn } } : {}),
        revoked: { BOOL: a.revoked === true },
        revocationReason: a.revocationReason ? { S: a.revocationReason } : { NULL: true },
      },
    })),
    syncedAt,
  );
  tally(counts, awarded, "assertion(s)");
  return { memo: { issuer, badgeClasses: classes.seen, assertions: awarded.seen, revoked: assertions.filter((a) => a.revoked).length } };
}
