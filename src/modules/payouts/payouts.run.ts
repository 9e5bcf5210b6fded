import type { Tx } from '../../db/database.ts';
import type { PayoutStatus } from '../../db/types.ts';
import type { Deps } from '../../deps.ts';
import type { StripeIntegration } from '../../integrations/stripe/integration.ts';
import { findPayoutAccount } from '../../integrations/stripe/payout-accounts.ts';
import { newId } from '../../lib/ids.ts';
import type { LedgerService } from '../ledger/ledger.service.ts';
import { payoutEntries } from '../ledger/postings.ts';
import { payableCode } from './payouts.access.ts';
import * as repo from './payouts.repository.ts';
import { payoutKey, periodKey, platformMinimum, type Payee } from './payouts.schedule.ts';

export type RunSummary = { created: number; paid: number; failed: number; pendingManual: number; stillProcessing: number };

const payeeOf = (row: repo.PayoutRow): Payee => ({ type: row.payee_type, id: row.payee_id });
const keyOf = (row: repo.PayoutRow) => payoutKey(payeeOf(row), row.currency, row.period_key);

/**
 * A refusal by Stripe (4xx: the account cannot receive transfers, a bad destination) will not change
 * by retrying, so the payout fails and its money is owed again. An outage, a lost answer, a rate limit
 * or funds not available yet will: the payout stays `processing` and the next run asks again with the
 * same idempotency key, which Stripe answers with the first transfer if it had made one.
 */
function isDefinitiveRefusal(error: unknown): boolean {
  const { statusCode, code, type } = (error ?? {}) as { statusCode?: number; code?: string; type?: string };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return false;
  if (statusCode === 409 || statusCode === 429) return false;
  return code !== 'balance_insufficient' && type !== 'StripeIdempotencyError';
}

/**
 * Making payouts: each is one ledger transaction (payable -> processor balance) with the idempotency key
 * `payout:{payeeType}:{payeeId}:{currency}:{periodKey}`, then one Stripe transfer to the payee's active
 * connected account, or a bank transfer an operator makes by hand (`pending_manual`).
 */
export function payoutEngine(deps: Deps, ledger: LedgerService, stripe: StripeIntegration | null) {
  const { db, clock, config, logger } = deps;

  async function effectiveMinimum(payee: Payee, currency: string): Promise<number> {
    const own = (await repo.minimumsOf(db, payee)).get(currency) ?? 0;
    return Math.max(own, platformMinimum(config, currency));
  }

  /** Stripe pays the payee only through an account that finished onboarding; anyone else is paid by hand. */
  async function stripeDestination(trx: Tx, payee: Payee): Promise<string | null> {
    if (!stripe) return null;
    const account = await findPayoutAccount(trx, payee);
    return account?.status === 'active' ? account.provider_account_id : null;
  }

  /**
   * Pays out the payee's whole balance in `currency` for `period`, unless this period's payout exists or
   * the balance is below the minimum (a negative balance never is paid: later earnings repay it first).
   * Under the payee's lock, so that concurrent runs see each other's payout.
   */
  async function createPayout(payee: Payee, currency: string, period: string, minimum: number): Promise<repo.PayoutRow | null> {
    return db.transaction().execute(async (trx) => {
      await repo.lockPayee(trx, payee, currency);
      if (await repo.findPayoutForPeriod(trx, payee, currency, period)) return null;
      const code = payableCode(payee);
      const { balance } = await ledger.balance(code, currency, trx);
      if (balance < minimum) return null;
      const now = clock.now();
      const id = newId(now.getTime());
      const destination = await stripeDestination(trx, payee);
      const posted = await ledger.post(trx, {
        idempotencyKey: payoutKey(payee, currency, period),
        kind: 'payout',
        currency,
        reference: { type: 'payout', id },
        memo: `Payout ${period} to ${payee.type} ${payee.id}`,
        entries: payoutEntries(code, balance),
      });
      return repo.insertPayout(trx, {
        id,
        payee_type: payee.type,
        payee_id: payee.id,
        currency,
        amount: balance,
        period_key: period,
        method: destination ? 'stripe' : 'manual',
        status: destination ? 'processing' : 'pending_manual',
        ledger_transaction_id: posted.id,
        reversal_transaction_id: null,
        destination,
        provider_transfer_id: null,
        failure_reason: null,
        paid_reference: null,
        paid_by: null,
        paid_at: null,
        created_at: now,
        updated_at: now,
      });
    });
  }

  /** The money comes back to the payee's balance by a reversal of the payout; the payout row stays, as failed. */
  async function failLocked(trx: Tx, payout: repo.PayoutRow, reason: string): Promise<repo.PayoutRow> {
    const reversal = await ledger.reverse(trx, payout.ledger_transaction_id, {
      idempotencyKey: `${keyOf(payout)}:failed`,
      amount: payout.amount,
      reference: { type: 'payout', id: payout.id },
      memo: `Payout ${payout.id} failed: ${reason}`.slice(0, 500),
    });
    return repo.updatePayout(trx, payout.id, { status: 'failed', reversal_transaction_id: reversal.id, failure_reason: reason.slice(0, 500), updated_at: clock.now() });
  }

  /** Asks Stripe for the transfer (again, after a crash or an outage: the idempotency key makes it one transfer). */
  async function transfer(payout: repo.PayoutRow): Promise<PayoutStatus> {
    let outcome: { transferId: string } | { refusal: string };
    try {
      if (!stripe) throw new Error('Stripe is not configured on this server any more');
      const { providerTransferId } = await stripe.provider.transfer({
        destination: payout.destination!,
        amount: payout.amount,
        currency: payout.currency,
        transferGroup: `payout_${payout.id}`,
        idempotencyKey: keyOf(payout),
      });
      outcome = { transferId: providerTransferId };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!isDefinitiveRefusal(error)) {
        logger.warn({ err: error, payoutId: payout.id }, 'payout transfer did not go through; the next run retries it');
        await repo.countTransferAttempt(db, payout.id, message);
        return 'processing';
      }
      outcome = { refusal: `Stripe refused the transfer: ${message}` };
    }
    return db.transaction().execute(async (trx) => {
      const locked = (await repo.findPayout(trx, payout.id, true))!;
      if (locked.status !== 'processing') return locked.status;
      const now = clock.now();
      if ('refusal' in outcome) return (await failLocked(trx, locked, outcome.refusal)).status;
      const paid = await repo.updatePayout(trx, locked.id, { status: 'paid', provider_transfer_id: outcome.transferId, paid_at: now, failure_reason: null, updated_at: now });
      return paid.status;
    });
  }

  return {
    failLocked,

    /** One run: a payout for every payee due in the current period, then every transfer not confirmed yet. */
    async runDue(): Promise<RunSummary> {
      const now = clock.now();
      const summary: RunSummary = { created: 0, paid: 0, failed: 0, pendingManual: 0, stillProcessing: 0 };
      for (const row of await repo.payables(db, { positiveOnly: true })) {
        const payee: Payee = { type: row.payee_type, id: row.payee_id };
        const period = periodKey(row.schedule ?? config.PAYOUT_SCHEDULE_DEFAULT, now);
        if (row.owed < platformMinimum(config, row.currency)) continue;
        const payout = await createPayout(payee, row.currency, period, await effectiveMinimum(payee, row.currency));
        if (!payout) continue;
        summary.created += 1;
        if (payout.status === 'pending_manual') summary.pendingManual += 1;
      }
      for (const payout of await repo.processingPayouts(db)) {
        const status = await transfer(payout);
        if (status === 'paid') summary.paid += 1;
        else if (status === 'failed') summary.failed += 1;
        else if (status === 'processing') summary.stillProcessing += 1;
      }
      return summary;
    },

    effectiveMinimum,
  };
}

export type PayoutEngine = ReturnType<typeof payoutEngine>;
