import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * Every stack setting Switchyard reads, in one schema. dev and prod differ only here
 * (Pulumi.<stack>.yaml); each key's `example` is what the error message suggests.
 */
export const stackConfigSchema = z.strictObject({
  /** AWS region of the stack. Example: `us-west-2`. */
  "aws:region": z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as us-west-2").meta({ example: "us-west-2" }),
  /** Deletion protection and point-in-time recovery on every table (prod: true). */
  "switchyard:protectData": z.boolean().meta({ example: "true" }),
  /** Days to keep function and access logs. */
  "switchyard:logRetentionDays": z
    .number()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `one of ${LOG_RETENTION_DAYS.join(", ")}`)
    .default(14)
    .meta({ example: "14" }),
  /** HTTP API stage throttling (requests per second, steady and burst). */
  "switchyard:throttle": z
    .strictObject({ rateLimit: z.number().positive().max(10_000), burstLimit: z.int().positive().max(5_000) })
    .default({ rateLimit: 50, burstLimit: 100 })
    .meta({ example: "'{\"rateLimit\":50,\"burstLimit\":100}'" }),
  /** Extra browser origins allowed by CORS besides the website (local development, for example). */
  "switchyard:allowedOrigins": z
    .array(z.url({ protocol: /^https?$/ }).refine((u) => URL.canParse(u) && new URL(u).origin === u, "an origin: scheme://host[:port], no path"))
    .default([])
    .meta({ example: '\'["http://localhost:3000"]\'' }),
});

export type StackConfigKeys = z.infer<typeof stackConfigSchema>;

/** The stack settings as the components use them. */
export interface StackConfig {
  stack: string;
  region: string;
  protectData: boolean;
  logRetentionDays: number;
  throttle: { rateLimit: number; burstLimit: number };
  allowedOrigins: string[];
}

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
export function parseStackConfig(raw: Record<string, string | undefined>, stack: string): StackConfig {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(stackConfigSchema.shape)) {
    const value = raw[key];
    if (value !== undefined) input[key] = decodeConfigValue(value);
  }
  const result = stackConfigSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = String(issue.path[0]);
      const field = stackConfigSchema.shape[key as keyof typeof stackConfigSchema.shape];
      const example = (field?.meta()?.example as string | undefined) ?? "<value>";
      const what = raw[key] === undefined ? "is missing" : `is invalid (${issue.path.slice(1).join(".") || "value"}: ${issue.message})`;
      return `  - ${key} ${what}. Fix: pulumi config set ${key} ${example} --stack ${stack}`;
    });
    throw new Error(`Stack "${stack}" has bad config:\n${lines.join("\n")}`);
  }
  const c = result.data;
  return {
    stack,
    region: c["aws:region"],
    protectData: c["switchyard:protectData"],
    logRetentionDays: c["switchyard:logRetentionDays"],
    throttle: c["switchyard:throttle"],
    allowedOrigins: c["switchyard:allowedOrigins"],
  };
}

/** Reads the current stack's config; a bad key stops the program with a message, not a stack trace. */
export function loadStackConfig(): StackConfig {
  const stack = pulumi.getStack();
  const raw: Record<string, string | undefined> = {};
  for (const key of Object.keys(stackConfigSchema.shape)) {
    const [namespace, name] = key.split(":") as [string, string];
    raw[key] = new pulumi.Config(namespace).get(name);
  }
  try {
    return parseStackConfig(raw, stack);
  } catch (error) {
    throw new pulumi.RunError((error as Error).message);
  }
}
