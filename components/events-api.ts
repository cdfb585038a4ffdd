import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { eventRoutes, routeKeyOf } from "../handlers/events/routes";
import { CLEANUP_SCHEDULE, eventsTopology } from "../handlers/events/topology";
import { PAYMENT_ENDED_UNPAID, PAYMENT_SUCCEEDED } from "../handlers/events/payments/consumer";
import { describeFunction, kebab, type TopologyFunction } from "../handlers/shared/topology";
import { createIdentityProviders, createLinkAccountsFunction, grantLinkAccounts, linksAccounts, type SignInProvidersConfig } from "./federated-sign-in";
import { definedFunction, linkBucket, linkQueue, linkTable, type FunctionLinks } from "./defined-function";
import { createMailFeedback, subscribeFunction } from "./events-mail-feedback";
import { createTranscodeRole, defaultQueueArn, notifyOnUploads, routeJobStateChanges } from "./events-video";
import { addLambdaRoute } from "./http-route";
import { inlinePolicy, serviceRole } from "./shared/iam";
import type { HandlerFunction } from "./lambda";
import { createPrivateBucket } from "./shared/private-bucket";
import { createDeadLetterQueue, createWorkQueue } from "./shared/queue";
import { scheduledInvocation } from "./shared/scheduled-invocation";
import { secretParameter } from "./shared/secret-parameter";
import { tableStreamConsumer } from "./shared/table-stream-consumer";
import { deriveStreamKey } from "../handlers/events/video-stream-token";
import { createDataTable } from "./shared/table";

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
   * sends), with what SES reports back: a configuration set publishing bounces and complaints to
   * an SNS topic, the feedback function subscribed to it, and the suppressions table. Unset: no SES
   * at all (none of those), mails are written to the media bucket under `outbox/` (the cloud
   * outbox). Example: `"events@example.com"`.
   */
  sender?: string;
  /**
   * Prefix of the hosted sign-in domain, `https://<prefix>.auth.<region>.amazoncognito.com`;
   * unique per region across all accounts. Default: `switchyard-<stack>-<account id>`.
   * Example: `"acme-events"`.
   */
  cognitoDomain?: string;
  /**
   * Whether anyone may create an organizer account on the hosted sign-in page. `false`: only an
   * administrator can (`aws cognito-idp admin-create-user`; the invitee gets a temporary password
   * by mail). Default `true`. Example: `false`.
   */
  selfSignUp?: boolean;
  /**
   * Social sign-in on the hosted UI (components/federated-sign-in.ts): each provider set here gets
   * a user-pool identity provider and a button; with Google or Apple, a pre sign-up trigger links
   * a provider's verified email to the organizer who has it. Default: none (email and password only).
   * Example: `config.events.signIn`.
   */
  signInProviders?: SignInProvidersConfig;
  /**
   * Paid events (#19): an event with a price sends the invitee who says yes to Stripe Checkout, and
   * the payments function confirms them from the Stripe WebhookIngest's events table stream
   * (checkout.session.* events only, each once). Unset: no payments function, and a yes to a paid
   * event is refused (424) with nothing changed.
   * Example: `{ stripeEvents: stripe.eventsTable, secretKey: config.stripe.secretKey }`.
   */
  payments?: EventsPaymentsArgs;
  /** Deletion protection + PITR on the events and notifications-sent tables, deletion protection on the user pool, a media bucket `pulumi destroy` will not empty. Example: `true` in prod. */
  protectData: boolean;
  /** Example: `14`. */
  logRetentionDays: number;
}

/** What paid events need: Stripe's API and the table its webhooks land in. */
export interface EventsPaymentsArgs {
  /** The Stripe WebhookIngest's events table: its stream carries each Stripe event once. Example: `stripe.eventsTable`. */
  stripeEvents: aws.dynamodb.Table;
  /** Stripe's secret API key (an SSM SecureString for the RSVP function). Example: `config.stripe.secretKey`. */
  secretKey: pulumi.Input<string>;
  /** Stripe's API base URL. Default `https://api.stripe.com`. Example: a stand-in's `http://127.0.0.1:3004`. */
  apiUrl?: pulumi.Input<string>;
}

/** Stripe's API, unless a stack says otherwise. */
export const STRIPE_API_URL = "https://api.stripe.com";

/** Stream consumer retries before the batch goes to the stream dead-letter queue. */
const STREAM_MAX_RETRIES = 5;
/** A notification job is received this often before it goes to the notifications dead-letter queue. */
const NOTIFY_MAX_RECEIVES = 5;
/** Seconds the notify function may run (one batch of up to 10 mails). */
const NOTIFY_TIMEOUT_SECONDS = eventsTopology.functions.notify.timeoutSeconds;
/** Console descriptions of the schedules' rules, by function. */
const SCHEDULE_DESCRIPTIONS: Partial<Record<EventsFunction, string>> = { cleanup: "Removes abandoned event drafts" };
/** The local website (`npm run local`), allowed back from the hosted UI when the stack allows local origins. */
export const LOCAL_EVENTS_CALLBACK = "http://localhost:3002/events/";

type EventsFunction = keyof typeof eventsTopology.functions;

/**
 * The events platform (issue #8): organizers sign in (Cognito hosted UI, JWT authorizer on the
 * shared HTTP API), create and publish events with a cover image or video (presigned S3 uploads),
 * and invite people by email; invitees answer through signed links without an account.
 *
 * The functions, their tables and what triggers each are handlers/events/topology.ts (local mode
 * runs the same); this component provides what they name (handlers/events/functions.ts).
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
 * Mail feedback (with `sender`): every mail goes through an SES configuration set that publishes
 * bounces and complaints to an SNS topic; the feedback function marks the invitation undeliverable
 * and suppresses a complainer's address, which notify then never mails again
 * (components/events-mail-feedback.ts).
 *
 * Each function can touch only its own data: the public function reads published events and
 * cannot write, the RSVP function can only update invitations, only the fan-out may schedule,
 * only notify may mail.
 */
export class EventsApi extends pulumi.ComponentResource {
  readonly userPool: aws.cognito.UserPool;
  readonly userPoolClient: aws.cognito.UserPoolClient;
  readonly userPoolDomain: aws.cognito.UserPoolDomain;
  /** Google, Apple and Facebook, as configured (none by default). */
  readonly identityProviders: aws.cognito.IdentityProvider[] = [];
  /** The pre sign-up trigger that links accounts by email (with Google or Apple only). */
  readonly linkAccounts?: HandlerFunction<any, any>;
  readonly authorizer: aws.apigatewayv2.Authorizer;
  readonly eventsTable: aws.dynamodb.Table;
  readonly notificationsSentTable: aws.dynamodb.Table;
  /** The public list's popularity snapshots (short-lived, never protected). */
  readonly listSnapshotsTable: aws.dynamodb.Table;
  readonly media: ReturnType<typeof createPrivateBucket>;
  readonly mediaCors: aws.s3.BucketCorsConfiguration;
  readonly queue: aws.sqs.Queue;
  readonly queueDeadLetters: aws.sqs.Queue;
  readonly streamDeadLetters: aws.sqs.Queue;
  readonly rsvpKeyParameter: aws.ssm.Parameter;
  /** The key of videos' stream URLs, derived from the RSVP key (handlers/events/video-stream-token.ts): the functions showing events hold this, not the RSVP key. */
  readonly videoStreamKeyParameter: aws.ssm.Parameter;
  /** With payments: Stripe's secret key for the RSVP function. */
  readonly stripeKeyParameter?: aws.ssm.Parameter;
  readonly reminderGroup: aws.scheduler.ScheduleGroup;
  readonly reminderRole: aws.iam.Role;
  readonly senderIdentity?: aws.sesv2.EmailIdentity;
  /** With a sender: the configuration set, the feedback topic (and its policy), the event destination, the suppressions table. */
  readonly mailFeedback?: ReturnType<typeof createMailFeedback> & { suppressionsTable: aws.dynamodb.Table };
  readonly cleanupRule: aws.cloudwatch.EventRule;
  /** The video pipeline (components/events-video.ts): MediaConvert's role, the uploads' notification, the job state changes' rule. */
  readonly video: { transcode: ReturnType<typeof createTranscodeRole>; uploads?: ReturnType<typeof notifyOnUploads>; jobStateChanges?: ReturnType<typeof routeJobStateChanges> };
  readonly functions: Record<string, HandlerFunction<any, any>> = {};
  readonly mappings: Record<string, aws.lambda.EventSourceMapping> = {};

  readonly userPoolId: pulumi.Output<string>;
  readonly userPoolClientId: pulumi.Output<string>;
  /** The hosted UI's base URL: `https://<prefix>.auth.<region>.amazoncognito.com`. */
  readonly signInDomain: pulumi.Output<string>;
  /** The JWT issuer: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
  readonly issuer: pulumi.Output<string>;
  /** What the JWT authorizer checks (issuer and audiences), for whoever verifies the same tokens (the GraphQL function). */
  readonly jwt: { issuer: pulumi.Output<string>; audiences: pulumi.Output<string>[] };
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

    const { selfSignUp = true, signInProviders = {} } = args;
    this.linkAccounts = linksAccounts(signInProviders)
      ? createLinkAccountsFunction(`${name}-${kebab("linkAccounts")}`, { selfSignUp, logRetentionDays: args.logRetentionDays }, { parent: this })
      : undefined;
    [this.userPool, this.userPoolClient, this.userPoolDomain] = this.createUserPool();
    this.issuer = pulumi.interpolate`https://cognito-idp.${this.region}.amazonaws.com/${this.userPool.id}`;
    this.jwt = { issuer: this.issuer, audiences: [this.userPoolClient.id] };
    this.authorizer = this.createAuthorizer();
    [this.eventsTable, this.notificationsSentTable, this.listSnapshotsTable] = this.createTables();
    [this.media, this.mediaCors] = this.createMediaBucket();
    this.rsvpKeyParameter = secretParameter({ component: name, key: "rsvp-signing-key", value: args.rsvpSigningKey }, { parent: this });
    this.videoStreamKeyParameter = secretParameter({ component: name, key: "video-stream-key", value: pulumi.secret(args.rsvpSigningKey).apply(deriveStreamKey) }, { parent: this });
    this.stripeKeyParameter = args.payments ? secretParameter({ component: name, key: "stripe-secret-key", value: args.payments.secretKey }, { parent: this }) : undefined;
    [this.queue, this.queueDeadLetters] = this.createQueue();
    this.streamDeadLetters = createDeadLetterQueue(`${name}-stream-dlq`, { parent: this });
    [this.reminderGroup, this.reminderRole] = this.createReminders();
    this.senderIdentity = args.sender ? new aws.sesv2.EmailIdentity(`${name}-sender`, { emailIdentity: args.sender }, { parent: this }) : undefined;
    this.mailFeedback = args.sender ? this.createMailFeedback() : undefined;
    this.video = { transcode: createTranscodeRole(`${name}-mediaconvert`, { bucket: this.media.bucket, accountId: this.accountId }, { parent: this }) };
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
      identityProviders: this.identityProviders,
      linkAccounts: this.linkAccounts,
      authorizer: this.authorizer,
      eventsTable: this.eventsTable,
      notificationsSentTable: this.notificationsSentTable,
      listSnapshotsTable: this.listSnapshotsTable,
      mediaBucket: this.media.bucket,
      mediaCors: this.mediaCors,
      queue: this.queue,
      queueDeadLetters: this.queueDeadLetters,
      streamDeadLetters: this.streamDeadLetters,
      rsvpKeyParameter: this.rsvpKeyParameter,
      videoStreamKeyParameter: this.videoStreamKeyParameter,
      stripeKeyParameter: this.stripeKeyParameter,
      reminderGroup: this.reminderGroup,
      reminderRole: this.reminderRole,
      senderIdentity: this.senderIdentity,
      mailFeedback: this.mailFeedback,
      cleanupRule: this.cleanupRule,
      video: this.video,
      functions: this.functions,
      mappings: this.mappings,
    };
  }

  /**
   * Organizers' accounts: email is the username, verified by a code; the hosted UI signs in with
   * the authorization code flow (PKCE, public client). A second factor is optional, by
   * authenticator app (TOTP) only: an SMS factor would need an SNS role and a spending limit.
   */
  private createUserPool(): [aws.cognito.UserPool, aws.cognito.UserPoolClient, aws.cognito.UserPoolDomain] {
    const { protectData, callbackUrls, selfSignUp = true, signInProviders = {} } = this.args;
    // The trigger (this.linkAccounts) exists before the pool that names it; its grants on the pool come after (grantLinkAccounts).
    const trigger = this.linkAccounts;
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
        mfaConfiguration: "OPTIONAL",
        softwareTokenMfaConfiguration: { enabled: true },
        adminCreateUserConfig: { allowAdminCreateUserOnly: !selfSignUp },
        // Cognito's own mail (verification and reset codes): enough for sign-up volumes of a small team.
        emailConfiguration: { emailSendingAccount: "COGNITO_DEFAULT" },
        deletionProtection: protectData ? "ACTIVE" : "INACTIVE",
        ...(trigger ? { lambdaConfig: { preSignUp: trigger.function.arn } } : {}),
      },
      { parent: this },
    );
    if (trigger) grantLinkAccounts(`${this.name}-${kebab("linkAccounts")}`, trigger, pool, { parent: this });
    this.identityProviders.push(...createIdentityProviders(`${this.name}-idp`, pool.id, signInProviders, { parent: this }));
    const client = new aws.cognito.UserPoolClient(
      `${this.name}-web`,
      {
        userPoolId: pool.id,
        // A browser app: a public client (no secret), the code flow with PKCE.
        generateSecret: false,
        allowedOauthFlowsUserPoolClient: true,
        allowedOauthFlows: ["code"],
        allowedOauthScopes: ["openid", "email", "profile"],
        // Email and password, and each configured provider (its name: the client waits for the provider to exist).
        supportedIdentityProviders: ["COGNITO", ...this.identityProviders.map((idp) => idp.providerName)],
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
        jwtConfiguration: this.jwt,
      },
      { parent: this },
    );
  }

  private createTables(): [aws.dynamodb.Table, aws.dynamodb.Table, aws.dynamodb.Table] {
    const parent = { parent: this };
    const { tables } = eventsTopology;
    const events = createDataTable(`${this.name}-${kebab("events")}`, { definition: tables.events, protectData: this.args.protectData }, parent);
    // Which mail went out (each record expiring by TTL): losing it would send invitees the same
    // mail again, so it is protected in prod like the events.
    const sent = createDataTable(`${this.name}-${kebab("notificationsSent")}`, { definition: tables.notificationsSent, protectData: this.args.protectData }, parent);
    // Rankings kept for 15 minutes: losing one asks a reader to start again (ephemeral: the policy pack's prod rule exempts it).
    const snapshots = createDataTable(`${this.name}-${kebab("listSnapshots")}`, { definition: tables.listSnapshots, protectData: this.args.protectData, ephemeral: true }, parent);
    return [events, sent, snapshots];
  }

  /** SES's reports on the mail (bounces, complaints) and the addresses never mailed again. */
  private createMailFeedback() {
    const parent = { parent: this };
    const feedback = createMailFeedback(`${this.name}-mail`, { configurationSetName: pulumi.interpolate`switchyard-${pulumi.getStack()}-events-mail`, accountId: this.accountId }, parent);
    // A complaint is never forgotten: protected in prod like the events.
    const suppressionsTable = createDataTable(`${this.name}-${kebab("suppressions")}`, { definition: eventsTopology.tables.suppressions, protectData: this.args.protectData }, parent);
    return { ...feedback, suppressionsTable };
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

  /** What the definitions name (handlers/events/functions.ts), by logical name. */
  private links(): FunctionLinks {
    const { sender, payments } = this.args;
    return {
      resources: {
        events: linkTable(this.eventsTable),
        notificationsSent: linkTable(this.notificationsSentTable),
        listSnapshots: linkTable(this.listSnapshotsTable),
        media: linkBucket(this.media.bucket),
        notifications: linkQueue(this.queue),
        notificationsDeadLetters: linkQueue(this.queueDeadLetters),
        streamDeadLetters: linkQueue(this.streamDeadLetters),
        // With payments: the Stripe WebhookIngest's events table, whose stream the payments function reads.
        ...(payments ? { stripeEvents: linkTable(payments.stripeEvents) } : {}),
        // The reminders' schedules are named under the group: `schedule/<group>/<name>`.
        reminders: {
          value: this.reminderGroup.name,
          arn: this.reminderGroup.arn,
          attributes: { schedules: pulumi.interpolate`arn:aws:scheduler:${this.region}:${this.accountId}:schedule/${this.reminderGroup.name}` },
        },
        reminderRole: { arn: this.reminderRole.arn },
        // The video pipeline: the role MediaConvert runs jobs as, and the queue they go to.
        transcodeRole: { arn: this.video.transcode.role.arn },
        transcodeQueue: { value: defaultQueueArn(this.region, this.accountId), arn: defaultQueueArn(this.region, this.accountId) },
        // How notify mails: through SES from the sender's identity, else into the media bucket's outbox.
        ...(this.senderIdentity ? { sender: { value: sender!, arn: this.senderIdentity.arn } } : { outbox: linkBucket(this.media.bucket) }),
        // With a sender: the configuration set every mail goes through, and the complained addresses.
        ...(this.mailFeedback
          ? {
              mailConfigurationSet: { value: this.mailFeedback.configurationSet.configurationSetName, arn: this.mailFeedback.configurationSet.arn },
              suppressions: linkTable(this.mailFeedback.suppressionsTable),
            }
          : {}),
      },
      secrets: { rsvpSigningKey: this.rsvpKeyParameter, videoStreamKey: this.videoStreamKeyParameter, ...(this.stripeKeyParameter ? { stripeSecretKey: this.stripeKeyParameter } : {}) },
      // apiUrl: where a video's stream URL points (the stream route is on this API).
      settings: {
        siteUrl: this.args.siteUrl,
        cleanupSchedule: CLEANUP_SCHEDULE,
        apiUrl: this.args.api.apiEndpoint,
        ...(payments ? { stripeApiUrl: payments.apiUrl ?? STRIPE_API_URL, checkoutReturnUrl: this.args.siteUrl } : {}),
      },
    };
  }

  /** A function per entry of the topology, with its trigger: a stream mapping, a queue mapping or a schedule (routes: createRoutes). Returns the clean-up's schedule rule. */
  private createFunctions(): aws.cloudwatch.EventRule {
    const links = this.links();
    let cleanupRule: aws.cloudwatch.EventRule | undefined;
    for (const [kind, fn] of Object.entries(eventsTopology.functions) as [EventsFunction, TopologyFunction][]) {
      // A function that needs what this stack lacks does not exist (the feedback function without a sender).
      if (fn.when && !links.settings?.[fn.when] && !links.resources?.[fn.when]) continue;
      const described = describeFunction(fn);
      const created = definedFunction(
        `${this.name}-${kebab(kind)}`,
        {
          definition: fn.definition,
          links,
          // Notify's says how it mails.
          description: kind === "notify" ? `${described} (${this.senderIdentity ? "SES" : "the S3 outbox"})` : described,
          logRetentionDays: this.args.logRetentionDays,
          timeout: fn.timeoutSeconds,
        },
        { parent: this },
      );
      this.functions[kind] = created;
      if (fn.stream === "stripeEvents") this.mappings[kind] = this.createPaymentsMapping(kind, created, this.args.payments!.stripeEvents);
      else if (fn.stream) this.mappings[kind] = this.createStreamMapping(kind, created, { events: this.eventsTable }[fn.stream]!);
      if (fn.queue) this.mappings[kind] = this.createQueueMapping(kind, created, { notifications: this.queue }[fn.queue]!);
      if (fn.topic) {
        const topic = { mailFeedback: this.mailFeedback?.topic }[fn.topic];
        if (!topic) throw new Error(`events: the ${kind} function subscribes to topic "${fn.topic}", which this stack does not have`);
        subscribeFunction(`${this.name}-${kebab(kind)}`, topic, created.function, { parent: this });
      }
      if (fn.objectCreated) {
        const bucket = { media: this.media.bucket }[fn.objectCreated.bucket];
        if (!bucket) throw new Error(`events: the ${kind} function is told of bucket "${fn.objectCreated.bucket}", which this component does not have`);
        this.video.uploads = notifyOnUploads(`${this.name}-${kebab(kind)}`, { bucket, fn: created.function, prefix: fn.objectCreated.prefix, accountId: this.accountId }, { parent: this });
      }
      if (fn.eventRule) {
        if (fn.eventRule !== "transcodeJobs") throw new Error(`events: the ${kind} function names event rule "${fn.eventRule}", which this component does not provide`);
        this.video.jobStateChanges = routeJobStateChanges(`${this.name}-${kebab(kind)}`, { fn: created.function, bucketName: this.media.bucket.bucket }, { parent: this });
      }
      if (fn.schedule) {
        const rule = this.createSchedule(kind, created, links.settings![fn.schedule]!);
        if (kind === "cleanup") cleanupRule = rule;
      }
    }
    return cleanupRule!;
  }

  /** The events stream → the fan-out: every change (insert, modify, TTL remove), in order, partial-batch retries, then the DLQ. */
  private createStreamMapping(kind: string, fn: HandlerFunction<any, any>, table: aws.dynamodb.Table) {
    return tableStreamConsumer(
      `${this.name}-${kebab(kind)}`,
      {
        table,
        fn: fn.function,
        policy: fn.policy,
        deadLetterArn: this.streamDeadLetters.arn,
        maxRetries: STREAM_MAX_RETRIES,
        transform: {
          mapping: (args) => {
            // New changes only (from the stack's first), and all of them: publishes and cancels are
            // MODIFYs, and an expired event's clean-up starts from its TTL REMOVE.
            args.startingPosition = "LATEST";
            delete args.filterCriteria;
          },
        },
      },
      { parent: this },
    );
  }

  /**
   * The Stripe events stream → the payments function: new items only, and of those only Stripe's
   * checkout.session events this confirms or clears payments by (Lambda's event filtering, so no
   * other event invokes it). From the oldest record the stream keeps (24 h): a payment stored
   * before the mapping existed is still taken in.
   */
  private createPaymentsMapping(kind: string, fn: HandlerFunction<any, any>, table: aws.dynamodb.Table) {
    const types = [...PAYMENT_SUCCEEDED, ...PAYMENT_ENDED_UNPAID];
    return tableStreamConsumer(
      `${this.name}-${kebab(kind)}`,
      {
        table,
        fn: fn.function,
        policy: fn.policy,
        deadLetterArn: this.streamDeadLetters.arn,
        maxRetries: STREAM_MAX_RETRIES,
        transform: {
          mapping: (args) => {
            args.filterCriteria = { filters: [{ pattern: JSON.stringify({ eventName: ["INSERT"], dynamodb: { NewImage: { source: { S: ["stripe"] }, type: { S: types } } } }) }] };
          },
        },
      },
      { parent: this },
    );
  }

  /** Notification jobs → notify, each failed job reported alone (redelivered, then dead-lettered by the queue's redrive). */
  private createQueueMapping(kind: string, fn: HandlerFunction<any, any>, queue: aws.sqs.Queue) {
    return new aws.lambda.EventSourceMapping(
      `${this.name}-${kebab(kind)}`,
      {
        eventSourceArn: queue.arn,
        functionName: fn.function.arn,
        batchSize: 10,
        functionResponseTypes: ["ReportBatchItemFailures"],
        // Two concurrent batches at most (the minimum): gentle on SES's sending rate.
        scalingConfig: { maximumConcurrency: 2 },
      },
      { parent: this, dependsOn: [fn.policy] },
    );
  }

  /** An EventBridge rule running the function on its schedule (delivery retried twice within the hour). */
  private createSchedule(kind: EventsFunction, fn: HandlerFunction<any, any>, expression: pulumi.Input<string>) {
    const name = `${this.name}-${kebab(kind)}`;
    const description = SCHEDULE_DESCRIPTIONS[kind] ?? describeFunction(eventsTopology.functions[kind]);
    return scheduledInvocation(name, { schedule: expression, description, fn: fn.function, permissionName: `${name}-schedule` }, { parent: this }).rule;
  }

  /** The topology's routes on the shared API, each named by its operation (handlers/events/routes.ts); a function's `jwt` authorizer in front of its routes. */
  private createRoutes() {
    const authorizers: Record<string, aws.apigatewayv2.Authorizer> = { jwt: this.authorizer };
    const operationOf = new Map<string, string>(eventRoutes.map((r) => [routeKeyOf(r), r.operationId]));
    for (const [kind, fn] of Object.entries(eventsTopology.functions) as [EventsFunction, TopologyFunction][]) {
      const authorizer = fn.authorizer === undefined ? undefined : authorizers[fn.authorizer];
      if (fn.authorizer !== undefined && !authorizer) throw new Error(`events: the ${kind} function names authorizer "${fn.authorizer}", which this component does not provide`);
      for (const routeKey of fn.routes ?? []) {
        addLambdaRoute(
          `${this.name}-${operationOf.get(routeKey) ?? kebab(kind)}`,
          { api: this.args.api, routeKey, fn: this.functions[kind]!.function, authorizer: authorizer ? { id: authorizer.id } : undefined },
          this,
        );
      }
    }
  }
}
