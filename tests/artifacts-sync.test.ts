// The gists sync as it would be uploaded (index.ts evaluated with ts-node), run in a fresh Node
// process on EventBridge events against the GitHub and Pipedrive stand-ins, DynamoDB Local and an
// SSM stand-in holding its Pipedrive token.
import test from "ava";
import { syncStateTable } from "../handlers/sync/tables";
import { startGitHubStandIn, type GitHubStandIn } from "../local/standins/github";
import { startPipedriveStandIn, type PipedriveStandIn } from "../local/standins/pipedrive";
import { createTable } from "../local/tables";
import { removeDir, startFunction, unpackFunction, type RunningFunction } from "./harness/artifact";
import { startDynamoDbLocal, type DynamoDbLocal } from "./harness/dynamodb";
import { startSsm } from "./harness/ssm";
import { GISTS_SECRET_KEYS, GISTS_SYNC_CONFIG, TEST_SECRETS, byName, evaluateStack } from "./harness/stacks";

const PIPEDRIVE_TOKEN = GISTS_SYNC_CONFIG["switchyard:pipedriveApiToken"]!;
let ddb: DynamoDbLocal;
let github: GitHubStandIn;
let pipedrive: PipedriveStandIn;
let ssm: Awaited<ReturnType<typeof startSsm>>;
let fn: RunningFunction;
let dir: string;

test.before(async () => {
  [ddb, github, pipedrive] = await Promise.all([startDynamoDbLocal(), startGitHubStandIn(), startPipedriveStandIn({ token: PIPEDRIVE_TOKEN })]);
  const record = await evaluateStack("dev", { ...GISTS_SYNC_CONFIG, "switchyard:pipedriveBaseUrl": pipedrive.url }, "ts-node", [...Object.keys(TEST_SECRETS), ...GISTS_SECRET_KEYS]);
  await createTable(ddb.client, byName(record, "aws:dynamodb/table:Table", "gists-state").state.name, syncStateTable);
  ssm = await startSsm({ [byName(record, "aws:ssm/parameter:Parameter", "gists-pipedrive-api-token").state.name]: PIPEDRIVE_TOKEN });
  const lambda = byName(record, "aws:lambda/function:Function", "gists-run");
  dir = unpackFunction(lambda);
  fn = await startFunction(dir, { ...lambda.inputs.environment.variables, AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint, AWS_ENDPOINT_URL_SSM: ssm.endpoint, GITHUB_API_URL: github.url });
});

test.after.always(async () => {
  await fn?.stop();
  if (dir) removeDir(dir);
  await Promise.all([ddb?.stop(), github?.close(), pipedrive?.close(), ssm?.close()]);
});

const scheduled = (id: string) => ({ id, "detail-type": "Scheduled Event", source: "aws.events", time: new Date().toISOString(), detail: {} });

test.serial("a scheduled run creates one deal per new gist; the next run is one 304 per user and no writes", async (t) => {
  const gists = [github.addGist("alice", { description: "one" }), github.addGist("alice", { description: "two" }), github.addGist("bob", { description: "three" })];
  const first = await fn.invoke(scheduled("event-1"));
  t.like(first, { runId: "event-1", counts: { seen: 3, created: 3, skipped: 0, failed: 0 }, users: { alice: "synced", bob: "synced" } });
  t.deepEqual(pipedrive.deals().map((d) => d.custom_fields.abc_gist_url).sort(), gists.map((g) => g.html_url).sort());
  const pipedriveRequests = pipedrive.requests.length;
  const githubRequests = github.requests.length;
  const second = await fn.invoke(scheduled("event-2"));
  t.like(second, { users: { alice: "unchanged", bob: "unchanged" }, counts: { created: 0 } });
  t.deepEqual(github.requests.slice(githubRequests).map((r) => r.status), [304, 304]);
  t.is(pipedrive.requests.length, pipedriveRequests, "no Pipedrive call at all");
  const lines = fn.logs.map((l) => JSON.parse(l));
  t.true(lines.some((l) => l.message === "sync run finished" && l.correlation_id === "event-2"));
  t.true(lines.some((l) => l._aws?.CloudWatchMetrics?.[0]?.Metrics?.some((m: { Name: string }) => m.Name === "freshnessMinutes")));
  t.true(ssm.requests.some((r) => r.includes("/gists/pipedrive_api_token")));
});
