import type { Queryable } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import type { PayoutStatus } from '../../db/types.ts';
import { conflict, invalidField, notFound } from '../../errors.ts';
import type { StripeIntegration } from '../../integrations/stripe/integration.ts';
import { enqueue, type JobHandlers } from '../../jobs/queue.ts';
import { requireOperator, requireUser, type Actor } from '../auth/actor.ts';
import { withIdempotency, type StoredResponse } from '../payments/idempotency.ts';
import type { LedgerService } from '../ledger/ledger.service.ts';
import type { ReposService } from '../repos/repos.service.ts';
import { payeeAccess, type PayeeView } from './payouts.access.ts';
import { presentPayout } from './payouts.presenter.ts';
import * as repo from './payouts.repository.ts';
import { payoutEngine } from './payouts.run.ts';
import { nextRunAt, periodKey, platformMinimum, type Payee } from './payouts.schedule.ts';
import { payoutSettingsBody, type PayoutSettingsInput } from './payouts.schemas.ts';
import { parseInput } from '../invoices/invoices.schemas.ts';

export const PAYOUTS_RUN_JOB = 'payouts.run';
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/**
 * Balances owed to helpers and repositories, their payout settings, and the daily run that pays them
 * (payouts.run.ts). A helper is always the caller; a repository is reached through its maintainers.
 */
export function createPayoutsService(deps: Deps, parts: { ledger: LedgerService; repos: ReposService; stripe: StripeIntegration | null }) {
  const { db, clock, config } = deps;
  const access = payeeAccess(parts.repos, db);
  const engine = payoutEngine(deps, parts.ledger, parts.stripe);

  const scheduleOf = async (payee: Payee) => (await repo.findSchedule(db, payee)) ?? config.PAYOUT_SCHEDULE_DEFAULT;

  async function balanceOf(view: PayeeView) {
    const schedule = await scheduleOf(view.payee);
    const period = periodKey(schedule, clock.now());
    const open = await repo.openTotals(db, view.payee);
    const items = [];
    for (const row of await repo.payables(db, { payee: view.payee })) {
      items.push({
        currency: row.currency,
        balance: row.owed,
        inPayout: open.get(row.currency) ?? 0,
        minimum: await engine.effectiveMinimum(view.payee, row.currency),
        currentPeriod: period,
        paidThisPeriod: (await repo.findPayoutForPeriod(db, view.payee, row.currency, period)) !== undefined,
      });
    }
    return { schedule, items };
  }

  async function settingsOf(view: PayeeView) {
    return { schedule: await scheduleOf(view.payee), minimums: Object.fromEntries(await repo.minimumsOf(db, view.payee)), platformMinimum: config.PAYOUT_MINIMUM };
  }

  async function saveSettings(actor: Actor, view: PayeeView, input: PayoutSettingsInput) {
    const parsed = parseInput(payoutSettingsBody, input);
    for (const [currency, minimum] of Object.entries(parsed.minimums)) {
      if (!CURRENCIES.has(currency)) throw invalidField(`body.minimums.${currency}`, 'is not an ISO 4217 currency code');
      const floor = platformMinimum(config, currency);
      if (minimum < floor) throw invalidField(`body.minimums.${currency}`, `must be at least ${floor}, the platform minimum in ${currency}; you may only raise it`);
    }
    await db.transaction().execute(async (trx) => {
      await repo.saveSchedule(trx, view.payee, parsed.schedule, actor.kind === 'user' ? actor.userId : view.payee.id, clock.now());
      await repo.replaceMinimums(trx, view.payee, parsed.minimums);
    });
    return settingsOf(view);
  }

  /**
   * An operator settles a payout: it must be in one of `from`, and `change` runs under its row lock.
   * Once per Idempotency-Key, as every money call: settling an already settled payout changes nothing
   * anyway, but a retried request with another body under the same key is a mistake worth a 422.
   */
  async function settle(
    actor: Actor,
    request: { id: string; key: string; route: string; body: unknown },
    done: PayoutStatus,
    from: PayoutStatus[],
    change: (locked: repo.PayoutRow, trx: Parameters<typeof engine.failLocked>[0]) => Promise<repo.PayoutRow>,
  ): Promise<StoredResponse> {
    const operator = requireOperator(actor);
    const { id, key, route, body } = request;
    return withIdempotency(db, clock, { actorId: operator.userId, key, route, request: { payoutId: id, body } }, async (trx) => {
      const locked = await repo.findPayout(trx, id, true);
      if (!locked) throw notFound(`The payout ${id}`);
      if (locked.status === done) return { status: 200, body: presentPayout(locked) };
      if (!from.includes(locked.status)) {
        throw conflict(`The payout ${id} is ${locked.status}; only a payout that is ${from.join(' or ')} can become ${done}.`, 'payout_not_open');
      }
      return { status: 200, body: presentPayout(await change(locked, trx)) };
    });
  }

  /** The daily run, enqueued once per day (the singleton key) by the run before it and by every server start. */
  function scheduleNextRun(scope: Queryable = db) {
    const at = nextRunAt(clock.now());
    return enqueue(scope, clock, PAYOUTS_RUN_JOB, {}, { runAt: at, singletonKey: `${PAYOUTS_RUN_JOB}:${at.toISOString().slice(0, 10)}`, maxAttempts: 5 });
  }

  const jobHandlers: JobHandlers = {
    // The next run is scheduled first, so that a failing run never ends the schedule.
    [PAYOUTS_RUN_JOB]: async () => {
      await scheduleNextRun();
      await engine.runDue();
    },
  };

  return {
    access,
    jobHandlers,
    scheduleNextRun,
    runDue: engine.runDue,
    balance: balanceOf,
    settings: settingsOf,
    saveSettings,

    /** A payout the caller may see (its payee, the repository's maintainers, operators); 404 otherwise. */
    async payout(actor: Actor, id: string) {
      requireUser(actor); // signed out is a 401 whether or not the payout exists
      const row = await repo.findPayout(db, id);
      if (!row) throw notFound(`The payout ${id}`);
      await access.ofPayout(actor, { type: row.payee_type, id: row.payee_id }, id);
      return { row, previous: await repo.previousPayout(db, row) };
    },

    async listFor(view: PayeeView) {
      return { items: (await repo.payoutsOf(db, view.payee)).map(presentPayout) };
    },

    async adminList(actor: Actor, query: { status?: PayoutStatus; limit: number }) {
      requireOperator(actor);
      return { items: (await repo.listPayouts(db, query.status, query.limit)).map((row) => ({ ...presentPayout(row), payeeName: row.payee_name })) };
    },

    /** Operators: run the payouts now instead of at midnight (the run is idempotent: nothing is paid twice). */
    async runNow(actor: Actor) {
      requireOperator(actor);
      await enqueue(db, clock, PAYOUTS_RUN_JOB, {}, { maxAttempts: 1 });
      return { enqueued: true };
    },

    /** The operator made the bank transfer of a manual payout. Marking it again changes nothing. */
    markPaid(actor: Actor, id: string, input: { reference?: string }, key: string) {
      return settle(actor, { id, key, route: 'POST /api/v1/admin/payouts/{id}/mark-paid', body: input }, 'paid', ['pending_manual'], (locked, trx) => {
        const now = clock.now();
        const by = requireOperator(actor).userId;
        return repo.updatePayout(trx, locked.id, { status: 'paid', paid_at: now, paid_by: by, paid_reference: input.reference ?? null, updated_at: now });
      });
    },

    /** The bank returned a manual transfer, or a Stripe transfer will never go through: the money is owed again. */
    markFailed(actor: Actor, id: string, input: { reason: string }, key: string) {
      return settle(actor, { id, key, route: 'POST /api/v1/admin/payouts/{id}/mark-failed', body: input }, 'failed', ['pending_manual', 'processing'], (locked, trx) => engine.failLocked(trx, locked, input.reason));
    },
  };
}

export type PayoutsService = ReturnType<typeof createPayoutsService>;
