import type { Queryable } from '../../db/database.ts';
import { aroundTheClock, compileWorkingTime, type BusinessClock } from './business-time.ts';
import { findCalendars, type CalendarRow } from './sla.repository.ts';

export function clockOfCalendar(row: Pick<CalendarRow, 'time_zone' | 'weekly_hours' | 'holidays'>): BusinessClock {
  return compileWorkingTime({ timeZone: row.time_zone, weekly: row.weekly_hours, closedDates: row.holidays });
}

/**
 * Compiled business clocks by calendar id, kept for the life of the process. A calendar can be edited
 * (by any process), so each load reads the rows again, which is cheap, and compiles only those whose
 * hours changed: compiling, and the intervals a compiled clock has worked out, are what cost.
 */
export function calendarClocks() {
  const cache = new Map<string, { hours: string; clock: BusinessClock }>();
  const MAX_CACHED = 1000;

  async function load(scope: Queryable, ids: Array<string | null>): Promise<void> {
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    if (wanted.length === 0) return;
    if (cache.size + wanted.length > MAX_CACHED) cache.clear();
    for (const row of await findCalendars(scope, wanted)) {
      const hours = JSON.stringify([row.time_zone, row.weekly_hours, [...row.holidays].sort()]);
      if (cache.get(row.id)?.hours !== hours) cache.set(row.id, { hours, clock: clockOfCalendar(row) });
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
  };
}

export type CalendarClocks = ReturnType<typeof calendarClocks>;
