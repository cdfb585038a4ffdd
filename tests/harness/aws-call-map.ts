// What IAM authorizes for one HTTP request an AWS SDK client sends: the action(s) and the resource
// ARN(s), as IAM's service authorization reference defines them (a DynamoDB TransactWriteItems is
// authorized as each item's PutItem/UpdateItem/DeleteItem/ConditionCheckItem; a Scheduler
// CreateSchedule also needs iam:PassRole on its target's role). Pure: the recording proxy
// (aws-calls.ts) feeds it every request a function makes.
import type { IncomingHttpHeaders } from "node:http";

/** One authorization IAM makes for a request. */
export interface AwsCall {
  /** Example: `"dynamodb:PutItem"`. */
  action: string;
  /** Example: `"arn:aws:dynamodb:us-west-2:123456789012:table/api-messages-e55c3cc"`. */
  resource: string;
  /** Condition keys the request carries. Example: `{ "s3:prefix": "events/" }`. */
  context?: Record<string, string>;
}

export interface ServiceRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface CallScope {
  region: string;
  account: string;
  /** The function's environment as the stack records it (a test may point a variable elsewhere). */
  recordedEnv: Record<string, string>;
  /** A value the test passed instead of a recorded one → the recorded value (a stand-in's queue URL → the queue's). */
  aliases: Map<string, string>;
}

/**
 * The service behind an endpoint a function is given: `AWS_ENDPOINT_URL_<SERVICE>` (the SDK's
 * service-specific endpoint variables), or a variable the stack set to an AWS URL (a queue URL, the
 * WebSocket API's management endpoint) that the test points at a stand-in.
 */
export function serviceOfVariable(variable: string, recordedValue?: string): string | undefined {
  const match = /^AWS_ENDPOINT_URL_([A-Z0-9_]+)$/.exec(variable);
  if (match) return match[1]!.toLowerCase().replace(/_/g, "-");
  const host = recordedValue && /^https:\/\/([^/]+)/.exec(recordedValue)?.[1];
  if (!host?.endsWith(".amazonaws.com")) return undefined;
  // A user pool's issuer URL (JWT_ISSUER): only its public JWKS is fetched from there, unsigned, no IAM action.
  if (host.startsWith("cognito-idp.")) return undefined;
  return host.includes(".execute-api.") ? "execute-api" : host.split(".")[0];
}

type Mapper = (request: ServiceRequest, scope: CallScope) => AwsCall[];

const json = (request: ServiceRequest): any => (request.body.length ? JSON.parse(request.body.toString("utf8")) : {});
const target = (request: ServiceRequest) => String(request.headers["x-amz-target"] ?? "").split(".").pop() ?? "";
const arn = (scope: CallScope, service: string, resource: string) => `arn:aws:${service}:${scope.region}:${scope.account}:${resource}`;

// DynamoDB (JSON 1.0, X-Amz-Target DynamoDB_20120810.<Operation>).
const TRANSACT_ACTIONS: Record<string, string> = { Put: "PutItem", Update: "UpdateItem", Delete: "DeleteItem", ConditionCheck: "ConditionCheckItem", Get: "GetItem" };
const dynamodb: Mapper = (request, scope) => {
  const operation = target(request);
  const body = json(request);
  const table = (name: string, index?: string) => arn(scope, "dynamodb", `table/${name}${index ? `/index/${index}` : ""}`);
  if (operation === "TransactWriteItems" || operation === "TransactGetItems") {
    return (body.TransactItems as Record<string, { TableName: string }>[]).flatMap((item) =>
      Object.entries(item).map(([kind, spec]) => ({ action: `dynamodb:${TRANSACT_ACTIONS[kind] ?? kind}`, resource: table(spec.TableName) })),
    );
  }
  if (operation === "BatchWriteItem" || operation === "BatchGetItem") {
    return Object.keys(body.RequestItems ?? {}).map((name) => ({ action: `dynamodb:${operation}`, resource: table(name) }));
  }
  if (body.StreamArn) return [{ action: `dynamodb:${operation}`, resource: body.StreamArn }];
  return [{ action: `dynamodb:${operation}`, resource: body.TableName ? table(body.TableName, body.IndexName) : "*" }];
};

// S3 (REST; path-style against a local endpoint, virtual-hosted otherwise).
const s3: Mapper = (request) => {
  const url = new URL(request.url, "http://local");
  const host = String(request.headers.host ?? "");
  const virtualBucket = /^(?!\d+\.\d+\.\d+\.\d+)([^.:]+)\.s3[.-]/.exec(host)?.[1];
  const parts = url.pathname.split("/").slice(1).map(decodeURIComponent);
  const bucket = virtualBucket ?? parts.shift()!;
  const key = parts.join("/");
  const object = (k: string) => `arn:aws:s3:::${bucket}/${k}`;
  const q = url.searchParams;
  const method = request.method;
  if (!key) {
    if (method === "GET" && !q.has("location") && !q.has("versioning")) return [{ action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}`, context: { "s3:prefix": q.get("prefix") ?? "" } }];
    if (method === "POST" && q.has("delete")) {
      return [...request.body.toString("utf8").matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => ({ action: "s3:DeleteObject", resource: object(m[1]!) }));
    }
    return [{ action: `s3:${method}Bucket?${[...q.keys()].join("&")}`, resource: `arn:aws:s3:::${bucket}` }];
  }
  if (method === "GET" || method === "HEAD") return [{ action: "s3:GetObject", resource: object(key) }];
  if (method === "DELETE") return [{ action: q.has("uploadId") ? "s3:AbortMultipartUpload" : "s3:DeleteObject", resource: object(key) }];
  // PUT, multipart create/part/complete: all authorized as PutObject; a copy also reads its source.
  const copySource = request.headers["x-amz-copy-source"];
  const copied = typeof copySource === "string" ? [{ action: "s3:GetObject", resource: `arn:aws:s3:::${decodeURIComponent(copySource).replace(/^\//, "").split("?")[0]}` }] : [];
  return [{ action: "s3:PutObject", resource: object(key) }, ...copied];
};

// SQS (JSON 1.0, X-Amz-Target AmazonSQS.<Operation>); batch operations are authorized as the single one.
const sqs: Mapper = (request, scope) => {
  const operation = target(request).replace(/Batch$/, "");
  const body = json(request);
  const url = scope.aliases.get(body.QueueUrl) ?? body.QueueUrl;
  if (!url) return [{ action: `sqs:${operation}`, resource: "*" }];
  const [, account, name] = new URL(url).pathname.split("/");
  return [{ action: `sqs:${operation}`, resource: `arn:aws:sqs:${scope.region}:${account}:${name}` }];
};

// SSM (JSON 1.1, X-Amz-Target AmazonSSM.<Operation>).
const ssm: Mapper = (request, scope) => {
  const operation = target(request);
  const body = json(request);
  const names: string[] = body.Names ?? (body.Name ? [body.Name] : body.Path ? [body.Path] : []);
  return names.map((name) => ({ action: `ssm:${operation}`, resource: arn(scope, "ssm", `parameter/${name.replace(/^\//, "")}`) }));
};

// EventBridge Scheduler (REST: /schedules/{Name}, the group in the body or ?groupName=).
const SCHEDULER_ACTIONS: Record<string, string> = { POST: "CreateSchedule", PUT: "UpdateSchedule", DELETE: "DeleteSchedule", GET: "GetSchedule" };
const scheduler: Mapper = (request, scope) => {
  const url = new URL(request.url, "http://local");
  const match = /^\/schedules\/([^/]+)$/.exec(url.pathname);
  if (!match) return [{ action: `scheduler:${request.method} ${url.pathname}`, resource: "*" }];
  const body = request.body.length ? json(request) : {};
  const group = body.GroupName ?? url.searchParams.get("groupName") ?? "default";
  const action = SCHEDULER_ACTIONS[request.method] ?? request.method;
  const calls: AwsCall[] = [{ action: `scheduler:${action}`, resource: arn(scope, "scheduler", `schedule/${group}/${decodeURIComponent(match[1]!)}`) }];
  // Scheduler checks that the caller may pass the target's role to it.
  if (body.Target?.RoleArn) calls.push({ action: "iam:PassRole", resource: body.Target.RoleArn, context: { "iam:PassedToService": "scheduler.amazonaws.com" } });
  return calls;
};

// SES v2 (REST): SendEmail is authorized on the sending identity, as ses:SendRawEmail when the
// content is raw MIME (what IAM answers for it: https://github.com/aws/aws-actionmailer-ses-ruby/issues/10),
// with the From address as ses:FromAddress; raw content without FromEmailAddress is sent from its own From header.
// A send through a configuration set is authorized on the set too (SendEmail's configuration-set resource type).
const rawFromHeader = (raw: string) => /^From:[ \t]*(.*)$/im.exec(raw.split(/\r?\n\r?\n/)[0]!)?.[1];
const sesv2: Mapper = (request, scope) => {
  const url = new URL(request.url, "http://local");
  if (request.method === "POST" && url.pathname === "/v2/email/outbound-emails") {
    const body = json(request);
    const raw = body.Content?.Raw ? Buffer.from(String(body.Content.Raw.Data ?? ""), "base64").toString("utf8") : undefined;
    const from = String(body.FromEmailAddress ?? (raw && rawFromHeader(raw)) ?? "").replace(/^.*</, "").replace(/>.*$/, "").trim();
    const action = raw === undefined ? "ses:SendEmail" : "ses:SendRawEmail";
    const context = { "ses:FromAddress": from };
    return [
      { action, resource: body.FromEmailAddressIdentityArn ?? arn(scope, "ses", `identity/${from}`), context },
      ...(body.ConfigurationSetName ? [{ action, resource: arn(scope, "ses", `configuration-set/${body.ConfigurationSetName}`), context }] : []),
    ];
  }
  return [{ action: `ses:${request.method} ${url.pathname}`, resource: "*" }];
};

// CloudWatch Logs (JSON 1.1, X-Amz-Target Logs_20140328.<Operation>).
const logs: Mapper = (request, scope) => {
  const body = json(request);
  const group = body.logGroupName ? `log-group:${body.logGroupName}` : undefined;
  const resource = group ? arn(scope, "logs", body.logStreamName ? `${group}:log-stream:${body.logStreamName}` : group) : "*";
  return [{ action: `logs:${target(request)}`, resource }];
};

// API Gateway Management API: /@connections/{id} (under the stage), authorized as
// execute-api:ManageConnections on the API, stage, method and connection the stack records.
const executeApi: Mapper = (request, scope) => {
  const url = new URL(request.url, "http://local");
  const id = /\/@connections\/([^/]+)\/?$/.exec(url.pathname)?.[1];
  const recorded = new URL(scope.recordedEnv.WS_MANAGEMENT_ENDPOINT ?? "https://unknown.execute-api/unknown");
  const apiId = recorded.hostname.split(".")[0];
  const stage = recorded.pathname.split("/")[1];
  return [{ action: "execute-api:ManageConnections", resource: arn(scope, "execute-api", `${apiId}/${stage}/${request.method}/@connections/${id ?? url.pathname}`) }];
};

// MediaConvert (REST JSON, lower-camel members): CreateJob is authorized on its queue (the Default
// queue when the job names none) and needs iam:PassRole on the job's role, passed to MediaConvert.
const mediaconvert: Mapper = (request, scope) => {
  const url = new URL(request.url, "http://local");
  if (request.method !== "POST" || url.pathname !== "/2017-08-29/jobs") return [{ action: `mediaconvert:${request.method} ${url.pathname}`, resource: "*" }];
  const body = json(request);
  return [
    { action: "mediaconvert:CreateJob", resource: body.queue ?? arn(scope, "mediaconvert", "queues/Default") },
    ...(body.role ? [{ action: "iam:PassRole", resource: String(body.role), context: { "iam:PassedToService": "mediaconvert.amazonaws.com" } }] : []),
  ];
};

const MAPPERS: Record<string, Mapper> = {
  mediaconvert,
  dynamodb,
  "dynamodb-streams": dynamodb,
  s3,
  sqs,
  ssm,
  scheduler,
  sesv2,
  "cloudwatch-logs": logs,
  "execute-api": executeApi,
};

/** The authorizations one request needs. An unknown service maps to `<service>:unknown`, which no role grants. */
export function callsOf(service: string, request: ServiceRequest, scope: CallScope): AwsCall[] {
  const mapper = MAPPERS[service];
  if (!mapper) return [{ action: `${service}:unknown ${request.method} ${request.url}`, resource: "*" }];
  return mapper(request, scope);
}
