// Stripe Checkout Sessions over plain fetch (no SDK: one call, form-encoded, and the upload stays
// small). Follows https://docs.stripe.com/api/checkout/sessions/create: `POST /v1/checkout/sessions`
// with `Authorization: Bearer <secret key>`, a form body in Stripe's bracket notation, and an
// `Idempotency-Key` so a retried request returns the session the first one made instead of a second.

/** Where Stripe is and how to call it. */
export interface StripeCheckoutOptions {
  /** Stripe's API base URL: `https://api.stripe.com` in the stacks, the stand-in's URL locally. */
  apiUrl: string;
  /** The secret key (`sk_live_…`, `sk_test_…`). */
  secretKey: string;
  /** Seconds before the request is given up. Example: `10`. */
  timeoutSeconds?: number;
}

/** One ticket's Checkout Session. */
export interface CheckoutRequest {
  /** Minor units. Example: `1500`. */
  amount: number;
  /** Lower-case ISO 4217. Example: `"eur"`. */
  currency: string;
  /** The line item's name, shown on Stripe's page. Example: `"Ticket: Book club"`. */
  productName: string;
  successUrl: string;
  cancelUrl: string;
  /** Names the invitation without the email (payment.ts's invitationRef). */
  clientReferenceId: string;
  metadata: Record<string, string>;
  /** The invitee's address, prefilled on Stripe's page and where Stripe sends the receipt. */
  customerEmail: string;
  /** When the session stops taking payment: 30 minutes to 24 hours after its creation (Stripe's rule). */
  expiresAt: Date;
  /** The same key for the same attempt, so a retry never makes a second session. */
  idempotencyKey: string;
}

/** What the handlers keep of a session. */
export interface CheckoutSession {
  id: string;
  url: string;
  expiresAt: string;
}

/** Stripe refused or did not answer: `status` is Stripe's (0 for no answer), `type` its error type. */
export class StripeError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly type: string,
  ) {
    super(message);
    this.name = "StripeError";
  }
}

/** `{a: {b: 1}}` → `[["a[b]", "1"]]`: Stripe's form encoding of nested parameters (arrays by index). */
export function stripeForm(params: Record<string, unknown>): URLSearchParams {
  const form = new URLSearchParams();
  const add = (prefix: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (typeof value === "object") {
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) add(`${prefix}[${key}]`, inner);
    } else form.append(prefix, String(value));
  };
  for (const [key, value] of Object.entries(params)) add(key, value);
  return form;
}

/** The session's parameters, as Stripe names them. */
export function checkoutParams(request: CheckoutRequest): Record<string, unknown> {
  return {
    mode: "payment",
    line_items: [{ price_data: { currency: request.currency, unit_amount: request.amount, product_data: { name: request.productName } }, quantity: 1 }],
    success_url: request.successUrl,
    cancel_url: request.cancelUrl,
    client_reference_id: request.clientReferenceId,
    customer_email: request.customerEmail,
    metadata: request.metadata,
    expires_at: Math.floor(request.expiresAt.getTime() / 1000),
  };
}

/** Creates a Checkout Session; a StripeError when Stripe refuses it or cannot be reached. */
export async function createCheckoutSession(options: StripeCheckoutOptions, request: CheckoutRequest): Promise<CheckoutSession> {
  let response: Response;
  try {
    response = await fetch(new URL("/v1/checkout/sessions", options.apiUrl), {
      method: "POST",
      headers: {
        authorization: `Bearer ${options.secretKey}`,
        "content-type": "application/x-www-form-urlencoded",
        "idempotency-key": request.idempotencyKey,
      },
      body: stripeForm(checkoutParams(request)).toString(),
      signal: AbortSignal.timeout((options.timeoutSeconds ?? 10) * 1000),
    });
  } catch (error) {
    throw new StripeError(`Stripe did not answer: ${(error as Error).message}`, 0, "network");
  }
  const body = (await response.json().catch(() => ({}))) as { id?: string; url?: string; expires_at?: number; error?: { type?: string; message?: string } };
  if (!response.ok) throw new StripeError(body.error?.message ?? `Stripe answered ${response.status}`, response.status, body.error?.type ?? "unknown");
  if (typeof body.id !== "string" || typeof body.url !== "string") throw new StripeError("Stripe's answer has no session id or url", response.status, "invalid_response");
  return { id: body.id, url: body.url, expiresAt: new Date((body.expires_at ?? Math.floor(request.expiresAt.getTime() / 1000)) * 1000).toISOString() };
}
