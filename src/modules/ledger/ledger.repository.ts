import { sql, type Insertable, type Selectable } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import type { LedgerEntriesTable, LedgerTransactionsTable } from '../../db/types.ts';
import type { AccountSpec } from './accounts.ts';

export type TransactionRow = Selectable<LedgerTransactionsTable>;
export type EntryRow = { id: string; account_code: string; amount: number; reverses_entry_id: string | null };

/** Claims the idempotency key: returns undefined when a transaction with this key already exists. */
export async function insertTransaction(trx: Tx, row: Insertable<LedgerTransactionsTable>): Promise<TransactionRow | undefined> {
  return trx
    .insertInto('ledger_transactions')
    .values(row)
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findTransactionByKey(db: Queryable, key: string): Promise<TransactionRow | undefined> {
  return db.selectFrom('ledger_transactions').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
}

/** With `lock`, holds the row until commit so that concurrent reversals of it take turns. */
export async function findTransactionById(db: Queryable, id: string, lock = false): Promise<TransactionRow | undefined> {
  const query = db.selectFrom('ledger_transactions').selectAll().where('id', '=', id);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function entriesOf(db: Queryable, transactionId: string): Promise<EntryRow[]> {
  return db
    .selectFrom('ledger_entries')
    .innerJoin('ledger_accounts', 'ledger_accounts.id', 'ledger_entries.account_id')
    .select(['ledger_entries.id', 'ledger_accounts.code as account_code', 'ledger_entries.amount', 'ledger_entries.reverses_entry_id'])
    .where('ledger_entries.transaction_id', '=', transactionId)
    .orderBy('ledger_entries.id')
    .execute();
}

export type AccountChange = AccountSpec & { id: string; currency: string; delta: number; now: Date };

/**
 * Creates the accounts that do not exist yet and adds each delta to its stored balance, in one
 * statement that also takes the row locks. Rows are written, and so locked, in the order given:
 * callers pass accounts in code order, so two postings touching the same accounts always lock them
 * in the same order and cannot deadlock each other. Returns the account id of each code.
 */
export async function applyToAccounts(trx: Tx, changes: AccountChange[]): Promise<Map<string, string>> {
  const rows = await trx
    .insertInto('ledger_accounts')
    .values(
      changes.map((change) => ({
        id: change.id,
        code: change.code,
        currency: change.currency,
        kind: change.kind,
        owner_type: change.ownerType,
        owner_id: change.ownerId,
        balance: change.delta,
        created_at: change.now,
      })),
    )
    .onConflict((oc) => oc.columns(['code', 'currency']).doUpdateSet({ balance: sql`ledger_accounts.balance + excluded.balance` }))
    .returning(['id', 'code'])
    .execute();
  return new Map(rows.map((row) => [row.code, row.id]));
}

export async function insertEntries(trx: Tx, rows: Insertable<LedgerEntriesTable>[]): Promise<void> {
  await trx.insertInto('ledger_entries').values(rows).execute();
}

export async function findAccount(db: Queryable, code: string, currency: string) {
  return db.selectFrom('ledger_accounts').select(['kind', 'balance']).where('code', '=', code).where('currency', '=', currency).executeTakeFirst();
}

/** How much of each entry of a transaction earlier reversals took back (signed like the reversal entries). */
export async function reversedByEntry(db: Queryable, transactionId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('ledger_entries as original')
    .innerJoin('ledger_entries as reversal', 'reversal.reverses_entry_id', 'original.id')
    .select(['original.id', sql<string>`sum(reversal.amount)::text`.as('reversed')])
    .where('original.transaction_id', '=', transactionId)
    .groupBy('original.id')
    .execute();
  return new Map(rows.map((row) => [row.id, Number(row.reversed)]));
}

const PROBLEMS_PER_CHECK = 50;

/**
 * Every invariant of the ledger as one query each, run over the whole ledger; each row returned is a
 * violation, already phrased for the operator. Sums are compared in SQL (numeric), never in JavaScript
 * numbers, so a corrupt balance beyond 2^53 is still reported rather than misread.
 */
const CHECKS = [
  sql<{ problem: string }>`
    SELECT 'transaction ' || t.id || ' (' || t.idempotency_key || ') does not balance: its entries sum to ' || coalesce(sum(e.amount), 0) || ' ' || t.currency AS problem
    FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.id
    GROUP BY t.id HAVING coalesce(sum(e.amount), 0) <> 0 OR count(e.id) < 2`,
  sql<{ problem: string }>`
    SELECT 'entry ' || e.id || ' is in ' || e.currency || ' but its transaction is in ' || t.currency || ' and its account in ' || a.currency AS problem
    FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id JOIN ledger_accounts a ON a.id = e.account_id
    WHERE e.currency <> t.currency OR e.currency <> a.currency`,
  sql<{ problem: string }>`
    SELECT 'entries in ' || currency || ' sum to ' || sum(amount) || ' instead of 0' AS problem
    FROM ledger_entries GROUP BY currency HAVING sum(amount) <> 0`,
  sql<{ problem: string }>`
    SELECT 'stored balances in ' || currency || ' sum to ' || sum(balance) || ' instead of 0' AS problem
    FROM ledger_accounts GROUP BY currency HAVING sum(balance) <> 0`,
  sql<{ problem: string }>`
    SELECT 'account ' || a.code || ' (' || a.currency || ') stores balance ' || a.balance || ' but its entries sum to ' || coalesce(sum(e.amount), 0) AS problem
    FROM ledger_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
    GROUP BY a.id HAVING a.balance <> coalesce(sum(e.amount), 0)`,
  sql<{ problem: string }>`
    SELECT 'entry ' || o.id || ' of transaction ' || o.transaction_id || ' (' || o.amount || ') is reversed by ' || sum(r.amount) AS problem
    FROM ledger_entries o JOIN ledger_entries r ON r.reverses_entry_id = o.id
    GROUP BY o.id HAVING sign(sum(r.amount)) = sign(o.amount) OR abs(sum(r.amount)) > abs(o.amount)`,
  sql<{ problem: string }>`
    SELECT 'transaction ' || o.id || ' (' || o.idempotency_key || ') moved ' || o.total || ' but its reversals moved ' || r.total AS problem
    FROM (SELECT t.id, t.idempotency_key, sum(e.amount) FILTER (WHERE e.amount > 0) AS total
          FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id GROUP BY t.id) o
    JOIN (SELECT t.reverses_transaction_id AS id, sum(e.amount) FILTER (WHERE e.amount > 0) AS total
          FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id
          WHERE t.reverses_transaction_id IS NOT NULL GROUP BY t.reverses_transaction_id) r ON r.id = o.id
    WHERE r.total > o.total`,
  sql<{ problem: string }>`
    SELECT 'reversal entry ' || r.id || ' takes back entry ' || o.id || ' of another transaction or account' AS problem
    FROM ledger_entries r
    JOIN ledger_transactions rt ON rt.id = r.transaction_id
    JOIN ledger_entries o ON o.id = r.reverses_entry_id
    WHERE rt.reverses_transaction_id IS DISTINCT FROM o.transaction_id OR r.account_id <> o.account_id`,
  sql<{ problem: string }>`
    SELECT 'transaction ' || t.id || ' reverses a reversal (' || t.reverses_transaction_id || ')' AS problem
    FROM ledger_transactions t JOIN ledger_transactions o ON o.id = t.reverses_transaction_id
    WHERE o.kind = 'reversal'`,
  sql<{ problem: string }>`
    SELECT 'idempotency key ' || idempotency_key || ' is used by ' || count(*) || ' transactions' AS problem
    FROM ledger_transactions GROUP BY idempotency_key HAVING count(*) > 1`,
];

export async function invariantProblems(db: Queryable): Promise<string[]> {
  const problems: string[] = [];
  for (const check of CHECKS) {
    const { rows } = await sql<{ problem: string }>`${check} LIMIT ${PROBLEMS_PER_CHECK}`.execute(db);
    problems.push(...rows.map((row) => row.problem));
  }
  return problems;
}
