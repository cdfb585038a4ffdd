// The Switchyard website: one page, four sections, no framework, plus the Events pages under
// /events (client-side routes, see events.ts). Reads /config.json (written at deploy time from the
// stack's outputs, or by local mode) to find the API; never hard-codes one.
import { Api } from "./api";
import { parseSiteConfig, type SiteConfig } from "./config";
import { byId, fill, h } from "./dom";
import { initEvents } from "./events";
import { checkHealth, renderHealth } from "./health";
import { initMeetings } from "./meetings";
import { initMessages } from "./messages";
import { initSync } from "./sync";

async function loadConfig(): Promise<SiteConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  return parseSiteConfig(await response.json());
}

const onEvents = location.pathname === "/events" || location.pathname.startsWith("/events/");

async function main() {
  if (onEvents) {
    byId("home").hidden = true;
    byId("events-root").hidden = false;
    byId("nav-events").setAttribute("aria-current", "page");
  }
  let config: SiteConfig;
  try {
    config = await loadConfig();
  } catch (error) {
    fill(byId("page-alert"), h("p", {}, "This site cannot find its API: ", (error as Error).message, ". Reload to try again."));
    for (const state of document.querySelectorAll<HTMLElement>("[data-loading]")) state.textContent = "Unavailable: the site's configuration could not be loaded.";
    return;
  }
  const api = new Api(config.apiUrl);
  if (onEvents) return initEvents(api, config, byId("events-root"));
  initMessages(api);
  initMeetings(api, config.liveUrl);
  const sync = initSync(api);
  const refreshHealth = async () => {
    const result = await checkHealth(api);
    renderHealth(result, config);
    sync.renderJobs(result);
  };
  byId("health-refresh").addEventListener("click", () => void refreshHealth());
  await refreshHealth();
}

void main();
