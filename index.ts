// Switchyard: the Pulumi program. Reads the stack config once, then composes the components.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { tagResourcesWithComponent } from "./components/component-tags";
import { loadStackConfig } from "./components/stack-config";
import { HttpApi } from "./components/http-api";
import { MessageApi } from "./components/message-api";
import { ScheduledSync } from "./components/scheduled-sync";
import { ObservabilityDashboard } from "./components/observability";
import { applyObservabilityProfile } from "./components/observability/profile";
import { StaticSite } from "./components/static-site";
import { WebhookIngest } from "./components/webhook-ingest";
import { builtWebsite } from "./components/website-build";
import { EventsApi, LOCAL_EVENTS_CALLBACK } from "./components/events-api";
import { GraphqlApi } from "./components/graphql-api";
import { syncJobs } from "./handlers/sync/registry";

const config = loadStackConfig();

// Every taggable resource also gets `component` (site, api, calendly, …): its top-level component.
tagResourcesWithComponent();
// What the observability level changes program-wide (lean, dev: no function or task publishes EMF
// custom metrics): a stack transform, so before any component (components/observability/profile.ts).
applyObservabilityProfile(config.observability);

// One explicit provider: the region is visible in config and tests, and every resource is tagged
// with project and stack so costs and ownership can be read off the console.
const defaultTags = { tags: { project: pulumi.getProject(), stack: config.stack } };
const provider = new aws.Provider("aws", { region: config.region as aws.Region, defaultTags });
// CloudFront's certificates and metrics live in us-east-1, whatever the stack's region.
const usEast1 = new aws.Provider("us-east-1", { region: "us-east-1", defaultTags });

// The website is built by the program itself (esbuild, well under a second; cached by content),
// so what is uploaded is always what the sources say.
const site = new StaticSite(
  "site",
  {
    site: builtWebsite(),
    domain: config.siteDomain,
    usEast1,
    protectData: config.protectData,
    accessLogs: config.siteAccessLogs ? { retentionDays: config.logRetentionDays } : undefined,
  },
  { providers: [provider] },
);

// The HTTP API every component puts its routes on. Its resources were the MessageApi's children
// before HttpApi existed: `formerParent` makes `pulumi up` move them, not replace them (a new URL).
const http = new HttpApi(
  "api",
  {
    // The website's origin always; more (local development) from config.
    corsOrigins: pulumi.all([site.url, ...config.allowedOrigins]),
    throttle: config.throttle,
    logRetentionDays: config.logRetentionDays,
    formerParent: pulumi.createUrn("api", "switchyard:api:MessageApi"),
  },
  { providers: [provider] },
);

const messages = new MessageApi("api", { api: http.api, protectData: config.protectData, logRetentionDays: config.logRetentionDays }, { providers: [provider] });

const calendly = new WebhookIngest(
  "calendly",
  {
    source: "calendly",
    api: messages.api,
    signingKey: config.webhooks.calendlySigningKey,
    toleranceSeconds: config.webhooks.toleranceSeconds,
    replayToken: config.webhooks.replayToken,
    forwardUrl: config.webhooks.forwardUrl,
    replaySchedule: config.webhooks.replaySchedule,
    protectData: config.protectData,
    logRetentionDays: config.logRetentionDays,
    throttle: config.throttle,
  },
  { providers: [provider] },
);

// Paid events' Stripe webhooks (#19): WebhookIngest's second source, only with the Stripe keys set.
// Stripe's events are about no meeting: just the ingest route and the events table, whose stream
// the events platform consumes (no meetings table, projector or live API; no forwarding).
const stripe = config.stripe
  ? new WebhookIngest(
      "stripe",
      {
        source: "stripe",
        api: messages.api,
        signingKey: config.stripe.webhookSecret,
        toleranceSeconds: config.stripe.toleranceSeconds,
        protectData: config.protectData,
        logRetentionDays: config.logRetentionDays,
        throttle: config.throttle,
      },
      { providers: [provider] },
    )
  : undefined;

// The events platform (#8): organizers sign in with Cognito's hosted UI; invitees answer by signed link.
const localOrigins = config.allowedOrigins.some((o) => ["localhost", "127.0.0.1"].includes(new URL(o).hostname));
const events = new EventsApi(
  "events",
  {
    api: messages.api,
    // The site's events page; the local website too when the stack allows local origins.
    callbackUrls: [pulumi.interpolate`${site.url}/events/`, ...(localOrigins ? [LOCAL_EVENTS_CALLBACK] : [])],
    corsOrigins: pulumi.all([site.url, ...config.allowedOrigins]),
    siteUrl: site.url,
    rsvpSigningKey: config.events.rsvpSigningKey,
    sender: config.events.sender,
    cognitoDomain: config.events.cognitoDomain,
    selfSignUp: config.events.selfSignUp,
    signInProviders: config.events.signIn,
    // Paid events: yes to a priced event goes to Stripe Checkout; the Stripe ingest's events confirm it.
    payments: stripe && config.stripe ? { stripeEvents: stripe.eventsTable, secretKey: config.stripe.secretKey } : undefined,
    protectData: config.protectData,
    logRetentionDays: config.logRetentionDays,
  },
  { providers: [provider] },
);

// Now that the APIs exist: the page's /config.json and the origins its CSP allows.
site.publishSettings({
  config: {
    apiUrl: messages.url,
    liveUrl: calendly.liveUrl!,
    dashboardUrl: ObservabilityDashboard.urlFor(config.region),
    auth: { domain: events.signInDomain, clientId: events.userPoolClientId },
    mediaOrigin: events.mediaOrigin,
  },
  // The hosted UI's token endpoint and the media bucket (presigned uploads) are fetched from the page.
  connectOrigins: [messages.url, calendly.liveUrl!, events.signInDomain, events.mediaOrigin],
  // Covers and videos (presigned S3 URLs), and the API that serves a video's stream playlists (native HLS).
  mediaOrigins: [events.mediaOrigin, messages.url],
});

// The scheduled syncs (handlers/sync/registry.ts): one ScheduledSync per job set in switchyard:syncs,
// named after the job. Read routes (the gists job's) go on the HTTP API.
const syncs: Record<string, ScheduledSync> = {};
for (const job of syncJobs) {
  const sync = config.syncs[job.name];
  if (!sync) continue;
  syncs[job.name] = new ScheduledSync(
    job.name,
    { job, settings: sync.settings, schedule: sync.schedule, runner: sync.runner, api: http.api, protectData: config.protectData, logRetentionDays: config.logRetentionDays },
    { providers: [provider] },
  );
}
const gistsSync = syncs.gists;
const skillsSync = syncs.skills;

// The GraphQL layer (#19): one function reading the components' tables, on the same HTTP API,
// verifying the tokens the events' JWT authorizer checks.
const graphql = new GraphqlApi(
  "graphql",
  {
    api: messages.api,
    jwt: events.jwt,
    events: { table: events.eventsTable, media: events.media.bucket, videoStreamKey: events.videoStreamKeyParameter },
    messages: messages.table,
    meetings: calendly.meetingsTable!, // Calendly has meetings
    syncStates: Object.fromEntries(Object.entries(syncs).map(([job, sync]) => [job, sync.stateTable])),
    logRetentionDays: config.logRetentionDays,
  },
  { providers: [provider] },
);

// Last, so it covers every function, table and queue made above (see components/shared/inventory.ts).
const observability = new ObservabilityDashboard(
  "observability",
  {
    api: { api: messages.api, url: messages.url },
    syncs: Object.values(syncs),
    site,
    usEast1,
    thresholds: config.alarmThresholds,
    level: config.observability,
    alarmEmail: config.alarmEmail,
    logRetentionDays: config.logRetentionDays,
  },
  { providers: [provider] },
);

export const region = config.region;
export const dashboardUrl = observability.dashboardUrl;
export const logGroups = observability.logGroups;
export const alarmTopic = observability.topic.arn;
export const websiteUrl = site.url;
/** With `switchyard:siteAccessLogs`: where CloudFront's access logs go (us-east-1, under `AWSLogs/<account>/CloudFront/`). */
export const siteAccessLogBucket = site.accessLogs?.bucket.bucket;
export const apiUrl = messages.url;
export const messagesUrl = messages.messagesUrl;
export const messagesTable = messages.table.name;
export const webhookUrl = calendly.webhookUrl;
export const liveUrl = calendly.liveUrl;
export const graphqlUrl = pulumi.interpolate`${messages.url}/graphql`;
export const graphqlFunction = graphql.fn.function.name;
export const meetingsUrl = pulumi.interpolate`${messages.url}/meetings`;
export const spoolBucket = calendly.spool?.bucket.bucket;
/** With the Stripe keys: the webhook endpoint to register in Stripe (events `checkout.session.*`). */
export const stripeWebhookUrl = stripe?.webhookUrl;
export const gistsSyncFunction = gistsSync?.fn?.function.name;
export const gistsUrl = gistsSync?.read ? pulumi.interpolate`${messages.url}/gists` : undefined;
export const skillsSyncFunction = skillsSync?.fn?.function.name;
/** `$(pulumi stack output gistsRunNow)`: one run now, whichever the runner. */
export const gistsRunNow = gistsSync?.runNowCommand;
export const skillsRunNow = skillsSync?.runNowCommand;
export const releasesBucket = skillsSync?.buckets.releases?.bucket;
export const eventsUserPoolId = events.userPoolId;
export const eventsUserPoolClientId = events.userPoolClientId;
/** The hosted UI's base URL (sign-in at `/login`, sign-out at `/logout`). */
export const eventsSignInUrl = events.signInDomain;
export const eventsMediaBucket = events.mediaBucketName;
export const eventsQueueUrl = events.queueUrl;
