import { createCalendlySource } from "./calendly";
import type { WebhookSource } from "./source";
import { createStripeSource } from "./stripe";

/** Every provider WebhookIngest knows. Adding one: a file implementing WebhookSource, and a line here. */
export const webhookSources = {
  calendly: createCalendlySource,
  stripe: createStripeSource,
} satisfies Record<string, () => WebhookSource>;

export type WebhookSourceName = keyof typeof webhookSources;

export function createWebhookSource(name: string): WebhookSource {
  const factory = webhookSources[name as WebhookSourceName];
  if (!factory) throw new Error(`Unknown webhook source "${name}"; known: ${Object.keys(webhookSources).join(", ")}`);
  return factory();
}
