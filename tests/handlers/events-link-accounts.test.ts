// The pre sign-up trigger that links accounts (issue #18): its real code and the real AWS SDK
// client, in-process, against a small HTTP stand-in of Cognito's user-pool API
// (tests/harness/cognito-idp.ts), plus its pure decision function on the cases the stand-in does
// not reach. A "sign-in" below is what Cognito does for a federated sign-in: the identity signs in
// as the user it is linked to; an unknown one runs the trigger first, then signs in as the user it
// was linked to, or as a new federated user of its own.
import test from "ava";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { createObservability } from "../../handlers/shared/observability";
import { decideLink, emailFilter, linkAccountsHandler, poolAccounts, type LinkOptions, type PreSignUpEvent } from "../../handlers/events/link-accounts";
import { startCognitoIdp } from "../harness/cognito-idp";

const POOL = "us-west-2_TestPool1";

const preSignUp = (userName: string, attributes: Record<string, string | undefined>, triggerSource = "PreSignUp_ExternalProvider"): PreSignUpEvent => ({
  triggerSource,
  userPoolId: POOL,
  userName,
  request: { userAttributes: attributes },
  response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
});

async function pool(options: LinkOptions = { selfSignUp: true }, beforeCreate?: (email: string) => void) {
  // The trigger is built once the stand-in's address is known; the stand-in calls it back.
  const trigger: { handler?: ReturnType<typeof linkAccountsHandler> } = {};
  const nested: string[] = [];
  const cognito = await startCognitoIdp({
    beforeCreate,
    // Cognito runs the trigger inside AdminCreateUser: it must let that one through.
    onAdminCreateUser: async (username, email) => {
      const event = preSignUp(username, { email, email_verified: "true" }, "PreSignUp_AdminCreateUser");
      const answer = await trigger.handler!(event);
      nested.push(answer.triggerSource);
    },
  });
  const client = new CognitoIdentityProviderClient({ endpoint: cognito.endpoint, region: "us-west-2", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
  const handler = (trigger.handler = linkAccountsHandler({ accounts: poolAccounts(client), obs: createObservability("events-link-accounts-test"), options }));
  /** A federated sign-in as Cognito runs it; the user it ends up as, or the trigger's error. */
  async function signIn(prefix: string, providerName: string, userId: string, email: string, emailVerified?: string) {
    const known = cognito.signInAs(providerName, userId);
    if (known) return known;
    const attributes: Record<string, string | undefined> = { email, ...(emailVerified === undefined ? {} : { email_verified: emailVerified }) };
    await handler(preSignUp(`${prefix}_${userId}`, attributes));
    // Linked: Cognito ends this attempt ("Already found an entry for username …") and the next one signs in as the linked user.
    return cognito.signInAs(providerName, userId) ?? cognito.add({ username: `${providerName}_${userId}`, email, emailVerified: emailVerified === "true", status: "EXTERNAL_PROVIDER" });
  }
  return { cognito, handler, signIn, nested, close: () => cognito.close() };
}

test("a first Google sign-in creates the organizer (no mail, email verified) and links Google to it; Apple with the same email is the same user", async (t) => {
  const p = await pool();
  t.teardown(p.close);
  const viaGoogle = await p.signIn("Google", "Google", "109876543210", "ada@example.com", "true");
  t.is(viaGoogle.status, "FORCE_CHANGE_PASSWORD", "a native user, the link target for every later provider");
  t.deepEqual(viaGoogle.links, ["Google:109876543210"]);
  const create = p.cognito.requests.find((r) => r.target === "AdminCreateUser")!.body;
  t.like(create, { UserPoolId: POOL, Username: "ada@example.com", MessageAction: "SUPPRESS" });
  t.deepEqual(create.UserAttributes, [{ Name: "email", Value: "ada@example.com" }, { Name: "email_verified", Value: "true" }]);
  t.deepEqual(p.nested, ["PreSignUp_AdminCreateUser"], "the nested trigger call passed");

  // Apple's prefix arrives in lower case and the address in another case: the same organizer.
  const viaApple = await p.signIn("signinwithapple", "SignInWithApple", "001234.abcdef0123456789.1234", "Ada@Example.com", "true");
  t.is(viaApple.username, viaGoogle.username);
  t.deepEqual(viaApple.links, ["Google:109876543210", "SignInWithApple:001234.abcdef0123456789.1234"]);
  t.is(p.cognito.requests.filter((r) => r.target === "AdminCreateUser").length, 1, "no second user");
  t.is(p.cognito.users.length, 1);
  const link = p.cognito.requests.filter((r) => r.target === "AdminLinkProviderForUser").at(-1)!.body;
  t.deepEqual(link, {
    UserPoolId: POOL,
    DestinationUser: { ProviderName: "Cognito", ProviderAttributeValue: viaGoogle.username },
    SourceUser: { ProviderName: "SignInWithApple", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: "001234.abcdef0123456789.1234" },
  });
  // Signing in again through either provider runs no trigger: the identity is the native user's.
  const before = p.cognito.requests.length;
  t.is((await p.signIn("Google", "Google", "109876543210", "ada@example.com", "true")).username, viaGoogle.username);
  t.is(p.cognito.requests.length, before);
});

test("a Google sign-in joins the email-and-password organizer who confirmed that address", async (t) => {
  const p = await pool();
  t.teardown(p.close);
  const native = p.cognito.add({ email: "ben@example.com", emailVerified: true, status: "CONFIRMED" });
  const user = await p.signIn("google", "Google", "2222", "ben@example.com", "true");
  t.is(user.username, native.username);
  t.deepEqual(p.cognito.requests.map((r) => r.target), ["ListUsers", "AdminLinkProviderForUser"]);
  t.is(p.cognito.requests[0]!.body.Filter, 'email = "ben@example.com"');
});

test("no link without a verified email: Google's unverified address and every Facebook sign-in stay users of their own", async (t) => {
  const p = await pool();
  t.teardown(p.close);
  const native = p.cognito.add({ email: "cy@example.com", emailVerified: true, status: "CONFIRMED" });
  const unverified = await p.signIn("Google", "Google", "3333", "cy@example.com", "false");
  t.not(unverified.username, native.username);
  t.is(unverified.status, "EXTERNAL_PROVIDER");
  const viaFacebook = await p.signIn("Facebook", "Facebook", "4444", "cy@example.com");
  t.not(viaFacebook.username, native.username);
  t.deepEqual(native.links, []);
  t.deepEqual(p.cognito.requests, [], "not even a look-up");
});

test("an account whose owner never confirmed the address is not joined: the sign-in is refused with a message, nothing changes", async (t) => {
  const p = await pool();
  t.teardown(p.close);
  p.cognito.add({ email: "dee@example.com", emailVerified: false, status: "UNCONFIRMED" });
  const error = await t.throwsAsync(p.signIn("Google", "Google", "5555", "dee@example.com", "true"));
  t.regex(error!.message, /never confirmed/);
  t.is(p.cognito.users.length, 1);
  t.deepEqual(p.cognito.users[0]!.links, []);
  t.deepEqual(p.cognito.requests.map((r) => r.target), ["ListUsers"]);
});

test("sign-up closed (eventsSelfSignUp false): a provider joins an account an administrator made, and makes none", async (t) => {
  const p = await pool({ selfSignUp: false });
  t.teardown(p.close);
  const error = await t.throwsAsync(p.signIn("Google", "Google", "6666", "eve@example.com", "true"));
  t.regex(error!.message, /created by an administrator/);
  t.is(p.cognito.users.length, 0);
  t.regex((await t.throwsAsync(p.signIn("Facebook", "Facebook", "6667", "eve@example.com")))!.message, /created by an administrator/);
  const admin = p.cognito.add({ email: "eve@example.com", emailVerified: true, status: "FORCE_CHANGE_PASSWORD" });
  t.is((await p.signIn("Google", "Google", "6666", "eve@example.com", "true")).username, admin.username);
});

test("two first sign-ins at once: the one that loses the AdminCreateUser race links to the user the other created", async (t) => {
  let raced = false;
  const p = await pool({ selfSignUp: true }, (email) => {
    if (raced) return;
    raced = true;
    p.cognito.add({ email, emailVerified: true, status: "FORCE_CHANGE_PASSWORD" });
  });
  t.teardown(p.close);
  const user = await p.signIn("Google", "Google", "7777", "fay@example.com", "true");
  t.is(p.cognito.users.length, 1);
  t.is(user.username, p.cognito.users[0]!.username);
  t.deepEqual(p.cognito.requests.map((r) => r.target), ["ListUsers", "AdminCreateUser", "ListUsers", "AdminLinkProviderForUser"]);
});

test("sign-ups that are not federated pass unchanged, without a call", async (t) => {
  const p = await pool();
  t.teardown(p.close);
  for (const source of ["PreSignUp_SignUp", "PreSignUp_AdminCreateUser"]) {
    const event = preSignUp("gus@example.com", { email: "gus@example.com" }, source);
    t.deepEqual(await p.handler(event), event);
  }
  t.deepEqual(p.cognito.requests, []);
});

test("the decision, pure: provider names as Cognito needs them, federated users never a target, the oldest native user chosen", (t) => {
  const open = { selfSignUp: true };
  const google = (email: string, verified = "true") => preSignUp("google_1_2_3", { email, email_verified: verified });
  t.deepEqual(decideLink(google("a@example.com"), [], open), { action: "create-and-link", email: "a@example.com", source: { providerName: "Google", userId: "1_2_3" } });
  const users = [
    { username: "Google_9", status: "EXTERNAL_PROVIDER", emailVerified: true, createdAt: 1 },
    { username: "newer", status: "CONFIRMED", emailVerified: true, createdAt: 3 },
    { username: "older", status: "CONFIRMED", emailVerified: true, createdAt: 2 },
  ];
  t.like(decideLink(google("a@example.com"), users, open), { action: "link", destination: "older" });
  t.like(decideLink(google("a@example.com"), users.slice(0, 1), open), { action: "create-and-link" });
  t.like(decideLink(preSignUp("SignInWithApple_x", { email: "a@example.com", email_verified: "TRUE" }), [], open), { action: "create-and-link", source: { providerName: "SignInWithApple", userId: "x" } });
  t.like(decideLink(preSignUp("Google_1", { email_verified: "true" }), [], open), { action: "pass" });
  t.like(decideLink(preSignUp("LoginWithAmazon_1", { email: "a@example.com", email_verified: "true" }), [], open), { action: "pass" });
  t.like(decideLink(preSignUp("Google_", { email: "a@example.com", email_verified: "true" }), [], open), { action: "pass" });
  t.is(emailFilter('o"brien\\x@example.com'), 'email = "o\\"brien\\\\x@example.com"');
});
