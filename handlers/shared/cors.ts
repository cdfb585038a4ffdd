/**
 * CORS for the HTTP API, shared by the MessageApi component (API Gateway's corsConfiguration) and
 * local mode (which answers preflights the same way). Origins come from config, never `*`.
 */
export const apiCors = {
  allowMethods: ["GET", "POST", "OPTIONS"],
  allowHeaders: ["content-type"],
  exposeHeaders: ["location"],
  maxAgeSeconds: 600,
} as const;
