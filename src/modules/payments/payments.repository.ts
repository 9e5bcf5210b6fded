import { sql, type ExpressionBuilder, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import type {
  DB,
  PaymentDisputesTable,
  PaymentPostingPurpose,
  PaymentPostingsTable,
  PaymentRefundsTable,
  PaymentsTable,
  PaymentStatus,
} from '../../db/types.ts';

export type PaymentRow = Selectable<PaymentsTable>;
export type RefundRow = Selectable<PaymentRefundsTable>;
export type DisputeRow = Selectable<PaymentDisputesTable>;
export type PostingRow = Selectable<PaymentPostingsTable>;

/**
 * Payments and what hangs off them. Every money change reads the payment with `lock`, which holds its
 * row until the transaction ends: captures, releases, refunds and disputes of one payment take turns,
 * and each one re-checks the state it found under the lock.
 */
export async function findPayment(db: Queryable, id: string, options: { lock?: boolean } = {}): Promise<PaymentRow | undefined> {
  const query = db.selectFrom('payments').selectAll().where('id', '=', id);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

/** Provider events name the charge, not our payment. */
export async function findPaymentByCharge(trx: Tx, providerChargeId: string): Promise<PaymentRow | undefined> {
  return trx.selectFrom('payments').selectAll().where('provider_charge_id', '=', providerChargeId).forUpdate().executeTakeFirst();
}

/** Locked in id order, so that two transactions locking several payments of a ticket cannot deadlock. */
export async function paymentsOfTicket(db: Queryable, ticketId: string, options: { statuses?: PaymentStatus[]; lock?: boolean } = {}): Promise<PaymentRow[]> {
  let query = db.selectFrom('payments').selectAll().where('ticket_id', '=', ticketId);
  if (options.statuses) query = query.where('status', 'in', options.statuses);
  query = query.orderBy('id');
  return (options.lock ? query.forUpdate() : query).execute();
}

export async function insertPayment(trx: Tx, row: Insertable<PaymentsTable>): Promise<void> {
  await trx.insertInto('payments').values(row).execute();
}

export async function updatePayment(trx: Tx, id: string, changes: Updateable<PaymentsTable>): Promise<PaymentRow> {
  return trx.updateTable('payments').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function insertPosting(trx: Tx, row: Insertable<PaymentPostingsTable>): Promise<void> {
  await trx.insertInto('payment_postings').values(row).execute();
}

export async function postingsOf(trx: Tx, paymentId: string, purposes: PaymentPostingPurpose[], sourceId?: string): Promise<PostingRow[]> {
  let query = trx.selectFrom('payment_postings').selectAll().where('payment_id', '=', paymentId).where('purpose', 'in', purposes);
  if (sourceId) query = query.where('source_id', '=', sourceId);
  return query.orderBy('created_at').orderBy('transaction_id').execute();
}

export async function addReversed(trx: Tx, transactionId: string, amount: number): Promise<void> {
  await trx
    .updateTable('payment_postings')
    .set({ reversed: sql`reversed + ${amount}` })
    .where('transaction_id', '=', transactionId)
    .execute();
}

/** Returns the new refund, or undefined when this provider refund is already recorded for the payment. */
export async function insertRefund(trx: Tx, row: Insertable<PaymentRefundsTable>): Promise<RefundRow | undefined> {
  return trx
    .insertInto('payment_refunds')
    .values(row)
    .onConflict((oc) => oc.columns(['payment_id', 'provider_refund_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findRefund(trx: Tx, paymentId: string, providerRefundId: string): Promise<RefundRow | undefined> {
  return trx.selectFrom('payment_refunds').selectAll().where('payment_id', '=', paymentId).where('provider_refund_id', '=', providerRefundId).executeTakeFirst();
}

export async function refundsOf(db: Queryable, paymentIds: string[]): Promise<RefundRow[]> {
  if (paymentIds.length === 0) return [];
  return db.selectFrom('payment_refunds').selectAll().where('payment_id', 'in', paymentIds).orderBy('created_at').orderBy('id').execute();
}

/** Returns the new dispute, or undefined when this provider dispute is already recorded for the payment. */
export async function insertDispute(trx: Tx, row: Insertable<PaymentDisputesTable>): Promise<DisputeRow | undefined> {
  return trx
    .insertInto('payment_disputes')
    .values(row)
    .onConflict((oc) => oc.columns(['payment_id', 'provider_dispute_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findProviderDispute(trx: Tx, paymentId: string, providerDisputeId: string): Promise<DisputeRow | undefined> {
  return trx.selectFrom('payment_disputes').selectAll().where('payment_id', '=', paymentId).where('provider_dispute_id', '=', providerDisputeId).executeTakeFirst();
}

export async function openDisputes(trx: Tx, paymentId: string): Promise<DisputeRow[]> {
  return trx.selectFrom('payment_disputes').selectAll().where('payment_id', '=', paymentId).where('status', '=', 'open').execute();
}

export async function closeDispute(trx: Tx, id: string, changes: Pick<DisputeRow, 'status' | 'closed_by' | 'closed_at'>): Promise<void> {
  await trx.updateTable('payment_disputes').set(changes).where('id', '=', id).execute();
}

export async function disputesOf(db: Queryable, paymentIds: string[]): Promise<DisputeRow[]> {
  if (paymentIds.length === 0) return [];
  return db.selectFrom('payment_disputes').selectAll().where('payment_id', 'in', paymentIds).orderBy('opened_at').orderBy('id').execute();
}

/**
 * Payments with a dispute: those with one still open (what an operator must decide), or those whose
 * disputes are all closed, most recent first. `limit` keeps the operator's page short.
 */
export async function disputedPayments(db: Queryable, state: 'open' | 'closed', limit: number): Promise<PaymentRow[]> {
  const openDispute = (eb: ExpressionBuilder<DB, 'payments'>) =>
    eb.exists(eb.selectFrom('payment_disputes').select('payment_disputes.id').whereRef('payment_disputes.payment_id', '=', 'payments.id').where('payment_disputes.status', '=', 'open'));
  const anyDispute = (eb: ExpressionBuilder<DB, 'payments'>) =>
    eb.exists(eb.selectFrom('payment_disputes').select('payment_disputes.id').whereRef('payment_disputes.payment_id', '=', 'payments.id'));
  return db
    .selectFrom('payments')
    .selectAll()
    .where((eb) => (state === 'open' ? openDispute(eb) : eb.and([anyDispute(eb), eb.not(openDispute(eb))])))
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** A unique index refused the row (optionally: this index), on node-postgres and PGlite alike. */
export const isUniqueViolation = (error: unknown, constraint?: string) =>
  (error as { code?: string }).code === '23505' && (!constraint || (error as { constraint?: string }).constraint === constraint);

/** The invoice of each payment that has one (the invoices module keeps one per payment), by payment id. */
export async function invoiceIdsOf(db: Queryable, paymentIds: string[]): Promise<Map<string, string>> {
  if (paymentIds.length === 0) return new Map();
  const rows = await db.selectFrom('invoices').select(['id', 'payment_id']).where('kind', '=', 'invoice').where('payment_id', 'in', paymentIds).execute();
  return new Map(rows.map((row) => [row.payment_id!, row.id]));
}
