import type { PlanPeriod } from '../../db/types.ts';

/**
 * Billing cycles and proration as pure functions: integers only (minor units, milliseconds), so the
 * rounding rules can be tested exactly. See docs/plans.md.
 */

const MONTHS: Record<PlanPeriod, number> = { month: 1, year: 12 };

/**
 * `months` calendar months after `anchor`, in UTC, on the anchor's day of the month or the last day of a
 * shorter month (Jan 31 + 1 month = Feb 28), at the anchor's time of day. Always counted from the
 * anchor, so a cycle clipped to February does not pull every later cycle to the 28th.
 */
export function addMonths(anchor: Date, months: number): Date {
  const year = anchor.getUTCFullYear();
  const month = anchor.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const result = new Date(anchor.getTime());
  result.setUTCFullYear(year, month, Math.min(anchor.getUTCDate(), lastDay));
  return result;
}

/** The billing cycle that follows the one ending at `previousEnd`, counted from the subscription's anchor. */
export function nextCycle(anchor: Date, period: PlanPeriod, previousEnd: Date): { start: Date; end: Date } {
  const step = MONTHS[period];
  const monthsApart = (previousEnd.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + previousEnd.getUTCMonth() - anchor.getUTCMonth();
  let n = Math.max(1, Math.floor(monthsApart / step));
  while (addMonths(anchor, n * step).getTime() <= previousEnd.getTime()) n++;
  return { start: previousEnd, end: addMonths(anchor, n * step) };
}

/** The first cycle, starting when the subscription starts. */
export function firstCycle(start: Date, period: PlanPeriod): { start: Date; end: Date } {
  return { start, end: addMonths(start, MONTHS[period]) };
}

/** floor(amount × part / whole), exactly, with BigInt: no floating point ever touches money. */
export function share(amount: number, part: number, whole: number): number {
  return Number((BigInt(amount) * BigInt(part)) / BigInt(whole));
}

export type Proration = {
  /** Credit for the unused part of the current period: floor(its amount × time left / its length). */
  credit: number;
  /** The new plan for the rest of the cycle: floor(new price × time left / cycle length). */
  newRest: number;
  /** Taken from credit (this change's and what earlier ones left), at most newRest. */
  creditApplied: number;
  /** What the customer pays now: newRest − creditApplied. */
  charge: number;
  /** Credit left on the subscription for the next charges. */
  creditLeft: number;
};

/**
 * A change of plan at `at` within the current period [start, end) of the cycle [cycleStart, end).
 * Both shares are rounded down, each on its own: the credit never exceeds the exact unused value, and
 * the new rest never exceeds the exact price of the time left; the difference from the exact figures is
 * below one minor unit each.
 */
export function prorate(input: {
  at: Date;
  current: { start: Date; end: Date; amount: number };
  cycleStart: Date;
  newPrice: number;
  creditBefore: number;
}): Proration {
  const left = input.current.end.getTime() - input.at.getTime();
  const credit = share(input.current.amount, left, input.current.end.getTime() - input.current.start.getTime());
  const newRest = share(input.newPrice, left, input.current.end.getTime() - input.cycleStart.getTime());
  const available = credit + input.creditBefore;
  const creditApplied = Math.min(available, newRest);
  return { credit, newRest, creditApplied, charge: newRest - creditApplied, creditLeft: available - creditApplied };
}
