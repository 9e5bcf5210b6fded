import type { Queryable } from '../../db/database.ts';
import { CACHE_KEYS, type NotificationHub } from '../../db/notify.ts';
import type { Clock } from '../../lib/clock.ts';
import { PER_REPOSITORY } from '../../lib/notified-cache.ts';
import { aroundTheClock, compileWorkingTime, type BusinessClock } from './business-time.ts';
import { findCalendars, type CalendarRow } from './sla.repository.ts';

export function clockOfCalendar(row: Pick<CalendarRow, 'time_zone' | 'weekly_hours' | 'holidays'>): BusinessClock {
  return compileWorkingTime({ timeZone: row.time_zone, weekly: row.weekly_hours, closedDates: row.holidays });
}

/**
 * Compiled business clocks by calendar id. Compiling, and the intervals a compiled clock has worked out,
 * are what cost, and every SLA computation (a ticket opened, a message, each sweep page) needs a clock,
 * so a calendar's row is kept until a process changes a calendar (`cache:calendars`: migration 0025's
 * trigger for every process, the statement hook for this one at once), and recompiled only when its
 * hours changed. As with the notified caches (src/lib/notified-cache.ts), nothing is trusted while
 * notifications do not arrive, a read under way when one comes is not trusted either, and a row is
 * read again after a minute at most.
 */
export function calendarClocks(clock: Clock, hub: NotificationHub) {
  const cache = new Map<string, { hours: string; clock: BusinessClock; checkedAt: number }>();
  const MAX_CACHED = 1000;
  let generation = 0;
  let subscribed = false;

  async function load(scope: Queryable, ids: Array<string | null>): Promise<void> {
    if (!subscribed) {
      subscribed = true;
      hub.subscribe(CACHE_KEYS.calendars, () => {
        generation++;
        for (const entry of cache.values()) entry.checkedAt = Number.NEGATIVE_INFINITY;
      });
    }
    const now = clock.now().getTime();
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    // Every clock a caller asks for must be found by cached() after this load, however many: make room first.
    if (cache.size + wanted.length > MAX_CACHED) cache.clear();
    const trusted = hub.listening();
    const stale = wanted.filter((id) => {
      const entry = cache.get(id);
      return !entry || !trusted || now - entry.checkedAt >= PER_REPOSITORY.maxAgeMs;
    });
    if (stale.length === 0) return;
    const before = generation;
    for (const row of await findCalendars(scope, stale)) {
      const hours = JSON.stringify([row.time_zone, row.weekly_hours, [...row.holidays].sort()]);
      const known = cache.get(row.id);
      const checkedAt = before === generation && hub.listening() ? now : Number.NEGATIVE_INFINITY;
      cache.set(row.id, { hours, clock: known?.hours === hours ? known.clock : clockOfCalendar(row), checkedAt });
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
