// The events API as the pages use it: public calls plain, organizer calls with the ID token.
import { ApiError, type Api } from "./api";
import type { Auth } from "./events-auth";
import { FieldCheck } from "./field-errors";
import { runPersisted } from "./graphql";
import type { EventCategory } from "../../handlers/events/categories";
import { MEDIA_CONTENT_TYPES } from "../../handlers/events/media-types";
import type { PublicSort } from "../../handlers/events/public-search";

export type EventStatus = "draft" | "published" | "canceled";
export type Visibility = "public" | "private";
export type MediaKind = "cover" | "video";

export interface EventSummary {
  id: string;
  title: string;
  startsAt: string;
  durationMinutes: number;
  visibility: Visibility;
  status: EventStatus;
  publishedAt: string | null;
  hasCover: boolean;
  category: EventCategory;
  /** Confirmed attendees now. */
  confirmedCount: number;
  /** An occurrence of a monthly series: which series, and which occurrence (1-based). */
  seriesId?: string | null;
  occurrence?: number | null;
}

/** A monthly series as the organizer sees it (GET /me/series/{id}, and on each occurrence). */
export interface SeriesSummary {
  id: string;
  by: "weekday" | "lastWeekday" | "dayOfMonth";
  timeZone: string;
  until: string | null;
  count: number | null;
  /** In words: "monthly on the 2nd Tuesday at 18:00 Europe/Berlin". */
  rule: string;
  occurrences: number;
  occurrence: number | null;
  continues: string | null;
  continuedBy: string | null;
}

/** POST /events' `recurrence`: repeat monthly until a date or a number of times. */
export interface Recurrence {
  frequency: "monthly";
  by: SeriesSummary["by"];
  timeZone: string;
  until?: string;
  count?: number;
}

/** Which occurrences of a series an edit, publish or cancel acts on. */
export type Scope = "this" | "following";

/** An event's streamed video (issue #19): its state, and when ready the poster and the stream (HLS, a short-lived URL). */
export interface VideoPlayback {
  state: "processing" | "ready" | "failed";
  posterUrl: string | null;
  streamUrl: string | null;
}

export interface EventView extends Omit<EventSummary, "hasCover" | "confirmedCount"> {
  description: string;
  endsAt: string;
  coverUrl: string | null;
  videoUrl: string | null;
  /** The uploaded video's streaming rendition; null (or absent, from an older API) without one. */
  video?: VideoPlayback | null;
  /** How many invitees say yes now. */
  confirmedCount: number;
  /** The organizer's view only: where to attend (null when not set). */
  joinUrl?: string | null;
  series?: SeriesSummary | null;
  /** A paid event's ticket (minor units); null: free. */
  price?: Price | null;
}

/** A ticket's price: `{ amount: 1500, currency: "eur" }` is €15.00. */
export interface Price {
  amount: number;
  currency: string;
}

/** An invitee's ticket payment: at Stripe Checkout (pending) or paid. */
export interface PaymentView extends Price {
  state: "pending" | "paid";
  at: string;
  paidAt: string | null;
}

export interface EventFields {
  title: string;
  description: string;
  startsAt: string;
  durationMinutes: number;
  visibility: Visibility;
  /** Where to attend; null: none (on create: not sent; on edit: removes it). */
  joinUrl: string | null;
  category: EventCategory;
}

/** What the public list is filtered and sorted by (GET /events; "" = not set). */
export interface PublicFilter {
  q: string;
  category: EventCategory | "";
  sort: PublicSort;
  /** ISO instants: starting at or after / before. */
  startsAfter: string;
  startsBefore: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Invitations {
  items: { email: string; status: "yes" | "no" | "pending"; invitedAt: string; answeredAt: string | null; answerChanges: number; undeliverable: Undeliverable | null; history: { answer: "yes" | "no"; at: string }[]; payment?: PaymentView | null }[];
  counts: { yes: number; no: number; pending: number; undeliverable: number; paid?: number; paymentPending?: number; collected?: Price[] };
}

/** Mail to an invitee that SES could not deliver: a permanent bounce, or a complaint (never mailed again). */
export interface Undeliverable {
  reason: "bounce" | "complaint";
  at: string;
}

/** The manage page's read (GraphQL's persisted ManageEvent): the organizer's event with its invitations. */
export interface ManagedEvent extends EventView {
  invitations: Invitations & { nextCursor: string | null };
}

export interface RsvpView {
  event: EventView;
  invitee: string;
  answer: "yes" | "no";
  current: "yes" | "no" | "pending";
  answeredAt: string | null;
  open: boolean;
  /** Only while the current answer is yes. */
  joinUrl: string | null;
  /** A paid event: this invitee's payment, if one was started. */
  payment?: PaymentView | null;
}

export interface RsvpResult {
  /** Still the previous answer while a paid yes waits for Stripe (checkoutUrl set). */
  status: "yes" | "no" | "pending";
  changed: boolean;
  joinUrl: string | null;
  payment?: PaymentView | null;
  /** A paid event's yes: Stripe Checkout's page to go to; the answer becomes yes once Stripe says paid. */
  checkoutUrl?: string | null;
}

interface UploadTicket {
  method: "PUT";
  url: string;
  headers: Record<string, string>;
}

/** The query for a scope: none for "this" (the API's default). */
const scoped = (scope: Scope) => (scope === "following" ? "?scope=following" : "");

const MEDIA_TYPES: Record<MediaKind, readonly string[]> = MEDIA_CONTENT_TYPES;

export class EventsApi {
  constructor(
    private readonly api: Api,
    readonly auth: Auth | undefined,
  ) {}

  publicEvents(filter: PublicFilter, cursor?: string | null) {
    const query = new URLSearchParams({ limit: "10" });
    for (const [name, value] of Object.entries(filter)) if (value) query.set(name, value);
    if (cursor) query.set("cursor", cursor);
    return this.api.get<Page<EventSummary>>(`/events?${query}`);
  }

  publicEvent = (id: string) => this.api.get<EventView>(`/events/${encodeURIComponent(id)}`);
  rsvp = (token: string) => this.api.get<RsvpView>(`/rsvp?${new URLSearchParams({ token })}`);
  /** Records `answer` (default: the link's own) with the link's token; the links work until the start. */
  answer = (token: string, answer?: "yes" | "no") => this.api.post<RsvpResult>("/rsvp", answer ? { token, answer } : { token });

  myEvents = (cursor?: string | null) => this.signedIn<Page<EventSummary>>("GET", `/me/events?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
  create = ({ joinUrl, ...fields }: EventFields & { recurrence?: Recurrence }) => this.signedIn<EventView>("POST", "/events", joinUrl === null ? fields : { ...fields, joinUrl });
  update = (id: string, patch: Partial<EventFields>, scope: Scope = "this") => this.signedIn<EventView>("PATCH", `/events/${encodeURIComponent(id)}${scoped(scope)}`, patch);
  publish = (id: string, scope: Scope = "this") => this.signedIn<EventView>("POST", `/events/${encodeURIComponent(id)}/publish${scoped(scope)}`, {});
  cancel = (id: string, scope: Scope = "this") => this.signedIn<EventView>("POST", `/events/${encodeURIComponent(id)}/cancel${scoped(scope)}`, {});
  series = (id: string) => this.signedIn<{ series: SeriesSummary; items: EventSummary[] }>("GET", `/me/series/${encodeURIComponent(id)}`);
  invite = (id: string, emails: string[]) => this.signedIn<{ added: string[]; existing: string[] }>("POST", `/events/${encodeURIComponent(id)}/invitations`, { emails });

  /** The manage page's read: GET /me/events/{id} and its invitations in one request (GraphQL's persisted ManageEvent). */
  async manageEvent(id: string): Promise<ManagedEvent> {
    const { myEvent } = await this.withToken((headers) => runPersisted<{ myEvent: ManagedEvent | null }>(this.api, "ManageEvent", { id }, headers));
    if (!myEvent) throw new ApiError("There is no such event.", 404);
    return myEvent;
  }
  /** Starts the video's transcoding again after it failed (the pipeline's route). */
  retryVideo = (id: string) => this.signedIn<unknown>("POST", `/events/${encodeURIComponent(id)}/video/retry`, {});

  /** Asks for a presigned PUT, then sends the file to it with exactly the signed content type. */
  async upload(id: string, kind: MediaKind, file: File): Promise<void> {
    if (!MEDIA_TYPES[kind].includes(file.type)) throw new FieldCheck("contentType", `A ${kind} must be ${MEDIA_TYPES[kind].join(", ")}; this file is ${file.type || "of unknown type"}.`);
    const ticket = await this.signedIn<UploadTicket>("POST", `/events/${encodeURIComponent(id)}/media`, { kind, contentType: file.type, size: file.size });
    let response: Response;
    try {
      // The browser sets content-length itself (it is signed too, and equals file.size).
      response = await fetch(ticket.url, { method: "PUT", headers: { "content-type": ticket.headers["content-type"] ?? file.type }, body: file });
    } catch {
      throw new Error("The upload could not reach the media store. Try again.");
    }
    if (!response.ok) throw new Error(`The media store refused the upload (${response.status}). Try again.`);
  }

  private signedIn<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.withToken((headers) => {
      if (body !== undefined) headers["content-type"] = "application/json";
      return this.api.request<T>(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    });
  }

  /** Sends with the ID token (`authorization` in `headers`); a refused token signs out. */
  private async withToken<T>(send: (headers: Record<string, string>) => Promise<T>): Promise<T> {
    const token = await this.auth?.idToken();
    if (!token) throw new ApiError("Sign in first.", 401);
    try {
      return await send({ authorization: `Bearer ${token}` });
    } catch (error) {
      // The token was refused (expired, or the sign-in service restarted): sign in again.
      if (error instanceof ApiError && error.status === 401) this.auth?.clear();
      throw error;
    }
  }
}
