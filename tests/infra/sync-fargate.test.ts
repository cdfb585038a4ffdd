// ScheduledSync with `runner: "fargate"` under mocks: the same job, schedule, retries and
// dead-letter queue as the Lambda runner, run as an ECS Fargate task in a VPC without NAT gateways,
// with roles as narrow as the function's. Compared against the same stack on the Lambda runner.
import test from "ava";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { RecordedResource, StackRecord } from "../harness/record";
import { grants, policiesByRole, type Statement } from "../harness/iam";
import { GISTS_SYNC, ROOT, SKILLS_SYNC, SYNC_SECRET_KEYS, TEST_SECRETS, byName, evaluateStack, ofType, syncsConfig } from "../harness/stacks";

const SECRET_KEYS = [...Object.keys(TEST_SECRETS), ...SYNC_SECRET_KEYS];
/** Both syncs (on Lambda, their default), and both on Fargate. */
const CONFIG = syncsConfig({ gists: GISTS_SYNC, skills: SKILLS_SYNC });
const FARGATE = syncsConfig({ gists: { ...GISTS_SYNC, runner: "fargate" }, skills: { ...SKILLS_SYNC, runner: "fargate" } });
const JOBS = ["gists", "skills"] as const;

let fargate: StackRecord;
let lambda: StackRecord;
test.before(async () => {
  [fargate, lambda] = await Promise.all([
    evaluateStack("prod", FARGATE, "tsx", SECRET_KEYS),
    evaluateStack("prod", CONFIG, "tsx", SECRET_KEYS),
  ]);
});

const task = (job: string) => byName(fargate, "aws:ecs/taskDefinition:TaskDefinition", `${job}-task`);
const container = (job: string) => (JSON.parse(task(job).inputs.containerDefinitions) as any[])[0];
const environment = (job: string): Record<string, string> => Object.fromEntries(container(job).environment.map((e: { name: string; value: string }) => [e.name, e.value]));
const role = (record: StackRecord, name: string) => byName(record, "aws:iam/role:Role", name);
const trust = (r: RecordedResource) => JSON.parse(r.inputs.assumeRolePolicy).Statement as { Principal: { Service: string }; Condition?: unknown }[];
const statements = (record: StackRecord, roleName: string): Statement[] => policiesByRole(record).get(roleName) ?? [];

test("no NAT gateway anywhere: each task VPC has public subnets only, in two zones", (t) => {
  t.deepEqual(ofType(fargate, "aws:ec2/natGateway:NatGateway"), []);
  for (const job of JOBS) {
    const vpc = byName(fargate, "awsx:ec2:Vpc", `${job}-task-vpc`).inputs;
    t.like(vpc, { natGateways: { strategy: "None" }, subnetStrategy: "Auto", numberOfAvailabilityZones: 2 });
    t.true(vpc.subnetSpecs.length > 0 && vpc.subnetSpecs.every((s: { type: string }) => s.type === "Public"), JSON.stringify(vpc.subnetSpecs));
  }
});

test("the schedule starts one Fargate task in the public subnets with a public IP, retried twice, then dead-lettered", (t) => {
  for (const job of JOBS) {
    const target = byName(fargate, "aws:cloudwatch/eventTarget:EventTarget", `${job}-schedule`).inputs;
    const vpc = byName(fargate, "awsx:ec2:Vpc", `${job}-task-vpc`);
    t.true(vpc.state.publicSubnetIds.length === 2);
    t.deepEqual(target.ecsTarget, {
      taskDefinitionArn: task(job).state.arn,
      launchType: "FARGATE",
      taskCount: 1,
      platformVersion: "LATEST",
      networkConfiguration: { subnets: vpc.state.publicSubnetIds, securityGroups: [byName(fargate, "aws:ec2/securityGroup:SecurityGroup", `${job}-task`).id], assignPublicIp: true },
    });
    t.like(target, {
      rule: byName(fargate, "aws:cloudwatch/eventRule:EventRule", `${job}-schedule`).state.name,
      arn: byName(fargate, "aws:ecs/cluster:Cluster", `${job}-task`).state.arn,
      roleArn: role(fargate, `${job}-task-events`).state.arn,
      retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
      deadLetterConfig: { arn: byName(fargate, "aws:sqs/queue:Queue", `${job}-dlq`).state.arn },
    });
  }
  t.is(byName(fargate, "aws:cloudwatch/eventRule:EventRule", "gists-schedule").inputs.scheduleExpression, "rate(30 minutes)");
});

test("on the Fargate runner there is no function, no invoke permission and no function output for the job", (t) => {
  // The gists read API (gists-read-*) is served by Lambda whichever runner runs the job.
  const runnerOnly = (name: string) => /^(gists|skills)-/.test(name) && !name.startsWith("gists-read");
  t.deepEqual(ofType(fargate, "aws:lambda/function:Function").filter((f) => runnerOnly(f.name)), []);
  t.deepEqual(ofType(fargate, "aws:lambda/permission:Permission").filter((p) => runnerOnly(p.name)), []);
  t.truthy(byName(fargate, "aws:lambda/function:Function", "gists-read"));
  t.is(fargate.outputs.gistsSyncFunction, undefined);
  t.is(fargate.outputs.skillsSyncFunction, undefined);
  // and the Lambda runner is still what a stack gets without the keys
  t.truthy(byName(lambda, "aws:lambda/function:Function", "gists-run"));
  t.deepEqual(ofType(lambda, "switchyard:ecs:FargateTask"), []);
});

test("the security group admits nothing and lets only HTTPS out", (t) => {
  const sg = byName(fargate, "aws:ec2/securityGroup:SecurityGroup", "gists-task").inputs;
  t.deepEqual(sg.ingress, []);
  t.deepEqual(sg.egress.map(({ description: _, ...rule }: Record<string, unknown>) => rule), [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }]);
  t.is(sg.vpcId, byName(fargate, "awsx:ec2:Vpc", "gists-task-vpc").state.vpcId);
  t.deepEqual(ofType(fargate, "aws:ec2/securityGroupRule:SecurityGroupRule"), []);
  t.deepEqual(ofType(fargate, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), []);
});

test("the task definition: Fargate, arm64, ¼ vCPU and 512 MiB, read-only root, logs to its own group", (t) => {
  const def = task("gists").inputs;
  t.like(def, {
    family: "switchyard-prod-gists-task",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" },
    cpu: "256",
    memory: "512",
    taskRoleArn: role(fargate, "gists-task").state.arn,
    executionRoleArn: role(fargate, "gists-task-execution").state.arn,
  });
  const logGroup = byName(fargate, "aws:cloudwatch/logGroup:LogGroup", "gists-task");
  t.like(logGroup.inputs, { name: "/switchyard/prod/gists-task", retentionInDays: 90 });
  t.like(container("gists"), {
    image: byName(fargate, "awsx:ecr:Image", "gists-task").state.imageUri,
    essential: true,
    readonlyRootFilesystem: true,
    logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": logGroup.state.name, "awslogs-region": "us-east-1" } },
  });
  t.like(byName(fargate, "aws:ecs/cluster:Cluster", "gists-task").inputs, { settings: [{ name: "containerInsights", value: "disabled" }] });
});

test("the container gets the function's environment plus the job name and watchdog, and no secret", (t) => {
  for (const job of JOBS) {
    const { POWERTOOLS_SERVICE_NAME: taskService, SYNC_JOB, SYNC_TIMEOUT_SECONDS, ...env } = environment(job);
    const { POWERTOOLS_SERVICE_NAME: fnService, ...fnEnv } = byName(lambda, "aws:lambda/function:Function", `${job}-run`).inputs.environment.variables;
    t.deepEqual(env, fnEnv, job);
    t.deepEqual([taskService, fnService, SYNC_JOB, SYNC_TIMEOUT_SECONDS], [`${job}-task`, `${job}-run`, job, "3600"]);
  }
  t.is(environment("gists").SYNC_STATE_TABLE, byName(fargate, "aws:dynamodb/table:Table", "gists-state").state.name);
  t.is(environment("gists").PIPEDRIVE_API_TOKEN_PARAMETER, byName(fargate, "aws:ssm/parameter:Parameter", "gists-pipedrive-api-token").state.name);
  const definitions = ofType(fargate, "aws:ecs/taskDefinition:TaskDefinition").map((d) => d.inputs.containerDefinitions).join("\n");
  for (const [key, value] of Object.entries({ pipedriveApiToken: GISTS_SYNC.pipedriveApiToken, airtableToken: SKILLS_SYNC.airtableToken, badgrPassword: SKILLS_SYNC.badgrPassword })) t.false(definitions.includes(value), key);
});

test("the task role may do exactly what the job's function may, minus the function's own logs", (t) => {
  for (const job of JOBS) {
    const fnGrants = grants(statements(lambda, `${job}-run`));
    delete fnGrants["logs:CreateLogStream"];
    delete fnGrants["logs:PutLogEvents"];
    t.true(Object.keys(fnGrants).length >= 4, job);
    t.deepEqual(grants(statements(fargate, `${job}-task`)), fnGrants, job);
  }
  const [statement] = trust(role(fargate, "gists-task"));
  t.deepEqual(statement!.Principal, { Service: "ecs-tasks.amazonaws.com" });
  t.deepEqual(statement!.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:ecs:us-east-1:123456789012:*" } });
});

test("the execution role may pull this repository's image and write this log group, nothing else", (t) => {
  const repository = byName(fargate, "awsx:ecr:Repository", "gists-task");
  const image = byName(fargate, "awsx:ecr:Image", "gists-task").inputs;
  t.is(image.repositoryUrl, repository.state.url, "the image is pushed to the task's repository");
  const repositoryArn = `arn:aws:ecr:us-east-1:123456789012:repository/${repository.state.url.split("/").pop()}`;
  const logs = `${byName(fargate, "aws:cloudwatch/logGroup:LogGroup", "gists-task").state.arn}:log-stream:*`;
  t.deepEqual(grants(statements(fargate, "gists-task-execution")), {
    "ecr:GetAuthorizationToken": ["*"],
    "ecr:BatchCheckLayerAvailability": [repositoryArn],
    "ecr:GetDownloadUrlForLayer": [repositoryArn],
    "ecr:BatchGetImage": [repositoryArn],
    "logs:CreateLogStream": [logs],
    "logs:PutLogEvents": [logs],
  });
  t.deepEqual(trust(role(fargate, "gists-task-execution"))[0]!.Principal, { Service: "ecs-tasks.amazonaws.com" });
});

test("EventBridge's role may run only this task definition in this cluster, and pass only its two roles", (t) => {
  const cluster = byName(fargate, "aws:ecs/cluster:Cluster", "gists-task").state.arn;
  const policy = statements(fargate, "gists-task-events");
  t.deepEqual(grants(policy), {
    "ecs:RunTask": [`${task("gists").state.arnWithoutRevision}:*`],
    "iam:PassRole": [role(fargate, "gists-task").state.arn, role(fargate, "gists-task-execution").state.arn].sort(),
  });
  t.deepEqual((policy.find((s) => s.Action.includes("ecs:RunTask")) as Statement & { Condition: unknown }).Condition, { ArnEquals: { "ecs:cluster": cluster } });
  t.deepEqual((policy.find((s) => s.Action.includes("iam:PassRole")) as Statement & { Condition: unknown }).Condition, { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
  t.deepEqual(trust(role(fargate, "gists-task-events"))[0]!.Principal, { Service: "events.amazonaws.com" });
});

test("no managed policy on any role: inline policies only", (t) => {
  t.deepEqual(ofType(fargate, "aws:iam/rolePolicyAttachment:RolePolicyAttachment"), []);
  t.deepEqual(ofType(fargate, "aws:iam/policyAttachment:PolicyAttachment"), []);
  for (const r of ofType(fargate, "aws:iam/role:Role")) t.deepEqual(r.inputs.managedPolicyArns ?? [], [], r.name);
  // every task role has exactly one inline policy
  for (const name of ["gists-task", "gists-task-execution", "gists-task-events"]) t.is(ofType(fargate, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role(fargate, name).state.name).length, 1, name);
});

test("the image is built for arm64 from the repository root with the Dockerfile in handlers/sync/", (t) => {
  const image = byName(fargate, "awsx:ecr:Image", "skills-task").inputs;
  t.like(image, { context: ".", dockerfile: "handlers/sync/Dockerfile", platform: "linux/arm64" });
  t.true(existsSync(join(ROOT, image.dockerfile)));
  t.true(existsSync(join(ROOT, `${image.dockerfile}.dockerignore`)));
  const repository = byName(fargate, "awsx:ecr:Repository", "skills-task").inputs;
  t.like(repository, { name: "switchyard-prod-skills-task", forceDelete: false, lifecyclePolicy: { rules: [{ tagStatus: "any", maximumNumberOfImages: 5 }] } });
});

test("each stack prints a command that runs its sync once now, for either runner", (t) => {
  const subnets = byName(fargate, "awsx:ec2:Vpc", "gists-task-vpc").state.publicSubnetIds as string[];
  const sg = byName(fargate, "aws:ec2/securityGroup:SecurityGroup", "gists-task").id;
  t.is(
    fargate.outputs.gistsRunNow,
    `aws ecs run-task --region us-east-1 --cluster ${byName(fargate, "aws:ecs/cluster:Cluster", "gists-task").state.name} --task-definition ${task("gists").inputs.family} --launch-type FARGATE --network-configuration 'awsvpcConfiguration={subnets=[${subnets.join(",")}],securityGroups=[${sg}],assignPublicIp=ENABLED}'`,
  );
  t.is(lambda.outputs.gistsRunNow, `aws lambda invoke --region us-east-1 --function-name ${byName(lambda, "aws:lambda/function:Function", "gists-run").state.name} /dev/stdout`);
  t.regex(lambda.outputs.skillsRunNow, /^aws lambda invoke .*--function-name skills-run-/);
});
