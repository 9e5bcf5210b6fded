import type { Queryable, Tx } from '../../db/database.ts';
import { AppError, conflict, invalidField, notFound } from '../../errors.ts';
import { newId, UUID_PATTERN } from '../../lib/ids.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import type { OrgsService } from '../orgs/orgs.service.ts';
import type { PaymentRow } from '../payments/payments.repository.ts';
import { withIdempotency } from '../payments/idempotency.ts';
import { billPeriod, refreshStatus, schedulePeriodEnd, startFirstPeriod, type Billed, type PlansContext } from './plans.billing.ts';
import { presentSubscription } from './plans.presenter.ts';
import { prorate } from './plans.proration.ts';
import * as repo from './plans.repository.ts';
import { closePeriod } from './plans.revenue.ts';
import type { ChangeInput, SubscribeInput } from './plans.schemas.ts';

const alreadySubscribed = (repoName: string) =>
  conflict(`This organization already subscribes to a plan of ${repoName}; change that subscription's plan instead of subscribing twice.`, 'already_subscribed');

/** The plan's price in the currency asked for, or in its only currency. */
export function priceOf(plan: repo.PlanRow, wanted: string | undefined, path = 'body.currency'): { currency: string; amount: number } {
  const listed = plan.prices.map((price) => price.currency).join(', ');
  if (!wanted) {
    if (plan.prices.length === 1) return plan.prices[0];
    throw invalidField(path, `is required: the plan is priced in ${listed}; choose one`);
  }
  const price = plan.prices.find((candidate) => candidate.currency === wanted);
  if (!price) throw invalidField(path, `the plan is priced in ${listed}, not ${wanted}`);
  return price;
}

const day = (at: Date | null) => at?.toISOString().slice(0, 10) ?? '';
const billedBody = (billed: Billed) => ({
  payment: billed.payment && { id: billed.payment.id, status: billed.payment.status, provider: billed.payment.provider, amount: billed.payment.amount, currency: billed.payment.currency, url: billed.payment.url },
  invoice: billed.invoice && { id: billed.invoice.id, number: billed.invoice.number, total: billed.invoice.total, dueDate: billed.invoice.dueDate },
});

/**
 * Subscribing, changing plan and cancelling, by an organization's admins; and what happens when a
 * plan's payment arrives. Every change locks the subscription row first, so they take turns.
 */
export function subscriptionFlows(ctx: PlansContext, orgs: OrgsService) {
  const { db, clock, config, logger } = ctx.deps;

  async function present(scope: Queryable, orgId: string, id: string) {
    const [view] = await repo.subscriptionViews(scope, { orgId, id });
    return presentSubscription(view, { org: view.org_slug, repo: view.repo_full_name, planName: view.plan_name, periods: await repo.periodsOf(scope, [id]) });
  }

  /** The organization's subscription, for its admins (members get a 403, everyone else a 404). */
  async function owned(actor: Actor, slug: string, id: string) {
    const { org } = await orgs.requireAdmin(actor, slug);
    const sub = UUID_PATTERN.test(id) ? await repo.findSubscription(db, id) : undefined;
    if (!sub || sub.org_id !== org.id) throw notFound('The subscription');
    return { org, sub, user: requireUser(actor) };
  }

  /** A plan that can be subscribed to now, with its repository. */
  async function subscribable(planId: string) {
    const plan = await repo.findPlan(db, planId);
    const repository = plan && (await repo.repoSummary(db, plan.repo_id));
    if (!plan || !repository || repository.status !== 'verified') throw notFound('The plan');
    if (!plan.active) throw conflict(`The plan "${plan.name}" is not offered any more; see GET /api/v1/repos/${repository.full_name}/plans.`, 'plan_inactive');
    return { plan, repository };
  }

  async function subscribe(actor: Actor, slug: string, input: SubscribeInput, key: string) {
    const { org } = await orgs.requireAdmin(actor, slug);
    const user = requireUser(actor);
    const { plan, repository } = await subscribable(input.planId);
    const price = priceOf(plan, input.currency);
    const route = 'POST /api/v1/orgs/{slug}/subscriptions';
    return withIdempotency(db, clock, { actorId: user.userId, key, route, request: { orgId: org.id, ...input } }, async (trx) => {
      // Checked first for a clear answer; the unique index settles two requests racing past it.
      if (await repo.liveSubscription(trx, org.id, plan.repo_id)) throw alreadySubscribed(repository.full_name);
      const now = clock.now();
      const id = newId(now.getTime());
      const byCard = input.paymentMethod === 'card';
      try {
        await repo.insertSubscription(trx, {
          id,
          org_id: org.id,
          repo_id: plan.repo_id,
          plan_id: plan.id,
          currency: price.currency,
          payment_method: input.paymentMethod,
          po_number: input.poNumber ?? null,
          status: byCard ? 'incomplete' : 'active',
          commission_bps: repository.commission_bps,
          platform_fee_bps: config.PLATFORM_FEE_BPS,
          payer_id: user.userId,
          current_period_id: null,
          anchor_at: null,
          created_at: now,
          updated_at: now,
          ended_at: null,
        });
      } catch (error) {
        if (repo.isUniqueViolation(error, 'subscriptions_live_key')) throw alreadySubscribed(repository.full_name);
        throw error;
      }
      const sub = (await repo.findSubscription(trx, id))!;
      let period = await repo.insertPeriod(trx, { id: newId(now.getTime()), subscription_id: id, plan_id: plan.id, kind: 'initial', status: 'pending', amount: price.amount, created_at: now });
      // By invoice the period starts at once (net terms); by card when the payment arrives.
      if (!byCard) period = await startFirstPeriod(ctx, trx, sub, period, plan, now);
      const what = byCard ? `first ${plan.period}` : `${day(period.starts_at)} to ${day(period.ends_at)}`;
      const billed = await billPeriod(ctx, trx, sub, period, `"${plan.name}" plan of ${repository.full_name}, ${what}`);
      return { status: 201, body: { subscription: await present(trx, org.id, id), ...billedBody(billed) } };
    });
  }

  /**
   * Upgrade or downgrade at once, prorated over the rest of the cycle (plans.proration.ts): the current
   * period ends now and its unused part becomes credit; a new period on the new plan runs to the cycle's
   * end, paid with that credit first and the rest charged (by card: past due until it arrives). Credit a
   * downgrade leaves over pays the next charges.
   */
  async function change(actor: Actor, slug: string, id: string, input: ChangeInput, key: string) {
    const { org, user } = await owned(actor, slug, id);
    const route = 'POST /api/v1/orgs/{slug}/subscriptions/{id}/change';
    return withIdempotency(db, clock, { actorId: user.userId, key, route, request: { subscriptionId: id, ...input } }, async (trx) => {
      const sub = (await repo.findSubscription(trx, id, { lock: true }))!;
      if (sub.status !== 'active') {
        throw conflict(
          sub.status === 'past_due'
            ? 'A payment of this subscription is outstanding; pay it before changing plan.'
            : `This subscription is ${sub.status}; ${sub.status === 'incomplete' ? 'pay its first period first' : 'subscribe anew'}.`,
          sub.status === 'past_due' ? 'payment_outstanding' : 'subscription_not_active',
        );
      }
      const current = (await repo.findPeriod(trx, sub.current_period_id!, { lock: true }))!;
      if (input.planId === sub.plan_id) throw conflict('The subscription is on this plan already.', 'same_plan');
      const next = await repo.findPlan(trx, input.planId);
      if (!next || next.repo_id !== sub.repo_id) throw invalidField('body.planId', "is not a plan of the subscription's repository");
      if (!next.active) throw conflict(`The plan "${next.name}" is not offered any more.`, 'plan_inactive');
      const currentPlan = (await repo.findPlan(trx, sub.plan_id))!;
      if (next.period !== currentPlan.period) {
        throw invalidField('body.planId', `is billed per ${next.period}, the subscription per ${currentPlan.period}: cancel at the period's end and subscribe to it then`);
      }
      const price = priceOf(next, sub.currency, 'body.planId');
      // Credit is only ever made of money that arrived: an unpaid invoice cannot pay for a new plan.
      if (!current.paid_at) throw conflict("The current period's invoice is not paid yet; change plan once it is.", 'payment_outstanding');
      const now = clock.now();
      const proration = prorate({
        at: now,
        current: { start: current.starts_at!, end: current.ends_at!, amount: current.amount },
        cycleStart: current.cycle_starts_at!,
        newPrice: price.amount,
        creditBefore: sub.credit,
      });
      const cut = await repo.updatePeriod(trx, current.id, { ends_at: now, credited_back: proration.credit });
      const period = await repo.insertPeriod(trx, {
        id: newId(now.getTime()),
        subscription_id: sub.id,
        plan_id: next.id,
        kind: 'change',
        status: 'active',
        starts_at: now,
        ends_at: current.ends_at,
        cycle_starts_at: current.cycle_starts_at,
        cycle_ends_at: current.cycle_ends_at,
        amount: proration.newRest,
        credit_applied: proration.creditApplied,
        created_at: now,
      });
      const changed = await repo.updateSubscription(trx, sub.id, { plan_id: next.id, current_period_id: period.id, credit: proration.creditLeft, updated_at: now });
      await schedulePeriodEnd(ctx, trx, cut);
      await schedulePeriodEnd(ctx, trx, period);
      const billed = await billPeriod(ctx, trx, changed, period, `change to the "${next.name}" plan, ${day(now)} to ${day(period.ends_at)}`);
      await refreshStatus(ctx, trx, sub.id);
      return { status: 200, body: { subscription: await present(trx, org.id, id), ...billedBody(billed), proration } };
    });
  }

  /** Runs to the end of the period already paid for; a subscription whose first payment never came ends at once. */
  async function cancel(actor: Actor, slug: string, id: string) {
    const { org } = await owned(actor, slug, id);
    return db.transaction().execute(async (trx) => {
      const sub = (await repo.findSubscription(trx, id, { lock: true }))!;
      const now = clock.now();
      if (sub.status === 'ended' || sub.status === 'cancelled') throw conflict(`This subscription has ${sub.status} already.`, 'subscription_ended');
      if (sub.status === 'incomplete') {
        const pending = await repo.pendingPeriod(trx, sub.id);
        if (pending) await repo.updatePeriod(trx, pending.id, { status: 'void' });
        await repo.updateSubscription(trx, sub.id, { status: 'cancelled', ended_at: now, updated_at: now });
      } else if (!sub.cancel_at_period_end) {
        await repo.updateSubscription(trx, sub.id, { cancel_at_period_end: true, updated_at: now });
      }
      return present(trx, org.id, id);
    });
  }

  /**
   * A plan's payment is held (payments' onHeld, in the payment's transaction): its period is paid; a
   * first period starts now; a period that already ended is closed at once.
   */
  async function paymentHeld(trx: Tx, payment: PaymentRow): Promise<void> {
    const found = await repo.periodOfPayment(trx, payment.id);
    if (!found) {
      logger.warn({ paymentId: payment.id }, 'a plan payment without a subscription period was paid; it stays held for an operator');
      return;
    }
    const sub = (await repo.findSubscription(trx, found.subscription_id, { lock: true }))!;
    const period = (await repo.findPeriod(trx, found.id, { lock: true }))!;
    if (period.paid_at) return;
    if (period.status === 'void') {
      logger.warn({ paymentId: payment.id, subscriptionId: sub.id }, 'the first payment of a cancelled subscription arrived; it stays held for an operator to refund');
      return;
    }
    const now = clock.now();
    // A card payment gets its invoice now, paid (an invoice payment had its invoice as its checkout).
    const invoiceId = period.invoice_id ?? (await ctx.payments.invoiceCardCharge(trx, payment, { orgId: sub.org_id, poNumber: sub.po_number, reference: { type: 'subscription_period', id: period.id } }));
    let paid = await repo.updatePeriod(trx, period.id, { paid_at: now, processor_fee: payment.processor_fee, invoice_id: invoiceId });
    const plan = (await repo.findPlan(trx, paid.plan_id))!;
    if (paid.status === 'pending') {
      paid = await startFirstPeriod(ctx, trx, sub, paid, plan, now);
      await repo.updateSubscription(trx, sub.id, { status: 'active', updated_at: now });
    }
    await refreshStatus(ctx, trx, sub.id);
    await closePeriod(ctx, trx, sub, paid, plan.name);
  }

  /**
   * Whether `amount` of a plan's payment may be refunded (payments' onRefund, under the payment's row
   * lock, before the provider refunds). At most what the period's revenue still holds of it: what became
   * credit on a plan change is the subscription's, not the payment's. Until the period closes the money
   * is still in escrow and the close shares out only what was not refunded (closePeriod); after the close
   * the payments module takes it back from the close's posting in proportion (its release, see
   * closePeriod). The subscription's lock makes a refund and a close take turns.
   */
  async function refundGuard(trx: Tx, payment: PaymentRow, amount: number): Promise<void> {
    const found = await repo.periodOfPayment(trx, payment.id);
    if (!found) return; // paid for no period (a checkout of a cancelled subscription): held for an operator to refund
    await repo.findSubscription(trx, found.subscription_id, { lock: true });
    const period = (await repo.findPeriod(trx, found.id, { lock: true }))!;
    const left = period.amount - period.credited_back - payment.refunded_amount;
    if (period.status !== 'void' && amount > left) {
      throw new AppError(409, 'refund_exceeds_remaining', `Only ${Math.max(0, left)} ${payment.currency} of this period's revenue is left to refund (the rest became credit on a plan change), not ${amount}.`, [
        { path: 'body.amount', message: `must be at most ${Math.max(0, left)}` },
      ]);
    }
  }

  return {
    subscribe,
    change,
    cancel,
    paymentHeld,
    refundGuard,

    async list(actor: Actor, slug: string) {
      const { org } = await orgs.requireAdmin(actor, slug);
      const views = await repo.subscriptionViews(db, { orgId: org.id });
      const periods = await repo.periodsOf(db, views.map((view) => view.id));
      return views.map((view) => presentSubscription(view, { org: view.org_slug, repo: view.repo_full_name, planName: view.plan_name, periods }));
    },

    async get(actor: Actor, slug: string, id: string) {
      const { org } = await owned(actor, slug, id);
      return present(db, org.id, id);
    },
  };
}

export type SubscriptionFlows = ReturnType<typeof subscriptionFlows>;
