/**
 * The social sign-in providers an events stack may offer (issue #18, "Sign-in choices"), as plain
 * data shared by the stack (components/federated-sign-in.ts), the account-linking trigger
 * (link-accounts.ts) and the local sign-in stand-in (local/standins/sign-in.ts).
 */
export interface SignInProvider {
  /** The identity provider's name in the user pool, the hosted UI's `identity_provider` value and the `identities` claim's `providerName`. Example: `"Google"`. */
  providerName: string;
  /** The button's words: "Continue with <label>". Example: `"Google"`. */
  label: string;
  /**
   * Whether a sign-in through this provider may be linked by email to the organizer who already
   * has that address: only when the provider says the address is verified. Facebook never does
   * (its Graph API has no `email_verified`), so a Facebook sign-in stays an organizer of its own.
   */
  linksByEmail: boolean;
}

/** By config key prefix (`switchyard:<key>…`). Example: `SIGN_IN_PROVIDERS.google.providerName` is `"Google"`. */
export const SIGN_IN_PROVIDERS = {
  google: { providerName: "Google", label: "Google", linksByEmail: true },
  apple: { providerName: "SignInWithApple", label: "Apple", linksByEmail: true },
  facebook: { providerName: "Facebook", label: "Facebook", linksByEmail: false },
} as const satisfies Record<string, SignInProvider>;

export type SignInProviderKey = keyof typeof SIGN_IN_PROVIDERS;
export const SIGN_IN_PROVIDER_KEYS = Object.keys(SIGN_IN_PROVIDERS) as SignInProviderKey[];

/**
 * The provider of a federated username: Cognito names a federated user `<providerName>_<id>`, in
 * whatever case (`Google_1234`, `google_1234`, `signinwithapple_001234.ab12…`), and the id may
 * hold anything but the first underscore is the separator. Undefined for a native username.
 */
export function federatedUsername(userName: string): { key: SignInProviderKey; userId: string } | undefined {
  const cut = userName.indexOf("_");
  if (cut < 1) return undefined;
  const prefix = userName.slice(0, cut).toLowerCase();
  const key = SIGN_IN_PROVIDER_KEYS.find((k) => SIGN_IN_PROVIDERS[k].providerName.toLowerCase() === prefix);
  const userId = userName.slice(cut + 1);
  return key && userId ? { key, userId } : undefined;
}
