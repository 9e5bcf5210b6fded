import type { Tx } from '../../db/database.ts';
import type { JobHandlers } from '../../jobs/queue.ts';
import { newId } from '../../lib/ids.ts';
import { accounts } from '../ledger/accounts.ts';
import { billPeriod, INVOICE_DUE_JOB, PERIOD_END_JOB, refreshStatus, schedulePeriodEnd, type PlansContext } from './plans.billing.ts';
import { nextCycle } from './plans.proration.ts';
import * as repo from './plans.repository.ts';
import { closePeriod } from './plans.revenue.ts';
import { priceOf } from './plans.subscriptions.ts';

/**
 * The durable jobs of subscriptions. Each re-reads everything under the subscription's row lock and
 * does nothing when what it was enqueued for has changed, so a retry, a restart or a job that runs
 * twice has its effect once.
 */
export function planJobHandlers(ctx: PlansContext): JobHandlers {
  const { db, clock } = ctx.deps;

  /** Credit nobody will use any more goes back to the payer's funds, outside escrow (ledger.md). */
  async function end(trx: Tx, sub: repo.SubscriptionRow, at: Date): Promise<void> {
    if (sub.credit > 0) {
      await ctx.ledger.post(trx, {
        idempotencyKey: `plan-credit:${sub.id}`,
        kind: 'transfer',
        currency: sub.currency,
        reference: { type: 'subscription', id: sub.id },
        memo: 'Support plan ended: unused credit kept for the customer',
        entries: [
          { accountCode: accounts.escrow, amount: sub.credit },
          { accountCode: accounts.customerFunding(sub.payer_id), amount: -sub.credit },
        ],
      });
    }
    await repo.updateSubscription(trx, sub.id, { status: 'ended', ended_at: at, credit: 0, updated_at: clock.now() });
  }

  /** The next cycle on the current plan, paid with credit first and the rest charged as the subscription pays. */
  async function renew(trx: Tx, sub: repo.SubscriptionRow, ended: repo.PeriodRow): Promise<void> {
    const plan = (await repo.findPlan(trx, sub.plan_id))!;
    const price = priceOf(plan, sub.currency);
    const cycle = nextCycle(sub.anchor_at!, plan.period, ended.ends_at!);
    const creditApplied = Math.min(sub.credit, price.amount);
    const now = clock.now();
    const period = await repo.insertPeriod(trx, {
      id: newId(now.getTime()),
      subscription_id: sub.id,
      plan_id: plan.id,
      kind: 'renewal',
      status: 'active',
      starts_at: cycle.start,
      ends_at: cycle.end,
      cycle_starts_at: cycle.start,
      cycle_ends_at: cycle.end,
      amount: price.amount,
      credit_applied: creditApplied,
      created_at: now,
    });
    const renewed = await repo.updateSubscription(trx, sub.id, { current_period_id: period.id, credit: sub.credit - creditApplied, updated_at: now });
    await schedulePeriodEnd(ctx, trx, period);
    const repoName = (await repo.repoSummary(trx, sub.repo_id)).full_name;
    const days = `${cycle.start.toISOString().slice(0, 10)} to ${cycle.end.toISOString().slice(0, 10)}`;
    await billPeriod(ctx, trx, renewed, period, `"${plan.name}" plan of ${repoName}, ${days}`);
    await refreshStatus(ctx, trx, sub.id);
  }

  /** At a period's end: share its revenue out, then renew the subscription, or end it if it was cancelled. */
  async function periodEnd(payload: { periodId: string; endsAt: string }): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const found = await repo.findPeriod(trx, payload.periodId);
      if (!found) return;
      // The payment's row first, as a refund locks it before the subscription's: the close updates both.
      if (found.payment_id) await ctx.payments.lock(trx, found.payment_id);
      const sub = (await repo.findSubscription(trx, found.subscription_id, { lock: true }))!;
      const period = (await repo.findPeriod(trx, found.id, { lock: true }))!;
      // A change cut this period short: the job enqueued for the new end does the work.
      if (period.ends_at?.toISOString() !== payload.endsAt) return;
      const plan = (await repo.findPlan(trx, period.plan_id))!;
      await closePeriod(ctx, trx, sub, period, plan.name);
      if (sub.current_period_id !== period.id || (sub.status !== 'active' && sub.status !== 'past_due')) return;
      if (sub.cancel_at_period_end) await end(trx, sub, period.ends_at);
      else await renew(trx, sub, period);
    });
  }

  /** An invoice's due date passed: the subscription is past due unless it was paid meanwhile. */
  async function invoiceDue(payload: { periodId: string }): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const period = await repo.findPeriod(trx, payload.periodId);
      if (!period) return;
      await repo.findSubscription(trx, period.subscription_id, { lock: true });
      await refreshStatus(ctx, trx, period.subscription_id);
    });
  }

  return { [PERIOD_END_JOB]: periodEnd, [INVOICE_DUE_JOB]: invoiceDue };
}
