import { defineTopology } from "../shared/topology";
import { cleanupFunction, fanoutFunction, feedbackFunction, notifyFunction, organizerFunction, paymentsFunction, publicEventsFunction, rsvpFunction, streamFunction, transcodeFunction, videoRetryFunction, videoStatusFunction } from "./functions";
import { eventRoutesOf, routeKeyOf, type EventFunction } from "./routes";
import { eventsTable, listSnapshotsTable, notificationsSentTable, suppressionsTable } from "./tables";

/** When the clean-up runs: the stack's EventBridge rule and local mode's timer. */
export const CLEANUP_SCHEDULE = "rate(1 day)";

/** The route keys of handlers/events/routes.ts a function serves. */
const routesOf = (fn: EventFunction): string[] => eventRoutesOf(fn).map(routeKeyOf);

/** The `jwt` authorizer when the function's routes are `signedIn` (routes of one audience share a function: all or none are). */
function audienceOf(fn: EventFunction): { authorizer?: "jwt" } {
  const signedIn = new Set(eventRoutesOf(fn).map((r) => r.signedIn));
  if (signedIn.size !== 1) throw new Error(`events: the ${fn} function serves signed-in and public routes; give each audience its own function`);
  return signedIn.has(true) ? { authorizer: "jwt" } : {};
}

/**
 * The events platform (components/events-api.ts in the stacks, local/events.ts locally): one
 * events table, the sent-mail records and the public list's popularity snapshots; the request path
 * (organizer, public, RSVP: routes of one audience share a function and its cold start); the table's stream feeding the fan-out; the
 * `notifications` queue feeding notify; a daily clean-up. Besides the tables, the component
 * provides the `media` bucket, the `notifications` queue (and its dead letters), the stream's
 * dead letters, the `reminders` schedule group and `reminderRole`, the `rsvpSigningKey` secret, the
 * `siteUrl` and `cleanupSchedule` settings, the `jwt` authorizer, and either the `sender` identity
 * or the `outbox` bucket. With the `sender` (SES) come the mail's feedback: the `suppressions`
 * table, the `mailConfigurationSet` every mail goes through and the `mailFeedback` topic it
 * publishes bounces and complaints to, which feeds the feedback function; without a sender none
 * of these exist (the S3 outbox bounces nothing). The video pipeline needs the `transcodeRole`
 * (MediaConvert runs jobs as it), the `transcodeQueue` and the `transcodeJobs` rule (MediaConvert's
 * state changes of this stack's jobs). With payments, the component provides
 * `stripeEvents` — the Stripe WebhookIngest's events table, another component's — whose stream
 * feeds the payments function, the `stripeSecretKey` secret and the `stripeApiUrl` setting;
 * without them there is no payments function.
 */
export const eventsTopology = defineTopology({
  tables: { events: eventsTable, notificationsSent: notificationsSentTable, suppressions: suppressionsTable, listSnapshots: listSnapshotsTable },
  functions: {
    organizer: { definition: organizerFunction, description: "events API: organizers (signed in)", routes: routesOf("organizer"), ...audienceOf("organizer") },
    public: { definition: publicEventsFunction, description: "events API: public events", routes: routesOf("public"), ...audienceOf("public") },
    rsvp: { definition: rsvpFunction, description: "events API: answers to invitations", routes: routesOf("rsvp"), ...audienceOf("rsvp") },
    stream: { definition: streamFunction, description: "events API: video playlists for stream URLs", routes: routesOf("stream"), ...audienceOf("stream") },
    fanout: { definition: fanoutFunction, description: "events stream → notification jobs, reminders, expired events' data", stream: "events", timeoutSeconds: 30 },
    // Seconds: one batch of up to 10 mails. The queue's visibility timeout is six times this.
    notify: { definition: notifyFunction, description: "notification jobs → mail", queue: "notifications", timeoutSeconds: 30 },
    feedback: { definition: feedbackFunction, description: "SES bounces and complaints → invitations marked undeliverable, complainers suppressed", topic: "mailFeedback", when: "sender", timeoutSeconds: 30 },
    // The video pipeline (issue #19): an upload → a transcoding job → its state change marks the video ready or failed; the organizer may retry.
    transcode: { definition: transcodeFunction, description: "video uploads (S3 notifications) → transcoding jobs", objectCreated: { bucket: "media", prefix: "events/" }, timeoutSeconds: 30 },
    videoStatus: { definition: videoStatusFunction, description: "transcoding job state changes (EventBridge) → the event's video ready or failed", eventRule: "transcodeJobs", timeoutSeconds: 30 },
    video: { definition: videoRetryFunction, description: "events API: retrying a failed video (signed in)", routes: routesOf("video"), ...audienceOf("video") },
    payments: { definition: paymentsFunction, description: "Stripe events stream → paid invitations confirmed, once", stream: "stripeEvents", when: "stripeEvents", timeoutSeconds: 30 },
    cleanup: { definition: cleanupFunction, description: "daily: removes abandoned drafts", schedule: "cleanupSchedule", timeoutSeconds: 60 },
  },
});
