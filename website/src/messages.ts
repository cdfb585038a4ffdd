// Messages: post one, watch the exact count move, look one up by id, page through the list.
import { isSmokeMessage } from "../../handlers/shared/smoke-marker";
import { Api, ApiError } from "./api";
import { byId, fill, h, isBusy, setBusy } from "./dom";
import { plural, timeEl } from "./format";
import { FieldErrors } from "./field-errors";
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
      showError(sectionError, error, { prefix: "The message count could not be loaded:" });
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
      // What `npm run smoke` posted stays out of the list (handlers/shared/smoke-marker.ts).
      list.append(...page.items.filter((m) => !isSmokeMessage(m.message)).map((m) => messageItem(m)));
      cursor = page.nextCursor;
      older.hidden = cursor === null;
      fill(listState, list.children.length === 0 ? "No messages yet. Post the first one above." : "");
    } catch (error) {
      fill(listState);
      showError(sectionError, error, { prefix: "The messages could not be listed:" });
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

  const postFields = new FieldErrors({ message: { control: text, noun: "a message", empty: "Write a message first." } });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy(submit)) return;
    clearError(postError, postFields);
    fill(postStatus);
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
      // A body too large for the API is a message far too long.
      if (error instanceof ApiError && error.status === 413) {
        postFields.say("message", `A message is at most ${MAX_LENGTH.toLocaleString("en-US")} characters.`);
        postFields.focusFirst();
      } else showError(postError, error, { prefix: error instanceof ApiError && error.status === 400 ? "Not posted:" : "Not posted.", fields: postFields });
    } finally {
      setBusy(submit, false, "Post message");
      form.removeAttribute("aria-busy");
    }
  });

  const lookupFields = new FieldErrors({
    id: { control: lookupId, noun: "the id", empty: "Enter a message id, as shown under each message.", invalid: "That is not a message id: copy one from under a message." },
  });
  lookupForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(lookupError, lookupFields);
    lookupResult.replaceChildren();
    const id = lookupId.value.trim();
    if (!id) {
      lookupFields.say("id", "Enter a message id, as shown under each message.");
      lookupFields.focusFirst();
      return;
    }
    fill(lookupResult, h("p", { class: "state" }, "Looking it up…"));
    try {
      const message = await api.get<Message>(`/messages/${encodeURIComponent(id)}`);
      fill(lookupResult, h("ul", { class: "items", "aria-label": "Message found" }, messageItem(message)));
    } catch (error) {
      lookupResult.replaceChildren();
      // "No message has id …" is about what was typed: it goes beside the field too.
      if (error instanceof ApiError && error.status === 404) lookupFields.say("id", error.message);
      else showError(lookupError, error, { fields: lookupFields });
    }
  });

  older.addEventListener("click", () => void loadPage(false));
  updateLength();
  void loadCount();
  void loadPage(true);
}
