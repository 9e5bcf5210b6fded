import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addMonths, firstCycle, nextCycle, prorate, share } from './plans.proration.ts';
import { allocate } from '../ledger/split.ts';
import { shareRevenue } from './plans.revenue.ts';

const at = (iso: string) => new Date(iso);

describe('plan cycles and proration', () => {
  test('months are counted from the anchor: month ends clamp without drifting, leap years included', () => {
    const anchor = at('2026-01-31T10:00:00Z');
    assert.equal(addMonths(anchor, 1).toISOString(), '2026-02-28T10:00:00.000Z');
    assert.equal(addMonths(anchor, 2).toISOString(), '2026-03-31T10:00:00.000Z');
    assert.equal(addMonths(at('2028-01-31T00:00:00Z'), 1).toISOString(), '2028-02-29T00:00:00.000Z');
    assert.equal(addMonths(anchor, 12).toISOString(), '2027-01-31T10:00:00.000Z');
    // After the short February cycle, the next one ends on the 31st again, not on the 28th.
    assert.deepEqual(nextCycle(anchor, 'month', at('2026-02-28T10:00:00Z')), { start: at('2026-02-28T10:00:00Z'), end: at('2026-03-31T10:00:00Z') });
    assert.deepEqual(firstCycle(at('2026-01-05T09:00:00Z'), 'year'), { start: at('2026-01-05T09:00:00Z'), end: at('2027-01-05T09:00:00Z') });
    assert.deepEqual(nextCycle(at('2024-02-29T00:00:00Z'), 'year', at('2025-02-28T00:00:00Z')).end, at('2026-02-28T00:00:00Z'));
  });

  test('an upgrade credits the unused part and charges the rest of the new plan, each rounded down exactly', () => {
    // January is 31 days; 21 are left on the 11th. 100000 × 21/31 = 67741.93; 250000 × 21/31 = 169354.83.
    const upgrade = prorate({
      at: at('2026-01-11T00:00:00Z'),
      current: { start: at('2026-01-01T00:00:00Z'), end: at('2026-02-01T00:00:00Z'), amount: 100_000 },
      cycleStart: at('2026-01-01T00:00:00Z'),
      newPrice: 250_000,
      creditBefore: 0,
    });
    assert.deepEqual(upgrade, { credit: 67_741, newRest: 169_354, creditApplied: 67_741, charge: 101_613, creditLeft: 0 });
  });

  test('a downgrade is paid by its credit, and what is left stays as credit; earlier credit is spent too', () => {
    const downgrade = prorate({
      at: at('2026-01-11T00:00:00Z'),
      current: { start: at('2026-01-01T00:00:00Z'), end: at('2026-02-01T00:00:00Z'), amount: 100_000 },
      cycleStart: at('2026-01-01T00:00:00Z'),
      newPrice: 31_000,
      creditBefore: 500,
    });
    // 31000 × 21/31 = 21000 exactly; 67741 + 500 of credit pays it, 47241 is left.
    assert.deepEqual(downgrade, { credit: 67_741, newRest: 21_000, creditApplied: 21_000, charge: 0, creditLeft: 47_241 });
  });

  test('a second change in the same cycle prorates over the cycle, from the shorter period it cuts', () => {
    // The period from Jan 11 cost 169354 for 21 days; on Jan 21 eleven are left.
    const again = prorate({
      at: at('2026-01-21T00:00:00Z'),
      current: { start: at('2026-01-11T00:00:00Z'), end: at('2026-02-01T00:00:00Z'), amount: 169_354 },
      cycleStart: at('2026-01-01T00:00:00Z'),
      newPrice: 100_000,
      creditBefore: 0,
    });
    assert.equal(again.credit, share(169_354, 11, 21)); // 88709.33 → 88709
    assert.equal(again.newRest, share(100_000, 11, 31)); // 35483.87 → 35483
    assert.equal(again.creditLeft, 88_709 - 35_483);
    assert.equal(again.charge, 0);
  });

  test("the ledger's allocate divides any amount by weights, the parts adding up exactly", () => {
    assert.deepEqual(allocate(100, [1, 1, 1]), [34, 33, 33]);
    // 7 × 2/3 = 4.67 and 7 × 1/3 = 2.33: the unit left over goes to the larger remainder.
    assert.deepEqual(allocate(7, [2, 1]), [5, 2]);
    assert.deepEqual(allocate(1_000_001, [0, 3, 1]), [0, 750_001, 250_000]);
    assert.deepEqual(allocate(0, [5]), [0]);
    assert.throws(() => allocate(10, [0, 0]), /every weight is zero/);
    assert.throws(() => allocate(-1, [1]), /amount/);
  });

  test('revenue is shared by logged minutes with the largest remainder, the parts adding up exactly', () => {
    // 100000 at 10% commission and 5% platform fee, with a processor fee of 2930: 10000, 5000, and 82070 for the helpers.
    const shared = shareRevenue({
      revenue: 100_000,
      commissionBps: 1000,
      platformFeeBps: 500,
      processorFee: 2_930,
      minutes: [{ helperId: 'a', minutes: 100 }, { helperId: 'b', minutes: 100 }, { helperId: 'c', minutes: 100 }],
    });
    assert.deepEqual(shared.split, { helper: 82_070, commission: 10_000, platformFee: 5_000, processorFee: 2_930 });
    // 82070 / 3 = 27356.67 each: two units left over go to the first two (equal remainders and minutes, earlier first).
    assert.deepEqual(shared.helpers.map((helper) => helper.amount), [27_357, 27_357, 27_356]);
    assert.equal(shared.toRepo, 0);

    const nobody = shareRevenue({ revenue: 100_000, commissionBps: 1000, platformFeeBps: 500, processorFee: 0, minutes: [] });
    assert.deepEqual(nobody.helpers, []);
    assert.equal(nobody.toRepo, 85_000);

    // A fee larger than what is left after commission and platform fee: the helpers get 0, the platform bears the rest.
    const tiny = shareRevenue({ revenue: 100, commissionBps: 1000, platformFeeBps: 500, processorFee: 500, minutes: [{ helperId: 'a', minutes: 5 }] });
    assert.deepEqual(tiny.split, { helper: 0, commission: 10, platformFee: 5, processorFee: 85 });
    assert.deepEqual(tiny.helpers, []);
  });
});
