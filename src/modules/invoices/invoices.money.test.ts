import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatMoney, minorDigits, parseDecimal, toDecimal } from './invoices.money.ts';

describe('money on documents', () => {
  test('each currency prints with its own minor-unit digits', () => {
    assert.deepEqual(['EUR', 'JPY', 'BHD'].map(minorDigits), [2, 0, 3]);
    assert.equal(formatMoney(69_615, 'EUR'), '€696.15');
    assert.equal(formatMoney(120_000, 'JPY'), '¥120,000');
    assert.equal(formatMoney(1_234_567, 'BHD'), 'BHD\u00a01,234.567'); // Intl puts a no-break space after a code
    assert.equal(formatMoney(5, 'USD'), '$0.05');
    assert.equal(formatMoney(69_615, 'EUR', 'de-DE'), '696,15\u00a0€');
  });

  test('large amounts print exactly, without passing through floating point', () => {
    assert.equal(toDecimal(9_007_199_254_740_991, 'EUR'), '90071992547409.91');
    assert.equal(formatMoney(9_007_199_254_740_991, 'EUR'), '€90,071,992,547,409.91');
  });

  test('bank amounts parse to minor units exactly, and anything unclear is refused', () => {
    assert.equal(parseDecimal('696.15', 'EUR'), 69_615);
    assert.equal(parseDecimal('0.1', 'EUR'), 10);
    assert.equal(parseDecimal('700', 'EUR'), 70_000);
    assert.equal(parseDecimal('-25.50', 'EUR'), -2550);
    assert.equal(parseDecimal('-0.00', 'EUR'), 0);
    assert.equal(parseDecimal('120000', 'JPY'), 120_000);
    for (const unclear of ['1.005', '1,00', '1.190,00', '1 190.00', '', '.5', '12.0e3', '99999999999999999']) {
      assert.equal(parseDecimal(unclear, 'EUR'), null, unclear);
    }
    assert.equal(parseDecimal('1.5', 'JPY'), null);
  });
});
