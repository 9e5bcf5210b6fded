import type { Tx } from '../../db/database.ts';
import { UUID_PATTERN } from '../../lib/ids.ts';
import { afterHeld } from './payments.charges.ts';
import type { PaymentsContext } from './payments.context.ts';
import type { DisputeFlows } from './payments.disputes.ts';
import { postCapture } from './payments.money.ts';
import type { RefundFlows } from './payments.refunds.ts';
import type { ReleaseFlows } from './payments.release.ts';
import * as repo from './payments.repository.ts';
import * as quotes from './quotes.repository.ts';
import type { PaymentEvent, PaymentEventSink } from './providers/types.ts';

type Of<T extends PaymentEvent['type']> = Extract<PaymentEvent, { type: T }>;

/** Statuses from which a payment can still succeed: a declined card may be followed by another that works. */
const UNPAID = ['pending', 'failed', 'expired'];

/**
 * The payments domain's handler of provider events (PaymentEventSink), for Stripe's webhook inbox and
 * the sandbox's Pay button alike. Each event is applied in one transaction under the payment's row lock,
 * and is idempotent on its own, whatever guard the caller has: payment.succeeded only moves an unpaid
 * payment (and its capture posting is keyed `capture:{paymentId}`), refunds are keyed by the provider's
 * refund id, disputes by the provider's dispute id, and a closed dispute closes once.
 */
export function paymentEventSink(ctx: PaymentsContext, release: ReleaseFlows, refunds: RefundFlows, disputes: DisputeFlows): PaymentEventSink {
  const { db, clock, logger } = ctx.deps;

  async function ours(trx: Tx, paymentId: string): Promise<repo.PaymentRow | undefined> {
    const payment = UUID_PATTERN.test(paymentId) ? await repo.findPayment(trx, paymentId, { lock: true }) : undefined;
    // A payment made by another installation sharing the provider account, or deleted test data: not ours to act on.
    if (!payment) logger.warn({ paymentId }, 'provider event about a payment we do not have; ignored');
    return payment;
  }

  async function succeeded(trx: Tx, event: Of<'payment.succeeded'>): Promise<void> {
    const payment = await ours(trx, event.paymentId);
    if (!payment || !UNPAID.includes(payment.status)) return;
    if (event.amount !== payment.amount || event.currency !== payment.currency) {
      // Money arrived that does not match what we asked for: an operator has to look (the inbox keeps this error).
      throw new Error(`payment ${payment.id}: the provider reports ${event.amount} ${event.currency}, we asked for ${payment.amount} ${payment.currency}`);
    }
    const now = clock.now();
    if (event.captured) await postCapture(ctx, trx, payment, event.amount, event.processorFee);
    const held = await repo.updatePayment(trx, payment.id, {
      status: event.captured ? 'held' : 'authorized',
      captured_amount: event.captured ? event.amount : 0,
      processor_fee: event.captured ? event.processorFee : 0,
      provider_charge_id: event.providerChargeId,
      failure_reason: null,
      held_at: now,
      updated_at: now,
    });
    await afterHeld(ctx, release, trx, held);
  }

  async function failed(trx: Tx, event: Of<'payment.failed'>): Promise<void> {
    const payment = await ours(trx, event.paymentId);
    if (payment?.status !== 'pending') return;
    await repo.updatePayment(trx, payment.id, { status: 'failed', failure_reason: event.reason.slice(0, 500), updated_at: clock.now() });
  }

  /** Nobody paid in time. An accepted quote becomes acceptable again, so the customer can get a new checkout. */
  async function expired(trx: Tx, event: Of<'payment.expired'>): Promise<void> {
    const payment = await ours(trx, event.paymentId);
    if (payment?.status !== 'pending' && payment?.status !== 'failed') return;
    const now = clock.now();
    await repo.updatePayment(trx, payment.id, { status: 'expired', updated_at: now });
    if (payment.quote_id) await quotes.updateQuote(trx, payment.quote_id, { status: 'pending', decided_by: null, decided_at: null, updated_at: now });
  }

  async function apply(trx: Tx, event: PaymentEvent): Promise<void> {
    switch (event.type) {
      case 'payment.succeeded':
        return succeeded(trx, event);
      case 'payment.failed':
        return failed(trx, event);
      case 'payment.expired':
        return expired(trx, event);
      case 'refund.succeeded':
        return refunds.providerRefund(trx, event);
      case 'dispute.created':
        return disputes.providerOpened(trx, event);
      case 'dispute.closed':
        return disputes.providerClosed(trx, event);
    }
  }

  return (event) => db.transaction().execute((trx) => apply(trx, event));
}
