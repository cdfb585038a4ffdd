// npm run preflight as a whole: every rule is clean on every variant, the CLI reports and exits as
// documented; and the smaller rules (WebSocket integration method, images that build on the deploy
// runner, alarm topics' key) fire on broken copies.
import test from "ava";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatFinding, type Finding } from "../../preflight/finding";
import { rules } from "../../preflight/rules";
import { ACTIONS_ONLY_ON_ANY_RESOURCE, policyDocumentViolations } from "../../policy/rules";
import { serviceActions } from "../../preflight/iam-data";
import { alarmTopics } from "../../preflight/rules/alarm-topics";
import { containerImages, deployRunners, imageFindings } from "../../preflight/rules/container-images";
import { websocketIntegrations } from "../../preflight/rules/websocket-integrations";
import { VARIANTS, evaluateVariants } from "../../preflight/variants";
import type { StackRecord } from "../harness/record";
import { ROOT, byName } from "../harness/stacks";

let records: Map<string, StackRecord>;
test.before(async () => {
  records = await evaluateVariants();
});

test("the rules this file covers are clean on every variant (the others: tests/preflight-<rule>.test.ts)", async (t) => {
  for (const [variant, record] of records) {
    for (const rule of [websocketIntegrations, containerImages, alarmTopics]) t.deepEqual((await rule.check(record, variant)).map(formatFinding), [], `${rule.name} on ${variant}`);
  }
});

test("npm run preflight runs every rule, each with its own test file or section here", (t) => {
  t.deepEqual(rules.map((r) => r.name), ["field-constraints", "iam-policies", "deploy-role", "metrics-exist", "websocket-lambda-integration-post", "image-builds-on-deploy-runner", "alarm-topic-key"]);
});

test("the variants cover every optional part: both runners, SES, alarm email, forwarding, a custom domain", (t) => {
  const types = (name: string) => new Set(records.get(name)!.resources.map((r) => r.type));
  t.deepEqual(VARIANTS.map((v) => v.name), ["dev", "prod", "dev-everything", "prod-everything"]);
  t.true(types("prod-everything").has("awsx:ecr:Image"), "Fargate runner");
  t.true(records.get("dev-everything")!.resources.some((r) => r.type === "aws:lambda/function:Function" && r.name === "gists-run"), "sync on Lambda");
  for (const variant of ["dev-everything", "prod-everything"]) {
    for (const type of ["aws:sesv2/emailIdentity:EmailIdentity", "aws:sns/topicSubscription:TopicSubscription", "aws:acm/certificate:Certificate", "aws:route53/record:Record"]) t.true(types(variant).has(type), `${variant} has ${type}`);
  }
});

test("websocket-lambda-integration-post fires on a WebSocket Lambda integration without a method, not on HTTP API ones", (t) => {
  const copy = structuredClone(records.get("dev")!);
  delete byName(copy, "aws:apigatewayv2/integration:Integration", "calendly-live").inputs.integrationMethod;
  const findings = websocketIntegrations.check(copy, "dev") as Finding[];
  t.deepEqual(
    findings.map((f) => [f.resource, f.input]),
    [['aws:apigatewayv2/integration:Integration "calendly-live"', "integrationMethod"]],
  );
  const http = copy.resources.filter((r) => r.type === "aws:apigatewayv2/integration:Integration" && r.name !== "calendly-live");
  t.true(http.length > 10 && http.every((r) => r.inputs.integrationMethod === undefined), "HTTP API integrations need no method and are not flagged");
});

const ARM_IMAGE = { label: 'awsx:ecr:Image "gists-task"', platform: "linux/arm64", dockerfile: "handlers/sync/Dockerfile" };
const NATIVE_BUILD = ["FROM node:22-slim AS build", "RUN npm ci", "RUN npm run build:task", "FROM node:22-slim", "COPY --from=build /app/dist/x.js /app/x.js", 'CMD ["node", "/app/x.js"]'].join("\n");
const workflow = (runsOn: string, qemu: boolean) =>
  `jobs:\n  dev:\n    runs-on: ${runsOn}\n    steps:\n${qemu ? "      - uses: docker/setup-qemu-action@v3\n" : ""}      - uses: pulumi/actions@v6\n        with:\n          command: up\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n`;

test("image-builds-on-deploy-runner fires on a RUN in an arm64 stage built on an x86 runner without QEMU", (t) => {
  const findings = imageFindings(ARM_IMAGE, deployRunners(workflow("ubuntu-latest", false)), NATIVE_BUILD, "prod-everything", containerImages.name);
  t.deepEqual(
    findings.map((f) => f.input),
    ["platform (handlers/sync/Dockerfile:2)", "platform (handlers/sync/Dockerfile:3)"],
  );
  t.regex(findings[0]!.message, /job "dev" runs pulumi up on amd64 without QEMU/);
  // Fixed by any of: the build stage on $BUILDPLATFORM, QEMU on the runner, an arm64 runner, an amd64 image.
  t.deepEqual(imageFindings(ARM_IMAGE, deployRunners(workflow("ubuntu-latest", false)), NATIVE_BUILD.replace("FROM node:22-slim AS build", "FROM --platform=$BUILDPLATFORM node:22-slim AS build"), "p", "r"), []);
  t.deepEqual(imageFindings(ARM_IMAGE, deployRunners(workflow("ubuntu-latest", true)), NATIVE_BUILD, "p", "r"), []);
  t.deepEqual(imageFindings(ARM_IMAGE, deployRunners(workflow("ubuntu-24.04-arm", false)), NATIVE_BUILD, "p", "r"), []);
  t.deepEqual(imageFindings({ ...ARM_IMAGE, platform: "linux/amd64" }, deployRunners(workflow("ubuntu-latest", false)), NATIVE_BUILD, "p", "r"), []);
});

test("the deploy workflow's up jobs are found, and the committed Dockerfile builds on them", (t) => {
  const runners = deployRunners(readFileSync(join(ROOT, ".github", "workflows", "deploy.yml"), "utf8"));
  t.deepEqual(runners, [
    { job: "dev", arch: "amd64", emulation: false },
    { job: "prod", arch: "amd64", emulation: false },
  ]);
  t.deepEqual(imageFindings(ARM_IMAGE, runners, readFileSync(join(ROOT, "handlers/sync/Dockerfile"), "utf8"), "p", "r"), []);
});

const runPreflight = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ["--import", "tsx", join(ROOT, "preflight", "run.ts"), ...args], { cwd: ROOT, env: { ...process.env } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout, stderr }),
    );
  });

test("npm run preflight: clean exits 0 with a count per rule; an unknown variant is a usage error", async (t) => {
  const clean = await runPreflight(["--variant", "dev"]);
  t.is(clean.code, 0, clean.stdout + clean.stderr);
  t.regex(clean.stdout, /^preflight: dev \(\d+ resources\); findings per rule: .*websocket-lambda-integration-post 0/m);
  t.regex(clean.stdout, /^preflight: clean\.$/m);
  const usage = await runPreflight(["--variant", "staging"]);
  t.is(usage.code, 2);
  t.regex(usage.stderr, /unknown: staging\nusage: npm run preflight/);
});

test("alarm-topic-key fires when a topic alarms notify is encrypted with SNS's AWS-managed key", async (t) => {
  const copy = structuredClone(records.get("prod")!);
  const topic = byName(copy, "aws:sns/topic:Topic", "observability-alarms");
  t.is(topic.inputs.kmsMasterKeyId, undefined, "the committed topics use no AWS-managed key");
  topic.inputs.kmsMasterKeyId = "alias/aws/sns";
  const findings = await alarmTopics.check(copy, "prod");
  t.deepEqual(findings.map((f) => [f.resource, f.input]), [['aws:sns/topic:Topic "observability-alarms"', "kmsMasterKeyId"]]);
  t.regex(findings[0]!.message, /CloudWatch cannot use that key/);
});

test("the policy pack lets dynamodb:ListStreams (and only such actions) name *: IAM gives them no resource type", async (t) => {
  for (const id of ACTIONS_ONLY_ON_ANY_RESOURCE) {
    const [service, name] = id.split(":") as [string, string];
    const action = (await serviceActions(service))!.find((a) => a.id === `${service}:${name}`);
    t.deepEqual(action?.arnFormats, [], `${id} takes only "*" in the service authorization reference`);
  }
  const doc = (actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });
  t.deepEqual(policyDocumentViolations("p", doc(["dynamodb:ListStreams"])), []);
  t.deepEqual(policyDocumentViolations("p", doc(["dynamodb:ListStreams", "dynamodb:GetRecords"])), ["p: dynamodb actions on wildcard resource(s) *; name the tables, buckets, queues, … ."]);
});
