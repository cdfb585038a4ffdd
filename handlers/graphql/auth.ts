// Who is asking: the same Cognito ID token the HTTP API's JWT authorizer checks on the REST
// routes, verified here, because an HTTP API JWT authorizer cannot be optional and public fields
// must work without a token. The issuer and audience are the authorizer's own (the EventsApi hands
// both to this function: components/graphql-api.ts); the keys come from `<issuer>/.well-known/jwks.json`,
// as API Gateway fetches them. A missing, forged, expired or foreign token signs nobody in; only
// the signed-in fields then fail (UNAUTHENTICATED).
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { signedInUser } from "../events/claims";
import type { Organizer } from "../events/event-store";
import { HttpProblem } from "../shared/problem";

export interface JwtSettings {
  /** Example: `"https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC123"`. */
  issuer: string;
  /** The app client ids a token's `aud` may name. Example: `["4k1…"]`. */
  audience: string[];
}

/** Resolves the signed-in organizer of a request's Authorization header, or throws an `unauthorized` HttpProblem. */
export type Authenticate = (authorization: string | undefined) => Promise<Organizer>;

export function jwtAuthenticator({ issuer, audience }: JwtSettings): Authenticate {
  // The JWKS through fetch (http locally, https in AWS); the library's own fetcher speaks https only.
  const jwksCache = new SimpleJwksCache({
    fetcher: {
      fetch: async (uri: string) => {
        const response = await fetch(uri, { signal: AbortSignal.timeout(3000) });
        if (!response.ok) throw new Error(`JWKS ${uri}: ${response.status}`);
        return response.arrayBuffer();
      },
    },
  });
  const verifier = JwtRsaVerifier.create({ issuer, audience, jwksUri: `${issuer}/.well-known/jwks.json` }, { jwksCache });
  return async (authorization) => {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization?.trim() ?? "")?.[1] ?? authorization?.trim();
    if (!token) throw new HttpProblem("unauthorized", "Sign in first: send the ID token as `Authorization: Bearer <token>`.");
    let claims: Record<string, unknown>;
    try {
      claims = (await verifier.verify(token)) as Record<string, unknown>;
    } catch {
      throw new HttpProblem("unauthorized", "The token is not valid (signature, issuer, audience or expiry): sign in again.");
    }
    // The REST handlers' own rule (an ID token: `sub` and `email`), on the claims as the authorizer passes them.
    return signedInUser({ requestContext: { authorizer: { jwt: { claims } } } } as never);
  };
}
