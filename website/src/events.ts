// The Events pages: client-side routes under /events (the site serves index.html for any path
// without a file extension). Links inside them navigate with history.pushState; Back works.
import type { Api } from "./api";
import type { SiteConfig } from "./config";
import { fill, h } from "./dom";
import { EventsApi } from "./events-api";
import { Auth } from "./events-auth";
import { homePage } from "./events-home";
import { managePage } from "./events-manage";
import { problemText, type Ctx } from "./events-ui";
import { rsvpPage, viewPage } from "./events-view";

const PAGES: Record<string, { title: string; render: (ctx: Ctx, params: URLSearchParams) => Promise<void> }> = {
  "/events/": { title: "Events", render: (ctx) => homePage(ctx) },
  "/events/manage": { title: "Manage event", render: managePage },
  "/events/view": { title: "Event", render: viewPage },
  "/events/rsvp": { title: "Invitation", render: rsvpPage },
};

export async function initEvents(api: Api, config: SiteConfig, root: HTMLElement): Promise<void> {
  const auth = config.auth ? new Auth(config.auth) : undefined;
  const events = new EventsApi(api, auth);

  let rendering = 0;
  const route = async (focus: boolean) => {
    const trimmed = location.pathname.replace(/\/+$/, "");
    const path = trimmed === "/events" ? "/events/" : trimmed;
    const page = PAGES[path];
    const run = ++rendering;
    document.title = `${page?.title ?? "Not found"} · Switchyard`;
    root.setAttribute("aria-busy", "true");
    fill(root, h("p", { class: "state" }, "Loading…"));
    // Each visit renders into its own element, shown only if no later navigation overtook it.
    const view = h("div");
    const pageCtx: Ctx = { ...ctx, root: view };
    if (page) await page.render(pageCtx, new URLSearchParams(location.search));
    else fill(view, h("h1", { tabindex: "-1" }, "Page not found"), h("p", {}, "No such Events page. ", h("a", { href: "/events/" }, "All events")));
    if (run !== rendering) return;
    fill(root, view);
    root.removeAttribute("aria-busy");
    const heading = view.querySelector<HTMLElement>("h1");
    if (heading) document.title = `${heading.textContent} · Switchyard`;
    if (focus) heading?.focus();
  };

  const ctx: Ctx = {
    events,
    root,
    go(path, replace = false) {
      history[replace ? "replaceState" : "pushState"](null, "", path);
      void route(true);
    },
    authBar() {
      if (!auth) return h("p", { class: "auth-bar muted" }, "Sign-in is not configured for this site: public events only.");
      const email = auth.email;
      const button = h("button", { type: "button", class: "secondary" }, email ? "Sign out" : "Sign in");
      button.addEventListener("click", () => (email ? auth.signOut() : void auth.signIn()));
      return h("div", { class: "auth-bar" }, email ? h("span", {}, "Signed in as ", h("strong", {}, email)) : h("span", { class: "muted" }, "Sign in to create and manage events."), button);
    },
  };

  // Same-origin links to /events pages stay in the page.
  document.addEventListener("click", (e) => {
    const a = (e.target as Element).closest?.("a[href]") as HTMLAnchorElement | null;
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || a.target) return;
    const url = new URL(a.href);
    if (url.origin !== location.origin || !url.pathname.startsWith("/events")) return;
    e.preventDefault();
    ctx.go(url.pathname + url.search);
  });
  window.addEventListener("popstate", () => void route(true));

  if (auth) {
    try {
      const next = await auth.handleCallback();
      if (next) history.replaceState(null, "", next);
    } catch (error) {
      history.replaceState(null, "", "/events/");
      await route(false);
      root.prepend(h("div", { class: "alert", role: "alert", tabindex: "-1" }, h("p", {}, ...problemText(error))));
      root.querySelector<HTMLElement>(".alert")?.focus();
      return;
    }
  }
  await route(false);
}
