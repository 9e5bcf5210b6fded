import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import type { PayeeType, PayoutSchedule, PayoutsTable, PayoutStatus } from '../../db/types.ts';
import type { Payee } from './payouts.schedule.ts';

export type PayoutRow = Selectable<PayoutsTable>;
/** Payouts that left the ledger but have not arrived yet. */
export const OPEN_STATUSES: PayoutStatus[] = ['processing', 'pending_manual'];

export async function findSchedule(db: Queryable, payee: Payee): Promise<PayoutSchedule | undefined> {
  const row = await db.selectFrom('payout_settings').select('schedule').where('payee_type', '=', payee.type).where('payee_id', '=', payee.id).executeTakeFirst();
  return row?.schedule;
}

export async function saveSchedule(trx: Tx, payee: Payee, schedule: PayoutSchedule, by: string, now: Date): Promise<void> {
  await trx
    .insertInto('payout_settings')
    .values({ payee_type: payee.type, payee_id: payee.id, schedule, updated_by: by, updated_at: now })
    .onConflict((oc) => oc.columns(['payee_type', 'payee_id']).doUpdateSet({ schedule, updated_by: by, updated_at: now }))
    .execute();
}

export async function minimumsOf(db: Queryable, payee: Payee): Promise<Map<string, number>> {
  const rows = await db.selectFrom('payout_minimums').select(['currency', 'minimum']).where('payee_type', '=', payee.type).where('payee_id', '=', payee.id).execute();
  return new Map(rows.map((row) => [row.currency, row.minimum]));
}

/** The payee's own minimums become exactly `minimums`: a currency left out falls back to the platform's. */
export async function replaceMinimums(trx: Tx, payee: Payee, minimums: Record<string, number>): Promise<void> {
  await trx.deleteFrom('payout_minimums').where('payee_type', '=', payee.type).where('payee_id', '=', payee.id).execute();
  const rows = Object.entries(minimums).map(([currency, minimum]) => ({ payee_type: payee.type, payee_id: payee.id, currency, minimum }));
  if (rows.length) await trx.insertInto('payout_minimums').values(rows).execute();
}

export type PayableRow = { payee_type: PayeeType; payee_id: string; currency: string; owed: number; schedule: PayoutSchedule | null };

/**
 * What the ledger owes each payee, per currency (its payable accounts, on their natural side), with the
 * payee's schedule. A read of the ledger's accounts for reporting; money only moves through its service.
 */
export async function payables(db: Queryable, filter: { payee?: Payee; positiveOnly?: boolean } = {}): Promise<PayableRow[]> {
  const { rows } = await sql<PayableRow>`
    SELECT a.owner_type AS payee_type, a.owner_id AS payee_id, a.currency, (0 - a.balance)::int8 AS owed, s.schedule
    FROM ledger_accounts a
    LEFT JOIN payout_settings s ON s.payee_type = a.owner_type AND s.payee_id = a.owner_id
    WHERE a.owner_type IN ('helper', 'repo') AND a.code LIKE '%:payable'
      ${filter.payee ? sql`AND a.owner_type = ${filter.payee.type} AND a.owner_id = ${filter.payee.id}` : sql``}
      ${filter.positiveOnly ? sql`AND a.balance < 0` : sql``}
    ORDER BY a.owner_type, a.owner_id, a.currency`.execute(db);
  return rows;
}

/**
 * Holds this payee's payouts in this currency until the transaction ends: two workers (one of them
 * perhaps already in the next period) can never both read the same balance and pay it.
 */
export async function lockPayee(trx: Tx, payee: Payee, currency: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`payout:${payee.type}:${payee.id}:${currency}`}, 0))`.execute(trx);
}

export async function findPayoutForPeriod(db: Queryable, payee: Payee, currency: string, period: string): Promise<PayoutRow | undefined> {
  return db
    .selectFrom('payouts')
    .selectAll()
    .where('payee_type', '=', payee.type)
    .where('payee_id', '=', payee.id)
    .where('currency', '=', currency)
    .where('period_key', '=', period)
    .executeTakeFirst();
}

export async function insertPayout(trx: Tx, row: Insertable<PayoutsTable>): Promise<PayoutRow> {
  return trx.insertInto('payouts').values(row).returningAll().executeTakeFirstOrThrow();
}

/** With `lock`, the transfer's outcome, a mark-paid and a failure of one payout take turns. */
export async function findPayout(db: Queryable, id: string, lock = false): Promise<PayoutRow | undefined> {
  const query = db.selectFrom('payouts').selectAll().where('id', '=', id);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function updatePayout(trx: Tx, id: string, changes: Updateable<PayoutsTable>): Promise<PayoutRow> {
  return trx.updateTable('payouts').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function countTransferAttempt(db: Queryable, id: string, error: string): Promise<void> {
  await db
    .updateTable('payouts')
    .set({ transfer_attempts: sql`transfer_attempts + 1`, failure_reason: error.slice(0, 500) })
    .where('id', '=', id)
    .where('status', '=', 'processing')
    .execute();
}

/** Transfers not confirmed yet: the ones this run made and any a crash or an outage left behind. */
export async function processingPayouts(db: Queryable): Promise<PayoutRow[]> {
  return db.selectFrom('payouts').selectAll().where('status', '=', 'processing').orderBy('created_at').orderBy('id').limit(500).execute();
}

export async function payoutsOf(db: Queryable, payee: Payee, limit = 100): Promise<PayoutRow[]> {
  return db
    .selectFrom('payouts')
    .selectAll()
    .where('payee_type', '=', payee.type)
    .where('payee_id', '=', payee.id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** With the payee's name (a helper's display name, a repository's full name): the operator pays people, not ids. */
export async function listPayouts(db: Queryable, status: PayoutStatus | undefined, limit: number): Promise<Array<PayoutRow & { payee_name: string | null }>> {
  let query = db
    .selectFrom('payouts')
    .leftJoin('users', (join) => join.onRef('users.id', '=', 'payouts.payee_id').on('payouts.payee_type', '=', 'helper'))
    .leftJoin('repos', (join) => join.onRef('repos.id', '=', 'payouts.payee_id').on('payouts.payee_type', '=', 'repo'))
    .selectAll('payouts')
    .select((eb) => eb.fn.coalesce('users.display_name', 'repos.full_name').as('payee_name'));
  if (status) query = query.where('payouts.status', '=', status);
  return query.orderBy('payouts.created_at', 'desc').orderBy('payouts.id', 'desc').limit(limit).execute();
}

/** The payout of this payee and currency made just before `payout`, if any. */
export async function previousPayout(db: Queryable, payout: PayoutRow): Promise<PayoutRow | undefined> {
  return db
    .selectFrom('payouts')
    .selectAll()
    .where('payee_type', '=', payout.payee_type)
    .where('payee_id', '=', payout.payee_id)
    .where('currency', '=', payout.currency)
    .where((eb) => eb.or([eb('created_at', '<', payout.created_at), eb.and([eb('created_at', '=', payout.created_at), eb('id', '<', payout.id)])]))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** Per currency, what the payee's payouts took from the balance that has not arrived yet. */
export async function openTotals(db: Queryable, payee: Payee): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('payouts')
    .select(['currency', sql<string>`sum(amount)::text`.as('total')])
    .where('payee_type', '=', payee.type)
    .where('payee_id', '=', payee.id)
    .where('status', 'in', OPEN_STATUSES)
    .groupBy('currency')
    .execute();
  return new Map(rows.map((row) => [row.currency, Number(row.total)]));
}
