import type { Config } from '../../config.ts';
import type { PayeeType, PayoutSchedule } from '../../db/types.ts';
import { DAY } from '../../lib/clock.ts';

/**
 * When payouts are due, as pure functions of the time: no database, no clock, so the calendar rules
 * are tested on their own. Periods are UTC calendar weeks (ISO 8601, Monday first) and months.
 */

export type Payee = { type: PayeeType; id: string };

/** "2026-W02" or "2026-01": the period `at` falls in. At most one payout per payee, currency and period. */
export function periodKey(schedule: PayoutSchedule, at: Date): string {
  if (schedule === 'monthly') return at.toISOString().slice(0, 7);
  // The ISO week belongs to the year of its Thursday: 2027-01-01 (a Friday) is in 2026-W53.
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const thursday = new Date(day + (3 - ((at.getUTCDay() + 6) % 7)) * DAY);
  const firstOfYear = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.floor((thursday.getTime() - firstOfYear) / DAY / 7) + 1;
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** The ledger's idempotency key of a payout: the same payee, currency and period can never be paid twice. */
export const payoutKey = (payee: Payee, currency: string, period: string) => `payout:${payee.type}:${payee.id}:${currency}:${period}`;

/** The next daily run: the coming midnight, UTC. */
export function nextRunAt(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY);
}

/** The platform minimum of a currency: PAYOUT_MINIMUMS' exception for it, else PAYOUT_MINIMUM. */
export function platformMinimum(config: Pick<Config, 'PAYOUT_MINIMUM' | 'PAYOUT_MINIMUMS'>, currency: string): number {
  for (const pair of (config.PAYOUT_MINIMUMS ?? '').split(',')) {
    const [code, amount] = pair.split('=');
    if (code === currency) return Number(amount);
  }
  return config.PAYOUT_MINIMUM;
}
