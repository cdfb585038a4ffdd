/**
 * CORS for the HTTP API, shared by the MessageApi component (API Gateway's corsConfiguration) and
 * local mode (which answers preflights the same way). Origins come from config, never `*`.
 */
export const apiCors = {
  allowMethods: ["GET", "POST", "PATCH", "OPTIONS"],
  /** `authorization`: the events routes take the signed-in user's ID token (JWT authorizer). */
  allowHeaders: ["authorization", "content-type"],
  exposeHeaders: ["location"],
  maxAgeSeconds: 600,
  /**
   * The website reads `GET /gists` with its session cookie (`fetch(…, { credentials: "include" })`)
   * from its own origin; allowed because origins are an explicit list.
   */
  allowCredentials: true,
} as const;
