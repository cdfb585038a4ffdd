// Health: is the API up, how fast it answered, how its syncs are doing, and a link to the
// CloudWatch dashboard.
import { Api, ApiError } from "./api";
import type { SiteConfig } from "./config";
import { byId, fill, h } from "./dom";
import { timeEl } from "./format";

export interface JobHealth {
  /** What the job is called (its definition's title); absent from APIs deployed before titles. */
  title?: string;
  schedule: string;
  lastStart: string | null;
  lastSuccess: string | null;
  lastError: string | null;
  minutesSinceSuccess: number | null;
  stale: boolean | null;
}

/** `GET /health`: `syncs` holds every scheduled sync of the stack, by job name. */
export interface HealthBody {
  status: string;
  syncs?: Record<string, unknown>;
}

export type HealthResult =
  | { kind: "ok"; body: HealthBody; ms: number; at: string }
  /** The API answered, but has no /health route (a stack deployed before it had one). */
  | { kind: "no-route"; ms: number; at: string }
  | { kind: "error"; error: unknown; at: string };

/** What a job is called on the page: the title `/health` gives it, else its name. */
export const jobName = (key: string, job: JobHealth) => (typeof job.title === "string" && job.title ? job.title : key);

const isJob = (value: unknown): value is JobHealth => typeof value === "object" && value !== null && "lastSuccess" in value && "schedule" in value;

/** The jobs `/health` reports, in its order; anything that is not a job's shape is left out. */
export function healthJobs(body: HealthBody): [string, JobHealth][] {
  const syncs = typeof body.syncs === "object" && body.syncs !== null ? body.syncs : {};
  return Object.entries(syncs).filter((entry): entry is [string, JobHealth] => isJob(entry[1]));
}

/** `Syncs: 2 fresh.`, `Syncs: 1 fresh; stale: Skill-app sync.`, … */
function syncSummary(body: HealthBody): string {
  const jobs = healthJobs(body);
  if (jobs.length === 0) return "No scheduled syncs.";
  const fresh = jobs.filter(([, job]) => job.stale === false).length;
  const named = (label: string, pick: (job: JobHealth) => boolean) => {
    const names = jobs.filter(([, job]) => pick(job)).map(([key, job]) => jobName(key, job));
    return names.length ? [`${label}: ${names.join(", ")}`] : [];
  };
  const parts = [
    ...(fresh ? [`${fresh} fresh`] : []),
    ...named("stale", (job) => job.stale === true),
    ...named("not yet successful", (job) => job.lastSuccess === null),
    ...named("freshness unknown", (job) => job.lastSuccess !== null && job.stale === null),
  ];
  return `Syncs: ${parts.join("; ")}.`;
}

export async function checkHealth(api: Api): Promise<HealthResult> {
  const t0 = performance.now();
  const at = new Date().toISOString();
  try {
    const body = await api.get<HealthBody>("/health");
    return { kind: "ok", body, ms: Math.round(performance.now() - t0), at };
  } catch (error) {
    if (error instanceof ApiError && error.slug === "route-not-found") return { kind: "no-route", ms: Math.round(performance.now() - t0), at };
    return { kind: "error", error, at };
  }
}

export function renderHealth(result: HealthResult, config: SiteConfig): void {
  const state = byId("health-state");
  let badge: HTMLElement;
  let text: string;
  if (result.kind === "ok" && result.body.status === "ok") {
    badge = h("span", { class: "badge badge-active" }, "Up");
    text = `The API answered in ${result.ms} ms. ${syncSummary(result.body)}`;
  } else if (result.kind === "ok") {
    badge = h("span", { class: "badge badge-rescheduled" }, "Degraded");
    text = `The API reports status "${result.body.status}".`;
  } else if (result.kind === "no-route") {
    badge = h("span", { class: "badge badge-active" }, "Up");
    text = `The API answered in ${result.ms} ms (it has no /health route, so the syncs' status is unknown).`;
  } else {
    const error = result.error;
    const down = !(error instanceof ApiError) || error.status === 0;
    badge = h("span", { class: "badge badge-canceled" }, down ? "Down" : "Degraded");
    text = error instanceof Error ? error.message : String(error);
  }
  fill(state, badge, " ", text, " ", h("span", { class: "muted" }, "Checked ", timeEl(result.at, "relative"), "."));
  state.dataset.state = result.kind;

  fill(
    byId("health-endpoints"),
    h("dt", {}, "API"),
    h("dd", {}, h("code", {}, config.apiUrl)),
    h("dt", {}, "Live updates"),
    h("dd", {}, config.liveUrl ? h("code", {}, config.liveUrl) : "not configured"),
  );
  fill(
    byId("health-dashboard"),
    config.dashboardUrl
      ? h("a", { href: config.dashboardUrl, target: "_blank", rel: "noopener noreferrer", class: "button-link" }, "Open the CloudWatch dashboard", h("span", { class: "visually-hidden" }, " (opens in a new tab)"))
      : "No CloudWatch dashboard is linked in this site's config (local mode has none).",
  );
}
