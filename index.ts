// Switchyard: the Pulumi program. Reads the stack config once, then composes the components.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./components/stack-config";
import { MessageApi } from "./components/message-api";
import { WebhookIngest } from "./components/webhook-ingest";

const config = loadStackConfig();

// One explicit provider: the region is visible in config and tests, and every resource is tagged
// with project and stack so costs and ownership can be read off the console.
const provider = new aws.Provider("aws", {
  region: config.region as aws.Region,
  defaultTags: { tags: { project: pulumi.getProject(), stack: config.stack } },
});

const messages = new MessageApi(
  "api",
  {
    corsOrigins: config.allowedOrigins,
    throttle: config.throttle,
    protectData: config.protectData,
    logRetentionDays: config.logRetentionDays,
  },
  { providers: [provider] },
);

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

export const region = config.region;
export const apiUrl = messages.url;
export const messagesUrl = messages.messagesUrl;
export const messagesTable = messages.table.name;
export const webhookUrl = calendly.webhookUrl;
export const liveUrl = calendly.liveUrl;
export const meetingsUrl = pulumi.interpolate`${messages.url}/meetings`;
export const spoolBucket = calendly.spool?.bucket.bucket;
