import { sql } from 'kysely';
import type { Queryable } from '../../db/database.ts';

/**
 * The numbers of every statement, read from the ledger (read-only: money moves only through the ledger's
 * service). Entries are ordered by their position, (created_at, transaction_id): transaction ids are
 * UUIDv7, so two postings in the same millisecond still have an order, and a statement can end exactly
 * at a payout's own posting.
 */

/** A point in the ledger's history. A bound (date, MIN_TRANSACTION) lies before every posting at that date. */
export type Position = { at: Date; transactionId: string };
export const MIN_TRANSACTION = '00000000-0000-0000-0000-000000000000';
export const atDate = (at: Date): Position => ({ at, transactionId: MIN_TRANSACTION });

export type LineKind = 'release' | 'plan' | 'refund' | 'dispute' | 'payout' | 'reversal';

export type LineRow = {
  transaction_id: string;
  created_at: Date;
  kind: LineKind;
  ticket_id: string | null;
  ticket_title: string | null;
  payout_id: string | null;
  payout_period: string | null;
  memo: string;
  gross: number;
  commission: number;
  platform_fee: number;
  processor_fee: number;
  net: number;
};

const after = (position: Position) => sql`(e.created_at, e.transaction_id) > (${position.at}::timestamptz, ${position.transactionId}::uuid)`;
const upTo = (position: Position) => sql`(e.created_at, e.transaction_id) <= (${position.at}::timestamptz, ${position.transactionId}::uuid)`;

/**
 * One line per ledger transaction that moved the account in (lower, upper]. `net` is the account's own
 * movement on its natural side (a payable: + when owed more). The split columns are those of the whole
 * transaction, and only for releases and their reversals (refunds, disputes), signed like `net`: a
 * release shows +gross (net of VAT) and its parts, a refund -gross and the parts it took back. Payouts and their
 * reversals move only `net`.
 *
 * The ticket comes from the payment the transaction was posted for: payment_postings records it for every
 * posting the payments module makes; a reference of type 'payment' covers postings made elsewhere. A
 * reversal of a release is a dispute when the payments module posted it for a dispute, a refund otherwise.
 */
export async function statementLines(db: Queryable, code: string, currency: string, lower: Position, upper: Position): Promise<LineRow[]> {
  const { rows } = await sql<LineRow>`
    WITH account AS (SELECT id FROM ledger_accounts WHERE code = ${code} AND currency = ${currency}),
    moved AS (
      SELECT e.transaction_id, sum(e.amount) AS amount
      FROM ledger_entries e JOIN account ON account.id = e.account_id
      WHERE ${after(lower)} AND ${upTo(upper)}
      GROUP BY e.transaction_id
    )
    SELECT t.id AS transaction_id, t.created_at, t.memo,
      CASE
        -- A support plan's period closed: its revenue shared out (plans.revenue.ts); the memo names plan and period.
        WHEN t.kind = 'release' AND t.reference_type = 'subscription_period' THEN 'plan'
        WHEN t.kind = 'release' THEN 'release'
        WHEN t.kind = 'payout' THEN 'payout'
        WHEN o.kind = 'release' AND EXISTS (
          SELECT 1 FROM payment_postings pp JOIN payment_disputes d ON d.id = pp.source_id WHERE pp.transaction_id = t.id
        ) THEN 'dispute'
        WHEN o.kind = 'release' THEN 'refund'
        ELSE 'reversal'
      END AS kind,
      k.id AS ticket_id, k.title AS ticket_title,
      po.id AS payout_id, po.period_key AS payout_period,
      coalesce(s.gross, 0)::int8 AS gross,
      coalesce(s.commission, 0)::int8 AS commission,
      coalesce(s.platform_fee, 0)::int8 AS platform_fee,
      coalesce(s.processor_fee, 0)::int8 AS processor_fee,
      (0 - m.amount)::int8 AS net
    FROM moved m
    JOIN ledger_transactions t ON t.id = m.transaction_id
    LEFT JOIN ledger_transactions o ON o.id = t.reverses_transaction_id
    LEFT JOIN payments p ON p.id::text = coalesce(
      (SELECT pp.payment_id::text FROM payment_postings pp WHERE pp.transaction_id = t.id),
      CASE WHEN t.reference_type = 'payment' THEN t.reference_id END)
    LEFT JOIN tickets k ON k.id = p.ticket_id
    LEFT JOIN payouts po ON t.reference_type = 'payout' AND po.id::text = t.reference_id
    LEFT JOIN LATERAL (
      -- Gross is what the split was of: what left escrow less the VAT a card price included (tax:payable),
      -- since VAT is nobody's revenue; so gross = commission + platform fee + processor fee + helpers.
      SELECT sum(e2.amount) FILTER (WHERE a2.code IN ('escrow:held', 'tax:payable')) AS gross,
             0 - sum(e2.amount) FILTER (WHERE a2.owner_type = 'repo') AS commission,
             0 - sum(e2.amount) FILTER (WHERE a2.code = 'platform:revenue') AS platform_fee,
             0 - sum(e2.amount) FILTER (WHERE a2.code = 'processor:fees') AS processor_fee
      FROM ledger_entries e2 JOIN ledger_accounts a2 ON a2.id = e2.account_id
      WHERE e2.transaction_id = t.id AND (t.kind = 'release' OR o.kind = 'release')
    ) s ON true
    ORDER BY t.created_at, t.id`.execute(db);
  return rows;
}

/** The account's balance on its natural side (what is owed) after every posting up to `position`. */
export async function balanceAt(db: Queryable, code: string, currency: string, position: Position): Promise<number> {
  const { rows } = await sql<{ owed: number }>`
    SELECT (0 - coalesce(sum(e.amount), 0))::int8 AS owed
    FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
    WHERE a.code = ${code} AND a.currency = ${currency} AND ${upTo(position)}`.execute(db);
  return rows[0].owed;
}

/** The currencies the account exists in, busiest first: the first is the payee's main currency. */
export async function currenciesOf(db: Queryable, code: string): Promise<string[]> {
  const { rows } = await sql<{ currency: string }>`
    SELECT a.currency FROM ledger_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
    WHERE a.code = ${code}
    GROUP BY a.currency ORDER BY count(e.id) DESC, a.currency`.execute(db);
  return rows.map((row) => row.currency);
}
