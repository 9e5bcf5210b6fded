import type { Tx } from '../../db/database.ts';
import { conflict, notFound } from '../../errors.ts';
import { newId, UUID_PATTERN } from '../../lib/ids.ts';
import { requireOperator, type Actor } from '../auth/actor.ts';
import type { TicketView } from '../tickets/tickets.service.ts';
import { withIdempotency } from './idempotency.ts';
import { requireCustomer, ticketAccess } from './payments.access.ts';
import type { PaymentsContext } from './payments.context.ts';
import { postChargeback, remainingOf, restoreAfterWonDispute, settledStatus, unrelease } from './payments.money.ts';
import { presentPaymentById, presentPayments } from './payments.presenter.ts';
import type { ReleaseFlows } from './payments.release.ts';
import type { RefundFlows } from './payments.refunds.ts';
import * as repo from './payments.repository.ts';
import type { ResolutionInput } from './payments.schemas.ts';
import type { PaymentEvent } from './providers/types.ts';

/** The operator's dispute list shows this many payments, the most recently changed first. */
const DISPUTE_LIST_LIMIT = 100;

/**
 * Two kinds of dispute. A customer disputes the work before the money is released: nothing moves, the
 * payment is frozen (no auto-release, no refund) until an operator decides to release it or to refund
 * some or all of it. A provider dispute (a chargeback) takes the money at once: the ledger returns it
 * from escrow, reversing the release in proportion first if it was released; a won dispute brings it
 * back and releases it again, a lost one leaves it gone.
 */
export function disputeFlows(ctx: PaymentsContext, release: ReleaseFlows, refunds: RefundFlows) {
  const { db, clock, logger } = ctx.deps;

  /** What remains after an operator's refund of `amount` (everything when not given) goes to the helper. */
  async function settleWithRefund(trx: Tx, payment: repo.PaymentRow, ticket: TicketView, disputeId: string, amount: number | undefined, operatorId: string) {
    if (payment.status === 'authorized') {
      // Nothing is captured yet: refunding means taking less from the card, or nothing at all.
      return amount === undefined ? release.cancelAuthorization(trx, payment) : release.releaseLocked(trx, payment, ticket, { deduction: amount });
    }
    const { payment: refunded } = await refunds.refundLocked(trx, payment, amount ?? remainingOf(payment), {
      reason: 'Dispute resolved by an operator',
      source: 'dispute_resolution',
      requestedBy: operatorId,
      providerKey: `dispute:${disputeId}:refund`,
    });
    return remainingOf(refunded) > 0 ? release.releaseLocked(trx, refunded, ticket) : refunded;
  }

  async function providerPayment(trx: Tx, chargeId: string): Promise<repo.PaymentRow | undefined> {
    const payment = await repo.findPaymentByCharge(trx, chargeId);
    if (!payment) logger.warn({ charge: chargeId }, 'dispute about a charge that is not one of our payments; ignored');
    return payment;
  }

  return {
    /** The customer contests the work: every payment of the ticket still held is frozen for an operator. */
    async open(actor: Actor, ticketId: string, reason: string) {
      const { user, ticket, relation } = await ticketAccess(ctx, actor, ticketId);
      requireCustomer(relation, 'dispute its payment');
      const items = await db.transaction().execute(async (trx) => {
        const payments = await repo.paymentsOfTicket(trx, ticket.id, { lock: true });
        const held = payments.filter((payment) => payment.status === 'held' || payment.status === 'authorized');
        if (held.length === 0) {
          if (payments.some((payment) => payment.status === 'disputed')) throw conflict('The payment for this ticket is already disputed; an operator will decide.', 'already_disputed');
          if (payments.some((payment) => payment.status === 'released')) {
            throw conflict("The payment was already released to the helper; ask the repository's maintainers for a refund.", 'already_released');
          }
          throw conflict('Nothing is held for this ticket, so there is nothing to dispute.', 'nothing_to_dispute');
        }
        const now = clock.now();
        const frozen: repo.PaymentRow[] = [];
        for (const payment of held) {
          await repo.insertDispute(trx, {
            id: newId(now.getTime()),
            payment_id: payment.id,
            source: 'customer',
            provider_dispute_id: null,
            reason,
            amount: null,
            status: 'open',
            opened_by: user.userId,
            opened_at: now,
            closed_by: null,
            closed_at: null,
          });
          frozen.push(await repo.updatePayment(trx, payment.id, { status: 'disputed', updated_at: now }));
        }
        return presentPayments(trx, frozen);
      });
      return { items };
    },

    /**
     * The operator's list: payments with an open dispute (or, with `closed`, settled ones), each with its
     * ticket's title and repository so the operator knows what the work was.
     */
    async listForOperator(actor: Actor, state: 'open' | 'closed') {
      requireOperator(actor);
      const rows = await repo.disputedPayments(db, state, DISPUTE_LIST_LIMIT);
      const payments = await presentPayments(db, rows);
      const items = [];
      for (const payment of payments) {
        const ticket = payment.ticketId ? await ctx.tickets.findById(db, payment.ticketId) : undefined;
        items.push({ payment, ticket: ticket ? { id: ticket.id, title: ticket.title, repo: ticket.repo_full_name } : null });
      }
      return { items };
    },

    /** An operator settles a customer dispute: release to the helper, or refund (the rest is released). */
    async resolve(actor: Actor, id: string, input: ResolutionInput, key: string) {
      const operator = requireOperator(actor);
      if (!UUID_PATTERN.test(id) || !(await repo.findPayment(db, id))) throw notFound('The payment');
      const route = 'POST /api/v1/admin/payments/{id}/dispute-resolution';
      return withIdempotency(db, clock, { actorId: operator.userId, key, route, request: { paymentId: id, ...input } }, async (trx) => {
        const locked = (await repo.findPayment(trx, id, { lock: true }))!;
        const open = await repo.openDisputes(trx, id);
        const dispute = open.find((candidate) => candidate.source === 'customer');
        if (!dispute) throw conflict('This payment has no open customer dispute to resolve.', 'no_open_dispute');
        if (open.some((candidate) => candidate.source === 'provider')) {
          throw conflict("The card network is deciding a chargeback on this payment; resolve the customer's dispute once it closes.", 'chargeback_open');
        }
        const now = clock.now();
        await repo.closeDispute(trx, dispute.id, { status: input.outcome === 'release' ? 'released' : 'refunded', closed_by: operator.userId, closed_at: now });
        const payment = await repo.updatePayment(trx, id, { status: settledStatus(locked, 0), updated_at: now });
        // Customers dispute through a ticket, so a customer dispute's payment always has one.
        const ticket = (await ctx.tickets.findById(trx, payment.ticket_id!))!;
        if (input.outcome === 'release') await release.releaseLocked(trx, payment, ticket);
        else await settleWithRefund(trx, payment, ticket, dispute.id, input.amount, operator.userId);
        return { status: 200, body: { payment: await presentPaymentById(trx, id) } };
      });
    },

    async providerOpened(trx: Tx, event: Extract<PaymentEvent, { type: 'dispute.created' }>): Promise<void> {
      const payment = await providerPayment(trx, event.providerChargeId);
      if (!payment || (await repo.findProviderDispute(trx, payment.id, event.providerDisputeId))) return;
      if (event.currency !== payment.currency) throw new Error(`dispute ${event.providerDisputeId} is in ${event.currency}, payment ${payment.id} in ${payment.currency}`);
      const now = clock.now();
      // What the bank takes from this payment's parties: at most what it still holds for them.
      const amount = Math.min(event.amount, remainingOf(payment));
      const dispute = (await repo.insertDispute(trx, {
        id: newId(now.getTime()),
        payment_id: payment.id,
        source: 'provider',
        provider_dispute_id: event.providerDisputeId,
        reason: 'Chargeback opened at the card network',
        amount,
        status: 'open',
        opened_by: null,
        opened_at: now,
        closed_by: null,
        closed_at: null,
      }))!;
      if (amount > 0 && payment.released_at) await unrelease(ctx, trx, payment, amount, `dispute:${dispute.id}:unrelease`, dispute.id);
      if (event.amount > 0) await postChargeback(ctx, trx, payment, amount, event.amount, dispute.id);
      await repo.updatePayment(trx, payment.id, { status: 'disputed', updated_at: now });
    },

    async providerClosed(trx: Tx, event: Extract<PaymentEvent, { type: 'dispute.closed' }>): Promise<void> {
      const payment = await providerPayment(trx, event.providerChargeId);
      const dispute = payment && (await repo.findProviderDispute(trx, payment.id, event.providerDisputeId));
      if (!payment || !dispute || dispute.status !== 'open') return;
      const now = clock.now();
      if (event.status === 'won') await restoreAfterWonDispute(ctx, trx, payment, dispute.id);
      await repo.closeDispute(trx, dispute.id, { status: event.status, closed_by: null, closed_at: now });
      const chargedBack = payment.charged_back_amount + (event.status === 'lost' ? (dispute.amount ?? 0) : 0);
      const status = settledStatus({ ...payment, charged_back_amount: chargedBack }, (await repo.openDisputes(trx, payment.id)).length);
      const updated = await repo.updatePayment(trx, payment.id, { charged_back_amount: chargedBack, status, updated_at: now });
      // Held money the auto-release skipped while it was frozen still has to reach the helper.
      if (payment.ticket_id) await release.scheduleIfDone(trx, updated, (await ctx.tickets.findById(trx, payment.ticket_id))!);
    },
  };
}

export type DisputeFlows = ReturnType<typeof disputeFlows>;
