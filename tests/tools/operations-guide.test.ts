// docs/operations.md against the code it describes: every config key of the schema in its table
// with the right default, secret flag and required flag; the commands and files it names exist.
import test from "ava";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { stackConfigSchema } from "../../components/stack-config";
import { syncSchema } from "../../components/sync-config";
import { secretSettings } from "../../handlers/sync/job-definition";
import { syncJobs } from "../../handlers/sync/registry";
import { configKeysTable, renderOperationsGuide, renderSyncsGuide, syncEnvironmentTable, syncSettingsTable } from "../../scripts/config-reference";
import { feedJob } from "../fixtures/sync-job/job";
import type { StackRecord } from "../harness/record";
import { ROOT, evaluateStack } from "../harness/stacks";

const GUIDE = readFileSync(join(ROOT, "docs", "operations.md"), "utf8");

interface Row {
  required: string;
  default: string;
  secret: string;
}

/** The "Every config key" table (or another section's): key → its cells. */
function configTable(heading = "Every config key"): Map<string, Row> {
  const section = GUIDE.split(/^## /m).find((s) => s.startsWith(heading))!;
  const rows = new Map<string, Row>();
  for (const line of section.split("\n")) {
    const cells = /^\| `([^`]+)` \| (.*?) \| (.*?) \| (yes|no) \| .+ \|$/.exec(line);
    if (cells) rows.set(cells[1]!, { required: cells[2]!, default: cells[3]!, secret: cells[4]! });
  }
  return rows;
}

/** What the schema says of a key. */
function schemaKey(schema: z.ZodType) {
  const def = (schema as unknown as { _zod: { def: { type: string; defaultValue?: unknown } } })._zod.def;
  const meta = z.globalRegistry.get(schema) as { secret?: boolean } | undefined;
  return { hasDefault: def.type === "default", optional: def.type === "optional", defaultValue: def.defaultValue, secret: meta?.secret === true };
}

test("the guide's config table lists every key of the schema, and only those, with its default, secret flag and whether it is required", (t) => {
  const rows = configTable();
  const keys = Object.keys(stackConfigSchema.shape);
  t.deepEqual([...rows.keys()], keys, "the same keys in the schema's order");
  for (const [key, schema] of Object.entries(stackConfigSchema.shape)) {
    const row = rows.get(key)!;
    const k = schemaKey(schema as z.ZodType);
    const expectedDefault = k.hasDefault ? `\`${typeof k.defaultValue === "string" ? k.defaultValue : JSON.stringify(k.defaultValue)}\`` : "—";
    t.is(row.default, expectedDefault, `${key} default`);
    t.is(row.secret, k.secret ? "yes" : "no", `${key} secret`);
    if (k.hasDefault || k.optional) t.not(row.required, "yes", `${key} is not required`);
    else t.is(row.required, "yes", `${key} is required`);
  }
  // Each sync job's settings (`switchyard:syncs.<job>.<key>`), in the "Sync settings" table, against the job's schema.
  const syncRows = configTable("Sync settings");
  const syncKeys = syncJobs.flatMap((job) => Object.keys(syncSchema(job).shape).map((key) => `switchyard:syncs.${job.name}.${key}`));
  t.deepEqual([...syncRows.keys()], syncKeys, "every job's settings in the registry's and the schemas' order");
  for (const job of syncJobs) {
    for (const [key, schema] of Object.entries(syncSchema(job).shape)) {
      const row = syncRows.get(`switchyard:syncs.${job.name}.${key}`)!;
      const k = schemaKey(schema as z.ZodType);
      t.is(row.default, k.hasDefault ? `\`${typeof k.defaultValue === "string" ? k.defaultValue : JSON.stringify(k.defaultValue)}\`` : "—", `${job.name}.${key} default`);
      t.is(row.secret, secretSettings(job).includes(key) ? "yes" : "no", `${job.name}.${key} secret`);
      t.is(row.required, k.hasDefault || k.optional ? "no" : "yes", `${job.name}.${key} required`);
    }
  }
  // Sanity: the schema does mark secrets, and the guide tells how to set them.
  t.true([...rows.values(), ...syncRows.values()].filter((r) => r.secret === "yes").length >= 6);
  t.regex(GUIDE, /pulumi config set --secret switchyard:calendlySigningKey/);
});

test("the config tables are the ones generated from the schemas and the stack files (npm run docs:config)", (t) => {
  t.is(renderOperationsGuide(GUIDE), GUIDE, "docs/operations.md is stale: run npm run docs:config");
  const syncs = readFileSync(join(ROOT, "docs", "syncs.md"), "utf8");
  t.is(renderSyncsGuide(syncs), syncs, "docs/syncs.md's environment table is stale: run npm run docs:config");
  // Every key a real run reads, base-URL overrides included, from the definitions; resources are local mode's.
  const env = syncEnvironmentTable();
  for (const key of ["GIST_USERS", "GITHUB_API_URL", "GITHUB_TOKEN", "PIPEDRIVE_BASE_URL", "PIPEDRIVE_API_TOKEN", "PIPEDRIVE_GIST_URL_FIELD", "AIRTABLE_BASE_URL", "AIRTABLE_TOKEN", "BADGR_BASE_URL", "BADGR_PASSWORD"]) {
    t.regex(env, new RegExp(`\\| \`${key}\` \\|`), key);
  }
  t.notRegex(env, /SYNC_STATE_TABLE|RELEASES_BUCKET/);
  t.regex(syncEnvironmentTable([feedJob]), /^\| feed \| `FEED_TOKEN` \| yes \| yes \| — \| bearer token of the feed \|$/m);
  // Generated, not copied: the dev/prod columns come from Pulumi.<stack>.yaml, a new job gets its rows.
  t.regex(configKeysTable(), /^\| `switchyard:logRetentionDays` \| no \| `14` \| no \| `14` \| `90` \| /m);
  t.regex(configKeysTable(), /^\| `switchyard:calendlySigningKey` \| yes \| — \| yes \| \(secret\) \| \(secret\) \| /m);
  const withFixture = syncSettingsTable([feedJob]);
  t.regex(withFixture, /^\| `switchyard:syncs\.feed\.feedToken` \| yes \| — \| yes \| bearer token of the feed \|$/m);
  t.regex(withFixture, /^\| `switchyard:syncs\.feed\.schedule` \| no \| `rate\(1 hour\)` \| no \| /m);
  // A setting without a description cannot reach the table; a guide without the markers is refused.
  t.throws(() => syncSettingsTable([{ ...feedJob, settings: z.strictObject({ bare: z.string() }) }]), { message: /without a description/ });
  t.throws(() => renderOperationsGuide("no markers"), { message: /no <!-- config:keys -->/ });
});

test("the guide covers what a newcomer needs, and the files and commands it names exist", (t) => {
  for (const heading of ["State backend", "Creating a new stage", "Every config key", "Secrets", "Deploying", "The smoke test", "Continuous deployment (GitHub Actions, OIDC)", "Rolling back", "Destroying a stage", "Costs at idle", "Troubleshooting"]) {
    t.regex(GUIDE, new RegExp(`^## ${heading.replace(/[()]/g, "\\$&")}$`, "m"), heading);
  }
  for (const phrase of ["pulumi login s3://", "pulumi stack init", "pulumi stack history", "pulumi cancel", "pulumi refresh", "pulumi destroy", "switchyard:protectData false", "--policy-pack policy", "aws iam create-open-id-connect-provider"]) {
    t.true(GUIDE.includes(phrase), phrase);
  }
  for (const file of GUIDE.matchAll(/`(\.github\/[\w/.-]+|components\/[\w.-]+\.ts|tests\/[\w/.-]+\.ts|Pulumi\.\w+\.yaml)`/g)) {
    t.true(existsSync(join(ROOT, file[1]!)), file[1]!);
  }
  for (const file of GUIDE.matchAll(/\.github\/aws\/\$f\.json|\b(trust-deploy|trust-preview|deploy-policy|preview-policy)\b/g)) {
    if (file[1]) t.true(existsSync(join(ROOT, ".github", "aws", `${file[1]}.json`)), file[1]);
  }
  const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  for (const match of GUIDE.matchAll(/\bnpm run ([\w:-]+)/g)) t.truthy(scripts[match[1]!], `npm run ${match[1]}`);
  // Linked from the README's Deploy section.
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const deploy = readme.split(/^## /m).find((s) => s.startsWith("Deploy"))!;
  t.regex(deploy, /\(docs\/operations\.md\)/);
});

/** `1 SNS topic`, `2 SNS topics`. */
const counted = (n: number, noun: string) => `${n} ${n === 1 ? noun : `${noun}s`}`;

/** The guide's resource-count sentence for one stack, from its evaluation. */
function countSentence(record: StackRecord): string {
  const count = (type: string) => record.resources.filter((r) => r.type === type).length;
  return [
    counted(count("aws:lambda/function:Function"), "function"),
    counted(count("aws:dynamodb/table:Table"), "table"),
    counted(count("aws:cloudwatch/metricAlarm:MetricAlarm"), "CloudWatch alarm"),
    counted(count("aws:cloudwatch/dashboard:Dashboard"), "dashboard"),
    counted(count("aws:cloudwatch/logGroup:LogGroup"), "log group"),
    counted(count("aws:cloudfront/distribution:Distribution"), "CloudFront distribution"),
    counted(count("aws:sns/topic:Topic"), "SNS topic"),
    counted(count("aws:sqs/queue:Queue"), "SQS queue"),
    counted(count("aws:cloudwatch/eventRule:EventRule"), "EventBridge rule"),
  ].join(", ");
}

/** CloudWatch bills an alarm per metric it reads ($0.10 each): metric math over N metrics is N. */
function alarmMetrics(record: StackRecord) {
  const alarms = record.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
  const perAlarm = alarms.map((a) => (a.inputs.metricQueries ? (a.inputs.metricQueries as { metric?: unknown }[]).filter((q) => q.metric).length : 1));
  return { alarms, metrics: perAlarm.reduce((a, b) => a + b, 0), math: alarms.filter((a) => a.inputs.metricQueries) };
}

const dollars = (n: number) => `\\$${n.toFixed(2).replace(".", "\\.")}`;

test("the costs at idle are counted from what dev (lean) and prod (full) create: the resource counts, the alarm metrics and the dashboard size the guide prices", async (t) => {
  const [dev, prod] = await Promise.all([evaluateStack("dev"), evaluateStack("prod")]);
  const guide = GUIDE.replace(/\s+/g, " ");
  const section = guide.split("## Costs at idle")[1]!.split("## Troubleshooting")[0]!;
  for (const [record, level] of [[dev, "lean"], [prod, "full"]] as const) {
    const sentence = `**${record.stack}** (\`${level}\`): ${countSentence(record)}`;
    t.true(section.includes(sentence), `the guide should say: ${sentence}`);
  }

  // dev (lean): single-metric alarms only, within the 10 free alarm metrics; priced at list.
  const lean = alarmMetrics(dev);
  t.is(lean.math.length, 0);
  t.true(lean.metrics <= 10, `${lean.metrics} alarm metrics`);
  t.regex(section, new RegExp(`\\*\\*\\$0 within the free tier\\*\\* \\(${lean.metrics} alarm metrics of the 10 free; ≈ ${dollars(lean.metrics * 0.1)}/month at list price\\)`));
  t.true(section.includes(`dev: ${lean.alarms.length} single-metric alarms.`));
  t.true(section.includes(`the ${lean.metrics} alarm metrics, $${(lean.metrics * 0.1).toFixed(2)},`));
  // Its dashboard: every metric line and expression of every widget, within the free 50.
  const body = JSON.parse(dev.resources.find((r) => r.type === "aws:cloudwatch/dashboard:Dashboard")!.inputs.dashboardBody) as { widgets: { properties: { metrics?: unknown[] } }[] };
  const plotted = body.widgets.reduce((sum, w) => sum + (w.properties.metrics?.length ?? 0), 0);
  t.true(plotted <= 50);
  t.true(section.includes(`the dashboard plots ${plotted} metrics.`), `${plotted} dashboard metrics`);

  // prod (full): metric math over 2 metrics per error rate, the rest single-metric.
  const full = alarmMetrics(prod);
  t.regex(section, new RegExp(`\\*\\*≈ ${dollars(full.metrics * 0.1)}/month\\*\\* \\(≈ ${dollars((full.metrics - 10) * 0.1)} after the 10 free alarm metrics\\)`));
  t.true(section.includes(`the ${full.math.length - 1} function error-rate alarms and \`api-5xx-rate\` are metric math`));
  t.true(section.includes(`(${full.math.length} × $0.20), plus ${full.alarms.length - full.math.length} single-metric alarms (${full.alarms.length - full.math.length} × $0.10)`));
  t.true(full.math.every((a) => (a.inputs.metricQueries as { metric?: unknown }[]).filter((q) => q.metric).length === 2));
  t.true(section.includes(`its alarms read ${full.metrics})`));
});
