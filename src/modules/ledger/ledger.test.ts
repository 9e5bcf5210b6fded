import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { AppError } from '../../errors.ts';
import { accounts } from './accounts.ts';
import { checkInvariants, type LedgerService } from './ledger.service.ts';
import { captureEntries, payoutEntries, releaseEntries, returnEntries } from './postings.ts';
import { splitPayment } from './split.ts';

const ref = (id = randomUUID()) => ({ type: 'payment', id });
const key = () => `test-${randomUUID()}`;

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => assert.fail('expected the ledger to refuse'), (caught: unknown) => caught);
  assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
  return error;
}

describe('ledger', () => {
  let ctx: TestContext;
  let ledger: LedgerService;
  before(async () => {
    ctx = await startTestApp();
    ledger = ctx.services.ledger;
  });
  after(() => ctx.close());

  const counts = async () => {
    const row = await sql<{ transactions: string; entries: string; accounts: string }>`
      SELECT (SELECT count(*) FROM ledger_transactions)::text AS transactions,
             (SELECT count(*) FROM ledger_entries)::text AS entries,
             (SELECT count(*) FROM ledger_accounts)::text AS accounts`.execute(ctx.db);
    return row.rows[0];
  };
  const balanceOf = async (code: string, currency = 'EUR') => (await ledger.balance(code, currency)).balance;

  test('a balanced posting moves stored balances and reads back on each account\'s natural side', async () => {
    const customer = randomUUID();
    const posted = await ledger.post(ctx.db, {
      idempotencyKey: key(),
      kind: 'capture',
      currency: 'EUR',
      reference: ref(),
      memo: 'prepaid hours',
      entries: [
        { accountCode: accounts.processorBalance, amount: 9_700 },
        { accountCode: accounts.processorFees, amount: 300 },
        { accountCode: accounts.customerFunding(customer), amount: -10_000 },
      ],
    });
    assert.equal(posted.replayed, false);
    assert.equal(posted.entries.length, 3);
    assert.equal(posted.kind, 'capture');
    assert.deepEqual(await ledger.balance(accounts.customerFunding(customer), 'EUR'), {
      accountCode: accounts.customerFunding(customer),
      currency: 'EUR',
      kind: 'liability',
      debitBalance: -10_000,
      balance: 10_000,
    });
    assert.equal((await ledger.balance(accounts.customerFunding(customer), 'USD')).balance, 0, 'currencies never mix');
    assert.deepEqual(await checkInvariants(ctx.db), { ok: true, problems: [] });
  });

  test('unbalanced or malformed postings are 400s and leave the ledger untouched', async () => {
    const before = await counts();
    const base = { idempotencyKey: key(), kind: 'capture' as const, currency: 'EUR', reference: ref() };
    const helper = accounts.helperPayable(randomUUID());
    const cases: [unknown, string][] = [
      [{ ...base, entries: [{ accountCode: accounts.escrow, amount: -100 }, { accountCode: helper, amount: 99 }] }, 'bad_request'],
      [{ ...base, entries: [{ accountCode: accounts.escrow, amount: -100 }, { accountCode: 'helper:someone:payable', amount: 100 }] }, 'validation_failed'],
      [{ ...base, currency: 'eur', entries: [{ accountCode: accounts.escrow, amount: -1 }, { accountCode: helper, amount: 1 }] }, 'validation_failed'],
      [{ ...base, currency: 'XYZ', entries: [{ accountCode: accounts.escrow, amount: -1 }, { accountCode: helper, amount: 1 }] }, 'validation_failed'],
      [{ ...base, entries: [{ accountCode: accounts.escrow, amount: -1.5 }, { accountCode: helper, amount: 1.5 }] }, 'validation_failed'],
      [{ ...base, entries: [{ accountCode: accounts.escrow, amount: -(2 ** 53) }, { accountCode: helper, amount: 2 ** 53 }] }, 'validation_failed'],
      [{ ...base, entries: [{ accountCode: accounts.escrow, amount: 0 }, { accountCode: helper, amount: 0 }] }, 'validation_failed'],
      [{ ...base, entries: [{ accountCode: accounts.escrow, amount: 0 }] }, 'validation_failed'],
      [{ ...base, kind: 'reversal', entries: [{ accountCode: accounts.escrow, amount: -1 }, { accountCode: helper, amount: 1 }] }, 'validation_failed'],
      [{ ...base, idempotencyKey: '', entries: [{ accountCode: accounts.escrow, amount: -1 }, { accountCode: helper, amount: 1 }] }, 'validation_failed'],
    ];
    for (const [input, code] of cases) {
      const error = await rejection(ledger.post(ctx.db, input as Parameters<LedgerService['post']>[1]));
      assert.equal(error.status, 400, JSON.stringify(input));
      assert.equal(error.code, code, error.message);
    }
    const unbalanced = await rejection(ledger.post(ctx.db, cases[0][0] as Parameters<LedgerService['post']>[1]));
    assert.match(unbalanced.message, /sum to -1 EUR/);
    assert.deepEqual(await counts(), before);
  });

  test('a posting commits or rolls back with the caller\'s own transaction', async () => {
    const before = await counts();
    const failed = ctx.db.transaction().execute(async (trx) => {
      await ledger.post(trx, { idempotencyKey: key(), kind: 'capture', currency: 'EUR', reference: ref(), entries: captureEntries(5_000, 100) });
      throw new Error('the payment row could not be written');
    });
    await assert.rejects(failed, /could not be written/);
    assert.deepEqual(await counts(), before);
  });

  test('the same key with the same content returns the first transaction; with other content it is a 409', async () => {
    const input = { idempotencyKey: key(), kind: 'capture' as const, currency: 'EUR', reference: ref(), entries: captureEntries(2_000, 60) };
    const escrowBefore = await balanceOf(accounts.escrow);
    const first = await ledger.post(ctx.db, input);
    const again = await ledger.post(ctx.db, { ...input, entries: [...input.entries].reverse() });
    assert.equal(again.id, first.id);
    assert.equal(again.replayed, true);
    assert.equal(await balanceOf(accounts.escrow), escrowBefore + 2_000, 'applied once');

    const different = await rejection(ledger.post(ctx.db, { ...input, entries: captureEntries(2_000, 61) }));
    assert.equal(different.status, 409);
    assert.equal(different.code, 'idempotency_key_reused');
    assert.match(different.message, new RegExp(first.id));
    const otherReference = await rejection(ledger.post(ctx.db, { ...input, reference: ref() }));
    assert.equal(otherReference.status, 409);
  });

  test('two parallel posts with the same key make exactly one transaction', async () => {
    const input = { idempotencyKey: key(), kind: 'capture' as const, currency: 'USD', reference: ref(), entries: captureEntries(7_777, 77) };
    const results = await Promise.all(Array.from({ length: 8 }, () => ledger.post(ctx.db, input)));
    assert.equal(new Set(results.map((result) => result.id)).size, 1);
    assert.equal(results.filter((result) => !result.replayed).length, 1);
    const stored = await ctx.db.selectFrom('ledger_transactions').select('id').where('idempotency_key', '=', input.idempotencyKey).execute();
    assert.equal(stored.length, 1);
    assert.equal(await balanceOf(accounts.escrow, 'USD'), 7_777);
  });

  test('parallel postings to the same accounts, listed in any order, keep balances exact', async () => {
    const helpers = [randomUUID(), randomUUID(), randomUUID()].map(accounts.helperPayable);
    const postings = Array.from({ length: 60 }, (_, index) => {
      const amount = 100 + index;
      const entries = [
        { accountCode: accounts.escrow, amount: 3 * amount },
        ...helpers.map((code) => ({ accountCode: code, amount: -amount })),
      ];
      // rotate the entry order so that naive locking in the given order would deadlock
      const rotated = [...entries.slice(index % 4), ...entries.slice(0, index % 4)];
      return ledger.post(ctx.db, { idempotencyKey: key(), kind: 'release', currency: 'GBP', reference: ref(), entries: rotated });
    });
    await Promise.all(postings);
    const expected = Array.from({ length: 60 }, (_, index) => 100 + index).reduce((sum, amount) => sum + amount, 0);
    for (const code of helpers) assert.equal(await balanceOf(code, 'GBP'), expected);
    assert.equal(await balanceOf(accounts.escrow, 'GBP'), -3 * expected);
    assert.equal((await checkInvariants(ctx.db)).ok, true);
  });

  test('a refund after a payout reverses the split in proportion and leaves the helper owing', async () => {
    const helperId = randomUUID();
    const repoId = randomUUID();
    const helper = accounts.helperPayable(helperId);
    const payment = ref();
    const split = splitPayment({ amount: 9_999, commissionBps: 1000, platformFeeBps: 500, processorFee: 320 });
    const revenueBefore = await balanceOf(accounts.platformRevenue);
    await ledger.post(ctx.db, { idempotencyKey: key(), kind: 'capture', currency: 'EUR', reference: payment, entries: captureEntries(9_999, 320) });
    const release = await ledger.post(ctx.db, { idempotencyKey: key(), kind: 'release', currency: 'EUR', reference: payment, entries: releaseEntries(split, { helperId, repoId }) });
    await ledger.post(ctx.db, { idempotencyKey: key(), kind: 'payout', currency: 'EUR', reference: ref(), entries: payoutEntries(helper, split.helper) });
    assert.equal(await balanceOf(helper), 0);

    const refund = ref();
    const reversal = await ctx.db.transaction().execute(async (trx) => {
      const reversed = await ledger.reverse(trx, release.id, { idempotencyKey: key(), amount: 2_500, reference: refund });
      await ledger.post(trx, { idempotencyKey: key(), kind: 'refund', currency: 'EUR', reference: refund, entries: returnEntries(2_500) });
      return reversed;
    });
    const takenBack = Object.fromEntries(reversal.entries.map((entry) => [entry.accountCode, entry.amount]));
    // the worked example of docs/ledger.md
    assert.deepEqual(takenBack, {
      [accounts.escrow]: -2_500,
      [helper]: 2_045,
      [accounts.repoPayable(repoId)]: 250,
      [accounts.platformRevenue]: 125,
      [accounts.processorFees]: 80,
    });
    assert.equal(await balanceOf(helper), -2_045, 'the helper owes what was paid out and then refunded');
    assert.equal(await balanceOf(accounts.platformRevenue), revenueBefore + 499 - 125);

    const rest = await ledger.reverse(ctx.db, release.id, { idempotencyKey: key(), fraction: { numerator: 1, denominator: 1 } }).catch((error) => error);
    assert.ok(rest instanceof AppError && rest.code === 'reversal_exceeds_remaining', 'a fraction is of the original, and 100% is more than is left');
    const last = await ledger.reverse(ctx.db, release.id, { idempotencyKey: key(), amount: 7_499 });
    assert.equal(last.entries.find((entry) => entry.accountCode === helper)?.amount, split.helper - 2_045);
    const beyond = await rejection(ledger.reverse(ctx.db, release.id, { idempotencyKey: key(), amount: 1 }));
    assert.equal(beyond.status, 409);
    assert.equal(await balanceOf(accounts.repoPayable(repoId)), 0);
    assert.equal((await checkInvariants(ctx.db)).ok, true);
  });

  test('a pinned reversal takes exactly the pinned VAT, within what its entry and the others leave, and the rest in proportion', async () => {
    const helperId = randomUUID();
    const repoId = randomUUID();
    const split = splitPayment({ amount: 10_000, commissionBps: 1000, platformFeeBps: 500, processorFee: 375 });
    const release = await ledger.post(ctx.db, { idempotencyKey: key(), kind: 'release', currency: 'EUR', reference: ref(), entries: releaseEntries(split, { helperId, repoId }, 1900) });
    assert.deepEqual(release.entries.map((entry) => [entry.accountCode, entry.amount]).slice(0, 2), [[accounts.escrow, 11_900], [accounts.taxPayable, -1900]]);
    const vatOf = (transaction: { entries: { accountCode: string; amount: number }[] }) => transaction.entries.find((entry) => entry.accountCode === accounts.taxPayable)?.amount ?? 0;
    // 22 in proportion would take 3 of VAT; pinned at 4 it takes 4, and the other 18 in proportion.
    const pinned = await ledger.reverse(ctx.db, release.id, { idempotencyKey: key(), amount: 22, pin: { accountCode: accounts.taxPayable, amount: 4 } });
    assert.equal(vatOf(pinned), 4);
    assert.equal(pinned.entries.find((entry) => entry.accountCode === accounts.escrow)?.amount, -22);
    const proportional = await ledger.reverse(ctx.db, release.id, { idempotencyKey: key(), amount: 22 });
    assert.equal(vatOf(proportional), 3);
    // A pin beyond what is reversed is held to it; one too small for the others' room is raised to fit.
    const capped = await ledger.reverse(ctx.db, release.id, { idempotencyKey: key(), amount: 100, pin: { accountCode: accounts.taxPayable, amount: 5000 } });
    assert.equal(vatOf(capped), 100);
    const rest = await ledger.reverse(ctx.db, release.id, { idempotencyKey: key(), amount: 11_900 - 22 - 22 - 100, pin: { accountCode: accounts.taxPayable, amount: 0 } });
    assert.equal(vatOf(rest), 1900 - 4 - 3 - 100, 'the last reversal takes what is left of the VAT');
    assert.equal((await checkInvariants(ctx.db)).ok, true);
  });

  test('reversals are idempotent, refuse reversing a reversal, and report unknown or bad requests', async () => {
    const captured = await ledger.post(ctx.db, { idempotencyKey: key(), kind: 'capture', currency: 'EUR', reference: ref(), entries: captureEntries(1_000, 30) });
    const reverseKey = key();
    const first = await ledger.reverse(ctx.db, captured.id, { idempotencyKey: reverseKey, fraction: { numerator: 1, denominator: 4 } });
    assert.equal(first.entries.reduce((sum, entry) => sum + Math.max(entry.amount, 0), 0), 250);
    const again = await ledger.reverse(ctx.db, captured.id, { idempotencyKey: reverseKey, amount: 250 });
    assert.equal(again.id, first.id);
    assert.equal(again.replayed, true);
    assert.equal((await rejection(ledger.reverse(ctx.db, captured.id, { idempotencyKey: reverseKey, amount: 251 }))).code, 'idempotency_key_reused');
    assert.equal((await rejection(ledger.reverse(ctx.db, first.id, { idempotencyKey: key(), amount: 1 }))).code, 'reversal_of_reversal');
    assert.equal((await rejection(ledger.reverse(ctx.db, randomUUID(), { idempotencyKey: key(), amount: 1 }))).status, 404);
    for (const bad of [{ amount: 0 }, { amount: 1, fraction: { numerator: 1, denominator: 2 } }, {}, { fraction: { numerator: 3, denominator: 2 } }, { fraction: { numerator: 1, denominator: 10_000 } }]) {
      assert.equal((await rejection(ledger.reverse(ctx.db, captured.id, { idempotencyKey: key(), ...bad }))).status, 400, JSON.stringify(bad));
    }
    const parallel = await Promise.allSettled(Array.from({ length: 4 }, () => ledger.reverse(ctx.db, captured.id, { idempotencyKey: key(), amount: 300 })));
    assert.equal(parallel.filter((result) => result.status === 'fulfilled').length, 2, '750 left: two reversals of 300 fit, the others must not');
    assert.ok(parallel.every((result) => result.status === 'fulfilled' || (result.reason as AppError).code === 'reversal_exceeds_remaining'));
    assert.equal((await checkInvariants(ctx.db)).ok, true);
  });

  test('history is append-only in the database itself', async () => {
    const posted = await ledger.post(ctx.db, { idempotencyKey: key(), kind: 'capture', currency: 'EUR', reference: ref(), entries: captureEntries(400, 10) });
    const attempts = [
      sql`UPDATE ledger_entries SET amount = amount + 1 WHERE transaction_id = ${posted.id}`,
      sql`DELETE FROM ledger_entries WHERE transaction_id = ${posted.id}`,
      sql`UPDATE ledger_transactions SET memo = 'edited' WHERE id = ${posted.id}`,
      sql`DELETE FROM ledger_transactions WHERE id = ${posted.id}`,
      sql`TRUNCATE ledger_entries`,
      sql`DELETE FROM ledger_accounts WHERE code = ${accounts.escrow}`,
      sql`UPDATE ledger_accounts SET code = 'escrow:other' WHERE code = ${accounts.escrow}`,
    ];
    for (const attempt of attempts) await assert.rejects(attempt.execute(ctx.db), /append-only|permanent/);
    assert.equal((await ledger.transaction(posted.id)).entries.length, 3);
  });

  test('the check finds a tampered balance and an unbalanced transaction', async () => {
    const posted = await ledger.post(ctx.db, { idempotencyKey: key(), kind: 'capture', currency: 'CHF', reference: ref(), entries: captureEntries(900, 20) });
    const found = await ctx.db
      .transaction()
      .execute(async (trx) => {
        await sql`UPDATE ledger_accounts SET balance = balance + 1 WHERE code = ${accounts.escrow} AND currency = 'CHF'`.execute(trx);
        await sql`ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only`.execute(trx);
        await sql`UPDATE ledger_entries SET amount = amount - 5 WHERE transaction_id = ${posted.id} AND amount < 0`.execute(trx);
        const result = await checkInvariants(trx);
        throw Object.assign(new Error('roll back the tampering'), { result });
      })
      .catch((error: { result: Awaited<ReturnType<typeof checkInvariants>> }) => error.result);
    assert.equal(found.ok, false);
    assert.ok(found.problems.some((problem) => problem.includes(posted.id) && problem.includes('does not balance')), found.problems.join('\n'));
    assert.ok(found.problems.some((problem) => problem.startsWith('account escrow:held (CHF) stores balance')), found.problems.join('\n'));
    assert.ok(found.problems.some((problem) => problem.startsWith('entries in CHF sum to')), found.problems.join('\n'));
    assert.deepEqual(await checkInvariants(ctx.db), { ok: true, problems: [] }, 'the tampering was rolled back');
  });

  test('GET /api/v1/admin/ledger/check is for operators', async () => {
    const operator = await createUser(ctx, { operator: true });
    const someone = await createUser(ctx);
    const checked = await operator.api.get('/api/v1/admin/ledger/check');
    assert.equal(checked.status, 200);
    assert.deepEqual(checked.body, { ok: true, problems: [] });
    assert.equal((await someone.api.get('/api/v1/admin/ledger/check')).status, 403);
    assert.equal((await client(ctx).get('/api/v1/admin/ledger/check')).status, 401);
  });
});
