import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../../errors.ts';
import { apportion, bpsOf, reverseSplit, splitPayment, SPLIT_PARTS, type Split } from './split.ts';

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const partsOf = (split: Split) => SPLIT_PARTS.map((part) => split[part]);
const rejects = (run: () => unknown, status: number, code: string) =>
  assert.throws(run, (error: unknown) => error instanceof AppError && error.status === status && error.code === code);

describe('splitPayment', () => {
  test('commission and platform fee round down; the helper gets the rest, to the unit', () => {
    // 10% of 9999 is 999.9 and 5% is 499.95: both round down, and the 0.85 left over is the helper's.
    assert.deepEqual(splitPayment({ amount: 9999, commissionBps: 1000, platformFeeBps: 500, processorFee: 320 }), {
      helper: 8181,
      commission: 999,
      platformFee: 499,
      processorFee: 320,
    });
    assert.deepEqual(splitPayment({ amount: 1, commissionBps: 1000, platformFeeBps: 500, processorFee: 0 }), {
      helper: 1,
      commission: 0,
      platformFee: 0,
      processorFee: 0,
    });
  });

  test('even at 100% between commission and platform fee, the rounding remainder is the helper\'s', () => {
    // 30% of 12345 is 3703.5 and 70% is 8641.5: one unit is left over after rounding both down.
    assert.deepEqual(splitPayment({ amount: 12345, commissionBps: 3000, platformFeeBps: 7000, processorFee: 0 }), {
      helper: 1,
      commission: 3703,
      platformFee: 8641,
      processorFee: 0,
    });
    assert.equal(splitPayment({ amount: 10_000, commissionBps: 3000, platformFeeBps: 7000, processorFee: 0 }).helper, 0);
  });

  test('large amounts are exact: no floating point on the way', () => {
    const amount = Number.MAX_SAFE_INTEGER;
    const split = splitPayment({ amount, commissionBps: 1234, platformFeeBps: 567, processorFee: 89 });
    assert.equal(split.commission, Number((BigInt(amount) * 1234n) / 10000n));
    assert.equal(BigInt(split.helper) + BigInt(split.commission) + BigInt(split.platformFee) + 89n, BigInt(amount));
    assert.equal(bpsOf(amount, 10_000), amount);
  });

  test('a processor fee larger than what is left is refused with a clear 422', () => {
    rejects(() => splitPayment({ amount: 1000, commissionBps: 1000, platformFeeBps: 500, processorFee: 851 }), 422, 'processor_fee_too_high');
    assert.equal(splitPayment({ amount: 1000, commissionBps: 1000, platformFeeBps: 500, processorFee: 850 }).helper, 0);
  });

  test('zero, negative, fractional and unsafe amounts and out-of-range rates are 400s', () => {
    const base = { amount: 1000, commissionBps: 1000, platformFeeBps: 500, processorFee: 30 };
    for (const amount of [0, -1, 10.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) rejects(() => splitPayment({ ...base, amount }), 400, 'bad_request');
    for (const bps of [-1, 10_001, 1.5]) {
      rejects(() => splitPayment({ ...base, commissionBps: bps }), 400, 'bad_request');
      rejects(() => splitPayment({ ...base, platformFeeBps: bps }), 400, 'bad_request');
    }
    rejects(() => splitPayment({ ...base, processorFee: -1 }), 400, 'bad_request');
    rejects(() => splitPayment({ ...base, commissionBps: 6000, platformFeeBps: 4001 }), 400, 'bad_request');
  });

  test('property: the parts are never negative and always add up to the amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        (amount, commissionBps, platformFeeBps, fee) => {
          fc.pre(commissionBps + platformFeeBps <= 10_000);
          const processorFee = fee % (amount + 1);
          let split: Split;
          try {
            split = splitPayment({ amount, commissionBps, platformFeeBps, processorFee });
          } catch (error) {
            assert.ok(error instanceof AppError && error.code === 'processor_fee_too_high');
            assert.ok(processorFee > amount - bpsOf(amount, commissionBps) - bpsOf(amount, platformFeeBps));
            return;
          }
          assert.equal(sum(partsOf(split)), amount);
          assert.ok(partsOf(split).every((part) => part >= 0));
          // floor: commission × 10000 <= amount × bps < (commission + 1) × 10000
          const scaled = BigInt(amount) * BigInt(commissionBps);
          assert.ok(BigInt(split.commission) * 10000n <= scaled && scaled < BigInt(split.commission + 1) * 10000n);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('apportion and reverseSplit', () => {
  test('a refund of 3 out of 10 over parts 5/3/2 takes 1.5/0.9/0.6: largest remainders round up', () => {
    // exact shares 1.5, 0.9, 0.6 -> floors 1, 0, 0 -> two units missing -> to remainders .9 and .6
    assert.deepEqual(apportion([5, 3, 2], 3), [1, 1, 1]);
    // exact 2.5 and 2.5: a tie in remainder and in size goes to the earlier part
    assert.deepEqual(apportion([5, 5], 5), [3, 2]);
    // exact 0.5 and 1.5: a tie in remainder goes to the larger part
    assert.deepEqual(apportion([1, 3], 2), [0, 2]);
  });

  test('the worked example of docs/ledger.md: refunding 2500 of a 9999 payment', () => {
    const split = splitPayment({ amount: 9999, commissionBps: 1000, platformFeeBps: 500, processorFee: 320 });
    const first = reverseSplit(split, 2500);
    assert.deepEqual(first, { helper: 2045, commission: 250, platformFee: 125, processorFee: 80 });
    const rest = reverseSplit(split, 7499, first);
    assert.deepEqual(rest, { helper: 6136, commission: 749, platformFee: 374, processorFee: 240 });
    for (const part of SPLIT_PARTS) assert.equal(first[part] + rest[part], split[part]);
  });

  test('zero parts are never touched and the full amount reverses each part exactly', () => {
    assert.deepEqual(apportion([0, 7, 0, 3], 10), [0, 7, 0, 3]);
    assert.deepEqual(apportion([0, 7, 0, 3], 1), [0, 1, 0, 0]);
  });

  test('bad input: more than is left is a 409, other mistakes are 400s', () => {
    rejects(() => apportion([5, 5], 11), 409, 'reversal_exceeds_remaining');
    rejects(() => apportion([5, 5], 3, [4, 4]), 409, 'reversal_exceeds_remaining');
    rejects(() => apportion([0, 0], 1), 409, 'reversal_exceeds_remaining');
    rejects(() => apportion([5, 5], 0), 400, 'bad_request');
    rejects(() => apportion([5, 5], -2), 400, 'bad_request');
    rejects(() => apportion([5, 5], 1.5), 400, 'bad_request');
    rejects(() => apportion([5, -5], 1), 400, 'bad_request');
    rejects(() => apportion([5, 5], 1, [6, 0]), 400, 'bad_request');
  });

  test('property: any series of partial refunds sums exactly, stays proportional, and never exceeds a part', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000_000 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 1_000_000_000 }), { minLength: 1, maxLength: 8 }),
        (parts, wishes) => {
          const total = sum(parts);
          fc.pre(total > 0);
          const taken = parts.map(() => 0);
          let left = total;
          for (const wish of wishes) {
            if (left === 0) break;
            const amount = ((wish - 1) % left) + 1;
            const shares = apportion(parts, amount, taken);
            assert.equal(sum(shares), amount);
            shares.forEach((share, index) => {
              // in proportion to what was left of the part, within one unit
              const exact = ((parts[index] - taken[index]) * amount) / left;
              assert.ok(share >= Math.floor(exact) && share <= Math.ceil(exact), `share ${share} vs exact ${exact}`);
              taken[index] += share;
              assert.ok(taken[index] <= parts[index]);
            });
            left -= amount;
          }
          if (left > 0) assert.deepEqual(apportion(parts, left, taken).map((share, index) => share + taken[index]), parts);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
