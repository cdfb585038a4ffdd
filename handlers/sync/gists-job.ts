import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Observability } from "../shared/observability";
import type { Gist, GitHubClient } from "./github";
import type { PipedriveClient } from "./pipedrive";
import { RateLimitedError } from "./rate-limit";
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
 * One run of the gists → Pipedrive job. For each user: list public gists conditionally (the
 * stored ETag makes an unchanged listing one 304); for each gist not yet confirmed, record the
 * intent, then find-or-create the user's organization and create one deal carrying the gist URL.
 * A gist whose intent exists but was never confirmed (a crash between calls) is first searched for
 * in Pipedrive by its URL, so a re-run never creates a duplicate. The ETag is saved only once every
 * gist of the listing is confirmed, so nothing is skipped after a partial run. A throttled API
 * ends the run (progress kept, the next run continues); any other failure fails only that user.
 */
export async function runGistsJob(deps: GistsJobDeps, runId: string): Promise<GistsRunSummary> {
  const { github, pipedrive, state, obs, users, gistUrlField } = deps;
  const now = deps.now ?? (() => new Date());
  const summary: GistsRunSummary = { runId, counts: zeroCounts(), users: {} };
  await state.startRun(runId, now());

  for (const user of users) {
    if (summary.rateLimited) {
      summary.users[user] = "not reached (rate limited)";
      continue;
    }
    const sourceName = `github:${user}`;
    const source = await state.source(sourceName);
    const counts = zeroCounts();
    let orgId = typeof source.memo?.orgId === "number" ? source.memo.orgId : undefined;
    try {
      const listing = await github.listGists(user, source.etag);
      if (listing.status === "not-modified") {
        summary.users[user] = "unchanged";
        continue;
      }
      // Oldest first, so a throttled run leaves the newest for next time rather than gaps.
      for (const gist of [...listing.gists].sort((a, b) => a.created_at.localeCompare(b.created_at))) {
        counts.seen++;
        const key = `gist:${gist.id}`;
        const about: GistItem = { url: gist.html_url, user, title: dealTitle(gist), createdAt: gist.created_at };
        const item = await state.item<GistItem>(key);
        if (item?.status === "confirmed") {
          counts.skipped++;
          continue;
        }
        if (item) {
          // A previous run recorded the intent but never confirmed: did the deal get created?
          const existing = await pipedrive.findDealByCustomField(gist.html_url);
          if (existing !== undefined) {
            await state.confirm<GistItem>(key, { ...about, dealId: existing }, now());
            counts.skipped++;
            continue;
          }
        } else {
          await state.recordIntent<GistItem>(key, about, now());
        }
        orgId ??= (await pipedrive.findOrganization(user)) ?? (await pipedrive.createOrganization(user));
        const dealId = await pipedrive.createDeal({ title: about.title, orgId, customFields: { [gistUrlField]: gist.html_url } });
        await state.confirm<GistItem>(key, { ...about, dealId }, now());
        counts.created++;
      }
      await state.saveSource(sourceName, { etag: listing.etag, memo: orgId === undefined ? {} : { orgId }, lastSuccess: now().toISOString(), counts });
      summary.users[user] = "synced";
    } catch (error) {
      counts.failed++;
      const message = (error as Error).message;
      await state.saveSource(sourceName, { ...source, ...(orgId === undefined ? {} : { memo: { orgId } }), lastError: message, counts });
      summary.users[user] = message;
      if (error instanceof RateLimitedError) summary.rateLimited = { api: error.api, retryAt: error.retryAt.toISOString() };
      obs.logger.warn("gists sync failed for a user", { user, error: error as Error });
    } finally {
      for (const k of Object.keys(counts) as (keyof Counts)[]) summary.counts[k] += counts[k];
    }
  }

  const failed = Object.entries(summary.users).filter(([, v]) => !["unchanged", "synced"].includes(v));
  await state.finishRun(runId, now(), summary.counts, failed.length ? failed.map(([u, e]) => `${u}: ${e}`).join("; ") : undefined);
  for (const [name, value] of Object.entries({ itemsSeen: summary.counts.seen, itemsCreated: summary.counts.created, itemsSkipped: summary.counts.skipped, itemsFailed: summary.counts.failed })) {
    obs.metrics.addMetric(name, MetricUnit.Count, value);
  }
  return summary;
}
