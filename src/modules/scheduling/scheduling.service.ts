import type { Deps } from '../../deps.ts';
import type { Actor } from '../auth/actor.ts';
import type { HelpersService } from '../helpers/helpers.service.ts';
import type { ReposService } from '../repos/repos.service.ts';
import type { TicketsService } from '../tickets/tickets.service.ts';
import { availabilityService } from './scheduling.availability.ts';
import { bookingsService } from './scheduling.bookings.ts';
import { createSchedulingJobHandlers } from './scheduling.jobs.ts';
import * as repo from './scheduling.repository.ts';

/** Helpers' availability, free slots, bookings and their reminders, and metered sessions. */
export function createSchedulingService(deps: Deps, services: { repos: ReposService; helpers: HelpersService; tickets: TicketsService }) {
  const availability = availabilityService(deps, services.helpers);
  const bookings = bookingsService(deps, { availability, helpers: services.helpers, tickets: services.tickets });
  const { db, clock, config } = deps;

  async function bookingPolicy(fullName: string, repoId: string) {
    const hours = await repo.repoCancelNotice(db, repoId);
    return { repo: fullName, cancelNoticeHours: hours ?? config.BOOKING_CANCEL_NOTICE_HOURS, custom: hours !== undefined };
  }

  return {
    getAvailability: availability.get,
    putAvailability: availability.put,
    slots: availability.slots,
    ...bookings,
    jobHandlers: createSchedulingJobHandlers(deps),

    /** The free-cancellation notice for sessions about the repository's tickets, unless a helper sets their own. */
    async getBookingPolicy(actor: Actor, fullName: string) {
      const { repo: repository } = await services.repos.access(actor, fullName);
      return bookingPolicy(repository.full_name, repository.id);
    },

    async setBookingPolicy(actor: Actor, fullName: string, cancelNoticeHours: number) {
      const { repo: repository } = await services.repos.requireMaintainer(actor, fullName);
      await repo.setRepoCancelNotice(db, repository.id, cancelNoticeHours, clock.now());
      return bookingPolicy(repository.full_name, repository.id);
    },
  };
}

export type SchedulingService = ReturnType<typeof createSchedulingService>;
