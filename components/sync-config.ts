// `switchyard:syncs`: one object keyed by job name, each job checked by its own settings schema
// (handlers/sync/jobs/<job>/job.ts) plus the keys every job takes (`schedule`, `runner`). A job
// runs when its key is set. Read by components/stack-config.ts, which owns the rest of the config.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { secretSettings, type SyncJobDefinition, type SyncJobRegistry } from "../handlers/sync/job-definition";

/** The stack key. */
export const SYNCS_KEY = "switchyard:syncs";

/** An EventBridge schedule expression. */
export const scheduleExpression = () => z.string().regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/, "rate(…) or cron(…)");

/** What every job takes besides its own settings. */
function commonSyncKeys(job: SyncJobDefinition) {
  return {
    schedule: scheduleExpression().default(job.schedule).meta({ description: "when it runs (EventBridge rate or cron)", example: `"${job.schedule}"` }),
    runner: z.enum(["lambda", "fargate"]).default("lambda").meta({ description: "`lambda`, or `fargate`: the same job as an ECS Fargate task, for runs past Lambda's 15 minutes", example: "fargate" }),
  };
}

/** One job's value under `switchyard:syncs.<job>`. */
export const syncSchema = (job: SyncJobDefinition) => z.strictObject({ ...job.settings.shape, ...commonSyncKeys(job) });

/** `switchyard:syncs` for a registry: every job optional. */
export const syncsSchema = (jobs: SyncJobRegistry) => z.strictObject(Object.fromEntries(jobs.map((job) => [job.name, syncSchema(job).optional()])));

/** A configured sync, as index.ts hands it to ScheduledSync. */
export interface SyncConfig {
  /** Example: `"rate(30 minutes)"`. */
  schedule: string;
  /** `lambda` (default) or `fargate`. */
  runner: "lambda" | "fargate";
  /** The job's own settings as its schema outputs them; secret ones as secret outputs. Example: `{ users: ["octocat"], pipedriveApiToken: <secret> }`. */
  settings: Record<string, unknown>;
}

/**
 * The flat keys the syncs had before `switchyard:syncs`, and where each went. A stack that still
 * sets one is refused with the commands that move it (nothing reads them any more).
 */
export const LEGACY_SYNC_KEYS: Record<string, string[]> = {
  "switchyard:gistUsers": ["gists.users"],
  "switchyard:gistSchedule": ["gists.schedule"],
  "switchyard:gistRunner": ["gists.runner"],
  // It fed both jobs; each job now has its own (set both to keep what was).
  "switchyard:githubToken": ["gists.githubToken", "skills.githubToken"],
  "switchyard:pipedriveBaseUrl": ["gists.pipedriveBaseUrl"],
  "switchyard:pipedriveApiToken": ["gists.pipedriveApiToken"],
  "switchyard:pipedriveGistUrlField": ["gists.pipedriveGistUrlField"],
  "switchyard:airtableBaseId": ["skills.airtableBaseId"],
  "switchyard:airtableTable": ["skills.airtableTable"],
  "switchyard:airtableToken": ["skills.airtableToken"],
  "switchyard:releaseRepo": ["skills.releaseRepo"],
  "switchyard:badgrBaseUrl": ["skills.badgrBaseUrl"],
  "switchyard:badgrUsername": ["skills.badgrUsername"],
  "switchyard:badgrPassword": ["skills.badgrPassword"],
  "switchyard:badgrIssuer": ["skills.badgrIssuer"],
  "switchyard:skillsSchedule": ["skills.schedule"],
  "switchyard:skillsRunner": ["skills.runner"],
};
const LEGACY_SECRETS = ["switchyard:githubToken", "switchyard:pipedriveApiToken", "switchyard:airtableToken", "switchyard:badgrPassword"];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * One line per old flat key still set: where it lives now, and the commands that move it (a
 * secret's value is passed through `pulumi config get`, never printed; a list goes item by item).
 */
export function legacySyncKeyLines(raw: Record<string, string | undefined>, stack: string): string[] {
  const lines: string[] = [];
  for (const [old, paths] of Object.entries(LEGACY_SYNC_KEYS)) {
    const value = raw[old];
    if (value === undefined) continue;
    const secret = LEGACY_SECRETS.includes(old);
    const set = (path: string) => {
      const list = secret ? undefined : decodeList(value);
      if (list) return list.map((item, i) => `pulumi config set --path '${SYNCS_KEY}.${path}[${i}]' ${shellWord(String(item))} --stack ${stack}`);
      return [`pulumi config set --path ${secret ? "--secret " : ""}${SYNCS_KEY}.${path} "$(pulumi config get ${old} --stack ${stack})" --stack ${stack}`];
    };
    const commands = [...paths.flatMap(set), `pulumi config rm ${old} --stack ${stack}`];
    lines.push(`  - ${old} is no longer read: it is ${paths.map((p) => `${SYNCS_KEY}.${p}`).join(" and ")} now. Fix: ${commands.join(" && ")}`);
  }
  return lines;
}

function decodeList(raw: string): unknown[] | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const shellWord = (word: string) => (/^[A-Za-z0-9_.@/:-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`);

/**
 * Before the schema runs: a secret setting given as a number or boolean (`pulumi config set --path`
 * may type `0123` as a number) is text. Changes `syncs` in place.
 */
export function normalizeSyncs(syncs: unknown, jobs: SyncJobRegistry): void {
  if (!isRecord(syncs)) return;
  for (const job of jobs) {
    const settings = syncs[job.name];
    if (!isRecord(settings)) continue;
    for (const name of secretSettings(job)) {
      if (typeof settings[name] === "number" || typeof settings[name] === "boolean") settings[name] = String(settings[name]);
    }
  }
}

/** The `pulumi config set --path` command for one setting of one job. */
function fixSetting(job: SyncJobDefinition | undefined, setting: string, stack: string): string {
  const field = job ? (syncSchema(job).shape as Record<string, z.ZodType>)[setting] : undefined;
  const example = (field?.meta()?.example as string | undefined) ?? "<value>";
  const isList = (field as unknown as { _zod?: { def: { type: string } } } | undefined)?._zod?.def.type === "array";
  const secret = job !== undefined && secretSettings(job).includes(setting);
  const path = `${SYNCS_KEY}.${job?.name}.${setting}${isList ? "[0]" : ""}`;
  return `pulumi config set --path ${secret ? "--secret " : ""}${isList ? `'${path}'` : path} ${example} --stack ${stack}`;
}

/**
 * The problem lines for `switchyard:syncs`: each zod issue under it, named by its full path with
 * the fixing command (a secret setting's value never echoed), and each secret setting given while
 * the key is not a secret.
 */
export function syncIssueLines(issues: z.core.$ZodIssue[], input: unknown, jobs: SyncJobRegistry, stack: string, isSecret: boolean): string[] {
  const lines: string[] = [];
  const names = jobs.map((j) => j.name);
  for (const issue of issues) {
    const [, jobName, setting] = issue.path.map(String);
    const job = jobs.find((j) => j.name === jobName);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const path = [SYNCS_KEY, ...issue.path.slice(1).map(String), key].join(".");
        const what = jobName ? `not a setting of the ${jobName} sync (its settings: ${Object.keys(syncSchema(job!).shape).join(", ")})` : `not a sync job (the jobs: ${names.join(", ")})`;
        lines.push(`  - ${path} is ${what}. Fix: pulumi config rm --path ${path} --stack ${stack}`);
      }
      continue;
    }
    if (!job || setting === undefined) {
      lines.push(`  - ${[SYNCS_KEY, ...issue.path.slice(1).map(String)].join(".")} is invalid (${issue.message}). Fix: ${fixSetting(undefined, "<setting>", stack)}`);
      continue;
    }
    const settings = isRecord(input) ? input[job.name] : undefined;
    const given = isRecord(settings) ? settings[setting] : undefined;
    const secret = secretSettings(job).includes(setting);
    const detail = secret || issue.path.length <= 3 ? issue.message : `${issue.path.slice(3).join(".")}: ${issue.message}`;
    lines.push(`  - ${SYNCS_KEY}.${job.name}.${setting} ${given === undefined ? "is missing" : `is invalid (${detail})`}. Fix: ${fixSetting(job, setting, stack)}`);
  }
  if (!isSecret && isRecord(input)) {
    for (const job of jobs) {
      const settings = input[job.name];
      if (!isRecord(settings)) continue;
      for (const name of secretSettings(job)) {
        if (settings[name] !== undefined) lines.push(`  - ${SYNCS_KEY}.${job.name}.${name} is stored in plain text; it must be a secret. Fix: ${fixSetting(job, name, stack)}`);
      }
    }
  }
  return lines;
}

/** The configured syncs, by job name, in registry order: common keys apart, secret settings as secret outputs. */
export function syncConfigs(parsed: Record<string, Record<string, unknown> | undefined>, jobs: SyncJobRegistry): Record<string, SyncConfig> {
  const out: Record<string, SyncConfig> = {};
  for (const job of jobs) {
    const value = parsed[job.name];
    if (!value) continue;
    const { schedule, runner, ...rest } = value as { schedule: string; runner: "lambda" | "fargate" } & Record<string, unknown>;
    const secrets = secretSettings(job);
    const settings = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, secrets.includes(k) && v !== undefined ? pulumi.secret(v) : v]));
    out[job.name] = { schedule, runner, settings };
  }
  return out;
}
