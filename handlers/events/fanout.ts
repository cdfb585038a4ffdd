import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { DynamoDBClient, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SQSClient } from "@aws-sdk/client-sqs";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { createObservability, type Observability } from "../shared/observability";
import type { EventsApiValues } from "./deps";
import { changeBetween } from "./event-changes";
import { EventStore, isEventItem, isInvitationItem, itemToEvent, itemToInvitation, type EventRecord } from "./event-store";
import type { JobQueue } from "./job-queue";
import { MediaStore } from "./media";
import type { NotificationJob } from "./notification-job";
import type { ReminderSchedules } from "./reminder-schedules";
import { s3ForcePathStyle } from "./s3-path-style";
import { schedulerReminders, type SchedulerRemindersOptions } from "./scheduler-reminders";
import { sqsJobQueue } from "./sqs-job-queue";

export interface FanoutDeps {
  store: EventStore;
  media: MediaStore;
  queue: JobQueue;
  reminders: ReminderSchedules;
  obs: Observability;
  now?: () => Date;
}

/** Where the fan-out's data, queue and reminders live (handlers/events/functions.ts reads them from the environment). */
export interface FanoutValues extends EventsApiValues {
  /** The notification queue. Example: `"https://sqs.us-east-1.amazonaws.com/123456789012/events-notifications-1a2b3c4"`. */
  queueUrl: string;
  /** The reminders' schedule group, their target (the queue's ARN), role and dead-letter queue. */
  reminders: Pick<SchedulerRemindersOptions, "groupName" | "queueArn" | "roleArn" | "deadLetterArn">;
}

/** The cloud's parts: SQS for the jobs, EventBridge Scheduler for the reminders (local mode swaps both). */
export function eventsFanoutDeps(service: string, values: FanoutValues): FanoutDeps {
  const { deadLetterArn, ...reminders } = values.reminders;
  return {
    store: new EventStore(new DynamoDBClient({}), values.eventsTable),
    media: new MediaStore(new S3Client({ forcePathStyle: s3ForcePathStyle() }), values.mediaBucket),
    queue: sqsJobQueue(new SQSClient({}), values.queueUrl),
    reminders: schedulerReminders(new SchedulerClient({}), { ...reminders, ...(deadLetterArn ? { deadLetterArn } : {}) }),
    obs: createObservability(service),
  };
}

type Image = Record<string, unknown>;
const image = (i: Record<string, AttributeValue> | undefined): Image | undefined => (i ? unmarshall(i as Record<string, never>) : undefined);

/**
 * The events table's stream, in order per event, turned into side effects:
 * - an event published → an invitation job per invitee, and its reminder scheduled;
 * - a published event's start moved → its reminder moved;
 * - a published event's start or join link changed → one change job per invitee whose answer is
 *   yes or pending (both in one write: one job saying both; event-changes.ts);
 * - an event canceled → (if it was published) a cancellation job per invitee whose answer is yes
 *   or pending (not to those who declined); reminder removed;
 * - an invitation added to a published, not yet started event → its invitation job;
 * - an invitation's answer becoming yes → the "you're in" confirmation job (one per yes-answer);
 * - an event removed (clean-up or TTL) → its invitations, media and reminder removed.
 * Jobs may be produced twice (a retried batch, a publish racing an invitation): the sender is
 * idempotent per (event, recipient, kind), for a change per (event, recipient, change). A failing
 * record stops the batch there and is reported, so Lambda retries from it (bisecting, then the
 * dead-letter queue).
 */
export function eventsFanoutHandler(deps: FanoutDeps) {
  const { store, media, queue, reminders, obs } = deps;
  const now = deps.now ?? (() => new Date());
  const jobsFor = async (e: EventRecord, kind: NotificationJob["kind"]): Promise<NotificationJob[]> =>
    (await store.invitations(e.id)).map((i) => ({ kind, eventId: e.id, recipient: i.email }));
  /** Changes and cancellations: everyone invited who has not declined. */
  const notDeclined = async (e: EventRecord, job: Omit<NotificationJob, "eventId" | "recipient">): Promise<NotificationJob[]> =>
    (await store.invitations(e.id)).filter((i) => i.status !== "no").map((i) => ({ ...job, eventId: e.id, recipient: i.email }));
  const schedule = (e: EventRecord) => reminders.upsert({ eventId: e.id, organizerEmail: e.organizerEmail, startsAt: e.startsAt });

  async function onEventChange(old: EventRecord | undefined, next: EventRecord) {
    if (next.status === "published" && old?.status !== "published") {
      const jobs = await jobsFor(next, "invitation");
      await queue.send(jobs);
      await schedule(next);
      obs.logger.info("event published", { eventId: next.id, invitations: jobs.length });
    } else if (next.status === "published" && old) {
      const change = changeBetween(old, next);
      if (!change) return;
      const jobs = await notDeclined(next, { kind: "change", change });
      await queue.send(jobs);
      if (change.startsAt) await schedule(next);
      obs.logger.info(change.startsAt ? "event moved" : "event changed", { eventId: next.id, change: change.id, startsAt: next.startsAt, was: old.startsAt, joinUrlChanged: Boolean(change.joinUrl), changeMails: jobs.length });
    } else if (next.status === "canceled" && old?.status !== "canceled") {
      const jobs = old?.status === "published" ? await notDeclined(next, { kind: "cancellation" }) : [];
      await queue.send(jobs);
      await reminders.remove(next.id);
      obs.logger.info("event canceled", { eventId: next.id, cancellations: jobs.length });
    }
  }

  async function onRecord(record: DynamoDBRecord) {
    const [oldImage, newImage] = [image(record.dynamodb?.OldImage as never), image(record.dynamodb?.NewImage as never)];
    const item = newImage ?? oldImage;
    if (!item) return;
    if (isEventItem(item)) {
      if (record.eventName === "REMOVE" && oldImage) {
        const id = itemToEvent(oldImage).id;
        const [invitations, objects] = [await store.deleteInvitations(id), await media.deleteAll(id)];
        await reminders.remove(id);
        obs.logger.info("event removed", { eventId: id, invitations, objects, byTtl: (record as { userIdentity?: { principalId?: string } }).userIdentity?.principalId === "dynamodb.amazonaws.com" });
      } else if (newImage) {
        await onEventChange(oldImage ? itemToEvent(oldImage) : undefined, itemToEvent(newImage));
      }
    } else if (isInvitationItem(item) && record.eventName === "INSERT" && newImage) {
      const invitation = itemToInvitation(newImage);
      const event = await store.get(invitation.eventId);
      if (event?.status === "published" && event.startsAt > now().toISOString()) {
        await queue.send([{ kind: "invitation", eventId: event.id, recipient: invitation.email }]);
      }
    } else if (isInvitationItem(item) && record.eventName === "MODIFY" && newImage && oldImage) {
      const [was, invitation] = [itemToInvitation(oldImage), itemToInvitation(newImage)];
      if (was.status !== "yes" && invitation.status === "yes") {
        // notify re-checks the answer and the event when it composes the mail.
        await queue.send([{ kind: "confirmation", eventId: invitation.eventId, recipient: invitation.email, answerSeq: invitation.answerSeq }]);
      }
    }
  }

  return async (event: DynamoDBStreamEvent, context?: Partial<Context>): Promise<DynamoDBBatchResponse> => {
    if (context?.awsRequestId) obs.logger.addContext(context as Context);
    for (const record of event.Records) {
      try {
        await onRecord(record);
      } catch (error) {
        obs.logger.error("stream record failed; retrying from it", { sequence: record.dynamodb?.SequenceNumber, eventName: record.eventName, error: error as Error });
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber! }] };
      }
    }
    return { batchItemFailures: [] };
  };
}
