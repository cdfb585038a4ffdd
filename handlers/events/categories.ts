// What kind of event it is: the organizer picks one on create or edit; the public list filters by
// it. No zod here: the website imports this list for its selects, and the API's zod enum
// (schemas.ts) and the OpenAPI document are built from it — one list, spelled once.

/** The categories, in the order the selects show them. */
export const EVENT_CATEGORIES = ["talk", "workshop", "meetup", "conference", "social", "other"] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

/** An event created without one, and an event stored before categories existed. */
export const DEFAULT_CATEGORY: EventCategory = "other";

/** How the site names each category. */
export const CATEGORY_LABELS: Record<EventCategory, string> = {
  talk: "Talk",
  workshop: "Workshop",
  meetup: "Meetup",
  conference: "Conference",
  social: "Social",
  other: "Other",
};
