import type { Queryable } from '../../db/database.ts';
import { conflict, forbidden } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Actor } from '../auth/actor.ts';
import { requireAssignee, ticketAccess } from './payments.access.ts';
import type { PaymentsContext } from './payments.context.ts';
import { presentTimeEntry } from './payments.presenter.ts';
import * as repo from './payments.repository.ts';
import type { TimeEntryInput } from './payments.schemas.ts';
import * as time from './time-entries.repository.ts';

/** Time is logged while working and right after resolving (the last call often ends with the resolution). */
const LOGGABLE = ['claimed', 'in_progress', 'waiting_on_customer', 'resolved'];

/**
 * Time the assignee logs on a ticket. The customer sees it; a per-minute session is charged for it when it
 * is released (metered time), and it becomes the lines of the payment's invoice (`billableTime`).
 */
export function timeFlows(ctx: PaymentsContext) {
  const { db, clock } = ctx.deps;

  return {
    async log(actor: Actor, ticketId: string, input: TimeEntryInput) {
      const { user, ticket, relation } = await ticketAccess(ctx, actor, ticketId);
      requireAssignee(relation, 'log time on it');
      if (!LOGGABLE.includes(ticket.status)) {
        throw conflict(`This ticket is ${ticket.status.replaceAll('_', ' ')}; time is logged while it is worked on or just resolved.`, 'ticket_not_open_for_time');
      }
      const now = clock.now();
      const row = await time.insertTimeEntry(db, {
        id: newId(now.getTime()),
        ticket_id: ticket.id,
        helper_id: user.userId,
        minutes: input.minutes,
        note: input.note,
        payment_id: null,
        created_at: now,
      });
      return presentTimeEntry(row);
    },

    async list(actor: Actor, ticketId: string) {
      const { ticket, relation } = await ticketAccess(ctx, actor, ticketId);
      if (!relation.customer && !relation.staff) throw forbidden("A ticket's time log is for its customer and the repository's team.");
      const rows = await time.timeEntriesOfTicket(db, ticket.id);
      return { items: rows.map(presentTimeEntry), totalMinutes: rows.reduce((sum, row) => sum + row.minutes, 0) };
    },

    /**
     * The time a payment bills, for its invoice lines: a session bills exactly the entries its capture
     * metered; a fixed price or a quote is not charged by the minute, so its lines list the ticket's time
     * that no session billed, up to the payment's release, for the customer's information.
     */
    async billableTime(scope: Queryable, paymentId: string) {
      const payment = await repo.findPayment(scope, paymentId);
      // A plan's payment pays for a period, not for time on a ticket.
      if (!payment?.ticket_id) return [];
      if (payment.kind === 'session') return (await time.timeEntriesOfPayment(scope, paymentId)).map(presentTimeEntry);
      const until = payment.released_at ?? clock.now();
      const rows = await time.timeEntriesOfTicket(scope, payment.ticket_id);
      return rows.filter((row) => row.payment_id === null && row.created_at.getTime() <= until.getTime()).map(presentTimeEntry);
    },
  };
}
