import Stripe from 'stripe';

/**
 * The Stripe SDK, configured. Only this file imports it; the rest of the integration uses the client
 * it returns and the SDK's types re-exported here.
 */
export type { Stripe };
export type StripeClient = Stripe;

/** The Stripe API version the SDK speaks: webhook endpoints must be created with the same one (docs/stripe.md). */
export const STRIPE_API_VERSION = Stripe.API_VERSION;

export type StripeClientOptions = {
  secretKey: string;
  /** host/port/protocol point the SDK at a local fake in tests; unset means api.stripe.com over HTTPS. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /**
   * Retries after a network error, a 409 or a 5xx. Safe for money calls because every one of them
   * carries our idempotency key, which the SDK sends unchanged on each attempt.
   */
  maxNetworkRetries?: number;
  timeoutMs?: number;
};

export function createStripeClient(options: StripeClientOptions): StripeClient {
  return new Stripe(options.secretKey, {
    host: options.host,
    port: options.port,
    protocol: options.protocol,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 30_000,
    appInfo: { name: 'backline' },
  });
}
