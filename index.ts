// Switchyard: the Pulumi program. Reads the stack config once, then composes the components.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { tagResourcesWithComponent } from "./components/component-tags";
import { disableCustomMetrics } from "./components/custom-metrics";
import { loadStackConfig } from "./components/stack-config";
import { HttpApi } from "./components/http-api";
import { MessageApi } from "./components/message-api";
import { ScheduledSync, runsPerHour } from "./components/scheduled-sync";
import { ObservabilityDashboard } from "./components/observability";
import { StaticSite } from "./components/static-site";
import { WebhookIngest } from "./components/webhook-ingest";
import { builtWebsite } from "./components/website-build";
import { EventsApi, LOCAL_EVENTS_CALLBACK } from "./components/events-api";
import { assertionsTable, assessmentsTable, badgeClassesTable } from "./handlers/sync/tables";

const config = loadStackConfig();

// Every taggable resource also gets `component` (site, api, calendly, …): its top-level component.
tagResourcesWithComponent();
// Lean observability (dev): no function or task publishes EMF custom metrics (see components/custom-metrics.ts).
if (config.observability === "lean") disableCustomMetrics();

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
  { site: builtWebsite(), domain: config.siteDomain, usEast1, protectData: config.protectData },
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
    protectData: config.protectData,
    logRetentionDays: config.logRetentionDays,
  },
  { providers: [provider] },
);

// Now that the APIs exist: the page's /config.json and the origins its CSP allows.
site.publishSettings({
  config: {
    apiUrl: messages.url,
    liveUrl: calendly.liveUrl,
    dashboardUrl: ObservabilityDashboard.urlFor(config.region),
    auth: { domain: events.signInDomain, clientId: events.userPoolClientId },
    mediaOrigin: events.mediaOrigin,
  },
  // The hosted UI's token endpoint and the media bucket (presigned uploads) are fetched from the page.
  connectOrigins: [messages.url, calendly.liveUrl, events.signInDomain, events.mediaOrigin],
  mediaOrigins: [events.mediaOrigin],
});

// GitHub's public gists → Pipedrive deals, when users are configured.
let gistsSync: ScheduledSync | undefined;
if (config.gists) {
  const { users, schedule, runner, githubToken, pipedriveBaseUrl, pipedriveApiToken, gistUrlField } = config.gists;
  const perHour = runsPerHour(schedule);
  if (!githubToken && perHour !== undefined && users.length * perHour > 60) {
    pulumi.log.warn(`${users.length} users × ${perHour} runs/h = ${users.length * perHour} GitHub requests/h exceeds the 60/h unauthenticated budget: set switchyard:githubToken or slow switchyard:gistSchedule.`);
  }
  gistsSync = new ScheduledSync(
    "gists",
    {
      job: "gists",
      schedule,
      runner,
      environment: { GIST_USERS: users.join(","), PIPEDRIVE_BASE_URL: pipedriveBaseUrl, PIPEDRIVE_GIST_URL_FIELD: gistUrlField },
      secrets: { PIPEDRIVE_API_TOKEN: pipedriveApiToken, ...(githubToken ? { GITHUB_TOKEN: githubToken } : {}) },
      // /users/scanned, /users/current and /gists (with the original paths) on the API.
      api: messages.api,
      protectData: config.protectData,
      logRetentionDays: config.logRetentionDays,
    },
    { providers: [provider] },
  );
}

// The skill-app sync: Airtable assessments, the latest release archive, Badgr badges.
let skillsSync: ScheduledSync | undefined;
if (config.skills) {
  const k = config.skills;
  skillsSync = new ScheduledSync(
    "skills",
    {
      job: "skills",
      schedule: k.schedule,
      runner: k.runner,
      environment: {
        AIRTABLE_BASE_ID: k.airtableBaseId,
        AIRTABLE_TABLE: k.airtableTable,
        RELEASE_REPO: k.releaseRepo,
        BADGR_BASE_URL: k.badgrBaseUrl,
        BADGR_USERNAME: k.badgrUsername,
        BADGR_ISSUER: k.badgrIssuer,
      },
      secrets: { AIRTABLE_TOKEN: k.airtableToken, BADGR_PASSWORD: k.badgrPassword, ...(config.gists?.githubToken ? { GITHUB_TOKEN: config.gists.githubToken } : {}) },
      tables: { ASSESSMENTS_TABLE: assessmentsTable, BADGE_CLASSES_TABLE: badgeClassesTable, ASSERTIONS_TABLE: assertionsTable },
      buckets: { RELEASES_BUCKET: { prefix: "releases/" } },
      // Airtable's 30 s penalty can hit a few times in one run (on Fargate the watchdog is 1 h).
      timeoutSeconds: 600,
      protectData: config.protectData,
      logRetentionDays: config.logRetentionDays,
    },
    { providers: [provider] },
  );
}

// Last, so it covers every function, table and queue made above (see components/inventory.ts).
const observability = new ObservabilityDashboard(
  "observability",
  {
    api: { api: messages.api, url: messages.url },
    syncs: [gistsSync, skillsSync].filter((s): s is ScheduledSync => s !== undefined),
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
export const apiUrl = messages.url;
export const messagesUrl = messages.messagesUrl;
export const messagesTable = messages.table.name;
export const webhookUrl = calendly.webhookUrl;
export const liveUrl = calendly.liveUrl;
export const meetingsUrl = pulumi.interpolate`${messages.url}/meetings`;
export const spoolBucket = calendly.spool?.bucket.bucket;
export const gistsSyncFunction = gistsSync?.fn?.function.name;
export const gistsUrl = gistsSync?.read ? pulumi.interpolate`${messages.url}/gists` : undefined;
export const skillsSyncFunction = skillsSync?.fn?.function.name;
/** `$(pulumi stack output gistsRunNow)`: one run now, whichever the runner. */
export const gistsRunNow = gistsSync?.runNowCommand;
export const skillsRunNow = skillsSync?.runNowCommand;
export const releasesBucket = skillsSync?.buckets.RELEASES_BUCKET?.bucket;
export const eventsUserPoolId = events.userPoolId;
export const eventsUserPoolClientId = events.userPoolClientId;
/** The hosted UI's base URL (sign-in at `/login`, sign-out at `/logout`). */
export const eventsSignInUrl = events.signInDomain;
export const eventsMediaBucket = events.mediaBucketName;
export const eventsQueueUrl = events.queueUrl;
