import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { AppError } from '../../errors.ts';
import { accounts } from './accounts.ts';
import { checkInvariants, type LedgerService } from './ledger.service.ts';
import type { PostInput } from './ledger.schemas.ts';
import { captureEntries, payoutEntries, releaseEntries, returnEntries } from './postings.ts';
import { splitPayment, SPLIT_PARTS } from './split.ts';

/**
 * Random sequences of the movements the platform makes, run against the real ledger, with a small
 * model of where the money should be. After every sequence the whole-ledger check must pass and the
 * processor balance and escrow must match the model to the unit.
 */

const CURRENCY = 'EUR';
const RUNS = Number(process.env.LEDGER_PROPERTY_RUNS ?? 30);

type Op =
  | { type: 'capture'; amount: number; feeBps: number }
  | { type: 'release'; payment: number; commissionBps: number }
  | { type: 'return'; payment: number; share: number; rest: boolean; kind: 'refund' | 'dispute' }
  | { type: 'disputeWon'; which: number }
  | { type: 'payout'; party: number }
  | { type: 'payoutFailed'; which: number }
  | { type: 'replay'; which: number; tamper: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('capture' as const), amount: fc.integer({ min: 1, max: 2_000_000 }), feeBps: fc.integer({ min: 0, max: 600 }) }) },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('release' as const), payment: fc.nat(), commissionBps: fc.integer({ min: 0, max: 3000 }) }) },
  { weight: 5, arbitrary: fc.record({ type: fc.constant('return' as const), payment: fc.nat({ max: 2 }), share: fc.nat(), rest: fc.nat({ max: 3 }).map((n) => n === 0), kind: fc.constantFrom('refund' as const, 'dispute' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('disputeWon' as const), which: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('payout' as const), party: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('payoutFailed' as const), which: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('replay' as const), which: fc.nat(), tamper: fc.boolean() }) },
);

type Payment = { ref: string; fee: number; held: number; feeRecovered: boolean; helperId: string; repoId: string; releases: { id: string; left: number }[] };
type Reversible = { id: string; amount: number; payment?: Payment };

/** One random sequence against the ledger; returns how many movements it made. */
async function runSequence(ctx: TestContext, ledger: LedgerService, ops: Op[], platformFeeBps: number): Promise<number> {
  const helpers = [randomUUID(), randomUUID()];
  const repos = [randomUUID(), randomUUID()];
  const payables = [...helpers.map(accounts.helperPayable), ...repos.map(accounts.repoPayable)];
  const payments: Payment[] = [];
  const disputes: Reversible[] = [];
  const payouts: Reversible[] = [];
  const posted: { input: PostInput; id: string }[] = [];
  const balance = async (code: string) => (await ledger.balance(code, CURRENCY)).balance;
  const expected = { processor: await balance(accounts.processorBalance), escrow: await balance(accounts.escrow) };
  let movements = 0;

  const post = async (scope: Parameters<LedgerService['post']>[0], input: Omit<PostInput, 'idempotencyKey' | 'currency'>) => {
    const full = { ...input, idempotencyKey: randomUUID(), currency: CURRENCY };
    const result = await ledger.post(scope, full);
    posted.push({ input: full, id: result.id });
    movements++;
    return result;
  };
  const pick = <T>(list: T[], index: number) => (list.length ? list[index % list.length] : undefined);

  for (const op of ops) {
    switch (op.type) {
      case 'capture': {
        const fee = Math.min(op.amount, Number((BigInt(op.amount) * BigInt(op.feeBps)) / 10_000n) + (op.amount > 100 ? 25 : 0));
        const payment: Payment = { ref: randomUUID(), fee, held: op.amount, feeRecovered: false, helperId: pick(helpers, payments.length)!, repoId: pick(repos, payments.length)!, releases: [] };
        await post(ctx.db, { kind: 'capture', reference: { type: 'payment', id: payment.ref }, entries: captureEntries(op.amount, fee) });
        payments.push(payment);
        expected.processor += op.amount - fee;
        expected.escrow += op.amount;
        break;
      }
      case 'release': {
        const payment = pick(payments.filter((candidate) => candidate.held > 0), op.payment);
        if (!payment) break;
        const processorFee = payment.feeRecovered ? 0 : payment.fee;
        let split;
        try {
          split = splitPayment({ amount: payment.held, commissionBps: op.commissionBps, platformFeeBps, processorFee });
        } catch (error) {
          // refunds before release can leave less than the fee: the split refuses rather than go negative
          assert.ok(error instanceof AppError && error.code === 'processor_fee_too_high', String(error));
          break;
        }
        assert.equal(SPLIT_PARTS.reduce((sum, part) => sum + split[part], 0), payment.held, 'the split adds up to the amount');
        const release = await post(ctx.db, { kind: 'release', reference: { type: 'payment', id: payment.ref }, entries: releaseEntries(split, payment) });
        payment.releases.push({ id: release.id, left: payment.held });
        expected.escrow -= payment.held;
        payment.held = 0;
        payment.feeRecovered = true;
        break;
      }
      case 'return': {
        const released = (payment: Payment) => payment.releases.reduce((sum, release) => sum + release.left, 0);
        const available = (payment: Payment) => payment.held + released(payment);
        // among the three latest released payments if any, so that a release often gets several partial refunds
        const candidates = payments.filter((candidate) => released(candidate) > 0);
        const payment = pick((candidates.length ? candidates : payments.filter((candidate) => candidate.held > 0)).slice(-3), op.payment);
        if (!payment) break;
        const amount = op.rest ? available(payment) : 1 + (op.share % Math.ceil(available(payment) / 2));
        const moved = await ctx.db.transaction().execute(async (trx) => {
          // held money first, then released money, brought back to escrow in proportion to its split
          let fromReleases = amount - Math.min(amount, payment.held);
          for (const release of payment.releases) {
            const take = Math.min(fromReleases, release.left);
            if (take === 0) continue;
            await ledger.reverse(trx, release.id, { idempotencyKey: randomUUID(), amount: take });
            movements++;
            release.left -= take;
            fromReleases -= take;
          }
          return post(trx, { kind: op.kind, reference: { type: op.kind, id: randomUUID() }, entries: returnEntries(amount) });
        });
        expected.escrow -= Math.min(amount, payment.held);
        payment.held -= Math.min(amount, payment.held);
        expected.processor -= amount;
        if (op.kind === 'dispute') disputes.push({ id: moved.id, amount, payment });
        break;
      }
      case 'disputeWon': {
        const index = disputes.length ? op.which % disputes.length : -1;
        if (index < 0) break;
        const [dispute] = disputes.splice(index, 1);
        await ledger.reverse(ctx.db, dispute.id, { idempotencyKey: randomUUID(), fraction: { numerator: 1, denominator: 1 } });
        movements++;
        dispute.payment!.held += dispute.amount; // the money is back in escrow, to be released again
        expected.escrow += dispute.amount;
        expected.processor += dispute.amount;
        break;
      }
      case 'payout': {
        const code = pick(payables, op.party)!;
        const owed = await balance(code);
        if (owed <= 0) break; // nothing owed, or the party still owes a refund back
        const payout = await post(ctx.db, { kind: 'payout', reference: { type: 'payout', id: randomUUID() }, entries: payoutEntries(code, owed) });
        payouts.push({ id: payout.id, amount: owed });
        expected.processor -= owed;
        assert.equal(await balance(code), 0);
        break;
      }
      case 'payoutFailed': {
        const index = payouts.length ? op.which % payouts.length : -1;
        if (index < 0) break;
        const [payout] = payouts.splice(index, 1);
        await ledger.reverse(ctx.db, payout.id, { idempotencyKey: randomUUID(), amount: payout.amount });
        movements++;
        expected.processor += payout.amount;
        break;
      }
      case 'replay': {
        const earlier = pick(posted, op.which);
        if (!earlier) break;
        if (op.tamper) {
          const error = await ledger.post(ctx.db, { ...earlier.input, memo: 'changed' }).then(() => null, (caught: unknown) => caught);
          assert.ok(error instanceof AppError && error.code === 'idempotency_key_reused');
        } else {
          const again = await ledger.post(ctx.db, earlier.input);
          assert.equal(again.id, earlier.id);
          assert.equal(again.replayed, true);
        }
        break;
      }
    }
  }

  const check = await checkInvariants(ctx.db);
  assert.deepEqual(check, { ok: true, problems: [] });
  const fullyReversed = payments.flatMap((payment) => payment.releases.filter((release) => release.left === 0).map((release) => release.id));
  if (fullyReversed.length) {
    // refunded in pieces or at once, a fully refunded release leaves every party exactly where it was
    const leftovers = await sql<{ transaction_id: string; code: string; net: string }>`
      SELECT coalesce(t.reverses_transaction_id, t.id) AS transaction_id, a.code, sum(e.amount)::text AS net
      FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id JOIN ledger_accounts a ON a.id = e.account_id
      WHERE t.id IN (${sql.join(fullyReversed)}) OR t.reverses_transaction_id IN (${sql.join(fullyReversed)})
      GROUP BY 1, 2 HAVING sum(e.amount) <> 0`.execute(ctx.db);
    assert.deepEqual(leftovers.rows, []);
  }
  assert.equal(await balance(accounts.processorBalance), expected.processor, 'processor balance');
  assert.equal(await balance(accounts.escrow), expected.escrow, 'escrow');
  return movements;
}

let ctx: TestContext;
before(async () => (ctx = await startTestApp()));
after(() => ctx.close());

test('property: random captures, releases, refunds, disputes, payouts and reversals keep the ledger exact', async (t) => {
  let movements = 0;
  let operations = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 40, maxLength: 100 }), async (ops) => {
      operations += ops.length;
      movements += await runSequence(ctx, ctx.services.ledger, ops, ctx.deps.config.PLATFORM_FEE_BPS);
    }),
    // every run shares one database, so a shrunk counterexample would inherit the failed run's rows
    { numRuns: RUNS, endOnFailure: true },
  );
  assert.ok(movements >= RUNS * 20, `only ${movements} movements were made`);
  t.diagnostic(`${RUNS} sequences, ${operations} operations, ${movements} ledger transactions`);
});
