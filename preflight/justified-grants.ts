// The one reviewed list of grants no artifact test exercises, with why each stays. A grant that is
// neither exercised by the uploaded code (preflight/exercised-calls.json) nor listed here fails
// tests/preflight/least-privilege.test.ts; a line here whose grant is gone or now exercised fails it too.
import type { Justifications } from "./least-privilege";

const LAMBDA_LOGS = "Lambda's runtime writes the function's logs to its own log group with the execution role, not the code (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html)";
const STREAM_MAPPING = "the DynamoDB stream's event source mapping reads the stream with the function's execution role; the code only gets the batches (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#events-dynamodb-permissions)";
const ON_FAILURE = "the event source mapping's on-failure destination: Lambda sends the failed batch's record there with the function's execution role (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html)";
const QUEUE_MAPPING = "the SQS event source mapping polls, deletes and extends messages with the function's execution role; the code only gets the batches and reports batchItemFailures (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions)";
const PRESIGNED_PUT = "media uploads use presigned PUT URLs the function signs with its role (POST /events/{id}/media); the browser makes the PutObject call, not the code (https://docs.aws.amazon.com/AmazonS3/latest/userguide/PresignedUrlUploadObject.html)";
// Kept on purpose until a real send settles it (one SES identity, From pinned by condition).
const SES_SEND_EMAIL_KEPT =
  "kept deliberately: the code sends SES v2 SendEmail with Content.Raw, which field reports say IAM authorizes as ses:SendRawEmail (exercised in artifacts/everything.test.ts; AccessDenied for raw v2 sends names it: https://github.com/aws/aws-actionmailer-ses-ruby/issues/10, https://github.com/anymail/django-anymail/issues/274). AWS documents neither way (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsimpleemailservicev2.html), and CDK's EmailIdentity.grantSendEmail grants both; without it a wrong guess would dead-letter every mail. Scoped to the sender identity with ses:FromAddress pinned. Drop it once a send from a deployed stack works without it";
const PRESIGNED_GET = "media is served by presigned GET URLs the function signs with its role; the browser makes the GetObject call, not the code (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html)";

// The account-linking trigger (handlers/events/link-accounts.ts): no artifact test runs its upload yet.
const LINK_ACCOUNTS = "the user pool's pre sign-up trigger links a federated sign-in to the organizer with its verified email: ListUsers finds that organizer, AdminCreateUser makes one (no mail) when there is none, AdminLinkProviderForUser links the identity; on this pool's ARN only. Exercised in-process (the handler code and the real SDK client) against a Cognito API stand-in by tests/handlers/events-link-accounts.test.ts, not yet through the uploaded artifact";

export const JUSTIFIED_GRANTS: Justifications = {
  "events-link-accounts": {
    "cognito-idp:ListUsers": LINK_ACCOUNTS,
    "cognito-idp:AdminCreateUser": LINK_ACCOUNTS,
    "cognito-idp:AdminLinkProviderForUser": LINK_ACCOUNTS,
  },
  "*": {
    "logs:CreateLogStream": LAMBDA_LOGS,
    "logs:PutLogEvents": LAMBDA_LOGS,
  },
  "calendly-project": {
    "dynamodb:DescribeStream": STREAM_MAPPING,
    "dynamodb:GetRecords": STREAM_MAPPING,
    "dynamodb:GetShardIterator": STREAM_MAPPING,
    "dynamodb:ListStreams": STREAM_MAPPING,
    "sqs:SendMessage": ON_FAILURE,
  },
  "calendly-forwarder": {
    "dynamodb:DescribeStream": STREAM_MAPPING,
    "dynamodb:GetRecords": STREAM_MAPPING,
    "dynamodb:GetShardIterator": STREAM_MAPPING,
    "dynamodb:ListStreams": STREAM_MAPPING,
    "sqs:SendMessage": ON_FAILURE,
  },
  "events-fanout": {
    "dynamodb:DescribeStream": STREAM_MAPPING,
    "dynamodb:GetRecords": STREAM_MAPPING,
    "dynamodb:GetShardIterator": STREAM_MAPPING,
    "dynamodb:ListStreams": STREAM_MAPPING,
  },
  // The Stripe WebhookIngest's events table stream → the payments function (#19).
  "events-payments": {
    "dynamodb:DescribeStream": STREAM_MAPPING,
    "dynamodb:GetRecords": STREAM_MAPPING,
    "dynamodb:GetShardIterator": STREAM_MAPPING,
    "dynamodb:ListStreams": STREAM_MAPPING,
    "sqs:SendMessage": ON_FAILURE,
  },
  "events-notify": {
    "ses:SendEmail": SES_SEND_EMAIL_KEPT,
    "sqs:ReceiveMessage": QUEUE_MAPPING,
    "sqs:DeleteMessage": QUEUE_MAPPING,
    "sqs:GetQueueAttributes": QUEUE_MAPPING,
    "sqs:ChangeMessageVisibility": QUEUE_MAPPING,
  },
  "skills-run": {
    "s3:ListBucket": "makes HeadObject on a release not stored yet answer 404 instead of 403: the code's 'already stored?' check (handlers/sync/release-archive.ts) relies on it; the HeadObject itself is authorized as s3:GetObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html)",
  },
  "events-public": {
    "s3:GetObject": PRESIGNED_GET,
  },
  "events-rsvp": {
    "s3:GetObject": PRESIGNED_GET,
  },
  "events-organizer": {
    "s3:GetObject": PRESIGNED_GET,
    "s3:PutObject": PRESIGNED_PUT,
  },
  graphql: {
    "ssm:GetParameter":
      "the videos' stream key (events-video-stream-key): the events' views sign a ready video's stream URL with it, read only when an event has one; artifacts/graphql.test.ts's events have none (the same read, by the same view code, is exercised for events-organizer and events-public in artifacts/events.test.ts)",
  },
};
