import type { HttpEvent } from "../shared/http";
import { HttpProblem } from "../shared/problem";
import type { Organizer } from "./event-store";

/**
 * The signed-in user, from the claims API Gateway's JWT authorizer verified (in local mode, the
 * local authorizer: local/emulators/jwt-authorizer.ts). The site sends the Cognito ID token, which carries
 * `email`; `sub` is the user's stable id.
 */
export function signedInUser(event: HttpEvent): Organizer {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }).authorizer?.jwt?.claims;
  const sub = claims?.sub;
  const email = claims?.email;
  if (typeof sub !== "string" || !sub) throw new HttpProblem("unauthorized", "Sign in first: send the ID token as `Authorization: Bearer <token>`.");
  if (typeof email !== "string" || !email.includes("@")) throw new HttpProblem("unauthorized", "The token carries no email: send the ID token, not the access token.");
  return { id: sub, email: email.toLowerCase() };
}
