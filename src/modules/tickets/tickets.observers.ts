import type { Tx } from '../../db/database.ts';
import type { TicketStatus } from '../../db/types.ts';
import type { MessageView, TicketView } from './tickets.repository.ts';
import type { TicketAction } from './tickets.state.ts';

/** A change to a ticket, as other domains (SLA clocks) see it. */
export type TicketChange =
  | { type: 'created'; ticket: TicketView }
  | { type: 'moved'; action: TicketAction; from: TicketStatus; ticket: TicketView }
  /** `message.channel` is where the message was written, so a chat channel does not echo its own messages back. */
  | { type: 'message'; ticket: TicketView; internal: boolean; byCustomer: boolean; message: MessageView };

/**
 * Called inside the transaction of the change, so that what an observer writes commits with it or not
 * at all. It must use `trx`, never the database handle (PGlite has one connection: that would wait on
 * itself), and anything it throws undoes the change.
 */
export type TicketObserver = (trx: Tx, change: TicketChange) => Promise<void>;

export function ticketObservers() {
  const observers: TicketObserver[] = [];
  return {
    add(observer: TicketObserver) {
      observers.push(observer);
    },
    async notify(trx: Tx, change: TicketChange) {
      for (const observer of observers) await observer(trx, change);
    },
  };
}
