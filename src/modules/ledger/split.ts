import { AppError, badRequest } from '../../errors.ts';

/**
 * How a payment divides between the parties, in integer minor units. Pure functions: no database, no
 * clock, so the rounding rules can be tested exhaustively and reused by quotes, payments and statements.
 */

export const BPS_DENOMINATOR = 10_000;

export type SplitInput = {
  /** What the customer paid, in minor units (> 0). */
  amount: number;
  /** The repository's commission, in basis points of the amount. */
  commissionBps: number;
  /** The platform fee, in basis points of the amount. */
  platformFeeBps: number;
  /** What the processor keeps, as reported by the processor (>= 0). */
  processorFee: number;
};

/** The four parts of a payment. Their order here is the tie-break order of `reverseSplit`. */
export type Split = { helper: number; commission: number; platformFee: number; processorFee: number };
export const SPLIT_PARTS = ['helper', 'commission', 'platformFee', 'processorFee'] as const;

/**
 * Rounding rule: commission and platform fee are each floor(amount × bps / 10 000), computed exactly
 * with BigInt; the processor fee is taken as given; the helper receives the rest, so every rounding
 * remainder goes to the helper and the parts always add up to the amount.
 *
 * A processor fee larger than what is left after commission and platform fee would make the helper's
 * share negative: that is refused (422), because it means the price is too low to be worth taking.
 */
export function splitPayment(input: SplitInput): Split {
  requireAmount('amount', input.amount);
  requireBps('commissionBps', input.commissionBps);
  requireBps('platformFeeBps', input.platformFeeBps);
  requireNonNegative('processorFee', input.processorFee);
  if (input.commissionBps + input.platformFeeBps > BPS_DENOMINATOR) {
    throw badRequest('The commission and the platform fee together exceed 100% of the amount.', [
      { path: 'commissionBps', message: 'commissionBps + platformFeeBps must be at most 10000' },
    ]);
  }
  const commission = bpsOf(input.amount, input.commissionBps);
  const platformFee = bpsOf(input.amount, input.platformFeeBps);
  const helper = input.amount - commission - platformFee - input.processorFee;
  if (helper < 0) {
    throw new AppError(
      422,
      'processor_fee_too_high',
      `The processor fee (${input.processorFee}) is more than what is left of ${input.amount} after the commission (${commission}) and the platform fee (${platformFee}); raise the price.`,
      [{ path: 'processorFee', message: `must be at most ${input.amount - commission - platformFee}` }],
    );
  }
  return { helper, commission, platformFee, processorFee: input.processorFee };
}

/** floor(amount × bps / 10 000) without floating point. */
export function bpsOf(amount: number, bps: number): number {
  return Number((BigInt(amount) * BigInt(bps)) / BigInt(BPS_DENOMINATOR));
}

/**
 * Reverses `amount` out of `parts` in proportion to what is left of each part.
 *
 * Rule (largest remainder): each part first gets floor(left_i × amount / left), computed exactly; the
 * units still missing go one each to the parts with the largest fractional remainder; ties go to the
 * part with more left, then to the earlier part. The result sums exactly to `amount`, and no part
 * gets more than is left of it (a part only gets the extra unit when its exact share was not whole).
 *
 * `alreadyReversed` holds what earlier partial reversals took from each part. Apportioning over what
 * is left, rather than over the original parts, is what guarantees that a series of partial refunds
 * never reverses more than a part in total and that the last refund takes exactly what remains.
 */
export function apportion(parts: readonly number[], amount: number, alreadyReversed: readonly number[] = []): number[] {
  requireAmount('amount', amount);
  const left = parts.map((part, index) => {
    requireNonNegative(`parts[${index}]`, part);
    const taken = alreadyReversed[index] ?? 0;
    requireNonNegative(`alreadyReversed[${index}]`, taken);
    if (taken > part) throw badRequest(`Part ${index} was already reversed by more (${taken}) than it holds (${part}).`);
    return BigInt(part - taken);
  });
  const total = left.reduce((sum, value) => sum + value, 0n);
  const wanted = BigInt(amount);
  if (wanted > total) {
    throw new AppError(409, 'reversal_exceeds_remaining', `Cannot reverse ${amount}: only ${total} is left to reverse.`, [
      { path: 'amount', message: `must be at most ${total}` },
    ]);
  }
  return largestRemainder(left, wanted);
}

/**
 * Divides `amount` in proportion to `weights` (logged minutes, say) with the same largest-remainder rule
 * as `apportion`, without its bound: the parts add up to `amount` exactly. At least one weight must be
 * above zero.
 */
export function allocate(amount: number, weights: readonly number[]): number[] {
  requireNonNegative('amount', amount);
  weights.forEach((weight, index) => requireNonNegative(`weights[${index}]`, weight));
  const big = weights.map(BigInt);
  if (!big.some((weight) => weight > 0n)) throw badRequest('Nothing to divide by: every weight is zero.', [{ path: 'weights', message: 'at least one must be above 0' }]);
  return largestRemainder(big, BigInt(amount));
}

/** floor shares first, then one unit each to the largest remainders; ties to the larger weight, then the earlier one. */
function largestRemainder(weights: bigint[], wanted: bigint): number[] {
  const total = weights.reduce((sum, value) => sum + value, 0n);
  const shares = weights.map((value) => (value * wanted) / total);
  const remainders = weights.map((value) => (value * wanted) % total);
  let missing = wanted - shares.reduce((sum, value) => sum + value, 0n);
  const order = weights
    .map((_, index) => index)
    .sort((a, b) => compareBigDesc(remainders[a], remainders[b]) || compareBigDesc(weights[a], weights[b]) || a - b);
  for (const index of order) {
    if (missing === 0n) break;
    shares[index] += 1n;
    missing -= 1n;
  }
  return shares.map(Number);
}

/** `apportion` over the named parts of a split; `alreadyReversed` is what earlier refunds took. */
export function reverseSplit(split: Split, amount: number, alreadyReversed: Partial<Split> = {}): Split {
  const reversed = apportion(
    SPLIT_PARTS.map((part) => split[part]),
    amount,
    SPLIT_PARTS.map((part) => alreadyReversed[part] ?? 0),
  );
  return Object.fromEntries(SPLIT_PARTS.map((part, index) => [part, reversed[index]])) as Split;
}

const compareBigDesc = (a: bigint, b: bigint) => (a === b ? 0 : a > b ? -1 : 1);

function requireAmount(path: string, value: number) {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw badRequest(`${path} must be a positive whole number of minor units, not ${value}.`, [{ path, message: 'must be a positive safe integer' }]);
  }
}

function requireNonNegative(path: string, value: number) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw badRequest(`${path} must be a whole number of minor units, zero or more, not ${value}.`, [{ path, message: 'must be a non-negative safe integer' }]);
  }
}

function requireBps(path: string, value: number) {
  if (!Number.isInteger(value) || value < 0 || value > BPS_DENOMINATOR) {
    throw badRequest(`${path} must be a whole number of basis points between 0 and 10000, not ${value}.`, [{ path, message: 'must be an integer in 0..10000' }]);
  }
}
