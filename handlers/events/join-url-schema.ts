import { z } from "zod";
import { JOIN_URL_MAX } from "./join-link";

/**
 * The join link's shape: an absolute https URL on a domain name, at most JOIN_URL_MAX characters,
 * with no user name or password in it (it is mailed to people), no spaces or control characters;
 * stored as the URL parser writes it. A function: handler modules build zod objects when called.
 */
export function joinUrlSchema() {
  return z
    .url({ protocol: /^https$/, hostname: z.regexes.domain, error: "Invalid URL: an https:// link on a domain name, such as https://meet.example.com/abc" })
    .max(JOIN_URL_MAX)
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    .refine((u) => !/[\s\u0000-\u001f\u007f-\u009f]/u.test(u), "must not contain spaces or control characters")
    .refine((u) => URL.canParse(u) && !new URL(u).username && !new URL(u).password, "must not contain a user name or password")
    .transform((u) => new URL(u).href)
    .describe("Where to attend: an absolute https URL (no credentials), shown only to the organizer and to invitees who said yes");
}
