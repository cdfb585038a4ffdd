// Meetings: latest status per meeting and each meeting's history. New, canceled and rescheduled
// meetings arrive over the live WebSocket and are merged in place, without a reload.
import { isSmokeMeeting } from "../../handlers/shared/smoke-marker";
import { Api } from "./api";
import { byId, fill, h, isBusy, setBusy } from "./dom";
import { timeEl } from "./format";
import { LiveConnection, type LiveState } from "./live";
import { showError } from "./problems";

type Status = "active" | "canceled" | "rescheduled";

interface MeetingLink {
  meetingId: string;
  inviteeId: string;
}

interface Invitee {
  id: string;
  name?: string;
  email?: string;
  status: Status;
  rescheduledTo?: MeetingLink;
  rescheduledFrom?: MeetingLink;
}

interface Meeting {
  id: string;
  name?: string;
  startTime?: string;
  endTime?: string;
  status: Status;
  rescheduledTo?: MeetingLink;
  invitees: Invitee[];
  updatedAt: string;
}

interface MeetingEvent {
  id: string;
  type: string;
  occurredAt: string;
  receivedAt: string;
  invitee?: { name?: string; email?: string };
  rescheduled?: boolean;
}

interface LivePush {
  type: "meeting";
  meeting: Meeting;
  event?: MeetingEvent;
}

interface Entry {
  meeting: Meeting;
  li: HTMLLIElement;
  button: HTMLButtonElement;
  panel: HTMLDivElement;
}

const PAGE = 20;
const STATUS_LABEL: Record<Status, string> = { active: "Active", canceled: "Canceled", rescheduled: "Rescheduled" };
const safeId = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, "_");

const isPush = (data: unknown): data is LivePush =>
  typeof data === "object" && data !== null && (data as LivePush).type === "meeting" && typeof (data as LivePush).meeting?.id === "string";

function who(invitees: Invitee[]): string {
  const people = invitees.map((i) => [i.name, i.email && `(${i.email})`].filter(Boolean).join(" ") || "someone");
  if (people.length === 0) return "No invitees yet";
  return people.length <= 2 ? people.join(", ") : `${people[0]} and ${people.length - 1} others`;
}

function duration(m: Meeting): string {
  if (!m.startTime || !m.endTime) return "";
  const minutes = Math.round((Date.parse(m.endTime) - Date.parse(m.startTime)) / 60_000);
  return minutes > 0 ? ` · ${minutes} min` : "";
}

function eventLabel(e: MeetingEvent): string {
  if (e.type === "invitee.created") return e.rescheduled ? "Booked (moved here from another time)" : "Booked";
  if (e.type === "invitee.canceled") return e.rescheduled ? "Rescheduled to another time" : "Canceled";
  return e.type;
}

export function initMeetings(api: Api, liveUrl: string | undefined): void {
  const list = byId<HTMLUListElement>("meeting-list");
  const state = byId("meetings-state");
  const error = byId("meetings-error");
  const more = byId<HTMLButtonElement>("more-meetings");
  const liveState = byId("live-state");
  const liveText = byId("live-text");
  const reconnect = byId<HTMLButtonElement>("live-reconnect");
  const announcer = byId("live-announcer");
  const entries = new Map<string, Entry>();
  let cursor: string | null = null;
  let pagedFurther = false;

  function summary(entry: Entry) {
    const m = entry.meeting;
    fill(
      entry.button,
      h("span", { class: "meeting-name" }, m.name ?? "Meeting"),
      h("span", { class: `badge badge-${m.status}` }, STATUS_LABEL[m.status] ?? m.status),
      h("span", { class: "meeting-when" }, m.startTime ? timeEl(m.startTime) : "Time not known yet", duration(m)),
      h("span", { class: "meeting-who" }, who(m.invitees)),
      m.rescheduledTo ? h("span", { class: "meeting-note" }, "Moved to another booking") : null,
    );
    entry.li.dataset.status = m.status;
  }

  /** Where the meeting goes: latest start first, as the API lists them. Moved only when needed (moving a node drops its focus). */
  function place(entry: Entry) {
    const start = (m: Meeting) => (m.startTime ? Date.parse(m.startTime) : -Infinity);
    const mine = start(entry.meeting);
    let before: Element | null = null;
    for (const li of list.children) {
      if (li === entry.li) continue;
      const other = entries.get((li as HTMLElement).dataset.meetingId ?? "");
      if (other && start(other.meeting) < mine) {
        before = li;
        break;
      }
    }
    const inPlace = entry.li.parentNode === list && (before ? entry.li.nextElementSibling === before : entry.li === list.lastElementChild);
    if (!inPlace) list.insertBefore(entry.li, before);
  }

  async function loadHistory(entry: Entry, append = false) {
    const panel = entry.panel;
    const after = append ? panel.dataset.cursor : undefined;
    if (!append) fill(panel, h("p", { class: "state" }, "Loading the history…"));
    try {
      const page = await api.get<{ items: MeetingEvent[]; nextCursor: string | null }>(
        `/meetings/${encodeURIComponent(entry.meeting.id)}/events?limit=${PAGE}${after ? `&cursor=${encodeURIComponent(after)}` : ""}`,
      );
      const items = page.items.map((e) =>
        h(
          "li",
          { "data-event-id": e.id },
          h("span", { class: "event-type" }, eventLabel(e)),
          e.invitee ? h("span", { class: "event-who" }, [e.invitee.name, e.invitee.email && `(${e.invitee.email})`].filter(Boolean).join(" ")) : null,
          h("span", { class: "meta" }, timeEl(e.occurredAt), " · received ", timeEl(e.receivedAt, "relative")),
        ),
      );
      let ol = panel.querySelector("ol");
      if (!append || !ol) {
        ol = h("ol", { class: "history-list", "aria-label": `History of ${entry.meeting.name ?? "the meeting"}, newest first` });
        fill(panel, page.items.length ? ol : h("p", { class: "state" }, "No events recorded for this meeting."));
      }
      ol.append(...items);
      panel.querySelector(".older-events")?.remove();
      if (page.nextCursor) {
        panel.dataset.cursor = page.nextCursor;
        const button = h("button", { type: "button", class: "secondary older-events" }, "Older events");
        button.addEventListener("click", () => void loadHistory(entry, true));
        panel.append(button);
      }
    } catch (err) {
      const alert = h("div", { class: "alert", role: "alert" });
      showError(alert, err, { prefix: "The history could not be loaded:" });
      if (append) panel.append(alert);
      else fill(panel, alert);
    }
  }

  function upsert(meeting: Meeting, fresh: boolean): Entry {
    let entry = entries.get(meeting.id);
    if (!entry) {
      const panelId = `history-${safeId(meeting.id)}`;
      const button = h("button", { type: "button", class: "meeting-toggle", "aria-expanded": "false", "aria-controls": panelId });
      const panel = h("div", { id: panelId, class: "history", hidden: true });
      const li = h("li", { class: "meeting", "data-meeting-id": meeting.id }, button, panel);
      const created: Entry = { meeting, li, button, panel };
      button.addEventListener("click", () => {
        const open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", String(open));
        panel.hidden = !open;
        if (open) void loadHistory(created);
      });
      entry = created;
      entries.set(meeting.id, entry);
    } else {
      entry.meeting = meeting;
    }
    summary(entry);
    place(entry);
    if (fresh) {
      entry.li.classList.remove("is-new");
      void entry.li.offsetWidth; // restart the highlight animation
      entry.li.classList.add("is-new");
    }
    state.textContent = "";
    return entry;
  }

  async function loadFirstPage() {
    if (entries.size === 0) fill(state, "Loading meetings…");
    list.setAttribute("aria-busy", "true");
    try {
      const page = await api.get<{ items: Meeting[]; nextCursor: string | null }>(`/meetings?limit=${PAGE}`);
      for (const meeting of page.items) if (!isSmokeMeeting(meeting.name)) upsert(meeting, false);
      if (!pagedFurther) cursor = page.nextCursor;
      more.hidden = cursor === null;
      error.replaceChildren();
      fill(state, entries.size === 0 ? "No meetings yet. They appear here the moment a Calendly webhook arrives." : "");
    } catch (err) {
      if (entries.size === 0) state.textContent = "";
      showError(error, err, { prefix: "The meetings could not be loaded:" });
    } finally {
      list.removeAttribute("aria-busy");
    }
  }

  more.addEventListener("click", async () => {
    if (!cursor || isBusy(more)) return;
    setBusy(more, true);
    try {
      const page = await api.get<{ items: Meeting[]; nextCursor: string | null }>(`/meetings?limit=${PAGE}&cursor=${encodeURIComponent(cursor)}`);
      for (const meeting of page.items) if (!isSmokeMeeting(meeting.name)) upsert(meeting, false);
      pagedFurther = true;
      cursor = page.nextCursor;
      more.hidden = cursor === null;
    } catch (err) {
      showError(error, err, { prefix: "More meetings could not be loaded:" });
    } finally {
      setBusy(more, false);
    }
  });

  function onPush(push: LivePush) {
    // The smoke test's meeting stays out of the list (handlers/shared/smoke-marker.ts).
    if (isSmokeMeeting(push.meeting.name)) return;
    const before = entries.get(push.meeting.id)?.meeting;
    const entry = upsert(push.meeting, true);
    const name = push.meeting.name ?? "A meeting";
    const what = !before ? `New meeting: ${name}` : before.status !== push.meeting.status ? `${name} is now ${STATUS_LABEL[push.meeting.status].toLowerCase()}` : `${name} was updated`;
    announcer.textContent = `${what}.`;
    if (!entry.panel.hidden) void loadHistory(entry);
  }

  if (!liveUrl) {
    liveState.dataset.state = "off";
    liveText.textContent = "Live updates are off (this site's config has no live endpoint)";
    void loadFirstPage();
    return;
  }

  let countdown: number | undefined;
  const showState = (s: LiveState) => {
    window.clearInterval(countdown);
    liveState.dataset.state = s.kind;
    reconnect.hidden = s.kind !== "offline";
    if (s.kind === "live") liveText.textContent = "Live";
    else if (s.kind === "connecting") liveText.textContent = "Connecting…";
    else {
      const tick = () => (liveText.textContent = `Offline — retrying in ${Math.max(1, Math.ceil((s.retryAt - Date.now()) / 1000))} s`);
      tick();
      countdown = window.setInterval(tick, 1000);
    }
  };
  let everLive = false;
  let lossAnnounced = false;
  const live = new LiveConnection(liveUrl, {
    onState: (s) => {
      showState(s);
      if (s.kind === "live") {
        announcer.textContent = everLive ? "Live updates are back." : "Live updates connected.";
        everLive = true;
        lossAnnounced = false;
      } else if (s.kind === "offline" && everLive && !lossAnnounced) {
        announcer.textContent = "Live updates lost; reconnecting.";
        lossAnnounced = true;
      }
    },
    onMessage: (data) => {
      if (isPush(data)) onPush(data);
    },
    // Pushes are best effort: whatever was missed while away is in the list's first page.
    onOpen: () => void loadFirstPage(),
  });
  reconnect.addEventListener("click", () => live.reconnectNow());
  void loadFirstPage();
  live.connect();
}
