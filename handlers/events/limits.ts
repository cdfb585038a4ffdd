/** Limits shared by the request schemas (schemas.ts) and code that must not load zod (the public list's query, which the clean-up's upload also carries). */

/** An event lasts at most this long. */
export const MAX_DURATION_MINUTES = 24 * 60;

/** At most this many invitations per event. */
export const INVITES_PER_EVENT = 500;
