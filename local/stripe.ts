// Stripe in local mode (#19): the second WebhookIngest (source stripe: `POST /webhooks/stripe`, the
// table `switchyard-local-stripe-events` and its stream, as the stack's when the Stripe keys are
// set) and the Stripe stand-in (local/standins/stripe.ts) in place of api.stripe.com, with its
// webhook endpoint pointed at that route and signing with the same endpoint secret. A session paid
// on the stand-in's checkout page arrives as a signed checkout.session.completed, stored once.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { STRIPE_TOLERANCE_SECONDS } from "../handlers/webhooks/stripe";
import type { LocalRoute } from "./emulators/api-server";
import type { S3Local } from "./emulators/s3-local";
import { startStripeStandIn, type StripeStandIn } from "./standins/stripe";
import { startLocalWebhooks } from "./webhooks";

/** Local-only defaults, printed at start; a stack's are `pulumi config set --secret switchyard:stripe…`. */
export const LOCAL_STRIPE_WEBHOOK_SECRET = "whsec_local_stripe_endpoint_secret";
export const LOCAL_STRIPE_SECRET_KEY = "sk_test_local_switchyard";

export interface LocalStripeOptions {
  dynamodb: { client: DynamoDBClient; endpoint: string };
  s3: S3Local;
  /** The local HTTP API's base URL, where the stand-in delivers (`<apiUrl>/webhooks/stripe`). Example: `"http://127.0.0.1:3000"`. */
  apiUrl: string;
  /** The stand-in's port (0 = any). Example: `3004`. */
  port: number;
  /** Default LOCAL_STRIPE_WEBHOOK_SECRET. */
  webhookSecret?: string;
  /** The one API key the stand-in accepts. Default LOCAL_STRIPE_SECRET_KEY. */
  secretKey?: string;
  /** The stand-in's waits between retries of a non-2xx delivery. Example: `[1000, 5000, 30000]`. */
  retryDelaysMs?: number[];
}

export interface LocalStripe {
  /** `POST /webhooks/stripe`, for the local HTTP API. */
  routes: LocalRoute[];
  /** The stand-in (its `url` is Stripe's API base for the events platform's Checkout calls). */
  standIn: StripeStandIn;
  secretKey: string;
  webhookSecret: string;
  webhookUrl: string;
  /** Local table names: `{ events: "switchyard-local-stripe-events" }`. */
  tables: { events: string };
  /** Resolves when every delivery (and retry) so far has been answered and every stored event handled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalStripe(options: LocalStripeOptions): Promise<LocalStripe> {
  const webhookSecret = options.webhookSecret ?? LOCAL_STRIPE_WEBHOOK_SECRET;
  const secretKey = options.secretKey ?? LOCAL_STRIPE_SECRET_KEY;
  const webhooks = await startLocalWebhooks({ source: "stripe", dynamodb: options.dynamodb, s3: options.s3, signingKey: webhookSecret, toleranceSeconds: STRIPE_TOLERANCE_SECONDS });
  const webhookUrl = `${options.apiUrl.replace(/\/$/, "")}/webhooks/stripe`;
  const standIn = await startStripeStandIn({ port: options.port, secretKey, webhook: { url: webhookUrl, secret: webhookSecret }, retryDelaysMs: options.retryDelaysMs ?? [1000, 5000, 30_000] });
  return {
    routes: webhooks.routes,
    standIn,
    secretKey,
    webhookSecret,
    webhookUrl,
    tables: { events: webhooks.tables.events },
    idle: async () => {
      await standIn.settled();
      await webhooks.idle();
    },
    stop: async () => {
      await standIn.close();
      await webhooks.stop();
    },
  };
}
