import { createHash } from 'node:crypto';
import { bpsOf } from '../../ledger/split.ts';
import type { PaymentProvider } from './types.ts';

/**
 * The embedded test provider, used whenever Stripe is not configured: no money moves anywhere. The
 * payer "pays" on our own page (/pay/sandbox/{paymentId}), whose button reports a payment.succeeded
 * through the same sink as a provider webhook, so the rest of the payment's life is the real one.
 *
 * Its processor fee imitates a card processor's, deterministically: 2.9% of the amount rounded down,
 * plus 30 minor units, never more than the amount itself.
 */
export const SANDBOX_FEE_BPS = 290;
export const SANDBOX_FEE_FIXED = 30;

export function sandboxFee(amount: number): number {
  return Math.min(amount, bpsOf(amount, SANDBOX_FEE_BPS) + SANDBOX_FEE_FIXED);
}

export const sandboxCheckoutPath = (paymentId: string) => `/pay/sandbox/${paymentId}`;
export const sandboxChargeId = (paymentId: string) => `sandbox_ch_${paymentId}`;

/** Ids derived from the idempotency key, so that a retried call answers with the same id, as a provider does. */
const derivedId = (prefix: string, key: string) => `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;

export function sandboxProvider(baseUrl: string): PaymentProvider {
  return {
    name: 'sandbox',
    async createCheckout(request) {
      return { providerPaymentId: `sandbox_${request.paymentId}`, url: `${baseUrl}${sandboxCheckoutPath(request.paymentId)}` };
    },
    async capture(providerPaymentId, amount) {
      return { capturedAmount: amount, processorFee: sandboxFee(amount), providerChargeId: sandboxChargeId(providerPaymentId.replace(/^sandbox_/, '')) };
    },
    async cancel() {},
    async refund(_providerPaymentId, _amount, idempotencyKey) {
      return { providerRefundId: derivedId('sandbox_re', idempotencyKey) };
    },
    async transfer(request) {
      return { providerTransferId: derivedId('sandbox_tr', request.idempotencyKey) };
    },
    async reverseTransfer(_providerTransferId, _amount, idempotencyKey) {
      return { providerReversalId: derivedId('sandbox_trr', idempotencyKey) };
    },
  };
}
