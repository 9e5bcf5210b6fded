import type { Config } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { createStripeClient, type StripeClient } from './client.ts';
import { startOnboarding, type PayoutOwner } from './payout-accounts.ts';
import { stripeProvider, type StripeProvider } from './provider.ts';

export type StripeIntegration = {
  client: StripeClient;
  /** The PaymentProvider the payments domain uses, plus Connect Express onboarding. */
  provider: StripeProvider;
  /** The owner's connected account (created on first use) and a link to Stripe's onboarding for it. */
  onboard(request: { owner: PayoutOwner; email: string; country?: string; refreshUrl: string; returnUrl: string }): ReturnType<typeof startOnboarding>;
};

/** The client Stripe's configuration describes, or null when STRIPE_SECRET_KEY is unset (the integration is off). */
export function stripeClientFromConfig(config: Config): StripeClient | null {
  if (!config.STRIPE_SECRET_KEY) return null;
  return createStripeClient({
    secretKey: config.STRIPE_SECRET_KEY,
    host: config.STRIPE_API_HOST,
    port: config.STRIPE_API_PORT,
    protocol: config.STRIPE_API_PROTOCOL,
  });
}

export function createStripeIntegration(deps: Deps, client: StripeClient): StripeIntegration {
  const provider = stripeProvider(client);
  return {
    client,
    provider,
    onboard: (request) => startOnboarding({ db: deps.db, clock: deps.clock, connect: provider }, request),
  };
}
