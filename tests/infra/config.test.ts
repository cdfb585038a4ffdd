// Stack config: one zod schema; a missing or malformed key stops the program with the fix.
import test from "ava";
import { SECRET_KEYS, parseStackConfig } from "../../components/stack-config";
import { GISTS_SYNC, SKILLS_SYNC, StackEvaluationError, TEST_SECRETS, evaluateStack, stackConfig, syncsConfig } from "../harness/stacks";

test("the committed dev and prod configs parse, and differ in protection, retention, throttling and observability", (t) => {
  const dev = parseStackConfig({ ...stackConfig("dev"), ...TEST_SECRETS }, "dev");
  const prod = parseStackConfig({ ...stackConfig("prod"), ...TEST_SECRETS }, "prod");
  t.like(dev, { region: "us-west-2", protectData: false, logRetentionDays: 14, throttle: { rateLimit: 50, burstLimit: 100 }, observability: "lean" });
  t.like(prod, { region: "us-east-1", protectData: true, logRetentionDays: 90, throttle: { rateLimit: 20, burstLimit: 40 }, observability: "full" });
  t.is(stackConfig("prod")["switchyard:observability"], undefined, "prod takes the default");
});

test("optional keys fall back to defaults", (t) => {
  const { webhooks, syncs, events, ...config } = parseStackConfig({ "aws:region": "eu-west-1", "switchyard:protectData": "false", ...TEST_SECRETS }, "test");
  t.deepEqual(config, { stack: "test", region: "eu-west-1", protectData: false, logRetentionDays: 14, throttle: { rateLimit: 50, burstLimit: 100 }, allowedOrigins: [], siteDomain: undefined, siteAccessLogs: false, alarmEmail: undefined, alarmThresholds: { apiErrorRatePercent: 5, apiLatencyP99Ms: 3000, functionErrorRatePercent: 5, siteErrorRatePercent: 5, spoolAgeMinutes: 60 }, observability: "full" });
  t.like(webhooks, { forwardUrl: undefined, toleranceSeconds: 180, replaySchedule: "rate(5 minutes)" });
  t.is(syncs.gists, undefined, "no gist users, no gists sync");
  t.is(syncs.skills, undefined, "no Airtable base, no skill-app sync");
  t.like(events, { sender: undefined, cognitoDomain: undefined, selfSignUp: true }, "no sender: the S3 outbox; the default sign-in domain; anyone may sign up");
});

test("site access logs and closed sign-up are read as booleans", (t) => {
  const base = { "aws:region": "us-west-2", "switchyard:protectData": "true", ...TEST_SECRETS };
  const on = parseStackConfig({ ...base, "switchyard:siteAccessLogs": "true", "switchyard:eventsSelfSignUp": "false" }, "qa");
  t.true(on.siteAccessLogs);
  t.false(on.events.selfSignUp);
});

const bad: [string, Record<string, string>, RegExp][] = [
  ["a missing required key", { "aws:region": "us-west-2" }, /switchyard:protectData is missing\. Fix: pulumi config set switchyard:protectData true --stack qa/],
  ["a region that is not one", { "aws:region": "mars", "switchyard:protectData": "true" }, /aws:region is invalid .*Fix: pulumi config set aws:region us-west-2 --stack qa/],
  ["a retention CloudWatch does not offer", { "aws:region": "us-west-2", "switchyard:protectData": "true", "switchyard:logRetentionDays": "13" }, /switchyard:logRetentionDays is invalid/],
  ["a boolean given as text", { "aws:region": "us-west-2", "switchyard:protectData": "yes" }, /switchyard:protectData is invalid/],
  ["a throttle with a typo", { "aws:region": "us-west-2", "switchyard:protectData": "true", "switchyard:throttle": '{"rateLimit":5,"burst":10}' }, /switchyard:throttle is invalid/],
  ["an origin with a path", { "aws:region": "us-west-2", "switchyard:protectData": "true", "switchyard:allowedOrigins": '["https://example.com/app"]' }, /switchyard:allowedOrigins is invalid/],
  ["an observability level that is not one", { "aws:region": "us-west-2", "switchyard:protectData": "true", "switchyard:observability": "minimal" }, /switchyard:observability is invalid .*Fix: pulumi config set switchyard:observability lean --stack qa/],
  ["a wildcard origin", { "aws:region": "us-west-2", "switchyard:protectData": "true", "switchyard:allowedOrigins": '["*"]' }, /switchyard:allowedOrigins is invalid/],
  ["access logs given as text", { "aws:region": "us-west-2", "switchyard:protectData": "true", "switchyard:siteAccessLogs": "on" }, /switchyard:siteAccessLogs is invalid .*Fix: pulumi config set switchyard:siteAccessLogs true --stack qa/],
  ["self sign-up given as text", { "aws:region": "us-west-2", "switchyard:protectData": "true", "switchyard:eventsSelfSignUp": "closed" }, /switchyard:eventsSelfSignUp is invalid .*Fix: pulumi config set switchyard:eventsSelfSignUp false --stack qa/],
];

for (const [name, raw, message] of bad) {
  test(`config with ${name} is refused with the fixing command`, (t) => {
    const error = t.throws(() => parseStackConfig({ ...TEST_SECRETS, ...raw }, "qa"));
    t.regex(error!.message, message);
  });
}

test("secrets must be set as secrets, and their values never appear in the message", (t) => {
  const plain = t.throws(() => parseStackConfig({ "aws:region": "us-west-2", "switchyard:protectData": "true", ...TEST_SECRETS }, "qa", []));
  for (const key of Object.keys(TEST_SECRETS)) t.regex(plain!.message, new RegExp(`${key} is stored in plain text; it must be a secret\\. Fix: pulumi config set --secret ${key} `));
  const missing = t.throws(() => parseStackConfig({ "aws:region": "us-west-2", "switchyard:protectData": "true" }, "qa"));
  t.regex(missing!.message, /switchyard:calendlySigningKey is missing\. Fix: pulumi config set --secret switchyard:calendlySigningKey "\$\(openssl rand -hex 32\)" --stack qa/);
  const short = t.throws(() => parseStackConfig({ "aws:region": "us-west-2", "switchyard:protectData": "true", ...TEST_SECRETS, "switchyard:calendlySigningKey": "hunter2" }, "qa"));
  t.regex(short!.message, /switchyard:calendlySigningKey is invalid \(at least 16 characters\)/);
  t.false(short!.message.includes("hunter2"));
});

test("webhook settings: forward URL, tolerance and replay schedule are checked", (t) => {
  const base = { "aws:region": "us-west-2", "switchyard:protectData": "true", ...TEST_SECRETS };
  t.is(parseStackConfig({ ...base, "switchyard:forwardUrl": "https://app.example.com/hooks" }, "qa").webhooks.forwardUrl, "https://app.example.com/hooks");
  t.regex(t.throws(() => parseStackConfig({ ...base, "switchyard:forwardUrl": "ftp://x" }, "qa"))!.message, /switchyard:forwardUrl is invalid/);
  t.regex(t.throws(() => parseStackConfig({ ...base, "switchyard:signatureToleranceSeconds": "5" }, "qa"))!.message, /switchyard:signatureToleranceSeconds is invalid/);
  t.regex(t.throws(() => parseStackConfig({ ...base, "switchyard:replaySchedule": "every 5 minutes" }, "qa"))!.message, /switchyard:replaySchedule is invalid/);
  t.is(parseStackConfig({ ...base, "switchyard:replaySchedule": "cron(0/10 * * * ? *)" }, "qa").webhooks.replaySchedule, "cron(0/10 * * * ? *)");
});

/** `switchyard:syncs` as the engine passes it: a secret (a job's secret setting makes the whole value one). */
const SYNC_SECRETS = [...SECRET_KEYS, "switchyard:syncs"];

test("gist users need the Pipedrive settings", (t) => {
  const base = { "aws:region": "us-west-2", "switchyard:protectData": "true", ...TEST_SECRETS };
  const error = t.throws(() => parseStackConfig({ ...base, ...syncsConfig({ gists: { users: ["octocat"] } }) }, "qa", SYNC_SECRETS));
  for (const key of ["pipedriveBaseUrl", "pipedriveApiToken", "pipedriveGistUrlField"]) t.regex(error!.message, new RegExp(`switchyard:syncs\\.gists\\.${key} is missing`));
  t.regex(error!.message, /pulumi config set --path --secret switchyard:syncs\.gists\.pipedriveApiToken/);
  const ok = parseStackConfig(
    { ...base, ...syncsConfig({ gists: { users: ["octocat"], pipedriveBaseUrl: "https://acme.pipedrive.com", pipedriveApiToken: "0123456789abc", pipedriveGistUrlField: "abc" } }) },
    "qa",
    SYNC_SECRETS,
  );
  t.like(ok.syncs.gists, { schedule: "rate(30 minutes)", settings: { users: ["octocat"], pipedriveBaseUrl: "https://acme.pipedrive.com", pipedriveGistUrlField: "abc" } });
  t.is(parseStackConfig(base, "qa").syncs.gists, undefined);
  t.regex(t.throws(() => parseStackConfig({ ...base, ...syncsConfig({ gists: { ...GISTS_SYNC, users: ["not a login!"] } }) }, "qa", SYNC_SECRETS))!.message, /switchyard:syncs\.gists\.users is invalid/);
});

test("each sync runs on Lambda unless its runner says fargate; other runners are refused with the fix", (t) => {
  const base = { "aws:region": "us-west-2", "switchyard:protectData": "true", ...TEST_SECRETS };
  const gists = { users: ["octocat"], pipedriveBaseUrl: "https://acme.pipedrive.com", pipedriveApiToken: "0123456789abc", pipedriveGistUrlField: "abc" };
  const skills = {
    airtableBaseId: "appABCDEFGHIJKLMN",
    airtableTable: "Assessments",
    airtableToken: "pat0123456789",
    releaseRepo: "acme/skill-app",
    badgrUsername: "skills@example.com",
    badgrPassword: "secret",
    badgrIssuer: "issuer-1",
  };
  const defaults = parseStackConfig({ ...base, ...syncsConfig({ gists, skills }) }, "qa", SYNC_SECRETS);
  t.is(defaults.syncs.gists?.runner, "lambda");
  t.is(defaults.syncs.skills?.runner, "lambda");
  const fargate = parseStackConfig({ ...base, ...syncsConfig({ gists, skills: { ...skills, runner: "fargate" } }) }, "qa", SYNC_SECRETS);
  t.is(fargate.syncs.gists?.runner, "lambda");
  t.is(fargate.syncs.skills?.runner, "fargate");
  const bad = t.throws(() => parseStackConfig({ ...base, ...syncsConfig({ gists: { ...gists, runner: "ec2" } }) }, "qa", SYNC_SECRETS));
  t.regex(bad!.message, /switchyard:syncs\.gists\.runner is invalid .*Fix: pulumi config set --path switchyard:syncs\.gists\.runner fargate --stack qa/);
});

test("a website domain needs its Route 53 zone, and both are checked", (t) => {
  const base = { "aws:region": "us-east-1", "switchyard:protectData": "true", ...TEST_SECRETS };
  const parsed = parseStackConfig({ ...base, "switchyard:siteDomain": "switchyard.example.com", "switchyard:siteZoneId": "Z0123456789ABCDEFGHIJ" }, "prod");
  t.deepEqual(parsed.siteDomain, { name: "switchyard.example.com", zoneId: "Z0123456789ABCDEFGHIJ" });
  const error = t.throws(() => parseStackConfig({ ...base, "switchyard:siteDomain": "switchyard.example.com" }, "prod"))!;
  t.regex(error.message, /switchyard:siteZoneId is missing/);
  t.regex(error.message, /pulumi config set switchyard:siteZoneId Z0123456789ABCDEFGHIJ --stack prod/);
  const bad = t.throws(() => parseStackConfig({ ...base, "switchyard:siteDomain": "https://Example.com/", "switchyard:siteZoneId": "nope" }, "prod"))!;
  t.regex(bad.message, /switchyard:siteDomain is invalid/);
  t.regex(bad.message, /switchyard:siteZoneId is invalid/);
});

test("an Airtable base needs the rest of the skill-app settings", (t) => {
  const base = { "aws:region": "us-west-2", "switchyard:protectData": "true", ...TEST_SECRETS };
  const error = t.throws(() => parseStackConfig({ ...base, ...syncsConfig({ skills: { airtableBaseId: "appABCDEFGHIJKLMN" } }) }, "qa", SYNC_SECRETS));
  for (const key of ["airtableTable", "airtableToken", "releaseRepo", "badgrUsername", "badgrPassword", "badgrIssuer"]) t.regex(error!.message, new RegExp(`switchyard:syncs\\.skills\\.${key} is missing`));
  t.regex(t.throws(() => parseStackConfig({ ...base, ...syncsConfig({ skills: { ...SKILLS_SYNC, airtableBaseId: "nope" } }) }, "qa", SYNC_SECRETS))!.message, /switchyard:syncs\.skills\.airtableBaseId is invalid/);
});

test("switchyard:syncs: each job's settings become the sync's, secret ones as secrets; unknown jobs and settings are refused", async (t) => {
  const base = { "aws:region": "us-west-2", "switchyard:protectData": "true", ...TEST_SECRETS };
  const both = parseStackConfig({ ...base, ...syncsConfig({ gists: { ...GISTS_SYNC, githubToken: "ghp_0123456789" }, skills: SKILLS_SYNC }) }, "qa", SYNC_SECRETS);
  t.deepEqual(Object.keys(both.syncs), ["gists", "skills"], "in the registry's order");
  t.like(both.syncs.skills, { schedule: "rate(6 hours)", runner: "lambda", settings: { badgrBaseUrl: "https://api.badgr.io", releaseRepo: "acme/skill-app" } });
  const secret = async (value: unknown) => {
    const output = value as { isSecret: Promise<boolean>; promise(): Promise<unknown> };
    return { isSecret: await output.isSecret, value: await output.promise() };
  };
  t.deepEqual(await secret(both.syncs.gists!.settings.pipedriveApiToken), { isSecret: true, value: GISTS_SYNC.pipedriveApiToken });
  t.deepEqual(await secret(both.syncs.gists!.settings.githubToken), { isSecret: true, value: "ghp_0123456789" });
  t.deepEqual(await secret(both.syncs.skills!.settings.badgrPassword), { isSecret: true, value: SKILLS_SYNC.badgrPassword });

  const unknown = t.throws(() => parseStackConfig({ ...base, ...syncsConfig({ invoices: {}, gists: { ...GISTS_SYNC, usres: ["x"] } }) }, "qa", SYNC_SECRETS))!.message;
  t.regex(unknown, /switchyard:syncs\.invoices is not a sync job \(the jobs: gists, skills\)/);
  t.regex(unknown, /switchyard:syncs\.gists\.usres is not a setting of the gists sync/);

  // A job's secret given while switchyard:syncs is not a secret; and a bad secret is never echoed.
  const plain = t.throws(() => parseStackConfig({ ...base, ...syncsConfig({ gists: GISTS_SYNC }) }, "qa"))!.message;
  t.regex(plain, /switchyard:syncs\.gists\.pipedriveApiToken is stored in plain text; it must be a secret\. Fix: pulumi config set --path --secret switchyard:syncs\.gists\.pipedriveApiToken /);
  t.false(plain.includes(GISTS_SYNC.pipedriveApiToken));
  const short = t.throws(() => parseStackConfig({ ...base, ...syncsConfig({ gists: { ...GISTS_SYNC, pipedriveApiToken: "hunter2" } }) }, "qa", SYNC_SECRETS))!.message;
  t.regex(short, /switchyard:syncs\.gists\.pipedriveApiToken is invalid/);
  t.false(short.includes("hunter2"));
  // `pulumi config set --path` may type a numeric token as a number: it is text all the same.
  const numeric = parseStackConfig({ ...base, "switchyard:syncs": JSON.stringify({ gists: { ...GISTS_SYNC, pipedriveApiToken: 12345678901 } }) }, "qa", SYNC_SECRETS);
  t.deepEqual(await secret(numeric.syncs.gists!.settings.pipedriveApiToken), { isSecret: true, value: "12345678901" });
});

test("the flat sync keys of old are refused, each with the key it moved to and the commands that move it", (t) => {
  const base = { "aws:region": "us-west-2", "switchyard:protectData": "true", ...TEST_SECRETS };
  const old = {
    "switchyard:gistUsers": '["alice","bob"]',
    "switchyard:gistSchedule": "rate(1 hour)",
    "switchyard:gistRunner": "fargate",
    "switchyard:githubToken": "ghp_0123456789",
    "switchyard:pipedriveBaseUrl": "https://acme.pipedrive.com",
    "switchyard:pipedriveApiToken": "test-pipedrive-token-0123456789",
    "switchyard:pipedriveGistUrlField": "abc_gist_url",
    "switchyard:airtableBaseId": "appABCDEFGHIJKLMN",
    "switchyard:airtableTable": "Assessments",
    "switchyard:airtableToken": "test-airtable-pat-0123456789",
    "switchyard:releaseRepo": "acme/skill-app",
    "switchyard:badgrBaseUrl": "https://api.eu.badgr.io",
    "switchyard:badgrUsername": "skills@example.com",
    "switchyard:badgrPassword": "test-badgr-password",
    "switchyard:badgrIssuer": "issuer-1",
    "switchyard:skillsSchedule": "rate(12 hours)",
    "switchyard:skillsRunner": "fargate",
  };
  const message = t.throws(() => parseStackConfig({ ...base, ...old }, "qa", [...SECRET_KEYS, ...Object.keys(old)]))!.message;
  const moved: [string, string][] = [
    ["gistUsers", "gists.users"],
    ["gistSchedule", "gists.schedule"],
    ["gistRunner", "gists.runner"],
    ["githubToken", "gists.githubToken and switchyard:syncs.skills.githubToken"],
    ["pipedriveBaseUrl", "gists.pipedriveBaseUrl"],
    ["pipedriveApiToken", "gists.pipedriveApiToken"],
    ["pipedriveGistUrlField", "gists.pipedriveGistUrlField"],
    ["airtableBaseId", "skills.airtableBaseId"],
    ["airtableTable", "skills.airtableTable"],
    ["airtableToken", "skills.airtableToken"],
    ["releaseRepo", "skills.releaseRepo"],
    ["badgrBaseUrl", "skills.badgrBaseUrl"],
    ["badgrUsername", "skills.badgrUsername"],
    ["badgrPassword", "skills.badgrPassword"],
    ["badgrIssuer", "skills.badgrIssuer"],
    ["skillsSchedule", "skills.schedule"],
    ["skillsRunner", "skills.runner"],
  ];
  for (const [key, path] of moved) {
    t.true(message.includes(`  - switchyard:${key} is no longer read: it is switchyard:syncs.${path} now. Fix: `), key);
    t.true(message.includes(`pulumi config rm switchyard:${key} --stack qa`), `${key}: removed after the move`);
  }
  // A list goes item by item; a secret moves through `pulumi config get`, its value never printed.
  t.regex(message, /pulumi config set --path 'switchyard:syncs\.gists\.users\[0\]' alice --stack qa && pulumi config set --path 'switchyard:syncs\.gists\.users\[1\]' bob --stack qa && pulumi config rm switchyard:gistUsers --stack qa/);
  t.regex(message, /pulumi config set --path --secret switchyard:syncs\.gists\.pipedriveApiToken "\$\(pulumi config get switchyard:pipedriveApiToken --stack qa\)" --stack qa/);
  t.regex(message, /pulumi config set --path switchyard:syncs\.skills\.runner "\$\(pulumi config get switchyard:skillsRunner --stack qa\)" --stack qa/);
  for (const secret of ["ghp_0123456789", "test-pipedrive-token-0123456789", "test-airtable-pat-0123456789", "test-badgr-password"]) t.false(message.includes(secret), "no secret echoed");
  // One old key alone is enough to stop the program.
  t.regex(t.throws(() => parseStackConfig({ ...base, "switchyard:gistSchedule": "rate(1 hour)" }, "qa"))!.message, /^Stack "qa" has bad config:\n {2}- switchyard:gistSchedule is no longer read: it is switchyard:syncs\.gists\.schedule now/);
});

test("events settings: the RSVP key is required and long enough, the sender an address, the sign-in domain prefix one Cognito takes", (t) => {
  const base = { "aws:region": "us-west-2", "switchyard:protectData": "true", ...TEST_SECRETS };
  t.regex(t.throws(() => parseStackConfig({ ...base, "switchyard:rsvpSigningKey": undefined }, "qa"))!.message, /switchyard:rsvpSigningKey is missing\. Fix: pulumi config set --secret switchyard:rsvpSigningKey "\$\(openssl rand -hex 32\)" --stack qa/);
  const short = t.throws(() => parseStackConfig({ ...base, "switchyard:rsvpSigningKey": "short" }, "qa"))!.message;
  t.regex(short, /switchyard:rsvpSigningKey is invalid \(at least 16 characters\)/);
  t.false(short.includes("short"), "the bad secret is not echoed");
  t.like(parseStackConfig({ ...base, "switchyard:eventsSender": "events@example.com", "switchyard:cognitoDomain": "acme-events" }, "qa").events, { sender: "events@example.com", cognitoDomain: "acme-events" });
  t.regex(t.throws(() => parseStackConfig({ ...base, "switchyard:eventsSender": "events" }, "qa"))!.message, /switchyard:eventsSender is invalid/);
  for (const domain of ["Acme", "-acme", "acme-", "my-aws-login", "amazon-events", "cognito-x", "a".repeat(64), "acme.events"]) {
    t.regex(t.throws(() => parseStackConfig({ ...base, "switchyard:cognitoDomain": domain }, "qa"))!.message, /switchyard:cognitoDomain is invalid/, domain);
  }
  t.throws(() => parseStackConfig({ ...base, "switchyard:rsvpSigningKey": "0123456789abcdef0123" }, "qa", SECRET_KEYS.filter((k) => k !== "switchyard:rsvpSigningKey")), { message: /switchyard:rsvpSigningKey is stored in plain text/ });
});

test("every bad key is reported at once", (t) => {
  const error = t.throws(() => parseStackConfig({ "switchyard:logRetentionDays": "2" }, "qa"));
  t.regex(error!.message, /aws:region is missing/);
  t.regex(error!.message, /switchyard:protectData is missing/);
  t.regex(error!.message, /switchyard:logRetentionDays is invalid/);
});

test("evaluating the program with a secret given in plain text stops it", async (t) => {
  const error = await t.throwsAsync(evaluateStack("dev", {}, "tsx", []), { instanceOf: StackEvaluationError });
  t.regex(error!.message, /switchyard:calendlySigningKey is stored in plain text/);
});

test("evaluating the program with a key removed stops it with the message, not a stack trace", async (t) => {
  const error = await t.throwsAsync(evaluateStack("prod", { "switchyard:protectData": null }), { instanceOf: StackEvaluationError });
  t.is(error!.exitCode, 3);
  t.regex(error!.message, /Stack "prod" has bad config:\n {2}- switchyard:protectData is missing\. Fix: pulumi config set switchyard:protectData true --stack prod/);
  t.notRegex(error!.message, /\n\s+at /);
});

test("evaluating the program with an old flat sync key stops it with where the key went", async (t) => {
  const error = await t.throwsAsync(evaluateStack("dev", { "switchyard:gistUsers": '["octocat"]' }), { instanceOf: StackEvaluationError });
  t.regex(error!.message, /switchyard:gistUsers is no longer read: it is switchyard:syncs\.gists\.users now\. Fix: pulumi config set --path 'switchyard:syncs\.gists\.users\[0\]' octocat --stack dev/);
  t.notRegex(error!.message, /\n\s+at /);
});
