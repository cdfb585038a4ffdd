import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cleanupDeps, cleanupHandler } from "../handlers/events/cleanup";
import { eventsApiDeps } from "../handlers/events/deps";
import { eventsFanoutDeps, eventsFanoutHandler } from "../handlers/events/fanout";
import { notifyDeps, notifyHandler } from "../handlers/events/notify";
import { organizerHandler } from "../handlers/events/organizer";
import { publicEventsHandler } from "../handlers/events/public-events";
import { eventRoutesOf, routeKeyOf, type EventFunction } from "../handlers/events/routes";
import { rsvpDeps, rsvpHandler } from "../handlers/events/rsvp";
import { eventsTable, notificationsSentTable } from "../handlers/events/tables";
import { addLambdaRoute } from "./http-route";
import { inlinePolicy, serviceRole } from "./iam";
import { DEFAULT_RUNTIME_PACKAGES, HandlerFunction, POWERTOOLS_PACKAGES, type Permission } from "./lambda";
import { createPrivateBucket } from "./private-bucket";
import { createDeadLetterQueue, createWorkQueue } from "./queue";
import { createDataTable } from "./table";

export interface EventsApiArgs {
  /** The HTTP API to put the events routes on (`/events…`, `/me/events…`, `/rsvp`). Example: `messageApi.api`. */
  api: aws.apigatewayv2.Api;
  /**
   * Where the hosted sign-in page may send the browser back to after sign-in and sign-out: the
   * website's `/events/` page (HTTPS; Cognito accepts plain HTTP only for `http://localhost`).
   * Example: `[pulumi.interpolate`${site.url}/events/`, "http://localhost:3002/events/"]`.
   */
  callbackUrls: pulumi.Input<pulumi.Input<string>[]>;
  /** Browser origins that may PUT (presigned uploads) and GET media in the bucket. Example: `pulumi.all([site.url, ...config.allowedOrigins])`. */
  corsOrigins: pulumi.Input<pulumi.Input<string>[]>;
  /** The website's URL, for the links in the mails. Example: `site.url`. */
  siteUrl: pulumi.Input<string>;
  /** Key that signs the invitation links (secret, ≥ 16 characters). Example: `config.events.rsvpSigningKey`. */
  rsvpSigningKey: pulumi.Input<string>;
  /**
   * The mails' sender (an SES email identity is created for it; verify it from the mail SES
   * sends). Unset: no SES at all, mails are written to the media bucket under `outbox/` (the
   * cloud outbox). Example: `"events@example.com"`.
   */
  sender?: string;
  /**
   * Prefix of the hosted sign-in domain, `https://<prefix>.auth.<region>.amazoncognito.com`;
   * unique per region across all accounts. Default: `switchyard-<stack>-<account id>`.
   * Example: `"acme-events"`.
   */
  cognitoDomain?: string;
  /** Deletion protection + PITR on the events table, deletion protection on the user pool, a media bucket `pulumi destroy` will not empty. Example: `true` in prod. */
  protectData: boolean;
  /** Example: `14`. */
  logRetentionDays: number;
}

/** Stream consumer retries before the batch goes to the stream dead-letter queue. */
const STREAM_MAX_RETRIES = 5;
/** A notification job is received this often before it goes to the notifications dead-letter queue. */
const NOTIFY_MAX_RECEIVES = 5;
/** Seconds the notify function may run (one batch of up to 10 mails). */
const NOTIFY_TIMEOUT_SECONDS = 30;
/** Media under `events/<id>/…`; the cloud outbox (no SES sender) under `outbox/`. */
const MEDIA_PREFIX = "events/";
const OUTBOX_PREFIX = "outbox/";
/** The local website (`npm run local`), allowed back from the hosted UI when the stack allows local origins. */
export const LOCAL_EVENTS_CALLBACK = "http://localhost:3002/events/";

// The serialized handlers, at module level so each closure captures only its handler module.
const factories = {
  organizer: () => organizerHandler(eventsApiDeps("events-organizer")),
  public: () => publicEventsHandler(eventsApiDeps("events-public")),
  rsvp: () => rsvpHandler(rsvpDeps("events-rsvp")),
  fanout: () => eventsFanoutHandler(eventsFanoutDeps("events-fanout")),
  notify: () => notifyHandler(notifyDeps("events-notify")),
  cleanup: () => cleanupHandler(cleanupDeps("events-cleanup")),
};

/**
 * The events platform (issue #8): organizers sign in (Cognito hosted UI, JWT authorizer on the
 * shared HTTP API), create and publish events with a cover image or video (presigned S3 uploads),
 * and invite people by email; invitees answer through signed links without an account.
 *
 * Request path: the organizer, public and RSVP functions (routes from handlers/events/routes.ts,
 * `signedIn` ones behind the JWT authorizer) read and write one events table. Everything else
 * runs off that table's stream: the fan-out turns changes into notification jobs on the
 * `notifications` queue, creates or removes the event's reminder (a one-time EventBridge Scheduler
 * schedule that sends the reminder job to the same queue) and, when an ended event's item
 * expires, deletes its invitations and media. The notify function consumes the queue and sends
 * each mail once (Powertools idempotency records in the notifications-sent table). A daily
 * clean-up removes drafts left untouched.
 *
 * Mail: with `sender`, through SES (v2) from that verified identity only. Without it, the
 * **cloud outbox**: each mail is written as an RFC 5322 `.eml` object under `outbox/` in the media
 * bucket (the notify function may write there and nowhere else in the bucket) — read them with
 * `aws s3 cp s3://<eventsMediaBucket>/outbox/ . --recursive`. No SES, no verification, nothing sent.
 *
 * Each function can touch only its own data: the public function reads published events and
 * cannot write, the RSVP function can only update invitations, only the fan-out may schedule,
 * only notify may mail.
 */
export class EventsApi extends pulumi.ComponentResource {
  readonly userPool: aws.cognito.UserPool;
  readonly userPoolClient: aws.cognito.UserPoolClient;
  readonly userPoolDomain: aws.cognito.UserPoolDomain;
  readonly authorizer: aws.apigatewayv2.Authorizer;
  readonly eventsTable: aws.dynamodb.Table;
  readonly notificationsSentTable: aws.dynamodb.Table;
  readonly media: ReturnType<typeof createPrivateBucket>;
  readonly mediaCors: aws.s3.BucketCorsConfiguration;
  readonly queue: aws.sqs.Queue;
  readonly queueDeadLetters: aws.sqs.Queue;
  readonly streamDeadLetters: aws.sqs.Queue;
  readonly rsvpKeyParameter: aws.ssm.Parameter;
  readonly reminderGroup: aws.scheduler.ScheduleGroup;
  readonly reminderRole: aws.iam.Role;
  readonly senderIdentity?: aws.sesv2.EmailIdentity;
  readonly cleanupRule: aws.cloudwatch.EventRule;
  readonly functions: Record<string, HandlerFunction<any, any>> = {};
  readonly mappings: Record<string, aws.lambda.EventSourceMapping> = {};

  readonly userPoolId: pulumi.Output<string>;
  readonly userPoolClientId: pulumi.Output<string>;
  /** The hosted UI's base URL: `https://<prefix>.auth.<region>.amazoncognito.com`. */
  readonly signInDomain: pulumi.Output<string>;
  /** The JWT issuer: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
  readonly issuer: pulumi.Output<string>;
  readonly mediaBucketName: pulumi.Output<string>;
  /** The media bucket's regional origin (`https://<bucket>.s3.<region>.amazonaws.com`): where presigned URLs point. */
  readonly mediaOrigin: pulumi.Output<string>;
  readonly queueUrl: pulumi.Output<string>;

  private readonly name: string;
  private readonly args: EventsApiArgs;
  private readonly region: pulumi.Output<string>;
  private readonly accountId: pulumi.Output<string>;

  constructor(name: string, args: EventsApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("switchyard:events:EventsApi", name, {}, opts);
    this.name = name;
    this.args = args;
    this.region = aws.getRegionOutput({}, { parent: this }).region;
    this.accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    [this.userPool, this.userPoolClient, this.userPoolDomain] = this.createUserPool();
    this.issuer = pulumi.interpolate`https://cognito-idp.${this.region}.amazonaws.com/${this.userPool.id}`;
    this.authorizer = this.createAuthorizer();
    [this.eventsTable, this.notificationsSentTable] = this.createTables();
    [this.media, this.mediaCors] = this.createMediaBucket();
    this.rsvpKeyParameter = this.createSecretParameter("rsvp-signing-key", args.rsvpSigningKey);
    [this.queue, this.queueDeadLetters] = this.createQueue();
    this.streamDeadLetters = createDeadLetterQueue(`${name}-stream-dlq`, { parent: this });
    [this.reminderGroup, this.reminderRole] = this.createReminders();
    this.senderIdentity = args.sender ? new aws.sesv2.EmailIdentity(`${name}-sender`, { emailIdentity: args.sender }, { parent: this }) : undefined;
    this.cleanupRule = this.createFunctions();
    this.createRoutes();

    this.userPoolId = this.userPool.id;
    this.userPoolClientId = this.userPoolClient.id;
    this.signInDomain = pulumi.interpolate`https://${this.userPoolDomain.domain}.auth.${this.region}.amazoncognito.com`;
    this.mediaBucketName = this.media.bucket.bucket;
    this.mediaOrigin = pulumi.interpolate`https://${this.media.bucket.bucketRegionalDomainName}`;
    this.queueUrl = this.queue.url;
    this.registerOutputs({
      userPoolId: this.userPoolId,
      userPoolClientId: this.userPoolClientId,
      signInDomain: this.signInDomain,
      issuer: this.issuer,
      mediaBucketName: this.mediaBucketName,
      queueUrl: this.queueUrl,
    });
  }

  get nodes() {
    return {
      userPool: this.userPool,
      userPoolClient: this.userPoolClient,
      userPoolDomain: this.userPoolDomain,
      authorizer: this.authorizer,
      eventsTable: this.eventsTable,
      notificationsSentTable: this.notificationsSentTable,
      mediaBucket: this.media.bucket,
      mediaCors: this.mediaCors,
      queue: this.queue,
      queueDeadLetters: this.queueDeadLetters,
      streamDeadLetters: this.streamDeadLetters,
      rsvpKeyParameter: this.rsvpKeyParameter,
      reminderGroup: this.reminderGroup,
      reminderRole: this.reminderRole,
      senderIdentity: this.senderIdentity,
      cleanupRule: this.cleanupRule,
      functions: this.functions,
      mappings: this.mappings,
    };
  }

  /** Organizers' accounts: email is the username, verified by a code; the hosted UI signs in with the authorization code flow (PKCE, public client). */
  private createUserPool(): [aws.cognito.UserPool, aws.cognito.UserPoolClient, aws.cognito.UserPoolDomain] {
    const { protectData, callbackUrls } = this.args;
    const pool = new aws.cognito.UserPool(
      `${this.name}-users`,
      {
        usernameAttributes: ["email"],
        usernameConfiguration: { caseSensitive: false },
        autoVerifiedAttributes: ["email"],
        verificationMessageTemplate: { defaultEmailOption: "CONFIRM_WITH_CODE" },
        passwordPolicy: {
          minimumLength: 12,
          requireLowercase: true,
          requireUppercase: true,
          requireNumbers: true,
          requireSymbols: false,
          temporaryPasswordValidityDays: 3,
        },
        accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
        adminCreateUserConfig: { allowAdminCreateUserOnly: false },
        // Cognito's own mail (verification and reset codes): enough for sign-up volumes of a small team.
        emailConfiguration: { emailSendingAccount: "COGNITO_DEFAULT" },
        deletionProtection: protectData ? "ACTIVE" : "INACTIVE",
      },
      { parent: this },
    );
    const client = new aws.cognito.UserPoolClient(
      `${this.name}-web`,
      {
        userPoolId: pool.id,
        // A browser app: a public client (no secret), the code flow with PKCE.
        generateSecret: false,
        allowedOauthFlowsUserPoolClient: true,
        allowedOauthFlows: ["code"],
        allowedOauthScopes: ["openid", "email", "profile"],
        supportedIdentityProviders: ["COGNITO"],
        callbackUrls,
        logoutUrls: callbackUrls,
        explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        preventUserExistenceErrors: "ENABLED",
        enableTokenRevocation: true,
        accessTokenValidity: 60,
        idTokenValidity: 60,
        refreshTokenValidity: 30,
        tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
        authSessionValidity: 3,
      },
      { parent: this },
    );
    const prefix = this.args.cognitoDomain ?? pulumi.interpolate`switchyard-${pulumi.getStack()}-${this.accountId}`;
    const domain = new aws.cognito.UserPoolDomain(`${this.name}-signin`, { domain: prefix, userPoolId: pool.id }, { parent: this });
    return [pool, client, domain];
  }

  /** Validates the pool's tokens for this client before a `signedIn` route's function runs. */
  private createAuthorizer() {
    return new aws.apigatewayv2.Authorizer(
      `${this.name}-jwt`,
      {
        apiId: this.args.api.id,
        name: `${this.name}-cognito`,
        authorizerType: "JWT",
        identitySources: ["$request.header.Authorization"],
        jwtConfiguration: { issuer: this.issuer, audiences: [this.userPoolClient.id] },
      },
      { parent: this },
    );
  }

  private createTables(): [aws.dynamodb.Table, aws.dynamodb.Table] {
    const parent = { parent: this };
    const events = createDataTable(`${this.name}-events`, { definition: eventsTable, protectData: this.args.protectData }, parent);
    // Dedupe records only (which mail went out), each expiring by TTL: losing them risks at most a
    // repeated mail, so the table is ephemeral (never protected, tagged so the policy pack knows).
    const sent = createDataTable(`${this.name}-notifications-sent`, { definition: notificationsSentTable, protectData: false, ephemeral: true }, parent);
    return [events, sent];
  }

  /** Covers and videos (`events/<id>/…`, uploaded by the browser with presigned PUTs) and the cloud outbox (`outbox/`). */
  private createMediaBucket(): [ReturnType<typeof createPrivateBucket>, aws.s3.BucketCorsConfiguration] {
    const media = createPrivateBucket(`${this.name}-media`, { versioned: false, forceDestroy: !this.args.protectData }, { parent: this });
    const cors = new aws.s3.BucketCorsConfiguration(
      `${this.name}-media`,
      {
        bucket: media.bucket.id,
        corsRules: [
          {
            allowedMethods: ["PUT", "GET"],
            allowedOrigins: this.args.corsOrigins,
            allowedHeaders: ["content-type", "content-length"],
            exposeHeaders: ["etag"],
            maxAgeSeconds: 3000,
          },
        ],
      },
      { parent: this },
    );
    return [media, cors];
  }

  /** A secret as an SSM SecureString: the functions read it at run time, it is never in their environment. */
  private createSecretParameter(what: string, value: pulumi.Input<string>) {
    return new aws.ssm.Parameter(
      `${this.name}-${what}`,
      { name: `/switchyard/${pulumi.getStack()}/${this.name}/${what}`, type: "SecureString", value: pulumi.secret(value) },
      { parent: this },
    );
  }

  /** Notification jobs (invitation, cancellation, reminder mails): retried, then kept in the DLQ for 14 days. */
  private createQueue(): [aws.sqs.Queue, aws.sqs.Queue] {
    const dlq = createDeadLetterQueue(`${this.name}-notifications-dlq`, { parent: this });
    const queue = createWorkQueue(
      `${this.name}-notifications`,
      { deadLetterQueue: dlq, maxReceiveCount: NOTIFY_MAX_RECEIVES, visibilityTimeoutSeconds: 6 * NOTIFY_TIMEOUT_SECONDS, messageRetentionSeconds: 4 * 24 * 3600 },
      { parent: this },
    );
    return [queue, dlq];
  }

  /**
   * Reminders are one-time EventBridge Scheduler schedules (created by the fan-out, one per
   * published event) in their own group; they run as a role that can only send to the
   * notifications queue (and its DLQ, where Scheduler puts what it could not deliver).
   */
  private createReminders(): [aws.scheduler.ScheduleGroup, aws.iam.Role] {
    const group = new aws.scheduler.ScheduleGroup(`${this.name}-reminders`, { name: `switchyard-${pulumi.getStack()}-reminders` }, { parent: this });
    const role = serviceRole(
      `${this.name}-reminders`,
      { service: "scheduler.amazonaws.com", description: "Sends event reminders to the notifications queue", conditions: { StringEquals: { "aws:SourceAccount": this.accountId } } },
      { parent: this },
    );
    inlinePolicy(`${this.name}-reminders`, role, [{ actions: ["sqs:SendMessage"], resources: [this.queue.arn, this.queueDeadLetters.arn] }], { parent: this });
    return [group, role];
  }

  private fn(kind: string, factory: () => unknown, description: string, permissions: Permission[], environment: Record<string, pulumi.Input<string>>, extra: { packages?: string[]; timeout?: number } = {}) {
    const fn = new HandlerFunction<any, any>(
      `${this.name}-${kind}`,
      { factory: factory as never, description, permissions, environment, logRetentionDays: this.args.logRetentionDays, packages: extra.packages ?? DEFAULT_RUNTIME_PACKAGES, timeout: extra.timeout },
      { parent: this },
    );
    this.functions[kind] = fn;
    return fn;
  }

  private get table() {
    return this.eventsTable.arn;
  }
  private index(name: string) {
    return pulumi.interpolate`${this.eventsTable.arn}/index/${name}`;
  }
  private objects(prefix: string) {
    return pulumi.interpolate`${this.media.bucket.arn}/${prefix}*`;
  }

  /** Returns the clean-up's schedule rule. */
  private createFunctions(): aws.cloudwatch.EventRule {
    const media = { EVENTS_TABLE: this.eventsTable.name, MEDIA_BUCKET: this.media.bucket.bucket };
    const ssm = "@aws-lambda-powertools/parameters/ssm";

    this.fn("organizer", factories.organizer, "events API: organizers (signed in)", [
      { actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"], resources: [this.table, this.index("byOrganizer")] },
      { actions: ["s3:PutObject", "s3:GetObject"], resources: [this.objects(MEDIA_PREFIX)] },
    ], media);

    this.fn("public", factories.public, "events API: public events", [
      { actions: ["dynamodb:GetItem"], resources: [this.table] },
      { actions: ["dynamodb:Query"], resources: [this.index("publicByPublished")] },
      { actions: ["s3:GetObject"], resources: [this.objects(MEDIA_PREFIX)] },
    ], media);

    this.fn("rsvp", factories.rsvp, "events API: answers to invitations", [
      { actions: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"], resources: [this.table] },
      { actions: ["s3:GetObject"], resources: [this.objects(MEDIA_PREFIX)] },
      { actions: ["ssm:GetParameter"], resources: [this.rsvpKeyParameter.arn] },
    ], { ...media, RSVP_SIGNING_KEY_PARAMETER: this.rsvpKeyParameter.name }, { packages: [...DEFAULT_RUNTIME_PACKAGES, ssm] });

    this.createFanout(media);
    this.createNotify();
    return this.createCleanup();
  }

  /** Events stream → notification jobs, reminder schedules, and the clean-up of expired events. */
  private createFanout(media: Record<string, pulumi.Input<string>>) {
    const fn = this.fn(
      "fanout",
      factories.fanout,
      "events stream → notification jobs, reminders, expired events' data",
      [
        { actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchWriteItem"], resources: [this.table] },
        { actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], resources: [this.eventsTable.streamArn] },
        // ListStreams has no resource type in IAM: only "*" grants it (policy/rules.ts allows exactly this).
        { actions: ["dynamodb:ListStreams"], resources: ["*"] },
        { actions: ["sqs:SendMessage"], resources: [this.queue.arn] },
        // The stream mapping's on-failure destination is sent with the function's role.
        { actions: ["sqs:SendMessage"], resources: [this.streamDeadLetters.arn] },
        {
          actions: ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
          resources: [pulumi.interpolate`arn:aws:scheduler:${this.region}:${this.accountId}:schedule/${this.reminderGroup.name}/*`],
        },
        { actions: ["iam:PassRole"], resources: [this.reminderRole.arn], conditions: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } } },
        { actions: ["s3:ListBucket"], resources: [this.media.bucket.arn], conditions: { StringLike: { "s3:prefix": `${MEDIA_PREFIX}*` } } },
        { actions: ["s3:DeleteObject"], resources: [this.objects(MEDIA_PREFIX)] },
      ],
      {
        ...media,
        NOTIFICATION_QUEUE_URL: this.queue.url,
        NOTIFICATION_QUEUE_ARN: this.queue.arn,
        REMINDER_GROUP: this.reminderGroup.name,
        REMINDER_ROLE_ARN: this.reminderRole.arn,
        REMINDER_DLQ_ARN: this.queueDeadLetters.arn,
      },
      { timeout: 30 },
    );
    // Every change (insert, modify, TTL remove), in order, partial-batch retries, then the DLQ.
    this.mappings.fanout = new aws.lambda.EventSourceMapping(
      `${this.name}-fanout`,
      {
        eventSourceArn: this.eventsTable.streamArn,
        functionName: fn.function.arn,
        startingPosition: "LATEST",
        batchSize: 10,
        maximumRetryAttempts: STREAM_MAX_RETRIES,
        bisectBatchOnFunctionError: true,
        functionResponseTypes: ["ReportBatchItemFailures"],
        destinationConfig: { onFailure: { destinationArn: this.streamDeadLetters.arn } },
      },
      { parent: this, dependsOn: [fn.policy] },
    );
  }

  /** Notification jobs → mail, each (event, recipient, kind) once: through SES with a sender, else into the cloud outbox. */
  private createNotify() {
    const { sender } = this.args;
    const mail: Permission[] = this.senderIdentity
      ? [{ actions: ["ses:SendEmail", "ses:SendRawEmail"], resources: [this.senderIdentity.arn], conditions: { StringEquals: { "ses:FromAddress": sender! } } }]
      : [{ actions: ["s3:PutObject"], resources: [this.objects(OUTBOX_PREFIX)] }];
    const fn = this.fn(
      "notify",
      factories.notify,
      sender ? "notification jobs → mail (SES)" : "notification jobs → mail (the S3 outbox)",
      [
        { actions: ["dynamodb:GetItem", "dynamodb:Query"], resources: [this.table] },
        { actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], resources: [this.notificationsSentTable.arn] },
        { actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"], resources: [this.queue.arn] },
        { actions: ["ssm:GetParameter"], resources: [this.rsvpKeyParameter.arn] },
        ...mail,
      ],
      {
        EVENTS_TABLE: this.eventsTable.name,
        NOTIFICATIONS_SENT_TABLE: this.notificationsSentTable.name,
        SITE_URL: this.args.siteUrl,
        RSVP_SIGNING_KEY_PARAMETER: this.rsvpKeyParameter.name,
        ...(sender ? { MAIL_FROM: sender } : { OUTBOX_BUCKET: this.media.bucket.bucket }),
      },
      { packages: [...DEFAULT_RUNTIME_PACKAGES, "@aws-lambda-powertools/idempotency", "@aws-lambda-powertools/idempotency/dynamodb", "@aws-lambda-powertools/parameters/ssm"], timeout: NOTIFY_TIMEOUT_SECONDS },
    );
    this.mappings.notify = new aws.lambda.EventSourceMapping(
      `${this.name}-notify`,
      {
        eventSourceArn: this.queue.arn,
        functionName: fn.function.arn,
        batchSize: 10,
        functionResponseTypes: ["ReportBatchItemFailures"],
        // Two concurrent batches at most (the minimum): gentle on SES's sending rate.
        scalingConfig: { maximumConcurrency: 2 },
      },
      { parent: this, dependsOn: [fn.policy] },
    );
  }

  /** Once a day: drafts untouched for DRAFT_MAX_IDLE_DAYS are deleted (their media goes with the stream's REMOVE). */
  private createCleanup() {
    const fn = this.fn("cleanup", factories.cleanup, "daily: removes abandoned drafts", [
      { actions: ["dynamodb:Query"], resources: [this.index("draftsByUpdated")] },
      { actions: ["dynamodb:DeleteItem"], resources: [this.table] },
    ], { EVENTS_TABLE: this.eventsTable.name }, { packages: POWERTOOLS_PACKAGES, timeout: 60 });
    const rule = new aws.cloudwatch.EventRule(`${this.name}-cleanup`, { scheduleExpression: "rate(1 day)", description: "Removes abandoned event drafts" }, { parent: this });
    new aws.cloudwatch.EventTarget(
      `${this.name}-cleanup`,
      { rule: rule.name, arn: fn.function.arn, retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 } },
      { parent: this },
    );
    new aws.lambda.Permission(
      `${this.name}-cleanup-schedule`,
      { action: "lambda:InvokeFunction", function: fn.function.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
      { parent: this },
    );
    return rule;
  }

  /** The routes of handlers/events/routes.ts on the shared API; `signedIn` ones behind the JWT authorizer. */
  private createRoutes() {
    for (const kind of ["organizer", "public", "rsvp"] as const satisfies readonly EventFunction[]) {
      const fn = this.functions[kind]!;
      for (const route of eventRoutesOf(kind)) {
        addLambdaRoute(
          `${this.name}-${route.operationId}`,
          { api: this.args.api, routeKey: routeKeyOf(route), fn: fn.function, authorizer: route.signedIn ? { id: this.authorizer.id } : undefined },
          this,
        );
      }
    }
  }
}
