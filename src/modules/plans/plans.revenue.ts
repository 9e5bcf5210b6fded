import type { Tx } from '../../db/database.ts';
import { accounts } from '../ledger/accounts.ts';
import { allocate, bpsOf, splitPayment, type Split } from '../ledger/split.ts';
import type { Entry } from '../ledger/postings.ts';
import type { PlansContext } from './plans.billing.ts';
import * as repo from './plans.repository.ts';
import { linkedTicketIds } from './plans.tickets.ts';
import { vatOfRevenue } from './plans.vat.ts';

export type HelperMinutes = { helperId: string; minutes: number };
export type RevenueShare = { split: Split; helpers: { helperId: string; minutes: number; amount: number }[]; toRepo: number };

/**
 * How a period's revenue is shared, as a pure function. The ledger's split first: commission and
 * platform fee rounded down, the processor fee of the payment that paid the period paid back, the rest
 * for the helpers (every rounding remainder included). That rest is then divided by logged minutes with
 * the ledger's largest-remainder rule (`allocate`): the parts add up to it exactly, and a unit left over
 * goes to the largest remainder, then to whoever logged more, then to the earlier helper in the list.
 * With no time logged at all, the helpers' part goes to the repository: nobody else did the work.
 *
 * The processor fee never takes the helpers' part below zero; the platform bears what it cannot cover,
 * as it does for a ticket's payment (payments.money.ts, splitOf).
 */
export function shareRevenue(input: { revenue: number; commissionBps: number; platformFeeBps: number; processorFee: number; minutes: HelperMinutes[] }): RevenueShare {
  const room = input.revenue - bpsOf(input.revenue, input.commissionBps) - bpsOf(input.revenue, input.platformFeeBps);
  const split = splitPayment({
    amount: input.revenue,
    commissionBps: input.commissionBps,
    platformFeeBps: input.platformFeeBps,
    processorFee: Math.max(0, Math.min(input.processorFee, room)),
  });
  const workers = input.minutes.filter((entry) => entry.minutes > 0);
  if (workers.length === 0 || split.helper === 0) return { split, helpers: [], toRepo: split.helper };
  const parts = allocate(split.helper, workers.map((entry) => entry.minutes));
  return { split, helpers: workers.map((entry, index) => ({ ...entry, amount: parts[index] })), toRepo: 0 };
}

/**
 * The release posting of a closed period: escrow pays helpers, the repository, the platform and the processor
 * fee back, and the VAT a card price included (plans.vat.ts) to the tax authority.
 */
export function revenueEntries(share: RevenueShare, repoId: string, vat = 0): Entry[] {
  const { split } = share;
  const total = split.helper + split.commission + split.platformFee + split.processorFee;
  return [
    { accountCode: accounts.escrow, amount: total + vat },
    { accountCode: accounts.taxPayable, amount: -vat },
    ...share.helpers.map((helper) => ({ accountCode: accounts.helperPayable(helper.helperId), amount: -helper.amount })),
    { accountCode: accounts.repoPayable(repoId), amount: -(split.commission + share.toRepo) },
    { accountCode: accounts.platformRevenue, amount: -split.platformFee },
    { accountCode: accounts.processorFees, amount: -split.processorFee },
  ].filter((entry) => entry.amount !== 0);
}

/**
 * Closes a period whose end has come and whose money has all arrived: one ledger transaction (kind
 * `release`, key `plan-close:{periodId}`, reference the period) shares its revenue out. A period whose
 * payment is still outstanding stays open; its payment closes it when it arrives. Runs under the
 * subscription's row lock (and the payment's, taken first), so it happens once. The posting is recorded as
 * the release of the period's payment: a refund after the close takes it back in proportion (docs/plans.md).
 */
export async function closePeriod(ctx: PlansContext, trx: Tx, sub: repo.SubscriptionRow, period: repo.PeriodRow, planName: string): Promise<void> {
  const now = ctx.deps.clock.now();
  if (period.status !== 'active' || period.closed_at || !period.paid_at || !period.ends_at || period.ends_at > now) return;
  // What was refunded of the period's payment before the close went back to the payer, not to the helpers.
  const refunded = period.payment_id ? await ctx.payments.refundedAmount(trx, period.payment_id) : 0;
  const revenue = period.amount - period.credited_back - refunded;
  let transactionId: string | null = null;
  if (revenue > 0) {
    const tickets = await linkedTicketIds(trx, sub.id);
    const minutes = await ctx.payments.minutesByHelper(trx, tickets, period.starts_at!, period.ends_at);
    // VAT is nobody's revenue: what a card price included goes to the tax authority, the rest is shared.
    const vat = await vatOfRevenue(ctx, trx, period, revenue);
    const share = shareRevenue({ revenue: revenue - vat, commissionBps: sub.commission_bps, platformFeeBps: sub.platform_fee_bps, processorFee: period.processor_fee, minutes });
    const posted = await ctx.ledger.post(trx, {
      idempotencyKey: `plan-close:${period.id}`,
      kind: 'release',
      currency: sub.currency,
      reference: { type: 'subscription_period', id: period.id },
      memo: `Support plan ${planName}, ${period.starts_at!.toISOString().slice(0, 10)} to ${period.ends_at.toISOString().slice(0, 10)}`.slice(0, 500),
      entries: revenueEntries(share, sub.repo_id, vat),
    });
    transactionId = posted.id;
    // The payment's release: a refund or chargeback after the close reverses this posting in proportion.
    if (period.payment_id && !posted.replayed) await ctx.payments.recordRelease(trx, period.payment_id, posted.id, revenue);
  }
  await repo.updatePeriod(trx, period.id, { closed_at: now, close_transaction_id: transactionId });
}
