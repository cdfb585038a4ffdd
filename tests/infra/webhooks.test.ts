// WebhookIngest under mocks: least privilege per function, a private spool, the stream consumers,
// the replay schedule and the WebSocket API.
import test from "ava";
import type { StackRecord } from "../harness/record";
import { TEST_SECRETS, byName, evaluateStack, ofType } from "../harness/stacks";
import { grants, policiesByRole } from "../harness/iam";

const FORWARD = "https://downstream.example.com/hooks";
let prod: StackRecord;
let devWithoutForwarding: StackRecord;
test.before(async () => {
  [prod, devWithoutForwarding] = await Promise.all([evaluateStack("prod", { "switchyard:forwardUrl": FORWARD }), evaluateStack("dev")]);
});

const arn = (record: StackRecord, type: string, name: string) => byName(record, type, name).state.arn as string;

test("every webhook function's policy grants exactly what it needs: ingest only writes events, replay touches no table", (t) => {
  const table = (n: string) => arn(prod, "aws:dynamodb/table:Table", `calendly-${n}`);
  const stream = byName(prod, "aws:dynamodb/table:Table", "calendly-events").state.streamArn as string;
  t.truthy(stream, "the events table has a stream");
  const bucket = arn(prod, "aws:s3/bucket:Bucket", "calendly-spool");
  const dlq = arn(prod, "aws:sqs/queue:Queue", "calendly-dlq");
  const param = (n: string) => arn(prod, "aws:ssm/parameter:Parameter", `calendly-${n}`);
  const ws = byName(prod, "aws:apigatewayv2/api:Api", "calendly-live").state.executionArn as string;
  const logs = (fn: string) => [`${arn(prod, "aws:cloudwatch/logGroup:LogGroup", fn)}:log-stream:*`];
  const streamRead = {
    "dynamodb:DescribeStream": [stream],
    "dynamodb:GetRecords": [stream],
    "dynamodb:GetShardIterator": [stream],
    // IAM gives ListStreams no resource type: "*" is the only grant that works (preflight iam-policies).
    "dynamodb:ListStreams": ["*"],
    "sqs:SendMessage": [dlq],
  };
  const expected: Record<string, Record<string, string[]>> = {
    "calendly-ingest": {
      "dynamodb:PutItem": [table("events")],
      "ssm:GetParameter": [param("signing-key")],
    },
    "calendly-meetings": { "dynamodb:Query": [`${table("meetings")}/index/byStart`] },
    "calendly-history": { "dynamodb:GetItem": [table("meetings")], "dynamodb:Query": [table("events")] },
    "calendly-forwarder": { ...streamRead, "s3:PutObject": [`${bucket}/dead-letter/*`, `${bucket}/spool/*`] },
    "calendly-replay": {
      "s3:ListBucket": [bucket],
      "s3:GetObject": [`${bucket}/spool/*`],
      "s3:DeleteObject": [`${bucket}/spool/*`],
      "s3:PutObject": [`${bucket}/dead-letter/*`],
      "ssm:GetParameter": [param("replay-token")],
    },
    "calendly-connection": { "dynamodb:PutItem": [table("connections")], "dynamodb:DeleteItem": [table("connections")] },
    "calendly-project": {
      ...streamRead,
      "dynamodb:GetItem": [table("meetings")],
      "dynamodb:PutItem": [table("meetings")],
      "dynamodb:Scan": [table("connections")],
      "dynamodb:DeleteItem": [table("connections")],
      "execute-api:ManageConnections": [`${ws}/live/POST/@connections/*`],
    },
  };
  const policies = policiesByRole(prod);
  for (const [fn, wanted] of Object.entries(expected)) {
    t.deepEqual(grants(policies.get(fn) ?? []), { "logs:CreateLogStream": logs(fn), "logs:PutLogEvents": logs(fn), ...wanted }, fn);
  }
});

test("secrets live in SSM SecureStrings; no function's environment holds a secret value", (t) => {
  for (const p of ofType(prod, "aws:ssm/parameter:Parameter")) t.is(p.inputs.type, "SecureString");
  const env = JSON.stringify(ofType(prod, "aws:lambda/function:Function").map((f) => f.inputs.environment));
  for (const secret of Object.values(TEST_SECRETS)) t.false(env.includes(secret));
  const ingest = byName(prod, "aws:lambda/function:Function", "calendly-ingest").inputs.environment.variables;
  t.is(ingest.SIGNING_KEY_PARAMETER, byName(prod, "aws:ssm/parameter:Parameter", "calendly-signing-key").state.name);
  t.is(ingest.SOURCE, "calendly");
  t.is(ingest.SIGNATURE_TOLERANCE_SECONDS, "180");
});

test("the spool bucket is private, encrypted, versioned, TLS-only, and old versions expire", (t) => {
  const id = byName(prod, "aws:s3/bucket:Bucket", "calendly-spool").id;
  const pab = byName(prod, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "calendly-spool").inputs;
  t.like(pab, { bucket: id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
  t.is(byName(prod, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "calendly-spool").inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
  t.is(byName(prod, "aws:s3/bucketVersioning:BucketVersioning", "calendly-spool").inputs.versioningConfiguration.status, "Enabled");
  t.is(byName(prod, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "calendly-spool").inputs.rule.objectOwnership, "BucketOwnerEnforced");
  const policy = JSON.parse(byName(prod, "aws:s3/bucketPolicy:BucketPolicy", "calendly-spool").inputs.policy);
  t.like(policy.Statement[0], { Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
  t.is(byName(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "calendly-spool").inputs.rules[0].noncurrentVersionExpiration.noncurrentDays, 30);
  t.false(byName(prod, "aws:s3/bucket:Bucket", "calendly-spool").inputs.forceDestroy, "prod never empties the spool on destroy");
});

test("the forwarder and the projector consume new events from the stream with partial retries and a dead-letter queue", (t) => {
  const stream = byName(prod, "aws:dynamodb/table:Table", "calendly-events").state.streamArn;
  const dlq = arn(prod, "aws:sqs/queue:Queue", "calendly-dlq");
  for (const fn of ["forwarder", "project"]) {
    const mapping = byName(prod, "aws:lambda/eventSourceMapping:EventSourceMapping", `calendly-${fn}`).inputs;
    t.like(mapping, {
      eventSourceArn: stream,
      functionName: arn(prod, "aws:lambda/function:Function", `calendly-${fn}`),
      startingPosition: "TRIM_HORIZON",
      maximumRetryAttempts: 5,
      bisectBatchOnFunctionError: true,
      functionResponseTypes: ["ReportBatchItemFailures"],
      destinationConfig: { onFailure: { destinationArn: dlq } },
    });
    t.deepEqual(JSON.parse(mapping.filterCriteria.filters[0].pattern), { eventName: ["INSERT"] });
  }
  t.true(byName(prod, "aws:sqs/queue:Queue", "calendly-dlq").inputs.sqsManagedSseEnabled);
});

test("the replay runs on a schedule and on demand", (t) => {
  const rule = byName(prod, "aws:cloudwatch/eventRule:EventRule", "calendly-replay");
  t.is(rule.inputs.scheduleExpression, "rate(5 minutes)");
  const target = byName(prod, "aws:cloudwatch/eventTarget:EventTarget", "calendly-replay").inputs;
  t.is(target.arn, arn(prod, "aws:lambda/function:Function", "calendly-replay"));
  const permission = byName(prod, "aws:lambda/permission:Permission", "calendly-replay-schedule").inputs;
  t.like(permission, { principal: "events.amazonaws.com", sourceArn: rule.state.arn });
  const route = ofType(prod, "aws:apigatewayv2/route:Route").find((r) => r.inputs.routeKey === "POST /webhooks/calendly/replay");
  t.truthy(route);
});

test("the live view is a WebSocket API with $connect and $disconnect and a throttled stage", (t) => {
  const ws = byName(prod, "aws:apigatewayv2/api:Api", "calendly-live");
  t.is(ws.inputs.protocolType, "WEBSOCKET");
  const routes = ofType(prod, "aws:apigatewayv2/route:Route").filter((r) => r.inputs.apiId === ws.id).map((r) => r.inputs.routeKey).sort();
  t.deepEqual(routes, ["$connect", "$disconnect"]);
  const integration = byName(prod, "aws:apigatewayv2/integration:Integration", "calendly-live").inputs;
  t.is(integration.integrationUri, byName(prod, "aws:lambda/function:Function", "calendly-connection").state.invokeArn);
  t.like(byName(prod, "aws:apigatewayv2/stage:Stage", "calendly-live").inputs, { name: "live", defaultRouteSettings: { throttlingRateLimit: 20, throttlingBurstLimit: 40 } });
  t.regex(prod.outputs.liveUrl, /^wss:\/\/.+\/live$/);
  t.regex(prod.outputs.webhookUrl, /^https:\/\/.+\/webhooks\/calendly$/);
});

test("the webhook tables: events with a stream, meetings with a start-time index, connections with a TTL; prod-protected", (t) => {
  const events = byName(prod, "aws:dynamodb/table:Table", "calendly-events").inputs;
  t.like(events, { streamEnabled: true, streamViewType: "NEW_IMAGE", deletionProtectionEnabled: true, pointInTimeRecovery: { enabled: true } });
  t.is(byName(prod, "aws:dynamodb/table:Table", "calendly-meetings").inputs.globalSecondaryIndexes[0].name, "byStart");
  t.deepEqual(byName(prod, "aws:dynamodb/table:Table", "calendly-connections").inputs.ttl, { attributeName: "expiresAt", enabled: true });
});

test("without a forward URL there is no forwarder, spool or replay", (t) => {
  const names = devWithoutForwarding.resources.map((r) => r.name);
  for (const gone of ["calendly-forwarder", "calendly-replay", "calendly-spool"]) t.false(names.includes(gone), gone);
  t.true(names.includes("calendly-ingest"));
  t.is(devWithoutForwarding.outputs.spoolBucket, undefined);
});
