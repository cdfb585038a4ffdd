import { z } from "zod";
import { MAX_DURATION_MINUTES } from "./limits";
import { MEDIA_CONTENT_TYPES } from "./media-types";
import { userText } from "../shared/text";
import { pageQuerySchema } from "../shared/paging";
import { UUID_V7_PATTERN } from "../shared/uuidv7";
import { joinUrlSchema } from "./join-url-schema";
import { DEFAULT_CATEGORY, EVENT_CATEGORIES } from "./categories";
import { DEFAULT_SORT, ENDED_CHOICES, PUBLIC_SORTS, PUBLIC_SORT_NAMES, SORT_ORDERS, type PublicSort } from "./public-search";
import { isTimeZone, MAX_OCCURRENCES, MONTHLY_BY } from "./recurrence";
import { PRICE_CURRENCIES, PRICE_MAX_AMOUNT, priceProblem, type PriceCurrency } from "./payments/price";

export const EVENT_STATUSES = ["draft", "published", "canceled"] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];
export const VISIBILITIES = ["public", "private"] as const;
export const MEDIA_KINDS = ["cover", "video"] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/** What an upload may be, per kind: the presigned PUT is signed for exactly the declared type and size. */
export const MEDIA_LIMITS: Record<MediaKind, { contentTypes: readonly string[]; maxBytes: number }> = {
  cover: { contentTypes: MEDIA_CONTENT_TYPES.cover, maxBytes: 5 * 1024 * 1024 },
  video: { contentTypes: MEDIA_CONTENT_TYPES.video, maxBytes: 100 * 1024 * 1024 },
};

/** The longest an event lasts (limits.ts: zod-free, for the public list). */
export { MAX_DURATION_MINUTES };
/** An event may be planned this far ahead at most. */
export const MAX_LEAD_DAYS = 730;
/** At most this many addresses per invitation request, and per event. */
export const INVITES_PER_REQUEST = 50;
export { INVITES_PER_EVENT } from "./limits";
/** Which occurrences of a series an edit, publish or cancel acts on: this one, or this one and every later one. */
export const SERIES_SCOPES = ["this", "following"] as const;
export type SeriesScope = (typeof SERIES_SCOPES)[number];

/** Request shapes of the events API: the handlers validate with these and the OpenAPI document is built from them. */
export function eventSchemas() {
  // The shared text rule (handlers/shared/text.ts): these flow into pages and mails.
  const title = userText({ max: 200 }).describe("Shown in lists and mails");
  const description = userText({ max: 5000, multiline: true, optional: true }).describe("Plain text");
  const startsAt = z.iso.datetime({ offset: true }).describe("ISO 8601 with a zone; must be in the future").transform((s) => new Date(s).toISOString());
  const durationMinutes = z.int().min(5).max(MAX_DURATION_MINUTES).describe("5 minutes to 24 hours");
  const category = z.enum(EVENT_CATEGORIES).describe(`What kind of event: ${EVENT_CATEGORIES.join(", ")}`);
  const visibility = z.enum(VISIBILITIES).describe("public events are listed for everyone; private ones are seen by the organizer and the invitees");
  /** Lower-cased, so one person is one invitation whatever the case typed. */
  const email = z.email().max(254).transform((e) => e.toLowerCase());
  const joinUrl = joinUrlSchema();
  /** A monthly series (recurrence.ts): the event's start is the first occurrence. */
  const recurrence = z
    .strictObject({
      frequency: z.literal("monthly").describe("Only monthly, for now"),
      by: z.enum(MONTHLY_BY).describe("weekday: the same weekday-of-month as the start (the 2nd Tuesday; a month without a 5th one is skipped); lastWeekday: the last such weekday of each month (the start must be one); dayOfMonth: the same day (the 31st becomes the month's last day where there is none)"),
      timeZone: z.string().max(64).refine(isTimeZone, "an IANA time zone, e.g. Europe/Berlin").describe("IANA zone whose local time of day the occurrences keep across DST"),
      until: z.iso.date().optional().describe("Last local date (inclusive) an occurrence may fall on; or give count"),
      count: z.int().min(1).max(MAX_OCCURRENCES).optional().describe(`Occurrences, the first included (1 to ${MAX_OCCURRENCES}); or give until`),
    })
    .refine((r) => (r.until === undefined) !== (r.count === undefined), { message: "give either until or count", path: ["count"] })
    .describe(`Repeat monthly: creates the series and every occurrence (at most ${MAX_OCCURRENCES}, all within ${MAX_LEAD_DAYS} days) as drafts`);
  /** A paid event's ticket (payments/price.ts): within Stripe's charge limits for the currency. */
  const price = z
    .strictObject({
      amount: z.int().min(1).max(PRICE_MAX_AMOUNT).describe("Minor units (cents, pence): 1500 is 15.00"),
      currency: z.enum(Object.keys(PRICE_CURRENCIES) as [PriceCurrency, ...PriceCurrency[]]).describe(`ISO 4217, lower case: ${Object.keys(PRICE_CURRENCIES).join(", ")}`),
    })
    .superRefine((p, ctx) => {
      const problem = priceProblem(p.amount, p.currency);
      if (problem) ctx.addIssue({ code: "custom", path: ["amount"], message: problem });
    })
    .describe("What a ticket costs: saying yes sends the invitee to Stripe Checkout, and only a completed payment confirms them. Non-refundable");
  const scope = z.enum(SERIES_SCOPES).optional().describe("An occurrence of a series: this one (the default) or this one and every later one");
  return {
    EventId: z.string().regex(UUID_V7_PATTERN, "an event id (UUIDv7)"),
    SeriesId: z.string().regex(UUID_V7_PATTERN, "a series id (UUIDv7)"),
    CreateEvent: z.strictObject({ title, description: description.default(""), startsAt, durationMinutes, visibility: visibility.default("private"), joinUrl: joinUrl.optional(), category: category.default(DEFAULT_CATEGORY), recurrence: recurrence.optional(), price: price.nullable().optional() }),
    ScopeQuery: z.strictObject({ scope }),
    /** Any subset; at least one field. */
    UpdateEvent: z
      .strictObject({ title, description, startsAt, durationMinutes, visibility, joinUrl: joinUrl.nullable().describe("null removes the join link"), category, price: price.nullable().describe("null makes the event free; a new price applies to payments started after it (paid tickets stay paid)") })
      .partial()
      .refine((patch) => Object.keys(patch).length > 0, "send at least one field to change"),
    Invite: z.strictObject({ emails: z.array(email).min(1).max(INVITES_PER_REQUEST).describe(`1 to ${INVITES_PER_REQUEST} addresses`) }),
    MediaUpload: z
      .strictObject({
        kind: z.enum(MEDIA_KINDS),
        contentType: z.string().toLowerCase().describe("cover: image/jpeg, image/png or image/webp; video: video/mp4, video/webm or video/quicktime (MOV)"),
        size: z.int().min(1).describe("Bytes: the upload must be exactly this long (cover ≤ 5 MiB, video ≤ 100 MiB)"),
      })
      .superRefine((m, ctx) => {
        const limits = MEDIA_LIMITS[m.kind];
        if (!limits.contentTypes.includes(m.contentType)) ctx.addIssue({ code: "custom", path: ["contentType"], message: `a ${m.kind} must be ${limits.contentTypes.join(", ")}` });
        if (m.size > limits.maxBytes) ctx.addIssue({ code: "custom", path: ["size"], message: `a ${m.kind} is at most ${limits.maxBytes} bytes` });
      }),
    Rsvp: z.strictObject({
      token: z.string().min(10).max(1024).describe("The token from the invitation link"),
      answer: z.enum(["yes", "no"]).optional().describe("The answer to record; default the link's own. Either link of an invitation may change the answer, any number of times, until the start"),
    }),
    RsvpQuery: z.strictObject({ token: z.string().min(10).max(1024).describe("The token from the invitation link") }),
    PublicListQuery: publicListQuery(category),
    PageQuery: pageQuerySchema(),
    NoQuery: z.strictObject({}),
  };
}
export type EventSchemas = ReturnType<typeof eventSchemas>;

/** `GET /events`: paging, a title word, and the discovery filters and sorts (public-search.ts). */
function publicListQuery(category: z.ZodType<(typeof EVENT_CATEGORIES)[number]>) {
  const instant = (description: string) =>
    z.iso
      .datetime({ offset: true })
      .transform((s) => new Date(s).toISOString())
      // Compared as text with stored times: a zone can push 0000 or 9999 out of four-digit years.
      .pipe(z.string().regex(/^\d{4}-/, "must fall within the years 0000 to 9999 in UTC"))
      .optional()
      .describe(`${description} (ISO 8601 with a zone)`);
  const defaults = PUBLIC_SORT_NAMES.map((name) => `${name}: ${PUBLIC_SORTS[name].defaultOrder}`).join(", ");
  return pageQuerySchema()
    .extend({
      q: userText({ max: 100 }).optional().describe("Only events whose title contains this word (case-insensitive)"),
      category: category.optional().describe(`Only events of this category (${EVENT_CATEGORIES.join(", ")})`),
      createdAfter: instant("Only events created at or after this time"),
      createdBefore: instant("Only events created before this time"),
      startsAfter: instant("Only events starting at or after this time"),
      startsBefore: instant("Only events starting before this time"),
      minConfirmed: z.string().regex(/^\d{1,7}$/, "must be a whole number below 10 million").transform(Number).optional().describe("Only events with at least this many confirmed attendees"),
      ended: z.enum(ENDED_CHOICES).optional().describe("exclude (default): only events that have not ended; include: ended ones too"),
      sort: z.enum(PUBLIC_SORT_NAMES as [PublicSort, ...PublicSort[]]).optional().describe(`published (default): by publication; created; start; popularity: by confirmed attendees`),
      order: z.enum(SORT_ORDERS).optional().describe(`asc or desc; the default depends on the sort (${defaults})`),
    })
    .superRefine((query, ctx) => {
      for (const [after, before] of [["createdAfter", "createdBefore"], ["startsAfter", "startsBefore"]] as const) {
        const [a, b] = [query[after], query[before]];
        if (a !== undefined && b !== undefined && a >= b) ctx.addIssue({ code: "custom", path: [before], message: `must be later than ${after}` });
      }
    })
    .transform(({ sort = DEFAULT_SORT, order, ended = "exclude", ...rest }) => ({ ...rest, sort, order: order ?? PUBLIC_SORTS[sort].defaultOrder, ended }));
}
export type CreateEventInput = z.output<EventSchemas["CreateEvent"]>;
export type UpdateEventInput = z.output<EventSchemas["UpdateEvent"]>;
export type RecurrenceInput = NonNullable<CreateEventInput["recurrence"]>;
