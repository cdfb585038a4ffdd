// EventsApi under mocks (issue #8): Cognito sign-in and the JWT authorizer on the signed-in routes,
// least privilege per function, the notification queue and the stream fan-out, reminders through
// EventBridge Scheduler, SES only with a sender (else the S3 outbox), the media bucket's CORS, and
// what the website learns (config.json, CSP).
import test from "ava";
import { eventRoutes, routeKeyOf } from "../../handlers/events/routes";
import { deriveStreamKey } from "../../handlers/events/video-stream-token";
import type { StackRecord } from "../harness/record";
import { TEST_SECRETS, byName, evaluateStack, ofType } from "../harness/stacks";
import { grants, policiesByRole, type Statement } from "../harness/iam";

const SENDER = "events@example.com";
const DOMAIN = "acme-events-dev";
const ACCOUNT = "123456789012";
/** prod: defaults (no sender: the S3 outbox; default sign-in domain). dev: a sender and a chosen domain prefix. closed: prod with self sign-up off. */
let prod: StackRecord;
let dev: StackRecord;
let closed: StackRecord;
test.before(async () => {
  [prod, dev, closed] = await Promise.all([
    evaluateStack("prod"),
    evaluateStack("dev", { "switchyard:eventsSender": SENDER, "switchyard:cognitoDomain": DOMAIN }),
    evaluateStack("prod", { "switchyard:eventsSelfSignUp": "false" }),
  ]);
});

const T = {
  pool: "aws:cognito/userPool:UserPool",
  client: "aws:cognito/userPoolClient:UserPoolClient",
  domain: "aws:cognito/userPoolDomain:UserPoolDomain",
  authorizer: "aws:apigatewayv2/authorizer:Authorizer",
  route: "aws:apigatewayv2/route:Route",
  table: "aws:dynamodb/table:Table",
  bucket: "aws:s3/bucket:Bucket",
  queue: "aws:sqs/queue:Queue",
  fn: "aws:lambda/function:Function",
  mapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  param: "aws:ssm/parameter:Parameter",
  role: "aws:iam/role:Role",
  group: "aws:scheduler/scheduleGroup:ScheduleGroup",
  identity: "aws:sesv2/emailIdentity:EmailIdentity",
  configurationSet: "aws:sesv2/configurationSet:ConfigurationSet",
  destination: "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  permission: "aws:lambda/permission:Permission",
};
const FUNCTIONS = ["organizer", "public", "rsvp", "stream", "fanout", "notify", "cleanup"];
/** With a sender, SES's bounces and complaints have a function of their own. */
const functionsOf = (withSender: boolean) => (withSender ? [...FUNCTIONS, "feedback"] : FUNCTIONS);
const stacks = () => [
  ["prod", prod],
  ["dev", dev],
] as const;
const arn = (record: StackRecord, type: string, name: string) => byName(record, type, name).state.arn as string;
const env = (record: StackRecord, fn: string) => byName(record, T.fn, `events-${fn}`).inputs.environment.variables as Record<string, string>;

test("the user pool: email is the username, verified; a sane password policy; recovery by email; deletion protection in prod", (t) => {
  for (const [stack, record] of stacks()) {
    const pool = byName(record, T.pool, "events-users").inputs;
    t.deepEqual(pool.usernameAttributes, ["email"], stack);
    t.deepEqual(pool.autoVerifiedAttributes, ["email"], stack);
    t.false(pool.usernameConfiguration.caseSensitive);
    t.true(pool.passwordPolicy.minimumLength >= 12);
    t.like(pool.passwordPolicy, { requireLowercase: true, requireUppercase: true, requireNumbers: true });
    t.deepEqual(pool.accountRecoverySetting.recoveryMechanisms, [{ name: "verified_email", priority: 1 }]);
    t.is(pool.deletionProtection, stack === "prod" ? "ACTIVE" : "INACTIVE", stack);
    t.is(pool.tags.component, "events");
  }
});

test("a second factor is optional, by authenticator app (TOTP) only: no SMS", (t) => {
  for (const [stack, record] of [...stacks(), ["closed", closed] as const]) {
    const pool = byName(record, T.pool, "events-users").inputs;
    t.is(pool.mfaConfiguration, "OPTIONAL", stack);
    t.deepEqual(pool.softwareTokenMfaConfiguration, { enabled: true }, stack);
    t.is(pool.smsConfiguration, undefined, stack);
  }
});

test("anyone may sign up by default; with switchyard:eventsSelfSignUp false only an administrator creates accounts", (t) => {
  for (const [stack, record] of stacks()) t.deepEqual(byName(record, T.pool, "events-users").inputs.adminCreateUserConfig, { allowAdminCreateUserOnly: false }, stack);
  t.deepEqual(byName(closed, T.pool, "events-users").inputs.adminCreateUserConfig, { allowAdminCreateUserOnly: true });
  // Closing sign-up changes only that setting: the client, domain and routes stay as they are.
  const others = (record: StackRecord) => JSON.stringify(record.resources.filter((r) => r.type.startsWith("aws:cognito/") && r.type !== T.pool).map((r) => r.inputs));
  t.is(others(closed), others(prod));
});

test("the app client: public (no secret), code flow with openid/email/profile, callbacks to the site's /events/ (and local only where local origins are allowed)", (t) => {
  for (const [stack, record] of stacks()) {
    const client = byName(record, T.client, "events-web").inputs;
    t.is(client.userPoolId, byName(record, T.pool, "events-users").id);
    t.false(client.generateSecret);
    t.like(client, { allowedOauthFlowsUserPoolClient: true, preventUserExistenceErrors: "ENABLED", enableTokenRevocation: true });
    t.deepEqual(client.allowedOauthFlows, ["code"]);
    t.deepEqual(client.allowedOauthScopes, ["openid", "email", "profile"]);
    t.deepEqual(client.supportedIdentityProviders, ["COGNITO"]);
    t.deepEqual(client.explicitAuthFlows, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);
    t.like(client, { accessTokenValidity: 60, idTokenValidity: 60, refreshTokenValidity: 30 });
    t.deepEqual(client.tokenValidityUnits, { accessToken: "minutes", idToken: "minutes", refreshToken: "days" });
    const site = `${record.outputs.websiteUrl}/events/`;
    const expected = stack === "dev" ? [site, "http://localhost:3002/events/"] : [site];
    t.deepEqual(client.callbackUrls, expected, stack);
    t.deepEqual(client.logoutUrls, expected, stack);
    for (const url of client.callbackUrls as string[]) t.regex(url, /^(https:\/\/|http:\/\/localhost[:/])/, "Cognito takes plain HTTP for localhost only");
  }
});

test("the hosted UI domain: switchyard-<stack>-<account> by default, the configured prefix otherwise; the sign-in URL is its base", (t) => {
  t.like(byName(prod, T.domain, "events-signin").inputs, { domain: `switchyard-prod-${ACCOUNT}`, userPoolId: byName(prod, T.pool, "events-users").id });
  t.is(prod.outputs.eventsSignInUrl, `https://switchyard-prod-${ACCOUNT}.auth.us-east-1.amazoncognito.com`);
  t.is(byName(dev, T.domain, "events-signin").inputs.domain, DOMAIN);
  t.is(dev.outputs.eventsSignInUrl, `https://${DOMAIN}.auth.us-west-2.amazoncognito.com`);
});

test("the JWT authorizer trusts the pool's issuer for this client's tokens, from the Authorization header", (t) => {
  for (const [stack, record] of stacks()) {
    const a = byName(record, T.authorizer, "events-jwt").inputs;
    t.is(a.apiId, byName(record, "aws:apigatewayv2/api:Api", "api").id, stack);
    t.is(a.authorizerType, "JWT");
    t.deepEqual(a.identitySources, ["$request.header.Authorization"]);
    t.deepEqual(a.jwtConfiguration, {
      issuer: `https://cognito-idp.${record.region}.amazonaws.com/${byName(record, T.pool, "events-users").id}`,
      audiences: [byName(record, T.client, "events-web").id],
    });
  }
});

test("every signed-in route requires the JWT authorizer; the public and RSVP routes none; each route reaches its own function only", (t) => {
  const authorizer = byName(prod, T.authorizer, "events-jwt").id;
  for (const route of eventRoutes) {
    const r = byName(prod, T.route, `events-${route.operationId}`).inputs;
    t.is(r.routeKey, routeKeyOf(route));
    if (route.signedIn) t.like(r, { authorizationType: "JWT", authorizerId: authorizer }, route.operationId);
    else {
      t.is(r.authorizationType, undefined, route.operationId);
      t.is(r.authorizerId, undefined, route.operationId);
    }
    const integration = byName(prod, "aws:apigatewayv2/integration:Integration", `events-${route.operationId}`).inputs;
    t.is(integration.integrationUri, arn(prod, T.fn, `events-${route.fn}`), route.operationId);
    const permission = byName(prod, "aws:lambda/permission:Permission", `events-${route.operationId}`).inputs;
    t.true(permission.sourceArn.endsWith(`/*/${route.method}${route.path.replace(/\{[^}]+\}/g, "*")}`), route.operationId);
  }
  t.true(eventRoutes.some((r) => r.signedIn) && eventRoutes.some((r) => !r.signedIn));
  // Other components' routes are unchanged: no authorizer.
  for (const r of ofType(prod, T.route).filter((r) => !r.name.startsWith("events-"))) t.is(r.inputs.authorizationType, undefined, r.name);
});

/** Action → resources of each events function, prod (outbox) or dev (SES). */
function expectedGrants(record: StackRecord, withSender: boolean): Record<string, Record<string, string[]>> {
  const table = arn(record, T.table, "events-events");
  const stream = byName(record, T.table, "events-events").state.streamArn as string;
  const sent = arn(record, T.table, "events-notifications-sent");
  const snapshots = arn(record, T.table, "events-list-snapshots");
  const bucket = arn(record, T.bucket, "events-media");
  const queue = arn(record, T.queue, "events-notifications");
  const streamDlq = arn(record, T.queue, "events-stream-dlq");
  const key = arn(record, T.param, "events-rsvp-signing-key");
  // The functions that show events sign their videos' stream URLs with it; the stream route checks them.
  const videoKey = arn(record, T.param, "events-video-stream-key");
  const group = byName(record, T.group, "events-reminders").state.name as string;
  const media = [`${bucket}/events/*`];
  const identity = withSender ? arn(record, T.identity, "events-sender") : "";
  const configurationSet = withSender ? arn(record, T.configurationSet, "events-mail") : "";
  const suppressions = withSender ? arn(record, T.table, "events-suppressions") : "";
  return {
    organizer: {
      "dynamodb:GetItem": [table, `${table}/index/byOrganizer`].sort(),
      "dynamodb:PutItem": [table, `${table}/index/byOrganizer`].sort(),
      "dynamodb:UpdateItem": [table, `${table}/index/byOrganizer`].sort(),
      "dynamodb:Query": [table, `${table}/index/byOrganizer`].sort(),
      "s3:PutObject": media,
      "s3:GetObject": media,
      "ssm:GetParameter": [videoKey],
    },
    public: {
      "dynamodb:GetItem": [table, snapshots].sort(),
      "dynamodb:BatchGetItem": [table],
      "dynamodb:Query": ["publicByConfirmed", "publicByCreated", "publicByPublished", "publicByStart"].map((index) => `${table}/index/${index}`),
      // Its only write: popularity snapshots, in their own table.
      "dynamodb:PutItem": [snapshots],
      "s3:GetObject": media,
      "ssm:GetParameter": [videoKey],
    },
    rsvp: {
      "dynamodb:GetItem": [table],
      "dynamodb:UpdateItem": [table],
      "dynamodb:ConditionCheckItem": [table],
      "s3:GetObject": media,
      "ssm:GetParameter": [key, videoKey].sort(),
    },
    // Video playlists: it reads events and the renditions' folders only (its presigned segment URLs carry this read grant).
    stream: {
      "dynamodb:GetItem": [table],
      "s3:GetObject": [`${bucket}/events/*/hls/*`],
      "ssm:GetParameter": [videoKey],
    },
    fanout: {
      "dynamodb:GetItem": [table],
      "dynamodb:Query": [table],
      "dynamodb:BatchWriteItem": [table],
      "dynamodb:DescribeStream": [stream],
      "dynamodb:GetRecords": [stream],
      "dynamodb:GetShardIterator": [stream],
      // IAM gives ListStreams no resource type: "*" is the only grant that works (preflight iam-policies).
      "dynamodb:ListStreams": ["*"],
      "sqs:SendMessage": [queue, streamDlq].sort(),
      "scheduler:CreateSchedule": [`arn:aws:scheduler:${record.region}:${ACCOUNT}:schedule/${group}/*`],
      "scheduler:UpdateSchedule": [`arn:aws:scheduler:${record.region}:${ACCOUNT}:schedule/${group}/*`],
      "scheduler:DeleteSchedule": [`arn:aws:scheduler:${record.region}:${ACCOUNT}:schedule/${group}/*`],
      "iam:PassRole": [arn(record, T.role, "events-reminders")],
      "s3:ListBucket": [bucket],
      "s3:DeleteObject": media,
    },
    notify: {
      "dynamodb:GetItem": (withSender ? [table, sent, suppressions] : [table, sent]).sort(),
      "dynamodb:Query": [table],
      "dynamodb:PutItem": [sent],
      "dynamodb:UpdateItem": [sent],
      "dynamodb:DeleteItem": [sent],
      "sqs:ReceiveMessage": [queue],
      "sqs:DeleteMessage": [queue],
      "sqs:GetQueueAttributes": [queue],
      "sqs:ChangeMessageVisibility": [queue],
      "ssm:GetParameter": [key],
      ...(withSender
        ? { "ses:SendEmail": [identity, configurationSet].sort(), "ses:SendRawEmail": [identity, configurationSet].sort() }
        : { "s3:PutObject": [`${bucket}/outbox/*`] }),
    },
    cleanup: { "dynamodb:Query": [`${table}/index/draftsByUpdated`], "dynamodb:DeleteItem": [table] },
    // Marks invitations (an update only: it cannot create one) and adds suppressions.
    ...(withSender ? { feedback: { "dynamodb:UpdateItem": [table], "dynamodb:PutItem": [suppressions] } } : {}),
  };
}

test("every events function's policy grants exactly what it needs, and nothing with a wildcard beyond the documented patterns", (t) => {
  for (const [stack, record] of stacks()) {
    const policies = policiesByRole(record);
    const expected = expectedGrants(record, stack === "dev");
    t.deepEqual(Object.keys(expected).sort(), [...functionsOf(stack === "dev")].sort());
    for (const [fn, wanted] of Object.entries(expected)) {
      const logs = [`${arn(record, "aws:cloudwatch/logGroup:LogGroup", `events-${fn}`)}:log-stream:*`];
      t.deepEqual(grants(policies.get(`events-${fn}`) ?? []), { "logs:CreateLogStream": logs, "logs:PutLogEvents": logs, ...wanted }, `${stack} ${fn}`);
      for (const s of policies.get(`events-${fn}`) ?? []) {
        for (const action of s.Action) t.false(action.includes("*"), `${stack} ${fn} ${action}`);
        if (!s.Action.every((a) => a === "dynamodb:ListStreams")) for (const resource of s.Resource) t.not(resource, "*", `${stack} ${fn}`);
      }
    }
    // Each function runs as its own role.
    const fns = functionsOf(stack === "dev");
    t.is(new Set(fns.map((fn) => byName(record, T.fn, `events-${fn}`).inputs.role)).size, fns.length);
  }
});

const statementWith = (statements: Statement[], action: string) => statements.find((s) => s.Action.includes(action)) as (Statement & { Condition?: Record<string, Record<string, string>> }) | undefined;

test("the conditions that narrow the fan-out's and notify's grants: PassRole to Scheduler only, listing under events/ only, mail from the sender only", (t) => {
  for (const [stack, record] of stacks()) {
    const fanout = policiesByRole(record).get("events-fanout")!;
    t.deepEqual(statementWith(fanout, "iam:PassRole")!.Condition, { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } }, stack);
    t.deepEqual(statementWith(fanout, "s3:ListBucket")!.Condition, { StringLike: { "s3:prefix": "events/*" } }, stack);
  }
  const notify = policiesByRole(dev).get("events-notify")!;
  const ses = notify.filter((s) => s.Action.includes("ses:SendEmail"));
  t.deepEqual(ses.map((s) => [s.Resource, (s as { Condition?: unknown }).Condition]), [
    [[arn(dev, T.identity, "events-sender")], { StringEquals: { "ses:FromAddress": SENDER } }],
    // The configuration set is a resource of the same send (IAM checks each): from the sender, still.
    [[arn(dev, T.configurationSet, "events-mail")], undefined],
  ]);
  t.is(statementWith(policiesByRole(prod).get("events-notify")!, "ses:SendEmail"), undefined, "no SES without a sender");
});

test("each function's environment names exactly its tables, bucket, queue, schedules and parameter; no secret values", (t) => {
  for (const [stack, record] of stacks()) {
    const table = byName(record, T.table, "events-events").state.name;
    const bucket = byName(record, T.bucket, "events-media").state.bucket;
    const queue = byName(record, T.queue, "events-notifications").state;
    const key = byName(record, T.param, "events-rsvp-signing-key").state.name;
    const video = { API_URL: record.outputs.apiUrl, VIDEO_STREAM_KEY_PARAMETER: byName(record, T.param, "events-video-stream-key").state.name };
    const own = (fn: string) => {
      // Powertools' settings (and lean observability's POWERTOOLS_METRICS_DISABLED) are HandlerFunction's business.
      const { POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_METRICS_DISABLED, ...rest } = env(record, fn);
      t.is(POWERTOOLS_SERVICE_NAME, `events-${fn}`);
      return rest;
    };
    t.deepEqual(own("organizer"), { EVENTS_TABLE: table, MEDIA_BUCKET: bucket, ...video }, stack);
    t.deepEqual(own("public"), { EVENTS_TABLE: table, LIST_SNAPSHOTS_TABLE: byName(record, T.table, "events-list-snapshots").state.name, MEDIA_BUCKET: bucket, ...video }, stack);
    t.deepEqual(own("rsvp"), { EVENTS_TABLE: table, MEDIA_BUCKET: bucket, RSVP_SIGNING_KEY_PARAMETER: key, ...video }, stack);
    t.deepEqual(own("stream"), { EVENTS_TABLE: table, MEDIA_BUCKET: bucket, VIDEO_STREAM_KEY_PARAMETER: video.VIDEO_STREAM_KEY_PARAMETER }, stack);
    t.deepEqual(
      own("fanout"),
      {
        EVENTS_TABLE: table,
        MEDIA_BUCKET: bucket,
        NOTIFICATION_QUEUE_URL: queue.url,
        NOTIFICATION_QUEUE_ARN: queue.arn,
        REMINDER_GROUP: byName(record, T.group, "events-reminders").state.name,
        REMINDER_ROLE_ARN: arn(record, T.role, "events-reminders"),
        REMINDER_DLQ_ARN: arn(record, T.queue, "events-notifications-dlq"),
      },
      stack,
    );
    t.deepEqual(
      own("notify"),
      {
        EVENTS_TABLE: table,
        NOTIFICATIONS_SENT_TABLE: byName(record, T.table, "events-notifications-sent").state.name,
        SITE_URL: record.outputs.websiteUrl,
        RSVP_SIGNING_KEY_PARAMETER: key,
        ...(stack === "dev"
          ? { MAIL_FROM: SENDER, MAIL_CONFIGURATION_SET: "switchyard-dev-events-mail", SUPPRESSIONS_TABLE: byName(record, T.table, "events-suppressions").state.name }
          : { OUTBOX_BUCKET: bucket }),
      },
      stack,
    );
    if (stack === "dev") t.deepEqual(own("feedback"), { EVENTS_TABLE: table, SUPPRESSIONS_TABLE: byName(record, T.table, "events-suppressions").state.name });
    t.deepEqual(own("cleanup"), { EVENTS_TABLE: table }, stack);
  }
  t.like(byName(prod, T.param, "events-rsvp-signing-key").inputs, { type: "SecureString" });
  const all = JSON.stringify(ofType(prod, T.fn).map((f) => f.inputs.environment));
  t.false(all.includes(TEST_SECRETS["switchyard:rsvpSigningKey"]!));
  t.false(all.includes(deriveStreamKey(TEST_SECRETS["switchyard:rsvpSigningKey"]!)));
});

test("the video stream key: a SecureString of its own, derived from the RSVP key (one-way), so the functions that show events never hold the RSVP key", (t) => {
  for (const [stack, record] of stacks()) {
    const param = byName(record, T.param, "events-video-stream-key").inputs;
    t.like(param, { type: "SecureString", name: `/switchyard/${stack}/events/video-stream-key` }, stack);
    // Kept secret in the state (Pulumi's secret wrapper), like the RSVP key's.
    t.is(typeof param.value, "object", `${stack}: a secret output`);
    t.is(param.value.value, deriveStreamKey(TEST_SECRETS["switchyard:rsvpSigningKey"]!), stack);
    t.not(param.value.value, TEST_SECRETS["switchyard:rsvpSigningKey"], stack);
    const rsvpKey = arn(record, T.param, "events-rsvp-signing-key");
    const policies = policiesByRole(record);
    for (const fn of ["organizer", "public", "stream"]) t.false(JSON.stringify(policies.get(`events-${fn}`)).includes(rsvpKey), `${stack}: ${fn} cannot read the RSVP key`);
  }
});

test("tables: events with its stream, TTL and sparse indexes; the sent-mail records with their TTL; both protected in prod only", (t) => {
  const events = byName(prod, T.table, "events-events").inputs;
  t.like(events, { streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES", ttl: { attributeName: "expiresAt", enabled: true }, deletionProtectionEnabled: true, pointInTimeRecovery: { enabled: true } });
  t.deepEqual(events.globalSecondaryIndexes.map((i: { name: string }) => i.name).sort(), ["byOrganizer", "draftsByUpdated", "publicByConfirmed", "publicByCreated", "publicByPublished", "publicByStart"]);
  // The popularity rankings: short-lived, never protected, tagged so the policy pack knows it is on purpose.
  for (const record of [prod, dev]) {
    t.like(byName(record, T.table, "events-list-snapshots").inputs, { hashKey: "id", ttl: { attributeName: "expiresAt", enabled: true }, deletionProtectionEnabled: false, pointInTimeRecovery: { enabled: false }, tags: { ephemeral: "true" } });
  }
  const sent = byName(prod, T.table, "events-notifications-sent").inputs;
  // Losing them would mail invitees again: protected like the events, and no ephemeral tag to exempt them.
  t.like(sent, { hashKey: "id", ttl: { attributeName: "expiration", enabled: true }, deletionProtectionEnabled: true, pointInTimeRecovery: { enabled: true } });
  t.is(sent.tags.ephemeral, undefined);
  for (const name of ["events-events", "events-notifications-sent"]) {
    t.like(byName(dev, T.table, name).inputs, { deletionProtectionEnabled: false, pointInTimeRecovery: { enabled: false } }, name);
  }
  t.deepEqual(byName(dev, T.table, "events-notifications-sent").inputs.ttl, { attributeName: "expiration", enabled: true });
});

test("notifications: encrypted, visibility ≥ 6× notify's timeout, redriven to a DLQ after 5 receives; notify consumes it with partial-batch failures", (t) => {
  for (const [stack, record] of stacks()) {
    const queue = byName(record, T.queue, "events-notifications").inputs;
    const notify = byName(record, T.fn, "events-notify").inputs;
    t.true(queue.sqsManagedSseEnabled);
    t.true(queue.visibilityTimeoutSeconds >= 6 * notify.timeout, stack);
    t.deepEqual(JSON.parse(queue.redrivePolicy), { deadLetterTargetArn: arn(record, T.queue, "events-notifications-dlq"), maxReceiveCount: 5 });
    t.like(byName(record, T.queue, "events-notifications-dlq").inputs, { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 });
    const mapping = byName(record, T.mapping, "events-notify").inputs;
    t.like(mapping, { eventSourceArn: arn(record, T.queue, "events-notifications"), functionName: arn(record, T.fn, "events-notify"), batchSize: 10 });
    t.deepEqual(mapping.functionResponseTypes, ["ReportBatchItemFailures"]);
  }
});

test("the stream fan-out: new changes only, partial-batch failures, bisecting, 5 retries, then the stream DLQ", (t) => {
  for (const [stack, record] of stacks()) {
    const mapping = byName(record, T.mapping, "events-fanout").inputs;
    t.like(mapping, {
      eventSourceArn: byName(record, T.table, "events-events").state.streamArn,
      functionName: arn(record, T.fn, "events-fanout"),
      startingPosition: "LATEST",
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 5,
      destinationConfig: { onFailure: { destinationArn: arn(record, T.queue, "events-stream-dlq") } },
    }, stack);
    t.deepEqual(mapping.functionResponseTypes, ["ReportBatchItemFailures"]);
    t.is(mapping.filterCriteria, undefined, "inserts, changes and TTL removals all matter");
  }
});

test("reminders: a schedule group, and a role only Scheduler (of this account) assumes that may only send to the notifications queue and its DLQ", (t) => {
  for (const [stack, record] of stacks()) {
    t.is(byName(record, T.group, "events-reminders").inputs.name, `switchyard-${stack}-reminders`);
    t.is(byName(record, T.group, "events-reminders").inputs.tags.component, "events");
    const trust = JSON.parse(byName(record, T.role, "events-reminders").inputs.assumeRolePolicy);
    t.deepEqual(trust.Statement, [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } }]);
    t.deepEqual(grants(policiesByRole(record).get("events-reminders")!), {
      "sqs:SendMessage": [arn(record, T.queue, "events-notifications"), arn(record, T.queue, "events-notifications-dlq")].sort(),
    });
  }
});

test("SES: an email identity only with switchyard:eventsSender; without it, the outbox", (t) => {
  t.deepEqual(ofType(dev, T.identity).map((i) => i.inputs.emailIdentity), [SENDER]);
  t.deepEqual(ofType(prod, T.identity), []);
  const hasOutbox = (record: StackRecord) => JSON.stringify(grants(policiesByRole(record).get("events-notify")!)).includes("/outbox/*");
  t.true(hasOutbox(prod));
  t.false(hasOutbox(dev));
  // Nothing else may write to the outbox.
  for (const fn of FUNCTIONS.filter((f) => f !== "notify")) t.false(JSON.stringify(policiesByRole(prod).get(`events-${fn}`)).includes("outbox"), fn);
});

test("mail feedback (with a sender): a configuration set for every mail publishing only bounces and complaints to a topic only SES (this account, this set) may publish to, subscribed by the feedback function alone", (t) => {
  const set = byName(dev, T.configurationSet, "events-mail");
  t.is(set.inputs.configurationSetName, "switchyard-dev-events-mail");
  t.deepEqual(set.inputs.suppressionOptions, { suppressedReasons: ["BOUNCE", "COMPLAINT"] });
  t.is(set.inputs.tags.component, "events");
  const topic = byName(dev, T.topic, "events-mail-feedback");
  t.is(topic.inputs.tags.component, "events");
  const destination = byName(dev, T.destination, "events-mail-feedback").inputs;
  t.deepEqual(destination, {
    configurationSetName: "switchyard-dev-events-mail",
    eventDestinationName: "bounces-and-complaints",
    eventDestination: { enabled: true, matchingEventTypes: ["BOUNCE", "COMPLAINT"], snsDestination: { topicArn: topic.state.arn } },
  });
  const policy = byName(dev, T.topicPolicy, "events-mail-feedback").inputs;
  t.is(policy.arn, topic.state.arn);
  t.deepEqual(JSON.parse(policy.policy).Statement, [
    {
      Sid: "SesPublishesMailFeedback",
      Effect: "Allow",
      Principal: { Service: "ses.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topic.state.arn,
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": set.state.arn } },
    },
  ]);
  // The feedback function is the topic's one subscriber, invoked by SNS for this topic only.
  t.deepEqual(ofType(dev, T.subscription).filter((s) => s.inputs.topic === topic.state.arn).map((s) => [s.name, s.inputs.protocol, s.inputs.endpoint]), [["events-feedback", "lambda", arn(dev, T.fn, "events-feedback")]]);
  t.like(byName(dev, T.permission, "events-feedback").inputs, { action: "lambda:InvokeFunction", principal: "sns.amazonaws.com", sourceArn: topic.state.arn, function: byName(dev, T.fn, "events-feedback").state.name });
  t.is(ofType(dev, T.permission).filter((p) => p.inputs.principal === "sns.amazonaws.com").length, 1, "no other function is open to SNS");
  // Suppressions: one item per address, protected like the events in prod (dev: not).
  t.like(byName(dev, T.table, "events-suppressions").inputs, { hashKey: "email", deletionProtectionEnabled: false });
  t.is(byName(dev, T.fn, "events-feedback").inputs.timeout, 30);
});

test("without a sender there is no mail feedback: no configuration set, topic, destination, feedback function or suppressions table", (t) => {
  for (const type of [T.configurationSet, T.destination, T.topicPolicy]) t.deepEqual(ofType(prod, type), [], type);
  t.false(ofType(prod, T.topic).some((r) => r.name.startsWith("events-")));
  t.false(ofType(prod, T.fn).some((r) => r.name === "events-feedback"));
  t.false(ofType(prod, T.table).some((r) => r.name === "events-suppressions"));
  t.false(ofType(prod, T.subscription).some((r) => r.name.startsWith("events-")));
});

test("the clean-up runs once a day, invoked by EventBridge through its rule only", (t) => {
  for (const [stack, record] of stacks()) {
    const rule = byName(record, "aws:cloudwatch/eventRule:EventRule", "events-cleanup");
    t.is(rule.inputs.scheduleExpression, "rate(1 day)", stack);
    t.like(byName(record, "aws:cloudwatch/eventTarget:EventTarget", "events-cleanup").inputs, { rule: rule.state.name, arn: arn(record, T.fn, "events-cleanup") });
    t.like(byName(record, "aws:lambda/permission:Permission", "events-cleanup-schedule").inputs, {
      action: "lambda:InvokeFunction",
      principal: "events.amazonaws.com",
      sourceArn: rule.state.arn,
    });
  }
});

test("the media bucket: private, encrypted, TLS-only; CORS lets the site (and local origins) PUT and GET", (t) => {
  for (const [stack, record] of stacks()) {
    const bucket = byName(record, T.bucket, "events-media");
    t.is(bucket.inputs.forceDestroy, stack !== "prod", stack);
    t.like(byName(record, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "events-media").inputs, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    t.is(byName(record, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "events-media").inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
    t.regex(byName(record, "aws:s3/bucketPolicy:BucketPolicy", "events-media").inputs.policy, /aws:SecureTransport/);
    const cors = byName(record, "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", "events-media").inputs;
    t.is(cors.bucket, bucket.id);
    t.is(cors.corsRules.length, 1);
    const rule = (cors.corsRules as Record<string, unknown>[])[0]!;
    t.deepEqual(rule.allowedMethods, ["PUT", "GET"]);
    t.deepEqual(rule.allowedHeaders, ["content-type", "content-length"]);
    t.is(rule.maxAgeSeconds, 3000);
    t.deepEqual(rule.allowedOrigins, stack === "dev" ? [record.outputs.websiteUrl, "http://localhost:3000", "http://127.0.0.1:3000"] : [record.outputs.websiteUrl]);
  }
});

test("the website learns the sign-in settings (config.json) and may reach the hosted UI and the media bucket (CSP)", (t) => {
  for (const [stack, record] of stacks()) {
    const config = JSON.parse(byName(record, "aws:s3/bucketObjectv2:BucketObjectv2", "site-config").inputs.content);
    t.deepEqual(config.auth, { domain: record.outputs.eventsSignInUrl, clientId: record.outputs.eventsUserPoolClientId }, stack);
    const media = `https://${byName(record, T.bucket, "events-media").state.bucket}.s3.${record.region}.amazonaws.com`;
    t.is(config.mediaOrigin, media, stack);
    const connect = byName(record, "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey", "site-connect-src").inputs.value.split(" ");
    t.true(connect.includes(record.outputs.eventsSignInUrl), stack);
    t.true(connect.includes(media), stack);
    t.true(connect.includes(record.outputs.apiUrl), "the API stays");
    const mediaSrc = byName(record, "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey", "site-media-src").inputs;
    t.like(mediaSrc, { key: "media-src", value: `${media} ${record.outputs.apiUrl}` }, "covers and videos, and the stream's playlists");
  }
});

test("the stack exports the events outputs", (t) => {
  for (const [stack, record] of stacks()) {
    t.is(record.outputs.eventsUserPoolId, byName(record, T.pool, "events-users").id, stack);
    t.is(record.outputs.eventsUserPoolClientId, byName(record, T.client, "events-web").id);
    t.is(record.outputs.eventsMediaBucket, byName(record, T.bucket, "events-media").state.bucket);
    t.is(record.outputs.eventsQueueUrl, byName(record, T.queue, "events-notifications").state.url);
    t.regex(record.outputs.eventsSignInUrl, /^https:\/\/[a-z0-9-]+\.auth\.[a-z0-9-]+\.amazoncognito\.com$/);
  }
});
