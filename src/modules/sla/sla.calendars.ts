import type { Queryable } from '../../db/database.ts';
import { CACHE_KEYS, type NotificationHub } from '../../db/notify.ts';
import type { Clock } from '../../lib/clock.ts';
import { notifiedCache, PER_REPOSITORY } from '../../lib/notified-cache.ts';
import { aroundTheClock, compileWorkingTime, type BusinessClock } from './business-time.ts';
import { findCalendars, type CalendarRow } from './sla.repository.ts';

export function clockOfCalendar(row: Pick<CalendarRow, 'time_zone' | 'weekly_hours' | 'holidays'>): BusinessClock {
  return compileWorkingTime({ timeZone: row.time_zone, weekly: row.weekly_hours, closedDates: row.holidays });
}

/**
 * Compiled business clocks by calendar id. Compiling, and the intervals a compiled clock has worked out,
 * are what cost, and every SLA computation (a ticket opened, a message, each sweep page) needs a clock,
 * so compiled clocks are kept per process until a process changes a calendar (`cache:calendars`:
 * migration 0025's trigger, and the statement hook for the editing process; src/lib/notified-cache.ts).
 */
export function calendarClocks(clock: Clock, hub: NotificationHub) {
  const kept = notifiedCache<BusinessClock>(hub, CACHE_KEYS.calendars, { capacity: 1000, maxAgeMs: PER_REPOSITORY.maxAgeMs, clock });

  /** The clocks of these calendars, read in one statement where not kept; an unknown id (or null) runs around the clock. */
  async function load(scope: Queryable, ids: Array<string | null>): Promise<(calendarId: string | null) => BusinessClock> {
    const wanted = ids.filter((id): id is string => id !== null);
    const clocks = await kept.getMany(wanted, async (missing) => new Map((await findCalendars(scope, missing)).map((row) => [row.id, clockOfCalendar(row)])));
    return (calendarId) => (calendarId && clocks.get(calendarId)) || aroundTheClock;
  }

  return {
    load,
    async clockFor(scope: Queryable, calendarId: string | null): Promise<BusinessClock> {
      return (await load(scope, [calendarId]))(calendarId);
    },
  };
}

export type CalendarClocks = ReturnType<typeof calendarClocks>;
