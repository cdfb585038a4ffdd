// The recording behind the least-privilege proof: each service's requests map to the actions and
// resources IAM authorizes, resources are labelled the same on every run, and a call the function's
// own role does not grant is reported (on a broken copy of a recorded role policy).
import test from "ava";
import { resourceLabel } from "../../preflight/least-privilege";
import { evaluateVariants, VARIANTS } from "../../preflight/variants";
import { callsOf, serviceOfVariable, type CallScope, type ServiceRequest } from "../harness/aws-call-map";
import { deniedCalls } from "../harness/aws-calls";
import type { StackRecord } from "../harness/record";
import { byName } from "../harness/stacks";

const RECORDED_QUEUE = "https://sqs.us-west-2.amazonaws.com/123456789012/events-notifications-f47154b";
const LOCAL_QUEUE = "http://127.0.0.1:4000/000000000000/notifications";
const scope: CallScope = {
  region: "us-west-2",
  account: "123456789012",
  recordedEnv: { WS_MANAGEMENT_ENDPOINT: "https://0d34233.execute-api.us-west-2.amazonaws.com/live" },
  aliases: new Map([[LOCAL_QUEUE, RECORDED_QUEUE]]),
};
const jsonRequest = (target: string, body: unknown): ServiceRequest => ({ method: "POST", url: "/", headers: { "x-amz-target": target }, body: Buffer.from(JSON.stringify(body)) });
const rest = (method: string, url: string, body = ""): ServiceRequest => ({ method, url, headers: { host: "127.0.0.1:4569" }, body: Buffer.from(body) });
const table = (name: string) => `arn:aws:dynamodb:us-west-2:123456789012:table/${name}`;

test("each service's requests map to the actions and resources IAM authorizes", (t) => {
  t.deepEqual(
    callsOf("dynamodb", jsonRequest("DynamoDB_20120810.TransactWriteItems", { TransactItems: [{ Update: { TableName: "events" } }, { ConditionCheck: { TableName: "invites" } }] }), scope),
    [
      { action: "dynamodb:UpdateItem", resource: table("events") },
      { action: "dynamodb:ConditionCheckItem", resource: table("invites") },
    ],
  );
  t.deepEqual(callsOf("dynamodb", jsonRequest("DynamoDB_20120810.Query", { TableName: "events", IndexName: "byOrganizer" }), scope), [{ action: "dynamodb:Query", resource: `${table("events")}/index/byOrganizer` }]);
  t.deepEqual(callsOf("dynamodb", jsonRequest("DynamoDB_20120810.BatchWriteItem", { RequestItems: { a: [], b: [] } }), scope).map((c) => c.resource), [table("a"), table("b")]);
  t.deepEqual(callsOf("s3", rest("GET", "/media/events/e1/cover.jpg"), scope), [{ action: "s3:GetObject", resource: "arn:aws:s3:::media/events/e1/cover.jpg" }]);
  t.deepEqual(callsOf("s3", rest("PUT", "/media/outbox/m.eml?x-id=PutObject"), scope), [{ action: "s3:PutObject", resource: "arn:aws:s3:::media/outbox/m.eml" }]);
  t.deepEqual(callsOf("s3", rest("GET", "/media?list-type=2&prefix=events%2Fe1%2F"), scope), [{ action: "s3:ListBucket", resource: "arn:aws:s3:::media", context: { "s3:prefix": "events/e1/" } }]);
  t.deepEqual(
    callsOf("s3", rest("POST", "/media?delete", "<Delete><Object><Key>events/a</Key></Object><Object><Key>events/b</Key></Object></Delete>"), scope).map((c) => `${c.action} ${c.resource}`),
    ["s3:DeleteObject arn:aws:s3:::media/events/a", "s3:DeleteObject arn:aws:s3:::media/events/b"],
  );
  // The stand-in's queue URL the test passed maps back to the recorded queue.
  t.deepEqual(callsOf("sqs", jsonRequest("AmazonSQS.SendMessageBatch", { QueueUrl: LOCAL_QUEUE, Entries: [] }), scope), [{ action: "sqs:SendMessage", resource: "arn:aws:sqs:us-west-2:123456789012:events-notifications-f47154b" }]);
  t.deepEqual(callsOf("ssm", jsonRequest("AmazonSSM.GetParameter", { Name: "/switchyard/dev/key", WithDecryption: true }), scope), [{ action: "ssm:GetParameter", resource: "arn:aws:ssm:us-west-2:123456789012:parameter/switchyard/dev/key" }]);
  t.deepEqual(callsOf("scheduler", rest("POST", "/schedules/reminder-1", JSON.stringify({ GroupName: "g", Target: { RoleArn: "arn:aws:iam::123456789012:role/r" } })), scope), [
    { action: "scheduler:CreateSchedule", resource: "arn:aws:scheduler:us-west-2:123456789012:schedule/g/reminder-1" },
    { action: "iam:PassRole", resource: "arn:aws:iam::123456789012:role/r", context: { "iam:PassedToService": "scheduler.amazonaws.com" } },
  ]);
  t.deepEqual(callsOf("scheduler", rest("DELETE", "/schedules/reminder-1?groupName=g"), scope), [{ action: "scheduler:DeleteSchedule", resource: "arn:aws:scheduler:us-west-2:123456789012:schedule/g/reminder-1" }]);
  t.deepEqual(callsOf("sesv2", rest("POST", "/v2/email/outbound-emails", JSON.stringify({ FromEmailAddress: "Events <events@example.com>" })), scope), [{ action: "ses:SendEmail", resource: "arn:aws:ses:us-west-2:123456789012:identity/events@example.com", context: { "ses:FromAddress": "events@example.com" } }]);
  t.is(callsOf("sesv2", rest("POST", "/v2/email/outbound-emails", JSON.stringify({ FromEmailAddress: "events@example.com", Content: { Raw: { Data: "" } } })), scope)[0]!.action, "ses:SendRawEmail");
  // Raw content without FromEmailAddress is sent from its own From header.
  const rawMail = Buffer.from("From: Events <events@example.com>\r\nTo: ann@example.com\r\nFrom-Note: x\r\n\r\nFrom: not a header\r\n").toString("base64");
  t.deepEqual(callsOf("sesv2", rest("POST", "/v2/email/outbound-emails", JSON.stringify({ Content: { Raw: { Data: rawMail } } })), scope), [{ action: "ses:SendRawEmail", resource: "arn:aws:ses:us-west-2:123456789012:identity/events@example.com", context: { "ses:FromAddress": "events@example.com" } }]);
  t.deepEqual(callsOf("execute-api", rest("POST", "/@connections/Zx1%3D"), scope), [{ action: "execute-api:ManageConnections", resource: "arn:aws:execute-api:us-west-2:123456789012:0d34233/live/POST/@connections/Zx1%3D" }]);
  // A service no mapper knows is a call no role grants: the check fails until it is mapped.
  t.is(callsOf("kinesis", rest("POST", "/"), scope)[0]!.action, "kinesis:unknown POST /");
});

test("the proxies stand in front of every AWS endpoint a function is given, and of AWS URLs the test points elsewhere", (t) => {
  t.is(serviceOfVariable("AWS_ENDPOINT_URL_DYNAMODB"), "dynamodb");
  t.is(serviceOfVariable("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"), "cloudwatch-logs");
  // The SQS client sends to the queue URL's host, not to its endpoint variable.
  t.is(serviceOfVariable("NOTIFICATION_QUEUE_URL", RECORDED_QUEUE), "sqs");
  t.is(serviceOfVariable("WS_MANAGEMENT_ENDPOINT", scope.recordedEnv.WS_MANAGEMENT_ENDPOINT), "execute-api");
  t.is(serviceOfVariable("SITE_URL", "https://dfbae041abcdef.cloudfront.net"), undefined);
  t.is(serviceOfVariable("MESSAGES_TABLE", "api-messages-e55c3cc"), undefined);
});

let dev: StackRecord;
test.before(async () => {
  dev = (await evaluateVariants(VARIANTS.filter((v) => v.name === "dev"))).get("dev")!;
});

test("resources are labelled by the recorded resource they are, with run-made names as patterns", (t) => {
  const messages = byName(dev, "aws:dynamodb/table:Table", "api-messages").state.arn as string;
  const media = byName(dev, "aws:s3/bucket:Bucket", "events-media").state.bucket as string;
  t.is(resourceLabel(messages, dev), "api-messages");
  t.is(resourceLabel(`${messages}/index/byCreated`, dev), "api-messages/index/byCreated");
  t.is(resourceLabel(`arn:aws:s3:::${media}/outbox/0198f0c2-7d3c-7a6e-9f10-2c4d5e6f7a8b.eml`, dev), "events-media/outbox/*");
  t.is(resourceLabel(`arn:aws:scheduler:${dev.region}:123456789012:schedule/switchyard-dev-reminders/reminder-0198f0c2-7d3c-7a6e-9f10-2c4d5e6f7a8b`, dev), "events-reminders/reminder-*");
  t.is(resourceLabel(`arn:aws:ses:${dev.region}:123456789012:identity/a@example.com`, dev), "arn:aws:ses:{region}:{account}:identity/a@example.com");
});

test("a call the function's own role does not grant is reported with the function, action and resource", async (t) => {
  const fn = byName(dev, "aws:lambda/function:Function", "api-create");
  const put = { action: "dynamodb:PutItem", resource: byName(dev, "aws:dynamodb/table:Table", "api-messages").state.arn as string };
  t.deepEqual(await deniedCalls([{ fn, record: dev, call: put }]), []);
  // A broken copy: the role's policy without PutItem.
  const broken: StackRecord = structuredClone(dev);
  const policy = byName(broken, "aws:iam/rolePolicy:RolePolicy", "api-create");
  policy.inputs.policy = policy.inputs.policy.replace('"dynamodb:PutItem",', "");
  const brokenFn = byName(broken, "aws:lambda/function:Function", "api-create");
  const denied = await deniedCalls([{ fn: brokenFn, record: broken, call: put }]);
  t.is(denied.length, 1);
  t.regex(denied[0]!, /^api-create called dynamodb:PutItem on arn:aws:dynamodb:[^ ]+:table\/api-messages-\w+: ImplicitlyDenied by its role api-create$/);
  // The condition on the fan-out's PassRole holds only for Scheduler.
  const fanout = byName(dev, "aws:lambda/function:Function", "events-fanout");
  const passRole = { action: "iam:PassRole", resource: fanout.inputs.environment.variables.REMINDER_ROLE_ARN as string };
  t.deepEqual(await deniedCalls([{ fn: fanout, record: dev, call: { ...passRole, context: { "iam:PassedToService": "scheduler.amazonaws.com" } } }]), []);
  t.is((await deniedCalls([{ fn: fanout, record: dev, call: { ...passRole, context: { "iam:PassedToService": "ec2.amazonaws.com" } } }])).length, 1);
});
