// docs/operations.md against the code it describes: every config key of the schema in its table
// with the right default, secret flag and required flag; the commands and files it names exist.
import test from "ava";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { stackConfigSchema } from "../components/stack-config";
import { ROOT, evaluateStack } from "./harness/stacks";

const GUIDE = readFileSync(join(ROOT, "docs", "operations.md"), "utf8");

interface Row {
  required: string;
  default: string;
  secret: string;
}

/** The "Every config key" table: key → its cells. */
function configTable(): Map<string, Row> {
  const section = GUIDE.split(/^## /m).find((s) => s.startsWith("Every config key"))!;
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
  // Sanity: the schema does mark secrets, and the guide tells how to set them.
  t.true([...rows.values()].filter((r) => r.secret === "yes").length >= 6);
  t.regex(GUIDE, /pulumi config set --secret switchyard:calendlySigningKey/);
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

test("the costs at idle are counted from what dev creates: the resource counts and the alarm metrics the guide prices", async (t) => {
  const dev = await evaluateStack("dev");
  const count = (type: string) => dev.resources.filter((r) => r.type === type).length;
  const counted = `${count("aws:lambda/function:Function")} functions, ${count("aws:dynamodb/table:Table")} tables, ${count("aws:cloudwatch/metricAlarm:MetricAlarm")} CloudWatch alarms, ${count("aws:cloudwatch/dashboard:Dashboard")} dashboard, ${count("aws:cloudwatch/logGroup:LogGroup")} log groups, ${count("aws:cloudfront/distribution:Distribution")} CloudFront distribution, ${count("aws:sns/topic:Topic")} SNS topics, ${count("aws:sqs/queue:Queue")} SQS queue, ${count("aws:cloudwatch/eventRule:EventRule")} EventBridge rule`;
  t.true(GUIDE.replace(/\s+/g, " ").includes(counted), `the guide should say: ${counted}`);
  // CloudWatch bills an alarm per metric it reads ($0.10 each): metric math over N metrics is N.
  const alarms = dev.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
  const metrics = alarms.reduce((sum, a) => sum + (a.inputs.metricQueries ? (a.inputs.metricQueries as { metric?: unknown }[]).filter((q) => q.metric).length : 1), 0);
  const mathAlarms = alarms.filter((a) => a.inputs.metricQueries);
  t.regex(GUIDE, new RegExp(`\\*\\*≈ \\$${(metrics * 0.1).toFixed(2).replace(".", "\\.")}/month\\*\\* \\(≈ \\$${((metrics - 10) * 0.1).toFixed(2).replace(".", "\\.")} after the 10 free alarm metrics\\)`));
  t.true(GUIDE.includes(`(${mathAlarms.length} × $0.20), plus ${alarms.length - mathAlarms.length} single-metric alarms`));
  t.true(mathAlarms.every((a) => (a.inputs.metricQueries as { metric?: unknown }[]).filter((q) => q.metric).length === 2));
});
