import type { Queryable, Tx } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import type { LedgerTransactionKind } from '../../db/types.ts';
import { badRequest, conflict, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { requireOperator, type Actor } from '../auth/actor.ts';
import { accountSpec, naturalBalance } from './accounts.ts';
import * as repo from './ledger.repository.ts';
import { ledgerCurrency, parseInput, postInput, reverseInput, type PostInput, type ReverseInput } from './ledger.schemas.ts';
import { apportion } from './split.ts';

export type PostedEntry = { id: string; accountCode: string; amount: number; reversesEntryId: string | null };
export type PostedTransaction = {
  id: string;
  idempotencyKey: string;
  kind: LedgerTransactionKind;
  currency: string;
  reference: { type: string; id: string };
  reversesTransactionId: string | null;
  memo: string;
  createdAt: Date;
  entries: PostedEntry[];
  /** True when the idempotency key had already been used for this same request: nothing new was written. */
  replayed: boolean;
};

type Draft = {
  idempotencyKey: string;
  kind: LedgerTransactionKind;
  currency: string;
  reference: { type: string; id: string };
  reversesTransactionId: string | null;
  memo: string;
  entries: { accountCode: string; amount: number; reversesEntryId: string | null }[];
};

/**
 * The double-entry ledger: postings, reversals, balances and the whole-ledger check. Payments, refunds
 * and payouts call this service; no other module writes ledger rows.
 */
export function createLedgerService(deps: Deps) {
  const { db, clock } = deps;

  /** Money moves only inside a database transaction: the caller's, so its own change commits with the posting. */
  function inTransaction<T>(scope: Queryable, work: (trx: Tx) => Promise<T>): Promise<T> {
    return scope.isTransaction ? work(scope as Tx) : scope.transaction().execute(work);
  }

  /**
   * Writes a transaction unless its idempotency key is taken. The unique key is claimed first, so a
   * concurrent request with the same key waits for this one and then finds its result.
   */
  async function record(trx: Tx, draft: Draft, sameRequest: (existing: PostedTransaction) => boolean): Promise<PostedTransaction> {
    const now = clock.now();
    const inserted = await repo.insertTransaction(trx, {
      id: newId(now.getTime()),
      idempotency_key: draft.idempotencyKey,
      kind: draft.kind,
      reference_type: draft.reference.type,
      reference_id: draft.reference.id,
      reverses_transaction_id: draft.reversesTransactionId,
      memo: draft.memo,
      currency: draft.currency,
      created_at: now,
    });
    if (!inserted) return replay(trx, draft.idempotencyKey, sameRequest);

    const accountIds = await repo.applyToAccounts(
      trx,
      deltasInLockOrder(draft.entries).map(([code, delta]) => ({ ...accountSpec(code), id: newId(now.getTime()), currency: draft.currency, delta, now })),
    );
    const entries = draft.entries.map((entry) => ({ ...entry, id: newId(now.getTime()) }));
    await repo.insertEntries(
      trx,
      entries.map((entry) => ({
        id: entry.id,
        transaction_id: inserted.id,
        account_id: accountIds.get(entry.accountCode)!,
        amount: entry.amount,
        currency: draft.currency,
        reverses_entry_id: entry.reversesEntryId,
        created_at: now,
      })),
    );
    return present(inserted, entries, false);
  }

  async function replay(trx: Tx, key: string, sameRequest: (existing: PostedTransaction) => boolean): Promise<PostedTransaction> {
    const row = await repo.findTransactionByKey(trx, key);
    if (!row) throw new Error(`ledger transaction ${key} vanished after its key conflicted`);
    const existing = present(row, await loadEntries(trx, row.id), true);
    if (!sameRequest(existing)) {
      throw conflict(
        `The idempotency key ${key} was already used for a different ledger transaction (${existing.id}); use a new key for a new movement.`,
        'idempotency_key_reused',
      );
    }
    return existing;
  }

  async function loadEntries(scope: Queryable, transactionId: string): Promise<PostedEntry[]> {
    const rows = await repo.entriesOf(scope, transactionId);
    return rows.map((row) => ({ id: row.id, accountCode: row.account_code, amount: row.amount, reversesEntryId: row.reverses_entry_id }));
  }

  return {
    /**
     * Posts one balanced transaction: entries are signed (debit +, credit -) and must sum to zero.
     * Retrying with the same idempotency key and the same content returns the first result; the same
     * key with other content is a 409. Pass the caller's transaction as `scope` so that the posting
     * commits or rolls back with the change that caused it.
     */
    async post(scope: Queryable, input: PostInput): Promise<PostedTransaction> {
      const parsed = parseInput(postInput, input);
      parsed.entries.forEach((entry, index) => accountSpec(entry.accountCode, `entries.${index}.accountCode`));
      const sum = parsed.entries.reduce((total, entry) => total + BigInt(entry.amount), 0n);
      if (sum !== 0n) {
        throw badRequest(`The entries do not balance: they sum to ${sum} ${parsed.currency}; debits (+) must equal credits (-).`, [
          { path: 'entries', message: `sum to ${sum}, not 0` },
        ]);
      }
      const draft: Draft = {
        ...parsed,
        reversesTransactionId: null,
        entries: parsed.entries.map((entry) => ({ ...entry, reversesEntryId: null })),
      };
      return inTransaction(scope, (trx) => record(trx, draft, (existing) => fingerprint(existing) === fingerprint(draft)));
    },

    /**
     * Takes back part or all of a transaction: each entry is reversed in proportion to what is left of
     * it (largest-remainder rounding, see split.ts), so partial reversals add up to at most the original,
     * entry by entry. `amount` is in the units of the original's total (the sum of its debits).
     */
    async reverse(scope: Queryable, transactionId: string, input: ReverseInput): Promise<PostedTransaction> {
      const parsed = parseInput(reverseInput, input);
      return inTransaction(scope, async (trx) => {
        const original = await repo.findTransactionById(trx, transactionId, true);
        if (!original) throw notFound(`The ledger transaction ${transactionId}`);
        if (original.kind === 'reversal') {
          throw conflict('A reversal cannot be reversed; post a new transaction for the movement you want.', 'reversal_of_reversal');
        }
        const entries = await loadEntries(trx, original.id);
        const total = entries.reduce((sum, entry) => sum + Math.max(entry.amount, 0), 0);
        const amount = parsed.amount ?? Number((BigInt(total) * BigInt(parsed.fraction!.numerator)) / BigInt(parsed.fraction!.denominator));
        if (amount < 1) throw badRequest(`That share of ${total} ${original.currency} rounds down to nothing to reverse.`, [{ path: 'fraction', message: 'too small' }]);
        const sameRequest = (existing: PostedTransaction) =>
          existing.reversesTransactionId === original.id && existing.entries.reduce((sum, entry) => sum + Math.max(entry.amount, 0), 0) === amount;

        // Checked under the lock: a retry that lost the race must find the first attempt, not a smaller remainder.
        if (await repo.findTransactionByKey(trx, parsed.idempotencyKey)) return replay(trx, parsed.idempotencyKey, sameRequest);

        const reversed = await repo.reversedByEntry(trx, original.id);
        const reversals = [...reverseSide(entries, reversed, amount, 1, parsed.pin), ...reverseSide(entries, reversed, amount, -1, parsed.pin)];
        return record(
          trx,
          {
            idempotencyKey: parsed.idempotencyKey,
            kind: 'reversal',
            currency: original.currency,
            reference: parsed.reference ?? { type: original.reference_type, id: original.reference_id },
            reversesTransactionId: original.id,
            memo: parsed.memo,
            entries: reversals,
          },
          sameRequest,
        );
      });
    },

    /** An account's balance: `balance` on its natural side (owed, earned, held), `debitBalance` as stored. */
    async balance(accountCode: string, currency: string, scope: Queryable = db) {
      const spec = accountSpec(accountCode);
      parseInput(ledgerCurrency, currency);
      const row = await repo.findAccount(scope, accountCode, currency);
      const debitBalance = row?.balance ?? 0;
      return { accountCode, currency, kind: spec.kind, debitBalance, balance: naturalBalance(spec.kind, debitBalance) };
    },

    async transaction(id: string, scope: Queryable = db): Promise<PostedTransaction> {
      const row = await repo.findTransactionById(scope, id);
      if (!row) throw notFound(`The ledger transaction ${id}`);
      return present(row, await loadEntries(scope, row.id), false);
    },

    /** Operators only: the whole-ledger check behind GET /api/v1/admin/ledger/check. */
    async check(actor: Actor) {
      requireOperator(actor);
      return checkInvariants(db);
    },
  };
}

/**
 * Verifies the whole ledger: every transaction balances, each currency sums to zero, stored balances
 * equal the sum of their entries, nothing is reversed beyond its amount, no idempotency key is reused.
 */
export async function checkInvariants(db: Queryable): Promise<{ ok: boolean; problems: string[] }> {
  const problems = await repo.invariantProblems(db);
  return { ok: problems.length === 0, problems };
}

/** Net change per account, in code order: the order in which every posting locks accounts. */
function deltasInLockOrder(entries: { accountCode: string; amount: number }[]): [string, number][] {
  const deltas = new Map<string, number>();
  for (const entry of entries) deltas.set(entry.accountCode, (deltas.get(entry.accountCode) ?? 0) + entry.amount);
  return [...deltas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The entries on one side (debits: sign 1, credits: -1), reversed in proportion to what is left of each;
 * with a pin on an account of this side, that entry's share is fixed first (see reverseInput) and the
 * others share the rest in proportion.
 */
function reverseSide(entries: PostedEntry[], reversed: Map<string, number>, amount: number, sign: 1 | -1, pin?: { accountCode: string; amount: number }) {
  const side = entries.filter((entry) => Math.sign(entry.amount) === sign);
  const parts = side.map((entry) => Math.abs(entry.amount));
  const taken = side.map((entry) => Math.abs(reversed.get(entry.id) ?? 0));
  const pinned = pin ? side.findIndex((entry) => entry.accountCode === pin.accountCode) : -1;
  let shares: number[];
  if (pin && pinned >= 0) {
    const left = parts.map((part, index) => part - taken[index]);
    const othersLeft = left.reduce((sum, value, index) => (index === pinned ? sum : sum + value), 0);
    const share = Math.max(0, Math.min(Math.max(pin.amount, amount - othersLeft), left[pinned], amount));
    const others = side.map((_, index) => index).filter((index) => index !== pinned);
    const rest = amount - share > 0 ? apportion(others.map((index) => parts[index]), amount - share, others.map((index) => taken[index])) : others.map(() => 0);
    shares = side.map((_, index) => (index === pinned ? share : rest[others.indexOf(index)]));
  } else {
    shares = apportion(parts, amount, taken);
  }
  return side
    .map((entry, index) => ({ accountCode: entry.accountCode, amount: -sign * shares[index], reversesEntryId: entry.id }))
    .filter((entry) => entry.amount !== 0);
}

/** What makes two requests "the same" for idempotency: everything but ids and times, entries in any order. */
function fingerprint(value: Pick<Draft, 'kind' | 'currency' | 'reference' | 'reversesTransactionId' | 'memo' | 'entries'>): string {
  const entries = value.entries.map((entry) => `${entry.accountCode}:${entry.amount}:${entry.reversesEntryId ?? ''}`).sort();
  return JSON.stringify([value.kind, value.currency, value.reference.type, value.reference.id, value.reversesTransactionId, value.memo, entries]);
}

function present(row: repo.TransactionRow, entries: PostedEntry[], replayed: boolean): PostedTransaction {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    kind: row.kind,
    currency: row.currency,
    reference: { type: row.reference_type, id: row.reference_id },
    reversesTransactionId: row.reverses_transaction_id,
    memo: row.memo,
    createdAt: row.created_at,
    entries,
    replayed,
  };
}

export type LedgerService = ReturnType<typeof createLedgerService>;
