import type { Deps } from '../../deps.ts';
import { badRequest, notFound } from '../../errors.ts';
import type { StripeIntegration } from '../../integrations/stripe/integration.ts';
import { newId } from '../../lib/ids.ts';
import { requireOperator, type Actor } from '../auth/actor.ts';
import { parsePeriod } from '../statements/statements.period.ts';
import * as overview from './overview.repository.ts';
import type { ReconciliationInput } from './admin-money.schemas.ts';
import { compareRecords } from './reconciliation.compare.ts';
import * as runs from './reconciliation.repository.ts';
import { ledgerRecords, sandboxRecords, stripeRecords } from './reconciliation.sources.ts';

/** How many runs the operator's list shows. */
const RUN_LIST_LIMIT = 20;

function presentRun({ run, items }: { run: runs.RunRow; items: runs.ItemRow[] }) {
  return {
    id: run.id,
    provider: run.provider,
    from: run.period_from.toISOString(),
    to: run.period_to.toISOString(),
    status: run.status,
    checked: run.checked,
    error: run.error,
    startedAt: run.started_at.toISOString(),
    differences: items.map((item) => ({
      object: item.object,
      externalId: item.external_id,
      issue: item.issue,
      currency: item.currency,
      ledgerAmount: item.ledger_amount,
      providerAmount: item.provider_amount,
    })),
  };
}

/** The operator's money pages: what the platform earned and holds, and whether the ledger agrees with the provider. */
export function createAdminMoneyService(deps: Deps, stripe: StripeIntegration | null) {
  const { db, clock, logger } = deps;

  return {
    async overview(actor: Actor, query: { from?: string; to?: string }) {
      requireOperator(actor);
      const { from, to } = parsePeriod(query, clock.now());
      const [revenue, balances, pending, negative] = await Promise.all([overview.revenue(db, from, to), overview.balances(db), overview.pendingPayouts(db), overview.negativeBalances(db)]);
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        revenue: revenue.map((row) => ({ currency: row.currency, period: row.period, platformFees: row.platform_fees, processorFees: row.processor_fees, net: row.platform_fees - row.processor_fees })),
        balances: balances.map((row) => ({
          currency: row.currency,
          escrowHeld: row.escrow_held,
          owedToHelpers: row.owed_to_helpers,
          owedToRepos: row.owed_to_repos,
          owedByPayees: row.owed_by_payees,
          processorBalance: row.processor_balance,
          taxPayable: row.tax_payable,
        })),
        pendingPayouts: pending,
        negativeBalances: negative.map((row) => ({ payee: { type: row.payee_type, id: row.payee_id, name: row.name }, currency: row.currency, balance: row.balance })),
      };
    },

    /**
     * Compares the ledger with the provider's records over a period and stores the run with every
     * difference. A provider that cannot be read makes a failed run (kept, so the attempt is on record).
     */
    async reconcile(actor: Actor, input: ReconciliationInput) {
      const operator = requireOperator(actor);
      const { from, to } = parsePeriod(input, clock.now());
      const provider = input.provider ?? (stripe ? 'stripe' : 'sandbox');
      if (provider === 'stripe' && !stripe) throw badRequest('Stripe is not configured on this server (STRIPE_SECRET_KEY): reconcile the sandbox instead.', [{ path: 'body.provider', message: 'not configured' }]);
      const startedAt = clock.now();
      const id = newId(startedAt.getTime());
      let outcome: ReturnType<typeof compareRecords> | null = null;
      let error: string | null = null;
      try {
        const theirs = provider === 'stripe' ? await stripeRecords(stripe!.client) : await sandboxRecords(db);
        outcome = compareRecords(await ledgerRecords(db, provider), theirs, from, to);
      } catch (caught) {
        logger.warn({ err: caught, provider }, 'reconciliation could not read the provider');
        error = `The provider's records could not be read (${caught instanceof Error ? caught.message : String(caught)}); try again later.`.slice(0, 500);
      }
      const differences = outcome?.differences ?? [];
      await db.transaction().execute((trx) =>
        runs.insertRun(
          trx,
          {
            id, provider, period_from: from, period_to: to, status: outcome ? 'completed' : 'failed', checked: outcome?.checked ?? 0,
            differences: differences.length, error, started_by: operator.userId, started_at: startedAt, finished_at: clock.now(),
          },
          differences.map((difference) => ({
            id: newId(startedAt.getTime()),
            run_id: id,
            object: difference.object,
            external_id: difference.externalId,
            issue: difference.issue,
            currency: difference.currency,
            ledger_amount: difference.ledgerAmount,
            provider_amount: difference.providerAmount,
            detail: '',
          })),
        ),
      );
      return presentRun((await runs.findRun(db, id))!);
    },

    /** The operator's history of runs, newest first. */
    async runs(actor: Actor) {
      requireOperator(actor);
      return { items: (await runs.latestRuns(db, RUN_LIST_LIMIT)).map(presentRun) };
    },

    async run(actor: Actor, id: string) {
      requireOperator(actor);
      const found = await runs.findRun(db, id);
      if (!found) throw notFound(`The reconciliation run ${id}`);
      return presentRun(found);
    },
  };
}

export type AdminMoneyService = ReturnType<typeof createAdminMoneyService>;
