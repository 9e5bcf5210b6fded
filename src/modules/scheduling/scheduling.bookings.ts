import { publicUrl } from '../../config.ts';
import type { Queryable, Tx } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { conflict, forbidden, invalidField, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import type { HelpersService } from '../helpers/helpers.service.ts';
import { queueEmail } from '../mail/mail.service.ts';
import { MINUTE_MS } from '../sla/business-time.ts';
import type { TicketsService } from '../tickets/tickets.service.ts';
import type { AvailabilityService } from './scheduling.availability.ts';
import { bookingInvite } from './scheduling.ics.ts';
import { scheduleReminders } from './scheduling.jobs.ts';
import { bookingEmails, partiesOf } from './scheduling.notifications.ts';
import { presentBooking } from './scheduling.presenter.ts';
import * as repo from './scheduling.repository.ts';
import type { AvailabilityRow } from './scheduling.repository.ts';
import type { BookingInput, RescheduleInput } from './scheduling.schemas.ts';

const HOUR_MS = 3_600_000;
/** A session may be started this long before its booked time. */
const EARLY_START_MS = 15 * MINUTE_MS;

const slotTaken = () => conflict('This time was just booked, or lies within the buffer of another booking; pick another slot.', 'slot_taken');

/** What the payments domain bills for a metered session (this module never bills). */
export type MeteredSession = { bookingId: string; helperId: string; customerId: string; ticketId: string | null; startedAt: Date; stoppedAt: Date; minutes: number };

/** A session checked against a helper's availability, ready to be booked (see `prepareSession`). */
export type PreparedSession = { helperId: string; start: number; minutes: number; repoId: string | null; row: AvailabilityRow; notice: number };

/**
 * Bookings of helpers' time: made, moved and cancelled by the two people in them, under the notice
 * that applied when booked; never overlapping, which the database guarantees; metered from start to stop.
 */
export function bookingsService(deps: Deps, services: { availability: AvailabilityService; helpers: HelpersService; tickets: TicketsService }) {
  const { db, clock, config } = deps;
  const { availability, helpers, tickets } = services;
  const emails = bookingEmails(deps.config);

  /** The booking if the actor is in it (or an operator, to look); 404 for everyone else. */
  async function load(actor: Actor, id: string) {
    const user = requireUser(actor);
    const booking = await repo.findBooking(db, id);
    const party = booking !== undefined && (booking.helper_id === user.userId || booking.customer_id === user.userId);
    if (!booking || (!party && !user.isOperator)) throw notFound('The booking');
    return { booking, party, userId: user.userId };
  }

  async function loadAsParty(actor: Actor, id: string) {
    const loaded = await load(actor, id);
    if (!loaded.party) throw forbidden('Only the helper and the customer of a booking may change it.');
    return loaded;
  }

  /** The ticket's repository, after checking that the actor is its customer and the helper works on it. */
  async function ticketRepoId(actor: Actor, ticketId: string, helperId: string): Promise<string> {
    const { ticket, relation } = await tickets.access(actor, ticketId);
    if (!relation.customer) throw forbidden("Only the ticket's customer may book a session about it.");
    if (ticket.assignee_id !== helperId && !(await helpers.isApproved(ticket.repo_id, helperId))) {
      throw invalidField('body.helperId', `is not a helper of ${ticket.repo_full_name}`);
    }
    return ticket.repo_id;
  }

  /** The helper's own notice, else the repository's (for a ticket), else the platform's. */
  async function cancelNoticeHours(own: number | null, repoId: string | null): Promise<number> {
    if (own !== null) return own;
    const ofRepo = repoId ? await repo.repoCancelNotice(db, repoId) : undefined;
    return ofRepo ?? config.BOOKING_CANCEL_NOTICE_HOURS;
  }

  async function present(id: string) {
    return presentBooking((await repo.findBooking(db, id))!);
  }

  async function notifyBoth(trx: Queryable, id: string, draft: typeof emails.confirmed) {
    const booking = (await repo.findBooking(trx, id))!;
    for (const party of partiesOf(booking)) await queueEmail(trx, clock, draft(booking, party));
  }

  /** Checks a session against the helper's availability and the notice, before any transaction opens. */
  async function prepare(input: { helperId: string; start: number; minutes: number; repoId: string | null }) {
    const row = await availability.bookable(input.helperId);
    availability.checkWithinAvailability(row, input.start, input.minutes);
    return { ...input, row, notice: await cancelNoticeHours(row.cancel_notice_hours, input.repoId) };
  }

  /** Writes a prepared booking with its reminders and emails in `trx`; the exclusion constraint refuses an overlap. */
  async function insert(trx: Tx, prepared: PreparedSession, booking: { customerId: string; ticketId: string | null; tz: string }): Promise<string> {
    const now = clock.now();
    const id = newId(now.getTime());
    const end = prepared.start + prepared.minutes * MINUTE_MS;
    await repo.insertBooking(trx, {
      id,
      helper_id: prepared.helperId,
      customer_id: booking.customerId,
      ticket_id: booking.ticketId,
      starts_at: new Date(prepared.start),
      ends_at: new Date(end),
      blocked_until: new Date(end + prepared.row.buffer_minutes * MINUTE_MS),
      customer_time_zone: booking.tz,
      helper_time_zone: prepared.row.time_zone,
      cancel_notice_hours: prepared.notice,
      status: 'confirmed',
      created_at: now,
      updated_at: now,
    });
    await scheduleReminders(trx, clock, id, new Date(prepared.start));
    await notifyBoth(trx, id, emails.confirmed);
    return id;
  }

  return {
    async book(actor: Actor, input: BookingInput) {
      const user = requireUser(actor);
      if (input.helperId === user.userId) throw invalidField('body.helperId', 'is you; book another helper');
      const row = await availability.bookable(input.helperId);
      const repoId = input.ticketId ? await ticketRepoId(actor, input.ticketId, input.helperId) : null;
      const prepared = await prepare({ helperId: input.helperId, start: Date.parse(input.start), minutes: input.minutes, repoId });
      try {
        const id = await db.transaction().execute((trx) => insert(trx, prepared, { customerId: user.userId, ticketId: input.ticketId ?? null, tz: input.tz }));
        return present(id);
      } catch (error) {
        if (repo.isOverlap(error)) throw slotTaken();
        throw error;
      }
    },

    /** For consulting: checks a session a helper proposes (availability, notice, not in the past), booking nothing yet. */
    prepareSession: prepare,

    /**
     * For consulting: books a prepared session in the caller's transaction, so that the booking commits
     * with the accepted quote's payment or not at all. An overlap is a 409 slot_taken (and undoes both).
     */
    async bookPrepared(trx: Tx, prepared: PreparedSession, booking: { customerId: string; ticketId: string | null; tz: string }): Promise<string> {
      try {
        return await insert(trx, prepared, booking);
      } catch (error) {
        if (repo.isOverlap(error)) throw slotTaken();
        throw error;
      }
    },

    async get(actor: Actor, id: string) {
      return presentBooking((await load(actor, id)).booking);
    },

    /**
     * The sessions booked about a ticket. Its customer, its assignee and its maintainers (and operators)
     * see all of them; another helper only the ones booked with them; anyone else gets a 404, as for the
     * ticket itself.
     */
    async listForTicket(actor: Actor, ticketId: string) {
      const user = requireUser(actor);
      const { ticket, relation } = await tickets.access(actor, ticketId);
      const everything = relation.customer || relation.assignee || relation.maintainer;
      const rows = await repo.listTicketBookings(db, ticket.id, everything ? undefined : user.userId);
      if (!everything && rows.length === 0) throw notFound('The ticket');
      return { items: rows.map(presentBooking) };
    },

    /** Allowed up to the start; inside the notice it is recorded as a late cancellation. */
    async cancel(actor: Actor, id: string, reason?: string) {
      const { booking, userId } = await loadAsParty(actor, id);
      const now = clock.now();
      if (booking.status === 'cancelled') throw conflict('This booking is already cancelled.', 'already_cancelled');
      if (booking.starts_at <= now) throw conflict('This session has started; stop it instead of cancelling.', 'already_started');
      const late = now.getTime() > booking.starts_at.getTime() - booking.cancel_notice_hours * HOUR_MS;
      await db.transaction().execute(async (trx) => {
        const changes = { status: 'cancelled' as const, cancelled_at: now, cancelled_by: userId, late_cancellation: late, cancel_reason: reason ?? null, updated_at: now };
        if (!(await repo.updateIfConfirmed(trx, id, changes))) throw conflict('This booking is already cancelled.', 'already_cancelled');
        await notifyBoth(trx, id, emails.cancelled);
      });
      return present(id);
    },

    /** Free until the notice; after that only a (late) cancellation is possible. */
    async reschedule(actor: Actor, id: string, input: RescheduleInput) {
      const { booking } = await loadAsParty(actor, id);
      const now = clock.now();
      if (booking.status === 'cancelled') throw conflict('This booking is cancelled; book a new session.', 'already_cancelled');
      if (now.getTime() > booking.starts_at.getTime() - booking.cancel_notice_hours * HOUR_MS) {
        throw conflict(`Sessions move free of charge until ${booking.cancel_notice_hours} hours before they start; cancel it instead (recorded as a late cancellation).`, 'late_reschedule');
      }
      const row = await availability.bookable(booking.helper_id);
      const minutes = input.minutes ?? Math.round((booking.ends_at.getTime() - booking.starts_at.getTime()) / MINUTE_MS);
      const start = Date.parse(input.start);
      availability.checkWithinAvailability(row, start, minutes);
      const end = start + minutes * MINUTE_MS;
      const bufferMs = booking.blocked_until.getTime() - booking.ends_at.getTime();
      try {
        await db.transaction().execute(async (trx) => {
          const changes = { starts_at: new Date(start), ends_at: new Date(end), blocked_until: new Date(end + bufferMs), rescheduled_at: now, updated_at: now };
          if (!(await repo.updateIfConfirmed(trx, id, changes))) throw conflict('This booking was cancelled meanwhile.', 'already_cancelled');
          await scheduleReminders(trx, clock, id, new Date(start));
          await notifyBoth(trx, id, emails.moved);
        });
      } catch (error) {
        if (repo.isOverlap(error)) throw slotTaken();
        throw error;
      }
      return present(id);
    },

    async startSession(actor: Actor, id: string) {
      const { booking } = await loadAsParty(actor, id);
      const now = clock.now();
      if (booking.status !== 'confirmed') throw conflict('This booking is cancelled.', 'already_cancelled');
      if (booking.session_started_at) throw conflict('This session is already started.', 'already_started');
      if (now.getTime() < booking.starts_at.getTime() - EARLY_START_MS || now >= booking.ends_at) {
        throw conflict(`A session starts between 15 minutes before its booked time and its booked end (${booking.starts_at.toISOString()} to ${booking.ends_at.toISOString()}).`, 'outside_session_window');
      }
      if (!(await repo.markSessionStarted(db, id, now))) throw conflict('This session is already started.', 'already_started');
      return present(id);
    },

    /** Minutes metered are the started time rounded up to the whole minute. */
    async stopSession(actor: Actor, id: string) {
      const { booking } = await loadAsParty(actor, id);
      const now = clock.now();
      if (!booking.session_started_at) throw conflict('This session has not started.', 'not_started');
      const minutes = Math.ceil((now.getTime() - booking.session_started_at.getTime()) / MINUTE_MS);
      if (!(await repo.markSessionStopped(db, id, now, minutes))) throw conflict('This session is already stopped.', 'already_stopped');
      return present(id);
    },

    /** The invitation in the zone of whoever asks for it. */
    async invite(actor: Actor, id: string): Promise<string> {
      const { booking, userId } = await load(actor, id);
      const zone = booking.helper_id === userId ? booking.helper_time_zone : booking.customer_time_zone;
      return bookingInvite(booking, zone, `${publicUrl(config)}/api/v1/bookings/${booking.id}`);
    },

    /** For the payments domain: a stopped session and its metered minutes, or null while it is not. */
    async meteredSession(scope: Queryable, id: string): Promise<MeteredSession | null> {
      const booking = await repo.findBooking(scope, id);
      if (!booking?.session_started_at || !booking.session_stopped_at || booking.metered_minutes === null) return null;
      return {
        bookingId: booking.id,
        helperId: booking.helper_id,
        customerId: booking.customer_id,
        ticketId: booking.ticket_id,
        startedAt: booking.session_started_at,
        stoppedAt: booking.session_stopped_at,
        minutes: booking.metered_minutes,
      };
    },
  };
}
