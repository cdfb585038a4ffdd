// Sign-in choices under mocks (issue #18): a Cognito identity provider for Google, Apple and
// Facebook only when its config keys are set (none by default), their secrets as secret config
// and secret inputs, the app client listing exactly COGNITO and the configured providers, and the
// pre sign-up trigger that links accounts by email, with its least-privilege grants.
import test from "ava";
import { parseStackConfig, SECRET_KEYS } from "../../components/stack-config";
import { LINK_ACCOUNTS_ACTIONS } from "../../handlers/events/link-accounts";
import type { StackRecord } from "../harness/record";
import { SIGN_IN_CONFIG, SIGN_IN_SECRET_KEYS, TEST_SECRETS, byName, evaluateStack, ofType } from "../harness/stacks";
import { grants, policiesByRole } from "../harness/iam";

const pick = (...keys: string[]) => Object.fromEntries(keys.map((k) => [k, SIGN_IN_CONFIG[k]!]));
const GOOGLE = pick("switchyard:googleClientId", "switchyard:googleClientSecret");
const APPLE = pick("switchyard:appleServicesId", "switchyard:appleTeamId", "switchyard:appleKeyId", "switchyard:applePrivateKey");
const APPLE_KEY = APPLE["switchyard:applePrivateKey"]!;
const FACEBOOK = pick("switchyard:facebookAppId", "switchyard:facebookAppSecret");
const SIGN_IN_SECRETS = SIGN_IN_SECRET_KEYS;
const secretKeys = [...Object.keys(TEST_SECRETS), ...SIGN_IN_SECRETS];

const T = {
  idp: "aws:cognito/identityProvider:IdentityProvider",
  pool: "aws:cognito/userPool:UserPool",
  client: "aws:cognito/userPoolClient:UserPoolClient",
  fn: "aws:lambda/function:Function",
  permission: "aws:lambda/permission:Permission",
};
/** Pulumi's marker of a secret value in resource inputs. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** prod: no provider keys. all: the three providers, sign-up closed. google: dev with Google only. facebook: dev with Facebook only. */
let prod: StackRecord;
let all: StackRecord;
let google: StackRecord;
let facebook: StackRecord;
test.before(async () => {
  // One at a time: each evaluation is a Pulumi program run of its own (and is cached after).
  prod = await evaluateStack("prod");
  all = await evaluateStack("prod", { ...GOOGLE, ...APPLE, ...FACEBOOK, "switchyard:eventsSelfSignUp": "false" }, "tsx", secretKeys);
  google = await evaluateStack("dev", GOOGLE, "tsx", secretKeys);
  facebook = await evaluateStack("dev", FACEBOOK, "tsx", secretKeys);
});

const providersOf = (record: StackRecord) => ofType(record, T.idp).map((r) => r.inputs.providerName as string);
const clientProviders = (record: StackRecord) => byName(record, T.client, "events-web").inputs.supportedIdentityProviders as string[];
/** The provider's `providerDetails`, checked to be one secret input, unwrapped. */
function secretDetails(t: { is(a: unknown, b: unknown, m?: string): void }, record: StackRecord, key: string): Record<string, string> {
  const details = byName(record, T.idp, `events-idp-${key}`).inputs.providerDetails as Record<string, any>;
  t.is(details[SECRET_SIG], "1b47061264138c4ac30d75fd1eb44270", `${key}: providerDetails is a secret input`);
  return details.value as Record<string, string>;
}

test("no provider keys: no identity provider, no trigger, the client offers email and password only", (t) => {
  t.deepEqual(providersOf(prod), []);
  t.deepEqual(clientProviders(prod), ["COGNITO"]);
  t.is(byName(prod, T.pool, "events-users").inputs.lambdaConfig, undefined);
  t.false(ofType(prod, T.fn).some((f) => f.name === "events-link-accounts"));
});

test("each provider with its keys: Google, Apple (SignInWithApple) and Facebook with Cognito's provider_details keys and attribute mappings", (t) => {
  t.deepEqual(providersOf(all), ["Google", "SignInWithApple", "Facebook"]);
  const pool = byName(all, T.pool, "events-users").id;
  for (const idp of ofType(all, T.idp)) {
    t.is(idp.inputs.userPoolId, pool);
    t.is(idp.inputs.providerType, idp.inputs.providerName, "social providers: the type is the name");
  }
  t.deepEqual(secretDetails(t, all, "google"), { client_id: GOOGLE["switchyard:googleClientId"], client_secret: GOOGLE["switchyard:googleClientSecret"], authorize_scopes: "openid email profile" });
  // Apple: no client secret; Cognito signs one from the team's key.
  t.deepEqual(secretDetails(t, all, "apple"), { client_id: APPLE["switchyard:appleServicesId"], team_id: APPLE["switchyard:appleTeamId"], key_id: APPLE["switchyard:appleKeyId"], private_key: APPLE_KEY, authorize_scopes: "email name" });
  t.deepEqual(secretDetails(t, all, "facebook"), { client_id: FACEBOOK["switchyard:facebookAppId"], client_secret: FACEBOOK["switchyard:facebookAppSecret"], authorize_scopes: "public_profile,email" });
  // The ID token carries the email, and whether the provider verified it where it says so.
  t.deepEqual(byName(all, T.idp, "events-idp-google").inputs.attributeMapping, { email: "email", email_verified: "email_verified", username: "sub" });
  t.deepEqual(byName(all, T.idp, "events-idp-apple").inputs.attributeMapping, { email: "email", email_verified: "email_verified", username: "sub" });
  t.deepEqual(byName(all, T.idp, "events-idp-facebook").inputs.attributeMapping, { email: "email", username: "id" });
  // No secret anywhere outside a secret input.
  const plain = JSON.stringify(all.resources.map((r) => ({ ...r.inputs, providerDetails: undefined })));
  for (const key of SIGN_IN_SECRETS) t.false(plain.includes(({ ...GOOGLE, ...APPLE, ...FACEBOOK } as Record<string, string>)[key]!.slice(0, 20)), key);
});

test("the app client lists exactly COGNITO and the configured providers", (t) => {
  t.deepEqual(clientProviders(all), ["COGNITO", "Google", "SignInWithApple", "Facebook"]);
  t.deepEqual(clientProviders(google), ["COGNITO", "Google"]);
  t.deepEqual(clientProviders(facebook), ["COGNITO", "Facebook"]);
  t.deepEqual(providersOf(google), ["Google"]);
  t.deepEqual(providersOf(facebook), ["Facebook"]);
});

test("with Google or Apple, the pool's pre sign-up trigger links accounts; Facebook alone links nothing, so no trigger", (t) => {
  for (const [label, record] of [["all", all], ["google", google]] as const) {
    const fn = byName(record, T.fn, "events-link-accounts");
    t.deepEqual(byName(record, T.pool, "events-users").inputs.lambdaConfig, { preSignUp: fn.state.arn }, label);
    t.is(fn.inputs.timeout, 5, "Cognito waits 5 seconds for a trigger");
    // Closing sign-up reaches the trigger: it then only links to accounts an administrator made.
    t.is(fn.inputs.environment.variables.SELF_SIGN_UP, record === all ? "false" : "true", label);
    // Only Cognito, for this pool only, may invoke it.
    const permissions = ofType(record, T.permission).filter((p) => p.inputs.function === fn.state.name);
    t.deepEqual(permissions.map((p) => p.inputs), [{ action: "lambda:InvokeFunction", function: fn.state.name, principal: "cognito-idp.amazonaws.com", sourceArn: byName(record, T.pool, "events-users").state.arn }], label);
  }
  t.is(byName(facebook, T.pool, "events-users").inputs.lambdaConfig, undefined);
  t.false(ofType(facebook, T.fn).some((f) => f.name === "events-link-accounts"));
});

test("the trigger may list, create and link users in its own pool only, and write its logs: nothing else", (t) => {
  for (const record of [all, google]) {
    const pool = byName(record, T.pool, "events-users").state.arn as string;
    const logs = [`${byName(record, "aws:cloudwatch/logGroup:LogGroup", "events-link-accounts").state.arn}:log-stream:*`];
    const expected: Record<string, string[]> = { "logs:CreateLogStream": logs, "logs:PutLogEvents": logs };
    for (const action of LINK_ACCOUNTS_ACTIONS) expected[action] = [pool];
    t.deepEqual(grants(policiesByRole(record).get("events-link-accounts")!), expected);
    t.deepEqual([...LINK_ACCOUNTS_ACTIONS].sort(), ["cognito-idp:AdminCreateUser", "cognito-idp:AdminLinkProviderForUser", "cognito-idp:ListUsers"]);
  }
});

const base = { "aws:region": "us-west-2", "switchyard:protectData": "true", ...TEST_SECRETS };

test("config: a provider is on only with all its keys; its secrets are secret keys and secret outputs", async (t) => {
  t.deepEqual(parseStackConfig(base, "qa").events.signIn, {});
  for (const key of SIGN_IN_SECRETS) t.true(SECRET_KEYS.includes(key), key);
  const on = parseStackConfig({ ...base, ...GOOGLE, ...APPLE, ...FACEBOOK }, "qa", [...SECRET_KEYS]);
  t.deepEqual(Object.keys(on.events.signIn), ["google", "apple", "facebook"]);
  const secret = async (value: unknown) => {
    const output = value as { isSecret: Promise<boolean>; promise(): Promise<unknown> };
    return { isSecret: await output.isSecret, value: await output.promise() };
  };
  t.deepEqual(await secret(on.events.signIn.google!.clientSecret), { isSecret: true, value: GOOGLE["switchyard:googleClientSecret"] });
  t.deepEqual(await secret(on.events.signIn.apple!.privateKey), { isSecret: true, value: APPLE_KEY });
  t.deepEqual(await secret(on.events.signIn.facebook!.clientSecret), { isSecret: true, value: FACEBOOK["switchyard:facebookAppSecret"] });
  t.like(on.events.signIn.apple, { servicesId: "com.example.events.signin", teamId: "A1B2C3D4E5", keyId: "KEY123ABC4" });
  // Ids that look like numbers stay the text they are: 17 digits are past a double's precision.
  const digits = parseStackConfig({ ...base, ...FACEBOOK, ...APPLE, "switchyard:facebookAppId": "98765432109876543", "switchyard:appleTeamId": "0123456789" }, "qa", [...SECRET_KEYS]);
  t.is(digits.events.signIn.facebook!.clientId, "98765432109876543");
  t.is(digits.events.signIn.apple!.teamId, "0123456789");
});

test("config: half a provider is refused with what is missing; a secret given in plain text is refused without echoing it", (t) => {
  const half = t.throws(() => parseStackConfig({ ...base, "switchyard:googleClientId": GOOGLE["switchyard:googleClientId"] }, "qa"))!.message;
  t.regex(half, /switchyard:googleClientSecret is missing\. Fix: pulumi config set --secret switchyard:googleClientSecret /);
  const apple = t.throws(() => parseStackConfig({ ...base, "switchyard:appleServicesId": "com.example.events.signin", "switchyard:appleTeamId": "A1B2C3D4E5" }, "qa"))!.message;
  t.regex(apple, /switchyard:appleKeyId is missing/);
  t.regex(apple, /switchyard:applePrivateKey is missing\. Fix: pulumi config set --secret switchyard:applePrivateKey /);
  const orphan = t.throws(() => parseStackConfig({ ...base, "switchyard:facebookAppSecret": FACEBOOK["switchyard:facebookAppSecret"] }, "qa", [...SECRET_KEYS]))!.message;
  t.regex(orphan, /switchyard:facebookAppId is missing/);
  const plain = t.throws(() => parseStackConfig({ ...base, ...GOOGLE }, "qa", Object.keys(TEST_SECRETS)))!.message;
  t.regex(plain, /switchyard:googleClientSecret is stored in plain text; it must be a secret/);
  t.false(plain.includes(GOOGLE["switchyard:googleClientSecret"]!));
  const badKey = t.throws(() => parseStackConfig({ ...base, ...APPLE, "switchyard:applePrivateKey": "not a key" }, "qa", [...SECRET_KEYS]))!.message;
  t.regex(badKey, /switchyard:applePrivateKey is invalid \(the \.p8 file's PEM text/);
  t.false(badKey.includes("not a key"));
});
