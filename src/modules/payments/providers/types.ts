/**
 * What the payments domain needs from a payment provider. Sandbox (embedded default), Stripe and
 * Invoice (bank transfer) implement it; the payments service never knows which one it talks to.
 *
 * Amounts are integers in the currency's minor unit. Every call that moves money takes an
 * idempotency key, passed on to the provider, so a retried call never moves money twice.
 */
export type ProviderName = 'sandbox' | 'stripe' | 'invoice';

export type CheckoutRequest = {
  /** Our payment id; providers echo it back in events (Stripe: metadata.payment_id, client_reference_id). */
  paymentId: string;
  amount: number;
  currency: string;
  description: string;
  customerEmail: string;
  /** Where the payer returns after paying or giving up. */
  successUrl: string;
  cancelUrl: string;
  /**
   * 'automatic' takes the money at once (fixed prices, quotes); 'manual' only authorizes it, and
   * `capture` later takes the metered part (per-minute sessions).
   */
  captureMethod: 'automatic' | 'manual';
  /** Groups the charge with the transfers that pay helper and repository out of it (Stripe transfer_group). */
  transferGroup: string;
  idempotencyKey: string;
};

export type CheckoutResult = {
  /** The provider's id for this payment (Stripe: the Checkout Session id). */
  providerPaymentId: string;
  /** Where to send the payer. */
  url: string;
};

export type CaptureResult = { capturedAmount: number; processorFee: number; providerChargeId: string };

export type PaymentProvider = {
  name: ProviderName;
  createCheckout(request: CheckoutRequest): Promise<CheckoutResult>;
  /** Takes `amount` (at most what was authorized) of a manual-capture payment; the rest is released. */
  capture(providerPaymentId: string, amount: number, idempotencyKey: string): Promise<CaptureResult>;
  /** Cancels an authorization that will not be captured. */
  cancel(providerPaymentId: string, idempotencyKey: string): Promise<void>;
  refund(providerPaymentId: string, amount: number, idempotencyKey: string): Promise<{ providerRefundId: string }>;
  /** Pays a connected account (helper or repository) out of the platform balance. */
  transfer(request: { destination: string; amount: number; currency: string; transferGroup: string; idempotencyKey: string }): Promise<{ providerTransferId: string }>;
  /** Takes back (part of) a transfer, after a refund or a dispute. */
  reverseTransfer(providerTransferId: string, amount: number, idempotencyKey: string): Promise<{ providerReversalId: string }>;
};

/**
 * Events a provider reports, normalized. The provider's webhook handler turns its own payloads into
 * these, after verifying the signature and storing the event once per (provider, external id).
 */
export type PaymentEvent =
  | { type: 'payment.succeeded'; paymentId: string; providerPaymentId: string; providerChargeId: string; amount: number; currency: string; processorFee: number; captured: boolean }
  | { type: 'payment.failed'; paymentId: string; providerPaymentId: string; reason: string }
  | { type: 'payment.expired'; paymentId: string; providerPaymentId: string }
  | { type: 'refund.succeeded'; providerChargeId: string; providerRefundId: string; amount: number; currency: string }
  | { type: 'dispute.created'; providerChargeId: string; providerDisputeId: string; amount: number; currency: string }
  | { type: 'dispute.closed'; providerChargeId: string; providerDisputeId: string; status: 'won' | 'lost' };

export type PaymentEventSink = (event: PaymentEvent) => Promise<void>;
