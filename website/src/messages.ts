// Messages: post one, watch the exact count move, look one up by id, page through the list.
import { Api, ApiError } from "./api";
import { byId, fill, h, isBusy, setBusy } from "./dom";
import { plural, timeEl } from "./format";
import { clearError, showError } from "./problems";

interface Message {
  id: string;
  message: string;
  createdAt: string;
}

const PAGE = 10;
/** The API's limit (handlers/messages/schemas.ts); the counter warns past it, the API decides. */
const MAX_LENGTH = 1000;

function messageItem(m: Message, fresh = false): HTMLLIElement {
  return h(
    "li",
    { class: fresh ? "message is-new" : "message", "data-message-id": m.id },
    h("p", { class: "message-text" }, m.message),
    h("p", { class: "meta" }, timeEl(m.createdAt), " · ", h("code", { class: "id" }, m.id)),
  );
}

export function initMessages(api: Api): void {
  const count = byId("message-count");
  const countLabel = byId("message-count-label");
  const sectionError = byId("messages-error");
  const form = byId<HTMLFormElement>("post-form");
  const text = byId<HTMLTextAreaElement>("message-text");
  const length = byId("message-length");
  const postError = byId("post-error");
  const postStatus = byId("post-status");
  const submit = byId<HTMLButtonElement>("post-submit");
  const lookupForm = byId<HTMLFormElement>("lookup-form");
  const lookupId = byId<HTMLInputElement>("lookup-id");
  const lookupError = byId("lookup-error");
  const lookupResult = byId("lookup-result");
  const list = byId<HTMLOListElement>("message-list");
  const listState = byId("message-list-state");
  const older = byId<HTMLButtonElement>("older-messages");
  let cursor: string | null = null;

  async function loadCount() {
    count.classList.add("is-loading");
    try {
      const { count: n } = await api.get<{ count: number }>("/messages");
      count.textContent = n.toLocaleString();
      countLabel.textContent = n === 1 ? "message stored" : "messages stored";
      clearError(sectionError);
      return n;
    } catch (error) {
      count.textContent = "–";
      showError(sectionError, error, "The message count could not be loaded:");
      return undefined;
    } finally {
      count.classList.remove("is-loading");
    }
  }

  async function loadPage(first: boolean) {
    if (isBusy(older)) return;
    setBusy(older, true);
    list.setAttribute("aria-busy", "true");
    if (first) fill(listState, "Loading messages…");
    try {
      const page = await api.get<{ items: Message[]; nextCursor: string | null }>(`/messages?limit=${PAGE}${!first && cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      if (first) list.replaceChildren();
      list.append(...page.items.map((m) => messageItem(m)));
      cursor = page.nextCursor;
      older.hidden = cursor === null;
      fill(listState, list.children.length === 0 ? "No messages yet. Post the first one above." : "");
    } catch (error) {
      fill(listState);
      showError(sectionError, error, "The messages could not be listed:");
    } finally {
      setBusy(older, false);
      list.removeAttribute("aria-busy");
    }
  }

  const updateLength = () => {
    const n = text.value.length;
    length.textContent = `${n.toLocaleString()} / ${MAX_LENGTH.toLocaleString()} characters`;
    length.classList.toggle("over", n > MAX_LENGTH);
  };
  text.addEventListener("input", updateLength);
  // Ctrl+Enter / ⌘+Enter posts from the text box.
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy(submit)) return;
    clearError(postError);
    fill(postStatus);
    text.removeAttribute("aria-invalid");
    setBusy(submit, true, "Posting…");
    form.setAttribute("aria-busy", "true");
    try {
      const stored = await api.post<Message>("/messages", { message: text.value });
      text.value = "";
      updateLength();
      listState.textContent = "";
      list.prepend(messageItem(stored, true));
      const n = await loadCount();
      fill(postStatus, "Posted", n === undefined ? "" : ` — ${plural(n, "message")} now`, ". Id ", h("code", { class: "id" }, stored.id));
    } catch (error) {
      const fields = showError(postError, error, error instanceof ApiError && error.status === 400 ? "Not posted:" : "Not posted.");
      const aboutTheText = error instanceof ApiError && (error.status === 400 || error.status === 413) && (fields.length === 0 || fields.includes("#/message"));
      if (aboutTheText) text.setAttribute("aria-invalid", "true");
    } finally {
      setBusy(submit, false, "Post message");
      form.removeAttribute("aria-busy");
    }
  });

  lookupForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(lookupError);
    lookupResult.replaceChildren();
    lookupId.removeAttribute("aria-invalid");
    const id = lookupId.value.trim();
    if (!id) {
      lookupId.setAttribute("aria-invalid", "true");
      fill(lookupError, h("p", {}, "Enter a message id, as shown under each message."));
      return;
    }
    fill(lookupResult, h("p", { class: "state" }, "Looking it up…"));
    try {
      const message = await api.get<Message>(`/messages/${encodeURIComponent(id)}`);
      fill(lookupResult, h("ul", { class: "items", "aria-label": "Message found" }, messageItem(message)));
    } catch (error) {
      lookupResult.replaceChildren();
      lookupId.setAttribute("aria-invalid", "true");
      showError(lookupError, error);
    }
  });

  older.addEventListener("click", () => void loadPage(false));
  updateLength();
  void loadCount();
  void loadPage(true);
}
