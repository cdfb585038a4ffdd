import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { assertJsonContentType, httpHandler, jsonResponse, type HttpEvent, type HttpHandler } from "../shared/http";
import { createObservability, type Observability } from "../shared/observability";
import { HttpProblem } from "../shared/problem";
import type { SecretProvider } from "../shared/secret";
import type { NormalizedEvent, WebhookSource } from "./source";
import { createWebhookSource } from "./sources";
import { EventStore } from "./event-store";

/** Largest webhook body accepted; Calendly's are a few KB. */
export const WEBHOOK_MAX_BODY_BYTES = 256 * 1024;
export const DEFAULT_TOLERANCE_SECONDS = 180;

export interface IngestDeps {
  source: WebhookSource;
  events: EventStore;
  obs: Observability;
  signingKey: SecretProvider;
  toleranceSeconds: number;
  /** Seconds since the epoch; a parameter so tests can pin the clock. */
  now?: () => number;
}

/** What ingest is built from (its definition, handlers/webhooks/functions.ts, reads them from the environment). */
export interface IngestSettings {
  /** The provider. Example: `"calendly"`. */
  source: string;
  /** Example: `"calendly-events-9617299"`. */
  eventsTable: string;
  /** Example: `secretFromEnv("SIGNING_KEY")`. */
  signingKey: SecretProvider;
  /** Seconds a signature's timestamp may be off. Example: `180`. */
  toleranceSeconds: number;
}

export function ingestDeps(service: string, settings: IngestSettings): IngestDeps {
  return {
    source: createWebhookSource(settings.source),
    events: new EventStore(new DynamoDBClient({}), settings.eventsTable),
    obs: createObservability(service),
    signingKey: settings.signingKey,
    toleranceSeconds: settings.toleranceSeconds,
  };
}

function rawBody(event: HttpEvent): string {
  // Signed bytes are read as they came, but only a body that says it is JSON: the same 415 as every other route.
  assertJsonContentType(event);
  const raw = event.body ?? "";
  const bytes = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  if (bytes.length > WEBHOOK_MAX_BODY_BYTES) throw new HttpProblem("payload-too-large", `The body is ${bytes.length} bytes; the limit is ${WEBHOOK_MAX_BODY_BYTES}.`);
  return bytes.toString("utf8");
}

/**
 * `POST /webhooks/<source>`: verify the signature, validate, store once (one conditional write),
 * answer. Nothing else happens here: the meeting projection, live push and forwarding all run off
 * the events table's stream, so the provider gets its 2xx as soon as the event is durable.
 */
export function ingestHandler({ source, events, obs, signingKey, toleranceSeconds, now = () => Date.now() / 1000 }: IngestDeps): HttpHandler {
  /** Signature, JSON and schema checks; each failure is a 4xx counted as a rejection. */
  const accept = async (event: HttpEvent): Promise<NormalizedEvent> => {
    try {
      const text = rawBody(event);
      source.verify({ body: text, headers: event.headers ?? {} }, await signingKey(), Math.floor(now()), toleranceSeconds);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw new HttpProblem("malformed-json", `The body is not valid JSON: ${(error as Error).message}`);
      }
      return source.normalize(body, text);
    } catch (error) {
      if (error instanceof HttpProblem) {
        obs.metrics.addMetric("webhooksRejected", MetricUnit.Count, 1);
        obs.logger.info("webhook rejected", { reason: error.slug });
      }
      throw error;
    }
  };

  return httpHandler(obs, async (event) => {
    const normalized = await accept(event);
    obs.logger.setCorrelationId(normalized.id);
    const outcome = await events.record(normalized, new Date().toISOString());
    const duplicate = outcome === "duplicate";
    obs.metrics.addMetric(duplicate ? "webhooksDuplicate" : "webhooksReceived", MetricUnit.Count, 1);
    obs.logger.info(duplicate ? "webhook duplicate" : "webhook stored", { eventId: normalized.id, type: normalized.type, meetingId: normalized.meetingId });
    return jsonResponse(duplicate ? 200 : 201, { id: normalized.id, duplicate });
  });
}
