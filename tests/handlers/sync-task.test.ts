// The Fargate runner's container, without Docker: handlers/sync/Dockerfile carried out by the
// harness (its COPY lines, its `npm run build:task`), then the image's CMD run in a fresh `node`
// with no node_modules anywhere near it, the task definitions' environment from the mocked stack,
// DynamoDB Local, s3rver, an SSM stand-in holding the secrets, the GitHub, Pipedrive, Airtable and
// Badgr stand-ins and an ECS task-metadata stand-in.
import test from "ava";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { assertionsTable, assessmentsTable, badgeClassesTable, syncStateTable } from "../../handlers/sync/tables";
import { startS3Local, type S3Local } from "../../local/emulators/s3-local";
import { startAirtableStandIn, type AirtableStandIn } from "../../local/standins/airtable";
import { startBadgrStandIn, type BadgrStandIn } from "../../local/standins/badgr";
import { startGitHubStandIn, type GitHubStandIn } from "../../local/standins/github";
import { startPipedriveStandIn, type PipedriveStandIn } from "../../local/standins/pipedrive";
import { createTable } from "../../local/emulators/tables";
import { buildDockerfile, copyArgs, parseDockerfile, type BuiltImage } from "../harness/dockerfile";
import { freshTable, startDynamoDbLocal, type DynamoDbLocal } from "../harness/dynamodb";
import { startSsm } from "../harness/ssm";
import { GISTS_SYNC, ROOT, SKILLS_SYNC, SYNC_SECRET_KEYS, TEST_SECRETS, byName, evaluateStack, syncsConfig } from "../harness/stacks";

const DOCKERFILE = "handlers/sync/Dockerfile";
const PIPEDRIVE_TOKEN = GISTS_SYNC.pipedriveApiToken;
const TASK_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

let image: BuiltImage;
let ddb: DynamoDbLocal;
let github: GitHubStandIn;
let pipedrive: PipedriveStandIn;
let airtable: AirtableStandIn;
let badgr: BadgrStandIn;
let s3: S3Local;
let ssm: Awaited<ReturnType<typeof startSsm>>;
let metadata: Server;
let silent: TcpServer;
/** The container environment of the gists task definition, as ECS would set it. */
let taskEnv: Record<string, string>;
/** The same for the skill-app sync's task. */
let skillsEnv: Record<string, string>;

const listen = async <S extends Server | TcpServer>(server: S): Promise<S> => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
};
const urlOf = (server: Server | TcpServer) => `http://127.0.0.1:${(server.address() as { port: number }).port}`;

test.before(async () => {
  image = buildDockerfile(DOCKERFILE);
  [ddb, github, pipedrive, airtable, s3] = await Promise.all([
    startDynamoDbLocal(),
    startGitHubStandIn(),
    startPipedriveStandIn({ token: PIPEDRIVE_TOKEN }),
    startAirtableStandIn({ token: SKILLS_SYNC.airtableToken }),
    startS3Local(),
  ]);
  badgr = await startBadgrStandIn({ username: SKILLS_SYNC.badgrUsername, password: SKILLS_SYNC.badgrPassword });
  const record = await evaluateStack(
    "dev",
    syncsConfig({
      gists: { ...GISTS_SYNC, pipedriveBaseUrl: pipedrive.url, runner: "fargate" },
      skills: { ...SKILLS_SYNC, badgrBaseUrl: badgr.url, runner: "fargate" },
    }),
    "tsx",
    [...Object.keys(TEST_SECRETS), ...SYNC_SECRET_KEYS],
  );
  const containerEnv = (job: string) => {
    const [container] = JSON.parse(byName(record, "aws:ecs/taskDefinition:TaskDefinition", `${job}-task`).inputs.containerDefinitions) as { environment: { name: string; value: string }[] }[];
    return Object.fromEntries(container!.environment.map(({ name, value }) => [name, value]));
  };
  taskEnv = containerEnv("gists");
  skillsEnv = containerEnv("skills");
  await createTable(ddb.client, taskEnv.SYNC_STATE_TABLE!, syncStateTable);
  await createTable(ddb.client, skillsEnv.SYNC_STATE_TABLE!, syncStateTable);
  await createTable(ddb.client, skillsEnv.ASSESSMENTS_TABLE!, assessmentsTable);
  await createTable(ddb.client, skillsEnv.BADGE_CLASSES_TABLE!, badgeClassesTable);
  await createTable(ddb.client, skillsEnv.ASSERTIONS_TABLE!, assertionsTable);
  await s3.createBucket(skillsEnv.RELEASES_BUCKET!);
  const parameter = (name: string) => byName(record, "aws:ssm/parameter:Parameter", name).state.name as string;
  ssm = await startSsm({
    [parameter("gists-pipedrive-api-token")]: PIPEDRIVE_TOKEN,
    [parameter("skills-airtable-token")]: SKILLS_SYNC.airtableToken,
    [parameter("skills-badgr-password")]: SKILLS_SYNC.badgrPassword,
  });
  // ECS task metadata v4: GET ${ECS_CONTAINER_METADATA_URI_V4}/task names the task.
  metadata = await listen(
    createServer((req, res) => {
      if (req.url?.endsWith("/task")) res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ TaskARN: `arn:aws:ecs:us-east-1:123456789012:task/sync/${TASK_ID}` }));
      else res.writeHead(404).end();
    }),
  );
  // Accepts connections and never answers: a hung upstream.
  silent = await listen(createTcpServer(() => undefined));
});

test.after.always(async () => {
  for (const dir of image?.dirs ?? []) rmSync(dir, { recursive: true, force: true });
  metadata?.close();
  silent?.close();
  await Promise.all([ddb?.stop(), github?.close(), pipedrive?.close(), airtable?.close(), badgr?.close(), s3?.stop(), ssm?.close()]);
});

interface TaskRun {
  code: number | null;
  /** The task's last line: its result record. */
  result: { level: string; message: string; ok?: boolean; runId?: string; error?: string; summary?: any };
  stdout: string;
  ms: number;
}

/** Runs the image's CMD as ECS would start the container: its environment only, plus what ECS and the task role provide. */
function runTask(env: Record<string, string | undefined>): Promise<TaskRun> {
  const [program, ...args] = image.cmd;
  if (program !== "node") throw new Error(`the image's CMD starts ${program}, not node`);
  const started = Date.now();
  const child = spawn(process.execPath, args.map((a) => image.hostPath(a)), {
    cwd: image.hostPath(image.workdir),
    env: {
      PATH: process.env.PATH ?? "",
      ...image.env,
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      // Stand-ins for the task role's credentials and the AWS endpoints.
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
      AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...env,
    } as NodeJS.ProcessEnv,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => {
      const lines = stdout.trim().split("\n");
      try {
        resolve({ code, result: JSON.parse(lines.at(-1) ?? "{}"), stdout, ms: Date.now() - started });
      } catch {
        reject(new Error(`the task's last line is not JSON (exit ${code}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

test("the Dockerfile builds the bundle with the npm script it names, and the image runs only that bundle", (t) => {
  const [build, final] = parseDockerfile(readFileSync(join(ROOT, DOCKERFILE), "utf8"));
  t.like(build, { from: "node:22-slim", name: "build", platform: "$BUILDPLATFORM" });
  t.is(final?.from, "node:22-slim", "Node 22, as the Lambda runtime");
  const runs = build!.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
  t.regex(runs[0]!, /^npm ci /);
  t.is(runs.at(-1), "npm run build:task");
  const script = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["build:task"]!;
  t.regex(script, /^esbuild handlers\/sync\/task\.ts --bundle --platform=node --target=node22 /);
  const outfile = /--outfile=(\S+)/.exec(script)?.[1];
  const copies = final!.instructions.filter((i) => i.keyword === "COPY").map(copyArgs);
  t.deepEqual(copies, [{ from: "build", sources: [`/app/${outfile}`], dest: "/app/sync-task.js" }], "the final stage takes the script's output and nothing else");
  t.deepEqual(image.cmd, ["node", "/app/sync-task.js"]);
  t.is(image.user, "node", "not root");
  t.true(existsSync(image.hostPath("/app/sync-task.js")));
  t.false(existsSync(image.hostPath("/app/node_modules")), "no node_modules in the image");
});

test("the build context holds exactly what the Dockerfile copies", (t) => {
  const [build] = parseDockerfile(readFileSync(join(ROOT, DOCKERFILE), "utf8"));
  const copied = build!.instructions
    .filter((i) => i.keyword === "COPY")
    .flatMap((i) => copyArgs(i).sources)
    .map((s) => s.replace(/\/$/, ""));
  // BuildKit reads <Dockerfile>.dockerignore before a .dockerignore at the context root.
  const rules = readFileSync(join(ROOT, `${DOCKERFILE}.dockerignore`), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  t.is(rules[0], "*", "everything is excluded first");
  t.deepEqual(rules.slice(1).map((r) => r.replace(/^!/, "")).sort(), copied.sort(), "then exactly the copied paths are let back in");
  t.true(rules.slice(1).every((r) => r.startsWith("!")));
});

test("the container runs one gists sync from the task definition's environment: deals made, the task id as run id, exit 0", async (t) => {
  const gists = [github.addGist("alice", { description: "first" }), github.addGist("alice", { description: "second" }), github.addGist("bob", { description: "third" })];
  const run = await runTask({ ...taskEnv, GITHUB_API_URL: github.url, ECS_CONTAINER_METADATA_URI_V4: `${urlOf(metadata)}/v4/container-1` });
  t.is(run.code, 0, run.stdout);
  t.like(run.result, { level: "INFO", message: "sync task finished", ok: true, runId: TASK_ID });
  t.like(run.result.summary, { runId: TASK_ID, counts: { seen: 3, created: 3, failed: 0 }, users: { alice: "synced", bob: "synced" } });
  t.deepEqual(pipedrive.deals().map((d) => d.custom_fields.abc_gist_url).sort(), gists.map((g) => g.html_url).sort());
  t.true(ssm.requests.some((r) => r.includes(taskEnv.PIPEDRIVE_API_TOKEN_PARAMETER!)), "the token came from SSM, named by the environment");
  t.false(JSON.stringify(taskEnv).includes(PIPEDRIVE_TOKEN), "and never sat in the environment");
  // The job's own structured logs carry the same run id.
  t.true(run.stdout.split("\n").some((l) => l.includes('"sync run finished"') && l.includes(TASK_ID)));
});

test("the skills task fills its tables and stores the release archive in S3 (the bundled S3 client streams it), exit 0", async (t) => {
  airtable.setRecords(skillsEnv.AIRTABLE_BASE_ID!, skillsEnv.AIRTABLE_TABLE!, [{ fields: { Name: "Ada", Score: 91 } }]);
  github.setLatestRelease("acme", "skill-app", { tag_name: "v2.0.0", body: "archive bytes" });
  badgr.addAssertion(badgr.addBadgeClass(skillsEnv.BADGR_ISSUER!, { name: "TypeScript" }).entityId);
  const run = await runTask({ ...skillsEnv, GITHUB_API_URL: github.url, AIRTABLE_BASE_URL: airtable.url });
  t.is(run.code, 0, run.stdout);
  t.like(run.result, { ok: true, summary: { sources: { airtable: "synced", github: "synced", badgr: "synced" }, counts: { failed: 0 } } });
  const archive = await s3.client.send(new GetObjectCommand({ Bucket: skillsEnv.RELEASES_BUCKET, Key: "releases/acme/skill-app/v2.0.0.tar.gz" }));
  t.is(await archive.Body!.transformToString(), "archive bytes");
});

test("a run where Pipedrive is down for every user exits 1, with each failure in its result", async (t) => {
  const table = await freshTable(ddb, syncStateTable, "task-down");
  github.addGist("carol", { description: "unsent" });
  const closed = await listen(createTcpServer());
  const deadUrl = urlOf(closed);
  closed.close();
  const run = await runTask({ ...taskEnv, SYNC_STATE_TABLE: table, GIST_USERS: "carol", PIPEDRIVE_BASE_URL: deadUrl, GITHUB_API_URL: github.url });
  t.is(run.code, 1);
  t.like(run.result, { level: "ERROR", message: "sync task finished", ok: false });
  t.is(run.result.summary.counts.failed, 1);
  t.regex(run.result.summary.users.carol, /ECONNREFUSED|connect/i);
  t.regex(run.result.runId!, /^task-\d+$/, "outside ECS the run id is made up");
});

test("a task without its settings exits 1 at once, naming what is missing", async (t) => {
  const { GIST_USERS: _omitted, ...withoutUsers } = taskEnv;
  const missing = await runTask({ ...withoutUsers, GITHUB_API_URL: github.url });
  t.is(missing.code, 1);
  t.like(missing.result, { message: "sync task failed", error: "Environment variable GIST_USERS is not set" });
  const unknown = await runTask({ ...taskEnv, SYNC_JOB: "invoices" });
  t.is(unknown.code, 1);
  t.regex(unknown.result.error!, /SYNC_JOB must be one of gists, skills/);
});

test("a run still going after SYNC_TIMEOUT_SECONDS is stopped with exit 1 (ECS has no timeout of its own)", async (t) => {
  const table = await freshTable(ddb, syncStateTable, "task-hung");
  github.addGist("dave", { description: "never fetched" });
  const run = await runTask({ ...taskEnv, SYNC_STATE_TABLE: table, GIST_USERS: "dave", GITHUB_API_URL: urlOf(silent), SYNC_TIMEOUT_SECONDS: "1" });
  t.is(run.code, 1);
  t.like(run.result, { level: "ERROR", message: "sync task failed" });
  // The watchdog's own message, not the GitHub client's 10 s timeout: the task stopped itself.
  t.regex(run.result.error!, /^the run took longer than 1 s \(SYNC_TIMEOUT_SECONDS\)$/);
});
