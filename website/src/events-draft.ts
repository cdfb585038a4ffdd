// Start before signing up (issue #18): a visitor drafts an event on /events/ without an account.
//
// The draft lives in this browser's localStorage and nowhere else until its author signs in:
// nothing anonymous reaches the server, so an anonymous draft can never be listed, published or
// mailed, and the API needs no anonymous write path (or token to guard, expire and clean up).
// localStorage rather than sessionStorage: the draft survives a reload, a closed tab and a sign-in
// that takes a while (creating an account, a provider's own pages). "Save event" marks the
// draft submitted and signs in (the hosted UI: email, Google, Apple or Facebook); back signed in,
// the Events page creates the event from it (POST /events) under that account, forgets the draft
// and continues to the event's manage page, where publishing works. A draft the API refuses (a
// start already past, say) stays, shown in the form with the API's reasons beside its fields.
import type { EventsApi, EventFields, EventView } from "./events-api";
import { DEFAULT_CATEGORY } from "../../handlers/events/categories";
import { fromLocalInput, type eventForm } from "./events-ui";

/** The form's values as typed (the start in the browser's zone, as the `datetime-local` field holds it). */
export interface Draft {
  title: string;
  description: string;
  /** Example: `"2026-12-24T18:30"`. */
  startsLocal: string;
  /** Example: `"60"`. */
  durationMinutes: string;
  /** Example: `"public"`. */
  visibility: string;
  /** Example: `"workshop"`. */
  category?: string;
  /** Example: `"https://meet.example.com/abc"`; empty when none. */
  joinUrl?: string;
  /** "Save event" was pressed: create the event as soon as its author is signed in. */
  submitted?: boolean;
}

export const DRAFT_KEY = "switchyard.events.draft";

type EventForm = ReturnType<typeof eventForm>;

export function readDraft(): Draft | undefined {
  try {
    const raw = localStorage.getItem(DRAFT_KEY);
    const draft = raw ? (JSON.parse(raw) as Partial<Draft>) : undefined;
    return draft && typeof draft.title === "string" ? (draft as Draft) : undefined;
  } catch {
    return undefined;
  }
}

export const writeDraft = (draft: Draft) => localStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
export const clearDraft = () => localStorage.removeItem(DRAFT_KEY);

const control = (form: HTMLFormElement, name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** What the form holds now, as a draft. */
export function draftOf(form: HTMLFormElement): Draft {
  const value = (name: string) => control(form, name).value;
  return { title: value("title"), description: value("description"), startsLocal: value("startsAt"), durationMinutes: value("durationMinutes"), visibility: value("visibility"), category: value("category"), joinUrl: value("joinUrl") };
}

/** Puts a draft back into the form. */
export function fillForm(form: HTMLFormElement, draft: Draft): void {
  control(form, "title").value = draft.title;
  control(form, "description").value = draft.description;
  control(form, "startsAt").value = draft.startsLocal;
  if (draft.durationMinutes) control(form, "durationMinutes").value = draft.durationMinutes;
  if (draft.visibility) control(form, "visibility").value = draft.visibility;
  if (draft.category) control(form, "category").value = draft.category;
  if (draft.joinUrl) control(form, "joinUrl").value = draft.joinUrl;
}

const fieldsOf = (draft: Draft): EventFields => ({
  title: draft.title,
  description: draft.description,
  startsAt: fromLocalInput(draft.startsLocal),
  durationMinutes: Number(draft.durationMinutes),
  visibility: draft.visibility as EventFields["visibility"],
  category: (draft.category || DEFAULT_CATEGORY) as EventFields["category"],
  joinUrl: draft.joinUrl?.trim() || null,
});

/**
 * Signed in with a submitted draft: creates the event from it. `created` on success (the draft is
 * gone); `error` when the API refused it (the draft stays, no longer submitted, for the form to
 * show); undefined when there is no submitted draft.
 */
export async function createSubmittedDraft(events: EventsApi): Promise<{ created?: EventView; error?: unknown } | undefined> {
  const draft = readDraft();
  if (!draft?.submitted) return undefined;
  // Not submitted any more whatever happens: a refused draft must not be re-sent at every visit.
  writeDraft({ ...draft, submitted: false });
  try {
    const created = await events.create(fieldsOf(draft));
    clearDraft();
    return { created };
  } catch (error) {
    return { error };
  }
}

/**
 * The signed-out "New event" form: each change is kept in the browser; "Save event" marks
 * the draft submitted and goes to the sign-in page, which comes back to /events/.
 */
export function draftForm(create: EventForm, signIn: () => Promise<void>): void {
  const saved = readDraft();
  if (saved) fillForm(create.form, saved);
  const keep = () => writeDraft(draftOf(create.form));
  create.form.addEventListener("input", keep);
  create.form.addEventListener("change", keep);
  create.form.addEventListener("submit", (e) => {
    e.preventDefault();
    writeDraft({ ...draftOf(create.form), submitted: true });
    create.status.textContent = "Kept in this browser. Signing in…";
    void signIn();
  });
}
