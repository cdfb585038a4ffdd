import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { createObservability, requireEnv, type Observability } from "../shared/observability";
import { EventStore } from "./event-store";
import { MediaStore } from "./media";
import { eventSchemas, type EventSchemas } from "./schemas";

/** What the events API's HTTP functions share. */
export interface EventsApiDeps {
  store: EventStore;
  media: MediaStore;
  obs: Observability;
  schemas: EventSchemas;
  now: () => Date;
}

/** Reads EVENTS_TABLE and MEDIA_BUCKET; builds the clients once per cold start. */
export function eventsApiDeps(service: string, env: NodeJS.ProcessEnv = process.env): EventsApiDeps {
  return {
    store: new EventStore(new DynamoDBClient({}), requireEnv("EVENTS_TABLE", env)),
    media: new MediaStore(new S3Client({ forcePathStyle: env.AWS_ENDPOINT_URL_S3 !== undefined }), requireEnv("MEDIA_BUCKET", env)),
    obs: createObservability(service),
    schemas: eventSchemas(),
    now: () => new Date(),
  };
}
