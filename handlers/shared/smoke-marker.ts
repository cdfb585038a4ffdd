/**
 * What `npm run smoke` writes into a stack is marked, so the website can leave it out of its lists
 * (the API still has it, and counts it: the smoke test checks the count moved). One definition for
 * the writer (scripts/smoke.ts) and the reader (website/src). Example: `smokeMessageText(now)` →
 * `"smoke test 2026-12-03T06:00:00.000Z"`.
 */
export const smokeMessageText = (at: Date) => `smoke test ${at.toISOString()}`;
export const smokeMeetingName = (at: Date) => `Smoke test ${at.toISOString()}`;

const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

/** A message the smoke test posted. */
export const isSmokeMessage = (text: string) => new RegExp(`^smoke test ${ISO}$`).test(text);
/** A meeting the smoke test's webhook made. */
export const isSmokeMeeting = (name: string | undefined) => name !== undefined && new RegExp(`^Smoke test ${ISO}$`).test(name);
