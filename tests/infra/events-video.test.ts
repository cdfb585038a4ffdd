// The video pipeline's resources under mocks (issue #19): MediaConvert's role (MediaConvert of this
// account only; read video uploads, write renditions, nothing else), the three functions' exact
// grants (PassRole to MediaConvert only, CreateJob on the Default queue only, no media access), the
// bucket's notification to the transcode function and the EventBridge rule for this stack's jobs.
import test from "ava";
import { jobStateChangePattern } from "../../handlers/events/video/status";
import { grants, policiesByRole, type Statement } from "../harness/iam";
import type { StackRecord } from "../harness/record";
import { byName, evaluateStack, ofType } from "../harness/stacks";

const ACCOUNT = "123456789012";
let prod: StackRecord;
let dev: StackRecord;
test.before(async () => {
  [prod, dev] = await Promise.all([evaluateStack("prod"), evaluateStack("dev")]);
});
const stacks = () => [["prod", prod], ["dev", dev]] as const;
const T = {
  fn: "aws:lambda/function:Function",
  role: "aws:iam/role:Role",
  table: "aws:dynamodb/table:Table",
  bucket: "aws:s3/bucket:Bucket",
  permission: "aws:lambda/permission:Permission",
  rule: "aws:cloudwatch/eventRule:EventRule",
  target: "aws:cloudwatch/eventTarget:EventTarget",
  notification: "aws:s3/bucketNotification:BucketNotification",
};
const arn = (record: StackRecord, type: string, name: string) => byName(record, type, name).state.arn as string;
const logs = (record: StackRecord, fn: string) => {
  const streams = [`${arn(record, "aws:cloudwatch/logGroup:LogGroup", `events-${fn}`)}:log-stream:*`];
  return { "logs:CreateLogStream": streams, "logs:PutLogEvents": streams };
};

test("MediaConvert's role: assumed by MediaConvert of this account only; it reads video uploads and writes renditions of the media bucket, nothing else", (t) => {
  for (const [stack, record] of stacks()) {
    const role = byName(record, T.role, "events-mediaconvert");
    t.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement, [
      { Effect: "Allow", Principal: { Service: "mediaconvert.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
    ]);
    const bucket = arn(record, T.bucket, "events-media");
    t.deepEqual(grants(policiesByRole(record).get("events-mediaconvert")!), { "s3:GetObject": [`${bucket}/events/*/video/*`], "s3:PutObject": [`${bucket}/events/*/hls/*`] }, stack);
  }
});

test("the pipeline's functions: the event read and conditionally updated, a job created in the Default queue, the role passed to MediaConvert only; no media access; the status function updates only", (t) => {
  for (const [stack, record] of stacks()) {
    const policies = policiesByRole(record);
    const table = arn(record, T.table, "events-events");
    const region = stack === "prod" ? "us-east-1" : "us-west-2";
    const queue = `arn:aws:mediaconvert:${region}:${ACCOUNT}:queues/Default`;
    const role = arn(record, T.role, "events-mediaconvert");
    for (const fn of ["transcode", "video"]) {
      const statements = policies.get(`events-${fn}`)!;
      t.deepEqual(grants(statements), { ...logs(record, fn), "dynamodb:GetItem": [table], "dynamodb:UpdateItem": [table], "iam:PassRole": [role], "mediaconvert:CreateJob": [queue] }, `${stack} ${fn}`);
      const passRole = statements.find((s) => s.Action.includes("iam:PassRole")) as Statement & { Condition?: unknown };
      t.deepEqual(passRole.Condition, { StringEquals: { "iam:PassedToService": "mediaconvert.amazonaws.com" } }, `${stack} ${fn}`);
      t.is(byName(record, T.fn, `events-${fn}`).inputs.environment.variables.TRANSCODE_QUEUE_ARN, queue);
    }
    t.deepEqual(grants(policies.get("events-video-status")!), { ...logs(record, "video-status"), "dynamodb:UpdateItem": [table] }, stack);
    // Nothing else may start jobs or hand out MediaConvert's role.
    for (const [name, statements] of policies) {
      if (["events-transcode", "events-video"].includes(name)) continue;
      t.false(JSON.stringify(statements).includes("mediaconvert"), `${stack} ${name}`);
      t.false(JSON.stringify(statements).includes(role), `${stack} ${name}`);
    }
  }
});

test("the media bucket tells the transcode function of new objects under events/ (S3 of this account and bucket may invoke it); the one notification of the bucket", (t) => {
  for (const [stack, record] of stacks()) {
    const bucket = byName(record, T.bucket, "events-media");
    const notifications = ofType(record, T.notification);
    t.is(notifications.length, 1, stack);
    t.is(notifications[0]!.inputs.bucket, bucket.id);
    t.deepEqual(notifications[0]!.inputs.lambdaFunctions, [{ lambdaFunctionArn: arn(record, T.fn, "events-transcode"), events: ["s3:ObjectCreated:*"], filterPrefix: "events/" }]);
    t.like(byName(record, T.permission, "events-transcode").inputs, { action: "lambda:InvokeFunction", principal: "s3.amazonaws.com", sourceArn: bucket.state.arn, sourceAccount: ACCOUNT, function: byName(record, T.fn, "events-transcode").state.name });
  }
});

test("MediaConvert's COMPLETE and ERROR state changes of this stack's jobs (marked by its media bucket) reach the status function, through its rule only", (t) => {
  for (const [stack, record] of stacks()) {
    const rule = byName(record, T.rule, "events-video-status");
    const bucket = byName(record, T.bucket, "events-media").state.bucket as string;
    t.deepEqual(JSON.parse(rule.inputs.eventPattern), jobStateChangePattern(bucket), stack);
    t.deepEqual(JSON.parse(rule.inputs.eventPattern).detail.status, ["COMPLETE", "ERROR"]);
    t.is(rule.inputs.scheduleExpression, undefined);
    t.like(byName(record, T.target, "events-video-status").inputs, { rule: rule.state.name, arn: arn(record, T.fn, "events-video-status") });
    t.like(byName(record, T.permission, "events-video-status").inputs, { action: "lambda:InvokeFunction", principal: "events.amazonaws.com", sourceArn: rule.state.arn });
  }
});
