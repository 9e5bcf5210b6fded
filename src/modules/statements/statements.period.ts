import { AppError, invalidField } from '../../errors.ts';
import { DAY } from '../../lib/clock.ts';

/** Long enough for a year's statement, short enough that one statement stays one readable document. */
export const MAX_PERIOD_DAYS = 400;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** "2026-01-01" is that day's midnight, UTC; a date-time must say its offset, so that it means one instant. */
function parseBound(name: 'from' | 'to', text: string): Date {
  const date = DATE.exec(text);
  if (date) {
    const [year, month, day] = date.slice(1).map(Number);
    const parsed = new Date(Date.UTC(year, month - 1, day));
    if (parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day) return parsed;
    throw invalidField(`querystring.${name}`, `${text} is not a day of the calendar`);
  }
  const parsed = DATE_TIME.test(text) ? new Date(text) : null;
  if (parsed && !Number.isNaN(parsed.getTime())) return parsed;
  throw invalidField(`querystring.${name}`, `must be an ISO date such as 2026-01-01, or a date-time with its offset such as 2026-01-01T00:00:00Z (got "${text}")`);
}

/**
 * The statement's period: `from` inclusive, `to` exclusive, so that consecutive periods never share or
 * miss a posting (from=2026-01-01&to=2026-02-01 is January). Without them: the current month, UTC.
 */
export function parsePeriod(query: { from?: string; to?: string }, now: Date): { from: Date; to: Date } {
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const from = query.from ? parseBound('from', query.from) : new Date(monthStart);
  const to = query.to ? parseBound('to', query.to) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  if (from.getTime() >= to.getTime()) {
    throw new AppError(400, 'bad_period', `The period is empty: from (${from.toISOString()}) must be before to (${to.toISOString()}); to is exclusive, so from=2026-01-01&to=2026-02-01 is January.`, [
      { path: 'querystring.to', message: 'must be after from' },
    ]);
  }
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY) {
    throw new AppError(400, 'bad_period', `A statement covers at most ${MAX_PERIOD_DAYS} days; ask for one year at a time.`, [
      { path: 'querystring.to', message: `must be at most ${MAX_PERIOD_DAYS} days after from` },
    ]);
  }
  return { from, to };
}
