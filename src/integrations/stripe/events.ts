import type { PaymentEvent } from '../../modules/payments/providers/types.ts';
import type { Interpretation } from '../../modules/provider-events/provider-events.types.ts';
import type { Stripe, StripeClient } from './client.ts';
import { payoutAccountStatus, setPayoutAccountStatus } from './payout-accounts.ts';
import { feeOf, idOf } from './provider.ts';

const nothing: Interpretation = { paymentEvents: [] };
const upper = (currency: string) => currency.toUpperCase();

/**
 * Turns Stripe events into normalized PaymentEvents. Events carry a snapshot taken when they happened;
 * what they lack (the charge and its fee, the list of refunds) is read from the API when handled.
 * Sessions and intents without our payment id were not created by Backline and are ignored.
 */
export function stripeEventInterpreter(client: StripeClient) {
  async function paid(session: Stripe.Checkout.Session): Promise<PaymentEvent[]> {
    const paymentId = paymentIdOf(session);
    const intentId = idOf(session.payment_intent);
    if (!paymentId || !intentId) return [];
    const intent = await client.paymentIntents.retrieve(intentId, { expand: ['latest_charge.balance_transaction'] });
    // 'processing' is a delayed method (a bank debit): checkout.session.async_payment_succeeded follows.
    if (intent.status !== 'succeeded' && intent.status !== 'requires_capture') return [];
    const charge = intent.latest_charge as Stripe.Charge | null;
    if (!charge) throw new Error(`PaymentIntent ${intent.id} is ${intent.status} but has no charge`);
    return [{
      type: 'payment.succeeded',
      paymentId,
      providerPaymentId: session.id,
      providerChargeId: charge.id,
      amount: session.amount_total ?? intent.amount,
      currency: upper(session.currency ?? intent.currency),
      processorFee: feeOf(charge),
      captured: charge.captured,
    }];
  }

  /** Stripe reports a failed attempt on the intent; our payments know the session, so find it. */
  async function failed(intent: Stripe.PaymentIntent): Promise<PaymentEvent[]> {
    const paymentId = intent.metadata?.payment_id;
    if (!paymentId) return [];
    const sessions = await client.checkout.sessions.list({ payment_intent: intent.id, limit: 1 });
    const reason = intent.last_payment_error?.message ?? 'The payment failed.';
    return [{ type: 'payment.failed', paymentId, providerPaymentId: sessions.data[0]?.id ?? intent.id, reason }];
  }

  /** Every succeeded refund of the charge, oldest first: the event says the charge was refunded, not which refund. */
  async function refunds(charge: Stripe.Charge): Promise<PaymentEvent[]> {
    const all: Stripe.Refund[] = [];
    for await (const refund of client.refunds.list({ charge: charge.id, limit: 100 })) all.push(refund);
    return all
      .filter((refund) => refund.status === 'succeeded')
      .sort((a, b) => a.created - b.created)
      .map((refund) => refundSucceeded(refund, charge.id));
  }

  return async function interpret(payload: unknown): Promise<Interpretation> {
    const event = payload as Stripe.Event;
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
        return { paymentEvents: await paid(event.data.object) };
      case 'checkout.session.async_payment_failed': {
        const session = event.data.object;
        const paymentId = paymentIdOf(session);
        return { paymentEvents: paymentId ? [{ type: 'payment.failed', paymentId, providerPaymentId: session.id, reason: 'The delayed payment failed.' }] : [] };
      }
      case 'checkout.session.expired': {
        const session = event.data.object;
        const paymentId = paymentIdOf(session);
        return { paymentEvents: paymentId ? [{ type: 'payment.expired', paymentId, providerPaymentId: session.id }] : [] };
      }
      case 'payment_intent.payment_failed':
        return { paymentEvents: await failed(event.data.object) };
      case 'charge.refunded':
        return { paymentEvents: await refunds(event.data.object) };
      case 'charge.refund.updated': {
        // Refunds of some methods succeed later than charge.refunded is sent.
        const refund = event.data.object;
        const chargeId = idOf(refund.charge);
        return { paymentEvents: refund.status === 'succeeded' && chargeId ? [refundSucceeded(refund, chargeId)] : [] };
      }
      case 'charge.dispute.created': {
        const dispute = event.data.object;
        return {
          paymentEvents: [{ type: 'dispute.created', providerChargeId: idOf(dispute.charge)!, providerDisputeId: dispute.id, amount: dispute.amount, currency: upper(dispute.currency) }],
        };
      }
      case 'charge.dispute.closed': {
        const dispute = event.data.object;
        // Only 'lost' takes the money for good; won, warning_closed (an inquiry) and prevented do not.
        const status = dispute.status === 'lost' ? 'lost' : 'won';
        return { paymentEvents: [{ type: 'dispute.closed', providerChargeId: idOf(dispute.charge)!, providerDisputeId: dispute.id, status }] };
      }
      case 'account.updated': {
        const account = event.data.object;
        return { paymentEvents: [], apply: (trx) => setPayoutAccountStatus(trx, account.id, payoutAccountStatus(account)) };
      }
      default:
        return nothing;
    }
  };
}

function paymentIdOf(session: Stripe.Checkout.Session): string | null {
  return session.metadata?.payment_id ?? session.client_reference_id ?? null;
}

function refundSucceeded(refund: Stripe.Refund, chargeId: string): PaymentEvent {
  return { type: 'refund.succeeded', providerChargeId: chargeId, providerRefundId: refund.id, amount: refund.amount, currency: upper(refund.currency) };
}
