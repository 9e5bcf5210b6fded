import { sql } from 'kysely';
import type { Queryable } from '../../db/database.ts';

/**
 * The operator's money overview, as SQL over the ledger (read-only) and the payouts. Amounts are
 * int8 minor units, per currency: currencies never add up.
 */

export type RevenueRow = { currency: string; period: string; platform_fees: number; processor_fees: number };

/**
 * Per currency and calendar month (UTC) of [from, to): what the platform fee earned, and how much the
 * processor's fees the platform bore moved (positive while fees of payments not yet released are carried,
 * negative when releases pay them back).
 */
export async function revenue(db: Queryable, from: Date, to: Date): Promise<RevenueRow[]> {
  const { rows } = await sql<RevenueRow>`
    SELECT a.currency, to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS period,
      coalesce(0 - sum(e.amount) FILTER (WHERE a.code = 'platform:revenue'), 0)::int8 AS platform_fees,
      coalesce(sum(e.amount) FILTER (WHERE a.code = 'processor:fees'), 0)::int8 AS processor_fees
    FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
    WHERE a.code IN ('platform:revenue', 'processor:fees') AND e.created_at >= ${from}::timestamptz AND e.created_at < ${to}::timestamptz
    GROUP BY 1, 2 ORDER BY 2, 1`.execute(db);
  return rows;
}

export type BalancesRow = { currency: string; escrow_held: number; owed_to_helpers: number; owed_to_repos: number; owed_by_payees: number; processor_balance: number; tax_payable: number };

/** Now, per currency: held in escrow, owed to payees (positive balances), owed back by payees (negative ones), VAT owed to the tax authority. */
export async function balances(db: Queryable): Promise<BalancesRow[]> {
  const { rows } = await sql<BalancesRow>`
    SELECT currency,
      coalesce(0 - sum(balance) FILTER (WHERE code = 'escrow:held'), 0)::int8 AS escrow_held,
      coalesce(0 - sum(balance) FILTER (WHERE owner_type = 'helper' AND balance < 0), 0)::int8 AS owed_to_helpers,
      coalesce(0 - sum(balance) FILTER (WHERE owner_type = 'repo' AND balance < 0), 0)::int8 AS owed_to_repos,
      coalesce(sum(balance) FILTER (WHERE owner_type IN ('helper', 'repo') AND balance > 0), 0)::int8 AS owed_by_payees,
      coalesce(sum(balance) FILTER (WHERE code = 'processor:balance'), 0)::int8 AS processor_balance,
      coalesce(0 - sum(balance) FILTER (WHERE code = 'tax:payable'), 0)::int8 AS tax_payable
    FROM ledger_accounts GROUP BY currency ORDER BY currency`.execute(db);
  return rows;
}

export type PendingRow = { currency: string; status: 'processing' | 'pending_manual'; count: number; amount: number };

export async function pendingPayouts(db: Queryable): Promise<PendingRow[]> {
  const { rows } = await sql<PendingRow>`
    SELECT currency, status, count(*)::int AS count, sum(amount)::int8 AS amount
    FROM payouts WHERE status IN ('processing', 'pending_manual')
    GROUP BY currency, status ORDER BY currency, status`.execute(db);
  return rows;
}

export type NegativeRow = { payee_type: 'helper' | 'repo'; payee_id: string; name: string | null; currency: string; balance: number };

/** Payees who owe the platform (a refund after their payout), largest debt first. */
export async function negativeBalances(db: Queryable, limit = 200): Promise<NegativeRow[]> {
  const { rows } = await sql<NegativeRow>`
    SELECT a.owner_type AS payee_type, a.owner_id AS payee_id, coalesce(u.display_name, r.full_name) AS name, a.currency, (0 - a.balance)::int8 AS balance
    FROM ledger_accounts a
    LEFT JOIN users u ON a.owner_type = 'helper' AND u.id = a.owner_id
    LEFT JOIN repos r ON a.owner_type = 'repo' AND r.id = a.owner_id
    WHERE a.owner_type IN ('helper', 'repo') AND a.balance > 0
    ORDER BY a.balance DESC, a.code LIMIT ${limit}`.execute(db);
  return rows;
}
