import type { Queryable } from '../../db/database.ts';
import type { Clock } from '../../lib/clock.ts';
import { aroundTheClock, compileWorkingTime, type BusinessClock } from './business-time.ts';
import { findCalendars, type CalendarRow } from './sla.repository.ts';

export function clockOfCalendar(row: Pick<CalendarRow, 'time_zone' | 'weekly_hours' | 'holidays'>): BusinessClock {
  return compileWorkingTime({ timeZone: row.time_zone, weekly: row.weekly_hours, closedDates: row.holidays });
}

/**
 * Compiled business clocks by calendar id. Compiling, and the intervals a compiled clock has worked out,
 * are what cost, and every SLA computation (a ticket opened, a message, each sweep page) needs a clock,
 * so a calendar's row is read again at most `recheckMs` after its last read, and recompiled only when
 * its hours changed. This process forgets a calendar at once when it edits or deletes it (`forget`); an
 * edit made by another process is seen within `recheckMs`, as the knowledge caches do.
 */
export function calendarClocks(clock: Clock, recheckMs = 1000) {
  const cache = new Map<string, { hours: string; clock: BusinessClock; checkedAt: number }>();
  const MAX_CACHED = 1000;

  async function load(scope: Queryable, ids: Array<string | null>): Promise<void> {
    const now = clock.now().getTime();
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    // Every clock a caller asks for must be found by cached() after this load, however many: make room first.
    if (cache.size + wanted.length > MAX_CACHED) cache.clear();
    const stale = wanted.filter((id) => {
      const entry = cache.get(id);
      return !entry || now - entry.checkedAt >= recheckMs;
    });
    if (stale.length === 0) return;
    for (const row of await findCalendars(scope, stale)) {
      const hours = JSON.stringify([row.time_zone, row.weekly_hours, [...row.holidays].sort()]);
      const known = cache.get(row.id);
      cache.set(row.id, { hours, clock: known?.hours === hours ? known.clock : clockOfCalendar(row), checkedAt: now });
    }
  }

  return {
    load,
    /** Call load() first for these ids; an id it did not find (or null) runs around the clock. */
    cached: (calendarId: string | null): BusinessClock => (calendarId && cache.get(calendarId)?.clock) || aroundTheClock,
    async clockFor(scope: Queryable, calendarId: string | null): Promise<BusinessClock> {
      await load(scope, [calendarId]);
      return (calendarId && cache.get(calendarId)?.clock) || aroundTheClock;
    },
    /** This process edited or deleted the calendar: the next clock reads it again. */
    forget: (calendarId: string) => void cache.delete(calendarId),
  };
}

export type CalendarClocks = ReturnType<typeof calendarClocks>;
