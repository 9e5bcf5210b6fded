import type { Deps } from '../../deps.ts';
import { forbidden, invalidField, notFound } from '../../errors.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import type { HelpersService } from '../helpers/helpers.service.ts';
import { compileWorkingTime, MINUTE_MS, type BusinessClock } from '../sla/business-time.ts';
import { fullWeek } from '../sla/working-time.schemas.ts';
import { formatInZone } from '../sla/zoned-format.ts';
import { findUserById } from '../users/users.repository.ts';
import { presentAvailability } from './scheduling.presenter.ts';
import * as repo from './scheduling.repository.ts';
import { MAX_BUFFER_MINUTES, type AvailabilityInput, type SlotsQuery } from './scheduling.schemas.ts';
import { availabilitySpec, freeSlots } from './scheduling.slots.ts';

/**
 * Helpers' weekly availability and the free slots it leaves. Compiled availability is cached per
 * helper and version (updated_at), so a month of slots costs one query for the bookings and arithmetic.
 */
export function availabilityService(deps: Deps, helpers: HelpersService) {
  const { db, clock, config } = deps;
  const compiled = new Map<string, { version: number; clock: BusinessClock }>();

  function clockOf(row: repo.AvailabilityRow): BusinessClock {
    const cached = compiled.get(row.user_id);
    if (cached?.version === row.updated_at.getTime()) return cached.clock;
    if (compiled.size >= 5000) compiled.clear();
    const built = compileWorkingTime(availabilitySpec(row.time_zone, row.weekly_hours, row.exceptions));
    compiled.set(row.user_id, { version: row.updated_at.getTime(), clock: built });
    return built;
  }

  /** A helper's availability, if they are still a helper anywhere: a removed helper takes no bookings. */
  async function bookable(helperId: string): Promise<repo.AvailabilityRow> {
    const [row, repoIds] = await Promise.all([repo.findAvailability(db, helperId), helpers.approvedRepoIds(helperId)]);
    if (!row || repoIds.length === 0) throw notFound('Availability of this helper');
    return row;
  }

  const profileTimeZone = async (userId: string) => (await findUserById(db, userId))?.time_zone ?? 'UTC';

  /** The earliest start a booking may have now. */
  const earliestStart = () => clock.now().getTime() + config.BOOKING_MIN_NOTICE_MINUTES * MINUTE_MS;

  /**
   * Refuses a start in the past (or sooner than the minimum notice) and a session outside the helper's
   * hours. Overlap with other bookings is left to the database, which is the only place it can be
   * settled when two requests race.
   */
  function checkWithinAvailability(row: repo.AvailabilityRow, start: number, minutes: number) {
    if (start < earliestStart()) {
      throw invalidField('body.start', config.BOOKING_MIN_NOTICE_MINUTES ? `must be at least ${config.BOOKING_MIN_NOTICE_MINUTES} minutes from now` : 'is in the past');
    }
    if (clockOf(row).between(start, start + minutes * MINUTE_MS) !== minutes * MINUTE_MS) {
      throw invalidField('body.start', `is not within the helper's availability for ${minutes} minutes; see GET /api/v1/helpers/${row.user_id}/slots`);
    }
  }

  async function get(actor: Actor) {
    const user = requireUser(actor);
    return presentAvailability(await repo.findAvailability(db, user.userId), user.userId, await profileTimeZone(user.userId));
  }

  return {
    bookable,
    profileTimeZone,
    checkWithinAvailability,

    get,

    async put(actor: Actor, input: AvailabilityInput) {
      const user = requireUser(actor);
      if ((await helpers.approvedRepoIds(user.userId)).length === 0) {
        throw forbidden('Only approved helpers publish availability; apply to help a repository first.');
      }
      await repo.saveAvailability(db, {
        user_id: user.userId,
        time_zone: input.timeZone,
        weekly_hours: JSON.stringify(fullWeek(input.weeklyHours)),
        exceptions: JSON.stringify([...input.exceptions].sort((a, b) => a.date.localeCompare(b.date))),
        buffer_minutes: input.bufferMinutes,
        cancel_notice_hours: input.cancelNoticeHours,
        updated_at: clock.now(),
      });
      return get(actor);
    },

    async slots(actor: Actor, helperId: string, query: SlotsQuery) {
      const user = requireUser(actor);
      const from = Date.parse(query.from);
      const to = Date.parse(query.to);
      // Independent reads, side by side; bookings are read as far as the longest buffer could reach.
      const [row, bookings, timeZone] = await Promise.all([
        bookable(helperId),
        repo.busyRanges(db, helperId, new Date(from), new Date(to + MAX_BUFFER_MINUTES * MINUTE_MS)),
        query.tz ?? profileTimeZone(user.userId),
      ]);
      const bufferMs = row.buffer_minutes * MINUTE_MS;
      const slots = freeSlots({ available: clockOf(row).intervals(from, to), bookings, bufferMs, lengthMs: query.minutes * MINUTE_MS, notBefore: earliestStart() });
      const starts = formatInZone(slots.map(([start]) => start), timeZone);
      const ends = formatInZone(slots.map(([, end]) => end), timeZone);
      return {
        helperId,
        timeZone,
        minutes: query.minutes,
        items: slots.map(([start, end], index) => ({ start: starts[index], end: ends[index], startUtc: new Date(start).toISOString(), endUtc: new Date(end).toISOString() })),
      };
    },
  };
}

export type AvailabilityService = ReturnType<typeof availabilityService>;
