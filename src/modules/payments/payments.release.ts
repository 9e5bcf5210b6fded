import type { Tx } from '../../db/database.ts';
import { conflict } from '../../errors.ts';
import { enqueue, type JobHandlers } from '../../jobs/queue.ts';
import { DAY } from '../../lib/clock.ts';
import { sessionCharge } from '../offerings/offerings.pricing.ts';
import type { TicketLifecycleHooks, TicketView } from '../tickets/tickets.service.ts';
import { callProvider, type PaymentsContext } from './payments.context.ts';
import { invoicingFlows } from './payments.invoicing.ts';
import { postCapture, postRelease, remainingOf, splitOf } from './payments.money.ts';
import * as repo from './payments.repository.ts';
import * as time from './time-entries.repository.ts';

export const AUTO_RELEASE_JOB = 'payments.auto-release';
/** Retries reach past a day of provider trouble before the job gives up and the payment waits for an operator. */
const AUTO_RELEASE_ATTEMPTS = 12;

/** Money that is waiting for the work to be confirmed. */
const RELEASABLE: repo.PaymentRow['status'][] = ['held', 'authorized'];

/**
 * Escrow release. Resolving a ticket sets each held payment's releaseDueAt (resolvedAt + ESCROW_GRACE_DAYS)
 * and enqueues the auto-release job in the resolution's own transaction; the customer's confirmation
 * releases at once. Release is one ledger posting (key `release:{paymentId}`) of what the payment still
 * holds: the VAT its invoice says it includes, and the split of the rest; a session first captures its
 * metered time. Every path runs under the payment's
 * row lock and re-checks its status, so a release happens once however many paths race to it.
 */
export function releaseFlows(ctx: PaymentsContext) {
  const { db, clock, config, logger } = ctx.deps;
  const invoicing = invoicingFlows(ctx);

  /** Gives up a session's authorization: nothing is taken from the card. */
  async function cancelAuthorization(trx: Tx, payment: repo.PaymentRow): Promise<repo.PaymentRow> {
    const provider = ctx.providers.of(payment.provider);
    await callProvider(ctx, 'cancel the authorization', () => provider.cancel(payment.provider_payment_id!, `cancel:${payment.id}`));
    return repo.updatePayment(trx, payment.id, { status: 'cancelled', release_due_at: null, updated_at: clock.now() });
  }

  /**
   * Captures what a session used: its charge for the time logged on the ticket and not billed yet, never
   * more than was authorized, less `deduction` (an operator's refund in a dispute). The time entries are
   * marked as billed by this payment, so they become its invoice lines and no later session bills them.
   */
  async function captureSession(trx: Tx, payment: repo.PaymentRow, deduction = 0): Promise<repo.PaymentRow> {
    // A session is always bought for a ticket.
    const entries = await time.unbilledTime(trx, payment.ticket_id!, clock.now());
    const minutes = entries.reduce((sum, entry) => sum + entry.minutes, 0);
    const price = { initialFee: payment.session_initial_fee!, perMinuteRate: payment.session_per_minute_rate!, minimumMinutes: payment.session_minimum_minutes! };
    const charge = Math.max(0, Math.min(sessionCharge(price, minutes), payment.amount) - deduction);
    if (charge === 0) return cancelAuthorization(trx, payment);
    const provider = ctx.providers.of(payment.provider);
    const captured = await callProvider(ctx, 'capture the session', () => provider.capture(payment.provider_payment_id!, charge, `capture:${payment.id}`));
    await postCapture(ctx, trx, payment, captured.capturedAmount, captured.processorFee);
    await time.markBilled(trx, entries.map((entry) => entry.id), payment.id);
    return repo.updatePayment(trx, payment.id, {
      status: 'held',
      captured_amount: captured.capturedAmount,
      processor_fee: captured.processorFee,
      provider_charge_id: captured.providerChargeId,
      updated_at: clock.now(),
    });
  }

  /** Releases a payment whose row the caller locked and found held or authorized. */
  async function releaseLocked(trx: Tx, locked: repo.PaymentRow, ticket: TicketView, options: { deduction?: number } = {}): Promise<repo.PaymentRow> {
    const helperId = locked.helper_id ?? ticket.assignee_id;
    if (!helperId) {
      throw conflict('Nobody is assigned to this ticket, so there is nobody to pay; assign a helper, then release the payment.', 'no_helper_to_pay');
    }
    const payment = locked.status === 'authorized' ? await captureSession(trx, locked, options.deduction) : locked;
    if (payment.status === 'cancelled') return payment;
    // The buyer's invoice first, in the same transaction: time and price become its lines
    // (payments.invoicing.ts), and the VAT it says the price includes is owed to the tax authority, not
    // split. Without an invoice (no VAT rate set) nothing is booked as VAT: the whole amount is split.
    await invoicing.issueForRelease(trx, payment);
    const vat = await invoicing.vatHeld(trx, payment);
    const split = splitOf(payment, remainingOf(payment) - vat);
    await postRelease(ctx, trx, payment, split, helperId, vat);
    return repo.updatePayment(trx, payment.id, {
      status: 'released',
      helper_id: helperId,
      released_at: clock.now(),
      split_helper: split.helper,
      split_commission: split.commission,
      split_platform_fee: split.platformFee,
      split_processor_fee: split.processorFee,
      updated_at: clock.now(),
    });
  }

  /** Sets when the payment releases by itself and enqueues the job that will do it, in `trx`. */
  async function schedule(trx: Tx, payment: repo.PaymentRow, dueAt: Date): Promise<void> {
    await repo.updatePayment(trx, payment.id, { release_due_at: dueAt, updated_at: clock.now() });
    // One job per due time: a ticket resolved again after a reopen gets a new job, and the old one,
    // finding a later releaseDueAt, does nothing.
    await enqueue(trx, clock, AUTO_RELEASE_JOB, { paymentId: payment.id }, {
      runAt: dueAt,
      singletonKey: `${AUTO_RELEASE_JOB}:${payment.id}:${dueAt.getTime()}`,
      maxAttempts: AUTO_RELEASE_ATTEMPTS,
    });
  }

  const dueAfter = (resolvedAt: Date) => new Date(resolvedAt.getTime() + config.ESCROW_GRACE_DAYS * DAY);

  /**
   * Releases unless there is nobody to pay (a ticket resolved by a maintainer before anyone claimed it): that
   * money stays held, refundable by maintainers and operators, and confirming the ticket must not fail for it.
   */
  async function releaseIfPayable(trx: Tx, payment: repo.PaymentRow, ticket: TicketView): Promise<void> {
    if (payment.helper_id || ticket.assignee_id) {
      await releaseLocked(trx, payment, ticket);
      return;
    }
    logger.warn({ paymentId: payment.id, ticketId: ticket.id }, 'a confirmed ticket has a held payment but nobody to pay');
  }

  /** Releases every held payment of a confirmed ticket, leaving disputed ones for the operator. */
  async function releaseTicket(trx: Tx, ticket: TicketView): Promise<void> {
    for (const payment of await repo.paymentsOfTicket(trx, ticket.id, { statuses: RELEASABLE, lock: true })) await releaseIfPayable(trx, payment, ticket);
  }

  const ticketHooks: TicketLifecycleHooks = {
    async resolved(trx, ticket) {
      const dueAt = dueAfter(ticket.resolved_at ?? clock.now());
      for (const payment of await repo.paymentsOfTicket(trx, ticket.id, { statuses: RELEASABLE, lock: true })) await schedule(trx, payment, dueAt);
    },
    confirmed: releaseTicket,
    async reopened(trx, ticket) {
      for (const payment of await repo.paymentsOfTicket(trx, ticket.id, { statuses: [...RELEASABLE, 'disputed'], lock: true })) {
        await repo.updatePayment(trx, payment.id, { release_due_at: null, updated_at: clock.now() });
      }
    },
  };

  /**
   * The job, when the grace period is over. It re-checks everything under the lock: a payment disputed,
   * refunded or already released, a ticket reopened or a due time moved by a later resolution all mean
   * there is nothing to do. Otherwise the ticket auto-confirms (closed), which releases its payments.
   */
  async function autoRelease({ paymentId }: { paymentId: string }): Promise<void> {
    const due = (payment: repo.PaymentRow | undefined): payment is repo.PaymentRow =>
      payment !== undefined && RELEASABLE.includes(payment.status) && payment.release_due_at !== null && payment.release_due_at.getTime() <= clock.now().getTime();
    await db.transaction().execute(async (trx) => {
      // Locks in the order a confirmation takes them, ticket before payments, so the two cannot deadlock:
      // auto-confirming locks the ticket, and its hook then locks and re-checks each payment.
      const found = await repo.findPayment(trx, paymentId);
      // Only a ticket's resolution schedules this job, so a payment without a ticket never has one due.
      if (!due(found) || !found.ticket_id) return;
      const ticket = (await ctx.tickets.findById(trx, found.ticket_id))!;
      if (ticket.status === 'resolved') {
        await ctx.tickets.autoConfirm(trx, ticket.id);
      } else if (ticket.status === 'closed') {
        const payment = await repo.findPayment(trx, paymentId, { lock: true });
        if (due(payment)) await releaseIfPayable(trx, payment, ticket);
      }
    });
  }

  return {
    releaseLocked,
    cancelAuthorization,
    ticketHooks,

    /**
     * For money that becomes held after the work was already resolved or confirmed (a late payment, a won
     * dispute): it releases on the same terms, when the grace period of the resolution ends, or now.
     */
    async scheduleIfDone(trx: Tx, payment: repo.PaymentRow, ticket: TicketView): Promise<void> {
      if (!RELEASABLE.includes(payment.status)) return;
      if (ticket.status === 'resolved' && ticket.resolved_at) await schedule(trx, payment, dueAfter(ticket.resolved_at));
      else if (ticket.status === 'closed') await schedule(trx, payment, clock.now());
    },

    jobHandlers: { [AUTO_RELEASE_JOB]: autoRelease } satisfies JobHandlers,
  };
}

export type ReleaseFlows = ReturnType<typeof releaseFlows>;
