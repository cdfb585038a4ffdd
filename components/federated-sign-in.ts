import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { linkAccountsFunction } from "../handlers/events/functions";
import { LINK_ACCOUNTS_ACTIONS } from "../handlers/events/link-accounts";
import { SIGN_IN_PROVIDERS, type SignInProviderKey } from "../handlers/events/sign-in-providers";
import { definedFunction } from "./defined-function";
import type { HandlerFunction } from "./lambda";
import { inlinePolicy } from "./shared/iam";

/** An OAuth client at Google or Facebook: an id and a secret. */
export interface OAuthClientConfig {
  /** Google: the OAuth client ID; Facebook: the App ID. Example: `"1234-abc.apps.googleusercontent.com"`, `"1234567890123456"`. */
  clientId: string;
  /** Google: the client secret; Facebook: the App Secret (a secret output). Example: `config.events.signIn.google.clientSecret`. */
  clientSecret: pulumi.Input<string>;
}

/**
 * Sign in with Apple has no client secret to store: Cognito signs a short-lived one itself, as a
 * JWT from the team's private key (ES256), whenever it talks to Apple. So it takes what that JWT
 * names (the Services ID as `client_id`, the team and the key's id) and the key itself.
 */
export interface AppleClientConfig {
  /** The Services ID, Cognito's `client_id`. Example: `"com.example.events.signin"`. */
  servicesId: string;
  /** The Apple developer team. Example: `"A1B2C3D4E5"`. */
  teamId: string;
  /** The id of the Sign in with Apple key. Example: `"KEY123ABC4"`. */
  keyId: string;
  /** That key's `.p8` PEM text (a secret output). Example: `config.events.signIn.apple.privateKey`. */
  privateKey: pulumi.Input<string>;
}

/** The providers a stack offers; each is created only when set (stack-config.ts sets one only when all its keys are). */
export interface SignInProvidersConfig {
  google?: OAuthClientConfig;
  apple?: AppleClientConfig;
  facebook?: OAuthClientConfig;
}

/**
 * What each provider's ID token or profile fills in: the email (each), whether the provider
 * verified it (Google and Apple say so; Facebook has no such field), and Cognito's own `username`
 * key (the provider's user id), which Cognito adds by itself when it is left out — a diff on every
 * `pulumi up`.
 */
const ATTRIBUTE_MAPPINGS: Record<SignInProviderKey, Record<string, string>> = {
  google: { email: "email", email_verified: "email_verified", username: "sub" },
  apple: { email: "email", email_verified: "email_verified", username: "sub" },
  facebook: { email: "email", username: "id" },
};

/** `provider_details` by provider (Cognito's CreateIdentityProvider keys); Apple's scopes: `email` only comes with `name` asked alongside, as Apple's docs show. */
function providerDetails(key: SignInProviderKey, config: OAuthClientConfig | AppleClientConfig): Record<string, pulumi.Input<string>> {
  if (key === "apple") {
    const apple = config as AppleClientConfig;
    return { client_id: apple.servicesId, team_id: apple.teamId, key_id: apple.keyId, private_key: pulumi.secret(apple.privateKey), authorize_scopes: "email name" };
  }
  const oauth = config as OAuthClientConfig;
  // Google's scopes are space-separated, Facebook's comma-separated (as each provider's API takes them).
  return { client_id: oauth.clientId, client_secret: pulumi.secret(oauth.clientSecret), authorize_scopes: key === "google" ? "openid email profile" : "public_profile,email" };
}

/** The user pool's identity providers for the configured keys, in SIGN_IN_PROVIDERS' order; none without config. */
export function createIdentityProviders(name: string, userPoolId: pulumi.Input<string>, providers: SignInProvidersConfig, opts: pulumi.CustomResourceOptions): aws.cognito.IdentityProvider[] {
  return (Object.keys(SIGN_IN_PROVIDERS) as SignInProviderKey[])
    .filter((key) => providers[key])
    .map((key) => {
      const { providerName } = SIGN_IN_PROVIDERS[key];
      return new aws.cognito.IdentityProvider(
        `${name}-${key}`,
        { userPoolId, providerName, providerType: providerName, providerDetails: providerDetails(key, providers[key]!), attributeMapping: ATTRIBUTE_MAPPINGS[key] },
        opts,
      );
    });
}

/** Whether any configured provider links by email (then the pool gets the pre sign-up trigger). */
export const linksAccounts = (providers: SignInProvidersConfig) => (Object.keys(SIGN_IN_PROVIDERS) as SignInProviderKey[]).some((key) => providers[key] && SIGN_IN_PROVIDERS[key].linksByEmail);

export interface LinkAccountsTriggerArgs {
  /** `switchyard:eventsSelfSignUp`. Example: `true`. */
  selfSignUp: boolean;
  /** Example: `14`. */
  logRetentionDays: number;
}

/** The pre sign-up trigger's function (handlers/events/link-accounts.ts), before the pool that names it. */
export function createLinkAccountsFunction(name: string, args: LinkAccountsTriggerArgs, opts: pulumi.ComponentResourceOptions): HandlerFunction<any, any> {
  return definedFunction(
    name,
    {
      definition: linkAccountsFunction,
      links: { settings: { selfSignUp: String(args.selfSignUp) } },
      description: "user pool pre sign-up: links a federated sign-in to the organizer with its verified email",
      logRetentionDays: args.logRetentionDays,
      // Cognito waits 5 seconds for a trigger.
      timeout: 5,
    },
    opts,
  );
}

/**
 * What the trigger needs once the pool exists: Cognito may invoke it (for this pool only), and it
 * may list, create and link users in this pool only. The pool names the function (its
 * `lambdaConfig`), so a grant inside the function's own policy, which the function waits for,
 * would be a cycle; this policy is a second one on the same role, made after the pool, with the
 * pool's exact ARN — no `userpool/*` wildcard.
 */
export function grantLinkAccounts(name: string, fn: HandlerFunction<any, any>, pool: aws.cognito.UserPool, opts: pulumi.CustomResourceOptions): [aws.lambda.Permission, aws.iam.RolePolicy] {
  const permission = new aws.lambda.Permission(
    name,
    { action: "lambda:InvokeFunction", function: fn.function.name, principal: "cognito-idp.amazonaws.com", sourceArn: pool.arn },
    opts,
  );
  const policy = inlinePolicy(`${name}-pool`, fn.role, [{ actions: LINK_ACCOUNTS_ACTIONS, resources: [pool.arn] }], opts);
  return [permission, policy];
}
