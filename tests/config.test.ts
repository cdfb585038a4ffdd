// Stack config: one zod schema; a missing or malformed key stops the program with the fix.
import test from "ava";
import { SECRET_KEYS, parseStackConfig } from "../components/stack-config";
import { StackEvaluationError, TEST_SECRETS, evaluateStack, stackConfig } from "./harness/stacks";

test("the committed dev and prod configs parse, and differ in protection, retention, throttling and observability", (t) => {
  const dev = parseStackConfig({ ...stackConfig("dev"), ...TEST_SECRETS }, "dev");
  const prod = parseStackConfig({ ...stackConfig("prod"), ...TEST_SECRETS }, "prod");
  t.like(dev, { region: "us-west-2", protectData: false, logRetentionDays: 14, throttle: { rateLimit: 50, burstLimit: 100 }, observability: "lean" });
  t.like(prod, { region: "us-east-1", protectData: true, logRetentionDays: 90, throttle: { rateLimit: 20, burstLimit: 40 }, observability: "full" });
  t.is(stackConfig("prod")["switchyard:observability"], undefined, "prod takes the default");
});

test("optional keys fall back to defaults", (t) => {
  const { webhooks, gists, skills, events, ...config } = parseStackConfig({ "aws:region": "eu-west-1", "switchyard:protectData": "false", ...TEST_SECRETS }, "test");
  t.deepEqual(config, { stack: "test", region: "eu-west-1", protectData: false, logRetentionDays: 14, throttle: { rateLimit: 50, burstLimit: 100 }, allowedOrigins: [], siteDomain: undefined, alarmEmail: undefined, alarmThresholds: { apiErrorRatePercent: 5, apiLatencyP99Ms: 3000, functionErrorRatePercent: 5, siteErrorRatePercent: 5, spoolAgeMinutes: 60 }, observability: "full" });
  t.like(webhooks, { forwardUrl: undefined, toleranceSeconds: 180, replaySchedule: "rate(5 minutes)" });
  t.is(gists, undefined, "no gist users, no gists sync");
  t.is(skills, undefined, "no Airtable base, no skill-app sync");
  t.like(events, { sender: undefined, cognitoDomain: undefined }, "no sender: the S3 outbox; the default sign-in domain");
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

test("gist users need the Pipedrive settings", (t) => {
  const base = { "aws:region": "us-west-2", "switchyard:protectData": "true", ...TEST_SECRETS };
  const error = t.throws(() => parseStackConfig({ ...base, "switchyard:gistUsers": '["octocat"]' }, "qa", [...SECRET_KEYS]));
  for (const key of ["pipedriveBaseUrl", "pipedriveApiToken", "pipedriveGistUrlField"]) t.regex(error!.message, new RegExp(`switchyard:${key} is missing`));
  t.regex(error!.message, /pulumi config set --secret switchyard:pipedriveApiToken/);
  const ok = parseStackConfig(
    { ...base, "switchyard:gistUsers": '["octocat"]', "switchyard:pipedriveBaseUrl": "https://acme.pipedrive.com", "switchyard:pipedriveApiToken": "0123456789abc", "switchyard:pipedriveGistUrlField": "abc" },
    "qa",
    [...SECRET_KEYS],
  );
  t.like(ok.gists, { users: ["octocat"], schedule: "rate(30 minutes)", pipedriveBaseUrl: "https://acme.pipedrive.com", gistUrlField: "abc" });
  t.is(parseStackConfig(base, "qa").gists, undefined);
  t.regex(t.throws(() => parseStackConfig({ ...base, "switchyard:gistUsers": '["not a login!"]' }, "qa"))!.message, /switchyard:gistUsers is invalid/);
});

test("each sync runs on Lambda unless its runner says fargate; other runners are refused with the fix", (t) => {
  const base = { "aws:region": "us-west-2", "switchyard:protectData": "true", ...TEST_SECRETS };
  const gists = { "switchyard:gistUsers": '["octocat"]', "switchyard:pipedriveBaseUrl": "https://acme.pipedrive.com", "switchyard:pipedriveApiToken": "0123456789abc", "switchyard:pipedriveGistUrlField": "abc" };
  const skills = {
    "switchyard:airtableBaseId": "appABCDEFGHIJKLMN",
    "switchyard:airtableTable": "Assessments",
    "switchyard:airtableToken": "pat0123456789",
    "switchyard:releaseRepo": "acme/skill-app",
    "switchyard:badgrUsername": "skills@example.com",
    "switchyard:badgrPassword": "secret",
    "switchyard:badgrIssuer": "issuer-1",
  };
  const defaults = parseStackConfig({ ...base, ...gists, ...skills }, "qa", [...SECRET_KEYS]);
  t.is(defaults.gists?.runner, "lambda");
  t.is(defaults.skills?.runner, "lambda");
  const fargate = parseStackConfig({ ...base, ...gists, ...skills, "switchyard:skillsRunner": "fargate" }, "qa", [...SECRET_KEYS]);
  t.is(fargate.gists?.runner, "lambda");
  t.is(fargate.skills?.runner, "fargate");
  const bad = t.throws(() => parseStackConfig({ ...base, ...gists, "switchyard:gistRunner": "ec2" }, "qa", [...SECRET_KEYS]));
  t.regex(bad!.message, /switchyard:gistRunner is invalid .*Fix: pulumi config set switchyard:gistRunner fargate --stack qa/);
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
  const error = t.throws(() => parseStackConfig({ ...base, "switchyard:airtableBaseId": "appABCDEFGHIJKLMN" }, "qa"));
  for (const key of ["airtableTable", "airtableToken", "releaseRepo", "badgrUsername", "badgrPassword", "badgrIssuer"]) t.regex(error!.message, new RegExp(`switchyard:${key} is missing`));
  t.regex(t.throws(() => parseStackConfig({ ...base, "switchyard:airtableBaseId": "nope" }, "qa"))!.message, /switchyard:airtableBaseId is invalid/);
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
