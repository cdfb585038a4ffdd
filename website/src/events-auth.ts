// Sign-in for the Events pages: OAuth 2.0 authorization code with PKCE (S256) against the Cognito
// hosted UI (or local mode's stand-in, which speaks the same endpoints). Public client, no secret.
// Tokens live in sessionStorage (this tab only, gone when it closes); the ID token is what the API
// reads (it carries `email`), refreshed with the refresh token shortly before it expires.

export interface AuthSettings {
  domain: string;
  clientId: string;
}

interface Session {
  idToken: string;
  refreshToken?: string;
  /** Epoch ms when the ID token expires. */
  expiresAt: number;
  email: string;
}

interface Pending {
  state: string;
  verifier: string;
  /** Path and query to return to after signing in. */
  returnTo: string;
  /** This sign-in is the one retry after the account-linking answer (see handleCallback). */
  retried?: boolean;
}

/**
 * Cognito's answer to the first sign-in through a provider that the pre sign-up trigger has just
 * linked to an existing organizer (handlers/events/link-accounts.ts): the identity now belongs to
 * that organizer and a second sign-in goes through. It names the provider: `…username Google_123`.
 */
const LINKED_ANSWER = /Already found an entry for username ([A-Za-z]+)_/i;

const SESSION_KEY = "switchyard.events.session";
const PENDING_KEY = "switchyard.events.signin";
/** Refresh when the ID token has less than this left. */
const REFRESH_MARGIN_MS = 2 * 60 * 1000;

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const randomString = (n: number) => base64url(crypto.getRandomValues(new Uint8Array(n)));

/** The JWT's payload (not verified: the API verifies; the page only reads `exp` and `email`). */
function claimsOf(jwt: string): { exp?: number; email?: string } {
  try {
    const part = jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as { exp?: number; email?: string };
  } catch {
    return {};
  }
}

const read = <T>(storage: Storage, key: string): T | undefined => {
  try {
    const raw = storage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
};

/** The sign-in redirect target: the Events home, as registered with the app client. */
export const redirectUri = () => `${location.origin}/events/`;

export class Auth {
  private refreshing: Promise<string | undefined> | undefined;

  constructor(readonly settings: AuthSettings) {}

  /** The signed-in user's email, or undefined. */
  get email(): string | undefined {
    return read<Session>(sessionStorage, SESSION_KEY)?.email;
  }

  /** Sends the browser to the hosted UI; comes back to /events/?code=&state=. */
  async signIn(returnTo = location.pathname + location.search, retry?: { identityProvider: string }): Promise<void> {
    const verifier = randomString(48);
    const state = randomString(24);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
    sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, verifier, returnTo, ...(retry ? { retried: true } : {}) } satisfies Pending));
    const query = new URLSearchParams({
      response_type: "code",
      client_id: this.settings.clientId,
      redirect_uri: redirectUri(),
      scope: "openid email profile",
      state,
      code_challenge: base64url(digest),
      code_challenge_method: "S256",
      // The retry goes straight to the provider just used (its session makes it a quick round trip).
      ...(retry ? { identity_provider: retry.identityProvider } : {}),
    });
    location.assign(`${this.settings.domain}/oauth2/authorize?${query}`);
  }

  /** Forgets the tokens and ends the hosted UI's session, which sends the browser back to /events/. */
  signOut(): void {
    sessionStorage.removeItem(SESSION_KEY);
    location.assign(`${this.settings.domain}/logout?${new URLSearchParams({ client_id: this.settings.clientId, logout_uri: redirectUri() })}`);
  }

  clear(): void {
    sessionStorage.removeItem(SESSION_KEY);
  }

  /**
   * On /events/?code=&state= (or ?error=): checks the state, trades the code for tokens. Resolves
   * to the path to continue at, or undefined when the URL is no callback; throws a readable Error.
   */
  async handleCallback(): Promise<string | undefined> {
    const params = new URLSearchParams(location.search);
    const code = params.get("code");
    const error = params.get("error");
    if (!code && !error) return undefined;
    const pending = read<Pending>(sessionStorage, PENDING_KEY);
    sessionStorage.removeItem(PENDING_KEY);
    const linked = LINKED_ANSWER.exec(params.get("error_description") ?? "");
    if (error && linked && pending && !pending.retried) {
      // Linked just now: sign in once more, through the same provider; the page is left meanwhile.
      const provider = linked[1]!.toLowerCase() === "signinwithapple" ? "SignInWithApple" : linked[1]![0]!.toUpperCase() + linked[1]!.slice(1).toLowerCase();
      await this.signIn(pending.returnTo, { identityProvider: provider });
      return new Promise<never>(() => {});
    }
    if (error) throw new Error(`Sign-in failed: ${params.get("error_description") ?? error}.`);
    if (!pending || pending.state !== params.get("state")) throw new Error("Sign-in failed: this answer does not belong to a sign-in started in this tab. Sign in again.");
    await this.tokenRequest({ grant_type: "authorization_code", client_id: this.settings.clientId, code: code!, redirect_uri: redirectUri(), code_verifier: pending.verifier });
    return pending.returnTo.startsWith("/events") ? pending.returnTo : "/events/";
  }

  /** A valid ID token (refreshed if it is about to expire), or undefined when signed out. */
  async idToken(): Promise<string | undefined> {
    const session = read<Session>(sessionStorage, SESSION_KEY);
    if (!session) return undefined;
    if (session.expiresAt - Date.now() > REFRESH_MARGIN_MS) return session.idToken;
    if (!session.refreshToken) {
      this.clear();
      return undefined;
    }
    this.refreshing ??= this.tokenRequest({ grant_type: "refresh_token", client_id: this.settings.clientId, refresh_token: session.refreshToken }, session.refreshToken)
      .then(() => read<Session>(sessionStorage, SESSION_KEY)?.idToken)
      .catch(() => {
        this.clear();
        return undefined;
      })
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async tokenRequest(form: Record<string, string>, keepRefresh?: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`${this.settings.domain}/oauth2/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form) });
    } catch {
      throw new Error(`Sign-in failed: ${this.settings.domain} cannot be reached.`);
    }
    const body = (await response.json().catch(() => ({}))) as { id_token?: string; refresh_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!response.ok || !body.id_token) throw new Error(`Sign-in failed: ${body.error_description ?? body.error ?? `the token endpoint answered ${response.status}`}.`);
    const claims = claimsOf(body.id_token);
    const session: Session = {
      idToken: body.id_token,
      expiresAt: claims.exp ? claims.exp * 1000 : Date.now() + (body.expires_in ?? 3600) * 1000,
      email: claims.email ?? "",
    };
    // Cognito answers a refresh without a new refresh token: keep the one we have.
    const refreshToken = body.refresh_token ?? keepRefresh;
    if (refreshToken) session.refreshToken = refreshToken;
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  }
}
