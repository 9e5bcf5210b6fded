import { sql } from 'kysely';
import type { Queryable } from '../../db/database.ts';
import type { StripeClient } from '../../integrations/stripe/client.ts';
import type { MoneyRecord } from './reconciliation.compare.ts';

/**
 * Both sides of a reconciliation. Ours comes from the ledger: captures and refunds are the ledger
 * transactions posted for a payment, matched to the provider by the ids the payment and its refunds keep;
 * transfers are payout postings net of their reversals. The provider's side is what Stripe lists, or for
 * the sandbox (no outside records) the payments table, which the sandbox provider writes.
 */
type Row = { object: MoneyRecord['object']; external_id: string; currency: string; amount: number; at: Date };
const toRecord = (row: Row): MoneyRecord => ({ object: row.object, externalId: row.external_id, currency: row.currency, amount: row.amount, at: row.at });

export async function ledgerRecords(db: Queryable, provider: 'sandbox' | 'stripe'): Promise<MoneyRecord[]> {
  const { rows } = await sql<Row>`
    WITH posted AS (
      SELECT t.id, t.kind, t.currency, t.created_at, p.id AS payment_id, p.provider_charge_id,
        (SELECT sum(e.amount) FROM ledger_entries e WHERE e.transaction_id = t.id AND e.amount > 0) AS amount
      FROM ledger_transactions t
      JOIN payments p ON t.reference_type = 'payment' AND p.id::text = t.reference_id
      WHERE t.kind IN ('capture', 'refund') AND p.provider = ${provider}
    )
    SELECT 'charge' AS object, coalesce(provider_charge_id, 'payment:' || payment_id) AS external_id, currency, sum(amount)::int8 AS amount, min(created_at) AS at
    FROM posted WHERE kind = 'capture' GROUP BY 2, currency
    UNION ALL
    SELECT 'refund', coalesce(r.provider_refund_id, 'ledger:' || posted.id), posted.currency, posted.amount::int8, posted.created_at
    FROM posted
    LEFT JOIN payment_postings pp ON pp.transaction_id = posted.id
    LEFT JOIN payment_refunds r ON r.id = pp.source_id
    WHERE posted.kind = 'refund'
    UNION ALL
    SELECT 'transfer', po.provider_transfer_id, po.currency,
      ((SELECT sum(e.amount) FROM ledger_entries e WHERE e.transaction_id = po.ledger_transaction_id AND e.amount > 0)
        - coalesce((SELECT sum(e.amount) FROM ledger_entries e WHERE e.transaction_id = po.reversal_transaction_id AND e.amount > 0), 0))::int8,
      po.created_at
    FROM payouts po WHERE po.provider_transfer_id IS NOT NULL AND ${provider} = 'stripe'`.execute(db);
  return rows.map(toRecord);
}

/** The sandbox's own record of what it captured and refunded. */
export async function sandboxRecords(db: Queryable): Promise<MoneyRecord[]> {
  const { rows } = await sql<Row>`
    SELECT 'charge' AS object, coalesce(provider_charge_id, 'payment:' || id) AS external_id, currency, captured_amount AS amount, coalesce(held_at, created_at) AS at
    FROM payments WHERE provider = 'sandbox' AND captured_amount > 0
    UNION ALL
    SELECT 'refund', r.provider_refund_id, p.currency, r.amount, r.created_at
    FROM payment_refunds r JOIN payments p ON p.id = r.payment_id WHERE p.provider = 'sandbox'`.execute(db);
  return rows.map(toRecord);
}

/** Everything Stripe lists that moved money on the platform's balance: captured charges, refunds, transfers. */
export async function stripeRecords(client: StripeClient): Promise<MoneyRecord[]> {
  const records: MoneyRecord[] = [];
  const at = (created: number) => new Date(created * 1000);
  for await (const charge of client.charges.list({ limit: 100 })) {
    if (charge.captured) records.push({ object: 'charge', externalId: charge.id, currency: charge.currency.toUpperCase(), amount: charge.amount_captured, at: at(charge.created) });
  }
  for await (const refund of client.refunds.list({ limit: 100 })) {
    if (refund.status === 'succeeded') records.push({ object: 'refund', externalId: refund.id, currency: refund.currency.toUpperCase(), amount: refund.amount, at: at(refund.created) });
  }
  for await (const transfer of client.transfers.list({ limit: 100 })) {
    records.push({ object: 'transfer', externalId: transfer.id, currency: transfer.currency.toUpperCase(), amount: transfer.amount - transfer.amount_reversed, at: at(transfer.created) });
  }
  return records;
}
