// What an event may cost: an amount in the currency's minor units (cents, pence) and one of a
// short list of currencies, within the amounts Stripe will charge. Zod-free (the page's view and
// the payments consumer read it); the request schema is in schemas.ts.

/**
 * The currencies an organizer may pick, each with Stripe's minimum charge amount in minor units
 * (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts: $0.50, €0.50, £0.30,
 * CA$0.50, A$0.50). All are two-decimal currencies, so `amount` is always hundredths; a
 * zero-decimal one (JPY) would need its own rule, hence the short list.
 */
export const PRICE_CURRENCIES = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50 } as const;
export type PriceCurrency = keyof typeof PRICE_CURRENCIES;
/** Stripe's largest amount: eight digits of minor units (999,999.99; same page). */
export const PRICE_MAX_AMOUNT = 99_999_999;

/** A ticket's price. Example: `{ amount: 1500, currency: "eur" }` (€15.00). */
export interface Price {
  amount: number;
  currency: PriceCurrency;
}

/** Why an amount is not chargeable in a currency, or undefined when it is. */
export function priceProblem(amount: number, currency: string): string | undefined {
  const min = (PRICE_CURRENCIES as Record<string, number>)[currency];
  if (min === undefined) return `currency must be one of ${Object.keys(PRICE_CURRENCIES).join(", ")}`;
  if (amount < min) return `at least ${min} (${currency.toUpperCase()} ${(min / 100).toFixed(2)}), Stripe's minimum charge`;
  if (amount > PRICE_MAX_AMOUNT) return `at most ${PRICE_MAX_AMOUNT}, Stripe's maximum`;
  return undefined;
}

/** "EUR 15.00": how mails state an amount (every listed currency has two decimals). */
export const formatAmount = (amount: number, currency: string) => `${currency.toUpperCase()} ${(amount / 100).toFixed(2)}`;
