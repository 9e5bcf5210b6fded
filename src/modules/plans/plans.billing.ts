import { sql } from 'kysely';
import type { Tx } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { enqueue } from '../../jobs/queue.ts';
import { DAY } from '../../lib/clock.ts';
import type { LedgerService } from '../ledger/ledger.service.ts';
import type { Invoice } from '../invoices/invoices.presenter.ts';
import { queueEmail } from '../mail/mail.service.ts';
import type { PaymentsService } from '../payments/payments.service.ts';
import { findUserById } from '../users/users.repository.ts';
import { firstCycle } from './plans.proration.ts';
import * as repo from './plans.repository.ts';

/** What the subscription flows are built from. */
export type PlansContext = { deps: Deps; payments: PaymentsService; ledger: LedgerService };

export const PERIOD_END_JOB = 'plans.period-end';
export const INVOICE_DUE_JOB = 'plans.invoice-due';

export type Billed = { payment: Awaited<ReturnType<PaymentsService['present']>> | null; invoice: Invoice | null };

const chargeOf = (period: repo.PeriodRow) => period.amount - period.credit_applied;

/**
 * Asks for a period's charge (its amount less the credit applied): a card checkout or an invoice with
 * net terms, through the payments domain, in the caller's transaction. Nothing to charge: the period is
 * paid at once, with credit.
 */
export async function billPeriod(ctx: PlansContext, trx: Tx, sub: repo.SubscriptionRow, period: repo.PeriodRow, description: string): Promise<Billed> {
  const { clock } = ctx.deps;
  const now = clock.now();
  const charge = chargeOf(period);
  if (charge === 0) {
    await repo.updatePeriod(trx, period.id, { paid_at: now, due_at: now });
    return { payment: null, invoice: null };
  }
  const payer = (await findUserById(trx, sub.payer_id))!;
  const { payment, invoice } = await ctx.payments.openCharge(trx, {
    kind: 'plan',
    method: sub.payment_method,
    ticketId: null,
    repoId: sub.repo_id,
    helperId: null,
    payer: { userId: payer.id, email: payer.email },
    amount: charge,
    currency: sub.currency,
    description,
    commissionBps: sub.commission_bps,
    invoice: { orgId: sub.org_id, poNumber: sub.po_number, reference: { type: 'subscription_period', id: period.id } },
  });
  // A card is due at once (the payer was sent the checkout); an invoice after the end of its due date.
  const dueAt = invoice?.dueDate ? new Date(Date.parse(`${invoice.dueDate}T00:00:00Z`) + DAY) : now;
  await repo.updatePeriod(trx, period.id, { payment_id: payment.id, invoice_id: invoice?.id ?? null, due_at: dueAt });
  if (invoice) await enqueue(trx, clock, INVOICE_DUE_JOB, { periodId: period.id }, { runAt: dueAt, singletonKey: `${INVOICE_DUE_JOB}:${period.id}` });
  await queueEmail(trx, clock, {
    to: payer.email,
    subject: `Support plan: ${invoice ? `invoice ${invoice.number}` : 'payment'} for ${description}`,
    text: invoice
      ? `Invoice ${invoice.number} asks for the plan's ${description}. It is due on ${invoice.dueDate}; the PDF: ${payment.url}.pdf`
      : `Pay ${description} here: ${payment.url}`,
    dedupeKey: `plan-charge:${period.id}`,
  });
  return { payment: await ctx.payments.present(trx, payment.id), invoice };
}

/** Enqueues the job that closes the period (its revenue shared out) and renews or ends the subscription. */
export async function schedulePeriodEnd(ctx: PlansContext, trx: Tx, period: repo.PeriodRow): Promise<void> {
  const endsAt = period.ends_at!;
  // The due time is in the key: a period cut short by a change gets a new job, and the old one finds it moved.
  await enqueue(trx, ctx.deps.clock, PERIOD_END_JOB, { periodId: period.id, endsAt: endsAt.toISOString() }, { runAt: endsAt, singletonKey: `${PERIOD_END_JOB}:${period.id}:${endsAt.getTime()}` });
}

/** The first period starts when its card payment arrives (or at once by invoice): the cycles count from then. */
export async function startFirstPeriod(ctx: PlansContext, trx: Tx, sub: repo.SubscriptionRow, period: repo.PeriodRow, plan: repo.PlanRow, at: Date): Promise<repo.PeriodRow> {
  const cycle = firstCycle(at, plan.period);
  const started = await repo.updatePeriod(trx, period.id, { status: 'active', starts_at: cycle.start, ends_at: cycle.end, cycle_starts_at: cycle.start, cycle_ends_at: cycle.end });
  await repo.updateSubscription(trx, sub.id, { current_period_id: started.id, anchor_at: at, updated_at: ctx.deps.clock.now() });
  await schedulePeriodEnd(ctx, trx, started);
  return started;
}

/**
 * Past due while some running period's charge is overdue (a card renewal or change not paid yet, an
 * invoice unpaid after its due date); active again once nothing is. Ended and cancelled stay so.
 */
export async function refreshStatus(ctx: PlansContext, trx: Tx, subscriptionId: string): Promise<void> {
  const sub = (await repo.findSubscription(trx, subscriptionId))!;
  if (sub.status !== 'active' && sub.status !== 'past_due') return;
  const now = ctx.deps.clock.now();
  const overdue = await trx
    .selectFrom('subscription_periods')
    .select(sql<number>`count(*)`.as('count'))
    .where('subscription_id', '=', sub.id)
    .where('status', '=', 'active')
    .where('paid_at', 'is', null)
    .where('due_at', '<=', now)
    .executeTakeFirstOrThrow();
  const status = Number(overdue.count) > 0 ? 'past_due' : 'active';
  if (status !== sub.status) await repo.updateSubscription(trx, sub.id, { status, updated_at: now });
}
