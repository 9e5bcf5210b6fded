import type { PaymentProvider } from '../../modules/payments/providers/types.ts';
import type { Stripe, StripeClient } from './client.ts';

/**
 * Stripe as a PaymentProvider, with "separate charges and transfers": the customer pays the platform
 * (a Checkout Session), and the platform later pays helper and repository with transfers tagged with
 * the same transfer_group. Money stays on the platform's balance while the work is under way, which
 * is what lets the payment be held, refunded or split after the fact.
 *
 * Amounts are minor units both here and at Stripe; currencies are uppercase here, lowercase at Stripe.
 */
export type StripeProviderOptions = {
  /** Country of new connected accounts when the caller does not know it (ISO 3166-1 alpha-2). */
  defaultCountry?: string;
};

export type StripeConnect = {
  /** A Connect Express account that can receive transfers; the owner finishes onboarding on Stripe. */
  createConnectedAccount(email: string, country?: string, idempotencyKey?: string): Promise<{ providerAccountId: string }>;
  /** A one-time link to Stripe's hosted onboarding; it expires within minutes, so make it on demand. */
  onboardingLink(accountId: string, refreshUrl: string, returnUrl: string): Promise<string>;
};

export type StripeProvider = PaymentProvider & StripeConnect;

export function stripeProvider(client: StripeClient, options: StripeProviderOptions = {}): StripeProvider {
  /**
   * Our payments know the Checkout Session (what createCheckout returned); capture, cancel and refund
   * act on its PaymentIntent, which exists only once the customer has paid.
   */
  async function paymentIntentOf(providerPaymentId: string): Promise<string> {
    if (providerPaymentId.startsWith('pi_')) return providerPaymentId;
    const session = await client.checkout.sessions.retrieve(providerPaymentId);
    const intent = idOf(session.payment_intent);
    if (!intent) throw new Error(`Checkout Session ${providerPaymentId} has no payment yet (status ${session.status})`);
    return intent;
  }

  return {
    name: 'stripe',

    async createCheckout(request) {
      const metadata = { payment_id: request.paymentId };
      const session = await client.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: request.currency.toLowerCase(),
                unit_amount: request.amount,
                product_data: { name: request.description },
              },
            },
          ],
          customer_email: request.customerEmail,
          client_reference_id: request.paymentId,
          metadata,
          payment_intent_data: { transfer_group: request.transferGroup, capture_method: request.captureMethod, metadata },
          success_url: request.successUrl,
          cancel_url: request.cancelUrl,
        },
        { idempotencyKey: request.idempotencyKey },
      );
      if (!session.url) throw new Error(`Stripe returned Checkout Session ${session.id} without a URL`);
      return { providerPaymentId: session.id, url: session.url };
    },

    async capture(providerPaymentId, amount, idempotencyKey) {
      const intent = await client.paymentIntents.capture(
        await paymentIntentOf(providerPaymentId),
        // The fee is only known once the charge is captured: it is on the charge's balance transaction.
        { amount_to_capture: amount, expand: ['latest_charge.balance_transaction'] },
        { idempotencyKey },
      );
      const charge = intent.latest_charge as Stripe.Charge | null;
      if (!charge) throw new Error(`PaymentIntent ${intent.id} was captured without a charge`);
      return { capturedAmount: charge.amount_captured, processorFee: feeOf(charge), providerChargeId: charge.id };
    },

    async cancel(providerPaymentId, idempotencyKey) {
      if (providerPaymentId.startsWith('cs_')) {
        const session = await client.checkout.sessions.retrieve(providerPaymentId);
        // Nobody has paid yet: expiring the session stops anyone from paying later.
        if (session.status === 'open') {
          await client.checkout.sessions.expire(session.id, {}, { idempotencyKey });
          return;
        }
        const intent = idOf(session.payment_intent);
        if (!intent) return; // expired already: nothing was authorized
        await client.paymentIntents.cancel(intent, {}, { idempotencyKey });
        return;
      }
      await client.paymentIntents.cancel(providerPaymentId, {}, { idempotencyKey });
    },

    async refund(providerPaymentId, amount, idempotencyKey) {
      const refund = await client.refunds.create({ payment_intent: await paymentIntentOf(providerPaymentId), amount }, { idempotencyKey });
      return { providerRefundId: refund.id };
    },

    async transfer(request) {
      const transfer = await client.transfers.create(
        {
          amount: request.amount,
          currency: request.currency.toLowerCase(),
          destination: request.destination,
          transfer_group: request.transferGroup,
        },
        { idempotencyKey: request.idempotencyKey },
      );
      return { providerTransferId: transfer.id };
    },

    async reverseTransfer(providerTransferId, amount, idempotencyKey) {
      const reversal = await client.transfers.createReversal(providerTransferId, { amount }, { idempotencyKey });
      return { providerReversalId: reversal.id };
    },

    async createConnectedAccount(email, country, idempotencyKey) {
      const account = await client.accounts.create(
        {
          type: 'express',
          email,
          country: country ?? options.defaultCountry,
          // Transfers only: customers pay the platform, never the connected account directly.
          capabilities: { transfers: { requested: true } },
        },
        idempotencyKey ? { idempotencyKey } : undefined,
      );
      return { providerAccountId: account.id };
    },

    async onboardingLink(accountId, refreshUrl, returnUrl) {
      const link = await client.accountLinks.create({ account: accountId, type: 'account_onboarding', refresh_url: refreshUrl, return_url: returnUrl });
      return link.url;
    },
  };
}

/** Stripe fields that may hold an id or, when expanded, the object itself. */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

/** The processor fee of a captured charge, from its (expanded) balance transaction; 0 before capture. */
export function feeOf(charge: Stripe.Charge): number {
  const transaction = charge.balance_transaction;
  if (!transaction) return 0;
  if (typeof transaction === 'string') throw new Error(`Charge ${charge.id}: expand balance_transaction to read the fee`);
  return transaction.fee;
}
