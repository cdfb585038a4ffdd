// The user pool's pre sign-up trigger (issue #18, account linking): the same verified email from
// Google, Apple or an email-and-password account is one organizer, so one `sub` owns the events.
//
// Cognito calls it before it creates a user. For a federated first sign-in
// (`PreSignUp_ExternalProvider`) it finds the native user with that email (ListUsers), creating
// one without a password when there is none (AdminCreateUser, no mail), and links the provider's
// identity to it (AdminLinkProviderForUser): from then on that identity signs in as the native
// user, with its `sub`. Creating the native user on the first provider too is what lets a second
// provider link later: Cognito can only link an identity that has never signed in, and only to a
// native user.
//
// Pitfalls this handles, each known from Cognito's users:
// - the provider's prefix in `userName` comes in any case (`google_…`, `Google_…`) while the link
//   needs the exact provider name (`Google`, `SignInWithApple`): sign-in-providers.ts maps it;
// - the id after the first underscore may itself hold underscores: split once;
// - linking on an unverified address would hand an account to whoever typed that address at a
//   provider: only a provider-verified email links (Google's and Apple's `email_verified`; Facebook
//   gives none and never links), and only to a native user whose email is verified;
// - ListUsers also returns federated users (status EXTERNAL_PROVIDER): never a link target;
// - the filter is an exact, case-sensitive match and takes a quoted string: the address is
//   lower-cased (as this trigger stores it) and its quotes and backslashes escaped;
// - two first sign-ins at once race to AdminCreateUser: UsernameExistsException means the other
//   won, so list again and link to that user;
// - AdminCreateUser runs this trigger again (`PreSignUp_AdminCreateUser`): that call passes;
// - after a link, Cognito ends this first sign-in with "Already found an entry for username
//   Google_…" (the identity is now the native user's); the site signs in once more, which works
//   (website/src/events-auth.ts);
// - Cognito waits 5 seconds for a trigger: two calls on the usual path, three at most.
import type { Context } from "aws-lambda";
import { AdminCreateUserCommand, AdminLinkProviderForUserCommand, CognitoIdentityProviderClient, ListUsersCommand, type UserType } from "@aws-sdk/client-cognito-identity-provider";
import { createObservability, type Observability } from "../shared/observability";
import { SIGN_IN_PROVIDERS, federatedUsername } from "./sign-in-providers";

/** The fields of Cognito's pre sign-up event this trigger reads (and the response it may set). */
export interface PreSignUpEvent {
  /** Example: `"PreSignUp_ExternalProvider"`, `"PreSignUp_SignUp"`, `"PreSignUp_AdminCreateUser"`. */
  triggerSource: string;
  /** Example: `"us-west-2_AbCdEf123"`. */
  userPoolId: string;
  /** Example: `"Google_109876543210"`. */
  userName: string;
  request: { userAttributes: Record<string, string | undefined> };
  response: { autoConfirmUser?: boolean; autoVerifyEmail?: boolean; autoVerifyPhone?: boolean };
}

/** A user as ListUsers returns it, reduced to what linking needs. */
export interface PoolUser {
  /** Example: `"5f1c…"` (with email as the username attribute, the username is the `sub`). */
  username: string;
  /** Example: `"CONFIRMED"`, `"FORCE_CHANGE_PASSWORD"`, `"UNCONFIRMED"`, `"EXTERNAL_PROVIDER"`. */
  status: string;
  emailVerified: boolean;
  /** Epoch milliseconds. */
  createdAt: number;
}

/** A federated sign-in to link: the identity at its provider. */
export interface LinkSource {
  /** Example: `"Google"`. */
  providerName: string;
  /** The provider's user id (`sub`). Example: `"109876543210"`. */
  userId: string;
}

/** What the trigger does with one sign-up, decided from the event and the users with its email. */
export type LinkDecision =
  | { action: "pass"; why: string }
  | { action: "link"; destination: string; source: LinkSource }
  | { action: "create-and-link"; email: string; source: LinkSource }
  | { action: "refuse"; message: string };

/** Options that change the decision. Example: `{ selfSignUp: false }`. */
export interface LinkOptions {
  /** `switchyard:eventsSelfSignUp`. false: a federated sign-in may only join an organizer an administrator created; a new one is refused. */
  selfSignUp: boolean;
}

/** The federated sign-up in the event, with its email as linking compares it; undefined when there is nothing to link. */
export function externalSignUp(event: PreSignUpEvent): { source: LinkSource; email: string; emailVerified: boolean; linksByEmail: boolean } | { skip: string } {
  if (event.triggerSource !== "PreSignUp_ExternalProvider") return { skip: `not a federated sign-up (${event.triggerSource})` };
  const federated = federatedUsername(event.userName);
  if (!federated) return { skip: "a provider this stack does not link" };
  const provider = SIGN_IN_PROVIDERS[federated.key];
  const email = (event.request.userAttributes.email ?? "").trim().toLowerCase();
  // Apple and Google put "true" (Apple, in older tokens, a boolean turned text); anything else is unverified.
  const emailVerified = String(event.request.userAttributes.email_verified).toLowerCase() === "true";
  return { source: { providerName: provider.providerName, userId: federated.userId }, email, emailVerified, linksByEmail: provider.linksByEmail };
}

/**
 * The pure decision: link to the verified native user with this email, create one and link, let
 * the sign-up through unlinked, or refuse it with a message the hosted UI shows.
 */
export function decideLink(event: PreSignUpEvent, usersWithEmail: PoolUser[], options: LinkOptions): LinkDecision {
  const signUp = externalSignUp(event);
  if ("skip" in signUp) return { action: "pass", why: signUp.skip };
  const natives = usersWithEmail.filter((u) => u.status !== "EXTERNAL_PROVIDER").sort((a, b) => a.createdAt - b.createdAt);
  const closed = "New organizer accounts are created by an administrator here: ask one to add your email address, then sign in again.";
  if (!signUp.email || !signUp.linksByEmail || !signUp.emailVerified) {
    if (!options.selfSignUp) return { action: "refuse", message: closed };
    return { action: "pass", why: !signUp.email ? "no email from the provider" : !signUp.linksByEmail ? `${signUp.source.providerName} does not verify emails` : "the provider has not verified the email" };
  }
  const target = natives[0];
  if (!target) return options.selfSignUp ? { action: "create-and-link", email: signUp.email, source: signUp.source } : { action: "refuse", message: closed };
  // An account whose owner never proved the address (a sign-up left unconfirmed) is not theirs to join.
  if (!target.emailVerified || target.status === "UNCONFIRMED") {
    return { action: "refuse", message: "An account with this email exists but its address was never confirmed: confirm it with the code we mailed (or reset its password), then sign in again." };
  }
  return { action: "link", destination: target.username, source: signUp.source };
}

/** The three Cognito calls, over the SDK (or anything that answers like it). */
export interface PoolAccounts {
  usersWithEmail(userPoolId: string, email: string): Promise<PoolUser[]>;
  /** Creates the native user for `email` (no password, no mail, email verified); its username. */
  createUser(userPoolId: string, email: string): Promise<string>;
  link(userPoolId: string, destination: string, source: LinkSource): Promise<void>;
}

/** The IAM actions PoolAccounts needs, on the one user pool: the stack grants exactly these (components/federated-sign-in.ts). */
export const LINK_ACCOUNTS_ACTIONS = ["cognito-idp:ListUsers", "cognito-idp:AdminCreateUser", "cognito-idp:AdminLinkProviderForUser"];

/** The ListUsers filter for an exact email: a quoted string, its quotes and backslashes escaped. */
export const emailFilter = (email: string) => `email = "${email.replace(/["\\]/g, (c) => `\\${c}`)}"`;

const attribute = (user: UserType, name: string) => user.Attributes?.find((a) => a.Name === name)?.Value;

export function poolAccounts(client: CognitoIdentityProviderClient): PoolAccounts {
  return {
    async usersWithEmail(userPoolId, email) {
      const answer = await client.send(new ListUsersCommand({ UserPoolId: userPoolId, Filter: emailFilter(email), Limit: 10 }));
      return (answer.Users ?? []).map((u) => ({
        username: u.Username ?? "",
        status: u.UserStatus ?? "UNKNOWN",
        emailVerified: attribute(u, "email_verified") === "true",
        createdAt: u.UserCreateDate ? new Date(u.UserCreateDate).getTime() : 0,
      }));
    },
    async createUser(userPoolId, email) {
      const answer = await client.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: email,
          MessageAction: "SUPPRESS",
          UserAttributes: [
            { Name: "email", Value: email },
            { Name: "email_verified", Value: "true" },
          ],
        }),
      );
      return answer.User?.Username ?? email;
    },
    async link(userPoolId, destination, source) {
      await client.send(
        new AdminLinkProviderForUserCommand({
          UserPoolId: userPoolId,
          DestinationUser: { ProviderName: "Cognito", ProviderAttributeValue: destination },
          SourceUser: { ProviderName: source.providerName, ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: source.userId },
        }),
      );
    },
  };
}

export interface LinkAccountsDeps {
  accounts: PoolAccounts;
  obs: Observability;
  options: LinkOptions;
}

export function linkAccountsDeps(service: string, options: LinkOptions): LinkAccountsDeps {
  return { accounts: poolAccounts(new CognitoIdentityProviderClient({})), obs: createObservability(service), options };
}

/** The trigger: returns the event (Cognito reads its response) or throws (the hosted UI shows the message). */
export function linkAccountsHandler(deps: LinkAccountsDeps) {
  const { accounts, obs, options } = deps;
  return async (event: PreSignUpEvent, context?: Partial<Context>): Promise<PreSignUpEvent> => {
    if (context?.awsRequestId) obs.logger.addContext(context as Context);
    const signUp = externalSignUp(event);
    const users = "skip" in signUp || !signUp.email || !signUp.linksByEmail || !signUp.emailVerified ? [] : await accounts.usersWithEmail(event.userPoolId, signUp.email);
    let decision = decideLink(event, users, options);
    obs.logger.info("pre sign-up", { triggerSource: event.triggerSource, decision: decision.action, ...(decision.action === "pass" ? { why: decision.why } : {}) });
    if (decision.action === "refuse") throw new Error(decision.message);
    if (decision.action === "create-and-link") {
      const { email } = decision;
      try {
        const created = await accounts.createUser(event.userPoolId, email);
        decision = { action: "link", destination: created, source: decision.source };
      } catch (error) {
        if ((error as { name?: string }).name !== "UsernameExistsException") throw error;
        // Another first sign-in with this email created it a moment ago: join that one.
        decision = decideLink(event, await accounts.usersWithEmail(event.userPoolId, email), options);
        if (decision.action === "refuse") throw new Error(decision.message, { cause: error });
        if (decision.action !== "link") throw new Error("Could not set up your account; sign in again.", { cause: error });
      }
    }
    if (decision.action === "link") {
      await accounts.link(event.userPoolId, decision.destination, decision.source);
      obs.logger.info("linked", { provider: decision.source.providerName });
    }
    return event;
  };
}
