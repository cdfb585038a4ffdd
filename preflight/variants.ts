// The stack variants preflight checks: each committed stack as it is, and with every optional part
// switched on (both syncs, an SES sender, alarm email, a forward URL, a custom domain, the site's
// access logs, sign-up closed, the sign-in providers, Stripe), once with the syncs on Lambda (dev) and once on Fargate (prod), so
// every resource type the program can create is in some record.
import { evaluateStack, GISTS_SYNC, SIGN_IN_CONFIG, SIGN_IN_SECRET_KEYS, SKILLS_SYNC, STRIPE_CONFIG, STRIPE_SECRET_KEYS, SYNC_SECRET_KEYS, syncsConfig, TEST_SECRETS } from "../tests/harness/stacks";
import type { StackRecord } from "./finding";

export interface Variant {
  /** Example: `"prod-everything"`. */
  name: string;
  stack: "dev" | "prod";
  /** Config keys set on top of `Pulumi.<stack>.yaml`. */
  overrides: Record<string, string>;
  secretKeys: string[];
}

/** Both syncs, each with a GitHub token; on `runner`. */
const syncs = (runner: "lambda" | "fargate") => {
  const githubToken = "test-github-token-0123456789";
  return syncsConfig({ gists: { ...GISTS_SYNC, githubToken, runner }, skills: { ...SKILLS_SYNC, githubToken, runner } });
};

const EVERYTHING: Record<string, string> = {
  "switchyard:eventsSender": "events@example.com",
  "switchyard:alarmEmail": "oncall@example.com",
  "switchyard:forwardUrl": "https://app.example.com/webhooks/calendly",
  "switchyard:siteDomain": "switchyard.example.com",
  "switchyard:siteZoneId": "Z0123456789ABCDEFGHIJ",
  "switchyard:siteAccessLogs": "true",
  "switchyard:eventsSelfSignUp": "false",
  // Google, Apple and Facebook sign-in: the identity providers and the account-linking trigger.
  ...SIGN_IN_CONFIG,
  // Stripe (paid events): the second WebhookIngest.
  ...STRIPE_CONFIG,
};
const EVERYTHING_SECRETS = [...Object.keys(TEST_SECRETS), ...SYNC_SECRET_KEYS, ...SIGN_IN_SECRET_KEYS, ...STRIPE_SECRET_KEYS];

export const VARIANTS: Variant[] = [
  { name: "dev", stack: "dev", overrides: {}, secretKeys: Object.keys(TEST_SECRETS) },
  { name: "prod", stack: "prod", overrides: {}, secretKeys: Object.keys(TEST_SECRETS) },
  { name: "dev-everything", stack: "dev", overrides: { ...EVERYTHING, ...syncs("lambda") }, secretKeys: EVERYTHING_SECRETS },
  {
    name: "prod-everything",
    stack: "prod",
    overrides: { ...EVERYTHING, ...syncs("fargate") },
    secretKeys: EVERYTHING_SECRETS,
  },
];

/** Each variant's record (evaluated under mocks; cached by content in `.cache/stack-records/`). */
export async function evaluateVariants(variants: Variant[] = VARIANTS): Promise<Map<string, StackRecord>> {
  const records = await Promise.all(variants.map((v) => evaluateStack(v.stack, v.overrides, "tsx", v.secretKeys)));
  return new Map(variants.map((v, i) => [v.name, records[i]!]));
}
