import type { Queryable } from '../../db/database.ts';
import { aroundTheClock, compileWorkingTime, type BusinessClock } from './business-time.ts';
import { findCalendars, type CalendarRow } from './sla.repository.ts';

export function clockOfCalendar(row: Pick<CalendarRow, 'time_zone' | 'weekly_hours' | 'holidays'>): BusinessClock {
  return compileWorkingTime({ timeZone: row.time_zone, weekly: row.weekly_hours, closedDates: row.holidays });
}

/**
 * Compiled business clocks by calendar id, kept for the life of the process: calendars never change
 * after creation (a new one is made instead), and a compiled clock keeps the intervals it has worked out.
 */
export function calendarClocks() {
  const cache = new Map<string, BusinessClock>();
  const MAX_CACHED = 1000;

  async function load(scope: Queryable, ids: Array<string | null>): Promise<void> {
    const missing = [...new Set(ids.filter((id): id is string => id !== null && !cache.has(id)))];
    if (missing.length === 0) return;
    if (cache.size + missing.length > MAX_CACHED) cache.clear();
    for (const row of await findCalendars(scope, missing)) cache.set(row.id, clockOfCalendar(row));
  }

  return {
    load,
    /** Call load() first for these ids; an id it did not find (or null) runs around the clock. */
    cached: (calendarId: string | null): BusinessClock => (calendarId && cache.get(calendarId)) || aroundTheClock,
    async clockFor(scope: Queryable, calendarId: string | null): Promise<BusinessClock> {
      await load(scope, [calendarId]);
      return (calendarId && cache.get(calendarId)) || aroundTheClock;
    },
  };
}

export type CalendarClocks = ReturnType<typeof calendarClocks>;
