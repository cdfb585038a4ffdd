import { HttpProblem } from "./problem";

/**
 * Opaque page cursors: the last item's sort key, base64url-wrapped. Decoding checks the key has
 * the exact shape this API issues, so a client cannot steer a Query anywhere else.
 */
export function encodeCursor(sortKey: string): string {
  return Buffer.from(sortKey, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string, shape: RegExp): string {
  const key = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (!shape.test(key)) throw new HttpProblem("invalid-cursor", "The cursor was not issued by this API; start again without one.");
  return key;
}
