import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Observability } from "../shared/observability";
import type { Gist, GitHubClient } from "./github";
import { customFieldText, type PipedriveClient } from "./pipedrive";
import { notReached, RateLimitedError, type RateLimit } from "./rate-limit";
import { zeroCounts, type Counts, type RunStateStore } from "./run-state";

export interface GistsJobDeps {
  github: GitHubClient;
  pipedrive: PipedriveClient;
  state: RunStateStore;
  obs: Observability;
  /** GitHub users whose public gists become deals. */
  users: string[];
  /** Key of the Pipedrive deal custom field that holds the gist URL. */
  gistUrlField: string;
  now?: () => Date;
}

export interface GistsRunSummary {
  runId: string;
  counts: Counts;
  /** Per user: "unchanged" (a 304), "synced", or the error that stopped it. */
  users: Record<string, string>;
  /** Set when an API throttled the run: the rest waits for the next run. */
  rateLimited?: { api: string; retryAt: string };
}

/** What the run state keeps per gist (and the read API shows): the deal id once it exists. */
export interface GistItem {
  url: string;
  user: string;
  title: string;
  createdAt: string;
  dealId?: number;
}

/** The deal title: the gist's description, else its first file name. */
export function dealTitle(gist: Gist): string {
  const text = gist.description?.trim() || Object.values(gist.files)[0]?.filename || gist.id;
  return text.length > 255 ? `${text.slice(0, 254)}…` : text;
}

/**
 * One run of the gists → Pipedrive job. Pipedrive, not the run state, decides whether a gist
 * already has a deal: for each user, list the public gists conditionally (the stored ETag makes an
 * unchanged listing one 304, and then nothing else is called); when a gist is not confirmed in the
 * run state, read the user's organization's deals once from Pipedrive's database listing (not its
 * search index, which may lag) and match the gist URL field, so an empty or lost state table, a
 * second deployment, or a crash between any two calls creates no duplicate. Only a gist with no deal
 * gets one, after its intent is recorded. The organization is found by name in the database
 * listing too, or created. The ETag is saved only once every gist is confirmed. Rate limits a run learns are kept in the run state: the next run before their reset
 * makes no request at all and says when it will. Any other failure fails only that user.
 */
export async function runGistsJob(deps: GistsJobDeps, runId: string): Promise<GistsRunSummary> {
  const { github, pipedrive, state, obs, users, gistUrlField } = deps;
  const now = deps.now ?? (() => new Date());
  const summary: GistsRunSummary = { runId, counts: zeroCounts(), users: {} };
  await state.startRun(runId, now());
  // A limit an earlier run learned: nothing is sent before it is over (GitHub would refuse it).
  const [inForce] = await state.rateLimitsInForce(now());
  if (inForce) summary.rateLimited = inForce;

  for (const user of users) {
    if (summary.rateLimited) {
      summary.users[user] = notReached(summary.rateLimited);
      continue;
    }
    const sourceName = `github:${user}`;
    const source = await state.source(sourceName);
    const counts = zeroCounts();
    const memo: Record<string, string | number> = { ...source.memo };
    try {
      const listing = await github.listGists(user, source.etag);
      if (listing.status === "not-modified") {
        summary.users[user] = "unchanged";
        continue;
      }
      // Oldest first, so a throttled run leaves the newest for next time rather than gaps.
      const gists = [...listing.gists].sort((a, b) => a.created_at.localeCompare(b.created_at));
      const pending: { gist: Gist; about: GistItem; key: string; intent: boolean }[] = [];
      for (const gist of gists) {
        counts.seen++;
        const key = `gist:${gist.id}`;
        const item = await state.item<GistItem>(key);
        if (item?.status === "confirmed") counts.skipped++;
        else pending.push({ gist, key, intent: item !== undefined, about: { url: gist.html_url, user, title: dealTitle(gist), createdAt: gist.created_at } });
      }
      if (pending.length) {
        const org = await organizationOf(user, memo, pipedrive);
        // An organization made just now has no deals; an existing one is asked what it has.
        const deals = org.created ? new Map<string, number>() : await dealsByGistUrl(pipedrive, org.id, gistUrlField);
        for (const { gist, about, key, intent } of pending) {
          const existing = deals.get(gist.html_url);
          if (existing !== undefined) {
            await state.confirm<GistItem>(key, { ...about, dealId: existing }, now());
            counts.skipped++;
            continue;
          }
          if (!intent) await state.recordIntent<GistItem>(key, about, now());
          const dealId = await pipedrive.createDeal({ title: about.title, orgId: org.id, customFields: { [gistUrlField]: gist.html_url } });
          await state.confirm<GistItem>(key, { ...about, dealId }, now());
          counts.created++;
        }
      }
      await state.saveSource(sourceName, { etag: listing.etag, memo, lastSuccess: now().toISOString(), counts });
      summary.users[user] = "synced";
    } catch (error) {
      counts.failed++;
      const message = (error as Error).message;
      await state.saveSource(sourceName, { ...source, memo, lastError: message, counts });
      summary.users[user] = message;
      if (error instanceof RateLimitedError) summary.rateLimited = { api: error.api, retryAt: error.retryAt.toISOString() };
      obs.logger.warn("gists sync failed for a user", { user, error: error as Error });
    } finally {
      for (const k of Object.keys(counts) as (keyof Counts)[]) summary.counts[k] += counts[k];
    }
  }

  // What this run learned of GitHub's budget, even from answers that succeeded (none left until the reset).
  const learned = [summary.rateLimited, github.learnedLimit(now().getTime())].filter((l): l is RateLimit => l !== undefined);
  const failed = Object.entries(summary.users).filter(([, v]) => !["unchanged", "synced"].includes(v));
  await state.finishRun(runId, now(), summary.counts, failed.length ? failed.map(([u, e]) => `${u}: ${e}`).join("; ") : undefined, learned);
  if (inForce) obs.logger.warn("gists sync skipped: a rate limit is in force", { api: inForce.api, retryAt: inForce.retryAt });
  for (const [name, value] of Object.entries({ itemsSeen: summary.counts.seen, itemsCreated: summary.counts.created, itemsSkipped: summary.counts.skipped, itemsFailed: summary.counts.failed })) {
    obs.metrics.addMetric(name, MetricUnit.Count, value);
  }
  return summary;
}

/**
 * The user's organization: remembered in the memo, else found by name in Pipedrive's database
 * listing (so one a crashed run created is found too), else created.
 */
async function organizationOf(user: string, memo: Record<string, string | number>, pipedrive: PipedriveClient): Promise<{ id: number; created: boolean }> {
  if (typeof memo.orgId === "number") return { id: memo.orgId, created: false };
  const found = await pipedrive.findOrganization(user);
  const id = found ?? (await pipedrive.createOrganization(user));
  memo.orgId = id;
  return { id, created: found === undefined };
}

/** The organization's deals by the gist URL in `field` (deals without one are not the job's). */
async function dealsByGistUrl(pipedrive: PipedriveClient, orgId: number, field: string): Promise<Map<string, number>> {
  const byUrl = new Map<string, number>();
  for (const deal of await pipedrive.dealsOfOrganization(orgId)) {
    const url = customFieldText(deal.custom_fields?.[field]);
    if (url !== undefined && !byUrl.has(url)) byUrl.set(url, deal.id);
  }
  return byUrl;
}
