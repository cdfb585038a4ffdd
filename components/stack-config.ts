import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { syncJobs } from "../handlers/sync/registry";
import type { SignInProvidersConfig } from "./federated-sign-in";
import { LEGACY_SYNC_KEYS, SYNCS_KEY, legacySyncKeyLines, normalizeSyncs, syncConfigs, syncIssueLines, syncsSchema, type SyncConfig } from "./sync-config";

/** Each sign-in provider's keys: all set (the provider is on) or none. */
const SIGN_IN_KEY_GROUPS = [
  ["switchyard:googleClientId", "switchyard:googleClientSecret"],
  ["switchyard:appleServicesId", "switchyard:appleTeamId", "switchyard:appleKeyId", "switchyard:applePrivateKey"],
  ["switchyard:facebookAppId", "switchyard:facebookAppSecret"],
] as const;

/** Stripe's keys (paid events, #19): both set (Stripe is on: its WebhookIngest exists) or none. */
const STRIPE_KEY_GROUP = ["switchyard:stripeSecretKey", "switchyard:stripeWebhookSecret"] as const;

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * Every stack setting Switchyard reads, in one schema. dev and prod differ only here
 * (Pulumi.<stack>.yaml). Each key's `description` is its row in docs/operations.md's config table
 * (`npm run docs:config` writes it); its `example` is what the error message suggests.
 */
export const stackConfigSchema = z.strictObject({
  "aws:region": z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as us-west-2").meta({ description: "region of every resource (CloudFront's certificate, alarm and access logs are in us-east-1 regardless)", example: "us-west-2" }),
  "switchyard:protectData": z.boolean().meta({ description: "deletion protection and point-in-time recovery on the tables; buckets keep their objects on delete", example: "true" }),
  "switchyard:logRetentionDays": z
    .number()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `one of ${LOG_RETENTION_DAYS.join(", ")}`)
    .default(14)
    .meta({ description: "days to keep function and access logs (a CloudWatch-allowed value)", example: "14" }),
  "switchyard:throttle": z
    .strictObject({ rateLimit: z.number().positive().max(10_000), burstLimit: z.int().positive().max(5_000) })
    .default({ rateLimit: 50, burstLimit: 100 })
    .meta({ description: "HTTP API stage throttling, requests per second", example: "'{\"rateLimit\":50,\"burstLimit\":100}'" }),
  "switchyard:allowedOrigins": z
    .array(z.url({ protocol: /^https?$/ }).refine((u) => URL.canParse(u) && new URL(u).origin === u, "an origin: scheme://host[:port], no path"))
    .default([])
    .meta({ description: "browser origins allowed by CORS besides the website (never `*`)", example: '\'["http://localhost:3000"]\'' }),
  "switchyard:calendlySigningKey": z.string().min(16, "at least 16 characters").meta({ description: "the `signing_key` of the Calendly webhook subscription (≥ 16 characters)", example: '"$(openssl rand -hex 32)"', secret: true }),
  "switchyard:webhookReplayToken": z.string().min(16, "at least 16 characters").meta({ description: "bearer token for `POST /webhooks/calendly/replay` (≥ 16 characters)", example: '"$(openssl rand -hex 32)"', secret: true }),
  "switchyard:forwardUrl": z.url({ protocol: /^https?$/ }).optional().meta({ description: "where accepted webhooks are forwarded; unset: no forwarder, spool or replay", example: "https://app.example.com/webhooks/calendly" }),
  "switchyard:signatureToleranceSeconds": z.int().min(30).max(3600).default(180).meta({ description: "how far a webhook signature's timestamp may be from now", example: "180" }),
  "switchyard:replaySchedule": z
    .string()
    .regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/, "rate(…) or cron(…)")
    .default("rate(5 minutes)")
    .meta({ description: "when the spool replay runs (with `forwardUrl`)", example: '"rate(5 minutes)"' }),
  "switchyard:rsvpSigningKey": z.string().min(16, "at least 16 characters").meta({ description: "key that signs the events platform's invitation (RSVP) links (≥ 16 characters); a new key invalidates links already mailed", example: '"$(openssl rand -hex 32)"', secret: true }),
  "switchyard:eventsSender": z.email().optional().meta({ description: "the events mails' From (an SES identity: confirm SES's verification mail; in the SES sandbox, recipients must be verified too); unset: no SES, mails are written to `s3://<eventsMediaBucket>/outbox/` as `.eml` files", example: "events@example.com" }),
  "switchyard:cognitoDomain": z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "lower-case letters, digits and hyphens, 1–63 characters, no hyphen at either end")
    .refine((d) => !/aws|amazon|cognito/.test(d), "must not contain aws, amazon or cognito")
    .optional()
    .meta({ description: "prefix of the hosted sign-in page, `https://<prefix>.auth.<region>.amazoncognito.com` (unique per region; no `aws`, `amazon` or `cognito`); unset: `switchyard-<stack>-<account id>`", example: "acme-events" }),
  "switchyard:eventsSelfSignUp": z
    .boolean()
    .default(true)
    .meta({ description: "whether anyone may create an organizer account on the hosted sign-in page; `false`: only an administrator can (`aws cognito-idp admin-create-user`, see [Organizer accounts](events.md#organizer-accounts))", example: "false" }),
  "switchyard:googleClientId": z
    .string()
    .regex(/^[\w.-]+\.apps\.googleusercontent\.com$/, "a Google OAuth client ID, …apps.googleusercontent.com")
    .optional()
    .meta({ description: "the Google OAuth client (web application) for \"Continue with Google\" on the hosted sign-in page; on only with `googleClientSecret` (see [Sign-in choices](events.md#sign-in-choices))", example: "1234-abc.apps.googleusercontent.com" }),
  "switchyard:googleClientSecret": z.string().min(8, "at least 8 characters").optional().meta({ description: "that Google client's secret", requiredWith: "googleClientId", example: '"GOCSPX-…"', secret: true }),
  "switchyard:appleServicesId": z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, "a Services ID such as com.example.events.signin")
    .optional()
    .meta({ description: "the Services ID (Cognito's client id) for \"Continue with Apple\"; on only with `appleTeamId`, `appleKeyId` and `applePrivateKey` — Apple has no client secret: Cognito signs one from the key (see [Sign-in choices](events.md#sign-in-choices))", example: "com.example.events.signin" }),
  "switchyard:appleTeamId": z.string().regex(/^[A-Z0-9]{10}$/, "10 capital letters and digits").optional().meta({ description: "the Apple developer team id", requiredWith: "appleServicesId", example: "A1B2C3D4E5", text: true }),
  "switchyard:appleKeyId": z.string().regex(/^[A-Z0-9]{10}$/, "10 capital letters and digits").optional().meta({ description: "the id of the Sign in with Apple private key", requiredWith: "appleServicesId", example: "KEY123ABC4", text: true }),
  "switchyard:applePrivateKey": z
    .string()
    .refine((k) => /-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/.test(k), "the .p8 file's PEM text, BEGIN PRIVATE KEY … END PRIVATE KEY")
    .optional()
    .meta({ description: "that key's `.p8` text", requiredWith: "appleServicesId", example: '"$(cat AuthKey_KEY123ABC4.p8)"', secret: true }),
  "switchyard:facebookAppId": z.string().regex(/^\d{5,20}$/, "the Facebook App ID, digits").optional().meta({ description: "the Facebook app for \"Continue with Facebook\"; on only with `facebookAppSecret`; Facebook sign-ins are never linked by email (Facebook does not say whether it verified the address)", example: "1234567890123456", text: true }),
  "switchyard:facebookAppSecret": z.string().min(8, "at least 8 characters").optional().meta({ description: "that app's App Secret", requiredWith: "facebookAppId", example: '"$(cat facebook-app-secret)"', secret: true }),
  "switchyard:stripeSecretKey": z
    .string()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]{8,}$/, "a Stripe secret or restricted key, sk_test_…/sk_live_… (or rk_…)")
    .optional()
    .meta({ description: "Stripe's secret API key for paid events' Checkout Sessions; on only with `stripeWebhookSecret` (unset: no paid events, no Stripe webhook ingest)", example: '"sk_test_…"', secret: true }),
  "switchyard:stripeWebhookSecret": z
    .string()
    .regex(/^whsec_[A-Za-z0-9_]{8,}$/, "the webhook endpoint's signing secret, whsec_…")
    .optional()
    .meta({ description: "the signing secret of the Stripe webhook endpoint for `POST /webhooks/stripe` (Dashboard → Developers → Webhooks; events `checkout.session.*`)", requiredWith: "stripeSecretKey", example: '"whsec_…"', secret: true }),
  "switchyard:stripeSignatureToleranceSeconds": z
    .int()
    .min(30)
    .max(3600)
    .default(300)
    .meta({ description: "how far a Stripe signature's timestamp may be from now, either way (Stripe's libraries default to 300)", example: "300" }),
  "switchyard:syncs": syncsSchema(syncJobs).default({}).meta({ description: "the scheduled syncs, by job name: a job runs when its key is set, with the settings in [Sync settings](#sync-settings); none when unset", example: "'switchyard:syncs.gists.users[0]' octocat" }),
  "switchyard:alarmEmail": z.email().optional().meta({ description: "who gets the alarms (SNS email; confirm the first email)", example: "oncall@example.com" }),
  "switchyard:alarmThresholds": z
    .strictObject({
      apiErrorRatePercent: z.number().positive().max(100),
      apiLatencyP99Ms: z.int().positive().max(30_000),
      functionErrorRatePercent: z.number().positive().max(100),
      siteErrorRatePercent: z.number().positive().max(100),
      spoolAgeMinutes: z.int().positive().max(7 * 24 * 60),
    })
    .default({ apiErrorRatePercent: 5, apiLatencyP99Ms: 3000, functionErrorRatePercent: 5, siteErrorRatePercent: 5, spoolAgeMinutes: 60 })
    .meta({ description: "alarm thresholds (prod sets stricter ones)", example: '\'{"apiErrorRatePercent":1,"apiLatencyP99Ms":1000,"functionErrorRatePercent":1,"siteErrorRatePercent":1,"spoolAgeMinutes":30}\'' }),
  "switchyard:observability": z.enum(["full", "lean"]).default("full").meta({ description: "`full` (prod) or `lean` (dev: no custom metrics, 3 alarms, a small dashboard, the health check every 15 minutes; fits CloudWatch's free tier — see [Costs at idle](#costs-at-idle))", example: "lean" }),
  "switchyard:siteDomain": z
    .string()
    .regex(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a lower-case DNS name such as switchyard.example.com")
    .optional()
    .meta({ description: "the website's custom domain (CloudFront alias, ACM certificate)", example: "switchyard.example.com" }),
  "switchyard:siteZoneId": z.string().regex(/^Z[A-Z0-9]{4,31}$/, "a Route 53 hosted zone id (Z…)").optional().meta({ description: "the Route 53 hosted zone of `siteDomain`", requiredWith: "siteDomain", example: "Z0123456789ABCDEFGHIJ" }),
  "switchyard:siteAccessLogs": z
    .boolean()
    .default(false)
    .meta({ description: "CloudFront access logs of the website (standard logging v2) into a private, encrypted S3 bucket in us-east-1, each file kept `logRetentionDays` days; off: no log bucket (see [Costs at idle](#costs-at-idle))", example: "true" }),
}).superRefine((c, ctx) => {
  if (c["switchyard:siteDomain"] && !c["switchyard:siteZoneId"]) {
    ctx.addIssue({ code: "custom", path: ["switchyard:siteZoneId"], message: "needed when switchyard:siteDomain is set" });
  }
  // A sign-in provider is on only with all its keys: one set alone is a mistake, not "off".
  for (const keys of [...SIGN_IN_KEY_GROUPS, STRIPE_KEY_GROUP]) {
    const set = keys.filter((k) => c[k] !== undefined);
    if (set.length === 0 || set.length === keys.length) continue;
    for (const missing of keys.filter((k) => c[k] === undefined)) ctx.addIssue({ code: "custom", path: [missing], message: `needed with ${set.join(", ")}` });
  }
});

export type StackConfigKeys = z.infer<typeof stackConfigSchema>;
export type AlarmThresholds = StackConfigKeys["switchyard:alarmThresholds"];
/** `full` (default, prod) or `lean` (dev: fits CloudWatch's always-free tier). */
export type ObservabilityLevel = StackConfigKeys["switchyard:observability"];

/** The stack settings as the components use them. */
export interface StackConfig {
  stack: string;
  region: string;
  protectData: boolean;
  logRetentionDays: number;
  throttle: { rateLimit: number; burstLimit: number };
  allowedOrigins: string[];
  alarmEmail?: string;
  alarmThresholds: AlarmThresholds;
  /** `switchyard:observability`: `full` (default) or `lean`. */
  observability: ObservabilityLevel;
  /** The website's custom domain and its hosted zone, when set. */
  siteDomain?: { name: string; zoneId: string };
  /** `switchyard:siteAccessLogs`: CloudFront access logs into their own bucket. */
  siteAccessLogs: boolean;
  webhooks: {
    /** Secret outputs: never printed, stored encrypted in state. */
    calendlySigningKey: pulumi.Output<string>;
    replayToken: pulumi.Output<string>;
    forwardUrl?: string;
    toleranceSeconds: number;
    replaySchedule: string;
  };
  /** The events platform (Cognito sign-in, events API, mail). */
  events: {
    /** Secret output. */
    rsvpSigningKey: pulumi.Output<string>;
    /** Unset: the S3 outbox instead of SES. */
    sender?: string;
    /** Unset: `switchyard-<stack>-<account id>`. */
    cognitoDomain?: string;
    /** `switchyard:eventsSelfSignUp`: false lets only an administrator create accounts. */
    selfSignUp: boolean;
    /** Google, Apple and Facebook sign-in, each present only when all its keys are set; secrets as secret outputs. */
    signIn: SignInProvidersConfig;
  };
  /** Stripe (paid events), present only when both its keys are set; secrets as secret outputs. */
  stripe?: {
    secretKey: pulumi.Output<string>;
    webhookSecret: pulumi.Output<string>;
    /** Seconds a `Stripe-Signature` timestamp may be off, either way. */
    toleranceSeconds: number;
  };
  /** The syncs set in `switchyard:syncs`, by job name, in the registry's order; a job not set does not run. */
  syncs: Record<string, SyncConfig>;
}

/** Keys that must be set with `pulumi config set --secret`. */
export const SECRET_KEYS = Object.entries(stackConfigSchema.shape)
  .filter(([, field]) => field.meta()?.secret === true)
  .map(([key]) => key);

/** Keys whose value is text even when it looks like a number (an App ID of 16 digits is past a double's precision). */
const TEXT_KEYS = Object.entries(stackConfigSchema.shape)
  .filter(([, field]) => field.meta()?.text === true)
  .map(([key]) => key);

/** Pulumi keeps structured values as JSON text; plain strings stay strings. */
function decodeConfigValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Checks raw stack config (key → text, as Pulumi stores it). Throws one message that names every
 * bad key and the `pulumi config set` command that fixes it.
 */
export function parseStackConfig(raw: Record<string, string | undefined>, stack: string, secretKeys: readonly string[] = SECRET_KEYS): StackConfig {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(stackConfigSchema.shape)) {
    const value = raw[key];
    // Secrets and text keys stay text: a key like "0123" must not turn into a number.
    if (value !== undefined) input[key] = SECRET_KEYS.includes(key) || TEXT_KEYS.includes(key) ? value : decodeConfigValue(value);
  }
  normalizeSyncs(input[SYNCS_KEY], syncJobs);
  const fix = (key: string) => {
    const field = stackConfigSchema.shape[key as keyof typeof stackConfigSchema.shape];
    const example = (field?.meta()?.example as string | undefined) ?? "<value>";
    return `pulumi config set ${SECRET_KEYS.includes(key) ? "--secret " : ""}${key} ${example} --stack ${stack}`;
  };
  // The flat sync keys of old: refused with where each went.
  const lines: string[] = legacySyncKeyLines(raw, stack);
  const result = stackConfigSchema.safeParse(input);
  const syncIssues = result.success ? [] : result.error.issues.filter((issue) => issue.path[0] === SYNCS_KEY && issue.path.length > 1 || (issue.path[0] === SYNCS_KEY && issue.code === "unrecognized_keys"));
  lines.push(...syncIssueLines(syncIssues, input[SYNCS_KEY], syncJobs, stack, secretKeys.includes(SYNCS_KEY)));
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (syncIssues.includes(issue)) continue;
      const key = String(issue.path[0]);
      // Never echo a secret's value, even a wrong one.
      const detail = SECRET_KEYS.includes(key) ? issue.message : `${issue.path.slice(1).join(".") || "value"}: ${issue.message}`;
      lines.push(`  - ${key} ${raw[key] === undefined ? "is missing" : `is invalid (${detail})`}. Fix: ${fix(key)}`);
    }
  }
  for (const key of SECRET_KEYS) {
    if (raw[key] !== undefined && !secretKeys.includes(key)) lines.push(`  - ${key} is stored in plain text; it must be a secret. Fix: ${fix(key)}`);
  }
  if (!result.success || lines.length > 0) throw new Error(`Stack "${stack}" has bad config:\n${lines.join("\n")}`);
  const c = result.data;
  return {
    stack,
    region: c["aws:region"],
    protectData: c["switchyard:protectData"],
    logRetentionDays: c["switchyard:logRetentionDays"],
    throttle: c["switchyard:throttle"],
    allowedOrigins: c["switchyard:allowedOrigins"],
    alarmEmail: c["switchyard:alarmEmail"],
    alarmThresholds: c["switchyard:alarmThresholds"],
    observability: c["switchyard:observability"],
    siteDomain: c["switchyard:siteDomain"] ? { name: c["switchyard:siteDomain"], zoneId: c["switchyard:siteZoneId"]! } : undefined,
    siteAccessLogs: c["switchyard:siteAccessLogs"],
    webhooks: {
      calendlySigningKey: pulumi.secret(c["switchyard:calendlySigningKey"]),
      replayToken: pulumi.secret(c["switchyard:webhookReplayToken"]),
      forwardUrl: c["switchyard:forwardUrl"],
      toleranceSeconds: c["switchyard:signatureToleranceSeconds"],
      replaySchedule: c["switchyard:replaySchedule"],
    },
    events: {
      rsvpSigningKey: pulumi.secret(c["switchyard:rsvpSigningKey"]),
      sender: c["switchyard:eventsSender"],
      cognitoDomain: c["switchyard:cognitoDomain"],
      selfSignUp: c["switchyard:eventsSelfSignUp"],
      signIn: {
        ...(c["switchyard:googleClientId"] ? { google: { clientId: c["switchyard:googleClientId"], clientSecret: pulumi.secret(c["switchyard:googleClientSecret"]!) } } : {}),
        ...(c["switchyard:appleServicesId"]
          ? { apple: { servicesId: c["switchyard:appleServicesId"], teamId: c["switchyard:appleTeamId"]!, keyId: c["switchyard:appleKeyId"]!, privateKey: pulumi.secret(c["switchyard:applePrivateKey"]!) } }
          : {}),
        ...(c["switchyard:facebookAppId"] ? { facebook: { clientId: c["switchyard:facebookAppId"], clientSecret: pulumi.secret(c["switchyard:facebookAppSecret"]!) } } : {}),
      },
    },
    ...(c["switchyard:stripeSecretKey"]
      ? { stripe: { secretKey: pulumi.secret(c["switchyard:stripeSecretKey"]), webhookSecret: pulumi.secret(c["switchyard:stripeWebhookSecret"]!), toleranceSeconds: c["switchyard:stripeSignatureToleranceSeconds"] } }
      : {}),
    syncs: syncConfigs(c[SYNCS_KEY] as Record<string, Record<string, unknown> | undefined>, syncJobs),
  };
}

/** Whether the engine passed `key` as a secret (the SDK's own check; exported at run time, not in its typings). */
const isConfigSecret = (key: string) => (pulumi.runtime as unknown as { isConfigSecret(k: string): boolean }).isConfigSecret(key);

/** Reads the current stack's config; a bad key stops the program with a message, not a stack trace. */
export function loadStackConfig(): StackConfig {
  const stack = pulumi.getStack();
  const raw: Record<string, string | undefined> = {};
  // The runtime's raw accessor: Config.get would warn about reading a secret as plain text.
  for (const key of [...Object.keys(stackConfigSchema.shape), ...Object.keys(LEGACY_SYNC_KEYS)]) raw[key] = pulumi.runtime.getConfig(key);
  try {
    return parseStackConfig(raw, stack, [...SECRET_KEYS, SYNCS_KEY].filter((key) => isConfigSecret(key)));
  } catch (error) {
    throw new pulumi.RunError((error as Error).message);
  }
}
