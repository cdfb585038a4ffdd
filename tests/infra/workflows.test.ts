// The GitHub workflows and the AWS documents behind their OIDC roles, checked without a network:
// the workflow structure GitHub requires (a schema of the parts used here, in zod), and the rules of
// this repository — previews with the policy pack for both stacks, a smoke test after every up,
// prod behind its environment after dev, OIDC instead of keys, pinned actions, npm scripts that exist.
import test from "ava";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { ROOT } from "../harness/stacks";

const WORKFLOWS = join(ROOT, ".github", "workflows");
const AWS_DOCS = join(ROOT, ".github", "aws");

const Step = z
  .strictObject({
    name: z.string().optional(),
    id: z.string().optional(),
    if: z.union([z.string(), z.boolean()]).optional(),
    uses: z.string().optional(),
    run: z.string().optional(),
    shell: z.string().optional(),
    with: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    "working-directory": z.string().optional(),
    "continue-on-error": z.boolean().optional(),
    "timeout-minutes": z.number().optional(),
  })
  .refine((s) => (s.uses === undefined) !== (s.run === undefined), "a step has exactly one of uses and run")
  .refine((s) => s.uses !== undefined || s.with === undefined, "with: belongs to a uses: step");

const Permission = z.enum(["read", "write", "none"]);
const Permissions = z.union([z.enum(["read-all", "write-all"]), z.partialRecord(z.enum(["actions", "checks", "contents", "deployments", "id-token", "issues", "packages", "pages", "pull-requests", "statuses", "security-events"]), Permission)]);

const Job = z.strictObject({
  name: z.string().optional(),
  "runs-on": z.union([z.string(), z.array(z.string())]),
  needs: z.union([z.string(), z.array(z.string())]).optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  environment: z.union([z.string(), z.strictObject({ name: z.string(), url: z.string().optional() })]).optional(),
  container: z.union([z.string(), z.looseObject({ image: z.string() })]).optional(),
  permissions: Permissions.optional(),
  strategy: z.strictObject({ "fail-fast": z.boolean().optional(), matrix: z.record(z.string(), z.unknown()) }).optional(),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  defaults: z.strictObject({ run: z.strictObject({ shell: z.string().optional(), "working-directory": z.string().optional() }) }).optional(),
  "timeout-minutes": z.number().optional(),
  concurrency: z.unknown().optional(),
  steps: z.array(Step).min(1),
});

const Workflow = z.strictObject({
  name: z.string(),
  on: z.partialRecord(z.enum(["push", "pull_request", "workflow_dispatch", "schedule"]), z.union([z.null(), z.looseObject({ branches: z.array(z.string()).optional() })])),
  permissions: Permissions.optional(),
  concurrency: z.union([z.string(), z.strictObject({ group: z.string(), "cancel-in-progress": z.boolean() })]).optional(),
  env: z.record(z.string(), z.string()).optional(),
  jobs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), Job),
});
type Workflow = z.infer<typeof Workflow>;
type Job = z.infer<typeof Job>;

function load(file: string): Workflow {
  const parsed = Workflow.safeParse(parse(readFileSync(join(WORKFLOWS, file), "utf8")));
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const usesAws = (job: Job) => job.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
const pulumiSteps = (job: Job) => job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));
const needs = (job: Job) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
const environment = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);

test("every workflow file parses and has the structure GitHub requires", (t) => {
  const files = readdirSync(WORKFLOWS).sort();
  t.deepEqual(files, ["deploy.yml", "pr.yml"]);
  for (const file of files) t.notThrows(() => load(file), file);
  // The schema catches a step with both run and uses.
  t.false(Workflow.safeParse({ name: "x", on: { push: null }, jobs: { a: { "runs-on": "ubuntu-latest", steps: [{ run: "x", uses: "a/b@v1" }] } } }).success);
});

test("every action is pinned to a version tag or a commit SHA; jobs that reach AWS get an OIDC token and use no keys", (t) => {
  for (const file of ["pr.yml", "deploy.yml"]) {
    const text = readFileSync(join(WORKFLOWS, file), "utf8");
    t.notRegex(text, /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id/, `${file}: no long-lived AWS keys`);
    const workflow = load(file);
    for (const [name, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps) if (step.uses) t.regex(step.uses, /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/, `${file} ${name}: ${step.uses}`);
      if (usesAws(job)) {
        const permissions = job.permissions as Record<string, string> | undefined;
        t.is(permissions?.["id-token"], "write", `${file} ${name}: id-token: write`);
        const credentials = job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
        t.regex(String(credentials.with?.["role-to-assume"]), /^\$\{\{ vars\.AWS_(DEPLOY|PREVIEW)_ROLE_ARN \}\}$/);
        // Credentials come before anything that deploys.
        t.true(job.steps.indexOf(credentials) < job.steps.indexOf(pulumiSteps(job)[0]!), `${file} ${name}: credentials first`);
      } else {
        t.is(pulumiSteps(job).length, 0, `${file} ${name}: Pulumi without AWS credentials`);
      }
    }
    // The top-level token can only read.
    t.deepEqual(workflow.permissions, { contents: "read" }, file);
  }
});

test("pull requests: npm run check and the smoke test against local mode, then preflight and a preview of dev and prod with the policy pack, commented on the PR", (t) => {
  const pr = load("pr.yml");
  t.deepEqual(Object.keys(pr.on), ["pull_request"]);
  const check = pr.jobs.check!;
  const runs = check.steps.map((s) => s.run ?? "");
  t.true(runs.some((r) => /^npm ci\b/m.test(r)));
  t.true(runs.some((r) => r.trim() === "npm run check"));
  t.true(runs.some((r) => /npm run smoke -- --url http:\/\/127\.0\.0\.1:3000 --site http:\/\/127\.0\.0\.1:3002 --signing-key local-calendly-signing-key/.test(r)));
  t.true(runs.findIndex((r) => r.trim() === "npm run check") < runs.findIndex((r) => r.includes("npm run smoke")));

  const preview = pr.jobs.preview!;
  t.deepEqual(needs(preview), ["check"]);
  t.like(preview.permissions, { "id-token": "write", "pull-requests": "write", contents: "read" });
  const matrix = preview.strategy!.matrix.include as { stack: string; region: string }[];
  t.deepEqual(matrix, [
    { stack: "dev", region: "us-west-2" },
    { stack: "prod", region: "us-east-1" },
  ]);
  // The regions match the stacks' config.
  for (const { stack, region } of matrix) t.regex(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8"), new RegExp(`aws:region: ${region}\\b`));
  const [pulumi] = pulumiSteps(preview);
  t.like(pulumi!.with, { command: "preview", "stack-name": "${{ matrix.stack }}", policyPacks: "policy", "comment-on-pr": true });
  const preflight = preview.steps.findIndex((s) => s.run?.trim() === "npm run preflight");
  t.true(preflight >= 0 && preflight < preview.steps.indexOf(pulumi!), "npm run preflight runs before pulumi preview");
  t.is(preview.steps.find((s) => s.uses?.startsWith("aws-actions/"))!.with!["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
});

test("main: up dev, smoke dev, then prod behind its environment after dev, up prod, smoke prod", (t) => {
  const deploy = load("deploy.yml");
  t.deepEqual((deploy.on.push as { branches: string[] }).branches, ["main"]);
  t.deepEqual(Object.keys(deploy.jobs), ["dev", "prod"]);
  t.deepEqual(needs(deploy.jobs.prod!), ["dev"]);
  t.is(environment(deploy.jobs.prod!), "prod");
  t.is(environment(deploy.jobs.dev!), "dev");
  for (const stack of ["dev", "prod"] as const) {
    const job = deploy.jobs[stack]!;
    const ups = pulumiSteps(job);
    t.is(ups.length, 1);
    t.like(ups[0]!.with, { command: "up", "stack-name": stack, policyPacks: "policy" });
    const up = job.steps.indexOf(ups[0]!);
    const smoke = job.steps.findIndex((s) => s.run?.trim() === `npm run smoke -- --stack ${stack}`);
    t.true(smoke > up, `${stack}: the smoke test runs after the up`);
    t.is(smoke, job.steps.length - 1, `${stack}: the smoke test is the last step`);
    t.is(job.steps.find((s) => s.uses?.startsWith("aws-actions/"))!.with!["aws-region"], stack === "dev" ? "us-west-2" : "us-east-1");
    t.is(job.steps.find((s) => s.uses?.startsWith("aws-actions/"))!.with!["role-to-assume"], "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
  }
  t.like(deploy.concurrency, { "cancel-in-progress": false });
});

test("every npm script the workflows run exists in package.json", (t) => {
  const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  let seen = 0;
  for (const file of ["pr.yml", "deploy.yml"]) {
    for (const job of Object.values(load(file).jobs)) {
      for (const step of job.steps) {
        for (const match of (step.run ?? "").matchAll(/\bnpm run (?:-s )?([\w:-]+)/g)) {
          seen++;
          t.truthy(scripts[match[1]!], `${file}: npm run ${match[1]} is not a script`);
        }
        if (/\bnpm (start|test)\b/.test(step.run ?? "")) t.truthy(scripts[/\bnpm (start|test)\b/.exec(step.run!)![1]!]);
      }
    }
  }
  t.true(seen >= 4);
  t.is(scripts.check, "npm run lint && npm test");
});

test("the OIDC trust policies pin the audience and this repository's subjects; the preview role can only read", (t) => {
  const json = (file: string) => JSON.parse(readFileSync(join(AWS_DOCS, file), "utf8")) as { Statement: { Effect: string; Action: string | string[]; Principal?: { Federated: string }; Condition?: Record<string, Record<string, string | string[]>>; Resource?: unknown }[] };
  t.deepEqual(readdirSync(AWS_DOCS).sort(), ["deploy-policy.json", "preview-policy.json", "trust-deploy.json", "trust-preview.json"]);
  const subjects: Record<string, string[]> = {
    "trust-deploy.json": ["repo:OWNER/REPO:environment:dev", "repo:OWNER/REPO:environment:prod"],
    "trust-preview.json": ["repo:OWNER/REPO:pull_request"],
  };
  for (const [file, expected] of Object.entries(subjects)) {
    const { Statement } = json(file);
    t.is(Statement.length, 1, file);
    const [s] = Statement;
    t.is(s!.Effect, "Allow");
    t.is(s!.Action, "sts:AssumeRoleWithWebIdentity");
    t.is(s!.Principal!.Federated, "arn:aws:iam::ACCOUNT_ID:oidc-provider/token.actions.githubusercontent.com");
    // StringEquals (not StringLike): no wildcards in who may assume the role.
    t.deepEqual(Object.keys(s!.Condition!), ["StringEquals"]);
    t.is(s!.Condition!.StringEquals!["token.actions.githubusercontent.com:aud"], "sts.amazonaws.com");
    t.deepEqual([s!.Condition!.StringEquals!["token.actions.githubusercontent.com:sub"]].flat(), expected);
    for (const sub of expected) t.notRegex(sub, /\*/);
  }

  // The deploy jobs' OIDC subjects are their environments: exactly the two the trust policy names.
  const deploy = load("deploy.yml");
  t.deepEqual(Object.values(deploy.jobs).map((j) => `repo:OWNER/REPO:environment:${environment(j)}`), subjects["trust-deploy.json"]);

  const preview = json("preview-policy.json").Statement;
  for (const s of preview) {
    t.is(s.Effect, "Allow");
    for (const action of [s.Action].flat()) t.regex(action, /^[\w-]+:(Get|List|Describe)\w+$/, action);
  }

  const policy = json("deploy-policy.json").Statement;
  const allowed = policy.filter((s) => s.Effect === "Allow").flatMap((s) => [s.Action].flat());
  t.false(allowed.includes("*"), "no Action: *");
  t.false(allowed.some((a) => a.startsWith("iam:") && a.endsWith("*")), "no iam wildcard");
  t.false(allowed.includes("kms:*") || allowed.includes("kms:CreateKey"));
  // Role changes only on roles tagged project=switchyard; creating one requires that tag.
  for (const s of policy.filter((s) => [s.Action].flat().some((a) => a.startsWith("iam:") && a !== "iam:CreateServiceLinkedRole"))) {
    const tags = { ...s.Condition?.StringEquals };
    t.true(tags["aws:ResourceTag/project"] === "switchyard" || tags["aws:RequestTag/project"] === "switchyard", JSON.stringify(s.Action));
  }
});
