import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { createObservability, type Observability } from "../shared/observability";
import { EventStore } from "./event-store";
import { MediaStore } from "./media";
import { s3ForcePathStyle } from "./s3-path-style";
import { eventSchemas, type EventSchemas } from "./schemas";
import { SeriesStore } from "./series-store";
import type { StreamSettings } from "./video-playback";

/** What the events API's HTTP functions share. */
export interface EventsApiDeps {
  store: EventStore;
  /** Monthly series (the organizer's routes). */
  series: SeriesStore;
  media: MediaStore;
  obs: Observability;
  schemas: EventSchemas;
  now: () => Date;
}

/** Where the events API's data lives (handlers/events/functions.ts reads them from the environment). */
export interface EventsApiValues {
  /** Example: `"events-events-1a2b3c4"`. */
  eventsTable: string;
  /** Example: `"events-media-1a2b3c4"`. */
  mediaBucket: string;
  /** Popularity snapshots of the public list (public-list.ts); only the public function has it. Example: `"events-list-snapshots-1a2b3c4"`. */
  listSnapshotsTable?: string;
  /** Where a ready video's stream URL points and its key (video-playback.ts); the functions always give it. Example: `{ apiUrl: "https://abc123.execute-api.us-west-2.amazonaws.com", key }`. */
  stream?: StreamSettings;
}

/** Builds the clients once per cold start. */
export function eventsApiDeps(service: string, values: EventsApiValues): EventsApiDeps {
  const db = new DynamoDBClient({});
  const store = new EventStore(db, values.eventsTable, values.listSnapshotsTable);
  return {
    store,
    series: new SeriesStore(db, values.eventsTable, store),
    media: new MediaStore(new S3Client({ forcePathStyle: s3ForcePathStyle() }), values.mediaBucket, undefined, values.stream),
    obs: createObservability(service),
    schemas: eventSchemas(),
    now: () => new Date(),
  };
}
