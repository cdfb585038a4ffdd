// Sync: how each scheduled job is doing (every job in /health's `syncs`), the GitHub users the
// gists sync scans, and the gists synced since this browser's last visit (GET /gists with its
// session cookie).
import { Api, ApiError } from "./api";
import { byId, fill, h, isBusy, setBusy } from "./dom";
import { plural, timeEl } from "./format";
import { healthJobs, jobName, type HealthResult, type JobHealth } from "./health";
import { showError } from "./problems";

interface ScannedUser {
  user: string;
  lastSuccess: string | null;
  lastError: string | null;
  counts: { seen: number; created: number; skipped: number; failed: number } | null;
}

interface Gist {
  id: string;
  user: string;
  title: string;
  url: string;
  dealId: number | string | null;
  createdAt: string;
  syncedAt: string;
}

const NOT_CONFIGURED = "The gists sync is not configured in this stack.";
const notConfigured = (error: unknown) => error instanceof ApiError && error.slug === "route-not-found";

/** `rate(30 minutes)` → `every 30 minutes`; cron expressions as they are. */
const every = (schedule: string) => schedule.replace(/^rate\((\d+) (\w+)\)$/, (_m, n: string, unit: string) => (n === "1" ? `every ${unit.replace(/s$/, "")}` : `every ${n} ${unit}`));

const minutes = (n: number) => (n < 1 ? "under a minute" : n < 120 ? `${Math.round(n)} min` : `${Math.round(n / 6) / 10} h`);

function freshness(job: JobHealth): HTMLElement {
  if (!job.lastSuccess) return h("span", { class: "badge badge-canceled" }, "Not yet successful");
  if (job.stale === true) return h("span", { class: "badge badge-canceled" }, "Stale");
  if (job.stale === false) return h("span", { class: "badge badge-active" }, "Fresh");
  return h("span", { class: "badge badge-neutral" }, "Freshness unknown");
}

function jobCard(key: string, job: JobHealth): HTMLElement {
  return h(
    "div",
    { class: "job", "data-job": key, "data-stale": String(job.stale) },
    h("h4", {}, jobName(key, job), " ", freshness(job)),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Schedule"),
      h("dd", {}, every(job.schedule)),
      h("dt", {}, "Last run"),
      h("dd", {}, job.lastStart ? timeEl(job.lastStart, "relative") : "never"),
      h("dt", {}, "Last success"),
      h("dd", {}, job.lastSuccess ? timeEl(job.lastSuccess, "relative") : "never"),
      job.minutesSinceSuccess !== null ? h("dt", {}, "Freshness") : null,
      job.minutesSinceSuccess !== null ? h("dd", {}, `${minutes(job.minutesSinceSuccess)} since the last success${job.stale === true ? " (more than two intervals)" : ""}`) : null,
      job.lastError ? h("dt", {}, "Last error") : null,
      job.lastError ? h("dd", { class: "error-text" }, job.lastError) : null,
    ),
  );
}

export function initSync(api: Api) {
  const gistsPart = byId("sync-gists");
  const jobs = byId("sync-jobs");
  const users = byId("sync-users");
  const gistList = byId<HTMLOListElement>("gist-list");
  const gistState = byId("gist-state");
  const gistMore = byId<HTMLButtonElement>("gist-check");
  const gistError = byId("gist-error");

  /** The gists routes answer 404: this stack has no gists sync (the jobs above still show). */
  const showNotConfigured = () => {
    fill(gistsPart, h("p", { class: "state", "data-state": "not-configured" }, NOT_CONFIGURED, " Set ", h("code", {}, "switchyard:syncs.gists"), " to turn it on."));
  };

  function renderJobs(result: HealthResult) {
    if (result.kind === "no-route") return fill(jobs, h("p", { class: "state" }, "This API has no /health route, so the syncs' status is unknown."));
    if (result.kind === "error") {
      const alert = h("div", { class: "alert", role: "alert" });
      showError(alert, result.error, { prefix: "The sync status could not be read:" });
      fill(jobs, alert);
      return;
    }
    const cards = healthJobs(result.body).map(([key, job]) => jobCard(key, job));
    fill(jobs, ...(cards.length ? cards : [h("p", { class: "state" }, "The API reports no scheduled jobs.")]));
  }

  async function loadUsers() {
    fill(users, h("p", { class: "state" }, "Loading scanned users…"));
    try {
      const { items } = await api.get<{ items: ScannedUser[] }>("/users/scanned");
      if (items.length === 0) return fill(users, h("p", { class: "state" }, "No GitHub users scanned yet: the first run has not finished."));
      fill(
        users,
        h(
          "table",
          { class: "users" },
          h("caption", {}, `${plural(items.length, "GitHub user")} scanned`),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "User"), h("th", { scope: "col" }, "Last success"), h("th", { scope: "col" }, "Deals"), h("th", { scope: "col" }, "Status"))),
          h(
            "tbody",
            {},
            ...items.map((u) =>
              h(
                "tr",
                { "data-user": u.user },
                h("th", { scope: "row" }, u.user),
                h("td", {}, u.lastSuccess ? timeEl(u.lastSuccess, "relative") : "never"),
                h("td", {}, u.counts ? String(u.counts.created) : "–"),
                h("td", {}, u.lastError ? h("span", { class: "error-text" }, u.lastError) : u.lastSuccess ? "OK" : "pending"),
              ),
            ),
          ),
        ),
      );
    } catch (error) {
      if (notConfigured(error)) return showNotConfigured();
      const alert = h("div", { class: "alert", role: "alert" });
      showError(alert, error, { prefix: "The scanned users could not be loaded:" });
      fill(users, alert);
    }
  }

  /** Each call moves this browser's place forward, so what it shows is shown once. */
  async function loadGists(append: boolean) {
    if (isBusy(gistMore)) return;
    setBusy(gistMore, true);
    gistError.replaceChildren();
    if (!append) fill(gistState, "Checking for new gists…");
    try {
      const page = await api.get<{ items: Gist[]; more: boolean }>("/gists", { credentials: "include" });
      if (!append) gistList.replaceChildren();
      gistList.append(
        ...page.items.map((g) =>
          h(
            "li",
            { class: "gist", "data-gist-id": g.id },
            h("a", { href: g.url, target: "_blank", rel: "noopener noreferrer" }, g.title || g.id),
            h("span", { class: "meta" }, `by ${g.user} · synced `, timeEl(g.syncedAt, "relative"), g.dealId !== null ? ` · deal ${g.dealId}` : ""),
          ),
        ),
      );
      const n = gistList.children.length;
      fill(gistState, n === 0 ? "Nothing new since your last visit." : `${plural(n, "new gist")} since your last visit.`);
      gistMore.hidden = false;
      gistMore.textContent = page.more ? "Show more" : "Check again";
    } catch (error) {
      if (notConfigured(error)) return showNotConfigured();
      fill(gistState);
      showError(gistError, error, { prefix: "New gists could not be loaded:" });
    } finally {
      setBusy(gistMore, false);
    }
  }

  gistMore.addEventListener("click", () => void loadGists(true));
  void loadUsers();
  void loadGists(false);
  return { renderJobs };
}
