import { AppError, invalidField } from '../../errors.ts';
import { DAY } from '../../lib/clock.ts';

/** Long enough to compare years, short enough that a report stays readable. */
export const MAX_YEARS = 5;
export type Interval = 'day' | 'week' | 'month';

/**
 * A dashboard period: whole UTC days, `from` inclusive and `to` exclusive (from=2026-01-01&to=2026-02-01 is
 * January), the days the rollups count in. `previous` is the period of the same length just before it.
 */
export type Period = { from: Date; to: Date; days: number; previous: { from: Date; to: Date }; interval: Interval };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDay(name: 'from' | 'to', text: string): Date {
  const match = DATE.exec(text);
  if (!match) throw invalidField(`querystring.${name}`, `must be a date such as 2026-01-01 (got "${text}")`);
  const [year, month, day] = match.slice(1).map(Number);
  const parsed = new Date(Date.UTC(year, month - 1, day));
  if (parsed.getUTCFullYear() !== year || parsed.getUTCMonth() !== month - 1 || parsed.getUTCDate() !== day) {
    throw invalidField(`querystring.${name}`, `${text} is not a day of the calendar`);
  }
  return parsed;
}

/** Enough points to see a trend, few enough to draw: days up to two months, weeks up to two years. */
function defaultInterval(days: number): Interval {
  if (days <= 62) return 'day';
  if (days <= 731) return 'week';
  return 'month';
}

/** Without from and to: the last 30 days, today included. */
export function parseStatsPeriod(query: { from?: string; to?: string; interval?: Interval }, now: Date): Period {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const to = query.to ? parseDay('to', query.to) : new Date(today + DAY);
  const from = query.from ? parseDay('from', query.from) : new Date(to.getTime() - 30 * DAY);
  if (from.getTime() >= to.getTime()) {
    throw new AppError(400, 'bad_period', `The period is empty: from (${from.toISOString().slice(0, 10)}) must be before to (${to.toISOString().slice(0, 10)}); to is exclusive, so from=2026-01-01&to=2026-02-01 is January.`, [
      { path: 'querystring.to', message: 'must be after from' },
    ]);
  }
  const limit = new Date(from);
  limit.setUTCFullYear(limit.getUTCFullYear() + MAX_YEARS);
  if (to.getTime() > limit.getTime()) {
    throw new AppError(400, 'bad_period', `A report covers at most ${MAX_YEARS} years; choose a shorter period.`, [
      { path: 'querystring.to', message: `must be at most ${MAX_YEARS} years after from` },
    ]);
  }
  const days = Math.round((to.getTime() - from.getTime()) / DAY);
  return { from, to, days, previous: { from: new Date(from.getTime() - days * DAY), to: from }, interval: query.interval ?? defaultInterval(days) };
}

/** The start of the interval a day falls in: weeks start on Monday (ISO), months on the 1st. */
export function intervalStart(day: Date, interval: Interval): Date {
  if (interval === 'day') return day;
  if (interval === 'month') return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY);
}

/** Every interval start the period touches, the first clamped to `from`, so that a chart has no gaps. */
export function intervalStarts(period: Period): Date[] {
  const starts: Date[] = [];
  let current = period.from;
  while (current < period.to) {
    starts.push(current);
    const start = intervalStart(current, period.interval);
    current =
      period.interval === 'day'
        ? new Date(start.getTime() + DAY)
        : period.interval === 'week'
          ? new Date(start.getTime() + 7 * DAY)
          : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  }
  return starts;
}

export const isoDay = (date: Date) => date.toISOString().slice(0, 10);
