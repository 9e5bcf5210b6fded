import type { Deps } from '../../deps.ts';
import type { Actor } from '../auth/actor.ts';
import type { LedgerService } from '../ledger/ledger.service.ts';
import type { PayeeView } from '../payouts/payouts.access.ts';
import type { PayoutsService } from '../payouts/payouts.service.ts';
import { parsePeriod } from './statements.period.ts';
import * as repo from './statements.repository.ts';

export type Money = { gross: number; commission: number; platformFee: number; processorFee: number; net: number };
export type StatementLine = Money & {
  date: string;
  transactionId: string;
  kind: repo.LineKind;
  ticket: { id: string; title: string } | null;
  payoutId: string | null;
  description: string;
};
export type Statement = {
  payee: { type: 'helper' | 'repo'; id: string; name: string };
  currency: string;
  /** Every currency the payee has money in; a statement is in one of them. */
  currencies: string[];
  note: string | null;
  from: string;
  to: string;
  payoutId: string | null;
  openingBalance: number;
  closingBalance: number;
  lines: StatementLine[];
  totals: Money;
};

export type StatementQuery = { from?: string; to?: string; currency?: string };

const MONEY_FIELDS = ['gross', 'commission', 'platformFee', 'processorFee', 'net'] as const;
/** The currency of a payee without any money yet (the repositories' default currency). */
const FALLBACK_CURRENCY = 'USD';

function describe(row: repo.LineRow): string {
  if (row.ticket_title) return row.ticket_title;
  if (row.payout_id) return row.kind === 'payout' ? `Payout ${row.payout_period}` : `Payout ${row.payout_period} failed and reversed`;
  return row.memo;
}

function presentLine(row: repo.LineRow): StatementLine {
  return {
    date: row.created_at.toISOString(),
    transactionId: row.transaction_id,
    kind: row.kind,
    ticket: row.ticket_id ? { id: row.ticket_id, title: row.ticket_title ?? '' } : null,
    payoutId: row.payout_id,
    description: describe(row),
    gross: row.gross,
    commission: row.commission,
    platformFee: row.platform_fee,
    processorFee: row.processor_fee,
    net: row.net,
  };
}

/**
 * Statements of a helper's earnings and of a repository's revenue. One function computes the numbers;
 * JSON, CSV and PDF only present them, so the three never disagree.
 */
export function createStatementsService(deps: Deps, parts: { ledger: LedgerService; payouts: PayoutsService }) {
  const { db, clock, logger } = deps;
  const { access } = parts.payouts;

  /**
   * Lines in (lower, upper], opening balance at lower and closing at upper, all read in one snapshot so a
   * posting committed meanwhile cannot land in one figure and not in another. A statement that does not
   * reconcile (opening + lines = closing) would be a bug; it is refused rather than shown.
   */
  async function build(view: PayeeView, currencyWanted: string | undefined, bounds: { lower: repo.Position; upper: repo.Position; payoutId: string | null }): Promise<Statement> {
    return db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
      const currencies = await repo.currenciesOf(trx, view.accountCode);
      const main = view.defaultCurrency && currencies.includes(view.defaultCurrency) ? view.defaultCurrency : (currencies[0] ?? view.defaultCurrency ?? FALLBACK_CURRENCY);
      const currency = currencyWanted ?? main;
      const others = currencies.filter((code) => code !== currency);
      const note = others.length
        ? `This statement is in ${currency}${currencyWanted ? '' : ', the main currency'}; there is also money in ${others.join(', ')}: add currency=${others[0]} for that statement.`
        : null;
      const openingBalance = await repo.balanceAt(trx, view.accountCode, currency, bounds.lower);
      const lines = (await repo.statementLines(trx, view.accountCode, currency, bounds.lower, bounds.upper)).map(presentLine);
      const closingBalance = await repo.balanceAt(trx, view.accountCode, currency, bounds.upper);
      const totals = Object.fromEntries(MONEY_FIELDS.map((field) => [field, lines.reduce((sum, line) => sum + line[field], 0)])) as Money;
      if (openingBalance + totals.net !== closingBalance) {
        logger.error({ payee: view.payee, currency, openingBalance, net: totals.net, closingBalance }, 'statement does not reconcile');
        throw new Error(`statement of ${view.payee.type} ${view.payee.id} in ${currency} does not reconcile`);
      }
      return {
        payee: { ...view.payee, name: view.name },
        currency,
        currencies,
        note,
        from: bounds.lower.at.toISOString(),
        to: bounds.upper.at.toISOString(),
        payoutId: bounds.payoutId,
        openingBalance,
        closingBalance,
        lines,
        totals,
      };
    });
  }

  function forPeriod(view: PayeeView, query: StatementQuery) {
    const { from, to } = parsePeriod(query, clock.now());
    return build(view, query.currency, { lower: repo.atDate(from), upper: repo.atDate(to), payoutId: null });
  }

  return {
    async helper(actor: Actor, query: StatementQuery) {
      return forPeriod(await access.me(actor), query);
    },

    async repo(actor: Actor, fullName: string, query: StatementQuery) {
      return forPeriod(await access.repo(actor, fullName), query);
    },

    /**
     * What one payout paid: every posting on the payee's account after the previous payout, up to and
     * including this one. The opening balance is what the previous payout left (below zero after a
     * refund), the closing one what this payout left (zero, unless it failed).
     */
    async payout(actor: Actor, payoutId: string) {
      const { row, previous } = await parts.payouts.payout(actor, payoutId);
      const position = async (transactionId: string): Promise<repo.Position> => ({ at: (await parts.ledger.transaction(transactionId)).createdAt, transactionId });
      const lower = previous ? await position(previous.ledger_transaction_id) : repo.atDate(new Date(0));
      const upper = await position(row.ledger_transaction_id);
      return build(await access.view({ type: row.payee_type, id: row.payee_id }), row.currency, { lower, upper, payoutId: row.id });
    },
  };
}

export type StatementsService = ReturnType<typeof createStatementsService>;
