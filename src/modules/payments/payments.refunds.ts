import { createHash } from 'node:crypto';
import type { Tx } from '../../db/database.ts';
import type { PaymentEvent } from './providers/types.ts';
import { AppError, conflict, forbidden } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Actor } from '../auth/actor.ts';
import { withIdempotency } from './idempotency.ts';
import { visiblePayment } from './payments.access.ts';
import { callProvider, type PaymentsContext } from './payments.context.ts';
import { invoicingFlows } from './payments.invoicing.ts';
import { postRefund, remainingOf, settledStatus, unrelease } from './payments.money.ts';
import { presentPaymentById, presentRefund } from './payments.presenter.ts';
import * as repo from './payments.repository.ts';
import type { RefundInput } from './payments.schemas.ts';

type RefundMeta = { providerRefundId: string; amount: number; reason: string; source: repo.RefundRow['source']; requestedBy: string | null };

/** Why a payment in this status cannot be refunded now. */
const NOT_REFUNDABLE: Partial<Record<repo.PaymentRow['status'], [string, string]>> = {
  pending: ['not_paid', 'This payment was never paid: there is nothing to refund.'],
  failed: ['not_paid', 'This payment failed: nothing was taken, so there is nothing to refund.'],
  expired: ['not_paid', 'This payment expired unpaid: there is nothing to refund.'],
  cancelled: ['not_paid', 'This payment was cancelled before anything was captured: there is nothing to refund.'],
  authorized: ['not_captured', 'This session is only authorized on the card, nothing is captured yet; an operator settles it through the dispute resolution.'],
  refunded: ['already_refunded', 'This payment is already refunded in full.'],
  disputed: ['payment_disputed', 'This payment is disputed; an operator settles it with POST /api/v1/admin/payments/{id}/dispute-resolution.'],
};

/**
 * Refunds, full or partial. Money still held goes back out of escrow; money already released is first
 * brought back by reversing the release in proportion, so the helper, the repository, the platform and the
 * fee each give back their share (a helper already paid out ends with a negative balance: intended).
 * A refund we asked for and the provider's later event about it are one refund, keyed by the provider's
 * refund id, whichever of the two is recorded first.
 */
export function refundFlows(ctx: PaymentsContext) {
  const { db, clock, logger } = ctx.deps;
  const invoicing = invoicingFlows(ctx);

  async function record(trx: Tx, payment: repo.PaymentRow, meta: RefundMeta): Promise<{ refund: repo.RefundRow; payment: repo.PaymentRow }> {
    const now = clock.now();
    const refund = await repo.insertRefund(trx, {
      id: newId(now.getTime()),
      payment_id: payment.id,
      amount: meta.amount,
      reason: meta.reason,
      provider_refund_id: meta.providerRefundId,
      source: meta.source,
      requested_by: meta.requestedBy,
      created_at: now,
    });
    if (!refund) return { refund: (await repo.findRefund(trx, payment.id, meta.providerRefundId))!, payment };
    // The credit note first: the VAT it gives back is the VAT the release's reversal takes from the tax line.
    const vat = await invoicing.creditRefund(trx, payment, refund);
    if (payment.released_at) await unrelease(ctx, trx, payment, meta.amount, `refund:${refund.id}:unrelease`, refund.id, vat);
    await postRefund(ctx, trx, payment, meta.amount, refund.id);
    const after = { ...payment, refunded_amount: payment.refunded_amount + meta.amount };
    const status = settledStatus(after, (await repo.openDisputes(trx, payment.id)).length);
    return { refund, payment: await repo.updatePayment(trx, payment.id, { refunded_amount: after.refunded_amount, status, updated_at: now }) };
  }

  /** Refunds `amount` of a payment whose row the caller locked: the provider first, then our books. */
  async function refundLocked(trx: Tx, payment: repo.PaymentRow, amount: number, meta: Omit<RefundMeta, 'providerRefundId' | 'amount'> & { providerKey: string }) {
    const refusal = NOT_REFUNDABLE[payment.status];
    if (refusal) throw conflict(refusal[1], refusal[0]);
    const left = remainingOf(payment);
    if (amount > left) {
      throw new AppError(409, 'refund_exceeds_remaining', `Only ${left} ${payment.currency} of this payment is left to refund, not ${amount}.`, [
        { path: 'body.amount', message: `must be at most ${left}` },
      ]);
    }
    // A plan's payment is shared out at its period's close, not through the payment: its module decides (docs/plans.md).
    const guard = ctx.refundGuards.get(payment.kind);
    if (guard) await guard(trx, payment, amount);
    const provider = ctx.providers.of(payment.provider);
    const { providerRefundId } = await callProvider(ctx, 'refund the payment', () => provider.refund(payment.provider_payment_id!, amount, meta.providerKey));
    return record(trx, payment, { ...meta, providerRefundId, amount });
  }

  return {
    refundLocked,

    /** Operators and maintainers of the repository refund; the Idempotency-Key makes a retry harmless. */
    async request(actor: Actor, id: string, input: RefundInput, key: string) {
      const { user, payment, relation } = await visiblePayment(ctx, actor, id);
      if (!relation.maintainer) throw forbidden("Only operators and the repository's maintainers may refund a payment.");
      // The provider's own key: ours is per caller, theirs per platform account; a hash keeps it short.
      const providerKey = `refund:${payment.id}:${createHash('sha256').update(`${user.userId}:${key}`).digest('hex').slice(0, 32)}`;
      return withIdempotency(db, clock, { actorId: user.userId, key, route: 'POST /api/v1/payments/{id}/refunds', request: { paymentId: payment.id, ...input } }, async (trx) => {
        const locked = (await repo.findPayment(trx, payment.id, { lock: true }))!;
        const result = await refundLocked(trx, locked, input.amount, { reason: input.reason, source: 'request', requestedBy: user.userId, providerKey });
        return { status: 201, body: { refund: presentRefund(result.refund), payment: await presentPaymentById(trx, payment.id) } };
      });
    },

    /** A refund.succeeded from the provider: made by us (already recorded) or at the provider's dashboard. */
    async providerRefund(trx: Tx, event: Extract<PaymentEvent, { type: 'refund.succeeded' }>): Promise<void> {
      const payment = await repo.findPaymentByCharge(trx, event.providerChargeId);
      if (!payment) {
        logger.warn({ charge: event.providerChargeId }, 'refund of a charge that is not one of our payments; ignored');
        return;
      }
      if (await repo.findRefund(trx, payment.id, event.providerRefundId)) return;
      // Money left without us: if it does not fit the payment, an operator has to look (the inbox keeps the error).
      if (event.currency !== payment.currency || event.amount > remainingOf(payment) || !['held', 'released', 'disputed'].includes(payment.status)) {
        throw new Error(`refund ${event.providerRefundId} of ${event.amount} ${event.currency} does not fit payment ${payment.id} (${payment.status}, ${remainingOf(payment)} ${payment.currency} left)`);
      }
      await record(trx, payment, { providerRefundId: event.providerRefundId, amount: event.amount, reason: 'Refunded at the payment processor', source: 'provider', requestedBy: null });
    },
  };
}

export type RefundFlows = ReturnType<typeof refundFlows>;
